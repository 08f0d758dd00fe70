/** `/metrics`: Prometheus text format, unauthenticated as scrapers expect (bind to a private address). */
import { z } from "zod";
import { registerCollectionMetrics } from "../metrics.js";
import type { RoutePlugin } from "../provider.js";
import type { RouteContext } from "./common.js";

export const metricsRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  if (ctx.collections) registerCollectionMetrics(ctx.metrics.registry, ctx.collections);
  app.get(
    "/metrics",
    {
      schema: { response: { 200: z.string().meta({ description: "Prometheus text exposition format" }) } },
      config: {
        auth: "public",
        doc: {
          summary:
            "Prometheus metrics: requests, latency, intake queue depth, alerts accepted and rejected; scan score, findings and KPIs of the latest collection",
          tags: ["service"],
        },
      },
    },
    async (_req, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    },
  );
};

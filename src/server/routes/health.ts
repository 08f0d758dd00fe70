/** `/healthz` (the process answers) and `/readyz` (the store answers and is migrated). */
import { health, readiness } from "../schemas.js";
import type { RoutePlugin } from "../provider.js";
import type { RouteContext } from "./common.js";

export const healthRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/healthz",
    {
      schema: { response: { 200: health } },
      config: { auth: "public", doc: { summary: "liveness: the process answers", tags: ["service"] } },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      schema: { response: { 200: readiness, 503: readiness } },
      config: {
        auth: "public",
        doc: { summary: "readiness: the store answers and its migrations are applied", tags: ["service"] },
      },
    },
    async (_req, reply) => {
      if (ctx.closing()) return reply.code(503).send({ status: "not ready", reason: "shutting down" });
      let r;
      try {
        r = await ctx.store.readiness();
      } catch (err) {
        r = { ready: false, reason: `store: ${(err as Error).message}` };
      }
      if (!r.ready)
        return reply.code(503).send({ status: "not ready", reason: r.reason ?? "store not ready" });
      return { status: "ready" as const };
    },
  );
};

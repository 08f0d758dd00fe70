/** GET /api/v1/kpis (the latest KPI tiles) and /api/v1/kpis/:id/history. */
import type { RoutePlugin } from "../provider.js";
import { daysQuery, kpiHistory, kpiHistoryParams, kpisPage } from "../schemas-dashboard.js";
import type { KpiHistory } from "../schemas-dashboard.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";
import { DAY_MS, iso, kpiTiles, reads } from "./dashboard-common.js";

export const kpiRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/kpis",
    {
      schema: { response: { 200: kpisPage, ...errorResponses(...AUTH_ERRORS, 503) } },
      config: {
        auth: "viewer",
        doc: {
          summary: "the 16 KPIs of the latest collection, each with its recent values",
          tags: ["dashboard"],
        },
      },
    },
    async () => ({ items: await kpiTiles(reads(ctx)) }),
  );

  app.get(
    "/api/v1/kpis/:id/history",
    {
      schema: {
        params: kpiHistoryParams,
        querystring: daysQuery,
        response: { 200: kpiHistory, ...errorResponses(400, ...AUTH_ERRORS, 503) },
      },
      config: {
        auth: "viewer",
        doc: {
          summary: "one KPI's stored values over the last `days` days, oldest first",
          tags: ["dashboard"],
        },
      },
    },
    async (req) => {
      const points = await reads(ctx).kpiHistory(req.params.id, Date.now() - req.query.days * DAY_MS);
      return {
        id: req.params.id,
        items: points.map((p) => ({
          at: iso(p.at),
          value: p.value,
          status: p.status as KpiHistory["items"][number]["status"],
        })),
      };
    },
  );
};

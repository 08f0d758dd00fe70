/** GET /api/v1/cost: the latest cost summary, its history and a forecast. */
import { costForecast } from "../../collect/cost.js";
import type { CostSnapshot } from "../../collect/cost.js";
import { HttpError } from "../errors.js";
import type { RoutePlugin } from "../provider.js";
import { costSummary } from "../schemas-dashboard.js";
import type { CostSummary } from "../schemas-dashboard.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";
import { DAY_MS, iso, reads } from "./dashboard-common.js";

/** History the cost page charts (and the forecast is fitted on). */
const HISTORY_DAYS = 90;

export const costRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/cost",
    {
      schema: { response: { 200: costSummary, ...errorResponses(...AUTH_ERRORS, 404, 503) } },
      config: {
        auth: "viewer",
        doc: {
          summary: "cost by namespace and label, idle, overhead, top savings, history and a 30-day forecast",
          tags: ["dashboard"],
        },
      },
    },
    async (): Promise<CostSummary> => {
      const r = reads(ctx);
      const latest = await r.latestCost();
      if (!latest) throw new HttpError("D2_HTTP_NOT_FOUND", "no cost snapshot yet");
      const history = await r.costHistory(latest.at - HISTORY_DAYS * DAY_MS);
      return {
        ...(latest.payload as CostSnapshot),
        at: iso(latest.at),
        history: history.map((h) => ({ at: iso(h.at), monthly: h.monthly })),
        forecast: costForecast(history).map((f) => ({ ...f, at: iso(f.at) })),
      };
    },
  );
};

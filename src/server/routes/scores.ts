/** GET /api/v1/scores: the score, coverage and finding counts of each successful run. */
import type { RoutePlugin } from "../provider.js";
import { daysQuery, scoresPage } from "../schemas-dashboard.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";
import { DAY_MS, iso, reads } from "./dashboard-common.js";

export const scoreRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/scores",
    {
      schema: {
        querystring: daysQuery,
        response: { 200: scoresPage, ...errorResponses(400, ...AUTH_ERRORS, 503) },
      },
      config: {
        auth: "viewer",
        doc: {
          summary: "score and coverage history over the last `days` days, oldest first",
          tags: ["dashboard"],
        },
      },
    },
    async (req) => {
      const runs = await reads(ctx).runs(Date.now() - req.query.days * DAY_MS);
      return {
        items: runs.map((r) => ({ at: iso(r.at), score: r.score, coverage: r.coverage, counts: r.counts })),
      };
    },
  );
};

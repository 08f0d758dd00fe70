/** GET /api/v1/overview: the dashboard's first page in one answer. */
import type { KpiResult } from "../../kpi/types.js";
import { judgeSuccess } from "../../success/criteria.js";
import { SUCCESS_CADENCE } from "../../success/items.js";
import type { RoutePlugin } from "../provider.js";
import { overview } from "../schemas-dashboard.js";
import type { Overview } from "../schemas-dashboard.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";
import { iso, kpiTiles, reads } from "./dashboard-common.js";

export const overviewRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/overview",
    {
      schema: { response: { 200: overview, ...errorResponses(...AUTH_ERRORS, 503) } },
      config: {
        auth: "viewer",
        doc: {
          summary:
            "cluster, last collection, score, open findings and incidents, KPI tiles and success criteria",
          tags: ["dashboard"],
        },
      },
    },
    async (): Promise<Overview> => {
      const r = reads(ctx);
      const [last, lastOk, kpis, incidents, signoffs] = await Promise.all([
        r.latestRun(false),
        r.latestRun(true),
        kpiTiles(r),
        r.openIncidents(),
        r.listSignoffs({ cadence: SUCCESS_CADENCE, limit: 1000 }),
      ]);
      const success = judgeSuccess(
        kpis as unknown as KpiResult[],
        // judgeSuccess takes them oldest first.
        signoffs.reverse().map((s) => ({ itemId: s.item, by: s.who, at: iso(s.at), note: s.note ?? null })),
      );
      return {
        cluster: lastOk?.cluster
          ? {
              name: lastOk.cluster.name,
              source: lastOk.cluster.source,
              collectedAt: iso(lastOk.cluster.collectedAt),
            }
          : null,
        lastCollection: last
          ? { at: iso(last.at), durationMs: last.durationMs, ok: last.ok, error: last.error }
          : null,
        score: lastOk ? { value: lastOk.score, coverage: lastOk.coverage } : null,
        findingCounts: lastOk?.counts ?? { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
        openIncidents: {
          total: incidents.P0 + incidents.P1 + incidents.P2 + incidents.P3,
          byPriority: incidents,
        },
        kpis,
        success,
      };
    },
  );
};

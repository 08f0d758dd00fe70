/** GET /api/v1/findings (filtered, sorted, paged) and /api/v1/findings/groups (by namespace or rule). */
import type { FindingView } from "../ports.js";
import type { RoutePlugin } from "../provider.js";
import { findingGroups, findingGroupsQuery, findingsPage, findingsQuery } from "../schemas-dashboard.js";
import type { FindingRow } from "../schemas-dashboard.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";
import { iso, reads } from "./dashboard-common.js";

function row(f: FindingView): FindingRow {
  return {
    key: f.key,
    ruleId: f.rule,
    title: f.title,
    severity: f.severity as FindingRow["severity"],
    category: f.category as FindingRow["category"],
    namespace: f.namespace === "" ? null : f.namespace,
    kind: f.kind,
    name: f.name,
    message: f.message,
    runbook: f.runbook || null,
    firstSeen: iso(f.firstSeen),
    lastSeen: iso(f.lastSeen),
    fixedAt: f.fixedAt === null ? null : iso(f.fixedAt),
  };
}

export const findingRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/findings",
    {
      schema: {
        querystring: findingsQuery,
        response: { 200: findingsPage, ...errorResponses(400, ...AUTH_ERRORS, 503) },
      },
      config: {
        auth: "viewer",
        doc: {
          summary: "the findings history: open (default), fixed or all; filter, sort and page",
          tags: ["dashboard"],
        },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await reads(ctx).findings({
        status: q.status,
        sort: q.sort,
        limit: q.limit,
        offset: q.offset,
        ...(q.order ? { order: q.order } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.namespace ? { namespace: q.namespace } : {}),
        ...(q.rule ? { rule: q.rule } : {}),
      });
      return { items: page.items.map(row), total: page.total };
    },
  );

  app.get(
    "/api/v1/findings/groups",
    {
      schema: {
        querystring: findingGroupsQuery,
        response: { 200: findingGroups, ...errorResponses(400, ...AUTH_ERRORS, 503) },
      },
      config: {
        auth: "viewer",
        doc: { summary: "findings counted per namespace or rule, by severity", tags: ["dashboard"] },
      },
    },
    async (req) => ({ items: await reads(ctx).findingGroups(req.query.by, req.query.status) }),
  );
};

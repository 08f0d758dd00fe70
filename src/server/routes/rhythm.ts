/**
 * GET /api/v1/rhythm/:cadence: the checklist evaluated on the latest collection (as `day2
 * rhythm <cadence> -o json` prints it); POST /api/v1/rhythm/signoffs records who did an item
 * (a checklist item, or a success criterion only a person can judge); GET lists sign-offs;
 * GET /api/v1/rhythm/reports lists the scheduled reports sent, with their delivery. Periods
 * are named in day2.yaml's `rhythm.timeZone` (default UTC), as the scheduled reports name them.
 */
import { CADENCES, CHECKLISTS, periodOf } from "../../rhythm/checklists.js";
import type { Cadence } from "../../rhythm/checklists.js";
import { rhythmDocument } from "../../rhythm/document.js";
import { costHistorySince } from "../../rhythm/evaluate.js";
import type { ItemStatus, Signoff } from "../../rhythm/evaluate.js";
// The incidents window `day2 rhythm` reads too, so both evaluate a checklist the same way.
import { incidentsSince } from "../../rhythm/inputs.js";
import type { RhythmContext } from "../../rhythm/inputs.js";
import { SUCCESS_CADENCE, successItemOf } from "../../success/items.js";
import { quarterOf } from "../../success/signoffs.js";
import { HttpError } from "../errors.js";
import type { CollectionReads, StoredRhythmReport, StoredSignoff } from "../ports.js";
import type { RoutePlugin } from "../provider.js";
import {
  rhythmDoc,
  rhythmParams,
  rhythmReportsPage,
  rhythmReportsQuery,
  signoffBody,
  signoffRecord,
  signoffsPage,
  signoffsQuery,
} from "../schemas-dashboard.js";
import type { RhythmDocBody, RhythmReportRow, SignoffRecord } from "../schemas-dashboard.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";
import { iso, reads } from "./dashboard-common.js";

/** The zone rhythm periods are named in: day2.yaml's `rhythm.timeZone`, else UTC. */
function zoneOf(r: CollectionReads): string {
  return r.rhythmTimeZone ?? "UTC";
}

/** The checklist evaluated at `now` on the latest collection; pure apart from the reads. */
export async function rhythmReport(
  r: CollectionReads,
  cadence: Cadence,
  now: number,
): Promise<RhythmDocBody> {
  const timeZone = zoneOf(r);
  const [stored, incidents, signoffs, costs] = await Promise.all([
    r.latestContext(),
    r.rhythmIncidents(incidentsSince(now), now),
    r.listSignoffs({ cadence, period: periodOf(cadence, now, timeZone), limit: 1000 }),
    r.costHistory(costHistorySince(now)),
  ]);
  const context = stored?.context as RhythmContext | undefined;
  // evaluate shows the latest sign-off of an item: oldest first.
  const ordered = signoffs.reverse().map((s): Signoff => ({ ...s, cadence: s.cadence as Cadence }));
  return rhythmDocument(cadence, now, timeZone, stored && context ? { at: stored.at, context } : undefined, {
    incidents,
    signoffs: ordered,
    costHistory: costs,
  }) as RhythmDocBody;
}

/** A checklist item's cadence and period (in `timeZone`), or a success criterion's; undefined when unknown. */
function placeOf(
  itemId: string,
  at: number,
  timeZone: string,
): { cadence: string; item: string; period: string } | undefined {
  for (const c of CADENCES)
    if (CHECKLISTS[c].some((i) => i.id === itemId))
      return { cadence: c, item: itemId, period: periodOf(c, at, timeZone) };
  const success = successItemOf(itemId);
  if (success) return { cadence: SUCCESS_CADENCE, item: success, period: quarterOf(at) };
  return undefined;
}

function record(s: StoredSignoff): SignoffRecord {
  return {
    id: s.id,
    cadence: s.cadence as SignoffRecord["cadence"],
    itemId: s.item,
    period: s.period,
    who: s.who,
    at: iso(s.at),
    note: s.note ?? null,
  };
}

/** One notifier's failure or pending state is the report's: any pending, then failed, partial, delivered. */
function deliveryState(d: StoredRhythmReport["deliveries"]): RhythmReportRow["delivery"]["state"] {
  if (d.some((x) => x.status === "pending")) return "pending";
  const dead = d.filter((x) => x.status === "dead").length;
  if (dead) return dead === d.length ? "failed" : "partial";
  return d.length && d.every((x) => x.status === "sent") ? "delivered" : "unknown";
}

/** A stored report as the API lists it: counts by status, delivery, and its items. */
export function reportRow(s: StoredRhythmReport): RhythmReportRow {
  const doc = s.report as Partial<RhythmDocBody> | null;
  const counts = (doc?.counts ?? {}) as Partial<Record<ItemStatus, number>>;
  return {
    cadence: s.cadence as RhythmReportRow["cadence"],
    period: s.period,
    scheduledAt: iso(s.scheduledAt),
    sentAt: iso(s.sentAt),
    collectedAt: iso(s.runAt),
    counts: {
      ok: counts.ok ?? 0,
      attention: counts.attention ?? 0,
      open: counts["manual-open"] ?? 0,
      done: counts["manual-done"] ?? 0,
      noData: counts["not-available"] ?? 0,
    },
    delivery: {
      state: deliveryState(s.deliveries),
      targets: s.deliveries.map((d) => ({
        target: d.target,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError ?? null,
      })),
    },
    items: doc?.items ?? [],
  };
}

export const rhythmRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/rhythm/reports",
    {
      schema: {
        querystring: rhythmReportsQuery,
        response: { 200: rhythmReportsPage, ...errorResponses(400, ...AUTH_ERRORS, 503) },
      },
      config: {
        auth: "viewer",
        doc: {
          summary:
            "the scheduled rhythm reports sent (day2.yaml rhythm:), newest first: counts by status, delivery, items",
          tags: ["dashboard"],
        },
      },
    },
    async (req) => ({
      items: (
        await reads(ctx).rhythmReports({
          ...(req.query.cadence ? { cadence: req.query.cadence } : {}),
          limit: req.query.limit,
        })
      ).map(reportRow),
    }),
  );

  app.get(
    "/api/v1/rhythm/:cadence",
    {
      schema: {
        params: rhythmParams,
        response: { 200: rhythmDoc, ...errorResponses(400, ...AUTH_ERRORS, 503) },
      },
      config: {
        auth: "viewer",
        doc: {
          summary: "the daily, weekly, monthly or quarterly checklist, evaluated on the latest collection",
          tags: ["dashboard"],
        },
      },
    },
    async (req) => rhythmReport(reads(ctx), req.params.cadence, Date.now()),
  );

  app.post(
    "/api/v1/rhythm/signoffs",
    {
      schema: {
        body: signoffBody,
        response: { 201: signoffRecord, ...errorResponses(400, ...AUTH_ERRORS, 413, 415, 503) },
      },
      config: {
        auth: "responder",
        doc: {
          summary:
            "sign off a checklist item (or a success criterion) for its current period, as the token's name",
          tags: ["dashboard"],
        },
      },
    },
    async (req, reply) => {
      const at = Date.now();
      const place = placeOf(req.body.itemId, at, zoneOf(reads(ctx)));
      if (!place)
        throw new HttpError(
          "D2_HTTP_BAD_REQUEST",
          `body.itemId: unknown item ${JSON.stringify(req.body.itemId)}; expected a checklist item id (see GET /api/v1/rhythm/daily) or a success item`,
        );
      const note = req.body.note?.trim();
      const stored = await reads(ctx).addSignoff({
        ...place,
        who: req.principal!.name,
        at,
        ...(note ? { note } : {}),
      });
      return reply.code(201).send(record(stored));
    },
  );

  app.get(
    "/api/v1/rhythm/signoffs",
    {
      schema: {
        querystring: signoffsQuery,
        response: { 200: signoffsPage, ...errorResponses(400, ...AUTH_ERRORS, 503) },
      },
      config: { auth: "viewer", doc: { summary: "sign-offs, newest first", tags: ["dashboard"] } },
    },
    async (req) => ({ items: (await reads(ctx).listSignoffs({ limit: req.query.limit })).map(record) }),
  );
};

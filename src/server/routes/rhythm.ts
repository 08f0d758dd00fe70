/**
 * GET /api/v1/rhythm/:cadence: the checklist evaluated on the latest collection (as `day2
 * rhythm <cadence> -o json` prints it); POST /api/v1/rhythm/signoffs records who did an item
 * (a checklist item, or a success criterion only a person can judge); GET lists sign-offs.
 */
import { CADENCES, CHECKLISTS, periodOf } from "../../rhythm/checklists.js";
import type { Cadence } from "../../rhythm/checklists.js";
import { evaluate } from "../../rhythm/evaluate.js";
import type { RhythmInputs, Signoff } from "../../rhythm/evaluate.js";
// The incidents window `day2 rhythm` reads too, so both evaluate a checklist the same way.
import { incidentsSince } from "../../rhythm/inputs.js";
import type { RhythmContext } from "../../rhythm/inputs.js";
import { SUCCESS_CADENCE, successItemOf } from "../../success/items.js";
import { quarterOf } from "../../success/signoffs.js";
import { HttpError } from "../errors.js";
import type { CollectionReads, StoredSignoff } from "../ports.js";
import type { RoutePlugin } from "../provider.js";
import {
  rhythmDoc,
  rhythmParams,
  signoffBody,
  signoffRecord,
  signoffsPage,
  signoffsQuery,
} from "../schemas-dashboard.js";
import type { RhythmDocBody, SignoffRecord } from "../schemas-dashboard.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";
import { iso, reads } from "./dashboard-common.js";

/** The checklist evaluated at `now` on the latest collection; pure apart from the reads. */
export async function rhythmReport(
  r: CollectionReads,
  cadence: Cadence,
  now: number,
): Promise<RhythmDocBody> {
  const [stored, incidents, signoffs] = await Promise.all([
    r.latestContext(),
    r.rhythmIncidents(incidentsSince(now), now),
    r.listSignoffs({ cadence, period: periodOf(cadence, now), limit: 1000 }),
  ]);
  const context = stored?.context as RhythmContext | undefined;
  const inputs: RhythmInputs = {
    now,
    ...(context?.clusterVersion ? { clusterVersion: context.clusterVersion } : {}),
    ...(context?.scan ? { scan: context.scan } : {}),
    ...(context?.cost ? { cost: context.cost } : {}),
    ...(context?.capacity ? { capacity: context.capacity } : {}),
    incidents,
    // evaluate shows the latest sign-off of an item: oldest first.
    signoffs: signoffs.reverse().map((s): Signoff => ({ ...s, cadence: s.cadence as Cadence })),
  };
  return {
    apiVersion: "day2.dev/v1alpha1",
    kind: "RhythmReport",
    ...evaluate(cadence, inputs),
    source: context ? `${context.source}, collected ${iso(stored!.at)}` : "no collection yet",
    notes: context ? [] : ["no collection stored yet: scan and cost items have no data"],
  } as RhythmDocBody;
}

/** A checklist item's cadence and period, or a success criterion's; undefined when unknown. */
function placeOf(itemId: string, at: number): { cadence: string; item: string; period: string } | undefined {
  for (const c of CADENCES)
    if (CHECKLISTS[c].some((i) => i.id === itemId))
      return { cadence: c, item: itemId, period: periodOf(c, at) };
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

export const rhythmRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
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
      const place = placeOf(req.body.itemId, at);
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

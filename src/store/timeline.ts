/**
 * The incident timeline: append-only. There is deliberately no update or delete function, and
 * the database refuses UPDATE on the table (a trigger). Entries go only with their incident,
 * when retention prunes a closed one.
 */
import type { Kysely } from "kysely";
import { TIMELINE_KINDS_CHECK } from "./kinds.js";
import type { TimelineEntry, TimelineKind } from "../incident/types.js";
import { writeTx, type StoreDb } from "./db.js";
import { NotFoundError, StoreValidationError, newId, timelineFromRow } from "./rows.js";
import type { Database, TimelineTable } from "./schema.js";

export interface TimelineInput {
  incidentId: string;
  /** Epoch ms; default now. */
  at?: number;
  kind: TimelineKind;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

export function validateTimeline(e: TimelineInput): void {
  if (!TIMELINE_KINDS_CHECK.has(e.kind))
    throw new StoreValidationError("kind", `unknown timeline kind ${String(e.kind)}`);
  if (typeof e.actor !== "string" || !e.actor)
    throw new StoreValidationError("actor", "must be a non-empty string");
  if (typeof e.text !== "string") throw new StoreValidationError("text", "must be a string");
  if (e.at !== undefined && (!Number.isInteger(e.at) || e.at < 0))
    throw new StoreValidationError("at", "must be epoch milliseconds");
}

/** The row of a new entry (its id drawn now). */
export function timelineRow(e: TimelineInput): TimelineTable {
  return {
    id: newId("tl"),
    incident_id: e.incidentId,
    at: e.at ?? Date.now(),
    kind: e.kind,
    actor: e.actor,
    text: e.text,
    data: e.data === undefined ? null : JSON.stringify(e.data),
  };
}

/** Appends inside an open transaction. */
export async function appendTimelineIn(trx: Kysely<Database>, e: TimelineInput): Promise<TimelineEntry> {
  const row = timelineRow(e);
  await trx.insertInto("timeline").values(row).execute();
  return timelineFromRow(row);
}

/** Appends one entry to an existing incident's timeline. */
export async function appendTimeline(store: StoreDb, e: TimelineInput): Promise<TimelineEntry> {
  validateTimeline(e);
  return writeTx(store, async (trx) => {
    const found = await trx
      .selectFrom("incidents")
      .select("id")
      .where("id", "=", e.incidentId)
      .executeTakeFirst();
    if (!found) throw new NotFoundError("incident", e.incidentId);
    return appendTimelineIn(trx, e);
  });
}

/** The incident's timeline, oldest first. */
export async function listTimeline(store: StoreDb, incidentId: string): Promise<TimelineEntry[]> {
  const rows = await store.db
    .selectFrom("timeline")
    .selectAll()
    .where("incident_id", "=", incidentId)
    .orderBy("at")
    .orderBy("id")
    .execute();
  return rows.map(timelineFromRow);
}

/**
 * Escalation timers: rows with a due time, so they survive restarts. A due timer is claimed
 * atomically before it fires, so with several replicas on one PostgreSQL only one fires it:
 * PostgreSQL picks the row with SELECT ... FOR UPDATE SKIP LOCKED and marks it in the same
 * UPDATE; SQLite's single writer makes UPDATE ... WHERE claimed_by IS NULL ... RETURNING
 * atomic. A claim older than the lease (the claimer died before firing) may be taken again.
 */
import type { Kysely } from "kysely";
import type { StoreDb } from "./db.js";
import { newId } from "./rows.js";
import type { Database, EscalationTimersTable } from "./schema.js";

export interface EscalationTimer {
  id: string;
  incidentId: string;
  level: number;
  dueAt: number;
  createdAt: number;
  claimedBy?: string;
  claimedAt?: number;
  firedAt?: number;
  cancelledAt?: number;
}

function fromRow(r: EscalationTimersTable): EscalationTimer {
  const t: EscalationTimer = {
    id: r.id,
    incidentId: r.incident_id,
    level: r.level,
    dueAt: r.due_at,
    createdAt: r.created_at,
  };
  if (r.claimed_by !== null) t.claimedBy = r.claimed_by;
  if (r.claimed_at !== null) t.claimedAt = r.claimed_at;
  if (r.fired_at !== null) t.firedAt = r.fired_at;
  if (r.cancelled_at !== null) t.cancelledAt = r.cancelled_at;
  return t;
}

export async function scheduleTimer(
  store: StoreDb,
  t: { incidentId: string; level: number; dueAt: number; now?: number },
): Promise<EscalationTimer> {
  const row: EscalationTimersTable = {
    id: newId("tmr"),
    incident_id: t.incidentId,
    level: t.level,
    due_at: t.dueAt,
    created_at: t.now ?? Date.now(),
    claimed_by: null,
    claimed_at: null,
    fired_at: null,
    cancelled_at: null,
  };
  await store.db.insertInto("escalation_timers").values(row).execute();
  return fromRow(row);
}

export async function cancelTimersIn(db: Kysely<Database>, incidentId: string, now: number): Promise<number> {
  const r = await db
    .updateTable("escalation_timers")
    .set({ cancelled_at: now })
    .where("incident_id", "=", incidentId)
    .where("fired_at", "is", null)
    .where("cancelled_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Cancels the incident's pending timers (acknowledged or resolved); returns how many. */
export function cancelTimers(store: StoreDb, incidentId: string, now = Date.now()): Promise<number> {
  return cancelTimersIn(store.db, incidentId, now);
}

/** Pending timers due at `now`, earliest first (for display; firing goes through claimDueTimer). */
export async function dueTimers(store: StoreDb, now = Date.now(), limit = 100): Promise<EscalationTimer[]> {
  const rows = await store.db
    .selectFrom("escalation_timers")
    .selectAll()
    .where("fired_at", "is", null)
    .where("cancelled_at", "is", null)
    .where("due_at", "<=", now)
    .orderBy("due_at")
    .limit(limit)
    .execute();
  return rows.map(fromRow);
}

export interface ClaimOptions {
  now?: number;
  /** A claim older than this may be taken over (its claimer died). Default 60 s. */
  leaseMs?: number;
}

/** Claims one due timer for `claimer`, or returns undefined when none is due and free. */
export async function claimDueTimer(
  store: StoreDb,
  claimer: string,
  options: ClaimOptions = {},
): Promise<EscalationTimer | undefined> {
  const now = options.now ?? Date.now();
  const staleBefore = now - (options.leaseMs ?? 60_000);
  const db = store.db;
  const candidate = db
    .selectFrom("escalation_timers")
    .select("id")
    .where("fired_at", "is", null)
    .where("cancelled_at", "is", null)
    .where("due_at", "<=", now)
    .where((eb) => eb.or([eb("claimed_by", "is", null), eb("claimed_at", "<", staleBefore)]))
    .orderBy("due_at")
    .limit(1);
  const row = await db
    .updateTable("escalation_timers")
    .set({ claimed_by: claimer, claimed_at: now })
    .where("id", "=", store.dialect === "postgres" ? candidate.forUpdate().skipLocked() : candidate)
    .where("fired_at", "is", null)
    .where("cancelled_at", "is", null)
    .where((eb) => eb.or([eb("claimed_by", "is", null), eb("claimed_at", "<", staleBefore)]))
    .returningAll()
    .executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Records that the claimer fired the timer; false when it no longer holds the claim. */
export async function markTimerFired(
  store: StoreDb,
  id: string,
  claimer: string,
  now = Date.now(),
): Promise<boolean> {
  const r = await store.db
    .updateTable("escalation_timers")
    .set({ fired_at: now })
    .where("id", "=", id)
    .where("claimed_by", "=", claimer)
    .where("fired_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Timers of one incident, oldest first. */
export async function listTimers(store: StoreDb, incidentId: string): Promise<EscalationTimer[]> {
  const rows = await store.db
    .selectFrom("escalation_timers")
    .selectAll()
    .where("incident_id", "=", incidentId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(fromRow);
}

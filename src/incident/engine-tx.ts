/**
 * The lifecycle engine's writes, each ONE store transaction so that a crash leaves either the
 * whole step or none of it: the incident's escalation fields, its timeline entries, the next
 * timer, the outbox rows, and the fired mark of the timer that caused it. Guarded by the
 * incident's state as read (status, escalation level), so two replicas (or the intake and the
 * recovery sweep) racing on one incident apply a step once; the loser's transaction rolls back.
 */
import type { Kysely } from "kysely";
import { writeTx } from "../store/db.js";
import type { StoreDb } from "../store/db.js";
import { enqueueNotification } from "../store/outbox.js";
import { incidentFromRow } from "../store/rows.js";
import type { Database, IncidentsTable } from "../store/schema.js";
import type { Store } from "../store/index.js";
import { appendTimelineIn } from "../store/timeline.js";
import { scheduleTimer } from "../store/timers.js";
import type { Incident, TimelineKind } from "./types.js";

/** Thrown inside a transaction to roll it back: someone else applied the step first. */
export class StaleStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StaleStepError";
  }
}

export interface StepWrite {
  /** The incident must still be in this state, or nothing is written. */
  expect: { status: "triggered"; escalationLevel: number; dueAtNull?: boolean };
  set: {
    escalationLevel?: number;
    escalationDueAt?: number | null;
    commander?: string;
    warRoom?: string;
  };
  timeline: { kind: TimelineKind; text: string; data?: Record<string, unknown> }[];
  /** Outbox rows; `payload` receives the incident as it is after the update. */
  notifications: { target: string; event: string; payload: (incident: Incident) => unknown }[];
  timer?: { level: number; dueAt: number };
  /** The claimed timer this step fires; the step fails if the claim was lost. */
  fires?: { id: string; claimer: string };
}

function txStore(store: Store, trx: Kysely<Database>): StoreDb {
  return { db: trx, dialect: store.dialect, close: async () => undefined };
}

/** Applies a step; returns the incident after it, or undefined when the guard did not hold. */
export async function applyStep(
  store: Store,
  incidentId: string,
  step: StepWrite,
  actor: string,
  now: number,
): Promise<Incident | undefined> {
  try {
    return await writeTx(store.raw, async (trx) => {
      const set: Partial<IncidentsTable> = { updated_at: now };
      if (step.set.escalationLevel !== undefined) set.escalation_level = step.set.escalationLevel;
      if (step.set.escalationDueAt !== undefined) set.escalation_due_at = step.set.escalationDueAt;
      if (step.set.commander !== undefined) set.commander = step.set.commander;
      if (step.set.warRoom !== undefined) set.war_room = step.set.warRoom;
      let q = trx
        .updateTable("incidents")
        .set(set)
        .where("id", "=", incidentId)
        .where("status", "=", step.expect.status)
        .where("escalation_level", "=", step.expect.escalationLevel);
      if (step.expect.dueAtNull) q = q.where("escalation_due_at", "is", null);
      const updated = await q.returningAll().executeTakeFirst();
      if (!updated) throw new StaleStepError(`incident ${incidentId} changed meanwhile`);
      const incident = incidentFromRow(updated);
      if (step.fires) {
        const r = await trx
          .updateTable("escalation_timers")
          .set({ fired_at: now })
          .where("id", "=", step.fires.id)
          .where("claimed_by", "=", step.fires.claimer)
          .where("fired_at", "is", null)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) throw new StaleStepError(`timer ${step.fires.id}: claim lost`);
      }
      for (const e of step.timeline) await appendTimelineIn(trx, { incidentId, at: now, actor, ...e });
      const tx = txStore(store, trx);
      for (const n of step.notifications)
        await enqueueNotification(
          tx,
          { incidentId, target: n.target, event: n.event, payload: n.payload(incident) },
          now,
        );
      if (step.timer)
        await scheduleTimer(tx, { incidentId, level: step.timer.level, dueAt: step.timer.dueAt, now });
      return incident;
    });
  } catch (err) {
    if (err instanceof StaleStepError) return undefined;
    throw err;
  }
}

/** Enqueues notifications (and optional timeline entries) for an incident in one transaction. */
export async function enqueueAll(
  store: Store,
  incidentId: string,
  rows: { target: string; event: string; payload: unknown }[],
  timeline: { kind: TimelineKind; text: string; data?: Record<string, unknown> }[],
  by: { actor: string; now: number },
): Promise<void> {
  const { actor, now } = by;
  if (rows.length === 0 && timeline.length === 0) return;
  await writeTx(store.raw, async (trx) => {
    const tx = txStore(store, trx);
    for (const r of rows) await enqueueNotification(tx, { incidentId, ...r }, now);
    for (const e of timeline) await appendTimelineIn(trx, { incidentId, at: now, actor, ...e });
  });
}

/** Clears the acknowledgement deadline and cancels pending timers (acknowledged). */
export async function stopEscalation(store: Store, incidentId: string, now: number): Promise<void> {
  await writeTx(store.raw, async (trx) => {
    await trx
      .updateTable("incidents")
      .set({ escalation_due_at: null })
      .where("id", "=", incidentId)
      .where("status", "!=", "triggered")
      .execute();
    await trx
      .updateTable("escalation_timers")
      .set({ cancelled_at: now })
      .where("incident_id", "=", incidentId)
      .where("fired_at", "is", null)
      .where("cancelled_at", "is", null)
      .execute();
  });
}

/** Triggered incidents the engine never set up (the process died between commit and setup). */
export async function unsetIncidents(store: Store, before: number, limit = 50): Promise<Incident[]> {
  const rows = await store.raw.db
    .selectFrom("incidents")
    .selectAll()
    .where("status", "=", "triggered")
    .where("escalation_level", "=", 0)
    .where("escalation_due_at", "is", null)
    .where("created_at", "<=", before)
    .orderBy("created_at")
    .limit(limit)
    .execute();
  return rows.map(incidentFromRow);
}

/**
 * The notification outbox and its dead letters. A notification is enqueued in the same store
 * as the change it announces; a sender claims due rows (one replica each), records success,
 * a retry time, or gives up (the row becomes "dead" and a dead letter keeps the details).
 */
import type { StoreDb } from "./db.js";
import { newId } from "./rows.js";
import type { NotificationsTable } from "./schema.js";

export type NotificationStatus = "pending" | "sent" | "dead";

export interface OutboxNotification {
  id: string;
  incidentId?: string;
  target: string;
  event: string;
  payload: unknown;
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  createdAt: number;
  sentAt?: number;
}

function fromRow(r: NotificationsTable): OutboxNotification {
  const n: OutboxNotification = {
    id: r.id,
    target: r.target,
    event: r.event,
    payload: JSON.parse(r.payload) as unknown,
    status: r.status as NotificationStatus,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  };
  if (r.incident_id !== null) n.incidentId = r.incident_id;
  if (r.last_error !== null) n.lastError = r.last_error;
  if (r.sent_at !== null) n.sentAt = r.sent_at;
  return n;
}

export async function enqueueNotification(
  store: StoreDb,
  n: { incidentId?: string; target: string; event: string; payload: unknown },
  now = Date.now(),
): Promise<OutboxNotification> {
  const row: NotificationsTable = {
    id: newId("ntf"),
    incident_id: n.incidentId ?? null,
    target: n.target,
    event: n.event,
    payload: JSON.stringify(n.payload ?? null),
    status: "pending",
    attempts: 0,
    next_attempt_at: now,
    last_error: null,
    claimed_by: null,
    claimed_at: null,
    created_at: now,
    sent_at: null,
  };
  await store.db.insertInto("notifications").values(row).execute();
  return fromRow(row);
}

/** Claims one due pending notification for `claimer` (one replica each), or undefined. */
export async function claimNotification(
  store: StoreDb,
  claimer: string,
  options: { now?: number; leaseMs?: number } = {},
): Promise<OutboxNotification | undefined> {
  const now = options.now ?? Date.now();
  const staleBefore = now - (options.leaseMs ?? 60_000);
  const free = (q: ReturnType<typeof base>) =>
    q.where((eb) => eb.or([eb("claimed_by", "is", null), eb("claimed_at", "<", staleBefore)]));
  const base = () =>
    store.db
      .selectFrom("notifications")
      .select("id")
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", now);
  const candidate = free(base()).orderBy("next_attempt_at").limit(1);
  const row = await store.db
    .updateTable("notifications")
    .set({ claimed_by: claimer, claimed_at: now })
    .where("id", "=", store.dialect === "postgres" ? candidate.forUpdate().skipLocked() : candidate)
    .where("status", "=", "pending")
    .where((eb) => eb.or([eb("claimed_by", "is", null), eb("claimed_at", "<", staleBefore)]))
    .returningAll()
    .executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Records the outcome of one delivery attempt. */
export async function recordNotificationAttempt(
  store: StoreDb,
  id: string,
  outcome: { ok: true } | { ok: false; error: string; retryAt?: number },
  now = Date.now(),
): Promise<void> {
  const row = await store.db.selectFrom("notifications").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return;
  const attempts = row.attempts + 1;
  if (outcome.ok) {
    await store.db
      .updateTable("notifications")
      .set({ status: "sent", attempts, sent_at: now, claimed_by: null, claimed_at: null, last_error: null })
      .where("id", "=", id)
      .execute();
    return;
  }
  const dead = outcome.retryAt === undefined;
  await store.db
    .updateTable("notifications")
    .set({
      status: dead ? "dead" : "pending",
      attempts,
      last_error: outcome.error,
      next_attempt_at: outcome.retryAt ?? row.next_attempt_at,
      claimed_by: null,
      claimed_at: null,
    })
    .where("id", "=", id)
    .execute();
  if (dead)
    await recordDeadLetter(store, {
      notificationId: id,
      ...(row.incident_id === null ? {} : { incidentId: row.incident_id }),
      target: { name: row.target },
      event: row.event,
      at: now,
      attempts,
      lastError: outcome.error,
      payload: JSON.parse(row.payload) as unknown,
    });
}

/** A delivery day2 gave up on; the whole object is kept as JSON. */
export interface DeadLetterInput {
  notificationId: string;
  incidentId?: string;
  target: { name: string };
  event: string;
  /** When day2 gave up, epoch ms. */
  at: number;
  [key: string]: unknown;
}

export async function recordDeadLetter(store: StoreDb, d: DeadLetterInput): Promise<string> {
  const id = newId("dl");
  await store.db
    .insertInto("dead_letters")
    .values({
      id,
      notification_id: d.notificationId,
      incident_id: d.incidentId ?? null,
      target: d.target.name,
      event: d.event,
      data: JSON.stringify(d),
      at: d.at,
    })
    .execute();
  return id;
}

export async function listDeadLetters(
  store: StoreDb,
  options: { incidentId?: string; limit?: number } = {},
): Promise<DeadLetterInput[]> {
  let q = store.db
    .selectFrom("dead_letters")
    .select("data")
    .orderBy("at", "desc")
    .limit(options.limit ?? 100);
  if (options.incidentId !== undefined) q = q.where("incident_id", "=", options.incidentId);
  const rows = await q.execute();
  return rows.map((r) => JSON.parse(r.data) as DeadLetterInput);
}

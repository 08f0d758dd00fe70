/**
 * The scheduled rhythm reports `day2 serve` sent (migration 0004_rhythm_reports): one row per
 * cadence and scheduled period, written in the same transaction as the report's outbox rows.
 * The primary key is what makes a send happen once: a restart, or a new leader, finds the
 * row and sends nothing; delivery, retries and dead letters are the outbox's (outbox.ts).
 * Not part of the core `Database` type: read through `withTables`, like the collection tables.
 */
import { RHYTHM_EVENT } from "../incident/notify-rhythm.js";
import type { StoreDb, MigrationDb } from "./db.js";
import { writeTx } from "./db.js";
import { enqueueNotification } from "./outbox.js";

interface RhythmReportsTable {
  cadence: string;
  /** The schedule's period in its zone (2026-11-25, 2026-W48, 2026-11, 2026-Q4). */
  period: string;
  scheduled_at: number;
  /** When the report was evaluated and its messages enqueued. */
  sent_at: number;
  /** The collection run it was evaluated on. */
  run_at: number;
  /** JSON: notifier names. */
  targets: string;
  /** JSON: the evaluated report (a RhythmReport document). */
  report: string;
}

export interface RhythmReportRecord {
  cadence: string;
  period: string;
  /** Epoch ms. */
  scheduledAt: number;
  sentAt: number;
  runAt: number;
  targets: string[];
  report: unknown;
}

/** One outbox row per notifier. */
export interface RhythmReportMessage {
  target: string;
  event: string;
  payload: unknown;
}

/** Sent reports are kept this long (the outbox keeps its rows by `retention.notifications`). */
export const RHYTHM_REPORT_RETENTION_MS = 400 * 86_400_000;

export async function createRhythmReportTables(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable("rhythm_reports")
    .addColumn("cadence", "text", (c) => c.notNull())
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("scheduled_at", "bigint", (c) => c.notNull())
    .addColumn("sent_at", "bigint", (c) => c.notNull())
    .addColumn("run_at", "bigint", (c) => c.notNull())
    .addColumn("targets", "text", (c) => c.notNull())
    .addColumn("report", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("rhythm_reports_pk", ["cadence", "period"])
    .execute();
  await db.schema
    .createIndex("rhythm_reports_sent")
    .on("rhythm_reports")
    .columns(["cadence", "scheduled_at"])
    .execute();
}

function tables(db: StoreDb["db"]) {
  return db.withTables<{ rhythm_reports: RhythmReportsTable }>();
}

/** True when the report of this cadence and period is on record (it was sent, or is being delivered). */
export async function rhythmReportSent(store: StoreDb, cadence: string, period: string): Promise<boolean> {
  const r = await tables(store.db)
    .selectFrom("rhythm_reports")
    .select("cadence")
    .where("cadence", "=", cadence)
    .where("period", "=", period)
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * Records the report and enqueues its messages in one transaction; false (and nothing
 * enqueued) when this cadence and period is already on record. Also drops reports older than
 * {@link RHYTHM_REPORT_RETENTION_MS}.
 */
export async function recordRhythmReport(
  store: StoreDb,
  r: RhythmReportRecord,
  messages: readonly RhythmReportMessage[],
): Promise<boolean> {
  return writeTx(store, async (trx) => {
    const inserted = await tables(trx)
      .insertInto("rhythm_reports")
      .values({
        cadence: r.cadence,
        period: r.period,
        scheduled_at: r.scheduledAt,
        sent_at: r.sentAt,
        run_at: r.runAt,
        targets: JSON.stringify(r.targets),
        report: JSON.stringify(r.report ?? null),
      })
      .onConflict((oc) => oc.columns(["cadence", "period"]).doNothing())
      .returning("cadence")
      .executeTakeFirst();
    if (!inserted) return false;
    const tx: StoreDb = { db: trx, dialect: store.dialect, close: async () => undefined };
    for (const m of messages) await enqueueNotification(tx, m, r.sentAt);
    await tables(trx)
      .deleteFrom("rhythm_reports")
      .where("sent_at", "<", r.sentAt - RHYTHM_REPORT_RETENTION_MS)
      .execute();
    return true;
  });
}

/** The latest sent report of a cadence (by scheduled time), or undefined. */
export async function latestRhythmReport(
  store: StoreDb,
  cadence: string,
): Promise<RhythmReportRecord | undefined> {
  const r = await tables(store.db)
    .selectFrom("rhythm_reports")
    .selectAll()
    .where("cadence", "=", cadence)
    .orderBy("scheduled_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return (
    r && {
      cadence: r.cadence,
      period: r.period,
      scheduledAt: Number(r.scheduled_at),
      sentAt: Number(r.sent_at),
      runAt: Number(r.run_at),
      targets: JSON.parse(r.targets) as string[],
      report: JSON.parse(r.report) as unknown,
    }
  );
}

/** One notifier's delivery of a report, from the outbox row queued with it. */
export interface RhythmDelivery {
  target: string;
  /** unknown: the outbox row is gone (pruned by `retention.notifications`). */
  status: "pending" | "sent" | "dead" | "unknown";
  attempts: number;
  lastError?: string;
}

export interface RhythmReportEntry extends RhythmReportRecord {
  deliveries: RhythmDelivery[];
}

/**
 * Sent reports newest first (by scheduled time), of one cadence when given, each with the
 * delivery state of its messages: the outbox rows enqueued with it (same event, same time,
 * the payload naming its cadence and period).
 */
export async function listRhythmReports(
  store: StoreDb,
  filter: { cadence?: string; limit: number },
): Promise<RhythmReportEntry[]> {
  let q = tables(store.db).selectFrom("rhythm_reports").selectAll();
  if (filter.cadence !== undefined) q = q.where("cadence", "=", filter.cadence);
  const rows = await q.orderBy("scheduled_at", "desc").orderBy("cadence").limit(filter.limit).execute();
  if (!rows.length) return [];
  const sentAts = [...new Set(rows.map((r) => Number(r.sent_at)))];
  const messages = await store.db
    .selectFrom("notifications")
    .select(["target", "status", "attempts", "last_error", "created_at", "payload"])
    .where("event", "=", RHYTHM_EVENT)
    .where("incident_id", "is", null)
    .where("created_at", "in", sentAts)
    .execute();
  const byReport = new Map<string, RhythmDelivery[]>();
  for (const m of messages) {
    const p = JSON.parse(m.payload) as {
      cadence?: unknown;
      period?: unknown;
      schedule?: { period?: unknown };
    };
    // The key is the schedule's period (the record's), as the notification id is.
    const key = `${String(p.cadence)}\n${String(p.schedule?.period ?? p.period)}\n${Number(m.created_at)}`;
    const list = byReport.get(key) ?? [];
    list.push({
      target: m.target,
      status: m.status as RhythmDelivery["status"],
      attempts: m.attempts,
      ...(m.last_error !== null ? { lastError: m.last_error } : {}),
    });
    byReport.set(key, list);
  }
  return rows.map((r) => {
    const targets = JSON.parse(r.targets) as string[];
    const found = byReport.get(`${r.cadence}\n${r.period}\n${Number(r.sent_at)}`) ?? [];
    return {
      cadence: r.cadence,
      period: r.period,
      scheduledAt: Number(r.scheduled_at),
      sentAt: Number(r.sent_at),
      runAt: Number(r.run_at),
      targets,
      report: JSON.parse(r.report) as unknown,
      deliveries: targets.map(
        (target) => found.find((d) => d.target === target) ?? { target, status: "unknown", attempts: 0 },
      ),
    };
  });
}

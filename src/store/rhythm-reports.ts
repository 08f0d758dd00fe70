/**
 * The scheduled rhythm reports `day2 serve` sent (migration 0004_rhythm_reports): one row per
 * cadence and scheduled period, written in the same transaction as the report's outbox rows.
 * The primary key is what makes a send happen once: a restart, or a new leader, finds the
 * row and sends nothing; delivery, retries and dead letters are the outbox's (outbox.ts).
 * Not part of the core `Database` type: read through `withTables`, like the collection tables.
 */
import type { Kysely } from "kysely";
import type { StoreDb } from "./db.js";
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

// Kysely's schema builder needs `any` databases: migrations run against the schema as it was.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function createRhythmReportTables(db: AnyDb): Promise<void> {
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

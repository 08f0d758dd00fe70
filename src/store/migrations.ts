/**
 * The schema as Kysely migrations defined in code, and how they run safely from several
 * processes at once:
 *
 * - PostgreSQL: a session advisory lock (pg_advisory_lock) on one pooled connection is held
 *   around the whole Migrator run (including Kysely's creation of its own bookkeeping tables,
 *   which Kysely does before its own lock); the migrations themselves run in one transaction.
 * - SQLite: BEGIN IMMEDIATE on the single connection takes the database's write lock before
 *   anything is read; a second process waits (busy_timeout) and then finds nothing to do.
 *
 * Running twice is a no-op: the Migrator records applied migrations in kysely_migration.
 */
import { Migrator, sql, type Migration, type MigrationProvider } from "kysely";
import type { Dialect, StoreDb, MigrationDb } from "./db.js";
import { SNAPSHOT_TABLES } from "./schema.js";
import { createCollectionTables } from "./collections-schema.js";
import { createRhythmReportTables } from "./rhythm-reports.js";

/** Distinct from Kysely's own migration lock id. */
const MIGRATION_LOCK_KEY = 7_250_314_061_927_001n;

/** Incidents in these statuses are open: at most one per group key. */
export const OPEN_STATUSES = ["triggered", "acknowledged", "mitigated"] as const;

async function createCoreTables(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable("incidents")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("priority", "text", (c) => c.notNull())
    .addColumn("priority_overridden", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("group_key", "text", (c) => c.notNull())
    .addColumn("service", "text")
    .addColumn("namespace", "text")
    .addColumn("labels", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("acknowledged_at", "bigint")
    .addColumn("mitigated_at", "bigint")
    .addColumn("resolved_at", "bigint")
    .addColumn("reviewed_at", "bigint")
    .addColumn("assignee", "text")
    .addColumn("commander", "text")
    .addColumn("war_room", "text")
    .addColumn("escalation_due_at", "bigint")
    .addColumn("escalation_level", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("incidents_created_at").on("incidents").columns(["created_at", "id"]).execute();
  await db.schema.createIndex("incidents_status").on("incidents").column("status").execute();
  // One open incident per group key, enforced by the database (both dialects support partial indexes).
  await db.schema
    .createIndex("incidents_open_group")
    .on("incidents")
    .column("group_key")
    .unique()
    .where(sql<boolean>`${sql.raw(`status in (${OPEN_STATUSES.map((s) => `'${s}'`).join(", ")})`)}`)
    .execute();
  await db.schema
    .createIndex("incidents_group_key")
    .on("incidents")
    .columns(["group_key", "resolved_at"])
    .execute();

  await db.schema
    .createTable("alerts")
    .addColumn("fingerprint", "text", (c) => c.primaryKey())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("labels", "text", (c) => c.notNull())
    .addColumn("annotations", "text", (c) => c.notNull())
    .addColumn("starts_at", "bigint", (c) => c.notNull())
    .addColumn("ends_at", "bigint")
    .addColumn("generator_url", "text")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("group_key", "text", (c) => c.notNull())
    .addColumn("incident_id", "text", (c) => c.references("incidents.id"))
    .addColumn("suppressed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("received_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("alerts_incident").on("alerts").column("incident_id").execute();
  await db.schema.createIndex("alerts_group_key").on("alerts").column("group_key").execute();
  await db.schema.createIndex("alerts_received_at").on("alerts").column("received_at").execute();

  await db.schema
    .createTable("timeline")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id"))
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("data", "text")
    .execute();
  await db.schema
    .createIndex("timeline_incident")
    .on("timeline")
    .columns(["incident_id", "at", "id"])
    .execute();

  await db.schema
    .createTable("action_items")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("owner", "text")
    .addColumn("due_at", "bigint")
    .addColumn("runbook", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("closed_at", "bigint")
    .execute();
  await db.schema.createIndex("action_items_incident").on("action_items").column("incident_id").execute();

  await db.schema
    .createTable("reviews")
    .addColumn("incident_id", "text", (c) => c.primaryKey().references("incidents.id"))
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("data", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}

async function createOperationalTables(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable("api_tokens")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("last_used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.references("incidents.id"))
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
    .addColumn("last_error", "text")
    .addColumn("claimed_by", "text")
    .addColumn("claimed_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("sent_at", "bigint")
    .execute();
  await db.schema
    .createIndex("notifications_due")
    .on("notifications")
    .columns(["status", "next_attempt_at"])
    .execute();

  await db.schema
    .createTable("dead_letters")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("notification_id", "text", (c) => c.notNull())
    .addColumn("incident_id", "text", (c) => c.references("incidents.id"))
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("escalation_timers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("incident_id", "text", (c) => c.notNull().references("incidents.id"))
    .addColumn("level", "integer", (c) => c.notNull())
    .addColumn("due_at", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("claimed_by", "text")
    .addColumn("claimed_at", "bigint")
    .addColumn("fired_at", "bigint")
    .addColumn("cancelled_at", "bigint")
    .execute();
  await db.schema
    .createIndex("escalation_timers_due")
    .on("escalation_timers")
    .columns(["fired_at", "due_at"])
    .execute();
  await db.schema
    .createIndex("escalation_timers_incident")
    .on("escalation_timers")
    .column("incident_id")
    .execute();
}

async function createPlanningTables(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable("oncall_schedules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("config", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("oncall_overrides")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("schedule_id", "text", (c) => c.notNull().references("oncall_schedules.id"))
    .addColumn("person", "text", (c) => c.notNull())
    .addColumn("starts_at", "bigint", (c) => c.notNull())
    .addColumn("ends_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("maintenance_windows")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("matchers", "text", (c) => c.notNull())
    .addColumn("starts_at", "bigint", (c) => c.notNull())
    .addColumn("ends_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("silence_id", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  for (const table of SNAPSHOT_TABLES) {
    await db.schema
      .createTable(table)
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex(`${table}_at`).on(table).columns(["scope", "at"]).execute();
  }
  await db.schema
    .createTable("findings_history")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("object_key", "text", (c) => c.notNull())
    .addColumn("first_seen", "bigint", (c) => c.notNull())
    .addColumn("last_seen", "bigint", (c) => c.notNull())
    .addColumn("fixed_at", "bigint")
    .execute();
  await db.schema
    .createIndex("findings_history_key")
    .on("findings_history")
    .columns(["rule", "object_key"])
    .execute();
}

/** The timeline is append-only in the database too: UPDATE raises (triggers are not expressible in Kysely). */
async function timelineAppendOnly(db: MigrationDb, dialect: Dialect): Promise<void> {
  if (dialect === "sqlite") {
    await sql`create trigger timeline_no_update before update on timeline
      begin select raise(abort, 'timeline is append-only'); end`.execute(db);
    return;
  }
  await sql`create function day2_timeline_no_update() returns trigger language plpgsql as $$
      begin raise exception 'timeline is append-only'; end $$`.execute(db);
  await sql`create trigger timeline_no_update before update on timeline
      for each row execute function day2_timeline_no_update()`.execute(db);
}

/**
 * The tables of 0001 that nothing writes since `day2 serve` stores its collections in the
 * collection_* tables (0003). Dropped when empty; a table with rows is kept (never data lost
 * without a word) and named in a note, for the operator to export or drop by hand.
 */
export const LEGACY_TABLES = [
  "kpi_snapshots",
  "scan_snapshots",
  "cost_snapshots",
  "findings_history",
] as const;

async function dropLegacyTables(db: MigrationDb, notes: string[]): Promise<void> {
  for (const table of LEGACY_TABLES) {
    const { n } = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .executeTakeFirstOrThrow();
    if (Number(n) === 0) {
      await db.schema.dropTable(table).execute();
      continue;
    }
    notes.push(
      `store: kept the legacy table ${table} (${Number(n)} rows): day2 no longer reads or prunes it ` +
        `(day2 serve stores collections in collection_runs, collection_kpis, collection_costs and ` +
        `collection_findings); export what you need, then drop it by hand (drop table ${table})`,
    );
  }
}

/**
 * Every migration, in order. Names sort in application order. `notes` collects what a
 * migration has to tell the operator (Store.open logs them).
 */
export function migrations(dialect: Dialect, notes: string[] = []): Record<string, Migration> {
  return {
    "0001_initial": {
      up: async (db) => {
        await createCoreTables(db);
        await createOperationalTables(db);
        await createPlanningTables(db);
        await timelineAppendOnly(db, dialect);
      },
    },
    "0002_rhythm_signoffs": {
      up: async (db) => {
        await db.schema
          .createTable("rhythm_signoffs")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("cadence", "text", (c) => c.notNull())
          .addColumn("item", "text", (c) => c.notNull())
          .addColumn("period", "text", (c) => c.notNull())
          .addColumn("who", "text", (c) => c.notNull())
          .addColumn("at", "bigint", (c) => c.notNull())
          .addColumn("note", "text")
          .execute();
        await db.schema
          .createIndex("rhythm_signoffs_period")
          .on("rhythm_signoffs")
          .columns(["cadence", "period"])
          .execute();
      },
    },
    "0003_collections": { up: (db) => createCollectionTables(db) },
    "0004_rhythm_reports": { up: (db) => createRhythmReportTables(db) },
    // collection_kpis needs no run_id index: its primary key (run_id, kpi) leads with run_id.
    "0005_drop_legacy_snapshots": { up: (db) => dropLegacyTables(db, notes) },
  };
}

function provider(dialect: Dialect, notes?: string[]): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrations(dialect, notes)) };
}

export interface MigrationOutcome {
  /** Names of the migrations this call applied (empty when the schema was current). */
  applied: string[];
  /** What the applied migrations have to tell the operator (e.g. a legacy table kept). */
  notes: string[];
}

/** Brings the schema to the latest migration; safe to call concurrently from several processes. */
export async function migrateToLatest(store: StoreDb): Promise<MigrationOutcome> {
  return store.db.connection().execute(async (conn) => {
    if (store.dialect === "postgres") {
      await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
      try {
        return await run(conn, store.dialect, false);
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
      }
    }
    await sql`begin immediate`.execute(conn);
    try {
      const outcome = await run(conn, store.dialect, true);
      await sql`commit`.execute(conn);
      return outcome;
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}

async function run(
  db: MigrationDb,
  dialect: Dialect,
  disableTransactions: boolean,
): Promise<MigrationOutcome> {
  const notes: string[] = [];
  const migrator = new Migrator({ db, provider: provider(dialect, notes), disableTransactions });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`store migration ${failed ?? ""} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return {
    applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName),
    notes,
  };
}

/** Names of the applied migrations, in order (for /readyz and tests). */
export async function appliedMigrations(store: StoreDb): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: provider(store.dialect) });
  const list = await migrator.getMigrations();
  return list.filter((m) => m.executedAt !== undefined).map((m) => m.name);
}

/** Names of every migration this build knows. */
export function knownMigrations(dialect: Dialect): string[] {
  return Object.keys(migrations(dialect)).sort();
}

/**
 * The tables of `day2 serve`'s continuous collection (migration 0003_collections): one row per
 * collection run, the findings history keyed by rule and object, and per run the 16 KPI values
 * and the cost summary. Not part of the core `Database` type: collections.ts reads them through
 * `withTables`, so the incident store's type stays what it was.
 */
import type { MigrationDb } from "./db.js";

export interface CollectionRunsTable {
  id: string;
  /** Epoch ms the run started. */
  at: number;
  duration_ms: number;
  ok: number;
  error: string | null;
  cluster_name: string | null;
  /** live, snapshot, demo. */
  source: string | null;
  collected_at: number | null;
  score: number | null;
  coverage: number | null;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  /** JSON: what the rhythm checklists read from this run (scan, cost and capacity summaries). */
  context: string | null;
}

export interface CollectionFindingsTable {
  /** rule|kind|namespace|name|container (src/config/baseline.ts findingKey). */
  key: string;
  rule: string;
  severity: string;
  category: string;
  title: string;
  /** "" for cluster-scoped objects. */
  namespace: string;
  kind: string;
  name: string;
  container: string;
  message: string;
  runbook: string;
  first_seen: number;
  last_seen: number;
  fixed_at: number | null;
  /** When it last came back after a fix. */
  reopened_at: number | null;
  reopen_count: number;
}

export interface CollectionKpisTable {
  run_id: string;
  at: number;
  kpi: string;
  value: number | null;
  status: string;
  /** The KpiResult as JSON. */
  payload: string;
}

export interface CollectionCostsTable {
  run_id: string;
  at: number;
  monthly: number;
  /** The CostSnapshot as JSON. */
  payload: string;
}

// A type alias, not an interface: withTables needs an index-compatible record type.
export type CollectionTables = {
  collection_runs: CollectionRunsTable;
  collection_findings: CollectionFindingsTable;
  collection_kpis: CollectionKpisTable;
  collection_costs: CollectionCostsTable;
};

export async function createCollectionTables(db: MigrationDb): Promise<void> {
  await db.schema
    .createTable("collection_runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("duration_ms", "bigint", (c) => c.notNull())
    .addColumn("ok", "integer", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("cluster_name", "text")
    .addColumn("source", "text")
    .addColumn("collected_at", "bigint")
    .addColumn("score", "double precision")
    .addColumn("coverage", "double precision")
    .addColumn("critical", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("high", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("medium", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("low", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("info", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("context", "text")
    .execute();
  await db.schema.createIndex("collection_runs_at").on("collection_runs").columns(["ok", "at"]).execute();

  await db.schema
    .createTable("collection_findings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("namespace", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("container", "text", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("runbook", "text", (c) => c.notNull())
    .addColumn("first_seen", "bigint", (c) => c.notNull())
    .addColumn("last_seen", "bigint", (c) => c.notNull())
    .addColumn("fixed_at", "bigint")
    .addColumn("reopened_at", "bigint")
    .addColumn("reopen_count", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // The fix sweep (fixed_at is null and last_seen < run) and the open/fixed listings.
  await db.schema
    .createIndex("collection_findings_open")
    .on("collection_findings")
    .columns(["fixed_at", "last_seen"])
    .execute();
  await db.schema
    .createIndex("collection_findings_ns")
    .on("collection_findings")
    .columns(["namespace", "rule"])
    .execute();
  await db.schema.createIndex("collection_findings_rule").on("collection_findings").column("rule").execute();

  await db.schema
    .createTable("collection_kpis")
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("kpi", "text", (c) => c.notNull())
    .addColumn("value", "double precision")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("collection_kpis_pk", ["run_id", "kpi"])
    .execute();
  await db.schema.createIndex("collection_kpis_at").on("collection_kpis").columns(["kpi", "at"]).execute();

  await db.schema
    .createTable("collection_costs")
    .addColumn("run_id", "text", (c) => c.primaryKey())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("monthly", "double precision", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("collection_costs_at").on("collection_costs").column("at").execute();
}

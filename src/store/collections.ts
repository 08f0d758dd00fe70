/**
 * What `day2 serve`'s collection loop stores and the dashboard API reads: collection runs
 * (score, coverage, counts by severity, or the error of a failed run), the findings history
 * (first seen, last seen, fixed, reopened), and per run the KPI values and the cost summary.
 *
 * A run is written in ONE transaction with multi-row statements: the findings are upserted in
 * chunks (a real cluster may have 100k+), then one UPDATE marks every open finding the run did
 * not see as fixed. A finding that comes back is reopened on the same row (fixed_at cleared,
 * reopened_at set), so its key and first_seen never change.
 */
import { sql, type Kysely } from "kysely";
import { writeTx, type StoreDb } from "./db.js";
import type { CollectionTables } from "./collections-schema.js";
import type { Database } from "./schema.js";
import { newId } from "./rows.js";

export const FINDING_SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];
export type SeverityCounts = Record<FindingSeverity, number>;

/** One finding as a run saw it. */
export interface FindingInput {
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
}

export interface KpiValueInput {
  id: string;
  value: number | null;
  status: string;
  /** The whole KpiResult, as stored and served back. */
  payload: unknown;
}

export interface CollectionInput {
  /** Epoch ms the run started; later runs must have later times. */
  at: number;
  durationMs: number;
  ok: boolean;
  error?: string;
  cluster?: { name: string; source: string; collectedAt: number };
  score?: number | null;
  coverage?: number | null;
  counts?: SeverityCounts;
  /** Every finding the run reported (a successful run only). */
  findings?: readonly FindingInput[];
  /** Rules the run could not evaluate: their open findings are neither seen again nor fixed. */
  notEvaluated?: readonly string[];
  kpis?: readonly KpiValueInput[];
  cost?: { monthly: number; payload: unknown };
  /** What later readers need from this run beyond the tables (e.g. the rhythm's inputs). */
  context?: unknown;
}

export interface CollectionRun {
  id: string;
  at: number;
  durationMs: number;
  ok: boolean;
  error: string | null;
  cluster: { name: string; source: string; collectedAt: number } | null;
  score: number | null;
  coverage: number | null;
  counts: SeverityCounts;
}

export interface RecordedCollection {
  id: string;
  /** Findings seen for the first time. */
  opened: number;
  /** Findings that were fixed and came back. */
  reopened: number;
  /** Open findings this run did not see. */
  fixed: number;
}

export interface StoredFinding extends FindingInput {
  firstSeen: number;
  lastSeen: number;
  fixedAt: number | null;
  reopenedAt: number | null;
  reopenCount: number;
}

export type FindingStatusFilter = "open" | "fixed" | "all";
export type FindingSortKey = "severity" | "rule" | "namespace" | "firstSeen" | "lastSeen";

export interface FindingQuery {
  status?: FindingStatusFilter;
  severity?: string;
  namespace?: string;
  rule?: string;
  sort?: FindingSortKey;
  order?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

/** Rows per multi-row INSERT: 12 columns x 500 stays far below both dialects' parameter limits. */
const CHUNK = 500;

function tables(db: Kysely<Database>) {
  return db.withTables<CollectionTables>();
}

function zeroCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}

type RunRow = Omit<CollectionTables["collection_runs"], "context">;

// Every column but the context (large, and read only by latestContext).
const RUN_COLUMNS = [
  "id",
  "at",
  "duration_ms",
  "ok",
  "error",
  "cluster_name",
  "source",
  "collected_at",
  "score",
  "coverage",
  "critical",
  "high",
  "medium",
  "low",
  "info",
] as const;

function runOf(r: RunRow): CollectionRun {
  return {
    id: r.id,
    at: Number(r.at),
    durationMs: Number(r.duration_ms),
    ok: Number(r.ok) === 1,
    error: r.error,
    cluster:
      r.cluster_name !== null
        ? { name: r.cluster_name, source: r.source ?? "", collectedAt: Number(r.collected_at ?? 0) }
        : null,
    score: r.score === null ? null : Number(r.score),
    coverage: r.coverage === null ? null : Number(r.coverage),
    counts: {
      critical: Number(r.critical),
      high: Number(r.high),
      medium: Number(r.medium),
      low: Number(r.low),
      info: Number(r.info),
    },
  };
}

/** Stores one run (failed runs: only the run row) in one transaction. */
export async function recordCollection(store: StoreDb, input: CollectionInput): Promise<RecordedCollection> {
  const id = newId("run");
  const counts = input.counts ?? zeroCounts();
  return writeTx(store, async (trx) => {
    const db = tables(trx);
    await db
      .insertInto("collection_runs")
      .values({
        id,
        at: input.at,
        duration_ms: Math.round(input.durationMs),
        ok: input.ok ? 1 : 0,
        error: input.error ?? null,
        cluster_name: input.cluster?.name ?? null,
        source: input.cluster?.source ?? null,
        collected_at: input.cluster?.collectedAt ?? null,
        score: input.score ?? null,
        coverage: input.coverage ?? null,
        ...counts,
        context: input.context === undefined ? null : JSON.stringify(input.context),
      })
      .execute();
    if (!input.ok) return { id, opened: 0, reopened: 0, fixed: 0 };
    const changes = await writeFindings(db, input.at, input.findings ?? [], input.notEvaluated ?? []);
    const kpis = input.kpis ?? [];
    for (let i = 0; i < kpis.length; i += CHUNK)
      await db
        .insertInto("collection_kpis")
        .values(
          kpis.slice(i, i + CHUNK).map((k) => ({
            run_id: id,
            at: input.at,
            kpi: k.id,
            value: k.value !== null && Number.isFinite(k.value) ? k.value : null,
            status: k.status,
            payload: JSON.stringify(k.payload),
          })),
        )
        .execute();
    if (input.cost)
      await db
        .insertInto("collection_costs")
        .values({
          run_id: id,
          at: input.at,
          monthly: input.cost.monthly,
          payload: JSON.stringify(input.cost.payload),
        })
        .execute();
    return { id, ...changes };
  });
}

type Db = ReturnType<typeof tables>;

async function countFindings(db: Db, reopenedAt?: number): Promise<number> {
  let q = db.selectFrom("collection_findings").select((eb) => eb.fn.countAll<number>().as("n"));
  if (reopenedAt !== undefined) q = q.where("reopened_at", "=", reopenedAt);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function writeFindings(
  db: Db,
  at: number,
  findings: readonly FindingInput[],
  notEvaluated: readonly string[],
): Promise<Omit<RecordedCollection, "id">> {
  // One row per key: PostgreSQL refuses an upsert that touches the same row twice.
  const unique = new Map<string, FindingInput>();
  for (const f of findings) if (!unique.has(f.key)) unique.set(f.key, f);
  const rows = [...unique.values()];
  const before = await countFindings(db);
  for (let i = 0; i < rows.length; i += CHUNK)
    await db
      .insertInto("collection_findings")
      .values(
        rows.slice(i, i + CHUNK).map((f) => ({
          ...f,
          first_seen: at,
          last_seen: at,
          fixed_at: null,
          reopened_at: null,
          reopen_count: 0,
        })),
      )
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          severity: (eb) => eb.ref("excluded.severity"),
          category: (eb) => eb.ref("excluded.category"),
          title: (eb) => eb.ref("excluded.title"),
          message: (eb) => eb.ref("excluded.message"),
          runbook: (eb) => eb.ref("excluded.runbook"),
          last_seen: (eb) => eb.ref("excluded.last_seen"),
          // Every right-hand side reads the row as it was before this statement.
          reopened_at: sql<number | null>`case when collection_findings.fixed_at is null
            then collection_findings.reopened_at else excluded.last_seen end`,
          reopen_count: sql<number>`case when collection_findings.fixed_at is null
            then collection_findings.reopen_count else collection_findings.reopen_count + 1 end`,
          fixed_at: null,
        }),
      )
      .execute();
  const after = await countFindings(db);
  const reopened = await countFindings(db, at);
  let fix = db
    .updateTable("collection_findings")
    .set({ fixed_at: at })
    .where("fixed_at", "is", null)
    .where("last_seen", "<", at);
  if (notEvaluated.length) fix = fix.where("rule", "not in", [...notEvaluated]);
  const fixed = await fix.executeTakeFirst();
  return { opened: after - before, reopened, fixed: Number(fixed.numUpdatedRows) };
}

/** The latest run (the latest successful one with okOnly). */
export async function latestRun(store: StoreDb, okOnly = false): Promise<CollectionRun | undefined> {
  let q = tables(store.db).selectFrom("collection_runs").select(RUN_COLUMNS);
  if (okOnly) q = q.where("ok", "=", 1);
  const r = await q.orderBy("at", "desc").orderBy("id", "desc").limit(1).executeTakeFirst();
  return r && runOf(r);
}

/** The context stored with the latest successful run that has one. */
export async function latestContext(store: StoreDb): Promise<{ at: number; context: unknown } | undefined> {
  const r = await tables(store.db)
    .selectFrom("collection_runs")
    .select(["at", "context"])
    .where("ok", "=", 1)
    .where("context", "is not", null)
    .orderBy("at", "desc")
    .limit(1)
    .executeTakeFirst();
  return r && { at: Number(r.at), context: JSON.parse(r.context!) as unknown };
}

/** Runs since a time, oldest first (successful ones only with okOnly). */
export async function listRuns(
  store: StoreDb,
  options: { since?: number; okOnly?: boolean; limit?: number } = {},
): Promise<CollectionRun[]> {
  let q = tables(store.db).selectFrom("collection_runs").select(RUN_COLUMNS);
  if (options.okOnly) q = q.where("ok", "=", 1);
  if (options.since !== undefined) q = q.where("at", ">=", options.since);
  // The newest `limit`, returned oldest first.
  const rows = await q
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(options.limit ?? 10_000)
    .execute();
  return rows.map(runOf).reverse();
}

type FindingRow = CollectionTables["collection_findings"];

function findingOf(r: FindingRow): StoredFinding {
  return {
    key: r.key,
    rule: r.rule,
    severity: r.severity,
    category: r.category,
    title: r.title,
    namespace: r.namespace,
    kind: r.kind,
    name: r.name,
    container: r.container,
    message: r.message,
    runbook: r.runbook,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    fixedAt: r.fixed_at === null ? null : Number(r.fixed_at),
    reopenedAt: r.reopened_at === null ? null : Number(r.reopened_at),
    reopenCount: Number(r.reopen_count),
  };
}

/** critical 5 ... info 1: sorts most severe first with "desc". */
const SEVERITY_RANK = sql<number>`case severity when 'critical' then 5 when 'high' then 4
  when 'medium' then 3 when 'low' then 2 else 1 end`;

function filtered(store: StoreDb, f: FindingQuery) {
  let q = tables(store.db).selectFrom("collection_findings");
  const status = f.status ?? "open";
  if (status === "open") q = q.where("fixed_at", "is", null);
  if (status === "fixed") q = q.where("fixed_at", "is not", null);
  if (f.severity !== undefined) q = q.where("severity", "=", f.severity);
  if (f.namespace !== undefined) q = q.where("namespace", "=", f.namespace);
  if (f.rule !== undefined) q = q.where("rule", "=", f.rule);
  return q;
}

/** A page of the findings history, filtered and sorted, with the total that matched. */
export async function queryFindings(
  store: StoreDb,
  f: FindingQuery = {},
): Promise<{ items: StoredFinding[]; total: number }> {
  const sort = f.sort ?? "severity";
  const order = f.order ?? (sort === "rule" || sort === "namespace" ? "asc" : "desc");
  let q = filtered(store, f).selectAll();
  if (sort === "severity") q = q.orderBy(SEVERITY_RANK, order);
  if (sort === "namespace") q = q.orderBy("namespace", order);
  if (sort === "firstSeen") q = q.orderBy("first_seen", order);
  if (sort === "lastSeen") q = q.orderBy("last_seen", order);
  // Ties (and sort=rule) in a stable order, so pages never overlap.
  q = q
    .orderBy("rule", sort === "rule" ? order : "asc")
    .orderBy("namespace")
    .orderBy("name")
    .orderBy("key");
  const [rows, total] = await Promise.all([
    q
      .limit(f.limit ?? 100)
      .offset(f.offset ?? 0)
      .execute(),
    filtered(store, f)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(findingOf), total: Number(total.n) };
}

/** Findings counted per namespace or rule, by severity; most findings first. */
export async function groupFindings(
  store: StoreDb,
  by: "namespace" | "rule",
  status: FindingStatusFilter = "open",
): Promise<{ key: string; count: number; bySeverity: SeverityCounts }[]> {
  const rows = await filtered(store, { status })
    .select([by, "severity", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy([by, "severity"])
    .execute();
  const groups = new Map<string, { key: string; count: number; bySeverity: SeverityCounts }>();
  for (const r of rows) {
    const key = String(r[by]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, count: 0, bySeverity: zeroCounts() }));
    const n = Number(r.n);
    g.count += n;
    if ((FINDING_SEVERITIES as readonly string[]).includes(r.severity))
      g.bySeverity[r.severity as FindingSeverity] += n;
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
}

export interface KpiPoint {
  at: number;
  kpi: string;
  value: number | null;
  status: string;
}

/** Stored KPI values since a time (of one KPI, when given), oldest first. */
export async function kpiHistory(
  store: StoreDb,
  options: { kpi?: string; since?: number } = {},
): Promise<KpiPoint[]> {
  let q = tables(store.db).selectFrom("collection_kpis").select(["at", "kpi", "value", "status"]);
  if (options.kpi !== undefined) q = q.where("kpi", "=", options.kpi);
  if (options.since !== undefined) q = q.where("at", ">=", options.since);
  const rows = await q.orderBy("at").orderBy("kpi").execute();
  return rows.map((r) => ({
    at: Number(r.at),
    kpi: r.kpi,
    value: r.value === null ? null : Number(r.value),
    status: r.status,
  }));
}

const DAY_MS = 86_400_000;

/**
 * One point per UTC day since a time: the KPI values of each day's last run that stored KPIs,
 * oldest first (the dashboard's sparklines: a day's noise does not crowd out the month).
 */
export async function dailyKpiPoints(store: StoreDb, since: number): Promise<KpiPoint[]> {
  const db = tables(store.db);
  const lastOfDay = db
    .selectFrom("collection_kpis")
    .select(sql<number>`max(at)`.as("at"))
    .where("at", ">=", since)
    .groupBy(sql`at / ${sql.lit(DAY_MS)}`);
  const rows = await db
    .selectFrom("collection_kpis")
    .select(["at", "kpi", "value", "status"])
    .where("at", "in", lastOfDay)
    .orderBy("at")
    .orderBy("kpi")
    .execute();
  return rows.map((r) => ({
    at: Number(r.at),
    kpi: r.kpi,
    value: r.value === null ? null : Number(r.value),
    status: r.status,
  }));
}

/**
 * The stored KPI values (id -> value) of the run closest in time to `target`, among the runs at
 * or before `notAfter` that stored KPIs (ties: the earlier run); undefined when there is none.
 * A trend "over the window" compares with the values closest to one window back.
 */
export async function kpiValuesNear(
  store: StoreDb,
  target: number,
  notAfter: number = target,
): Promise<{ at: number; values: Record<string, number | null> } | undefined> {
  const db = tables(store.db);
  const before = await db
    .selectFrom("collection_kpis")
    .select("at")
    .where("at", "<=", Math.min(target, notAfter))
    .orderBy("at", "desc")
    .limit(1)
    .executeTakeFirst();
  const after =
    notAfter > target
      ? await db
          .selectFrom("collection_kpis")
          .select("at")
          .where("at", ">", target)
          .where("at", "<=", notAfter)
          .orderBy("at")
          .limit(1)
          .executeTakeFirst()
      : undefined;
  const candidates = [before, after].filter((r) => r !== undefined).map((r) => Number(r.at));
  if (!candidates.length) return undefined;
  const at = candidates.reduce((best, t) => (Math.abs(t - target) < Math.abs(best - target) ? t : best));
  const rows = await db.selectFrom("collection_kpis").select(["kpi", "value"]).where("at", "=", at).execute();
  const values: Record<string, number | null> = {};
  for (const r of rows) values[r.kpi] = r.value === null ? null : Number(r.value);
  return { at, values };
}

/**
 * The KPI results (as stored: KpiResult JSON) of the latest successful run, with its time. Two
 * indexed lookups: the run from collection_runs (ok, at), then its rows by the primary key
 * (run_id, kpi) of collection_kpis; undefined before the first run or when it stored none.
 */
export async function latestKpis(store: StoreDb): Promise<{ at: number; items: unknown[] } | undefined> {
  const db = tables(store.db);
  const last = await db
    .selectFrom("collection_runs")
    .select(["id", "at"])
    .where("ok", "=", 1)
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!last) return undefined;
  const rows = await db
    .selectFrom("collection_kpis")
    .select(["payload"])
    .where("run_id", "=", last.id)
    .execute();
  if (!rows.length) return undefined;
  return { at: Number(last.at), items: rows.map((r) => JSON.parse(r.payload) as unknown) };
}

/** The latest cost summary (as stored) and its time. */
export async function latestCost(store: StoreDb): Promise<{ at: number; payload: unknown } | undefined> {
  const r = await tables(store.db)
    .selectFrom("collection_costs")
    .select(["at", "payload"])
    .orderBy("at", "desc")
    .limit(1)
    .executeTakeFirst();
  return r && { at: Number(r.at), payload: JSON.parse(r.payload) as unknown };
}

/** Monthly cost per stored run since a time, oldest first. */
export async function costHistory(store: StoreDb, since = 0): Promise<{ at: number; monthly: number }[]> {
  const rows = await tables(store.db)
    .selectFrom("collection_costs")
    .select(["at", "monthly"])
    .where("at", ">=", since)
    .orderBy("at")
    .execute();
  return rows.map((r) => ({ at: Number(r.at), monthly: Number(r.monthly) }));
}

/**
 * Ages in ms; a part without an age is kept. day2.yaml's `incidents.retention` sets them
 * (src/store/retention.ts collectionRetention): scanSnapshots -> runs, kpiSnapshots -> kpis,
 * costSnapshots -> costs, findings -> fixedFindings.
 */
export interface CollectionRetention {
  /** Runs (score, coverage, counts, context) with their KPI values and cost summaries. */
  runs?: number;
  /** KPI values (collection_kpis), also when their run is kept. */
  kpis?: number;
  /** Cost summaries (collection_costs), also when their run is kept. */
  costs?: number;
  /** Fixed findings (fixed_at older than the age); open ones are never pruned. */
  fixedFindings?: number;
}

export const DEFAULT_COLLECTION_RETENTION: Required<CollectionRetention> = {
  runs: 400 * 86_400_000,
  kpis: 400 * 86_400_000,
  costs: 400 * 86_400_000,
  fixedFindings: 90 * 86_400_000,
};

export interface CollectionPruneCounts {
  runs: number;
  kpis: number;
  costs: number;
  findings: number;
}

/**
 * Prunes by age inside the caller's transaction (src/store/retention.ts runs it with the rest
 * of the store's retention); the latest successful run and its rows are always kept.
 */
export async function pruneCollectionTables(
  trx: Kysely<Database>,
  policy: CollectionRetention,
  now: number,
): Promise<CollectionPruneCounts> {
  const db = tables(trx);
  const counts: CollectionPruneCounts = { runs: 0, kpis: 0, costs: 0, findings: 0 };
  const keep = await db
    .selectFrom("collection_runs")
    .select("id")
    .where("ok", "=", 1)
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const deleted = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  if (policy.runs !== undefined) {
    const cutoff = now - policy.runs;
    const old = db.selectFrom("collection_runs").select("id").where("at", "<", cutoff);
    const notKept = keep ? old.where("id", "!=", keep.id) : old;
    counts.kpis += deleted(
      await db.deleteFrom("collection_kpis").where("run_id", "in", notKept).executeTakeFirstOrThrow(),
    );
    counts.costs += deleted(
      await db.deleteFrom("collection_costs").where("run_id", "in", notKept).executeTakeFirstOrThrow(),
    );
    let del = db.deleteFrom("collection_runs").where("at", "<", cutoff);
    if (keep) del = del.where("id", "!=", keep.id);
    counts.runs = deleted(await del.executeTakeFirstOrThrow());
  }
  for (const [table, age, key] of [
    ["collection_kpis", policy.kpis, "kpis"],
    ["collection_costs", policy.costs, "costs"],
  ] as const) {
    if (age === undefined) continue;
    let del = db.deleteFrom(table).where("at", "<", now - age);
    if (keep) del = del.where("run_id", "!=", keep.id);
    counts[key] += deleted(await del.executeTakeFirstOrThrow());
  }
  if (policy.fixedFindings !== undefined)
    counts.findings = deleted(
      await db
        .deleteFrom("collection_findings")
        .where("fixed_at", "<", now - policy.fixedFindings)
        .executeTakeFirstOrThrow(),
    );
  return counts;
}

/** Prunes by age, in one transaction; the latest successful run is always kept. */
export async function pruneCollections(
  store: StoreDb,
  policy: CollectionRetention,
  now = Date.now(),
): Promise<{ runs: number; findings: number }> {
  const { runs, findings } = await writeTx(store, (trx) => pruneCollectionTables(trx, policy, now));
  return { runs, findings };
}

/** A finding that changed within a period (first seen, fixed or reopened in it). */
export interface FindingChange {
  key: string;
  rule: string;
  severity: string;
  category: string;
  firstSeen: number;
  fixedAt: number | null;
  reopenedAt: number | null;
}

/**
 * The findings first seen, fixed or (last) reopened in [from, to), for the monthly review's
 * policy changes. A finding fixed and then reopened in the period shows as reopened only: the
 * row keeps one fixed_at, cleared by the reopen.
 */
export async function findingChanges(store: StoreDb, from: number, to: number): Promise<FindingChange[]> {
  const rows = await tables(store.db)
    .selectFrom("collection_findings")
    .select(["key", "rule", "severity", "category", "first_seen", "fixed_at", "reopened_at"])
    .where((eb) =>
      eb.or(
        (["first_seen", "fixed_at", "reopened_at"] as const).map((col) =>
          eb.and([eb(col, ">=", from), eb(col, "<", to)]),
        ),
      ),
    )
    .orderBy("rule")
    .orderBy("key")
    .execute();
  return rows.map((r) => ({
    key: r.key,
    rule: r.rule,
    severity: r.severity,
    category: r.category,
    firstSeen: Number(r.first_seen),
    fixedAt: r.fixed_at === null ? null : Number(r.fixed_at),
    reopenedAt: r.reopened_at === null ? null : Number(r.reopened_at),
  }));
}

/** Rhythm sign-offs (src/store/rhythm.ts's table) newest first, across cadences unless one is given. */
export async function recentSignoffs(
  store: StoreDb,
  filter: { cadence?: string; period?: string; limit: number },
): Promise<
  { id: string; cadence: string; item: string; period: string; who: string; at: number; note?: string }[]
> {
  let q = store.db
    .withTables<{
      rhythm_signoffs: {
        id: string;
        cadence: string;
        item: string;
        period: string;
        who: string;
        at: number;
        note: string | null;
      };
    }>()
    .selectFrom("rhythm_signoffs")
    .selectAll();
  if (filter.cadence !== undefined) q = q.where("cadence", "=", filter.cadence);
  if (filter.period !== undefined) q = q.where("period", "=", filter.period);
  const rows = await q.orderBy("at", "desc").orderBy("id", "desc").limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    cadence: r.cadence,
    item: r.item,
    period: r.period,
    who: r.who,
    at: Number(r.at),
    ...(r.note === null ? {} : { note: r.note }),
  }));
}

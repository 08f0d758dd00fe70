/**
 * `day2 serve --demo`: 30 days of daily collection runs before the first real one, so the
 * dashboard shows trends from its first minute (sparklines, score trend, KPI history, cost
 * history and forecast). Demo data, not real: it is derived from ONE real collection of the
 * demo cluster, whose figures are walked back along deterministic, plausible trends (cost
 * drifting down as right-sizing lands, score improving, a bad rollout month for failed
 * deployments and pod startup), while the incident KPIs are computed from the demo incident
 * history for each day's window. The open findings get first-seen days spread over the 30
 * days and a handful of replaced pods' findings are fixed along the way.
 *
 * Seeded once: only into a store without collection runs, so a second start adds nothing.
 * Everything goes through recordCollection, oldest first, exactly as the collector stores.
 */
import type { CollectionInput, FindingInput, KpiValueInput, SeverityCounts } from "../store/collections.js";
import { latestRun, recordCollection } from "../store/collections.js";
import type { StoreDb } from "../store/db.js";
import { hashParts, suffixFromKey, unit } from "../demo/random.js";
import { evaluate } from "../kpi/engine.js";
import { mtbfKpi, mttrKpi, securityIncidentsKpi, uptimeFromIncidents } from "../kpi/compute/incidents.js";
import type { IncidentHistory } from "../kpi/compute/incidents.js";
import type { KpiDefinition, KpiId, KpiResult, Measurement } from "../kpi/types.js";
import type { Incident } from "../incident/types.js";
import type { CollectSettings, CollectSources } from "./collect.js";
import { collectOnce } from "./collect.js";
import type { CostSnapshot } from "./cost.js";

/** Days of daily runs seeded before the first real one. */
export const DEMO_HISTORY_DAYS = 30;

const DAY_MS = 86_400_000;
/**
 * The seeded runs sit this long after each whole day back from the real run, so all of them
 * (and the real one) fall inside a 30-day window read at once: 31 points, not 30.
 */
const OFFSET_MS = 6 * 3_600_000;

export interface DemoHistoryOptions {
  /** The real run's time (epoch ms); the seeded runs are the `days` days before it. */
  now: number;
  seed: number;
  days?: number;
}

export interface DemoHistoryResult {
  /** False when the store already held collection runs (nothing was written). */
  seeded: boolean;
  /** Runs written, the real one included. */
  runs: number;
  /** Findings first seen after the first seeded run, and findings fixed along the way. */
  findings: { opened: number; fixed: number };
  from: number;
  to: number;
}

/** What the history is derived from: the real run and the incidents around it. */
export interface DemoBasis {
  real: CollectionInput;
  kpis: readonly KpiResult[];
  catalog: readonly KpiDefinition[];
  /** The store's incidents (all of the demo's 90 days), for each day's incident KPIs. */
  incidents?: readonly Incident[];
  /** The KPI window in ms (default 30 days). */
  windowMs?: number;
}

/** Collects the demo cluster once and stores it with `days` of history before it, unless the store has runs. */
export async function seedDemoCollections(
  store: StoreDb,
  sources: CollectSources,
  settings: CollectSettings,
  options: DemoHistoryOptions,
): Promise<DemoHistoryResult> {
  const { now } = options;
  const empty = { seeded: false, runs: 0, findings: { opened: 0, fixed: 0 }, from: now, to: now };
  if (await latestRun(store)) return empty;
  const started = Date.now();
  const collected = await collectOnce(sources, settings, now);
  const durationMs = Date.now() - started;
  const windowMs = (settings.kpiWindowSeconds ?? 30 * 86_400) * 1000;
  const days = options.days ?? DEMO_HISTORY_DAYS;
  const history = await sources.incidents({ from: now - days * DAY_MS - windowMs, to: now });
  const runs = demoHistoryRuns(
    {
      real: { ...collected.input, durationMs },
      kpis: collected.kpis,
      catalog: settings.catalog,
      ...(history ? { incidents: history.incidents } : {}),
      windowMs,
    },
    options,
  );
  // Another replica may have collected meanwhile: then this store is not empty any more.
  if (await latestRun(store)) return empty;
  let opened = 0;
  let fixed = 0;
  for (const [i, run] of runs.entries()) {
    const r = await recordCollection(store, run);
    if (i > 0) opened += r.opened;
    fixed += r.fixed;
  }
  return { seeded: true, runs: runs.length, findings: { opened, fixed }, from: runs[0]!.at, to: now };
}

/**
 * The runs to store, oldest first: `days` seeded daily runs, then the real one (its KPI trends
 * and trend-target statuses now judged against the day before). Pure and deterministic.
 */
export function demoHistoryRuns(basis: DemoBasis, options: DemoHistoryOptions): CollectionInput[] {
  const days = options.days ?? DEMO_HISTORY_DAYS;
  const { real, seed } = { real: basis.real, seed: options.seed };
  const findings = findingPlan(real.findings ?? [], seed, days);
  const out: CollectionInput[] = [];
  let previous: Partial<Record<KpiId, number | null>> = {};
  for (let back = days; back >= 1; back--) {
    const at = options.now - back * DAY_MS + OFFSET_MS;
    const p = (days - back) / days;
    const day = days - back;
    const kpis = evaluate(basis.catalog, dayMeasurements(basis, at, p, seed), previous);
    previous = valuesOf(kpis);
    const seen = findings.filter((f) => f.from <= day && day < f.until).map((f) => f.finding);
    out.push(seededRun(real, { at, p, seed, kpis, findings: seen }));
  }
  const realKpis = evaluate(basis.catalog, measurementsOf(basis.kpis), previous);
  out.push({ ...real, kpis: kpiInputs(realKpis) });
  return out;
}

// ---- findings ---------------------------------------------------------------------------------

interface PlannedFinding {
  finding: FindingInput;
  /** First seeded day (0 = the oldest run) it is seen on. */
  from: number;
  /** First seeded day it is no longer seen (days + 1: still open in the real run). */
  until: number;
}

/** Fixed findings: old pods of a handful of workloads, replaced along the way. */
const FIXED = 8;

function findingPlan(open: readonly FindingInput[], seed: number, days: number): PlannedFinding[] {
  const plan = open.map((f) => ({ finding: f, from: firstSeenDay(f, seed, days), until: days + 1 }));
  const pods = open.filter((f) => f.kind === "Pod" && f.severity !== "info");
  for (const [i, f] of pods.slice(0, FIXED).entries()) {
    const h = hashParts(seed, "fixed", f.key);
    const from = Math.floor(unit(h) * (days / 2));
    const until = Math.min(days, from + 2 + (h % Math.max(1, days - from - 2)));
    const name = oldPodName(f.name, seed, i);
    const key = [f.rule, f.kind, f.namespace, name, f.container].join("|");
    plan.push({ finding: { ...f, key, name, message: f.message.replaceAll(f.name, name) }, from, until });
  }
  return plan;
}

/**
 * Most findings were there before the history starts; newer ones are mostly low-severity
 * drift, and the critical ones are today's (the demo's NotReady node is minutes old).
 */
function firstSeenDay(f: FindingInput, seed: number, days: number): number {
  const u = unit(hashParts(seed, "first-seen", f.key));
  if (f.severity === "critical") return days - (u < 0.5 || f.kind === "Node" ? 0 : 1);
  const newShare = f.severity === "high" ? 0.1 : 0.15;
  if (u >= newShare) return 0;
  return 1 + Math.floor((u / newShare) * days);
}

/** The same workload's pod before a rollout replaced it: another generated suffix. */
function oldPodName(name: string, seed: number, i: number): string {
  const cut = name.lastIndexOf("-");
  const base = cut > 0 ? name.slice(0, cut) : name;
  return `${base}-${suffixFromKey(seed, `${name}#${i}`, 5)}`;
}

function countsOf(findings: readonly FindingInput[]): SeverityCounts {
  const c: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) if (f.severity in c) c[f.severity as keyof SeverityCounts]++;
  return c;
}

// ---- one seeded run -----------------------------------------------------------------------------

interface Day {
  at: number;
  /** Progress through the history: 0 on the oldest day, towards 1 at the real run. */
  p: number;
  seed: number;
  kpis: readonly KpiResult[];
  findings: readonly FindingInput[];
}

/** Deterministic wobble in [-1, 1) for a day and a series. */
function wobble(seed: number, at: number, series: string): number {
  return unit(hashParts(seed, series, Math.floor(at / DAY_MS))) * 2 - 1;
}

function round(n: number, digits = 2): number {
  return Number(n.toFixed(digits));
}

function seededRun(real: CollectionInput, d: Day): CollectionInput {
  const score = real.score ?? null;
  const cost = real.cost ? costOn(real.cost, d) : undefined;
  return {
    at: d.at,
    durationMs: Math.max(200, Math.round(real.durationMs * (1 + 0.2 * wobble(d.seed, d.at, "duration")))),
    ok: true,
    ...(real.cluster
      ? { cluster: { ...real.cluster, collectedAt: real.cluster.collectedAt - (real.at - d.at) } }
      : {}),
    score: score === null ? null : scoreOn(score, d),
    coverage: real.coverage ?? null,
    counts: countsOf(d.findings),
    findings: d.findings,
    ...(real.notEvaluated ? { notEvaluated: real.notEvaluated } : {}),
    kpis: kpiInputs(d.kpis),
    ...(cost ? { cost } : {}),
  };
}

/** About 9 points lower a month ago, climbing as findings were fixed. */
function scoreOn(score: number, d: Day): number {
  const climb = 9 * (1 - d.p) ** 0.8;
  const v = score - climb + 0.6 * wobble(d.seed, d.at, "score");
  return Math.max(0, Math.min(100, round(v, 1)));
}

/** Right-sizing lands in three steps, each taking a share of a 5.5 % higher bill away. */
function costFactor(d: Day): number {
  const landed = [0.3, 0.55, 0.8].filter((step) => d.p >= step).length;
  return 1 + 0.055 * (1 - landed / 3) + 0.003 * wobble(d.seed, d.at, "cost");
}

function costOn(cost: NonNullable<CollectionInput["cost"]>, d: Day): NonNullable<CollectionInput["cost"]> {
  const f = costFactor(d);
  const s = cost.payload as CostSnapshot;
  const monthly = round(cost.monthly * f);
  const payload: CostSnapshot = {
    ...s,
    monthlyTotal: monthly,
    byNamespace: s.byNamespace.map((n) => ({
      ...n,
      monthly: round(n.monthly * f),
      idleMonthly: round(n.idleMonthly * f),
    })),
    byLabel: s.byLabel.map((l) => ({
      ...l,
      rows: l.rows.map((r) => ({ ...r, monthly: round(r.monthly * f) })),
    })),
    idle: { monthly: round(s.idle.monthly * f), pct: s.idle.pct },
    // What right-sizing has saved since was still to be saved then.
    savings: { ...s.savings, monthlyTotal: round(s.savings.monthlyTotal + (monthly - cost.monthly)) },
  };
  return { monthly, payload };
}

// ---- KPIs ---------------------------------------------------------------------------------------

function valuesOf(kpis: readonly KpiResult[]): Partial<Record<KpiId, number | null>> {
  return Object.fromEntries(kpis.map((k) => [k.id, k.value]));
}

function kpiInputs(kpis: readonly KpiResult[]): KpiValueInput[] {
  return kpis.map((k) => ({ id: k.id, value: k.value, status: k.status, payload: k }));
}

function measurementOf(k: KpiResult): Measurement {
  return {
    value: k.value,
    unit: k.unit,
    ...(k.value === null ? { reason: k.reason ?? "no data" } : {}),
    detail: k.detail,
    ...(k.source ? { source: k.source } : {}),
  };
}

function measurementsOf(kpis: readonly KpiResult[]): Record<KpiId, Measurement> {
  return Object.fromEntries(kpis.map((k) => [k.id, measurementOf(k)])) as Record<KpiId, Measurement>;
}

/** sin over [0, 1]: 0 at both ends, 1 in the middle (worse, then better). */
function hump(p: number): number {
  return Math.sin(Math.PI * Math.min(1, Math.max(0, p)));
}

/** How far back from today's value each trended KPI was at progress p (0 a month ago). */
const TRENDS: Partial<Record<KpiId, (v: number, p: number) => number>> = {
  // A bad rollout month: failed rollouts and slow starts peak mid-history, then recover.
  "failed-deployments": (v, p) => v + 2.4 * hump((p - 0.15) / 0.7) ** 2,
  "pod-startup-time": (v, p) => v * (1 + 0.45 * hump((p - 0.1) / 0.75) ** 2),
  // Right-sizing: requests come down, so utilisation and efficiency rise and idle falls.
  "resource-utilization": (v, p) => v - 7 * (1 - p),
  "compute-cost-efficiency": (v, p) => v - 9 * (1 - p),
  "idle-resource-pct": (v, p) => Math.min(100, v + 8 * (1 - p)),
  "storage-cost-per-tb": (v, p) => v * (1 + 0.06 * (1 - p)),
  "critical-cves": (v, p) => v + (p < 0.4 ? 2 : p < 0.75 ? 1 : 0),
  "high-cves": (v, p) => v + Math.round(9 * (1 - p)),
  "compliance-score": (v, p) => Math.max(0, v - (p < 0.3 ? 10 : p < 0.6 ? 5 : 0)),
};

const COUNTS: ReadonlySet<string> = new Set(["critical-cves", "high-cves"]);

function trended(k: KpiResult, p: number, seed: number, at: number): Measurement {
  const trend = TRENDS[k.id];
  if (k.value === null || !trend) return measurementOf(k);
  const v = trend(k.value, p);
  const value = COUNTS.has(k.id)
    ? Math.round(v)
    : round(Math.max(0, v * (1 + 0.01 * wobble(seed, at, k.id))));
  // The real run's detail (its counts and parts) does not describe this day.
  return { value, unit: k.unit, ...(k.source ? { source: k.source } : {}) };
}

/** The incidents as they stood at `t`: created before it, resolved or acknowledged only if by then. */
function asOf(incidents: readonly Incident[], t: number): Incident[] {
  return incidents
    .filter((i) => i.createdAt < t)
    .map((i) => ({
      ...i,
      ...(i.resolvedAt !== undefined && i.resolvedAt > t
        ? { resolvedAt: undefined, status: "triggered" }
        : {}),
      ...(i.acknowledgedAt !== undefined && i.acknowledgedAt > t ? { acknowledgedAt: undefined } : {}),
    })) as Incident[];
}

function dayMeasurements(basis: DemoBasis, at: number, p: number, seed: number): Record<KpiId, Measurement> {
  const m = Object.fromEntries(basis.kpis.map((k) => [k.id, trended(k, p, seed, at)])) as Record<
    KpiId,
    Measurement
  >;
  if (!basis.incidents) return m;
  const h: IncidentHistory = {
    incidents: asOf(basis.incidents, at),
    window: { from: at - (basis.windowMs ?? 30 * DAY_MS), to: at },
    source: "demo incident history",
  };
  const real = new Map(basis.kpis.map((k) => [k.id, k]));
  // Prometheus uptime (when there is one) stays trended; the incident fallback is recomputed.
  if (real.get("uptime")?.source?.startsWith("incident history")) m.uptime = uptimeFromIncidents(h);
  m.mttr = mttrKpi(h);
  m.mtbf = mtbfKpi(h);
  m["security-incidents"] = securityIncidentsKpi(h);
  return m;
}

/** The log line, marked as the incident seeding's is. */
export function demoHistoryLine(r: DemoHistoryResult): string {
  if (!r.seeded) return "demo data (not real): the store already holds collection runs, no history seeded";
  return (
    `demo data (not real): seeded ${r.runs - 1} daily collection runs from ${new Date(r.from).toISOString()} ` +
    `before the first real one (${r.findings.opened} findings first seen along the way, ${r.findings.fixed} fixed)`
  );
}

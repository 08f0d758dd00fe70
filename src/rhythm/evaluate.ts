/**
 * Evaluates a checklist from plain inputs (no clock, no I/O): per item a status, evidence lines
 * and the command that shows more.
 *
 * - ok / attention: an evaluated item whose source answered; attention when the evidence asks
 *   for action (critical findings, open P0/P1 incidents, a pool crossing headroom, ...).
 * - not-available: an evaluated item whose source is absent (no incident store, no scan); it
 *   can still be signed off, and then it is manual-done.
 * - manual-open / manual-done: a manual item without / with a sign-off for the current period.
 * A sign-off on an evaluated item is shown as evidence; the status stays the evaluated one.
 */
import type { Severity } from "../checks/index.js";
import { localDate, zonedTime } from "../incident/policy-time.js";
import type { Cadence, ChecklistItem, ContextId, EvaluatorId } from "./checklists.js";
import { CHECKLISTS, periodOf } from "./checklists.js";

export type ItemStatus = "ok" | "attention" | "manual-open" | "manual-done" | "not-available";

/** How a status reads in every rendering: `day2 rhythm`, the reports, Slack and webhooks. */
export const STATUS_LABELS: Readonly<Record<ItemStatus, string>> = {
  ok: "OK",
  attention: "ATTENTION",
  "manual-open": "TO DO",
  "manual-done": "DONE",
  "not-available": "NO DATA",
};

export interface Signoff {
  cadence: Cadence;
  item: string;
  period: string;
  who: string;
  /** Epoch ms. */
  at: number;
  note?: string;
}

/** What the scanner saw (from `day2 scan`'s report). */
export interface ScanInput {
  score: number | null;
  grade: string | null;
  findingCounts: Record<Severity, number>;
  /** Critical and high findings in the security category. */
  security: { critical: number; high: number };
  cves: { critical: number | null; high: number | null; reason?: string };
  compliance: { percent: number | null; level: string; reason?: string };
}

export interface CostInput {
  /** USD per month at the window's rate. */
  monthly: number;
  idleMonthly: number;
  /** Idle share of the cluster cost, 0-1. */
  idleShare: number;
  window: string;
  /** The costliest namespaces, most first. */
  topNamespaces: { name: string; monthly: number }[];
  quickWins: { count: number; monthly: number; top: { title: string; monthly: number }[] };
  waste: { count: number; monthly: number };
}

export interface CapacityInput {
  headroom: number;
  horizonDays: number;
  /** One line per pool metric that is at or will cross headroom within the horizon. */
  crossings: { pool: string; metric: string; status: "already" | "crosses"; at: string }[];
  pools: number;
}

export interface IncidentLike {
  id: string;
  title: string;
  priority: string;
  status: string;
  createdAt: number;
  acknowledgedAt?: number;
  resolvedAt?: number;
  reviewedAt?: number;
}

export interface ActionItemLike {
  id: string;
  incidentId: string;
  title: string;
  owner?: string;
  dueAt?: number;
  runbook?: string;
}

export interface IncidentInput {
  /** Incidents created since the start of the quarter (or more), newest first. */
  recent: IncidentLike[];
  /** Every incident still open. */
  open: IncidentLike[];
  openActionItems: ActionItemLike[];
}

/** One stored cost summary: the cluster's monthly rate at a collection (src/store/collections.ts). */
export interface CostPoint {
  /** Epoch ms. */
  at: number;
  monthly: number;
}

export interface RhythmInputs {
  now: number;
  /** The zone periods are named in (day2.yaml `rhythm.timeZone`); default UTC. */
  timeZone?: string;
  clusterVersion?: string;
  scan?: ScanInput;
  cost?: CostInput;
  capacity?: CapacityInput;
  /**
   * Stored cost summaries (oldest first, at least {@link COST_TREND_DAYS} days back) when a store
   * is at hand (the server, `day2 rhythm --db`); absent: no trend, only the window's rate.
   */
  costHistory?: readonly CostPoint[];
  /** Either the incident store's data or why there is none. */
  incidents: IncidentInput | { reason: string };
  signoffs: readonly Signoff[];
}

export interface ItemResult {
  id: string;
  cadence: Cadence;
  title: string;
  handbook: string;
  kind: "evaluated" | "manual";
  status: ItemStatus;
  evidence: string[];
  command?: string;
  signoff?: Signoff;
}

export interface RhythmResult {
  cadence: Cadence;
  period: string;
  generatedAt: string;
  items: ItemResult[];
  counts: Record<ItemStatus, number>;
}

type Eval =
  { status: "ok" | "attention"; evidence: string[] } | { status: "not-available"; evidence: string[] };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CRITICAL_PRIORITIES = new Set(["P0", "P1"]);

function usd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function pctText(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function age(ms: number): string {
  if (ms < HOUR) return `${Math.max(0, Math.round(ms / 60_000))}m`;
  if (ms < 2 * DAY) return `${Math.round(ms / HOUR)}h`;
  return `${Math.round(ms / DAY)}d`;
}

function na(reason: string): Eval {
  return { status: "not-available", evidence: [`no data: ${reason}`] };
}

function incidentsOf(i: RhythmInputs): IncidentInput | string {
  return "reason" in i.incidents ? i.incidents.reason : i.incidents;
}

const NO_SCAN = "the scan did not run";
const NO_COST = "no cost model for this source";

/** How far back "Monitor cost trends" compares the monthly cost. */
export const COST_TREND_DAYS = 7;
/**
 * A rise in monthly cost over {@link COST_TREND_DAYS} days beyond this share needs attention. A
 * constant, not a setting: 10% in a week is well past day-to-day noise (usage, autoscaling) yet
 * small enough to catch a runaway workload before the month's bill does.
 */
export const COST_RISE_ATTENTION = 0.1;
/** An idle share above this needs attention (a third of the cluster paid for and unused). */
export const IDLE_SHARE_ATTENTION = 0.3;

/** Where a store's cost history is read from: twice the trend's span, so a missed day still has a baseline. */
export function costHistorySince(now: number): number {
  return now - 2 * COST_TREND_DAYS * DAY;
}

/**
 * The 7-day change: the current rate against the stored one closest to 7 days ago (at least
 * 6.5 days old, so daily summaries taken at another hour still count as a week).
 */
export function costTrend(
  history: readonly CostPoint[],
  now: number,
  monthly: number,
): { change: number; from: CostPoint; days: number } | { reason: string } {
  const target = now - COST_TREND_DAYS * DAY;
  let from: CostPoint | undefined;
  for (const p of history)
    if (p.at <= target + DAY / 2 && (!from || Math.abs(p.at - target) < Math.abs(from.at - target))) from = p;
  if (!from) {
    const first = history[0];
    return {
      reason: first
        ? `no cost stored ${COST_TREND_DAYS} or more days ago (the oldest is from ${new Date(first.at).toISOString().slice(0, 10)})`
        : "no cost summaries stored yet (day2 serve stores one per collection)",
    };
  }
  if (from.monthly <= 0) return { reason: `the stored cost from ${COST_TREND_DAYS} days ago is $0` };
  return { change: (monthly - from.monthly) / from.monthly, from, days: Math.round((now - from.at) / DAY) };
}

function wholeUsd(n: number): string {
  return `$${Math.round(n).toLocaleString("en-US")}`;
}

function signedPct(share: number): string {
  const v = (share * 100).toFixed(1);
  return share > 0 ? `+${v}%` : v === "-0.0" ? "0.0%" : `${v}%`;
}

function costTrendEval(i: RhythmInputs): Eval {
  if (!i.cost) return na(NO_COST);
  const c = i.cost;
  const idle = c.idleShare > IDLE_SHARE_ATTENTION;
  const rate = `monthly cost ${usd(c.monthly)} at the rate of ${c.window}`;
  const rest = [
    `idle ${usd(c.idleMonthly)}/month (${pctText(c.idleShare)} of the cluster)`,
    `waste: ${plural(c.waste.count, "item")}, ${usd(c.waste.monthly)}/month`,
  ];
  if (!i.costHistory)
    return {
      status: idle ? "attention" : "ok",
      evidence: [
        rate,
        ...rest,
        "trend across days needs stored cost snapshots (day2 serve); this is the window's rate",
      ],
    };
  const t = costTrend(i.costHistory, i.now, c.monthly);
  if ("reason" in t)
    return {
      status: idle ? "attention" : "ok",
      evidence: [rate, `${COST_TREND_DAYS}-day trend: no data: ${t.reason}`, ...rest],
    };
  const rising = t.change > COST_RISE_ATTENTION;
  return {
    status: rising || idle ? "attention" : "ok",
    evidence: [
      rate,
      `${COST_TREND_DAYS}-day trend: ${wholeUsd(c.monthly)}/month, ${signedPct(t.change)} over ${plural(t.days, "day")} ` +
        `(${wholeUsd(t.from.monthly)}/month on ${new Date(t.from.at).toISOString().slice(0, 10)})` +
        (rising ? `: a rise above ${Math.round(COST_RISE_ATTENTION * 100)}%` : ""),
      ...rest,
    ],
  };
}

/** The instant the quarter of `now` began in `timeZone` (local midnight of its first day). */
function startOfQuarter(now: number, timeZone = "UTC"): number {
  const d = localDate(now, timeZone);
  return zonedTime({ year: d.year, month: Math.floor((d.month - 1) / 3) * 3 + 1, day: 1 }, 0, timeZone);
}

const EVALUATORS: Readonly<Record<EvaluatorId, (i: RhythmInputs) => Eval>> = {
  "overnight-alerts": (i) => {
    const inc = incidentsOf(i);
    if (typeof inc === "string") return na(inc);
    const since = i.now - DAY;
    const night = inc.recent.filter((x) => x.createdAt >= since);
    const unacked = night.filter((x) => x.acknowledgedAt === undefined && x.resolvedAt === undefined);
    const byPrio = new Map<string, number>();
    for (const x of night) byPrio.set(x.priority, (byPrio.get(x.priority) ?? 0) + 1);
    const prios = [...byPrio].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, n]) => `${n} ${p}`);
    const evidence = [
      `${plural(night.length, "incident")} in the last 24h${prios.length ? ` (${prios.join(", ")})` : ""}`,
      `${unacked.length} not acknowledged`,
      ...unacked.slice(0, 5).map((x) => `${x.id} ${x.priority} ${x.title} (${age(i.now - x.createdAt)} ago)`),
    ];
    return { status: unacked.length ? "attention" : "ok", evidence };
  },
  "cluster-health": (i) => {
    if (!i.scan) return na(NO_SCAN);
    const c = i.scan.findingCounts;
    const score = i.scan.score === null ? "no score" : `score ${i.scan.score.toFixed(1)} (${i.scan.grade})`;
    return {
      status: c.critical > 0 || (i.scan.score !== null && i.scan.score < 80) ? "attention" : "ok",
      evidence: [score, `findings: ${c.critical} critical, ${c.high} high, ${c.medium} medium, ${c.low} low`],
    };
  },
  "cost-trend": costTrendEval,
  "security-scan": (i) => {
    if (!i.scan) return na(NO_SCAN);
    const s = i.scan;
    const cves =
      s.cves.critical === null
        ? `CVEs: no data (${s.cves.reason ?? "unknown"})`
        : `CVEs: ${s.cves.critical} critical, ${s.cves.high} high`;
    return {
      status: s.security.critical > 0 || (s.cves.critical ?? 0) > 0 ? "attention" : "ok",
      evidence: [
        `security findings: ${s.security.critical} critical, ${s.security.high} high`,
        `critical findings in all categories: ${s.findingCounts.critical}`,
        cves,
      ],
    };
  },
  "critical-incidents": (i) => {
    const inc = incidentsOf(i);
    if (typeof inc === "string") return na(inc);
    const crit = inc.open.filter((x) => CRITICAL_PRIORITIES.has(x.priority));
    return {
      status: crit.length ? "attention" : "ok",
      evidence: [
        `${plural(crit.length, "open P0/P1 incident")} (${inc.open.length} open in all)`,
        ...crit
          .slice(0, 5)
          .map((x) => `${x.id} ${x.priority} ${x.status}: ${x.title} (${age(i.now - x.createdAt)} old)`),
      ],
    };
  },
  capacity: (i) => {
    if (!i.capacity) return na("no capacity forecast for this source");
    const c = i.capacity;
    return {
      status: c.crossings.length ? "attention" : "ok",
      evidence: [
        `${plural(c.pools, "pool")}, headroom ${Math.round(c.headroom * 100)}%, horizon ${c.horizonDays}d: ${plural(c.crossings.length, "crossing")}`,
        ...c.crossings
          .slice(0, 5)
          .map(
            (x) =>
              `${x.pool} ${x.metric}: ${x.status === "already" ? "already above headroom" : `crosses ${x.at}`}`,
          ),
      ],
    };
  },
  vulnerabilities: (i) => {
    if (!i.scan) return na(NO_SCAN);
    const s = i.scan;
    const cves =
      s.cves.critical === null
        ? `CVEs: no data (${s.cves.reason ?? "unknown"})`
        : `CVEs to remediate: ${s.cves.critical} critical, ${s.cves.high} high`;
    return {
      status: (s.cves.critical ?? 0) + (s.cves.high ?? 0) + s.security.critical > 0 ? "attention" : "ok",
      evidence: [cves, `security findings to fix: ${s.security.critical} critical, ${s.security.high} high`],
    };
  },
  "cost-optimisation": (i) => {
    if (!i.cost) return na(NO_COST);
    const q = i.cost.quickWins;
    return {
      status: q.monthly >= 100 ? "attention" : "ok",
      evidence: [
        `${plural(q.count, "quick win")} worth ${usd(q.monthly)}/month`,
        ...q.top.slice(0, 3).map((w) => `${usd(w.monthly)}/month: ${w.title}`),
      ],
    };
  },
  "runbook-actions": (i) => {
    const inc = incidentsOf(i);
    if (typeof inc === "string") return na(inc);
    const rb = inc.openActionItems.filter((a) => a.runbook !== undefined);
    const overdue = rb.filter((a) => a.dueAt !== undefined && a.dueAt < i.now);
    return {
      status: overdue.length ? "attention" : "ok",
      evidence: [
        `${plural(rb.length, "open runbook action item")}, ${overdue.length} overdue`,
        ...overdue
          .slice(0, 5)
          .map(
            (a) =>
              `${a.incidentId}: ${a.title}${a.runbook && !a.title.includes(a.runbook) ? ` (${a.runbook})` : ""}${a.owner ? `, ${a.owner}` : ""}`,
          ),
      ],
    };
  },
  "security-audit": (i) => {
    if (!i.scan) return na(NO_SCAN);
    const s = i.scan;
    const comp =
      s.compliance.percent === null
        ? `Pod Security ${s.compliance.level}: no data (${s.compliance.reason ?? "unknown"})`
        : `Pod Security ${s.compliance.level} compliance ${s.compliance.percent.toFixed(1)}%`;
    return {
      status: (s.compliance.percent ?? 100) < 100 || s.security.critical > 0 ? "attention" : "ok",
      evidence: [comp, `security findings: ${s.security.critical} critical, ${s.security.high} high`],
    };
  },
  retrospectives: (i) => {
    const inc = incidentsOf(i);
    if (typeof inc === "string") return na(inc);
    const from = startOfQuarter(i.now, i.timeZone);
    const resolved = inc.recent.filter((x) => x.createdAt >= from && x.resolvedAt !== undefined);
    const major = resolved.filter((x) => CRITICAL_PRIORITIES.has(x.priority));
    const unreviewed = major.filter((x) => x.reviewedAt === undefined);
    const overdue = inc.openActionItems.filter((a) => a.dueAt !== undefined && a.dueAt < i.now);
    return {
      status: unreviewed.length || overdue.length ? "attention" : "ok",
      evidence: [
        `${plural(resolved.length, "incident")} resolved this quarter, ${major.length} P0/P1, ${unreviewed.length} without a review`,
        `${plural(inc.openActionItems.length, "open action item")}, ${overdue.length} overdue`,
        ...unreviewed.slice(0, 5).map((x) => `no review: ${x.id} ${x.priority} ${x.title}`),
      ],
    };
  },
};

const CONTEXTS: Readonly<Record<ContextId, (i: RhythmInputs) => string[]>> = {
  "cost-summary": (i) =>
    i.cost
      ? [
          `monthly cost ${usd(i.cost.monthly)}; idle ${usd(i.cost.idleMonthly)} (${pctText(i.cost.idleShare)})`,
          `top namespaces: ${
            i.cost.topNamespaces
              .slice(0, 3)
              .map((n) => `${n.name} ${usd(n.monthly)}`)
              .join(", ") || "none"
          }`,
          `savings on the table: ${usd(i.cost.quickWins.monthly)}/month (day2 cost quick-wins)`,
        ]
      : [`no data: ${NO_COST}`],
  "cluster-version": (i) => [`cluster version ${i.clusterVersion ?? "unknown"}`],
};

function signoffLine(s: Signoff): string {
  return `signed off by ${s.who} at ${new Date(s.at).toISOString()}${s.note ? `: ${s.note}` : ""}`;
}

export function evaluateItem(item: ChecklistItem, inputs: RhythmInputs, period: string): ItemResult {
  const signoff = inputs.signoffs
    .filter((s) => s.cadence === item.cadence && s.item === item.id && s.period === period)
    .sort((a, b) => b.at - a.at)[0];
  const base = {
    id: item.id,
    cadence: item.cadence,
    title: item.title,
    handbook: item.handbook,
    ...(item.command ? { command: item.command } : {}),
    ...(signoff ? { signoff } : {}),
  };
  if (item.evaluator) {
    const e = EVALUATORS[item.evaluator](inputs);
    const evidence = signoff ? [...e.evidence, signoffLine(signoff)] : e.evidence;
    if (e.status === "not-available" && signoff)
      return { ...base, kind: "evaluated", status: "manual-done", evidence };
    return { ...base, kind: "evaluated", status: e.status, evidence };
  }
  const evidence: string[] = [];
  if (item.missingModule)
    evidence.push(`the ${item.missingModule} module does not exist in day2 yet: manual until it does`);
  if (item.context) evidence.push(...CONTEXTS[item.context](inputs));
  evidence.push(signoff ? signoffLine(signoff) : `not signed off for ${period}`);
  return { ...base, kind: "manual", status: signoff ? "manual-done" : "manual-open", evidence };
}

export function evaluate(cadence: Cadence, inputs: RhythmInputs): RhythmResult {
  const period = periodOf(cadence, inputs.now, inputs.timeZone);
  const items = CHECKLISTS[cadence].map((it) => evaluateItem(it, inputs, period));
  const counts: Record<ItemStatus, number> = {
    ok: 0,
    attention: 0,
    "manual-open": 0,
    "manual-done": 0,
    "not-available": 0,
  };
  for (const r of items) counts[r.status]++;
  return { cadence, period, generatedAt: new Date(inputs.now).toISOString(), items, counts };
}

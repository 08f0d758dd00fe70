/**
 * The rhythm checklists' inputs, built one way for `day2 rhythm` and for `day2 serve` (each
 * collection stores them as the run's context; the scheduled reports read them), so the CLI
 * and the server evaluate a checklist identically: the scan summary from the scanner's report,
 * the cost and capacity summaries from the cost model, and the incidents from the store (or
 * the demo's history).
 */
import type { Report } from "../report/report.js";
import { compliancePercent } from "../score/compliance.js";
import type { AllocationResult } from "../cost/allocation.js";
import { allocate } from "../cost/allocation.js";
import { poolHistories } from "../cost/capacity-history.js";
import { forecastPool } from "../cost/forecast.js";
import type { PriceSheet } from "../cost/pricing.js";
import type { QuickWinsResult } from "../cost/quick-wins.js";
import { quickWins } from "../cost/quick-wins.js";
import type { UsageData } from "../cost/types.js";
import { wasteReport } from "../cost/waste.js";
import { demoIncidentHistory } from "../incident/demo.js";
import { incidentsSince as pagedSince } from "../incident/paging.js";
import type { ActionItem, Incident } from "../incident/types.js";
import type { ClusterState } from "../state/cluster-state.js";
import { OPEN_STATUSES } from "../store/migrations.js";
import type { CapacityInput, CostInput, IncidentInput, ScanInput } from "./evaluate.js";

/** What the checklists read from one cluster reading (stored as a collection run's context). */
export interface RhythmContext {
  source: string;
  clusterVersion?: string;
  scan: ScanInput;
  cost?: CostInput;
  capacity?: CapacityInput;
}

/** The scan summary: score, counts, security findings, CVEs and Pod Security compliance. */
export function scanInput(report: Report): ScanInput {
  const security = { critical: 0, high: 0 };
  for (const f of report.findings)
    if (f.category === "security" && (f.severity === "critical" || f.severity === "high"))
      security[f.severity]++;
  const cluster = report.score!.cluster;
  const v = report.vulnerabilities;
  const c = report.compliance ? compliancePercent(report.compliance) : undefined;
  return {
    score: cluster.score,
    grade: cluster.grade,
    findingCounts: report.findingCounts,
    security,
    cves: {
      critical: v?.critical ?? null,
      high: v?.high ?? null,
      ...(v?.reason ? { reason: v.reason } : {}),
    },
    compliance: {
      percent: c?.percent ?? null,
      level: c?.level ?? "restricted",
      ...(c?.reason ? { reason: c.reason } : c ? {} : { reason: "no compliance report" }),
    },
  };
}

/** The cost model's results the cost summary is made of (a collection keeps them too). */
export interface CostModel {
  allocation: AllocationResult;
  wins: QuickWinsResult;
  waste: { count: number; monthly: number };
  /** The usage when it was observed (not "none"): capacity forecasts need it. */
  observed?: UsageData;
}

/** Runs the cost model once: allocation, waste and the quick wins that fold waste in. */
export function costModel(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData,
  costLabels?: readonly string[],
): CostModel {
  const allocation = allocate(state, sheet, usage, costLabels ? { costLabels } : {});
  const observed = usage.source === "none" ? undefined : usage;
  const waste = wasteReport(state, sheet, observed);
  const wins = quickWins(state, sheet, observed, { waste: waste.items });
  return {
    allocation,
    wins,
    waste: { count: waste.items.length, monthly: waste.monthly },
    ...(observed ? { observed } : {}),
  };
}

/** The cost summary: the window's monthly rate, idle, the costliest namespaces, quick wins, waste. */
export function costInput(m: CostModel): CostInput {
  const a = m.allocation;
  return {
    monthly: a.cluster.monthly,
    idleMonthly: a.idle.monthly,
    idleShare: a.cluster.monthly > 0 ? Math.max(0, a.idle.monthly) / a.cluster.monthly : 0,
    window: `the last ${Math.round(a.window.hours / 24)}d (usage: ${a.usage.source})`,
    topNamespaces: [...a.namespaces]
      .sort((x, y) => y.monthly - x.monthly)
      .map((n) => ({ name: n.name, monthly: n.monthly })),
    quickWins: {
      count: m.wins.wins.length,
      monthly: m.wins.monthly,
      top: [...m.wins.wins]
        .sort((x, y) => y.monthly - x.monthly)
        .map((w) => ({ title: w.title, monthly: w.monthly })),
    },
    waste: m.waste,
  };
}

/** Pools at or crossing 80% headroom within 30 days, from observed usage. */
export function capacityInput(state: ClusterState, usage: UsageData): CapacityInput {
  const headroom = 0.8;
  const horizonDays = 30;
  const h = poolHistories(state, usage.window, { usage });
  const crossings: CapacityInput["crossings"] = [];
  for (const p of h.pools)
    for (const m of forecastPool(p, { headroom, horizonDays }).metrics)
      if (m.crossing.status !== "not-within-horizon")
        crossings.push({
          pool: p.pool,
          metric: m.metric,
          status: m.crossing.status,
          at: m.crossing.at.toISOString().slice(0, 10),
        });
  return { headroom, horizonDays, crossings, pools: h.pools.length };
}

/** The context of one cluster reading: what every checklist evaluates. */
export function rhythmContext(state: ClusterState, report: Report, model?: CostModel): RhythmContext {
  return {
    source: `${state.info.source} (${state.info.sourceDetail})`,
    ...(state.info.version?.gitVersion ? { clusterVersion: state.info.version.gitVersion } : {}),
    scan: scanInput(report),
    ...(model ? { cost: costInput(model) } : {}),
    ...(model?.observed ? { capacity: capacityInput(state, model.observed) } : {}),
  };
}

/**
 * The incidents the checklists read start here: a day before the UTC quarter's start (so a zone
 * ahead of UTC has its quarter's first hours; evaluate counts the quarter in `rhythm.timeZone`),
 * and at least the last 24h.
 */
export function incidentsSince(now: number): number {
  const d = new Date(now);
  const quarter = Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
  return Math.min(now - 86_400_000, quarter - 86_400_000);
}

/** The reads of the incident store the checklists need (the Store class has them). */
export interface IncidentReads {
  listIncidents(
    filter: { status?: Incident["status"][] },
    page: { limit: number; offset: number },
  ): Promise<{ items: Incident[]; total: number }>;
  listOpenActionItems(): Promise<ActionItem[]>;
}

/** Incidents created since {@link incidentsSince} up to `now` (newest first), every open one, open action items. */
export async function storeIncidentInput(store: IncidentReads, now: number): Promise<IncidentInput> {
  const since = incidentsSince(now);
  const recent = (await pagedSince((page) => store.listIncidents({}, page), since)).filter(
    (i) => i.createdAt <= now,
  );
  const open = await pagedSince(
    (page) => store.listIncidents({ status: [...OPEN_STATUSES] }, page),
    -Infinity,
  );
  return { open, recent, openActionItems: await store.listOpenActionItems() };
}

/**
 * The demo cluster's incidents without a store: the demo history (as `day2 serve --demo`
 * seeds it) ending at `now`, so the daily items have overnight alerts to show.
 */
export function demoIncidentInput(seed: number, now: number): IncidentInput {
  const history = demoIncidentHistory({ seed, now });
  const since = incidentsSince(now);
  const open = new Set<string>(OPEN_STATUSES);
  const newest = [...history.incidents].sort((a, b) => b.createdAt - a.createdAt);
  return {
    recent: newest.filter((i) => i.createdAt >= since && i.createdAt <= now),
    open: newest.filter((i) => open.has(i.status)),
    openActionItems: history.actionItems.filter((a) => a.closedAt === undefined),
  };
}

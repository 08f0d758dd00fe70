/**
 * The KPI inputs, built ONE way for `day2 kpi`, `day2 serve`'s collection and `day2 review
 * monthly`: given the cluster state, usage, the cost allocation, the scanner's report (or
 * none), incident history, the Prometheus answers and the KPI window, the typed KpiInputs the
 * engine measures. Pure apart from `queryKpiAnswers`, which runs the Prometheus queries.
 *
 * One window for everything (`kpiWindowSeconds` on the server, `--window` in the CLI): the
 * usage and the cost allocation the caller fetched cover it, the Prometheus queries range over
 * it, and the incident KPIs look at it (ending now: incident history is real time). Cost per
 * request prices the cost over exactly the window the requests were counted in
 * (src/kpi/compute/cost.ts), so a usage window of another length cannot skew it.
 */
import { RULES } from "../checks/index.js";
import type { Day2Config } from "../config/config.js";
import type { AllocationResult } from "../cost/allocation.js";
import type { UsageData } from "../cost/types.js";
import type { Incident } from "../incident/types.js";
import type { PromClient } from "../prom/client.js";
import type { Report } from "../report/report.js";
import { buildScan } from "../report/scan.js";
import { complianceRuleIds, compliancePercent } from "../score/compliance.js";
import type { ComplianceKpi } from "../score/compliance.js";
import { cveSummary } from "../score/vulnerabilities.js";
import type { CveSummary } from "../score/vulnerabilities.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KpiQueries } from "./compute/prometheus.js";
import type { KpiInputs, PromAnswers } from "./engine.js";
import { queryKpis } from "./prom.js";

/** The default KPI window: 30 days. */
export const DEFAULT_KPI_WINDOW_S = 30 * 86_400;

export interface Window {
  from: number;
  to: number;
}

/** The windows one KPI evaluation reads, all `seconds` long. */
export interface KpiWindows {
  seconds: number;
  /** The cluster's window: ends at the state's collection time (pod startup, usage). */
  cluster: Window;
  /** Incident history is real time: its window ends now, whatever the cluster's collection time. */
  incidents: Window;
  /** Incidents created from here on are needed: one started a window early may still be down inside it. */
  incidentsSince: number;
}

export function kpiWindows(state: ClusterState, seconds: number, now: number): KpiWindows {
  const at = state.info.collectedAt > 0 ? state.info.collectedAt : now;
  const ms = seconds * 1000;
  return {
    seconds,
    cluster: { from: at - ms, to: at },
    incidents: { from: now - ms, to: now },
    incidentsSince: now - 2 * ms,
  };
}

/** A Prometheus range for `seconds`: "30d", "12h", "10m", else "Ns". */
export function promRange(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * The KPI queries over `seconds`, evaluated at the usage window's end when there is usage (so
 * the requests counted and the cost allocated describe the same time), else at `at`.
 */
export function queryKpiAnswers(
  prom: PromClient,
  queries: KpiQueries,
  seconds: number,
  at: number,
  usage?: UsageData,
): Promise<PromAnswers> {
  const end = usage && usage.source !== "none" ? usage.window.end.getTime() : at;
  return queryKpis(prom, queries, promRange(seconds), new Date(Math.floor(end)));
}

/** Critical/high CVEs and the compliance score. */
export interface SecurityInputs {
  cves: CveSummary;
  compliance: ComplianceKpi;
}

/**
 * CVEs and compliance the one way: from the scanner's report when there is one; else from a
 * scan of only the Pod Security rules with the same day2.yaml (rule settings and suppressions),
 * which gives the full scan's compliance figure at a fraction of its cost.
 */
export function securityInputs(
  state: ClusterState,
  o: { report?: Pick<Report, "compliance" | "vulnerabilities">; config?: Day2Config; now: number },
): SecurityInputs {
  const cves = o.report?.vulnerabilities ?? cveSummary(state);
  if (o.report?.compliance) return { cves, compliance: compliancePercent(o.report.compliance) };
  const ids = new Set(complianceRuleIds());
  const custom = o.config?.customRules ?? [];
  const rules = [...RULES, ...custom].filter((r) => ids.has(r.id));
  const scan = buildScan(state, { rules, ...(o.config ? { config: o.config } : {}), today: o.now });
  return { cves, compliance: compliancePercent(scan.compliance!) };
}

/** Everything a KPI evaluation is built from; all optional sources may be missing. */
export interface KpiSources {
  state: ClusterState;
  windows: KpiWindows;
  usage?: UsageData;
  allocation?: AllocationResult;
  security: SecurityInputs;
  /**
   * The incidents (any creation time; the KPIs keep those of their window); none: no store.
   * `window` replaces the real-time incident window (the demo's history ends at its cluster's time).
   */
  incidents?: { items: readonly Incident[]; source: string; window?: Window };
  prom?: PromAnswers;
}

/** The engine's inputs from the sources (pure). */
export function kpiInputs(s: KpiSources): KpiInputs {
  return {
    state: s.state,
    window: s.windows.cluster,
    ...(s.usage ? { usage: s.usage } : {}),
    ...(s.allocation ? { allocation: s.allocation } : {}),
    cves: s.security.cves,
    compliance: s.security.compliance,
    ...(s.incidents
      ? {
          incidents: {
            incidents: s.incidents.items,
            window: s.incidents.window ?? s.windows.incidents,
            source: s.incidents.source,
          },
        }
      : {}),
    ...(s.prom ? { prom: s.prom, requestWindowMs: s.windows.seconds * 1000 } : {}),
  };
}

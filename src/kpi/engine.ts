/**
 * The KPI engine: the typed inputs every family needs -> the 16 measurements -> results with
 * target, status and trend. Pure; src/cli/kpi.ts gathers the inputs (state, usage, incident
 * history, Prometheus answers) and src/kpi/prom.ts runs the queries.
 */
import type { AllocationResult } from "../cost/allocation.js";
import type { UsageData } from "../cost/types.js";
import type { ComplianceKpi } from "../score/compliance.js";
import type { CveSummary } from "../score/vulnerabilities.js";
import type { ClusterState } from "../state/cluster-state.js";
import { CATALOG, targetText } from "./catalog.js";
import { failedDeploymentsKpi, podStartupKpi, resourceUtilizationKpi } from "./compute/cluster.js";
import {
  computeEfficiencyKpi,
  costPerRequestKpi,
  idleResourceKpi,
  provisionedBytes,
  storageCostPerTbKpi,
} from "./compute/cost.js";
import type { IncidentHistory } from "./compute/incidents.js";
import {
  mtbfKpi,
  mttrKpi,
  NO_STORE,
  securityIncidentsKpi,
  uptimeFromIncidents,
} from "./compute/incidents.js";
import type { PromValue } from "./compute/prometheus.js";
import {
  apiResponseTimeKpi,
  NO_PROMETHEUS,
  p95LatencyKpi,
  uptimeFromPrometheus,
} from "./compute/prometheus.js";
import { complianceKpi, criticalCvesKpi, highCvesKpi } from "./compute/security.js";
import { lowerBoundStatus, statusOf, trendOf } from "./status.js";
import type { KpiDefinition, KpiId, KpiResult, Measurement } from "./types.js";
import { noData } from "./types.js";

/** The Prometheus answers, one per query; absent entirely without --prometheus. */
export interface PromAnswers {
  errorRatio: PromValue;
  p95Latency: PromValue;
  apiResponseTime: PromValue;
  requests: PromValue;
}

export interface KpiInputs {
  state: ClusterState;
  /** The KPI window, epoch ms [from, to). */
  window: { from: number; to: number };
  usage?: UsageData;
  allocation?: AllocationResult;
  cves: CveSummary;
  compliance: ComplianceKpi;
  incidents?: IncidentHistory;
  prom?: PromAnswers;
  /** The range the Prometheus queries covered (the KPI window), ms: cost per request prices it. */
  requestWindowMs?: number;
}

/**
 * Uptime: Prometheus first; without a Prometheus answer (no --prometheus, no series, a failed
 * query), 1 - P0 outage time / window from incident history, naming why Prometheus gave none.
 */
export function uptimeKpi(inputs: Pick<KpiInputs, "prom" | "incidents">, targetPct: number): Measurement {
  const fromProm = inputs.prom
    ? uptimeFromPrometheus({ errorRatio: inputs.prom.errorRatio, targetPct })
    : undefined;
  if (fromProm && fromProm.value !== null) return fromProm;
  const promWhy = (fromProm?.reason ?? NO_PROMETHEUS).replace(/^no data: /, "");
  if (!inputs.incidents)
    return noData(
      "%",
      `no data: ${promWhy}; ${NO_STORE.replace("no data: ", "")} for the P0-outage fallback`,
    );
  const fallback = uptimeFromIncidents(inputs.incidents);
  if (!fromProm) return fallback;
  if (fallback.value === null)
    return noData(
      "%",
      `no data: ${promWhy}; incident history: ${(fallback.reason ?? "").replace(/^no data: /, "")}`,
    );
  return {
    ...fallback,
    detail: { ...fallback.detail, prometheus: promWhy },
    source: `incident history (P0 outage time): Prometheus had no availability (${promWhy})`,
  };
}

/** The utilisation KPI's range target (60-80 unless day2.yaml sets another range). */
function utilizationRange(catalog: readonly KpiDefinition[]): { min: number; max: number } {
  const t = catalog.find((d) => d.id === "resource-utilization")?.target;
  return t?.kind === "range" ? { min: t.min, max: t.max } : { min: 60, max: 80 };
}

/** The 16 measurements, keyed by id. `catalog` gives the uptime target (the SLO). */
export function measureAll(
  inputs: KpiInputs,
  catalog: readonly KpiDefinition[] = CATALOG,
): Record<KpiId, Measurement> {
  const uptimeTarget = catalog.find((d) => d.id === "uptime")!.target;
  const targetPct = uptimeTarget.kind === "min" ? uptimeTarget.value : 99.95;
  const a = inputs.allocation;
  const noAlloc = (unit: string): Measurement => noData(unit, "no data: no cost allocation");
  return {
    uptime: uptimeKpi(inputs, targetPct),
    mttr: mttrKpi(inputs.incidents),
    mtbf: mtbfKpi(inputs.incidents),
    "failed-deployments": failedDeploymentsKpi(inputs.state),
    "p95-latency": p95LatencyKpi(inputs.prom?.p95Latency),
    "api-response-time": apiResponseTimeKpi(inputs.prom?.apiResponseTime),
    "pod-startup-time": podStartupKpi(inputs.state, inputs.window),
    "resource-utilization": resourceUtilizationKpi(inputs.state, inputs.usage, utilizationRange(catalog)),
    "cost-per-request": costPerRequestKpi(a, inputs.prom?.requests, inputs.requestWindowMs),
    "compute-cost-efficiency": a ? computeEfficiencyKpi(a) : noAlloc("%"),
    "storage-cost-per-tb": a ? storageCostPerTbKpi(a, provisionedBytes(inputs.state)) : noAlloc("$/TB-month"),
    "idle-resource-pct": a ? idleResourceKpi(a) : noAlloc("%"),
    "critical-cves": criticalCvesKpi(inputs.cves),
    "high-cves": highCvesKpi(inputs.cves),
    "security-incidents": securityIncidentsKpi(inputs.incidents),
    "compliance-score": complianceKpi(inputs.compliance),
  };
}

/** Results in catalogue order, with status and trend against `previous` (id -> earlier value). */
export function evaluate(
  catalog: readonly KpiDefinition[],
  measurements: Readonly<Record<KpiId, Measurement>>,
  previous: Readonly<Partial<Record<KpiId, number | null>>> = {},
): KpiResult[] {
  return catalog.map((d) => {
    const m = measurements[d.id];
    const value = m.value !== null && Number.isFinite(m.value) ? m.value : null;
    const trend = trendOf(value, previous[d.id], d.target.kind === "trend" ? d.target.atRisk : undefined);
    const s =
      value !== null && m.detail?.lowerBound === true
        ? lowerBoundStatus(d.target, d.unit, value)
        : statusOf(d.target, d.unit, value, trend);
    return {
      id: d.id,
      name: d.name,
      family: d.family,
      definition: d.definition,
      value,
      unit: d.unit,
      target: d.target,
      targetText: targetText(d.target, d.unit),
      status: s.status,
      reason: value === null ? (m.reason ?? "no data") : (s.reason ?? m.reason ?? null),
      trend,
      sources: d.sources,
      source: m.source ?? null,
      detail: m.detail ?? {},
    };
  });
}

/** id -> value of an earlier `day2 kpi -o json` (for trends); unknown ids are ignored. */
export function previousValues(doc: unknown): Partial<Record<KpiId, number | null>> {
  const rows = Array.isArray(doc) ? doc : [];
  const out: Partial<Record<KpiId, number | null>> = {};
  const ids = new Set<string>(CATALOG.map((d) => d.id));
  for (const r of rows) {
    if (typeof r !== "object" || r === null) continue;
    const { id, value } = r as { id?: unknown; value?: unknown };
    if (typeof id === "string" && ids.has(id)) out[id as KpiId] = typeof value === "number" ? value : null;
  }
  return out;
}

/**
 * The KPI engine's data: the 16 KPIs of the operating handbook (docs: ../shared/design.md),
 * their targets, what a computation returns and what `day2 kpi` shows. Plain data only.
 */

/** The 16 KPI ids, in the handbook's order. */
export const KPI_IDS = [
  "uptime",
  "mttr",
  "mtbf",
  "failed-deployments",
  "p95-latency",
  "api-response-time",
  "pod-startup-time",
  "resource-utilization",
  "cost-per-request",
  "compute-cost-efficiency",
  "storage-cost-per-tb",
  "idle-resource-pct",
  "critical-cves",
  "high-cves",
  "security-incidents",
  "compliance-score",
] as const;

export type KpiId = (typeof KPI_IDS)[number];

export type KpiFamily = "incidents" | "prometheus" | "cluster" | "cost" | "security";

/**
 * A target:
 * - max: value <= `value` (`strict`: value < `value`); lower is better.
 * - min: value >= `value` (`strict`: value > `value`); higher is better.
 * - range: min <= value <= max (utilisation 60-80%).
 * - trend: met when the value moved the right way against the previous one.
 * `atRisk` (absolute, in the KPI's unit) overrides the default at-risk margin (see status.ts).
 */
export type Target =
  | { kind: "max"; value: number; strict?: boolean; atRisk?: number }
  | { kind: "min"; value: number; strict?: boolean; atRisk?: number }
  | { kind: "range"; min: number; max: number; atRisk?: number }
  | { kind: "trend"; direction: "down" | "up"; atRisk?: number };

export interface KpiDefinition {
  readonly id: KpiId;
  readonly name: string;
  readonly family: KpiFamily;
  /** What is measured, and how. */
  readonly definition: string;
  readonly unit: string;
  /** The handbook's default; day2.yaml `kpis.<id>.target` overrides it. */
  readonly target: Target;
  /** Where the value comes from, first choice first. */
  readonly sources: readonly string[];
}

/** What a KPI computation returns: a value, or null and why. */
export interface Measurement {
  readonly value: number | null;
  readonly unit: string;
  /** Why there is no value (always set when value is null), or a note on a value (a lower bound). */
  readonly reason?: string;
  /** The figures behind the value (counts, parts), for -o json and the dashboard. */
  readonly detail?: Readonly<Record<string, number | string | boolean | null>>;
  /** Where this value came from (e.g. "prometheus", "incident history"). */
  readonly source?: string;
}

export type KpiStatus = "met" | "at-risk" | "missed" | "no-data";

export interface Trend {
  readonly previous: number;
  readonly delta: number;
  /** flat: within 1% of the previous value. */
  readonly direction: "up" | "down" | "flat";
}

/** One row of `day2 kpi`. */
export interface KpiResult {
  readonly id: KpiId;
  readonly name: string;
  readonly family: KpiFamily;
  readonly definition: string;
  readonly value: number | null;
  readonly unit: string;
  readonly target: Target;
  /** The target as text: "< 15 min", "60-80 %", "trend down". */
  readonly targetText: string;
  readonly status: KpiStatus;
  /** Why there is no value, or why the status is what it is when that is not obvious. */
  readonly reason: string | null;
  readonly trend: Trend | null;
  readonly sources: readonly string[];
  readonly source: string | null;
  readonly detail: Readonly<Record<string, number | string | boolean | null>>;
}

export function measured(
  value: number,
  unit: string,
  detail?: Measurement["detail"],
  source?: string,
): Measurement {
  return { value, unit, ...(detail ? { detail } : {}), ...(source ? { source } : {}) };
}

export function noData(unit: string, reason: string, detail?: Measurement["detail"]): Measurement {
  return { value: null, unit, reason, ...(detail ? { detail } : {}) };
}

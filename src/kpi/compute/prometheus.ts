/**
 * KPIs from Prometheus: uptime (with its SLO error budget), P95 latency, API response time,
 * and the request count cost per request divides by. Pure: query results in, measurements
 * out; src/kpi/prom.ts runs the queries. Queries are PromQL templates where `$window` is the
 * range (e.g. 30d); the defaults read ingress-nginx and the API server, day2.yaml can replace
 * them. Uptime's burn-rate alerts (the SRE workbook's multi-window, multi-burn-rate set:
 * 14.4x over 1h/5m and 6x over 6h/30m page, 3x over 1d/2h and 1x over 3d/6h open a ticket) are
 * exported as a PrometheusRule by sloRules().
 */
import { stringify } from "yaml";
import type { Measurement } from "../types.js";
import { measured, noData } from "../types.js";

export const NO_PROMETHEUS = "no data: no Prometheus (--prometheus)";

export interface KpiQueries {
  /** The error ratio (bad / all requests) over `$window`; availability is 1 - it. */
  errorRatio: string;
  /** P95 request duration in seconds over `$window`. */
  p95Latency: string;
  /** P95 API request duration in seconds over `$window`. */
  apiResponseTime: string;
  /** Requests in `$window` (a count). */
  requests: string;
}

export const DEFAULT_QUERIES: Readonly<KpiQueries> = Object.freeze({
  // ingress-nginx creates a status series on its first such request: a window without any 5xx
  // has no 5xx series, and without `or vector(0)` a flawless window would read as "no data".
  errorRatio:
    '(sum(rate(nginx_ingress_controller_requests{status=~"5.."}[$window])) or vector(0)) / sum(rate(nginx_ingress_controller_requests[$window]))',
  p95Latency:
    "histogram_quantile(0.95, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket[$window])))",
  apiResponseTime:
    'histogram_quantile(0.95, sum by (le) (rate(apiserver_request_duration_seconds_bucket{verb!~"WATCH|CONNECT"}[$window])))',
  requests: "sum(increase(nginx_ingress_controller_requests[$window]))",
});

/** A query template with its range filled in. */
export function fillWindow(template: string, window: string): string {
  return template.replaceAll("$window", window);
}

/**
 * One scalar query's outcome: a number, an answer with no series (the metric is not there),
 * or a failure. `undefined` where a query result is expected means no Prometheus at all.
 */
export type PromValue =
  | { kind: "value"; value: number; query?: string }
  | { kind: "empty"; query?: string }
  | { kind: "error"; message: string; query?: string };

/** The first sample of an instant query's answer as a PromValue. */
export function promValueOf(samples: readonly { v: number }[], query?: string): PromValue {
  const first = samples.find((s) => Number.isFinite(s.v));
  if (!first) return { kind: "empty", ...(query ? { query } : {}) };
  return { kind: "value", value: first.v, ...(query ? { query } : {}) };
}

function why(v: PromValue & { kind: "empty" | "error" }, what: string): string {
  return v.kind === "error"
    ? `no data: the ${what} query failed: ${v.message}`
    : `no data: the ${what} query returned no series (is the metric scraped?)`;
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export interface UptimeInput {
  /** The error ratio over the window; undefined without Prometheus. */
  errorRatio?: PromValue;
  /** The SLO target in % (the KPI's target). */
  targetPct: number;
}

/**
 * Uptime in % from the error ratio, with the error budget: budget = 100 - target (%), consumed
 * = error ratio / budget, burn rate = the same as a multiple (1 = spending exactly the budget).
 */
export function uptimeFromPrometheus(input: UptimeInput): Measurement {
  const r = input.errorRatio;
  if (!r) return noData("%", NO_PROMETHEUS);
  if (r.kind !== "value") return noData("%", why(r, "availability"));
  if (r.value < 0 || r.value > 1) return noData("%", `no data: the error ratio ${r.value} is not in [0, 1]`);
  const budget = (100 - input.targetPct) / 100;
  const burn = budget > 0 ? r.value / budget : null;
  return measured(
    round((1 - r.value) * 100, 4),
    "%",
    {
      errorBudgetPct: round(budget * 100, 4),
      budgetConsumedPct: burn === null ? null : round(burn * 100, 2),
      budgetRemainingPct: burn === null ? null : round(Math.max(0, 1 - burn) * 100, 2),
      burnRate: burn === null ? null : round(burn, 3),
    },
    "prometheus",
  );
}

/** A latency KPI in ms from a quantile in seconds. */
export function latencyKpi(v: PromValue | undefined, what: string): Measurement {
  if (!v) return noData("ms", NO_PROMETHEUS);
  if (v.kind !== "value") return noData("ms", why(v, what));
  return measured(round(v.value * 1000, 1), "ms", undefined, "prometheus");
}

export const p95LatencyKpi = (v: PromValue | undefined): Measurement => latencyKpi(v, "P95 latency");
export const apiResponseTimeKpi = (v: PromValue | undefined): Measurement =>
  latencyKpi(v, "API response time");

/** The SRE workbook's multi-window, multi-burn-rate alerts. */
export const BURN_RATES = [
  { factor: 14.4, long: "1h", short: "5m", severity: "page", budgetSpent: "2% in 1h" },
  { factor: 6, long: "6h", short: "30m", severity: "page", budgetSpent: "5% in 6h" },
  { factor: 3, long: "1d", short: "2h", severity: "ticket", budgetSpent: "10% in 1d" },
  { factor: 1, long: "3d", short: "6h", severity: "ticket", budgetSpent: "10% in 3d" },
] as const;

export interface SloRuleOptions {
  /** The SLO target in % (default 99.95). */
  targetPct?: number;
  /** The error-ratio template (default ingress-nginx's 5xx share). */
  errorRatio?: string;
  /** The PrometheusRule's name and namespace. */
  name?: string;
  namespace?: string;
  /** Labels on the PrometheusRule (e.g. release: kube-prometheus-stack for its selector). */
  labels?: Record<string, string>;
}

/** A PrometheusRule (monitoring.coreos.com/v1) with recording rules and burn-rate alerts, as YAML. */
export function sloRules(opts: SloRuleOptions = {}): string {
  const target = opts.targetPct ?? 99.95;
  const budget = Number(((100 - target) / 100).toPrecision(6));
  const template = opts.errorRatio ?? DEFAULT_QUERIES.errorRatio;
  const windows = [...new Set(BURN_RATES.flatMap((b) => [b.short, b.long]))];
  const record = (w: string): string => `day2:slo_error_ratio:rate${w}`;
  const recording = windows.map((w) => ({ record: record(w), expr: fillWindow(template, w) }));
  const alerts = BURN_RATES.map((b) => ({
    alert: b.severity === "page" ? "Day2ErrorBudgetBurnFast" : "Day2ErrorBudgetBurnSlow",
    expr: `${record(b.long)} > (${b.factor} * ${budget})\nand\n${record(b.short)} > (${b.factor} * ${budget})`,
    for: b.severity === "page" ? "2m" : "15m",
    labels: { severity: b.severity, slo: "uptime", burn_rate: String(b.factor), long_window: b.long },
    annotations: {
      summary: `Error budget burning at ${b.factor}x over ${b.long} and ${b.short} (${b.budgetSpent} of the 30-day budget)`,
      description: `Availability SLO ${target}%: the error ratio is above ${b.factor} x ${budget} over both the ${b.long} and the ${b.short} window.`,
    },
  }));
  const doc = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: opts.name ?? "day2-slo-uptime",
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      labels: { "app.kubernetes.io/managed-by": "day2", ...opts.labels },
    },
    spec: {
      groups: [
        { name: "day2-slo-uptime.recording", rules: recording },
        { name: "day2-slo-uptime.alerts", rules: alerts },
      ],
    },
  };
  return stringify(doc, { lineWidth: 0 });
}

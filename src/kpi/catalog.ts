/**
 * The KPI catalogue: the handbook's 16 KPIs with their definitions, units, default targets and
 * sources, and the day2.yaml `kpis.<id>.target` overrides.
 *
 * A target override is a string or a number:
 *   "< 10", "<= 10", "> 99.9", ">= 99.9"  max / min (strict with < and >)
 *   "60-80"                               a range
 *   "down", "up" (or "trend down")        a trend
 *   10                                    the default's kind with a new bound
 */
import type { KpiDefinition, KpiId, Target } from "./types.js";
import { KPI_IDS } from "./types.js";

export const CATALOG: readonly KpiDefinition[] = [
  {
    id: "uptime",
    name: "Uptime SLA",
    family: "prometheus",
    definition:
      "availability over the window: good / all requests of the SLO's ratio query (default ingress-nginx non-5xx); without Prometheus, 1 - P0 outage time / window from incident history",
    unit: "%",
    target: { kind: "min", value: 99.95 },
    sources: ["prometheus", "incident history"],
  },
  {
    id: "mttr",
    name: "MTTR",
    family: "incidents",
    definition: "mean(resolved - created) of the incidents created in the window",
    unit: "min",
    target: { kind: "max", value: 15, strict: true },
    sources: ["incident history"],
  },
  {
    id: "mtbf",
    name: "MTBF",
    family: "incidents",
    definition:
      "operating time between P0/P1 failures: (window - P0/P1 downtime) / P0+P1 incidents started in the window",
    unit: "h",
    target: { kind: "min", value: 720, strict: true },
    sources: ["incident history"],
  },
  {
    id: "failed-deployments",
    name: "Failed deployments",
    family: "cluster",
    definition:
      "rollouts that hit ProgressDeadlineExceeded or were rolled back / all rollouts (Deployment revisions and conditions, ReplicaSet revision history)",
    unit: "%",
    target: { kind: "max", value: 2, strict: true },
    sources: ["cluster state"],
  },
  {
    id: "p95-latency",
    name: "P95 latency",
    family: "prometheus",
    definition:
      "histogram_quantile(0.95) of the request-duration histogram over the window (default ingress-nginx)",
    unit: "ms",
    target: { kind: "max", value: 200, strict: true },
    sources: ["prometheus"],
  },
  {
    id: "api-response-time",
    name: "API response time",
    family: "prometheus",
    definition:
      "histogram_quantile(0.95) of the API's request-duration histogram (default: the control plane, apiserver_request_duration_seconds, without WATCH and CONNECT)",
    unit: "ms",
    target: { kind: "max", value: 100, strict: true },
    sources: ["prometheus"],
  },
  {
    id: "pod-startup-time",
    name: "Pod startup time",
    family: "cluster",
    definition: "p95 of Ready transition - creation over the pods created in the window (from the API alone)",
    unit: "s",
    target: { kind: "max", value: 30, strict: true },
    sources: ["cluster state"],
  },
  {
    id: "resource-utilization",
    name: "Resource utilization",
    family: "cluster",
    definition: "mean usage / allocatable over the window, CPU and memory averaged",
    unit: "%",
    target: { kind: "range", min: 60, max: 80 },
    sources: ["prometheus", "metrics-server", "demo usage"],
  },
  {
    id: "cost-per-request",
    name: "Cost per request",
    family: "cost",
    definition: "cluster cost in the window / requests in the window (Prometheus request counter)",
    unit: "$/1M req",
    target: { kind: "trend", direction: "down" },
    sources: ["cost allocation", "prometheus"],
  },
  {
    id: "compute-cost-efficiency",
    name: "Compute cost efficiency",
    family: "cost",
    definition: "cost of used CPU and memory / cost of requested (OpenCost-style efficiency)",
    unit: "%",
    target: { kind: "min", value: 70, strict: true },
    sources: ["cost allocation", "usage"],
  },
  {
    id: "storage-cost-per-tb",
    name: "Storage cost/TB",
    family: "cost",
    definition: "storage spend per month / TB provisioned (PersistentVolumes, else claims)",
    unit: "$/TB-month",
    target: { kind: "trend", direction: "down" },
    sources: ["cost allocation", "cluster state"],
  },
  {
    id: "idle-resource-pct",
    name: "Idle resource %",
    family: "cost",
    definition:
      "allocatable node cost not requested or used by any pod / allocatable node cost (CPU and memory, cost-weighted)",
    unit: "%",
    target: { kind: "max", value: 20, strict: true },
    sources: ["cost allocation"],
  },
  {
    id: "critical-cves",
    name: "Critical CVEs",
    family: "security",
    definition: "distinct critical CVEs in running images (Trivy Operator VulnerabilityReports)",
    unit: "CVEs",
    target: { kind: "max", value: 0 },
    sources: ["trivy operator"],
  },
  {
    id: "high-cves",
    name: "High CVEs",
    family: "security",
    definition: "distinct high CVEs in running images (Trivy Operator VulnerabilityReports)",
    unit: "CVEs",
    target: { kind: "max", value: 5, strict: true },
    sources: ["trivy operator"],
  },
  {
    id: "security-incidents",
    name: "Security incidents",
    family: "incidents",
    definition: "incidents created in the window with the label category=security",
    unit: "incidents",
    target: { kind: "max", value: 0 },
    sources: ["incident history"],
  },
  {
    id: "compliance-score",
    name: "Compliance score",
    family: "security",
    definition: "passed / applicable controls of the Pod Security Standards (restricted, includes baseline)",
    unit: "%",
    target: { kind: "min", value: 100 },
    sources: ["scanner"],
  },
];

const BY_ID = new Map(CATALOG.map((d) => [d.id, d]));

export function definition(id: KpiId): KpiDefinition {
  return BY_ID.get(id)!;
}

export function isKpiId(id: string): id is KpiId {
  return (KPI_IDS as readonly string[]).includes(id);
}

/** Parses a `kpis.<id>.target` override against the default; throws an Error naming the problem. */
export function parseTarget(input: unknown, fallback: Target): Target {
  if (typeof input === "number" && Number.isFinite(input)) {
    if (fallback.kind === "max" || fallback.kind === "min") return { ...fallback, value: input };
    throw new Error(`a number is not a ${fallback.kind} target: use e.g. "60-80", "< 10" or "down"`);
  }
  if (typeof input !== "string") throw new Error(`expected a target like "< 10", "60-80" or "down"`);
  const t = input.trim();
  const trend = /^(?:trend\s+)?(down|up)$/i.exec(t);
  if (trend) return { kind: "trend", direction: trend[1]!.toLowerCase() as "down" | "up" };
  const num = String.raw`(-?\d+(?:\.\d+)?)`;
  const range = new RegExp(`^${num}\\s*(?:-|\\.\\.)\\s*${num}\\s*%?$`).exec(t);
  if (range) {
    const [min, max] = [Number(range[1]), Number(range[2])];
    if (!(min <= max)) throw new Error(`range ${t}: the lower bound is above the upper`);
    return { kind: "range", min, max };
  }
  const cmp = new RegExp(`^(<=|>=|<|>)\\s*${num}\\s*\\S*$`).exec(t);
  if (cmp) {
    const value = Number(cmp[2]);
    const op = cmp[1]!;
    return op.startsWith("<")
      ? { kind: "max", value, strict: op === "<" }
      : { kind: "min", value, strict: op === ">" };
  }
  const bare = new RegExp(`^${num}\\s*\\S*$`).exec(t);
  if (bare) return parseTarget(Number(bare[1]), fallback);
  throw new Error(
    `expected a target like "< 10", ">= 99.9", "60-80" or "down", got ${JSON.stringify(input)}`,
  );
}

/**
 * The catalogue with day2.yaml's `kpis:` section applied: `{ <id>: { target: ... } }`.
 * Throws an Error naming the field for an unknown id or a bad target.
 */
export function resolveCatalog(kpis: unknown): KpiDefinition[] {
  if (kpis === undefined || kpis === null) return [...CATALOG];
  if (typeof kpis !== "object" || Array.isArray(kpis))
    throw new Error("kpis: expected a mapping of KPI id to settings");
  const overrides = new Map<KpiId, Target>();
  for (const [id, settings] of Object.entries(kpis as Record<string, unknown>)) {
    if (id === "queries") continue;
    if (!isKpiId(id)) throw new Error(`kpis.${id}: unknown KPI id (one of ${KPI_IDS.join(", ")})`);
    if (typeof settings !== "object" || settings === null || Array.isArray(settings))
      throw new Error(`kpis.${id}: expected a mapping with target`);
    const keys = Object.keys(settings);
    const extra = keys.filter((k) => k !== "target");
    if (extra.length) throw new Error(`kpis.${id}: unknown field ${JSON.stringify(extra[0])}`);
    if (!("target" in settings)) continue;
    try {
      overrides.set(id, parseTarget((settings as { target: unknown }).target, definition(id).target));
    } catch (e) {
      throw new Error(`kpis.${id}.target: ${(e as Error).message}`, { cause: e });
    }
  }
  return CATALOG.map((d) => (overrides.has(d.id) ? { ...d, target: overrides.get(d.id)! } : d));
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

/** "< 15 min", ">= 99.95 %", "60-80 %", "trend down". */
export function targetText(t: Target, unit: string): string {
  const u = unit === "%" ? "%" : ` ${unit}`;
  switch (t.kind) {
    case "max":
      return `${t.strict ? "<" : "<="} ${num(t.value)}${u}`;
    case "min":
      return `${t.strict ? ">" : ">="} ${num(t.value)}${u}`;
    case "range":
      return `${num(t.min)}-${num(t.max)}${u}`;
    case "trend":
      return `trend ${t.direction}`;
  }
}

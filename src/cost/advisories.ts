/**
 * Long-term advisories (the handbook's month-3+ list), each from data, or "no data because
 * ..." when the data is missing:
 *
 *  - spiky workloads: peak/mean CPU ratio and idle hours per day; candidates for
 *    scale-to-zero (KEDA, Knative) or serverless, with the request dollars idle hours cost;
 *  - workloads whose CPU does not follow their load: low correlation between total CPU and
 *    replica count (request rate is not in UsageData: the item says so); candidates for an
 *    HPA on a custom or external metric, with a KEDA ScaledObject suggestion;
 *  - cross-zone and egress data transfer: needs network metrics, which UsageData does not
 *    carry;
 *  - the cluster's nodes priced in the 3 cheapest other regions of the same provider.
 *
 * Pure: a function of ClusterState, a PriceSheet and UsageData.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { ObjectRef, Sure } from "./findings-common.js";
import {
  cents,
  clusterRegion,
  finiteSorted,
  historyHours,
  isPlatformNamespace,
  mean,
  nodePrices,
  podHourly,
  refOf,
  usageTrust,
  workloadPods,
  workloadUsage,
} from "./findings-common.js";
import type { PriceSheet } from "./pricing.js";
import { HOURS_PER_MONTH, ratesFor } from "./pricing.js";
import { percentileSorted } from "./rightsize-strategy.js";
import type { UsageData } from "./types.js";

export type AdvisoryId = "spiky-workloads" | "custom-metric-autoscaling" | "data-transfer" | "other-regions";

export interface AdvisoryItem {
  readonly object?: ObjectRef;
  readonly title: string;
  /** USD per month at stake (saved, or the difference for regions: negative is cheaper). */
  readonly monthly: number;
  readonly confidence: Sure;
  readonly confidenceReason: string;
  readonly evidence: Readonly<Record<string, string | number | boolean>>;
  /** A suggestion to act on (a manifest for autoscaling). */
  readonly suggestion: string;
}

export interface Advisory {
  readonly id: AdvisoryId;
  readonly title: string;
  /** "no-data": `noDataReason` says what is missing; items is empty. */
  readonly status: "ok" | "no-data";
  readonly noDataReason?: string;
  readonly items: readonly AdvisoryItem[];
  readonly notes: readonly string[];
}

export interface AdvisoryOptions {
  /** Spiky: peak / mean CPU at least this. Default 4. */
  readonly spikyPeakToMean?: number;
  /** Or idle at least this many hours a day. Default 12. */
  readonly idleHoursPerDay?: number;
  /** A step is idle when CPU is below this share of the window's peak. Default 0.1. */
  readonly idleShareOfPeak?: number;
  /** CPU does not follow replicas below this correlation. Default 0.5. */
  readonly minCorrelation?: number;
  /** Regions to show. Default 3. */
  readonly regions?: number;
  readonly systemNamespaces?: readonly string[];
}

const BATCH = new Set(["Job", "CronJob", "DaemonSet"]);

function round(v: number, d = 1): number {
  const k = 10 ** d;
  return Math.round(v * k) / k;
}

function sure(c: string): Sure {
  return c === "high" || c === "medium" ? c : "low";
}

/** History a shape judgement needs, or why there is none. */
function historyGap(usage: UsageData | undefined, minHours: number): string | undefined {
  if (!usage || usage.source === "none") return "no usage data was given";
  if (usage.source === "metrics-server")
    return "metrics-server gives current usage only: a shape over time needs Prometheus history";
  const h = historyHours(usage);
  if (h < minHours) return `usage covers ${round(h)}h, and this needs at least ${minHours}h`;
  return undefined;
}

export function spikyWorkloads(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData | undefined,
  opts: AdvisoryOptions = {},
): Advisory {
  const base = {
    id: "spiky-workloads" as const,
    title: "Spiky or mostly idle workloads: scale-to-zero or serverless candidates",
  };
  const gap = historyGap(usage, 24);
  if (gap || !usage)
    return { ...base, status: "no-data", noDataReason: `no data because ${gap}`, items: [], notes: [] };
  const ratio = opts.spikyPeakToMean ?? 4;
  const idleHours = opts.idleHoursPerDay ?? 12;
  const idleShare = opts.idleShareOfPeak ?? 0.1;
  const system = new Set(opts.systemNamespaces ?? []);
  const trust = usageTrust(usage);
  const days = historyHours(usage) / 24;
  const items: AdvisoryItem[] = [];
  for (const { top, pods } of workloadPods(state).values()) {
    if (BATCH.has(top.kind) || isPlatformNamespace(top.namespace, system)) continue;
    const u = workloadUsage(usage, pods);
    if (u.points < 24) continue;
    const sorted = finiteSorted(u.cpu);
    const peak = sorted[sorted.length - 1] ?? 0;
    const avg = mean(u.cpu);
    if (!(peak > 0) || !(avg > 0)) continue;
    let idleSteps = 0;
    for (const v of u.cpu) if (Number.isFinite(v) && v < idleShare * peak) idleSteps++;
    const idlePerDay = (idleSteps / u.points) * 24;
    const peakToMean = peak / avg;
    if (peakToMean < ratio && idlePerDay < idleHours) continue;
    const hourly = pods.reduce((t, p) => t + podHourly(state, sheet, p), 0);
    const monthly = hourly * HOURS_PER_MONTH * (idlePerDay / 24);
    items.push({
      object: refOf(top),
      title: `${top.kind} ${top.namespace}/${top.name}: peak ${round(peakToMean)}x its mean CPU, idle ${round(idlePerDay)}h a day`,
      monthly: cents(monthly),
      confidence: sure(trust.confidence) === "high" ? "medium" : "low",
      confidenceReason: `${trust.reason}; the saving is its requests over the idle hours, if it can start cold in time`,
      evidence: {
        peakCpuMillis: round(peak * 1000),
        meanCpuMillis: round(avg * 1000),
        p50CpuMillis: round(percentileSorted(sorted, 50) * 1000),
        idleHoursPerDay: round(idlePerDay),
        days: round(days),
        pods: pods.length,
      },
      suggestion:
        "scale to zero when idle (KEDA ScaledObject with minReplicaCount: 0 on its request or queue metric, or Knative Serving), or move it to a serverless runtime",
    });
  }
  items.sort((a, b) => b.monthly - a.monthly);
  return { ...base, status: "ok", items, notes: [] };
}

/** Pearson correlation of two equal-length series over steps where both are finite; NaN when undefined. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    n++;
    sa += x;
    sb += y;
  }
  if (n < 3) return Number.NaN;
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    cov += (x - ma) * (y - mb);
    va += (x - ma) ** 2;
    vb += (y - mb) ** 2;
  }
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : Number.NaN;
}

function scaledObjectYaml(ns: string, kind: string, name: string, min: number, max: number): string {
  return [
    "apiVersion: keda.sh/v1alpha1",
    "kind: ScaledObject",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${ns}`,
    "spec:",
    "  scaleTargetRef:",
    `    kind: ${kind}`,
    `    name: ${name}`,
    `  minReplicaCount: ${min}`,
    `  maxReplicaCount: ${max}`,
    "  triggers:",
    "    - type: prometheus",
    "      metadata:",
    "        serverAddress: <your Prometheus URL>",
    `        query: sum(rate(http_requests_total{namespace="${ns}",service="${name}"}[2m]))`,
    '        threshold: "100"  # requests per second one replica handles',
  ].join("\n");
}

export function customMetricAutoscaling(
  state: ClusterState,
  usage: UsageData | undefined,
  opts: AdvisoryOptions = {},
): Advisory {
  const base = {
    id: "custom-metric-autoscaling" as const,
    title: "Workloads whose CPU does not follow their load: custom- or external-metric autoscaling",
  };
  const gap = historyGap(usage, 24);
  if (gap || !usage)
    return { ...base, status: "no-data", noDataReason: `no data because ${gap}`, items: [], notes: [] };
  const minCorr = opts.minCorrelation ?? 0.5;
  const system = new Set(opts.systemNamespaces ?? []);
  const trust = usageTrust(usage);
  const items: AdvisoryItem[] = [];
  let constant = 0;
  const hpas = new Map(
    state.list("HorizontalPodAutoscaler").map((h) => [`${h.target.kind}/${h.namespace}/${h.target.name}`, h]),
  );
  for (const [key, { top, pods }] of workloadPods(state)) {
    if (BATCH.has(top.kind) || isPlatformNamespace(top.namespace, system)) continue;
    const u = workloadUsage(usage, pods);
    if (u.points < 24) continue;
    let lo = Number.POSITIVE_INFINITY;
    let hi = 0;
    for (let i = 0; i < u.replicas.length; i++) {
      if (!Number.isFinite(u.cpu[i]!)) continue;
      lo = Math.min(lo, u.replicas[i]!);
      hi = Math.max(hi, u.replicas[i]!);
    }
    if (!(hi > lo)) {
      constant++;
      continue;
    }
    const r = correlation(u.cpu, Float64Array.from(u.replicas));
    if (!Number.isFinite(r) || r >= minCorr) continue;
    const hpa = hpas.get(key);
    items.push({
      object: refOf(top),
      title: `${top.kind} ${top.namespace}/${top.name}: total CPU correlates ${round(r, 2)} with its replica count (${lo}-${hi})`,
      monthly: 0,
      confidence: sure(trust.confidence) === "high" ? "medium" : "low",
      confidenceReason: `${trust.reason}; only CPU and replica count were compared: no request-rate metric was available`,
      evidence: {
        correlation: round(r, 3),
        minReplicas: lo,
        maxReplicas: hi,
        hpa: hpa ? `${hpa.name} (${hpa.metrics.join(", ")})` : "none",
        missing: "request rate (e.g. http_requests_total) or queue depth",
      },
      suggestion: `scale on what drives the work, not CPU: an HPA on a Pods/External metric, or a KEDA ScaledObject:\n${scaledObjectYaml(top.namespace, top.kind, top.name, Math.max(1, hpa?.minReplicas ?? lo), Math.max(hi, hpa?.maxReplicas ?? hi))}`,
    });
  }
  const notes = [
    "request rate is not part of the usage data: correlation is CPU against replica count only",
    ...(constant ? [`${constant} workload(s) kept one replica count all window: nothing to correlate`] : []),
  ];
  return { ...base, status: "ok", items, notes };
}

export function dataTransfer(usage: UsageData | undefined): Advisory {
  void usage; // UsageData has no network series yet.
  return {
    id: "data-transfer",
    title: "Cross-zone and egress data transfer",
    status: "no-data",
    noDataReason: "no data because no network metrics (container_network_*_bytes_total) were available",
    items: [],
    notes: [],
  };
}

/** The cluster's nodes priced in the cheapest other regions of the same provider. */
export function otherRegions(state: ClusterState, sheet: PriceSheet, opts: AdvisoryOptions = {}): Advisory {
  const base = { id: "other-regions" as const, title: "The same nodes in other regions" };
  const prices = nodePrices(state, sheet);
  const home = clusterRegion(state);
  const provider = home ? sheet.regions[home]?.provider : undefined;
  if (!home || !provider)
    return {
      ...base,
      status: "no-data",
      noDataReason: home
        ? `no data because the price sheet names no provider for region ${home}`
        : "no data because no node carries a region label",
      items: [],
      notes: [],
    };
  const nodes = [...prices.values()];
  const current = nodes.reduce((t, n) => t + n.hourly, 0);
  const items: AdvisoryItem[] = [];
  for (const [region, r] of Object.entries(sheet.regions)) {
    if (region === home || r.provider !== provider) continue;
    const rates = ratesFor(sheet, region);
    let hourly = 0;
    let byRates = 0;
    for (const n of nodes) {
      const spot = n.topology.capacityType === "spot";
      const t = n.topology.instanceType ? r.instanceTypes?.[n.topology.instanceType] : undefined;
      const listed = spot ? (t?.spotHour ?? undefined) : t?.onDemandHour;
      if (listed !== undefined) hourly += listed;
      else {
        byRates++;
        hourly += spot
          ? n.vcpu * rates.spotCpuHour + n.memoryGiB * rates.spotMemoryGiBHour + n.gpu * rates.spotGpuHour
          : n.vcpu * rates.cpuHour + n.memoryGiB * rates.memoryGiBHour + n.gpu * rates.gpuHour;
      }
    }
    items.push({
      title: `${region}: $${cents(hourly * HOURS_PER_MONTH)}/month for the same ${nodes.length} node(s) (${home}: $${cents(current * HOURS_PER_MONTH)})`,
      monthly: cents((hourly - current) * HOURS_PER_MONTH),
      confidence: byRates === 0 ? "medium" : "low",
      confidenceReason:
        byRates === 0
          ? "every instance type is listed for that region (approximate list prices); data transfer and latency are not priced"
          : `${byRates} node(s) priced by per-resource rates: their instance type is not listed for ${region}`,
      evidence: { region, provider, nodes: nodes.length, homeRegion: home, pricedByRates: byRates },
      suggestion: "compare latency to users and data, data-residency rules and transfer costs before moving",
    });
  }
  items.sort((a, b) => a.monthly - b.monthly);
  return { ...base, status: "ok", items: items.slice(0, opts.regions ?? 3), notes: [] };
}

/** All four advisories, in the handbook's order. */
export function advisories(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData | undefined,
  opts: AdvisoryOptions = {},
): Advisory[] {
  return [
    spikyWorkloads(state, sheet, usage, opts),
    customMetricAutoscaling(state, usage, opts),
    dataTransfer(usage),
    otherRegions(state, sheet, opts),
  ];
}

/**
 * Pieces shared by waste, quick wins and advisories: the cluster's region, what a pod's
 * requests cost per hour on its node, the workloads with their running pods, a workload's
 * usage per step (summed over its pods), and how far usage of a given source can be trusted.
 * Pure functions of ClusterState, a PriceSheet and UsageData.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta, Pod } from "../state/types.js";
import { holdsResources } from "./allocation-items.js";
import { nodeTopology } from "./node-topology.js";
import type { NodePrice, PriceSheet } from "./pricing.js";
import { priceNode, ratesFor } from "./pricing.js";
import type { Confidence, UsageData } from "./types.js";
import { containerKey, windowSteps } from "./types.js";

const GiB = 2 ** 30;

/** A confidence that is stated, with why. */
export type Sure = Exclude<Confidence, "none">;

export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export function refOf(o: Meta): ObjectRef {
  return { kind: o.kind, namespace: o.namespace, name: o.name };
}

/** Rounds dollars to cents (what reports show; the tests compare these). */
export function cents(usd: number): number {
  return Math.round(usd * 100) / 100;
}

/** The region most nodes are in (ties: alphabetical): where volumes and load balancers are priced. */
export function clusterRegion(state: ClusterState): string | undefined {
  return state.derive("cost:cluster-region", (s) => {
    const count = new Map<string, number>();
    for (const n of s.list("Node")) {
      const r = nodeTopology(n).region;
      if (r) count.set(r, (count.get(r) ?? 0) + 1);
    }
    return [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  });
}

/** Every node's price, once per state and sheet. */
export function nodePrices(state: ClusterState, sheet: PriceSheet): ReadonlyMap<string, NodePrice> {
  const memo = state.derive("cost:node-prices", () => new WeakMap<PriceSheet, Map<string, NodePrice>>());
  let out = memo.get(sheet);
  if (!out) {
    out = new Map(state.list("Node").map((n) => [n.name, priceNode(n, sheet)]));
    memo.set(sheet, out);
  }
  return out;
}

/** Per-unit hourly prices for a pod: its node's, else the cluster region's rates. */
export function unitPrices(
  state: ClusterState,
  sheet: PriceSheet,
  nodeName: string,
): { cpuHour: number; memoryGiBHour: number; gpuHour: number } {
  const p = nodePrices(state, sheet).get(nodeName);
  if (p) return p;
  const r = ratesFor(sheet, clusterRegion(state));
  return { cpuHour: r.cpuHour, memoryGiBHour: r.memoryGiBHour, gpuHour: r.gpuHour };
}

/** Requests as the apiserver defaults them (a limit without a request is the request), summed over containers. */
export function podRequests(p: Pod): { cpu: number; memory: number; gpu: number } {
  let cpu = 0;
  let memory = 0;
  let gpu = 0;
  for (const c of p.containers) {
    cpu += c.requests.cpu ?? c.limits.cpu ?? 0;
    memory += c.requests.memory ?? c.limits.memory ?? 0;
    gpu += c.requests.gpu ?? c.limits.gpu ?? 0;
  }
  return { cpu, memory, gpu };
}

/** USD per hour of a pod's requests at its node's per-resource prices. */
export function podHourly(state: ClusterState, sheet: PriceSheet, p: Pod): number {
  const u = unitPrices(state, sheet, p.nodeName);
  const r = podRequests(p);
  return (r.cpu / 1000) * u.cpuHour + (r.memory / GiB) * u.memoryGiBHour + r.gpu * u.gpuHour;
}

export function isMirrorPod(p: Pod): boolean {
  return p.annotations["kubernetes.io/config.mirror"] !== undefined || p.owner?.kind === "Node";
}

export interface WorkloadPods {
  readonly top: Meta;
  /** Pods holding resources now (scheduled, not finished). */
  readonly pods: readonly Pod[];
}

/** Workloads (top owners) with their running pods, keyed `Kind/namespace/name`; mirror pods are skipped. */
export function workloadPods(state: ClusterState): ReadonlyMap<string, WorkloadPods> {
  return state.derive("cost:workload-pods", (s) => {
    const out = new Map<string, { top: Meta; pods: Pod[] }>();
    for (const p of s.list("Pod")) {
      if (isMirrorPod(p) || !holdsResources(p)) continue;
      const top = s.topOwner(p);
      const k = `${top.kind}/${top.namespace}/${top.name}`;
      const g = out.get(k);
      if (g) g.pods.push(p);
      else out.set(k, { top, pods: [p] });
    }
    return out;
  });
}

/** A workload's usage per step, summed over the given pods' containers. */
export interface WorkloadUsage {
  /** Cores per step (NaN where no pod had a sample). */
  readonly cpu: Float64Array;
  /** Bytes per step. */
  readonly memory: Float64Array;
  /** Pods with a CPU sample at each step (the replica count then). */
  readonly replicas: Uint32Array;
  /** Steps with at least one sample. */
  readonly points: number;
}

export function workloadUsage(usage: UsageData, pods: readonly Pod[]): WorkloadUsage {
  const n = windowSteps(usage.window);
  const cpu = new Float64Array(n).fill(Number.NaN);
  const memory = new Float64Array(n).fill(Number.NaN);
  const replicas = new Uint32Array(n);
  for (const p of pods) {
    const seen = new Uint8Array(n);
    for (const c of p.containers) {
      const s = usage.containers.get(containerKey(p.namespace, p.name, c.name));
      if (!s) continue;
      for (let i = 0; i < n; i++) {
        const v = s.cpu[i] ?? Number.NaN;
        if (Number.isFinite(v)) {
          cpu[i] = (Number.isNaN(cpu[i]!) ? 0 : cpu[i]!) + v;
          seen[i] = 1;
        }
        const m = s.memory[i] ?? Number.NaN;
        if (Number.isFinite(m)) memory[i] = (Number.isNaN(memory[i]!) ? 0 : memory[i]!) + m;
      }
    }
    for (let i = 0; i < n; i++) replicas[i]! += seen[i]!;
  }
  let points = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(cpu[i]!)) points++;
  return { cpu, memory, replicas, points };
}

/** Finite values of a series, sorted ascending. */
export function finiteSorted(a: Float64Array): Float64Array {
  return a.filter((v) => Number.isFinite(v)).sort();
}

export function mean(a: Float64Array): number {
  let t = 0;
  let n = 0;
  for (const v of a)
    if (Number.isFinite(v)) {
      t += v;
      n++;
    }
  return n ? t / n : Number.NaN;
}

/** Hours of history a usage source gives (0 for a single sample). */
export function historyHours(usage: UsageData): number {
  const n = windowSteps(usage.window);
  return n > 1 ? ((n - 1) * usage.window.stepSeconds) / 3600 : 0;
}

/**
 * How far a judgement from usage can be trusted: Prometheus and the demo's history are high
 * (medium when partial or under `minHours` of history), metrics-server low (one current
 * sample), no usage none.
 */
export function usageTrust(
  usage: UsageData | undefined,
  minHours = 24,
): { confidence: Confidence; reason: string } {
  if (!usage || usage.source === "none") return { confidence: "none", reason: "no usage data" };
  if (usage.source === "metrics-server")
    return { confidence: "low", reason: "metrics-server: current usage only, no history" };
  const hours = historyHours(usage);
  const what = usage.source === "demo" ? "the demo's generated history" : "Prometheus history";
  if (hours < minHours)
    return { confidence: "medium", reason: `${what} covers ${Math.round(hours)}h (< ${minHours}h)` };
  if (usage.partial)
    return {
      confidence: "medium",
      reason: `${what} is partial: ${usage.problems.join("; ") || "some queries failed"}`,
    };
  return { confidence: "high", reason: `${what} over ${Math.round(hours / 24)} day(s)` };
}

/** Namespaces of the platform, not a team (as the checks count them), plus the configured ones. */
export function isPlatformNamespace(ns: string, extra: ReadonlySet<string> = new Set()): boolean {
  return ns.startsWith("kube-") || extra.has(ns);
}

/** `-n ns` for kubectl, empty for cluster-scoped objects. */
export function nsFlag(ns: string): string {
  return ns ? ` -n ${ns}` : "";
}

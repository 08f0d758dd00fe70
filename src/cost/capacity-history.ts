/**
 * Per-pool history for capacity planning: CPU, memory and pod-count requests and usage per
 * step, summed over the pods on each pool's nodes. Requests come from kube-state-metrics'
 * request history when there is one, else from the pods of the current state and their
 * creation times (pods deleted during the window are not seen: the history then under-counts
 * the past and the trend reads high, which the output says). Usage is summed from UsageData
 * when it has more than one sample per series. Pure functions.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Node, Pod } from "../state/types.js";
import type { PoolHistory, PoolMetric } from "./forecast.js";
import { nodePool } from "./node-topology.js";
import type { RequestHistory } from "./usage/prometheus.js";
import type { UsageData, UsageWindow } from "./types.js";
import { windowSteps } from "./types.js";

const DEFAULT_MAX_PODS = 110;
const TERMINAL = new Set(["Succeeded", "Failed"]);

export interface PoolHistories {
  pools: PoolHistory[];
  /** Where request history came from, in words. */
  requestsFrom: string;
  /** Where usage history came from, or why there is none. */
  usageFrom: string;
}

interface Acc {
  series: Partial<Record<PoolMetric, Float64Array>>;
}

function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(Number.NaN);
}

function add(a: Float64Array, i: number, v: number): void {
  a[i] = Number.isNaN(a[i]!) ? v : a[i]! + v;
}

interface Ctx {
  readonly state: ClusterState;
  readonly n: number;
  readonly start: number;
  readonly stepMs: number;
  readonly poolOfNode: ReadonlyMap<string, string>;
  readonly acc: Map<string, Acc>;
}

function seriesOf(ctx: Ctx, pool: string, metric: PoolMetric): Float64Array {
  let a = ctx.acc.get(pool);
  if (!a) ctx.acc.set(pool, (a = { series: {} }));
  return (a.series[metric] ??= nanArray(ctx.n));
}

function podPool(ctx: Ctx, namespace: string, name: string): string | undefined {
  const pod = ctx.state.get("Pod", namespace, name) as Pod | undefined;
  return pod?.nodeName ? ctx.poolOfNode.get(pod.nodeName) : undefined;
}

/** Adds two series (CPU, memory) of a container into a pool's metrics; returns the steps with a sample. */
function addPair(
  ctx: Ctx,
  pool: string,
  metrics: [PoolMetric, PoolMetric],
  s: { cpu: Float64Array; memory: Float64Array },
  seen?: Uint8Array,
): void {
  const cpu = seriesOf(ctx, pool, metrics[0]);
  const mem = seriesOf(ctx, pool, metrics[1]);
  for (let i = 0; i < ctx.n; i++) {
    const c = s.cpu[i] ?? Number.NaN;
    const m = s.memory[i] ?? Number.NaN;
    if (!Number.isNaN(c)) add(cpu, i, c);
    if (!Number.isNaN(m)) add(mem, i, m);
    if (seen && (!Number.isNaN(c) || !Number.isNaN(m))) seen[i] = 1;
  }
}

function requestsFromKsm(ctx: Ctx, requests: RequestHistory): void {
  const podSeen = new Map<string, { pool: string; mask: Uint8Array }>();
  for (const s of requests.containers.values()) {
    const pool = podPool(ctx, s.namespace, s.pod);
    if (!pool) continue;
    const key = `${s.namespace}/${s.pod}`;
    let seen = podSeen.get(key);
    if (!seen) podSeen.set(key, (seen = { pool, mask: new Uint8Array(ctx.n) }));
    addPair(ctx, pool, ["cpu-requests", "memory-requests"], s, seen.mask);
  }
  for (const { pool, mask } of podSeen.values()) {
    const pods = seriesOf(ctx, pool, "pods");
    for (let i = 0; i < ctx.n; i++) if (mask[i]) add(pods, i, 1);
  }
}

function requestsFromState(ctx: Ctx): void {
  for (const pod of ctx.state.list("Pod") as Pod[]) {
    const pool =
      pod.nodeName && !TERMINAL.has(pod.phase ?? "") ? ctx.poolOfNode.get(pod.nodeName) : undefined;
    if (!pool) continue;
    let cpu = 0;
    let mem = 0;
    for (const c of pod.containers) {
      cpu += (c.requests.cpu ?? c.limits.cpu ?? 0) / 1000;
      mem += c.requests.memory ?? c.limits.memory ?? 0;
    }
    const created = pod.createdAt > 0 ? pod.createdAt : ctx.start;
    const k0 = Math.max(0, Math.ceil((created - ctx.start) / ctx.stepMs));
    const sc = seriesOf(ctx, pool, "cpu-requests");
    const sm = seriesOf(ctx, pool, "memory-requests");
    const sp = seriesOf(ctx, pool, "pods");
    for (let i = k0; i < ctx.n; i++) {
      add(sc, i, cpu);
      add(sm, i, mem);
      add(sp, i, 1);
    }
  }
}

function allocatableByPool(state: ClusterState): {
  poolOfNode: Map<string, string>;
  alloc: Map<string, { cpu: number; memory: number; pods: number }>;
} {
  const poolOfNode = new Map<string, string>();
  const alloc = new Map<string, { cpu: number; memory: number; pods: number }>();
  for (const node of state.list("Node") as Node[]) {
    const pool = nodePool(node);
    poolOfNode.set(node.name, pool);
    const a = alloc.get(pool) ?? { cpu: 0, memory: 0, pods: 0 };
    a.cpu += (node.allocatable.cpu ?? node.capacity.cpu ?? 0) / 1000;
    a.memory += node.allocatable.memory ?? node.capacity.memory ?? 0;
    a.pods += node.allocatable.pods ?? node.capacity.pods ?? DEFAULT_MAX_PODS;
    alloc.set(pool, a);
  }
  return { poolOfNode, alloc };
}

export function poolHistories(
  state: ClusterState,
  window: UsageWindow,
  inputs: { usage?: UsageData; requests?: RequestHistory } = {},
): PoolHistories {
  const n = windowSteps(window);
  const start = window.start.getTime();
  const { poolOfNode, alloc } = allocatableByPool(state);
  const ctx: Ctx = { state, n, start, stepMs: window.stepSeconds * 1000, poolOfNode, acc: new Map() };
  let requestsFrom: string;
  if (inputs.requests && inputs.requests.containers.size > 0) {
    requestsFromKsm(ctx, inputs.requests);
    requestsFrom = "kube-state-metrics request history (Prometheus)";
  } else {
    requestsFromState(ctx);
    requestsFrom = "the current pods and their creation times (pods deleted in the window are not seen)";
  }
  let usageFrom: string;
  const u = inputs.usage;
  if (u && (u.source === "prometheus" || u.source === "demo") && n > 1 && u.containers.size > 0) {
    for (const s of u.containers.values()) {
      const pool = podPool(ctx, s.namespace, s.pod);
      if (pool) addPair(ctx, pool, ["cpu-usage", "memory-usage"], s);
    }
    usageFrom = `${u.source} usage history`;
  } else {
    usageFrom =
      u?.source === "metrics-server"
        ? "none: metrics-server has current usage only (give --prometheus for usage history)"
        : "none: no usage history";
  }
  const pools: PoolHistory[] = [...alloc.keys()].sort().map((pool) => ({
    pool,
    start,
    stepSeconds: window.stepSeconds,
    allocatable: alloc.get(pool)!,
    series: ctx.acc.get(pool)?.series ?? {},
  }));
  return { pools, requestsFrom, usageFrom };
}

/**
 * The priced pieces allocation is made of: nodes (what the cluster pays), containers and pods
 * (compute as OpenCost defines it: max(request, usage) x price, per step), volumes and load
 * balancers (shared out to the pods that use them, else their own line). Pure functions over
 * ClusterState, a PriceSheet and UsageData.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { ContainerSpec, Node, PersistentVolumeClaim, Pod } from "../state/types.js";
import type { NodePrice, PriceSheet } from "./pricing.js";
import { HOURS_PER_MONTH, priceNode, ratesFor, storageGBMonth } from "./pricing.js";
import type { Timeline } from "./timeline.js";
import { firstStep, hoursFrom } from "./timeline.js";
import type { ContainerSeries, UsageData } from "./types.js";
import { containerKey } from "./types.js";

const GiB = 2 ** 30;

/** USD over the window, by what was paid for. */
export interface CostBreakdown {
  readonly cpu: number;
  readonly memory: number;
  readonly gpu: number;
  readonly storage: number;
  readonly loadBalancer: number;
  readonly total: number;
}

export const ZERO_COST: CostBreakdown = Object.freeze({
  cpu: 0,
  memory: 0,
  gpu: 0,
  storage: 0,
  loadBalancer: 0,
  total: 0,
});

export function addCost(a: CostBreakdown, b: Partial<CostBreakdown>): CostBreakdown {
  const cpu = a.cpu + (b.cpu ?? 0);
  const memory = a.memory + (b.memory ?? 0);
  const gpu = a.gpu + (b.gpu ?? 0);
  const storage = a.storage + (b.storage ?? 0);
  const loadBalancer = a.loadBalancer + (b.loadBalancer ?? 0);
  return { cpu, memory, gpu, storage, loadBalancer, total: cpu + memory + gpu + storage + loadBalancer };
}

export interface NodeCost extends NodePrice {
  /** Hours of the window the node existed. */
  readonly hours: number;
  /** USD over the window. */
  readonly cost: number;
  /** USD of capacity minus allocatable (kubelet, system and eviction reserves) over the window. */
  readonly reserved: number;
  /** First sample the node counts for (creation within the window). */
  readonly firstStep: number;
}

function reservedHourly(n: Node, p: NodePrice): number {
  const cpu = Math.max(0, (n.capacity.cpu ?? 0) - (n.allocatable.cpu ?? n.capacity.cpu ?? 0)) / 1000;
  const mem = Math.max(0, (n.capacity.memory ?? 0) - (n.allocatable.memory ?? n.capacity.memory ?? 0)) / GiB;
  const gpu = Math.max(0, (n.capacity.gpu ?? 0) - (n.allocatable.gpu ?? n.capacity.gpu ?? 0));
  return cpu * p.cpuHour + mem * p.memoryGiBHour + gpu * p.gpuHour;
}

export function costNodes(state: ClusterState, sheet: PriceSheet, t: Timeline): Map<string, NodeCost> {
  const out = new Map<string, NodeCost>();
  for (const n of state.list("Node")) {
    const price = priceNode(n, sheet);
    const k0 = firstStep(t, n.createdAt);
    const hours = hoursFrom(t, k0);
    out.set(n.name, {
      ...price,
      hours,
      cost: price.hourly * hours,
      reserved: reservedHourly(n, price) * hours,
      firstStep: k0,
    });
  }
  return out;
}

/** One container's cost over the window. */
export interface ContainerCost {
  readonly container: string;
  readonly cpu: number;
  readonly memory: number;
  readonly gpu: number;
  readonly total: number;
  /** Allocated resource-hours: sum over steps of max(request, usage) x step. */
  readonly cpuCoreHours: number;
  readonly memoryGiBHours: number;
  readonly gpuHours: number;
  /** USD of request that went unused (request above usage), CPU and memory. */
  readonly workloadIdle: number;
  /** Samples the container counted for, and how many of them had usage (CPU). */
  readonly steps: number;
  readonly usagePoints: number;
}

/** Request as the apiserver defaults it: a limit without a request is the request. */
function request(c: ContainerSpec, r: "cpu" | "memory" | "gpu"): number {
  return c.requests[r] ?? c.limits[r] ?? 0;
}

interface Integral {
  allocated: number;
  idle: number;
  points: number;
}

/**
 * Sum over samples k0.. of max(req, usage x scale) x weight, and of the unused request; NaN
 * usage counts as the request. `scale` converts units in the loop (no copy of the series).
 */
function integrate(
  req: number,
  series: Float64Array | undefined,
  scale: number,
  t: Timeline,
  k0: number,
): Integral {
  let allocated = 0;
  let idle = 0;
  let points = 0;
  for (let i = k0; i < t.steps; i++) {
    const w = t.weights[i] ?? 0;
    const u = series ? (series[i] ?? Number.NaN) * scale : Number.NaN;
    if (Number.isNaN(u)) {
      allocated += req * w;
      continue;
    }
    points++;
    allocated += Math.max(req, u) * w;
    if (u < req) idle += (req - u) * w;
  }
  return { allocated: allocated / 3600, idle: idle / 3600, points };
}

export function costContainer(
  c: ContainerSpec,
  series: ContainerSeries | undefined,
  price: NodePrice,
  t: Timeline,
  k0: number,
): ContainerCost {
  const cpu = integrate(request(c, "cpu") / 1000, series?.cpu, 1, t, k0);
  const mem = integrate(request(c, "memory") / GiB, series?.memory, 1 / GiB, t, k0);
  const gpuHours = request(c, "gpu") * hoursFrom(t, k0);
  const cpuCost = cpu.allocated * price.cpuHour;
  const memCost = mem.allocated * price.memoryGiBHour;
  const gpuCost = gpuHours * price.gpuHour;
  return {
    container: c.name,
    cpu: cpuCost,
    memory: memCost,
    gpu: gpuCost,
    total: cpuCost + memCost + gpuCost,
    cpuCoreHours: cpu.allocated,
    memoryGiBHours: mem.allocated,
    gpuHours,
    workloadIdle: cpu.idle * price.cpuHour + mem.idle * price.memoryGiBHour,
    steps: t.steps - k0,
    usagePoints: cpu.points,
  };
}

export type OverheadReason = "daemonset" | "system-namespace";

/** A priced pod, or a volume or load balancer no pod uses (its own line in its namespace). */
export interface CostItem {
  readonly kind: "Pod" | "PersistentVolumeClaim" | "Service";
  readonly namespace: string;
  readonly name: string;
  /** The pod's top owner (`Deployment/web`), or the object itself. */
  readonly workload: { readonly kind: string; readonly name: string };
  readonly node?: string;
  /** Set when the item is system overhead, not a tenant's cost. */
  readonly overhead?: OverheadReason;
  labels: Readonly<Record<string, string>>;
  cost: CostBreakdown;
  workloadIdle: number;
  /** Overhead shared onto this item (opts.shareOverhead). */
  sharedOverhead: number;
  readonly containers: readonly ContainerCost[];
}

export interface PodContext {
  readonly state: ClusterState;
  readonly sheet: PriceSheet;
  readonly usage: UsageData;
  readonly t: Timeline;
  readonly nodes: ReadonlyMap<string, NodeCost>;
  readonly systemNamespaces: ReadonlySet<string>;
  readonly notes: string[];
}

function overheadOf(ctx: PodContext, pod: Pod): OverheadReason | undefined {
  if (ctx.state.ownerChain(pod).some((o) => o.kind === "DaemonSet") || pod.owner?.kind === "DaemonSet")
    return "daemonset";
  return ctx.systemNamespaces.has(pod.namespace) ? "system-namespace" : undefined;
}

/** Running pods cost; pending ones (no node) and finished ones hold nothing. */
export function holdsResources(pod: Pod): boolean {
  return pod.nodeName !== "" && pod.phase !== "Succeeded" && pod.phase !== "Failed";
}

function seriesFor(ctx: PodContext, pod: Pod, c: ContainerSpec): ContainerSeries | undefined {
  const s = ctx.usage.containers.get(containerKey(pod.namespace, pod.name, c.name));
  if (!s) return undefined;
  if (s.cpu.length !== ctx.t.steps || s.memory.length !== ctx.t.steps) {
    ctx.notes.push(
      `usage of ${pod.namespace}/${pod.name}/${c.name} has ${s.cpu.length} samples, the window ${ctx.t.steps}: priced by request`,
    );
    return undefined;
  }
  return s;
}

/**
 * The workload a pod belongs to: the top of its owner chain; when the top's own owner is not in
 * the state (a partial collection), the owner reference still names it.
 */
export function workloadOf(state: ClusterState, pod: Pod): { kind: string; name: string } {
  const top = state.topOwner(pod);
  return top.owner ? { kind: top.owner.kind, name: top.owner.name } : { kind: top.kind, name: top.name };
}

/** Prices for a pod whose node is not in the state: the sheet's default rates. */
function orphanPrice(ctx: PodContext, nodeName: string): NodeCost {
  ctx.notes.push(`node ${nodeName} is not in the state: its pods are priced at default rates`);
  const r = ratesFor(ctx.sheet, undefined);
  return {
    node: nodeName,
    topology: {
      capacityType: "on-demand",
      capacityTypeFrom: "assumed",
      pool: "unknown",
      poolFrom: "node not in state",
    },
    hourly: 0,
    vcpu: 0,
    memoryGiB: 0,
    gpu: 0,
    cpuHour: r.cpuHour,
    memoryGiBHour: r.memoryGiBHour,
    gpuHour: r.gpuHour,
    rule: "resource-rates",
    provenance: "node not in the state: default rates",
    hours: 0,
    cost: 0,
    reserved: 0,
    firstStep: 0,
  };
}

export function costPod(ctx: PodContext, pod: Pod): CostItem {
  let node = ctx.nodes.get(pod.nodeName);
  if (!node) {
    node = orphanPrice(ctx, pod.nodeName);
    (ctx.nodes as Map<string, NodeCost>).set(pod.nodeName, node);
  }
  const k0 = Math.max(node.firstStep, firstStep(ctx.t, pod.startTime ?? pod.createdAt));
  const containers = pod.containers.map((c) => costContainer(c, seriesFor(ctx, pod, c), node, ctx.t, k0));
  let cost = ZERO_COST;
  let workloadIdle = 0;
  for (const c of containers) {
    cost = addCost(cost, c);
    workloadIdle += c.workloadIdle;
  }
  const top = workloadOf(ctx.state, pod);
  const overhead = overheadOf(ctx, pod);
  return {
    kind: "Pod",
    namespace: pod.namespace,
    name: pod.name,
    workload: top,
    node: pod.nodeName,
    ...(overhead ? { overhead } : {}),
    labels: pod.labels,
    cost,
    workloadIdle,
    sharedOverhead: 0,
    containers,
  };
}

/** A cost no pod carries: an unmounted claim or a load balancer without pods, in its namespace. */
export function ownLine(
  ctx: PodContext,
  o: {
    kind: "PersistentVolumeClaim" | "Service";
    namespace: string;
    name: string;
    labels: Readonly<Record<string, string>>;
  },
  cost: Partial<CostBreakdown>,
): CostItem {
  const system = ctx.systemNamespaces.has(o.namespace);
  return {
    kind: o.kind,
    namespace: o.namespace,
    name: o.name,
    workload: { kind: o.kind, name: o.name },
    ...(system ? { overhead: "system-namespace" as const } : {}),
    labels: o.labels,
    cost: addCost(ZERO_COST, cost),
    workloadIdle: 0,
    sharedOverhead: 0,
    containers: [],
  };
}

/** Adds a cost evenly over items (the pods that mount a volume or sit behind a load balancer). */
export function spread(items: readonly CostItem[], cost: Partial<CostBreakdown>): void {
  const share: Record<string, number> = {};
  for (const [k, v] of Object.entries(cost)) share[k] = v / items.length;
  for (const it of items) it.cost = addCost(it.cost, share);
}

/** Storage the cluster pays for, split onto mounting pods, unmounted claims, and unclaimed volumes. */
export interface StorageResult {
  readonly total: number;
  readonly unclaimed: { readonly cost: number; readonly volumes: readonly string[] };
}

function volumeCost(
  ctx: PodContext,
  region: string | undefined,
  o: { capacityBytes?: number; storageClassName?: string; createdAt: number },
): number {
  const gib = (o.capacityBytes ?? 0) / GiB;
  const perHour = storageGBMonth(ctx.sheet, region, o.storageClassName) / HOURS_PER_MONTH;
  return gib * perHour * hoursFrom(ctx.t, firstStep(ctx.t, o.createdAt));
}

function attachClaim(
  ctx: PodContext,
  byClaim: ReadonlyMap<string, CostItem[]>,
  items: CostItem[],
  pvc: { namespace: string; name: string; labels: Readonly<Record<string, string>> },
  cost: number,
): void {
  const pods = byClaim.get(`${pvc.namespace}/${pvc.name}`);
  if (pods?.length) spread(pods, { storage: cost });
  else items.push(ownLine(ctx, { kind: "PersistentVolumeClaim", ...pvc }, { storage: cost }));
}

/**
 * Prices every PersistentVolume by its StorageClass (GB-month pro-rated to the window), plus
 * bound claims whose volume is not in the state (priced from the claim). Costs go to the pods
 * mounting the claim, else to the claim's own line; a volume with no claim is "unclaimed".
 */
export function costStorage(
  ctx: PodContext,
  items: CostItem[],
  byClaim: ReadonlyMap<string, CostItem[]>,
  region: string | undefined,
): StorageResult {
  let total = 0;
  let unclaimedCost = 0;
  const unclaimed: string[] = [];
  const seenClaims = new Set<string>();
  for (const pv of ctx.state.list("PersistentVolume")) {
    const cost = volumeCost(ctx, pv.labels["topology.kubernetes.io/region"] ?? region, pv);
    total += cost;
    const claim = pv.claim
      ? ctx.state.get("PersistentVolumeClaim", pv.claim.namespace, pv.claim.name)
      : undefined;
    if (pv.claim && pv.phase === "Bound") {
      seenClaims.add(`${pv.claim.namespace}/${pv.claim.name}`);
      attachClaim(ctx, byClaim, items, { ...pv.claim, labels: claim?.labels ?? {} }, cost);
    } else {
      unclaimedCost += cost;
      unclaimed.push(pv.name);
    }
  }
  for (const pvc of ctx.state.list("PersistentVolumeClaim")) {
    if (pvc.phase !== "Bound" || seenClaims.has(`${pvc.namespace}/${pvc.name}`)) continue;
    if (ctx.state.pvcVolume(pvc)) continue; // its volume is priced above
    const cost = volumeCost(ctx, region, claimVolume(ctx, pvc));
    total += cost;
    attachClaim(ctx, byClaim, items, pvc, cost);
  }
  return { total, unclaimed: { cost: unclaimedCost, volumes: unclaimed } };
}

function claimVolume(
  ctx: PodContext,
  pvc: PersistentVolumeClaim,
): { capacityBytes?: number; storageClassName?: string; createdAt: number } {
  return {
    capacityBytes: pvc.capacityBytes ?? pvc.requestedBytes,
    storageClassName: pvc.storageClassName ?? ctx.state.storageClassOf(pvc)?.name,
    createdAt: pvc.createdAt,
  };
}

/** Prices LoadBalancer Services; each goes to the pods it selects, else its own line. */
export function costLoadBalancers(
  ctx: PodContext,
  items: CostItem[],
  podItems: ReadonlyMap<Pod, CostItem>,
  region: string | undefined,
): number {
  const perHour = ratesFor(ctx.sheet, region).loadBalancerHour;
  let total = 0;
  for (const svc of ctx.state.list("Service")) {
    if (svc.type !== "LoadBalancer") continue;
    const cost = perHour * hoursFrom(ctx.t, firstStep(ctx.t, svc.createdAt));
    total += cost;
    const pods = ctx.state
      .servicePods(svc)
      .map((p) => podItems.get(p))
      .filter((p): p is CostItem => p !== undefined);
    if (pods.length) spread(pods, { loadBalancer: cost });
    else items.push(ownLine(ctx, svc, { loadBalancer: cost }));
  }
  return total;
}

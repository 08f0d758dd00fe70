/**
 * Cost allocation over a usage window, as OpenCost defines it: each container costs
 * max(request, usage) x price per step (request where usage is missing), priced at its node's
 * per-resource rates. The cluster costs what its nodes, volumes and load balancers cost. System
 * overhead (capacity minus allocatable, kube-system, DaemonSets) is its own line, optionally
 * shared out; idle is what the nodes cost beyond everything allocated on them (negative:
 * over-allocation). So, by construction:
 *
 *   cluster = sum(namespaces) + overhead (unless shared) + idle + unclaimed volumes
 *
 * reconcile() checks it. Pure: a function of ClusterState, a PriceSheet and UsageData.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Pod } from "../state/types.js";
import type { CostBreakdown, CostItem, NodeCost, PodContext } from "./allocation-items.js";
import {
  ZERO_COST,
  addCost,
  costLoadBalancers,
  costNodes,
  costPod,
  costStorage,
  holdsResources,
} from "./allocation-items.js";
import type { PriceSheet, PriceSource } from "./pricing.js";
import { HOURS_PER_MONTH } from "./pricing.js";
import { timeline } from "./timeline.js";
import type { Confidence, UsageData, UsageSource } from "./types.js";

export type { CostBreakdown, CostItem, ContainerCost, NodeCost, OverheadReason } from "./allocation-items.js";

export const DEFAULT_COST_LABELS: readonly string[] = ["team", "cost-center"];
/** The value a group gets when neither the pod nor its namespace carries the label (OpenCost's spelling). */
export const UNALLOCATED = "__unallocated__";

export interface AllocationOptions {
  /** Labels every cost should carry; the result says what share does not. Default team, cost-center. */
  readonly costLabels?: readonly string[];
  /** Label keys to group by (pod label, else namespace label). Default: the cost labels. */
  readonly labelKeys?: readonly string[];
  /** Share system overhead out to tenants in proportion to their cost. Default false. */
  readonly shareOverhead?: boolean;
  /** Namespaces whose pods are system overhead. Default kube-system. */
  readonly systemNamespaces?: readonly string[];
}

/** A group of costs: a workload, a namespace, or one value of a label. */
export interface CostGroup {
  readonly name: string;
  readonly cost: CostBreakdown;
  readonly sharedOverhead: number;
  /** cost.total + sharedOverhead, USD over the window. */
  readonly total: number;
  readonly monthly: number;
  /** USD of requests that went unused. */
  readonly workloadIdle: number;
  /** Pods (and own lines) in the group. */
  readonly items: number;
}

export interface WorkloadGroup extends CostGroup {
  readonly namespace: string;
  readonly kind: string;
}

export interface Money {
  /** USD over the window. */
  readonly cost: number;
  /** USD per month (730 h) at the window's rate. */
  readonly monthly: number;
}

export interface AllocationResult {
  readonly window: {
    readonly start: string;
    readonly end: string;
    readonly stepSeconds: number;
    readonly hours: number;
  };
  readonly usage: {
    readonly source: UsageSource;
    readonly confidence: Confidence;
    readonly partial: boolean;
    /** Share of container samples that had usage (the rest were priced by request). */
    readonly coverage: number;
  };
  readonly pricing: readonly PriceSource[];
  readonly cluster: Money & {
    readonly nodes: number;
    readonly storage: number;
    readonly loadBalancers: number;
  };
  readonly nodes: readonly NodeCost[];
  /** Sum of the namespaces, before any shared overhead. */
  readonly allocated: CostBreakdown;
  readonly overhead: Money & {
    /** Node capacity minus allocatable. */
    readonly reserved: number;
    readonly daemonSets: number;
    readonly systemNamespaces: number;
    readonly shared: boolean;
    readonly workloads: readonly WorkloadGroup[];
  };
  /** Node cost not allocated to any pod or reserve; negative when pods use more than the nodes cost. */
  readonly idle: Money & { readonly overAllocated: boolean };
  readonly unclaimedVolumes: Money & { readonly volumes: readonly string[] };
  readonly workloadIdle: Money;
  readonly namespaces: readonly CostGroup[];
  readonly workloads: readonly WorkloadGroup[];
  /** Every priced pod and own line (unmounted claims, load balancers without pods), overhead included. */
  readonly items: readonly CostItem[];
  /** Label key -> one group per value (UNALLOCATED for none). */
  readonly labels: Readonly<Record<string, readonly CostGroup[]>>;
  /** Cost label -> cost and share of the allocated cost without it; `any`: missing at least one. */
  readonly unlabeled: Readonly<Record<string, Money & { readonly share: number }>>;
  readonly notes: readonly string[];
}

/** The region most nodes are in: where volumes and load balancers are priced. */
function clusterRegion(nodes: ReadonlyMap<string, NodeCost>): string | undefined {
  const count = new Map<string, number>();
  for (const n of nodes.values()) {
    const r = n.topology.region;
    if (r) count.set(r, (count.get(r) ?? 0) + 1);
  }
  return [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

function claimIndex(pods: readonly [Pod, CostItem][]): Map<string, CostItem[]> {
  const out = new Map<string, CostItem[]>();
  for (const [pod, item] of pods) {
    for (const claim of new Set(pod.volumes.pvcs)) {
      const k = `${pod.namespace}/${claim}`;
      const arr = out.get(k);
      if (arr) arr.push(item);
      else out.set(k, [item]);
    }
  }
  return out;
}

/** Shares overhead onto tenant items in proportion to their cost. */
function shareOut(tenants: readonly CostItem[], overhead: number, notes: string[]): boolean {
  const base = tenants.reduce((s, it) => s + it.cost.total, 0);
  if (!(base > 0)) {
    notes.push("overhead not shared: no tenant cost to share it over");
    return false;
  }
  for (const it of tenants) it.sharedOverhead = (overhead * it.cost.total) / base;
  return true;
}

interface Acc {
  cost: CostBreakdown;
  shared: number;
  idle: number;
  items: number;
}

function group<K>(
  items: readonly CostItem[],
  keyOf: (it: CostItem) => K,
  nameOf: (k: K) => string,
  perMonth: number,
) {
  const acc = new Map<string, { key: K; acc: Acc }>();
  for (const it of items) {
    const key = keyOf(it);
    const name = nameOf(key);
    let a = acc.get(name);
    if (!a) acc.set(name, (a = { key, acc: { cost: ZERO_COST, shared: 0, idle: 0, items: 0 } }));
    a.acc.cost = addCost(a.acc.cost, it.cost);
    a.acc.shared += it.sharedOverhead;
    a.acc.idle += it.workloadIdle;
    a.acc.items++;
  }
  return [...acc.entries()]
    .map(([name, { key, acc: a }]) => ({
      key,
      group: {
        name,
        cost: a.cost,
        sharedOverhead: a.shared,
        total: a.cost.total + a.shared,
        monthly: (a.cost.total + a.shared) * perMonth,
        workloadIdle: a.idle,
        items: a.items,
      } satisfies CostGroup,
    }))
    .sort((x, y) => y.group.total - x.group.total || x.group.name.localeCompare(y.group.name));
}

function workloadGroups(items: readonly CostItem[], perMonth: number): WorkloadGroup[] {
  return group(
    items,
    (it) => ({ namespace: it.namespace, kind: it.workload.kind, name: it.workload.name }),
    (k) => `${k.namespace}/${k.kind}/${k.name}`,
    perMonth,
  ).map(({ key, group: g }) => ({ ...g, name: key.name, namespace: key.namespace, kind: key.kind }));
}

function labelValue(state: ClusterState, it: CostItem, key: string): string | undefined {
  return it.labels[key] ?? state.get("Namespace", "", it.namespace)?.labels[key];
}

function unlabeledShares(
  state: ClusterState,
  tenants: readonly CostItem[],
  costLabels: readonly string[],
  perMonth: number,
): Record<string, Money & { share: number }> {
  const total = tenants.reduce((s, it) => s + it.cost.total + it.sharedOverhead, 0);
  const out: Record<string, Money & { share: number }> = {};
  const tally = (name: string, missing: (it: CostItem) => boolean): void => {
    const cost = tenants.filter(missing).reduce((s, it) => s + it.cost.total + it.sharedOverhead, 0);
    out[name] = { cost, monthly: cost * perMonth, share: total > 0 ? cost / total : 0 };
  };
  for (const key of costLabels) tally(key, (it) => labelValue(state, it, key) === undefined);
  tally("any", (it) => costLabels.some((key) => labelValue(state, it, key) === undefined));
  return out;
}

function sumNodes(nodes: ReadonlyMap<string, NodeCost>): { cost: number; reserved: number } {
  let cost = 0;
  let reserved = 0;
  for (const n of nodes.values()) {
    cost += n.cost;
    reserved += n.reserved;
  }
  return { cost, reserved };
}

/** Allocates the cluster's cost over the usage window to containers, pods, workloads, namespaces and labels. */
export function allocate(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData,
  opts: AllocationOptions = {},
): AllocationResult {
  const t = timeline(usage.window);
  const perMonth = t.hours > 0 ? HOURS_PER_MONTH / t.hours : 0;
  const notes: string[] = [];
  const nodes = costNodes(state, sheet, t);
  const ctx: PodContext = {
    state,
    sheet,
    usage,
    t,
    nodes,
    systemNamespaces: new Set(opts.systemNamespaces ?? ["kube-system"]),
    notes,
  };
  const pods = state
    .list("Pod")
    .filter(holdsResources)
    .map((p): [Pod, CostItem] => [p, costPod(ctx, p)]);
  // Compute only: storage and load balancers are added to the items below.
  const compute = pods.reduce((s, [, it]) => s + it.cost.total, 0);
  const items = pods.map(([, it]) => it);
  const region = clusterRegion(nodes);
  const storage = costStorage(ctx, items, claimIndex(pods), region);
  const loadBalancers = costLoadBalancers(ctx, items, new Map(pods), region);
  const node = sumNodes(nodes);

  const overheadItems = items.filter((it) => it.overhead);
  const tenants = items.filter((it) => !it.overhead);
  const sumOf = (list: CostItem[]): number => list.reduce((s, it) => s + it.cost.total, 0);
  const overheadTotal = node.reserved + sumOf(overheadItems);
  const shared = opts.shareOverhead === true && shareOut(tenants, overheadTotal, notes);
  const idle = node.cost - node.reserved - compute;
  const clusterTotal = node.cost + storage.total + loadBalancers;
  const costLabels = opts.costLabels ?? DEFAULT_COST_LABELS;
  const labels: Record<string, CostGroup[]> = {};
  for (const key of opts.labelKeys ?? costLabels)
    labels[key] = group(
      tenants,
      (it) => labelValue(state, it, key) ?? UNALLOCATED,
      (k) => k,
      perMonth,
    ).map((g) => g.group);
  const coverage = usageCoverage(items);
  const namespaces = group(
    tenants,
    (it) => it.namespace,
    (k) => k,
    perMonth,
  ).map((g) => g.group);
  const workloadIdle = tenants.reduce((s, it) => s + it.workloadIdle, 0);
  return {
    window: {
      start: usage.window.start.toISOString(),
      end: usage.window.end.toISOString(),
      stepSeconds: usage.window.stepSeconds,
      hours: t.hours,
    },
    usage: { source: usage.source, confidence: usage.confidence, partial: usage.partial, coverage },
    pricing: sheet.sources,
    cluster: {
      cost: clusterTotal,
      monthly: clusterTotal * perMonth,
      nodes: node.cost,
      storage: storage.total,
      loadBalancers,
    },
    nodes: [...nodes.values()],
    allocated: namespaces.reduce((a, g) => addCost(a, g.cost), ZERO_COST),
    overhead: {
      cost: overheadTotal,
      monthly: overheadTotal * perMonth,
      reserved: node.reserved,
      daemonSets: sumOf(overheadItems.filter((it) => it.overhead === "daemonset")),
      systemNamespaces: sumOf(overheadItems.filter((it) => it.overhead === "system-namespace")),
      shared,
      workloads: workloadGroups(overheadItems, perMonth),
    },
    idle: { cost: idle, monthly: idle * perMonth, overAllocated: idle < 0 },
    unclaimedVolumes: { ...storage.unclaimed, monthly: storage.unclaimed.cost * perMonth },
    workloadIdle: { cost: workloadIdle, monthly: workloadIdle * perMonth },
    namespaces,
    workloads: workloadGroups(tenants, perMonth),
    items,
    labels,
    unlabeled: unlabeledShares(state, tenants, costLabels, perMonth),
    notes: [...new Set(notes)],
  };
}

function usageCoverage(items: readonly CostItem[]): number {
  let steps = 0;
  let points = 0;
  for (const it of items) {
    for (const c of it.containers) {
      steps += c.steps;
      points += c.usagePoints;
    }
  }
  return steps > 0 ? points / steps : 0;
}

/**
 * The reconciliation identity: cluster cost against the sum of its parts (namespaces, overhead
 * unless shared, idle, unclaimed volumes). `difference` is float noise only.
 */
export function reconcile(r: AllocationResult): { cluster: number; parts: number; difference: number } {
  const parts =
    r.namespaces.reduce((s, g) => s + g.total, 0) +
    (r.overhead.shared ? 0 : r.overhead.cost) +
    r.idle.cost +
    r.unclaimedVolumes.cost;
  return { cluster: r.cluster.cost, parts, difference: r.cluster.cost - parts };
}

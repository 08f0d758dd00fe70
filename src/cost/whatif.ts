/**
 * What-if re-pack: apply a set of request changes (right-sizing recommendations) to the pods
 * of a ClusterState and re-pack each node pool onto the fewest nodes, the way the cluster
 * autoscaler would judge scale-down, to say how many nodes each pool could lose, what that
 * saves per month, and what keeps the rest.
 *
 * Model, per pool:
 * - DaemonSet pods and static (mirror) pods are per-node overhead: they stay on every node and
 *   are never moved; a node with nothing else on it is freed.
 * - Pods that cannot move stay put and keep their node (the cluster autoscaler's rules):
 *   `cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`, a PodDisruptionBudget that
 *   allows no disruption, no controller, kube-system pods without a PDB, and pods with local
 *   storage (emptyDir, hostPath). `safe-to-evict: "true"` lifts the last three.
 * - Every other pod is re-packed first-fit decreasing: pods sorted by dominant resource share
 *   (largest first), nodes in a fixed order (nodes that stay anyway first, then the largest),
 *   each pod on the first node that fits its CPU, memory and GPU requests and the pod limit
 *   and whose taints, labels and required node affinity admit it.
 * - When requests grow beyond what the pool holds, nodes like the pool's most common node are
 *   added (a negative saving).
 *
 * Supported scheduling constraints: NoSchedule/NoExecute taints against tolerations
 * (PreferNoSchedule is a preference and ignored), nodeSelector, and required node affinity
 * (nodeSelectorTerms, ORed; matchExpressions In/NotIn/Exists/DoesNotExist/Gt/Lt on node
 * labels and matchFields on metadata.name, ANDed). Not modelled: toleration values and
 * operators (the projection keeps key and effect only, so a toleration of the right key and
 * effect is taken to match any value), preferred affinity, inter-pod (anti-)affinity, topology
 * spread constraints, host-port conflicts, ephemeral storage, pod overhead, sidecar
 * init containers, and pending pods (only pods bound to a node are packed). Pods with
 * anti-affinity or topology spread are counted in the result's notes.
 *
 * Speed: nodes are grouped by pool; pods by a scheduling signature (tolerations, node
 * selector, affinity), each evaluated once against the pool's nodes; signatures with the same
 * set of admissible nodes share one segment tree of remaining capacity, so first-fit finds the
 * leftmost fitting node in about O(log nodes) rather than scanning every node per pod.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Labels } from "../state/selector.js";
import type { Node, Pod, PodDisruptionBudget, Taint } from "../state/types.js";
import { nodePool } from "./node-topology.js";

/** New requests for one container: CPU in millicores, memory in bytes; absent keeps the current one. */
export interface RequestChange {
  readonly cpu?: number;
  readonly memory?: number;
}

/** Changes keyed by changeKey(namespace, workload, container). */
export type RequestChanges = ReadonlyMap<string, RequestChange>;

/**
 * The key of a container's change: the workload is the top of the pod's owner chain
 * (Deployment, StatefulSet, DaemonSet, CronJob's Job...) by name, or the pod's own name.
 */
export function changeKey(namespace: string, workload: string, container: string): string {
  return `${namespace}/${workload}/${container}`;
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";
  readonly values?: readonly string[];
}

/** One nodeSelectorTerm: its requirements are ANDed. */
export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
  /** Only `metadata.name` is a valid field. */
  readonly matchFields?: readonly NodeSelectorRequirement[];
}

/** requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: the terms are ORed. */
export type RequiredNodeAffinity = readonly NodeSelectorTerm[];

export type BlockReason =
  | "safe-to-evict-false"
  | "pdb"
  | "no-controller"
  | "kube-system"
  | "local-storage"
  | "no-compatible-node"
  | "fits-no-node";

export const BLOCK_REASON_TEXT: Readonly<Record<BlockReason, string>> = {
  "safe-to-evict-false": 'annotated cluster-autoscaler.kubernetes.io/safe-to-evict: "false"',
  pdb: "a PodDisruptionBudget allows no disruption",
  "no-controller": "no controller would recreate it",
  "kube-system": "kube-system pod without a PodDisruptionBudget",
  "local-storage": "uses local storage (emptyDir or hostPath)",
  "no-compatible-node": "no other node in the pool admits it (taints, labels, affinity)",
  "fits-no-node": "its new requests fit no node of the pool",
};

export interface WhatIfOptions {
  /** On-demand or spot price of a node per hour (wire to the price sheet). */
  readonly nodeHourlyPrice: (node: Node) => number;
  /** Default 730 (365 × 24 / 12). */
  readonly hoursPerMonth?: number;
  /** The node's pool; default nodePool() (the well-known pool labels, else "default"). */
  readonly poolOf?: (node: Node) => string;
  /** Pods with emptyDir or hostPath volumes stay put (the cluster autoscaler's default). Default true. */
  readonly localStorageBlocks?: boolean;
  /**
   * A pod's required node affinity. The default reads a `requiredNodeAffinity` field on the
   * pod projection when there is one (the state projection does not keep affinity yet).
   */
  readonly nodeAffinityOf?: (pod: Pod) => RequiredNodeAffinity | undefined;
  /** Examples kept per blocking reason. Default 3. */
  readonly examples?: number;
}

export interface ResourceTotals {
  /** Millicores. */
  cpu: number;
  /** Bytes. */
  memory: number;
  gpu: number;
  pods: number;
}

export interface Blocker {
  readonly reason: BlockReason;
  readonly text: string;
  /** Pods that stay put for this reason (each pod is counted under its first reason). */
  readonly pods: number;
  /** Nodes that hold at least one such pod. */
  readonly nodes: number;
  /** `namespace/pod on node`, up to `examples`. */
  readonly examples: readonly string[];
}

export interface PoolWhatIf {
  readonly pool: string;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  /** max(0, before − after). */
  readonly nodesFreed: number;
  /** Nodes that had to be added because requests grew. */
  readonly nodesAdded: number;
  /** Names of the nodes that end with no pods but DaemonSet/static pods, sorted. */
  readonly freedNodes: readonly string[];
  readonly monthlyCostBefore: number;
  readonly monthlyCostAfter: number;
  readonly monthlySavings: number;
  readonly allocatable: ResourceTotals;
  readonly requestsBefore: ResourceTotals;
  readonly requestsAfter: ResourceTotals;
  /** DaemonSet and static pods (per-node overhead). */
  readonly daemonPods: number;
  readonly movablePods: number;
  readonly pinnedPods: number;
  /** Movable pods that end on another node than today. */
  readonly podsMoved: number;
  /** Nodes the pool would need if no pod were pinned: nodesAfter − this is what the blockers cost. */
  readonly nodesAfterIfUnblocked: number;
  readonly blockers: readonly Blocker[];
}

export interface WhatIfResult {
  readonly pools: readonly PoolWhatIf[];
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  readonly nodesFreed: number;
  readonly monthlySavings: number;
  /** Changes that matched at least one container. */
  readonly changesApplied: number;
  /** Change keys that matched no container, sorted. */
  readonly changesUnmatched: readonly string[];
  readonly notes: readonly string[];
}

// --- pools and pod classification --------------------------------------------------------

const SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
const MIRROR = "kubernetes.io/config.mirror";
const TERMINAL = new Set(["Succeeded", "Failed"]);
const DEFAULT_MAX_PODS = 110;

/** A pod reduced to what packing needs. */
interface Item {
  readonly pod: Pod;
  readonly cpu: number;
  readonly mem: number;
  readonly gpu: number;
  /** Pool-local index of the node it runs on. */
  readonly node: number;
  dominant: number;
  /** Scheduling signature id (pool-local), then class id. */
  sig: number;
  reason: BlockReason | undefined;
}

interface PoolInput {
  readonly name: string;
  readonly nodes: Node[];
  readonly daemon: Item[];
  readonly pinned: Item[];
  readonly movable: Item[];
}

interface Ctx {
  readonly state: ClusterState;
  readonly changes: RequestChanges;
  readonly matched: Set<string>;
  readonly localStorageBlocks: boolean;
  readonly pdbCache: Map<string, Map<Labels, PodDisruptionBudget[]>>;
  readonly pdbBlocks: Map<PodDisruptionBudget, boolean>;
}

function requestsOf(ctx: Ctx, pod: Pod): [number, number, number] {
  const workload = ctx.changes.size > 0 ? ctx.state.topOwner(pod).name : "";
  let cpu = 0;
  let mem = 0;
  let gpu = 0;
  for (const c of pod.containers) {
    const ch = change(ctx, pod.namespace, workload, c.name);
    cpu += ch?.cpu ?? c.requests.cpu ?? 0;
    mem += ch?.memory ?? c.requests.memory ?? 0;
    gpu += c.requests.gpu ?? c.limits.gpu ?? 0;
  }
  // Init containers run one at a time before the others: the pod needs the largest of them.
  for (const c of pod.initContainers) {
    const ch = change(ctx, pod.namespace, workload, c.name);
    cpu = Math.max(cpu, ch?.cpu ?? c.requests.cpu ?? 0);
    mem = Math.max(mem, ch?.memory ?? c.requests.memory ?? 0);
    gpu = Math.max(gpu, c.requests.gpu ?? c.limits.gpu ?? 0);
  }
  return [cpu, mem, gpu];
}

function change(ctx: Ctx, namespace: string, workload: string, container: string): RequestChange | undefined {
  if (ctx.changes.size === 0) return undefined;
  const key = changeKey(namespace, workload, container);
  const ch = ctx.changes.get(key);
  if (ch) ctx.matched.add(key);
  return ch;
}

function isDaemon(pod: Pod): boolean {
  const kind = pod.owner?.kind;
  return kind === "DaemonSet" || kind === "Node" || pod.annotations[MIRROR] !== undefined;
}

function pdbsOf(ctx: Ctx, pod: Pod): PodDisruptionBudget[] {
  let byLabels = ctx.pdbCache.get(pod.namespace);
  if (!byLabels) ctx.pdbCache.set(pod.namespace, (byLabels = new Map()));
  let list = byLabels.get(pod.labels);
  if (!list) byLabels.set(pod.labels, (list = ctx.state.pdbsFor(pod.namespace, pod.labels)));
  return list;
}

/** A PDB that allows no voluntary disruption now (from its status, else from its spec). */
function pdbBlocks(ctx: Ctx, pdb: PodDisruptionBudget): boolean {
  const hit = ctx.pdbBlocks.get(pdb);
  if (hit !== undefined) return hit;
  let blocks: boolean;
  if (pdb.hasStatus) blocks = pdb.disruptionsAllowed <= 0;
  else {
    const pods = ctx.state.pdbPods(pdb).length;
    const mu = pdb.maxUnavailable;
    const ma = pdb.minAvailable;
    blocks =
      mu === 0 ||
      mu === "0%" ||
      mu === "0" ||
      ma === "100%" ||
      (typeof ma === "number" && ma >= pods) ||
      (typeof ma === "string" && /^\d+$/.test(ma) && Number(ma) >= pods);
  }
  ctx.pdbBlocks.set(pdb, blocks);
  return blocks;
}

/** Why a (non-DaemonSet) pod cannot be moved, in the cluster autoscaler's order; undefined if it can. */
function blockReason(ctx: Ctx, pod: Pod): BlockReason | undefined {
  const safe = pod.annotations[SAFE_TO_EVICT];
  if (safe === "false") return "safe-to-evict-false";
  const pdbs = pdbsOf(ctx, pod);
  if (pdbs.some((b) => pdbBlocks(ctx, b))) return "pdb";
  if (safe === "true") return undefined;
  if (!pod.owner) return "no-controller";
  if (pod.namespace === "kube-system" && pdbs.length === 0) return "kube-system";
  if (ctx.localStorageBlocks && (pod.volumes.emptyDirs > 0 || pod.volumes.hostPaths.length > 0))
    return "local-storage";
  return undefined;
}

function groupPools(state: ClusterState, poolOf: (n: Node) => string): Map<string, PoolInput> {
  const pools = new Map<string, PoolInput>();
  for (const node of state.list("Node")) {
    const name = poolOf(node);
    let p = pools.get(name);
    if (!p) pools.set(name, (p = { name, nodes: [], daemon: [], pinned: [], movable: [] }));
    p.nodes.push(node);
  }
  return pools;
}

function classifyPods(ctx: Ctx, pools: Map<string, PoolInput>): void {
  const where = new Map<string, { pool: PoolInput; index: number }>();
  for (const p of pools.values()) p.nodes.forEach((n, index) => where.set(n.name, { pool: p, index }));
  for (const pod of ctx.state.list("Pod")) {
    if (!pod.nodeName || TERMINAL.has(pod.phase)) continue;
    const at = where.get(pod.nodeName);
    if (!at) continue;
    const [cpu, mem, gpu] = requestsOf(ctx, pod);
    const item: Item = { pod, cpu, mem, gpu, node: at.index, dominant: 0, sig: -1, reason: undefined };
    if (isDaemon(pod)) {
      at.pool.daemon.push(item);
      continue;
    }
    item.reason = blockReason(ctx, pod);
    (item.reason ? at.pool.pinned : at.pool.movable).push(item);
  }
}

// --- scheduling constraints -------------------------------------------------------------

function readAffinity(pod: Pod): RequiredNodeAffinity | undefined {
  const a = (pod as Pod & { requiredNodeAffinity?: RequiredNodeAffinity }).requiredNodeAffinity;
  return a && a.length > 0 ? a : undefined;
}

/** Tolerations as projected: "key:effect", "*" for an absent key (tolerates every key) or effect. */
export function tolerates(tolerations: readonly string[], taint: Taint): boolean {
  if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") return true;
  for (const t of tolerations) {
    const i = t.lastIndexOf(":");
    const key = t.slice(0, i);
    const effect = t.slice(i + 1);
    if ((key === "*" || key === taint.key) && (effect === "*" || effect === taint.effect)) return true;
  }
  return false;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const v = Number(value);
      const bound = Number(values[0]);
      if (value === undefined || !Number.isInteger(v) || !Number.isInteger(bound)) return false;
      return r.operator === "Gt" ? v > bound : v < bound;
    }
    default:
      return false;
  }
}

/** Whether a node satisfies required node affinity: any term whose requirements all hold. */
export function affinityMatches(affinity: RequiredNodeAffinity, node: Node): boolean {
  return affinity.some((term) => {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    // A term with no requirements matches no node (the API's rule).
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((r) => requirementMatches(r, node.labels[r.key])) &&
      fields.every((r) => requirementMatches(r, r.key === "metadata.name" ? node.name : undefined))
    );
  });
}

/** Whether a node admits a pod: taints, nodeSelector and required node affinity. */
export function nodeAdmits(
  node: Node,
  pod: Pick<Pod, "tolerations" | "nodeSelector">,
  affinity?: RequiredNodeAffinity,
): boolean {
  for (const t of node.taints) if (!tolerates(pod.tolerations, t)) return false;
  for (const k in pod.nodeSelector) if (node.labels[k] !== pod.nodeSelector[k]) return false;
  return affinity === undefined || affinityMatches(affinity, node);
}

function signatureOf(pod: Pod, affinity: RequiredNodeAffinity | undefined): string {
  return `${pod.tolerations.join(",")}|${JSON.stringify(pod.nodeSelector)}|${affinity ? JSON.stringify(affinity) : ""}`;
}

// --- capacity trees ---------------------------------------------------------------------

/**
 * A segment tree over an ordered list of nodes holding the maximum remaining CPU, memory, GPU
 * and pod slots of each subtree: the leftmost node that fits a pod is found by descending
 * only into subtrees whose maxima all fit.
 */
class CapacityTree {
  private readonly size: number;
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;
  private readonly gpu: Float64Array;
  private readonly pods: Float64Array;

  constructor(readonly nodes: readonly number[]) {
    let size = 1;
    while (size < nodes.length) size *= 2;
    this.size = size;
    this.cpu = new Float64Array(2 * size).fill(-Infinity);
    this.mem = new Float64Array(2 * size).fill(-Infinity);
    this.gpu = new Float64Array(2 * size).fill(-Infinity);
    this.pods = new Float64Array(2 * size).fill(-Infinity);
  }

  set(pos: number, rem: Remaining, node: number): void {
    let i = this.size + pos;
    this.cpu[i] = rem.cpu[node]!;
    this.mem[i] = rem.mem[node]!;
    this.gpu[i] = rem.gpu[node]!;
    this.pods[i] = rem.pods[node]!;
    for (i >>= 1; i >= 1; i >>= 1) {
      const l = 2 * i;
      const r = l + 1;
      this.cpu[i] = Math.max(this.cpu[l]!, this.cpu[r]!);
      this.mem[i] = Math.max(this.mem[l]!, this.mem[r]!);
      this.gpu[i] = Math.max(this.gpu[l]!, this.gpu[r]!);
      this.pods[i] = Math.max(this.pods[l]!, this.pods[r]!);
    }
  }

  /** The leftmost position that fits, or -1. */
  findFirst(cpu: number, mem: number, gpu: number): number {
    return this.descend(1, cpu, mem, gpu);
  }

  private descend(i: number, cpu: number, mem: number, gpu: number): number {
    if (this.cpu[i]! < cpu || this.mem[i]! < mem || this.gpu[i]! < gpu || this.pods[i]! < 1) return -1;
    if (i >= this.size) return i - this.size;
    const left = this.descend(2 * i, cpu, mem, gpu);
    return left >= 0 ? left : this.descend(2 * i + 1, cpu, mem, gpu);
  }
}

interface Remaining {
  cpu: Float64Array;
  mem: Float64Array;
  gpu: Float64Array;
  pods: Float64Array;
}

// --- packing ----------------------------------------------------------------------------

interface PackSetup {
  readonly nodes: readonly Node[];
  /** Nodes that may receive pods (schedulable and Ready). */
  readonly target: Uint8Array;
  /** Admissible nodes per signature (pool-local indexes, input order). */
  readonly admits: readonly Uint8Array[];
  readonly template: number;
  readonly prices: Float64Array;
}

interface PackResult {
  /** Per node: 1 when it stays (pinned or holding a placed pod). */
  readonly kept: Uint8Array;
  readonly added: number;
  /** Items that fit no node, even an empty one like the template. */
  readonly unplaced: Item[];
  readonly moved: number;
  /** The node order first-fit used. */
  readonly order: number[];
}

function fitsEmpty(it: Item, node: Node, overhead: ResourceTotals): boolean {
  const a = node.allocatable;
  return (
    (a.cpu ?? 0) - overhead.cpu >= it.cpu &&
    (a.memory ?? 0) - overhead.memory >= it.mem &&
    (a.gpu ?? 0) - overhead.gpu >= it.gpu &&
    (a.pods ?? DEFAULT_MAX_PODS) - overhead.pods >= 1
  );
}

/** Order: nodes that stay anyway first, then the largest, the cheapest, the fullest, by name. */
function nodeOrder(setup: PackSetup, kept: Uint8Array, load: Float64Array, ref: ResourceTotals): number[] {
  const size = setup.nodes.map((n) =>
    Math.max((n.allocatable.cpu ?? 0) / (ref.cpu || 1), (n.allocatable.memory ?? 0) / (ref.memory || 1)),
  );
  const idx: number[] = [];
  for (let i = 0; i < setup.nodes.length; i++) if (setup.target[i]) idx.push(i);
  return idx.sort(
    (a, b) =>
      kept[b]! - kept[a]! ||
      size[b]! - size[a]! ||
      setup.prices[a]! - setup.prices[b]! ||
      load[b]! - load[a]! ||
      (setup.nodes[a]!.name < setup.nodes[b]!.name ? -1 : 1),
  );
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** One tree per distinct admissible-node list; signature -> tree index. */
function buildTrees(setup: PackSetup, order: number[], rem: Remaining) {
  const trees: CapacityTree[] = [];
  const bySig: number[] = [];
  const byHash = new Map<string, number[]>();
  const membership: [number, number][][] = setup.nodes.map(() => []);
  for (const admits of setup.admits) {
    const list = order.filter((i) => admits[i]);
    const hash = `${list.length}:${list.slice(0, 8).join(",")}:${list.reduce((h, v) => (h * 31 + v) | 0, 7)}`;
    const candidates = byHash.get(hash) ?? [];
    let t = candidates.find((c) => sameList(trees[c]!.nodes, list));
    if (t === undefined) {
      t = trees.length;
      const tree = new CapacityTree(list);
      list.forEach((node, pos) => {
        tree.set(pos, rem, node);
        membership[node]!.push([t!, pos]);
      });
      trees.push(tree);
      byHash.set(hash, [...candidates, t]);
    }
    bySig.push(t);
  }
  return { trees, bySig, membership };
}

function pack(
  setup: PackSetup,
  fixed: readonly Item[],
  movable: readonly Item[],
  daemonLoad: Remaining,
  fixedOrder?: number[],
): PackResult {
  const n = setup.nodes.length;
  const rem: Remaining = {
    cpu: new Float64Array(n),
    mem: new Float64Array(n),
    gpu: new Float64Array(n),
    pods: new Float64Array(n),
  };
  const kept = new Uint8Array(n);
  const load = new Float64Array(n);
  setup.nodes.forEach((node, i) => {
    const a = node.allocatable;
    rem.cpu[i] = (a.cpu ?? 0) - daemonLoad.cpu[i]!;
    rem.mem[i] = (a.memory ?? 0) - daemonLoad.mem[i]!;
    rem.gpu[i] = (a.gpu ?? 0) - daemonLoad.gpu[i]!;
    rem.pods[i] = (a.pods ?? DEFAULT_MAX_PODS) - daemonLoad.pods[i]!;
  });
  for (const it of fixed) {
    take(rem, it.node, it);
    kept[it.node] = 1;
  }
  for (const it of movable) load[it.node]! += it.dominant;
  const order = fixedOrder ?? nodeOrder(setup, kept, load, poolReference(setup.nodes));
  const { trees, bySig, membership } = buildTrees(setup, order, rem);
  const virtual: Remaining & { count: number } = { ...emptyRemaining(0), count: 0 };
  const unplaced: Item[] = [];
  let moved = 0;
  for (const it of movable) {
    const tree = trees[bySig[it.sig]!]!;
    const pos = tree.findFirst(it.cpu, it.mem, it.gpu);
    if (pos >= 0) {
      const node = tree.nodes[pos]!;
      take(rem, node, it);
      kept[node] = 1;
      if (node !== it.node) moved++;
      for (const [t, p] of membership[node]!) trees[t]!.set(p, rem, node);
    } else if (placeVirtual(setup, it, virtual, daemonLoad)) moved++;
    else unplaced.push(it);
  }
  // A pod that fits nowhere stays where it is: its node stays.
  for (const it of unplaced) kept[it.node] = 1;
  return { kept, added: virtual.count, unplaced, moved, order };
}

function take(rem: Remaining, node: number, it: Item): void {
  rem.cpu[node]! -= it.cpu;
  rem.mem[node]! -= it.mem;
  rem.gpu[node]! -= it.gpu;
  rem.pods[node]! -= 1;
}

function emptyRemaining(n: number): Remaining {
  return {
    cpu: new Float64Array(n),
    mem: new Float64Array(n),
    gpu: new Float64Array(n),
    pods: new Float64Array(n),
  };
}

/** Places a pod on an added node like the template (linear over added nodes: there are few). */
function placeVirtual(
  setup: PackSetup,
  it: Item,
  v: Remaining & { count: number },
  daemonLoad: Remaining,
): boolean {
  const t = setup.template;
  if (t < 0 || !setup.admits[it.sig]![t]) return false;
  const overhead = {
    cpu: daemonLoad.cpu[t]!,
    memory: daemonLoad.mem[t]!,
    gpu: daemonLoad.gpu[t]!,
    pods: daemonLoad.pods[t]!,
  };
  const node = setup.nodes[t]!;
  if (!fitsEmpty(it, node, overhead)) return false;
  for (let i = 0; i < v.count; i++) {
    if (v.cpu[i]! >= it.cpu && v.mem[i]! >= it.mem && v.gpu[i]! >= it.gpu && v.pods[i]! >= 1) {
      take(v, i, it);
      return true;
    }
  }
  if (v.count === v.cpu.length) {
    const grown = emptyRemaining(Math.max(8, v.count * 2));
    for (const k of ["cpu", "mem", "gpu", "pods"] as const) {
      grown[k].set(v[k]);
      v[k] = grown[k];
    }
  }
  const a = node.allocatable;
  v.cpu[v.count] = (a.cpu ?? 0) - overhead.cpu;
  v.mem[v.count] = (a.memory ?? 0) - overhead.memory;
  v.gpu[v.count] = (a.gpu ?? 0) - overhead.gpu;
  v.pods[v.count] = (a.pods ?? DEFAULT_MAX_PODS) - overhead.pods;
  take(v, v.count, it);
  v.count++;
  return true;
}

function poolReference(nodes: readonly Node[]): ResourceTotals {
  const ref = { cpu: 0, memory: 0, gpu: 0, pods: 0 };
  for (const n of nodes) {
    ref.cpu = Math.max(ref.cpu, n.allocatable.cpu ?? 0);
    ref.memory = Math.max(ref.memory, n.allocatable.memory ?? 0);
    ref.gpu = Math.max(ref.gpu, n.allocatable.gpu ?? 0);
    ref.pods = Math.max(ref.pods, n.allocatable.pods ?? DEFAULT_MAX_PODS);
  }
  return ref;
}

/** The most common instance type's first schedulable node: the shape of nodes added. */
function templateNode(nodes: readonly Node[], target: Uint8Array): number {
  const counts = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (target[i]) counts.set(n.instanceType ?? "", (counts.get(n.instanceType ?? "") ?? 0) + 1);
  });
  let best = "";
  let most = 0;
  for (const [t, c] of counts) if (c > most || (c === most && t < best)) [best, most] = [t, c];
  return most === 0 ? -1 : nodes.findIndex((n, i) => target[i] && (n.instanceType ?? "") === best);
}

// --- per pool ---------------------------------------------------------------------------

interface PoolRun {
  readonly setup: PackSetup;
  readonly daemonLoad: Remaining;
  readonly hours: number;
  readonly examples: number;
}

function totals(items: readonly Item[]): ResourceTotals {
  const t = { cpu: 0, memory: 0, gpu: 0, pods: items.length };
  for (const it of items) {
    t.cpu += it.cpu;
    t.memory += it.mem;
    t.gpu += it.gpu;
  }
  return t;
}

function originalTotals(ctx: Ctx, items: readonly Item[]): ResourceTotals {
  const noChange: Ctx = { ...ctx, changes: new Map(), matched: new Set() };
  const t = { cpu: 0, memory: 0, gpu: 0, pods: items.length };
  for (const it of items) {
    const [cpu, mem, gpu] = requestsOf(noChange, it.pod);
    t.cpu += cpu;
    t.memory += mem;
    t.gpu += gpu;
  }
  return t;
}

function assignSignatures(
  p: PoolInput,
  items: readonly Item[],
  affinityOf: (pod: Pod) => RequiredNodeAffinity | undefined,
): Uint8Array[] {
  const sigIds = new Map<string, number>();
  const admits: Uint8Array[] = [];
  for (const it of items) {
    const affinity = affinityOf(it.pod);
    const sig = signatureOf(it.pod, affinity);
    let id = sigIds.get(sig);
    if (id === undefined) {
      id = admits.length;
      sigIds.set(sig, id);
      admits.push(Uint8Array.from(p.nodes, (node) => (nodeAdmits(node, it.pod, affinity) ? 1 : 0)));
    }
    it.sig = id;
  }
  return admits;
}

function blockersOf(items: readonly Item[], nodes: readonly Node[], examples: number): Blocker[] {
  const by = new Map<BlockReason, { pods: number; nodes: Set<number>; examples: string[] }>();
  for (const it of items) {
    const r = it.reason!;
    let b = by.get(r);
    if (!b) by.set(r, (b = { pods: 0, nodes: new Set(), examples: [] }));
    b.pods++;
    b.nodes.add(it.node);
    if (b.examples.length < examples)
      b.examples.push(`${it.pod.namespace}/${it.pod.name} on ${nodes[it.node]!.name}`);
  }
  return [...by]
    .map(([reason, b]) => ({
      reason,
      text: BLOCK_REASON_TEXT[reason],
      pods: b.pods,
      nodes: b.nodes.size,
      examples: b.examples,
    }))
    .sort((a, b) => b.nodes - a.nodes || b.pods - a.pods || (a.reason < b.reason ? -1 : 1));
}

function byDominantShare(items: Item[], ref: ResourceTotals): void {
  for (const it of items) {
    it.dominant = Math.max(
      ref.cpu > 0 ? it.cpu / ref.cpu : 0,
      ref.memory > 0 ? it.mem / ref.memory : 0,
      ref.gpu > 0 ? it.gpu / ref.gpu : 0,
      ref.pods > 0 ? 1 / ref.pods : 0,
    );
  }
  items.sort(
    (a, b) =>
      b.dominant - a.dominant ||
      (a.pod.namespace < b.pod.namespace ? -1 : a.pod.namespace > b.pod.namespace ? 1 : 0) ||
      (a.pod.name < b.pod.name ? -1 : a.pod.name > b.pod.name ? 1 : 0),
  );
}

/** Per node: what its DaemonSet and static pods request (they never move). */
function daemonLoadOf(n: number, daemon: readonly Item[]): Remaining {
  const d = emptyRemaining(n);
  for (const it of daemon) {
    d.cpu[it.node]! += it.cpu;
    d.mem[it.node]! += it.mem;
    d.gpu[it.node]! += it.gpu;
    d.pods[it.node]! += 1;
  }
  return d;
}

function simulatePool(
  ctx: Ctx,
  p: PoolInput,
  opts: WhatIfOptions,
  affinityOf: (pod: Pod) => RequiredNodeAffinity | undefined,
): PoolWhatIf {
  const n = p.nodes.length;
  const target = Uint8Array.from(p.nodes, (node) => (!node.unschedulable && node.ready === "True" ? 1 : 0));
  const admits = assignSignatures(p, [...p.movable, ...p.pinned], affinityOf);
  const prices = Float64Array.from(p.nodes, (node) => opts.nodeHourlyPrice(node));
  const setup: PackSetup = {
    nodes: p.nodes,
    target,
    admits,
    template: templateNode(p.nodes, target),
    prices,
  };
  const run: PoolRun = {
    setup,
    daemonLoad: daemonLoadOf(n, p.daemon),
    hours: opts.hoursPerMonth ?? 730,
    examples: opts.examples ?? 3,
  };
  // A movable pod that no schedulable node admits stays where it is.
  const placeable = admits.map((a) => a.some((ok, i) => ok === 1 && target[i] === 1));
  const movable: Item[] = [];
  const pinned = [...p.pinned];
  for (const it of p.movable) {
    if (placeable[it.sig]) movable.push(it);
    else {
      it.reason = "no-compatible-node";
      pinned.push(it);
    }
  }
  const ref = poolReference(p.nodes);
  byDominantShare(movable, ref);
  const result = pack(setup, pinned, movable, run.daemonLoad);
  for (const it of result.unplaced) it.reason = "fits-no-node";
  const unblockable = pinned.filter((it) => it.reason === "no-compatible-node");
  const freeable = [...movable, ...pinned.filter((it) => it.reason !== "no-compatible-node")];
  byDominantShare(freeable, ref);
  // The same node order, so the two packings differ only in what may move.
  const unblocked = pack(setup, unblockable, freeable, run.daemonLoad, result.order);
  return poolResult(ctx, p, run, { result, unblocked, movable, pinned });
}

function poolResult(
  ctx: Ctx,
  p: PoolInput,
  run: PoolRun,
  r: { result: PackResult; unblocked: PackResult; movable: Item[]; pinned: Item[] },
): PoolWhatIf {
  const { setup, hours } = run;
  const kept = r.result.kept;
  const keptCount = kept.reduce((s, v) => s + v, 0);
  const templatePrice = setup.template >= 0 ? setup.prices[setup.template]! : 0;
  let before = 0;
  let after = r.result.added * templatePrice;
  const freed: string[] = [];
  p.nodes.forEach((node, i) => {
    before += setup.prices[i]!;
    if (kept[i]) after += setup.prices[i]!;
    else freed.push(node.name);
  });
  const all = [...p.daemon, ...p.pinned, ...p.movable];
  const nodesAfter = keptCount + r.result.added;
  const blocked = [...r.pinned, ...r.result.unplaced];
  return {
    pool: p.name,
    nodesBefore: p.nodes.length,
    nodesAfter,
    nodesFreed: Math.max(0, p.nodes.length - nodesAfter),
    nodesAdded: r.result.added,
    freedNodes: freed.sort(),
    monthlyCostBefore: before * hours,
    monthlyCostAfter: after * hours,
    monthlySavings: (before - after) * hours,
    allocatable: poolAllocatable(p.nodes),
    requestsBefore: originalTotals(ctx, all),
    requestsAfter: totals(all),
    daemonPods: p.daemon.length,
    movablePods: r.movable.length - r.result.unplaced.length,
    pinnedPods: blocked.length,
    podsMoved: r.result.moved,
    // Both are heuristics: never claim that lifting pins costs nodes.
    nodesAfterIfUnblocked: Math.min(
      nodesAfter,
      r.unblocked.kept.reduce((s, v) => s + v, 0) + r.unblocked.added,
    ),
    blockers: blockersOf(blocked, p.nodes, run.examples),
  };
}

function poolAllocatable(nodes: readonly Node[]): ResourceTotals {
  const t = { cpu: 0, memory: 0, gpu: 0, pods: 0 };
  for (const n of nodes) {
    t.cpu += n.allocatable.cpu ?? 0;
    t.memory += n.allocatable.memory ?? 0;
    t.gpu += n.allocatable.gpu ?? 0;
    t.pods += n.allocatable.pods ?? DEFAULT_MAX_PODS;
  }
  return t;
}

function constraintNotes(state: ClusterState): string[] {
  let anti = 0;
  let spread = 0;
  let pending = 0;
  for (const pod of state.list("Pod")) {
    if (TERMINAL.has(pod.phase)) continue;
    if (!pod.nodeName) pending++;
    else if (pod.hasAntiAffinity) anti++;
    else if (pod.hasTopologySpread) spread++;
  }
  const notes: string[] = [];
  if (anti > 0) notes.push(`${anti} pods with pod anti-affinity were packed without it (not modelled)`);
  if (spread > 0)
    notes.push(`${spread} pods with topology spread constraints were packed without them (not modelled)`);
  if (pending > 0) notes.push(`${pending} pending pods are not bound to a node and were not packed`);
  notes.push(
    "toleration values are not compared: a toleration of the taint's key and effect is taken to match",
  );
  return notes;
}

/**
 * Applies request changes and re-packs every node pool. Pure: reads the state, returns the
 * result. Pools are sorted by monthly saving, largest first, then by name.
 */
export function simulate(state: ClusterState, changes: RequestChanges, opts: WhatIfOptions): WhatIfResult {
  const ctx: Ctx = {
    state,
    changes,
    matched: new Set(),
    localStorageBlocks: opts.localStorageBlocks ?? true,
    pdbCache: new Map(),
    pdbBlocks: new Map(),
  };
  const pools = groupPools(state, opts.poolOf ?? nodePool);
  classifyPods(ctx, pools);
  const affinityOf = opts.nodeAffinityOf ?? readAffinity;
  const results = [...pools.values()]
    .map((p) => simulatePool(ctx, p, opts, affinityOf))
    .sort((a, b) => b.monthlySavings - a.monthlySavings || (a.pool < b.pool ? -1 : 1));
  const sum = (f: (r: PoolWhatIf) => number): number => results.reduce((s, r) => s + f(r), 0);
  return {
    pools: results,
    nodesBefore: sum((r) => r.nodesBefore),
    nodesAfter: sum((r) => r.nodesAfter),
    nodesFreed: sum((r) => r.nodesFreed),
    monthlySavings: sum((r) => r.monthlySavings),
    changesApplied: ctx.matched.size,
    changesUnmatched: [...changes.keys()].filter((k) => !ctx.matched.has(k)).sort(),
    notes: constraintNotes(state),
  };
}

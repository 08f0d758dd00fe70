/**
 * Autoscaling tuning: HPA recommendations (min/max replicas, target utilisation, scale-down
 * stabilisation against flapping) and node-pool hints (request utilisation per pool,
 * cluster-autoscaler scale-down blockers per node). Plain data, pure functions of
 * ClusterState and (optionally) UsageData.
 *
 * The rules in src/checks/autoscaling.ts report HPAs that are broken or at max right now;
 * this module says what to change and by how much, from the window's history.
 *
 * Replica history comes from usage: the number of the target's pods with a CPU sample at a
 * step is its replica count then. Flapping comes from SuccessfulRescale events (and from
 * replica changes in that history).
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { HorizontalPodAutoscaler, KubeEvent, Node, Pod } from "../state/types.js";
import type { UsageData } from "./types.js";
import { percentileSorted, pooledSorted, stepTotals } from "./rightsize-strategy.js";

export interface HpaTuningSettings {
  /** Share of the window an HPA must spend at a bound for "always at max/min". */
  readonly atBoundShare: number;
  /** "Low utilisation" at min: the p95 utilisation below this share of the target. */
  readonly lowUtilisationShare: number;
  /** Rescales per hour (both directions) from which an HPA is flapping. */
  readonly flappingPerHour: number;
  /** Recommended scaleDown stabilizationWindowSeconds when flapping (the default is 300). */
  readonly stabilisationSeconds: number;
  /** Targets outside this range are flagged (percent). */
  readonly targetLow: number;
  readonly targetHigh: number;
  /** Target assumed when `hpaTargets` cannot say (see RightsizeSettings.hpaDefaultTarget). */
  readonly defaultTarget: number;
  readonly hpaTargets?: (hpa: {
    namespace: string;
    name: string;
  }) => { cpu?: number; memory?: number } | undefined;
  /** The cluster autoscaler's --scale-down-utilization-threshold (0.5). */
  readonly scaleDownUtilisation: number;
}

export const DEFAULT_HPA_TUNING_SETTINGS: HpaTuningSettings = Object.freeze({
  atBoundShare: 0.9,
  lowUtilisationShare: 0.5,
  flappingPerHour: 4,
  stabilisationSeconds: 600,
  targetLow: 50,
  targetHigh: 90,
  defaultTarget: 80,
  scaleDownUtilisation: 0.5,
});

export type HpaFindingKind =
  "always-at-max" | "always-at-min-low-utilisation" | "flapping" | "target-too-high" | "target-too-low";

export interface HpaFinding {
  readonly namespace: string;
  readonly hpa: string;
  readonly target: string;
  readonly kind: HpaFindingKind;
  readonly message: string;
  readonly field: "maxReplicas" | "minReplicas" | "target" | "behavior";
  readonly current?: number;
  readonly recommended: number;
  /** A merge patch for the HPA that applies the recommendation (absent for targets: spec.metrics is replaced whole). */
  readonly patch?: Record<string, unknown>;
  readonly evidence: Readonly<Record<string, number | string | boolean>>;
}

export interface ReplicaHistory {
  readonly steps: number;
  readonly atMax: number;
  readonly atMin: number;
  readonly changes: number;
  readonly hours: number;
  /** p95 of CPU usage per pod over the sum of its CPU requests (0..), when requests are known. */
  readonly p95Utilisation?: number;
  /** p95 of the workload's total CPU usage, millicores. */
  readonly p95LoadMillis: number;
}

export interface PoolUtilisation {
  readonly pool: string;
  readonly nodes: number;
  readonly instanceTypes: readonly string[];
  readonly capacityTypes: readonly string[];
  /** Millicores and bytes. */
  readonly allocatableCpu: number;
  readonly allocatableMemory: number;
  readonly requestedCpu: number;
  readonly requestedMemory: number;
  readonly cpuUtilisation: number;
  readonly memoryUtilisation: number;
  /** Mean usage of the pods on the pool's nodes over the window, when usage is given. */
  readonly usedCpu?: number;
  readonly usedMemory?: number;
  readonly hints: readonly string[];
}

export type BlockerReason =
  | "pdb-no-disruptions"
  | "local-storage"
  | "no-controller"
  | "safe-to-evict-false"
  | "kube-system-no-pdb"
  | "node-scale-down-disabled";

export interface ScaleDownBlocker {
  readonly reason: BlockerReason;
  /** namespace/name of the pod (empty for node-level blockers). */
  readonly pod: string;
  readonly detail: string;
}

export interface NodeScaleDown {
  readonly node: string;
  readonly pool: string;
  /** max(CPU, memory) requests over allocatable, as the cluster autoscaler computes it. */
  readonly utilisation: number;
  /** Below the scale-down utilisation threshold: the autoscaler would consider removing it. */
  readonly candidate: boolean;
  readonly blockers: readonly ScaleDownBlocker[];
}

export interface AutoscalingTuning {
  readonly hpas: readonly HpaFinding[];
  readonly pools: readonly PoolUtilisation[];
  readonly nodes: readonly NodeScaleDown[];
  readonly notes: readonly string[];
}

const HOUR = 3_600_000;

/** Where an HPA's target utilisation came from: the caller's hook, the HPA object, or the default. */
export type HpaTargetSource = "settings" | "hpa" | "assumed";

export interface HpaUtilisationTarget {
  /** Percent of the pods' requests. */
  readonly target: number;
  readonly source: HpaTargetSource;
  /**
   * The metric's target type on the HPA (Utilization, AverageValue, Value; "" when unset or
   * the HPA has no such metric). With AverageValue or Value replicas do not follow requests.
   */
  readonly targetType: string;
  /** The metric's averageValue or value (cores, bytes), for AverageValue / Value targets. */
  readonly value?: number;
}

/**
 * An HPA's target for a Resource metric (cpu or memory): the `hpaTargets` hook when it
 * answers, else the HPA's own averageUtilization (spec.metrics), else `fallback` (assumed).
 */
export function hpaUtilisationTarget(
  hpa: HorizontalPodAutoscaler,
  resource: "cpu" | "memory",
  fallback: number,
  hook?: HpaTuningSettings["hpaTargets"],
): HpaUtilisationTarget {
  const m = hpa.metricTargets.find((t) => t.type === "Resource" && t.name === resource);
  const targetType = m?.targetType ?? "";
  const value = m?.averageValue ?? m?.value;
  const fromHook = hook?.({ namespace: hpa.namespace, name: hpa.name })?.[resource];
  if (fromHook !== undefined) return { target: fromHook, source: "settings", targetType };
  if (m?.averageUtilization !== undefined) return { target: m.averageUtilization, source: "hpa", targetType };
  return { target: fallback, source: "assumed", targetType, ...(value !== undefined ? { value } : {}) };
}
const SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
const SCALE_DOWN_DISABLED = "cluster-autoscaler.kubernetes.io/scale-down-disabled";

/** Replica counts per step of an HPA's target, from the steps at which its pods have CPU samples. */
export function replicaHistory(
  state: ClusterState,
  hpa: HorizontalPodAutoscaler,
  usage: UsageData,
): ReplicaHistory | undefined {
  const target = state.hpaTarget(hpa);
  if (!target) return undefined;
  const names = new Set(state.podsOf(target).map((p) => p.name));
  const escaped = target.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // Pods gone from the state, by the names their controllers give them.
  const shape = new RegExp(`^${escaped}-(?:[a-z0-9]{5,10}-[a-z0-9]{5}|\\d+)$`);
  const cpu: Float64Array[] = [];
  const podOf: string[] = [];
  for (const s of usage.containers.values()) {
    if (s.namespace !== hpa.namespace || !(names.has(s.pod) || shape.test(s.pod))) continue;
    cpu.push(s.cpu);
    podOf.push(s.pod);
  }
  if (cpu.length === 0) return undefined;
  // Pods at a step: a pod counts once however many containers it has.
  const n = cpu.reduce((m, s) => Math.max(m, s.length), 0);
  const pods = new Uint32Array(n);
  const byPod = new Map<string, Float64Array[]>();
  cpu.forEach((s, i) => {
    const arr = byPod.get(podOf[i]!);
    if (arr) arr.push(s);
    else byPod.set(podOf[i]!, [s]);
  });
  for (const series of byPod.values()) {
    const { counts } = stepTotals(series);
    for (let i = 0; i < n; i++) if ((counts[i] ?? 0) > 0) pods[i]!++;
  }
  const { totals, counts } = stepTotals(cpu);
  let steps = 0;
  let atMax = 0;
  let atMin = 0;
  let changes = 0;
  let prev = -1;
  const perPod: number[] = [];
  const load: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = pods[i]!;
    if (r === 0 || counts[i] === 0) continue;
    steps++;
    if (r >= hpa.maxReplicas) atMax++;
    if (r <= hpa.minReplicas) atMin++;
    if (prev >= 0 && r !== prev) changes++;
    prev = r;
    load.push(totals[i]! * 1000);
    perPod.push((totals[i]! * 1000) / r);
  }
  if (steps === 0) return undefined;
  const template = (target as { template?: { containers: readonly { requests: { cpu?: number } }[] } })
    .template;
  const reqs = template?.containers.map((c) => c.requests.cpu);
  const reqSum = reqs && reqs.every((v) => v !== undefined) ? reqs.reduce((t, v) => t + v!, 0) : undefined;
  const p95PerPod = percentileSorted(pooledSorted([Float64Array.from(perPod)]), 95);
  return {
    steps,
    atMax,
    atMin,
    changes,
    hours: (steps * usage.window.stepSeconds) / 3600,
    ...(reqSum ? { p95Utilisation: p95PerPod / reqSum } : {}),
    p95LoadMillis: percentileSorted(pooledSorted([Float64Array.from(load)]), 95),
  };
}

/** SuccessfulRescale events of an HPA: total count, rescales per hour, and the directions seen. */
export function rescaleRate(
  events: readonly KubeEvent[],
  hpa: { namespace: string; name: string },
): { count: number; perHour: number; up: boolean; down: boolean; hours: number } {
  let count = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let up = false;
  let down = false;
  for (const e of events) {
    if (e.reason !== "SuccessfulRescale" || e.involved.kind !== "HorizontalPodAutoscaler") continue;
    if (e.involved.namespace !== hpa.namespace || e.involved.name !== hpa.name) continue;
    count += Math.max(1, e.count);
    const seen = e.lastSeen ?? e.createdAt;
    if (Number.isFinite(e.createdAt)) first = Math.min(first, e.createdAt);
    if (seen !== undefined && Number.isFinite(seen)) {
      last = Math.max(last, seen);
      first = Math.min(first, seen);
    }
    if (/above target/i.test(e.message)) up = true;
    if (/below target/i.test(e.message)) down = true;
  }
  const hours = Number.isFinite(first) && Number.isFinite(last) ? Math.max(1, (last - first) / HOUR) : 1;
  return { count, perHour: count / hours, up, down, hours };
}

function hpaRef(h: HorizontalPodAutoscaler): Pick<HpaFinding, "namespace" | "hpa" | "target"> {
  return { namespace: h.namespace, hpa: h.name, target: `${h.target.kind}/${h.target.name}` };
}

function boundFindings(
  h: HorizontalPodAutoscaler,
  hist: ReplicaHistory,
  target: number,
  s: HpaTuningSettings,
): HpaFinding[] {
  const out: HpaFinding[] = [];
  const evidence = { steps: hist.steps, atMax: hist.atMax, atMin: hist.atMin, hours: Math.round(hist.hours) };
  if (h.maxReplicas > h.minReplicas && hist.atMax / hist.steps >= s.atBoundShare) {
    const recommended = Math.max(h.maxReplicas + 1, Math.ceil(h.maxReplicas * 1.5));
    out.push({
      ...hpaRef(h),
      kind: "always-at-max",
      message: `at maxReplicas ${h.maxReplicas} for ${Math.round((100 * hist.atMax) / hist.steps)}% of the window: raise maxReplicas to ${recommended} (and check the pool can hold them)`,
      field: "maxReplicas",
      current: h.maxReplicas,
      recommended,
      patch: { spec: { maxReplicas: recommended } },
      evidence,
    });
  }
  const util = hist.p95Utilisation;
  if (
    h.minReplicas > 1 &&
    util !== undefined &&
    hist.atMin / hist.steps >= s.atBoundShare &&
    util < (s.lowUtilisationShare * target) / 100
  ) {
    // Replicas the p95 load needs at the target: ceil(load / (target x request per pod)).
    const perPodThreshold = (hist.p95LoadMillis / Math.max(1, h.minReplicas) / util) * (target / 100);
    const needed = Math.ceil(hist.p95LoadMillis / perPodThreshold - 1e-9);
    const recommended = Math.max(h.minReplicas >= 2 ? 2 : 1, needed);
    if (recommended < h.minReplicas)
      out.push({
        ...hpaRef(h),
        kind: "always-at-min-low-utilisation",
        message: `at minReplicas ${h.minReplicas} for ${Math.round((100 * hist.atMin) / hist.steps)}% of the window with p95 CPU utilisation ${Math.round(util * 100)}% (target ${target}%): lower minReplicas to ${recommended}`,
        field: "minReplicas",
        current: h.minReplicas,
        recommended,
        patch: { spec: { minReplicas: recommended } },
        evidence: { ...evidence, p95Utilisation: Math.round(util * 1000) / 1000, target },
      });
  }
  return out;
}

function targetFindings(h: HorizontalPodAutoscaler, s: HpaTuningSettings): HpaFinding[] {
  const out: HpaFinding[] = [];
  for (const res of ["cpu", "memory"] as const) {
    if (!h.metrics.includes(`Resource:${res}`)) continue;
    const known = hpaUtilisationTarget(h, res, s.defaultTarget, s.hpaTargets);
    if (known.source === "assumed") continue;
    const t = known.target;
    const high = t > s.targetHigh;
    if (!high && t >= s.targetLow) continue;
    const recommended = high ? 80 : 70;
    out.push({
      ...hpaRef(h),
      kind: high ? "target-too-high" : "target-too-low",
      message: high
        ? `${res} target ${t}% leaves no headroom while new pods start: lower it to ${recommended}%`
        : `${res} target ${t}% keeps most of every replica's request idle: raise it to ${recommended}% (and right-size requests with it)`,
      field: "target",
      current: t,
      recommended,
      evidence: { resource: res, target: t, targetFrom: known.source },
    });
  }
  return out;
}

function flappingFinding(
  h: HorizontalPodAutoscaler,
  events: readonly KubeEvent[],
  hist: ReplicaHistory | undefined,
  s: HpaTuningSettings,
): HpaFinding | undefined {
  const ev = rescaleRate(events, h);
  const fromEvents = ev.perHour >= s.flappingPerHour && ev.up === ev.down;
  const histRate = hist && hist.hours > 0 ? hist.changes / hist.hours : 0;
  const fromHistory = histRate >= s.flappingPerHour;
  if (!fromEvents && !fromHistory) return undefined;
  // The HPA's own scale-down window (the API default is 300s when behavior does not set it).
  const configured = h.behavior.scaleDown?.stabilizationWindowSeconds;
  const current = configured ?? 300;
  // Already at or above the recommendation and still flapping: double it, up to an hour.
  const recommended =
    current >= s.stabilisationSeconds
      ? Math.min(3600, Math.max(current * 2, s.stabilisationSeconds))
      : s.stabilisationSeconds;
  if (recommended <= current) return undefined;
  return {
    ...hpaRef(h),
    kind: "flapping",
    message: fromEvents
      ? `${ev.count} rescales in ${Math.round(ev.hours * 10) / 10}h (${Math.round(ev.perHour * 10) / 10}/h, up and down): set behavior.scaleDown.stabilizationWindowSeconds to ${recommended} and limit scale-down to 50% per minute`
      : `replicas changed ${hist!.changes} times in ${Math.round(hist!.hours)}h: set behavior.scaleDown.stabilizationWindowSeconds to ${recommended}`,
    field: "behavior",
    current,
    recommended,
    patch: {
      spec: {
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: recommended,
            policies: [{ type: "Percent", value: 50, periodSeconds: 60 }],
          },
        },
      },
    },
    evidence: {
      rescaleEvents: ev.count,
      perHour: Math.round(ev.perHour * 100) / 100,
      up: ev.up,
      down: ev.down,
      stabilizationWindowSeconds: current,
      stabilizationWindowFrom: configured !== undefined ? "hpa" : "default",
      ...(hist ? { replicaChanges: hist.changes, historyHours: Math.round(hist.hours) } : {}),
    },
  };
}

/** HPA findings with recommendations. */
export function hpaFindings(
  state: ClusterState,
  usage: UsageData | undefined,
  settings: Partial<HpaTuningSettings> = {},
): HpaFinding[] {
  const s = { ...DEFAULT_HPA_TUNING_SETTINGS, ...settings };
  const events = state.list("Event");
  const out: HpaFinding[] = [];
  for (const h of state.list("HorizontalPodAutoscaler")) {
    const hist = usage ? replicaHistory(state, h, usage) : undefined;
    const target = hpaUtilisationTarget(h, "cpu", s.defaultTarget, s.hpaTargets).target;
    if (hist) out.push(...boundFindings(h, hist, target, s));
    out.push(...targetFindings(h, s));
    const flap = flappingFinding(h, events, hist, s);
    if (flap) out.push(flap);
  }
  return out;
}

function isTerminal(p: Pod): boolean {
  return p.phase === "Succeeded" || p.phase === "Failed";
}

function isMirror(p: Pod): boolean {
  return p.annotations["kubernetes.io/config.mirror"] !== undefined || p.owner?.kind === "Node";
}

function podRequests(p: Pod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of p.containers) {
    cpu += c.requests.cpu ?? 0;
    memory += c.requests.memory ?? 0;
  }
  // Init containers run one at a time before the others: the effective request is the larger.
  for (const c of p.initContainers) {
    cpu = Math.max(cpu, c.requests.cpu ?? 0);
    memory = Math.max(memory, c.requests.memory ?? 0);
  }
  return { cpu, memory };
}

export function poolOf(n: Node): string {
  return n.pool ?? "default";
}

/** Why the cluster autoscaler would not move a pod off its node, as its drain simulation decides. */
export function podBlockers(state: ClusterState, p: Pod): ScaleDownBlocker[] {
  if (isTerminal(p) || isMirror(p) || p.owner?.kind === "DaemonSet") return [];
  const id = `${p.namespace}/${p.name}`;
  const safe = p.annotations[SAFE_TO_EVICT];
  if (safe === "true") return [];
  const out: ScaleDownBlocker[] = [];
  if (safe === "false")
    out.push({ reason: "safe-to-evict-false", pod: id, detail: `annotated ${SAFE_TO_EVICT}: "false"` });
  if (!p.owner)
    out.push({
      reason: "no-controller",
      pod: id,
      detail: "not managed by a controller: it would not come back",
    });
  const local = p.volumes.emptyDirs + p.volumes.hostPaths.length;
  if (local > 0)
    out.push({
      reason: "local-storage",
      pod: id,
      detail: `${p.volumes.emptyDirs} emptyDir and ${p.volumes.hostPaths.length} hostPath volume(s)`,
    });
  const pdbs = state.pdbsFor(p.namespace, p.labels);
  for (const b of pdbs) {
    if (b.hasStatus && b.disruptionsAllowed <= 0)
      out.push({
        reason: "pdb-no-disruptions",
        pod: id,
        detail: `PodDisruptionBudget ${b.name} allows 0 disruptions (${b.currentHealthy}/${b.desiredHealthy} healthy)`,
      });
  }
  if (p.namespace === "kube-system" && pdbs.length === 0)
    out.push({
      reason: "kube-system-no-pdb",
      pod: id,
      detail: "a kube-system pod without a PodDisruptionBudget",
    });
  return out;
}

/** Per node: request utilisation, whether it is a scale-down candidate, and what blocks it. */
export function nodeScaleDown(
  state: ClusterState,
  settings: Partial<HpaTuningSettings> = {},
): NodeScaleDown[] {
  const s = { ...DEFAULT_HPA_TUNING_SETTINGS, ...settings };
  return state.list("Node").map((n) => {
    let cpu = 0;
    let mem = 0;
    const blockers: ScaleDownBlocker[] = [];
    if (n.annotations[SCALE_DOWN_DISABLED] === "true")
      blockers.push({
        reason: "node-scale-down-disabled",
        pod: "",
        detail: `node annotated ${SCALE_DOWN_DISABLED}: "true"`,
      });
    for (const p of state.podsOnNode(n.name)) {
      if (isTerminal(p)) continue;
      const r = podRequests(p);
      cpu += r.cpu;
      mem += r.memory;
      blockers.push(...podBlockers(state, p));
    }
    const utilisation = Math.max(ratio(cpu, n.allocatable.cpu), ratio(mem, n.allocatable.memory));
    return {
      node: n.name,
      pool: poolOf(n),
      utilisation: Math.round(utilisation * 1000) / 1000,
      candidate: utilisation < s.scaleDownUtilisation,
      blockers,
    };
  });
}

function ratio(a: number, b: number | undefined): number {
  return b && b > 0 ? a / b : 0;
}

function meanUsageByPod(usage: UsageData): Map<string, { cpu: number; memory: number }> {
  const out = new Map<string, { cpu: number; memory: number }>();
  const mean = (a: Float64Array): number => {
    let t = 0;
    let n = 0;
    for (const v of a)
      if (Number.isFinite(v)) {
        t += v;
        n++;
      }
    return n ? t / n : 0;
  };
  for (const s of usage.containers.values()) {
    const k = `${s.namespace}/${s.pod}`;
    const cur = out.get(k) ?? { cpu: 0, memory: 0 };
    cur.cpu += mean(s.cpu) * 1000;
    cur.memory += mean(s.memory);
    out.set(k, cur);
  }
  return out;
}

/** Request (and, with usage, mean usage) utilisation per node pool, with hints. */
export function poolUtilisation(state: ClusterState, usage?: UsageData): PoolUtilisation[] {
  const byPool = new Map<string, Node[]>();
  for (const n of state.list("Node")) {
    const k = poolOf(n);
    const arr = byPool.get(k);
    if (arr) arr.push(n);
    else byPool.set(k, [n]);
  }
  const used = usage ? meanUsageByPod(usage) : undefined;
  const out: PoolUtilisation[] = [];
  for (const [pool, nodes] of [...byPool].sort((a, b) => a[0].localeCompare(b[0]))) {
    let ac = 0;
    let am = 0;
    let rc = 0;
    let rm = 0;
    let uc = 0;
    let um = 0;
    for (const n of nodes) {
      ac += n.allocatable.cpu ?? 0;
      am += n.allocatable.memory ?? 0;
      for (const p of state.podsOnNode(n.name)) {
        if (isTerminal(p)) continue;
        const r = podRequests(p);
        rc += r.cpu;
        rm += r.memory;
        const u = used?.get(`${p.namespace}/${p.name}`);
        if (u) {
          uc += u.cpu;
          um += u.memory;
        }
      }
    }
    const cpuU = ratio(rc, ac);
    const memU = ratio(rm, am);
    const hints: string[] = [];
    if (Math.max(cpuU, memU) < 0.5 && nodes.length > 1)
      hints.push(
        `requests use ${Math.round(100 * Math.max(cpuU, memU))}% of allocatable: nodes could be consolidated`,
      );
    if (Math.max(cpuU, memU) > 0.9)
      hints.push("requests above 90% of allocatable: little room for new pods or a node loss");
    if (cpuU > 0 && memU > 0 && (cpuU > 2 * memU || memU > 2 * cpuU))
      hints.push(
        `${cpuU > memU ? "CPU" : "memory"}-bound (CPU ${Math.round(100 * cpuU)}%, memory ${Math.round(100 * memU)}%): an instance type with a different CPU:memory ratio fits better`,
      );
    if (used && ac > 0 && uc / ac < 0.2 && rc / ac > 0.5)
      hints.push(
        `mean CPU usage is ${Math.round((100 * uc) / ac)}% of allocatable against ${Math.round(100 * cpuU)}% requested: right-size requests first`,
      );
    out.push({
      pool,
      nodes: nodes.length,
      instanceTypes: distinct(nodes.map((n) => n.instanceType)),
      capacityTypes: distinct(nodes.map((n) => n.capacityType)),
      allocatableCpu: ac,
      allocatableMemory: am,
      requestedCpu: rc,
      requestedMemory: rm,
      cpuUtilisation: Math.round(cpuU * 1000) / 1000,
      memoryUtilisation: Math.round(memU * 1000) / 1000,
      ...(used ? { usedCpu: Math.round(uc), usedMemory: Math.round(um) } : {}),
      hints,
    });
  }
  return out;
}

function distinct(xs: readonly (string | undefined)[]): string[] {
  return [...new Set(xs.filter((x): x is string => x !== undefined))].sort();
}

/** Everything at once: HPA findings, pools, and nodes (blocked candidates first). */
export function autoscalingTuning(
  state: ClusterState,
  usage?: UsageData,
  settings: Partial<HpaTuningSettings> = {},
): AutoscalingTuning {
  const notes: string[] = [];
  if (!usage) notes.push("no usage history: always-at-max/min and replica flapping need it; events only");
  const fallback = settings.defaultTarget ?? DEFAULT_HPA_TUNING_SETTINGS.defaultTarget;
  const assumed = state
    .list("HorizontalPodAutoscaler")
    .filter((h) =>
      (["cpu", "memory"] as const).some(
        (res) =>
          h.metrics.includes(`Resource:${res}`) &&
          hpaUtilisationTarget(h, res, fallback, settings.hpaTargets).source === "assumed",
      ),
    )
    .map((h) => `${h.namespace}/${h.name}`);
  if (assumed.length)
    notes.push(
      `HPA ${assumed.join(", ")}: no utilisation target on the HPA (an averageValue target, or none): ${fallback}% assumed`,
    );
  const nodes = nodeScaleDown(state, settings).sort(
    (a, b) =>
      Number(b.candidate) - Number(a.candidate) ||
      b.blockers.length - a.blockers.length ||
      a.node.localeCompare(b.node),
  );
  return { hpas: hpaFindings(state, usage, settings), pools: poolUtilisation(state, usage), nodes, notes };
}

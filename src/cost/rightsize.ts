/**
 * Right-sizing: per workload (the top of a pod's owner chain) and container name, a CPU
 * request, and a memory request and limit, from usage history. A pure function of
 * ClusterState, UsageData and settings.
 *
 * The default strategy is KRR's `simple`: CPU request = p95 of the samples of every pod of the
 * workload pooled together, no CPU limit; memory request = memory limit = peak x 1.15; no
 * recommendation below 100 samples; floors of 10m and 100Mi; rounded up to 1m and 1Mi.
 *
 * OOM rule: a container whose previous termination was OOMKilled inside the window (or with
 * no finish time recorded), or that is terminated as OOMKilled now, gets
 *   memory = max(limit at the kill x 1.25, peak x 1.15)
 * (peak x 1.25 when it had no limit): the peak a working set reaches before the kernel kills
 * it is never seen in the samples, so the limit it died at is the better lower bound. With a
 * known limit this is recommended even below the sample minimum.
 *
 * HPA rule: see hpaSizing below.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { ContainerSpec, HorizontalPodAutoscaler, Meta, Pod, PodTemplate } from "../state/types.js";
import type { Confidence, ContainerSeries, UsageData, UsageSource, UsageWindow } from "./types.js";
import type { RightsizeSettings } from "./rightsize-strategy.js";
import type { HpaTargetSource } from "./hpa-tuning.js";
import { hpaUtilisationTarget } from "./hpa-tuning.js";
import {
  DEFAULT_RIGHTSIZE_SETTINGS,
  countPoints,
  cpuProposalCores,
  maxOf,
  percentileSorted,
  pooledSorted,
  roundUp,
  stepTotals,
} from "./rightsize-strategy.js";

export type { RightsizeSettings } from "./rightsize-strategy.js";
export { DEFAULT_RIGHTSIZE_SETTINGS } from "./rightsize-strategy.js";

export type ResourceName = "cpu" | "memory";
/** Which term decided the value: the CPU percentile ("p95"), the floor, the OOM rule, peak + buffer, or the HPA arithmetic. */
export type Bound = `p${number}` | "floor" | "oom" | "max+buffer" | "hpa";

export interface OomEvidence {
  /** Pods whose container was OOMKilled in the window. */
  readonly pods: readonly string[];
  /** Epoch ms of the latest kill, when recorded. */
  readonly lastAt?: number;
  /** The memory limit it was killed at (the template's), bytes. */
  readonly limit?: number;
  readonly rule: string;
}

export type HpaMode = "at-min" | "at-max" | "scaling";

export interface HpaProvenance {
  readonly hpa: string;
  readonly metric: string;
  /** Every metric of the HPA (type:name), to know whether a metrics patch may replace them all. */
  readonly hpaMetrics: readonly string[];
  /** The HPA's target utilisation (percent), and whether it was assumed. */
  readonly currentTarget: number;
  readonly targetAssumed: boolean;
  /** Where currentTarget came from: the hpaTargets hook, the HPA's spec.metrics, or the default. */
  readonly targetSource: HpaTargetSource;
  readonly recommendedTarget: number;
  /** Sum of the pod's requests of this resource (millicores / bytes), now and recommended. */
  readonly currentRequestSum: number;
  readonly recommendedRequestSum: number;
  /** Usage per pod at which the HPA adds a replica (target x request sum), now and after. */
  readonly threshold: number;
  readonly newThreshold: number;
  /** Workload usage (sum over pods) the replica counts are computed at: the percentile (CPU) or peak (memory) of per-step totals. */
  readonly observedLoad: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly replicasBefore: number;
  readonly replicasAfter: number;
  /** Where the HPA sits at the observed load, which decides the threshold bound (see hpaSizing). */
  readonly mode: HpaMode;
  readonly explanation: string;
}

export interface Provenance {
  /** Samples used, pooled over pods, and the number of pods they came from. */
  readonly points: number;
  readonly pods: number;
  readonly pointsRequired: number;
  readonly percentile?: number;
  readonly bufferPercent?: number;
  /** The statistic before floor and rounding: percentile (CPU, millicores) or peak (memory, bytes). */
  readonly observed?: number;
  /** The value the strategy proposed before the HPA adjustment (millicores / bytes). */
  readonly proposed?: number;
  readonly floor: number;
  readonly floorApplied: boolean;
  readonly rounding: number;
  readonly bound?: Bound;
  readonly oom?: OomEvidence;
  readonly hpa?: HpaProvenance;
  readonly notes: readonly string[];
}

export interface ResourceRecommendation {
  readonly resource: ResourceName;
  readonly status: "ok" | "insufficient-data" | "no-data";
  readonly reason?: string;
  /** Current values from the workload's template: millicores or bytes. */
  readonly current: { readonly request?: number; readonly limit?: number };
  /** For CPU `limit` is absent: no CPU limit is recommended. */
  readonly recommended?: { readonly request: number; readonly limit?: number };
  /** recommended - current request, and as a percentage of current. */
  readonly delta?: { readonly request: number; readonly requestPercent?: number };
  readonly provenance: Provenance;
}

export interface ContainerRecommendation {
  readonly container: string;
  /** False for containers seen in usage but not in the template (injected sidecars): not patched. */
  readonly inTemplate: boolean;
  readonly cpu: ResourceRecommendation;
  readonly memory: ResourceRecommendation;
}

export interface WorkloadRecommendation {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  /** Pods whose usage was read (from state and from usage history). */
  readonly pods: readonly string[];
  readonly containers: readonly ContainerRecommendation[];
  /** HPA target utilisations recommended together with the requests. */
  readonly hpa: readonly HpaProvenance[];
  readonly confidence: Confidence;
  readonly patchable: boolean;
  readonly notPatchableReason?: string;
}

export interface RightsizeResult {
  readonly source: UsageSource;
  readonly confidence: Confidence;
  readonly window: UsageWindow;
  readonly settings: RightsizeSettings;
  readonly workloads: readonly WorkloadRecommendation[];
  /** Series whose pod matched no workload (keys), and notes on the source. */
  readonly unmatched: readonly string[];
  readonly notes: readonly string[];
}

const PATCHABLE = new Set(["Deployment", "StatefulSet", "DaemonSet", "CronJob", "ReplicaSet"]);

interface Group {
  readonly top: Meta;
  readonly pods: Map<string, Pod | undefined>;
  readonly series: Map<string, ContainerSeries[]>;
}

function groupKey(m: Meta): string {
  return `${m.kind}/${m.namespace}/${m.name}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The pod-name shapes each controller creates, to place pods that no longer exist. */
const NAME_SHAPE: Record<string, string> = {
  Deployment: "-[a-z0-9]{5,10}-[a-z0-9]{5}",
  StatefulSet: "-\\d+",
  DaemonSet: "-[a-z0-9]{5}",
  Job: "-[a-z0-9]{5}",
  CronJob: "-\\d+-[a-z0-9]{5}",
  ReplicaSet: "-[a-z0-9]{5}",
};

type NameMatcher = (namespace: string, pod: string) => Meta | undefined;

/**
 * The workload a pod name (of a pod gone from the state) belongs to, by the names controllers
 * give pods; the longest matching workload name wins. Patterns are built once per namespace.
 */
function podNameMatcher(state: ClusterState): NameMatcher {
  const byNs = new Map<string, { re: RegExp; w: Meta }[]>();
  return (namespace, pod) => {
    let list = byNs.get(namespace);
    if (!list) {
      list = [];
      for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "ReplicaSet"] as const)
        for (const w of state.inNamespace(kind, namespace))
          list.push({ re: new RegExp(`^${escapeRe(w.name)}${NAME_SHAPE[kind]}$`), w });
      list.sort((a, b) => b.w.name.length - a.w.name.length);
      byNs.set(namespace, list);
    }
    const hit = list.find((x) => x.re.test(pod));
    return hit ? state.topOwner(hit.w) : undefined;
  };
}

function groupUsage(
  state: ClusterState,
  usage: UsageData,
): { groups: Map<string, Group>; unmatched: string[] } {
  const groups = new Map<string, Group>();
  const groupOf = (top: Meta): Group => {
    const k = groupKey(top);
    let g = groups.get(k);
    if (!g) {
      g = { top, pods: new Map(), series: new Map() };
      groups.set(k, g);
    }
    return g;
  };
  for (const pod of state.list("Pod")) {
    if (isMirror(pod)) continue;
    groupOf(state.topOwner(pod)).pods.set(pod.name, pod);
  }
  const unmatched: string[] = [];
  const byName = podNameMatcher(state);
  for (const [key, s] of usage.containers) {
    const pod = state.get("Pod", s.namespace, s.pod);
    const top = pod ? state.topOwner(pod) : byName(s.namespace, s.pod);
    if (!top) {
      unmatched.push(key);
      continue;
    }
    const g = groupOf(top);
    if (!g.pods.has(s.pod)) g.pods.set(s.pod, undefined);
    const arr = g.series.get(s.container);
    if (arr) arr.push(s);
    else g.series.set(s.container, [s]);
  }
  return { groups, unmatched: unmatched.sort() };
}

function isMirror(p: Pod): boolean {
  return p.annotations["kubernetes.io/config.mirror"] !== undefined || p.owner?.kind === "Node";
}

function templateOf(top: Meta): PodTemplate | undefined {
  if (top.kind === "Pod") return top as Pod;
  return (top as { template?: PodTemplate }).template;
}

/** OOM kills of a container among the pods in the state, inside the window. */
export function oomKills(
  pods: Iterable<Pod | undefined>,
  container: string,
  window: UsageWindow,
): OomEvidence | undefined {
  const start = window.start.getTime();
  const hit: string[] = [];
  let lastAt: number | undefined;
  for (const p of pods) {
    if (!p) continue;
    const st = p.statuses.find((c) => c.name === container);
    if (!st) continue;
    const now = st.state === "terminated" && st.reason === "OOMKilled";
    const prev =
      st.lastReason === "OOMKilled" && (st.lastFinishedAt === undefined || st.lastFinishedAt >= start);
    if (!now && !prev) continue;
    hit.push(p.name);
    if (prev && st.lastFinishedAt !== undefined) lastAt = Math.max(lastAt ?? 0, st.lastFinishedAt);
  }
  if (hit.length === 0) return undefined;
  return { pods: hit.sort(), ...(lastAt !== undefined ? { lastAt } : {}), rule: "" };
}

function withDelta(r: Omit<ResourceRecommendation, "delta">): ResourceRecommendation {
  if (!r.recommended || r.current.request === undefined) return r;
  const d = r.recommended.request - r.current.request;
  return {
    ...r,
    delta: {
      request: d,
      ...(r.current.request > 0 ? { requestPercent: Math.round((1000 * d) / r.current.request) / 10 } : {}),
    },
  };
}

function currentOf(spec: ContainerSpec | undefined, res: ResourceName): { request?: number; limit?: number } {
  const request = spec?.requests[res];
  const limit = spec?.limits[res];
  return { ...(request !== undefined ? { request } : {}), ...(limit !== undefined ? { limit } : {}) };
}

function shortage(points: number, s: RightsizeSettings): Pick<ResourceRecommendation, "status" | "reason"> {
  return points === 0
    ? { status: "no-data", reason: "no usage samples in the window" }
    : {
        status: "insufficient-data",
        reason: `not enough data: ${points} points < ${s.pointsRequired} required`,
      };
}

/** KRR simple CPU: the percentile, floored and rounded; no limit. */
export function recommendCpu(
  series: readonly Float64Array[],
  current: { request?: number; limit?: number },
  s: RightsizeSettings = DEFAULT_RIGHTSIZE_SETTINGS,
): ResourceRecommendation {
  const points = countPoints(series);
  const base = {
    points,
    pods: series.length,
    pointsRequired: s.pointsRequired,
    percentile: s.cpuPercentile,
    floor: s.cpuFloorMillis,
    rounding: s.cpuRoundMillis,
  };
  if (points < s.pointsRequired)
    return {
      resource: "cpu",
      ...shortage(points, s),
      current,
      provenance: { ...base, floorApplied: false, notes: [] },
    };
  const observed = cpuProposalCores(series, s) * 1000;
  const rounded = roundUp(observed, s.cpuRoundMillis);
  const floorApplied = rounded < s.cpuFloorMillis;
  const request = floorApplied ? s.cpuFloorMillis : rounded;
  const notes = [
    `p${s.cpuPercentile} of ${points} samples ${s.cpuAggregation === "pooled" ? "pooled over" : "per pod, largest of"} ${series.length} pod(s): ${observed.toFixed(2)}m`,
    "no CPU limit recommended",
  ];
  return withDelta({
    resource: "cpu",
    status: "ok",
    current,
    recommended: { request },
    provenance: {
      ...base,
      observed,
      proposed: request,
      floorApplied,
      bound: floorApplied ? "floor" : `p${s.cpuPercentile}`,
      notes,
    },
  });
}

/** KRR simple memory: peak x (1 + buffer), request = limit, with the OOM rule (see the file comment). */
export function recommendMemory(
  series: readonly Float64Array[],
  current: { request?: number; limit?: number },
  oom: OomEvidence | undefined,
  s: RightsizeSettings = DEFAULT_RIGHTSIZE_SETTINGS,
): ResourceRecommendation {
  const points = countPoints(series);
  const base = {
    points,
    pods: series.length,
    pointsRequired: s.pointsRequired,
    bufferPercent: s.memoryBufferPercent,
    floor: s.memoryFloorBytes,
    rounding: s.memoryRoundBytes,
  };
  const enough = points >= s.pointsRequired;
  const oomFromLimit = oom !== undefined && current.limit !== undefined;
  if (!enough && !oomFromLimit)
    return {
      resource: "memory",
      ...shortage(points, s),
      current,
      provenance: {
        ...base,
        floorApplied: false,
        ...(oom ? { oom: oomWithRule(oom, current, s) } : {}),
        notes: [],
      },
    };
  const peak = points > 0 ? maxOf(series) : Number.NaN;
  const notes: string[] = [];
  let value = Number.NaN;
  let bound: Bound = "max+buffer";
  if (enough) {
    value = peak * (1 + s.memoryBufferPercent / 100);
    notes.push(
      `peak of ${points} samples over ${series.length} pod(s): ${Math.round(peak)} bytes, +${s.memoryBufferPercent}%`,
    );
  }
  if (oom) {
    const killedAt = current.limit ?? peak;
    const oomValue = killedAt * (1 + s.oomBufferPercent / 100);
    notes.push(
      `OOMKilled in the window (${oom.pods.join(", ")}): ${current.limit !== undefined ? "limit" : "peak"} ${Math.round(killedAt)} bytes +${s.oomBufferPercent}%`,
    );
    if (!enough)
      notes.push(`recommended from the OOM kill alone: ${points} points < ${s.pointsRequired} required`);
    if (!(oomValue <= value)) {
      value = oomValue;
      bound = "oom";
    }
  }
  const rounded = roundUp(value, s.memoryRoundBytes);
  const floorApplied = rounded < s.memoryFloorBytes;
  const v = floorApplied ? s.memoryFloorBytes : rounded;
  return withDelta({
    resource: "memory",
    status: "ok",
    current,
    recommended: { request: v, limit: v },
    provenance: {
      ...base,
      ...(Number.isFinite(peak) ? { observed: peak } : {}),
      proposed: v,
      floorApplied,
      bound: floorApplied ? "floor" : bound,
      ...(oom ? { oom: oomWithRule(oom, current, s) } : {}),
      notes,
    },
  });
}

function oomWithRule(oom: OomEvidence, current: { limit?: number }, s: RightsizeSettings): OomEvidence {
  return {
    ...oom,
    ...(current.limit !== undefined ? { limit: current.limit } : {}),
    rule: `max(limit x ${1 + s.oomBufferPercent / 100}, peak x ${1 + s.memoryBufferPercent / 100}) (peak x ${1 + s.oomBufferPercent / 100} without a limit)`,
  };
}

export interface HpaSizingInput {
  /** The HPA's target utilisation, percent. */
  readonly target: number;
  /** Sum over the pod's containers of the current request (millicores / bytes). */
  readonly currentRequestSum: number;
  /** Sum of the strategy's recommendations (KRR values). */
  readonly proposedRequestSum: number;
  /** Workload usage, summed over pods (same unit), at which replica counts are compared. */
  readonly load: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly minTarget: number;
  readonly maxTarget: number;
}

export interface HpaSizing {
  readonly threshold: number;
  readonly requiredThreshold: number;
  readonly recommendedTarget: number;
  /** The request sum to aim for (before per-container rounding). */
  readonly requestSum: number;
  readonly mode: HpaMode;
  readonly replicasBefore: number;
}

function clampReplicas(n: number, min: number, max: number): number {
  return Math.min(Math.max(n, min), max > 0 ? max : n);
}

/** Replicas an HPA settles at for a load: ceil(load / threshold), within [min, max]. */
export function hpaReplicas(load: number, threshold: number, min: number, max: number): number {
  const raw = threshold > 0 && load > 0 ? Math.ceil(load / threshold - 1e-9) : 0;
  return clampReplicas(raw, min, max);
}

/**
 * Request and target utilisation together, so the HPA's replica count at the observed load
 * stays the same. The HPA computes
 *   desired = ceil(currentReplicas x (usage per pod / request per pod) / target)
 *           = ceil(total usage / (target x request per pod)),   then clamped to [min, max],
 * so replicas depend on the threshold θ = target x request sum (usage per pod at which a
 * replica is added), not on the request alone: lowering the request alone lowers θ and adds
 * replicas. So, with L the observed load (sum over pods):
 *  - "scaling" (min < ceil(L / θ) < max): θ is kept; the required threshold is θ.
 *  - "at-min" (ceil(L / θ) <= min): any θ' >= L / min keeps min replicas; required =
 *    min(θ, L / min).
 *  - "at-max" (ceil(L / θ) >= max): any θ' <= L / max keeps max replicas; required =
 *    min(θ, L / max) (the HPA stays at least as eager as it was).
 * Then target' = required / proposed request sum (the strategy's value), rounded to a whole
 * percent and kept in [minTarget, maxTarget], and the request sum becomes required / target';
 * except that the proposal stands when target' x proposal already satisfies the bound
 * (at-min: >= L / min; at-max: <= L / max), which happens when target' was clamped.
 */
export function hpaSizing(i: HpaSizingInput): HpaSizing {
  const threshold = (i.target / 100) * i.currentRequestSum;
  const unclamped = hpaReplicas(i.load, threshold, 0, 0);
  const mode: HpaMode =
    unclamped <= i.minReplicas
      ? "at-min"
      : i.maxReplicas > 0 && unclamped >= i.maxReplicas
        ? "at-max"
        : "scaling";
  const load = Math.max(0, i.load);
  const required =
    mode === "at-min"
      ? Math.min(threshold, load / Math.max(1, i.minReplicas))
      : mode === "at-max"
        ? Math.min(threshold, load / i.maxReplicas)
        : threshold;
  const raw = i.proposedRequestSum > 0 ? (100 * required) / i.proposedRequestSum : i.maxTarget;
  const target = Math.min(i.maxTarget, Math.max(i.minTarget, Math.round(raw)));
  const proposalThreshold = (target / 100) * i.proposedRequestSum;
  const keepProposal =
    required <= 0 ||
    (mode === "at-min" && proposalThreshold >= required) ||
    (mode === "at-max" && proposalThreshold <= load / i.maxReplicas);
  return {
    threshold,
    requiredThreshold: required,
    recommendedTarget: target,
    requestSum: keepProposal ? i.proposedRequestSum : (100 * required) / target,
    mode,
    replicasBefore: hpaReplicas(i.load, threshold, i.minReplicas, i.maxReplicas),
  };
}

function hpasByTarget(state: ClusterState): Map<string, HorizontalPodAutoscaler[]> {
  return state.derive("cost:hpa-by-target", (st) => {
    const out = new Map<string, HorizontalPodAutoscaler[]>();
    for (const h of st.list("HorizontalPodAutoscaler")) {
      const k = `${h.target.kind}/${h.namespace}/${h.target.name}`;
      const arr = out.get(k);
      if (arr) arr.push(h);
      else out.set(k, [h]);
    }
    return out;
  });
}

function baseConfidence(usage: UsageData): Confidence {
  let c: Confidence = usage.source === "metrics-server" ? "low" : usage.confidence;
  if (usage.source === "none") c = "none";
  if (usage.partial && c === "high") c = "medium";
  return c;
}

/** Per-pod totals (summed over containers) for a resource. */
function perPodTotals(g: Group, res: ResourceName): Float64Array[] {
  const byPod = new Map<string, Float64Array[]>();
  for (const list of g.series.values()) {
    for (const s of list) {
      const arr = byPod.get(s.pod);
      if (arr) arr.push(s[res]);
      else byPod.set(s.pod, [s[res]]);
    }
  }
  const out: Float64Array[] = [];
  for (const parts of byPod.values()) {
    const { totals, counts } = stepTotals(parts);
    for (let i = 0; i < totals.length; i++) if (counts[i] === 0) totals[i] = Number.NaN;
    out.push(totals);
  }
  return out;
}

/** Workload load per step (sum over pods): its percentile for CPU, its peak for memory. */
function observedLoad(g: Group, res: ResourceName, s: RightsizeSettings): number {
  const { totals, counts } = stepTotals(perPodTotals(g, res));
  const vals = totals.filter((_, i) => counts[i]! > 0);
  if (vals.length === 0) return 0;
  const unit = res === "cpu" ? 1000 : 1;
  return (res === "cpu" ? percentileSorted(pooledSorted([vals]), s.cpuPercentile) : maxOf([vals])) * unit;
}

function applyHpa(
  g: Group,
  hpa: HorizontalPodAutoscaler,
  res: ResourceName,
  containers: ContainerRecommendation[],
  s: RightsizeSettings,
): { containers: ContainerRecommendation[]; prov?: HpaProvenance; note?: string } {
  const templ = containers.filter((c) => c.inTemplate);
  const currentSum = templ.reduce((t, c) => t + (c[res].current.request ?? Number.NaN), 0);
  if (!Number.isFinite(currentSum) || currentSum <= 0)
    return {
      containers,
      note: `HPA ${hpa.name} scales on ${res} but a container has no ${res} request: sized without it`,
    };
  if (templ.some((c) => c[res].status !== "ok"))
    return {
      containers,
      note: `HPA ${hpa.name}: not every container has a ${res} recommendation; target left as is`,
    };
  const known = hpaUtilisationTarget(hpa, res, s.hpaDefaultTarget, s.hpaTargets);
  if (known.source !== "settings" && (known.targetType === "AverageValue" || known.targetType === "Value"))
    return {
      containers,
      note: `HPA ${hpa.name} scales on an ${known.targetType} ${res} target${known.value !== undefined ? ` of ${res === "cpu" ? `${Math.round(known.value * 1000)}m` : `${Math.round(known.value)}B`}` : ""}: its replica count does not depend on requests, so the strategy's request stands`,
    };
  const target = known.target;
  const proposedSum = templ.reduce((t, c) => t + c[res].recommended!.request, 0);
  const load = observedLoad(g, res, s);
  const sz = hpaSizing({
    target,
    currentRequestSum: currentSum,
    proposedRequestSum: proposedSum,
    load,
    minReplicas: hpa.minReplicas,
    maxReplicas: hpa.maxReplicas,
    minTarget: s.hpaMinTarget,
    maxTarget: s.hpaMaxTarget,
  });
  const unit = res === "cpu" ? s.cpuRoundMillis : s.memoryRoundBytes;
  const floor = res === "cpu" ? s.cpuFloorMillis : s.memoryFloorBytes;
  const k = sz.requestSum / proposedSum;
  const newRequests = new Map<string, number>();
  for (const c of templ)
    newRequests.set(c.container, Math.max(floor, roundUp(c[res].recommended!.request * k, unit)));
  const newSum = [...newRequests.values()].reduce((t, v) => t + v, 0);
  const newThreshold = (sz.recommendedTarget / 100) * newSum;
  const after = hpaReplicas(load, newThreshold, hpa.minReplicas, hpa.maxReplicas);
  const fmt = (v: number): string => (res === "cpu" ? `${v.toFixed(1)}m` : `${Math.round(v)}B`);
  const explanation =
    `replicas = ceil(load / (target x request sum)); threshold now ${target}% x ${fmt(currentSum)} = ${fmt(sz.threshold)} per pod; ` +
    (sz.mode === "at-min"
      ? `at minReplicas ${hpa.minReplicas} for the observed load ${fmt(load)}, so any threshold >= ${fmt(load / Math.max(1, hpa.minReplicas))} keeps it there; `
      : sz.mode === "at-max"
        ? `at maxReplicas ${hpa.maxReplicas} for the observed load ${fmt(load)}, so any threshold <= ${fmt(load / hpa.maxReplicas)} keeps it there; `
        : `scaling at the observed load ${fmt(load)} (${sz.replicasBefore} replicas), so the threshold is kept; `) +
    `target ${sz.recommendedTarget}% x ${fmt(newSum)} = ${fmt(newThreshold)}: ${sz.replicasBefore} -> ${after} replicas at that load`;
  const prov: HpaProvenance = {
    hpa: hpa.name,
    metric: `Resource:${res}`,
    hpaMetrics: hpa.metrics,
    currentTarget: target,
    targetAssumed: known.source === "assumed",
    targetSource: known.source,
    recommendedTarget: sz.recommendedTarget,
    currentRequestSum: currentSum,
    recommendedRequestSum: newSum,
    threshold: sz.threshold,
    newThreshold,
    observedLoad: load,
    minReplicas: hpa.minReplicas,
    maxReplicas: hpa.maxReplicas,
    replicasBefore: sz.replicasBefore,
    replicasAfter: after,
    mode: sz.mode,
    explanation,
  };
  const out = containers.map((c): ContainerRecommendation => {
    const req = newRequests.get(c.container);
    if (req === undefined || !c.inTemplate) return c;
    const r = c[res];
    const limit = res === "memory" ? Math.max(req, r.recommended!.limit ?? req) : undefined;
    const rec = withDelta({
      resource: r.resource,
      status: "ok",
      current: r.current,
      recommended: { request: req, ...(limit !== undefined ? { limit } : {}) },
      provenance: {
        ...r.provenance,
        bound: "hpa",
        hpa: prov,
        notes: [...r.provenance.notes, `HPA ${hpa.name}: ${explanation}`],
      },
    });
    return res === "cpu" ? { ...c, cpu: rec } : { ...c, memory: rec };
  });
  return { containers: out, prov };
}

function recommendGroup(
  state: ClusterState,
  g: Group,
  usage: UsageData,
  s: RightsizeSettings,
  confidence: Confidence,
): WorkloadRecommendation {
  const template = templateOf(g.top);
  const specs = new Map((template?.containers ?? []).map((c) => [c.name, c]));
  const names = [...specs.keys(), ...[...g.series.keys()].filter((n) => !specs.has(n)).sort()];
  let containers: ContainerRecommendation[] = names.map((name) => {
    const spec = specs.get(name);
    const series = g.series.get(name) ?? [];
    const oom = oomKills(g.pods.values(), name, usage.window);
    return {
      container: name,
      inTemplate: spec !== undefined,
      cpu: recommendCpu(
        series.map((x) => x.cpu),
        currentOf(spec, "cpu"),
        s,
      ),
      memory: recommendMemory(
        series.map((x) => x.memory),
        currentOf(spec, "memory"),
        oom,
        s,
      ),
    };
  });
  const hpa: HpaProvenance[] = [];
  const notes: string[] = [];
  for (const h of hpasByTarget(state).get(groupKey(g.top)) ?? []) {
    for (const m of h.metrics) {
      const [type, name] = m.split(":");
      if (name !== "cpu" && name !== "memory") continue;
      if (type !== "Resource") {
        notes.push(`HPA ${h.name} metric ${m}: sized by the strategy alone`);
        continue;
      }
      const r = applyHpa(g, h, name, containers, s);
      containers = r.containers;
      if (r.prov) hpa.push(r.prov);
      if (r.note) notes.push(r.note);
    }
  }
  if (notes.length)
    containers = containers.map((c) => ({
      ...c,
      cpu: { ...c.cpu, provenance: { ...c.cpu.provenance, notes: [...c.cpu.provenance.notes, ...notes] } },
    }));
  const top = g.top;
  let notPatchableReason: string | undefined;
  if (!PATCHABLE.has(top.kind))
    notPatchableReason =
      top.kind === "Pod"
        ? "a pod without a controller: recreate it with the new resources"
        : top.kind === "Job"
          ? "a Job's pod template is immutable: change it where the Job is created"
          : `${top.kind} is not a kind day2 patches`;
  else if (top.owner)
    notPatchableReason = `owned by ${top.owner.kind}/${top.owner.name}, which day2 does not model: change it there`;
  const points = containers.reduce(
    (m, c) => Math.max(m, c.cpu.provenance.points, c.memory.provenance.points),
    0,
  );
  return {
    kind: top.kind,
    apiVersion: top.apiVersion,
    namespace: top.namespace,
    name: top.name,
    pods: [...g.pods.keys()].sort(),
    containers,
    hpa,
    confidence: points === 0 ? "none" : confidence,
    patchable: notPatchableReason === undefined,
    ...(notPatchableReason ? { notPatchableReason } : {}),
  };
}

export interface RecommendOptions {
  /** Only these namespaces (all when absent). */
  readonly namespaces?: ReadonlySet<string>;
}

/**
 * Right-sizing recommendations for every workload with pods in the state or usage in the
 * window, sorted by namespace, kind and name. DaemonSet and Job pods count like any other;
 * mirror (static) pods are skipped.
 */
export function recommend(
  state: ClusterState,
  usage: UsageData,
  settings: Partial<RightsizeSettings> = {},
  opts: RecommendOptions = {},
): RightsizeResult {
  const s: RightsizeSettings = { ...DEFAULT_RIGHTSIZE_SETTINGS, ...settings };
  const confidence = baseConfidence(usage);
  const { groups, unmatched } = groupUsage(state, usage);
  const workloads: WorkloadRecommendation[] = [];
  for (const g of groups.values()) {
    if (opts.namespaces && !opts.namespaces.has(g.top.namespace)) continue;
    workloads.push(recommendGroup(state, g, usage, s, confidence));
  }
  workloads.sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
  const notes = [...usage.notes];
  if (usage.source === "metrics-server")
    notes.push(
      "metrics-server gives current usage only: recommendations need history and have low confidence",
    );
  if (usage.partial) notes.push(`usage is partial: ${usage.problems.join("; ") || "some queries failed"}`);
  return {
    source: usage.source,
    confidence,
    window: usage.window,
    settings: s,
    workloads,
    unmatched,
    notes,
  };
}

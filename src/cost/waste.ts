/**
 * Waste with dollars and confidence: objects that cost money (or clutter) for nothing, as kor
 * and Popeye call them unused, each with what it costs per month at the price sheet's rates,
 * how sure day2 is (and why), the evidence, and a kubectl command that acts on it.
 *
 * Dollars are what deleting the object would stop paying: a volume's GiB x its StorageClass'
 * GB-month price, a load balancer's hours, an idle workload's requests at its nodes' rates, a
 * node's price. Objects that cost nothing by themselves (a ConfigMap, an old ReplicaSet, a
 * finished Job) carry 0 and the reason. Items never count the same dollar twice: a stale
 * namespace's volumes and load balancers are their own items and only named in its evidence.
 *
 * Pure: a function of ClusterState, a PriceSheet and (optionally) UsageData.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type {
  Deployment,
  Meta,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ProjectedKind,
  ReplicaSet,
  StatefulSet,
} from "../state/types.js";
import { holdsResources } from "./allocation-items.js";
import type { ObjectRef, Sure } from "./findings-common.js";
import {
  cents,
  clusterRegion,
  finiteSorted,
  isPlatformNamespace,
  nodePrices,
  nsFlag,
  podHourly,
  podRequests,
  refOf,
  usageTrust,
  workloadPods,
  workloadUsage,
} from "./findings-common.js";
import type { PriceSheet } from "./pricing.js";
import { HOURS_PER_MONTH, ratesFor, storageGBMonth } from "./pricing.js";
import { percentileSorted } from "./rightsize-strategy.js";
import type { UsageData } from "./types.js";
import type { References } from "./unused.js";
import {
  configMapExcluded,
  korUsedLabel,
  mountedClaims,
  references,
  secretExcluded,
  serviceAccountExcluded,
  workloadIdentity,
} from "./unused.js";

const GiB = 2 ** 30;
const DAY = 86_400_000;

export type WasteKind =
  | "unbound-pv"
  | "unbound-pvc"
  | "unmounted-pvc"
  | "lb-no-endpoints"
  | "scaled-to-zero"
  | "idle-workload"
  | "orphan-configmap"
  | "orphan-secret"
  | "orphan-serviceaccount"
  | "old-replicaset"
  | "finished-job-no-ttl"
  | "empty-namespace"
  | "stale-namespace"
  | "daemonset-heavy-node";

export interface WasteItem {
  readonly kind: WasteKind;
  readonly object: ObjectRef;
  /** What it is, in a sentence. */
  readonly message: string;
  /** USD per month deleting it stops paying (0 when it has no direct cost: see costReason). */
  readonly monthly: number;
  /** How the dollars were worked out, or why there are none. */
  readonly costReason: string;
  readonly confidence: Sure;
  readonly confidenceReason: string;
  readonly evidence: Readonly<Record<string, string | number | boolean>>;
  /** A kubectl command that acts on it (review before running: most delete). */
  readonly action: string;
}

export interface WasteOptions {
  /** "Now" for ages, epoch ms. Default: the state's collection time. */
  readonly now?: number;
  /** Workloads whose p95 CPU is below this share of their CPU requests are idle. Default 0.05. */
  readonly idleCpuShare?: number;
  /** Without CPU requests: idle when p95 CPU is below this many millicores. Default 5. */
  readonly idleCpuMillis?: number;
  /** Minimum usage samples (steps) before a workload can be called idle. Default 12. */
  readonly idleMinPoints?: number;
  /** Zero replicas for at least this long is "high" confidence. Default 7 days. */
  readonly scaledToZeroDays?: number;
  /** A namespace with nothing running and nothing created for this long is stale. Default 30. */
  readonly staleNamespaceDays?: number;
  /** A node whose DaemonSet pods hold at least this share of its pods' requested cost. Default 0.5. */
  readonly daemonSetShare?: number;
  /** Namespaces left out besides kube-* (the platform's own). */
  readonly systemNamespaces?: readonly string[];
}

export interface WasteReport {
  readonly items: readonly WasteItem[];
  /** Sum of the items' monthly dollars. */
  readonly monthly: number;
  readonly byKind: Readonly<Partial<Record<WasteKind, { readonly count: number; readonly monthly: number }>>>;
  /** What could not be judged, and why. */
  readonly notes: readonly string[];
}

interface Ctx {
  readonly state: ClusterState;
  readonly sheet: PriceSheet;
  readonly usage: UsageData | undefined;
  readonly now: number;
  readonly region: string | undefined;
  readonly system: ReadonlySet<string>;
  readonly o: Required<Omit<WasteOptions, "now" | "systemNamespaces">>;
  readonly notes: string[];
}

const DEFAULTS = {
  idleCpuShare: 0.05,
  idleCpuMillis: 5,
  idleMinPoints: 12,
  scaledToZeroDays: 7,
  staleNamespaceDays: 30,
  daemonSetShare: 0.5,
};

function ageDays(now: number, t: number | undefined): number | undefined {
  return t === undefined || !Number.isFinite(t) ? undefined : Math.max(0, (now - t) / DAY);
}

function days(d: number | undefined): string {
  return d === undefined ? "unknown" : `${Math.floor(d)}d`;
}

function gib(bytes: number | undefined): number {
  return (bytes ?? 0) / GiB;
}

/** USD per month of a volume of this size and class (GiB x GB-month, as allocation prices storage). */
function volumeMonthly(
  ctx: Ctx,
  bytes: number | undefined,
  storageClass: string | undefined,
  region = ctx.region,
): { monthly: number; perGB: number } {
  const perGB = storageGBMonth(ctx.sheet, region, storageClass);
  return { monthly: gib(bytes) * perGB, perGB };
}

function item(i: WasteItem): WasteItem {
  return { ...i, monthly: cents(i.monthly) };
}

// ---- volumes ----

function unboundPvs(ctx: Ctx): WasteItem[] {
  const out: WasteItem[] = [];
  for (const pv of ctx.state.list("PersistentVolume")) {
    if (pv.phase === "Bound" || pv.phase === "Pending" || korUsedLabel(pv) === true) continue;
    const region = pv.labels["topology.kubernetes.io/region"] ?? ctx.region;
    const { monthly, perGB } = volumeMonthly(ctx, pv.capacityBytes, pv.storageClassName, region);
    const age = ageDays(ctx.now, pv.createdAt);
    const failed = pv.phase === "Failed";
    out.push(
      item({
        kind: "unbound-pv",
        object: refOf(pv),
        message: `volume is ${pv.phase}${pv.claim ? ` (was bound to ${pv.claim.namespace}/${pv.claim.name})` : ""}: paid for, bound to no claim`,
        monthly,
        costReason: `${round2(gib(pv.capacityBytes))} GiB x $${perGB}/GB-month (${pv.storageClassName || "no class"})`,
        confidence: failed ? "medium" : "high",
        confidenceReason: failed
          ? "a Failed volume's disk may already be gone (deletion by the provisioner failed half-way)"
          : `${pv.phase} with reclaimPolicy ${pv.reclaimPolicy ?? "Retain"}: the disk exists and no claim can use it`,
        evidence: {
          phase: pv.phase,
          reclaimPolicy: pv.reclaimPolicy ?? "",
          storageClass: pv.storageClassName ?? "",
          capacityGiB: round2(gib(pv.capacityBytes)),
          ageDays: age === undefined ? "unknown" : Math.floor(age),
        },
        action: `kubectl delete pv ${pv.name}  # back up first; with reclaimPolicy Retain also delete the disk at the provider`,
      }),
    );
  }
  return out;
}

function claimSize(ctx: Ctx, pvc: PersistentVolumeClaim): { bytes?: number; volume?: PersistentVolume } {
  const volume = ctx.state.pvcVolume(pvc);
  return {
    bytes: volume?.capacityBytes ?? pvc.capacityBytes ?? pvc.requestedBytes,
    ...(volume ? { volume } : {}),
  };
}

function claimClass(ctx: Ctx, pvc: PersistentVolumeClaim, volume?: PersistentVolume): string | undefined {
  return volume?.storageClassName ?? pvc.storageClassName ?? ctx.state.storageClassOf(pvc)?.name;
}

interface ClaimFacts {
  readonly pvc: PersistentVolumeClaim;
  readonly used: boolean | undefined;
  readonly age: number | undefined;
  readonly bytes: number | undefined;
  readonly volume: PersistentVolume | undefined;
  readonly monthly: number;
  readonly size: string;
  readonly evidence: Record<string, string | number | boolean>;
}

function claimFacts(ctx: Ctx, pvc: PersistentVolumeClaim): ClaimFacts {
  const age = ageDays(ctx.now, pvc.createdAt);
  const { bytes, volume } = claimSize(ctx, pvc);
  const sc = claimClass(ctx, pvc, volume);
  const { monthly, perGB } = volumeMonthly(ctx, bytes, sc);
  return {
    pvc,
    used: korUsedLabel(pvc),
    age,
    bytes,
    volume,
    monthly,
    size: `${round2(gib(bytes))} GiB x $${perGB}/GB-month (${sc ?? "default class"})`,
    evidence: {
      phase: pvc.phase,
      storageClass: sc ?? "(default)",
      sizeGiB: round2(gib(bytes)),
      ageDays: age === undefined ? "unknown" : Math.floor(age),
      mountedBy: "nothing",
    },
  };
}

function unboundClaim(f: ClaimFacts): WasteItem {
  const { pvc, age } = f;
  const old = age !== undefined && age >= 1;
  return item({
    kind: "unbound-pvc",
    object: refOf(pvc),
    message: `claim is ${pvc.phase} and no pod or workload mounts it`,
    monthly: 0,
    costReason:
      pvc.phase === "Lost"
        ? "its volume is gone: nothing is billed"
        : `no volume was provisioned, so nothing is billed yet (it would cost $${cents(f.monthly)}/month: ${f.size})`,
    confidence: old ? "high" : "medium",
    confidenceReason: old
      ? `${pvc.phase} for ${days(age)} and referred to by nothing`
      : "created less than a day ago: a workload that mounts it may still be coming",
    evidence: f.evidence,
    action: `kubectl delete pvc ${pvc.name}${nsFlag(pvc.namespace)}`,
  });
}

function unmountedClaim(f: ClaimFacts): WasteItem {
  const { pvc, age, volume } = f;
  const young = age !== undefined && age < 1;
  const retain =
    volume?.reclaimPolicy === "Retain" ? `; then kubectl delete pv ${volume.name} and the disk` : "";
  return item({
    kind: "unmounted-pvc",
    object: refOf(pvc),
    message: `bound claim of ${round2(gib(f.bytes))} GiB is mounted by no pod or workload`,
    monthly: f.monthly,
    costReason: f.size,
    confidence: young ? "medium" : "high",
    confidenceReason: young
      ? "created less than a day ago: a workload that mounts it may still be coming"
      : f.used === false
        ? "labelled kor/used=false"
        : `bound for ${days(age)}; no pod, pod template or StatefulSet ordinal mounts it`,
    evidence: {
      ...f.evidence,
      volume: pvc.volumeName ?? volume?.name ?? "",
      reclaimPolicy: volume?.reclaimPolicy ?? "",
    },
    action: `kubectl delete pvc ${pvc.name}${nsFlag(pvc.namespace)}  # back up the data first${retain}`,
  });
}

function claims(ctx: Ctx): WasteItem[] {
  const out: WasteItem[] = [];
  const mounted = mountedClaims(ctx.state);
  for (const pvc of ctx.state.list("PersistentVolumeClaim")) {
    const used = korUsedLabel(pvc);
    if (used === true) continue;
    // A mounted claim that is not bound is a health problem (pvc-unbound), not waste.
    if (used !== false && mounted.has(`${pvc.namespace}/${pvc.name}`)) continue;
    if (pvc.phase === "Pending" || pvc.phase === "Lost") out.push(unboundClaim(claimFacts(ctx, pvc)));
    else if (pvc.phase === "Bound") out.push(unmountedClaim(claimFacts(ctx, pvc)));
  }
  return out;
}

// ---- load balancers ----

function lbNoEndpoints(ctx: Ctx): WasteItem[] {
  const out: WasteItem[] = [];
  const perHour = ratesFor(ctx.sheet, ctx.region).loadBalancerHour;
  const slicesKnown = ctx.state.isCollected("EndpointSlice");
  for (const svc of ctx.state.list("Service")) {
    if (svc.type !== "LoadBalancer" || korUsedLabel(svc) === true) continue;
    const slices = ctx.state.endpointSlicesOf(svc);
    const ready = slices.reduce((n, s) => n + s.ready, 0);
    if (ready > 0) continue;
    const pods = svc.selector.matchesNone ? [] : ctx.state.servicePods(svc);
    const readyPods = pods.filter((p) => p.ready).length;
    // No slices and not collected: judge by the pods the selector matches.
    if (slices.length === 0 && !slicesKnown && readyPods > 0) continue;
    if (svc.selector.matchesNone && slices.length === 0 && !slicesKnown) continue; // manual endpoints, unknown
    const age = ageDays(ctx.now, svc.createdAt);
    out.push(
      item({
        kind: "lb-no-endpoints",
        object: refOf(svc),
        message:
          pods.length === 0
            ? `LoadBalancer whose selector ${svc.selector.text} matches no pod`
            : `LoadBalancer with ${pods.length} matching pod(s), none ready`,
        monthly: perHour * HOURS_PER_MONTH,
        costReason: `1 load balancer x $${perHour}/h x ${HOURS_PER_MONTH} h`,
        confidence: slicesKnown ? "high" : "medium",
        confidenceReason: slicesKnown
          ? "its EndpointSlices have no ready endpoint: the provider bills a load balancer that serves nothing"
          : "EndpointSlices were not read: judged from the pods its selector matches",
        evidence: {
          selector: svc.selector.text,
          matchingPods: pods.length,
          readyPods,
          readyEndpoints: ready,
          ingress: svc.loadBalancerIngress.join(",") || "none",
          ageDays: age === undefined ? "unknown" : Math.floor(age),
        },
        action: `kubectl delete service ${svc.name}${nsFlag(svc.namespace)}  # or kubectl patch service ${svc.name}${nsFlag(svc.namespace)} -p '{"spec":{"type":"ClusterIP"}}'`,
      }),
    );
  }
  return out;
}

// ---- workloads ----

function hpaTargets(state: ClusterState): Set<string> {
  return new Set(
    state.list("HorizontalPodAutoscaler").map((h) => `${h.target.kind}/${h.namespace}/${h.target.name}`),
  );
}

function lastChange(w: Deployment | StatefulSet): number | undefined {
  return w.conditions.reduce<number | undefined>(
    (t, c) =>
      c.lastTransition !== undefined && (t === undefined || c.lastTransition > t) ? c.lastTransition : t,
    undefined,
  );
}

/** LoadBalancer Services and claims that go with a workload (named in evidence, priced on their own). */
function attached(ctx: Ctx, w: Deployment | StatefulSet): string[] {
  const out: string[] = [];
  for (const svc of ctx.state.inNamespace("Service", w.namespace)) {
    if (svc.selector.matchesNone || svc.selector.matchesAll) continue;
    const labels = w.template.labels;
    const eq = svc.selector.equals;
    let match = eq.length > 0;
    for (let i = 0; i < eq.length; i += 2) if (labels[eq[i]!] !== eq[i + 1]) match = false;
    if (match) out.push(`Service/${svc.name}${svc.type === "LoadBalancer" ? " (LoadBalancer)" : ""}`);
  }
  for (const c of w.template.volumes.pvcs) out.push(`PersistentVolumeClaim/${c}`);
  return out;
}

function scaledToZero(ctx: Ctx): WasteItem[] {
  const out: WasteItem[] = [];
  const scaled = hpaTargets(ctx.state);
  for (const w of [...ctx.state.list("Deployment"), ...ctx.state.list("StatefulSet")]) {
    if (w.replicas !== 0 || !w.hasStatus || isPlatformNamespace(w.namespace, ctx.system)) continue;
    if (scaled.has(`${w.kind}/${w.namespace}/${w.name}`) || korUsedLabel(w) === true) continue;
    const since = ageDays(ctx.now, lastChange(w) ?? w.createdAt);
    const long = since !== undefined && since >= ctx.o.scaledToZeroDays;
    const linked = attached(ctx, w);
    const kind = w.kind.toLowerCase();
    out.push(
      item({
        kind: "scaled-to-zero",
        object: refOf(w),
        message: `${w.kind} at zero replicas${since !== undefined ? ` for at least ${days(since)}` : ""}`,
        monthly: 0,
        costReason:
          "no pods, so no compute is billed; what still costs (load balancers, claims) is listed as its own item",
        confidence: long ? "high" : "medium",
        confidenceReason: long
          ? `zero replicas since at least ${days(since)} (last condition change) and no HPA scales it`
          : "scaled to zero recently (or the time is unknown): it may be a planned pause",
        evidence: {
          replicas: 0,
          sinceDays: since === undefined ? "unknown" : Math.floor(since),
          attached: linked.join(", ") || "none",
        },
        action: `kubectl delete ${kind} ${w.name}${nsFlag(w.namespace)}${linked.length ? `  # and what goes with it: ${linked.join(", ")}` : ""}`,
      }),
    );
  }
  return out;
}

const BATCH_KINDS = new Set(["Job", "CronJob"]);

function idleWorkloads(ctx: Ctx): WasteItem[] {
  const usage = ctx.usage;
  const trust = usageTrust(usage);
  if (!usage || trust.confidence === "none") {
    ctx.notes.push("idle workloads: no data because no usage was given");
    return [];
  }
  const out: WasteItem[] = [];
  for (const { top, pods } of workloadPods(ctx.state).values()) {
    if (isPlatformNamespace(top.namespace, ctx.system) || BATCH_KINDS.has(top.kind)) continue;
    if (top.kind === "DaemonSet" || korUsedLabel(top) === true) continue;
    const u = workloadUsage(usage, pods);
    const minPoints = usage.source === "metrics-server" ? 1 : ctx.o.idleMinPoints;
    if (u.points < minPoints) continue;
    const sorted = finiteSorted(u.cpu);
    const p95 = percentileSorted(sorted, 95) * 1000;
    const peak = (sorted[sorted.length - 1] ?? 0) * 1000;
    const requested = pods.reduce((t, p) => t + podRequests(p).cpu, 0);
    const limit = requested > 0 ? requested * ctx.o.idleCpuShare : ctx.o.idleCpuMillis;
    if (!(p95 < limit)) continue;
    const hourly = pods.reduce((t, p) => t + podHourly(ctx.state, ctx.sheet, p), 0);
    const confidence: Sure =
      trust.confidence === "low" ? "low" : trust.confidence === "medium" ? "medium" : "high";
    out.push(
      item({
        kind: "idle-workload",
        object: refOf(top),
        message: `${pods.length} pod(s) use ${round1(p95)}m CPU at p95 of ${requested}m requested`,
        monthly: hourly * HOURS_PER_MONTH,
        costReason: `its pods' requests at their nodes' rates: $${round4(hourly)}/h x ${HOURS_PER_MONTH} h`,
        confidence,
        confidenceReason: `${trust.reason}; p95 CPU ${round1(p95)}m < ${requested > 0 ? `${ctx.o.idleCpuShare * 100}% of requests (${round1(limit)}m)` : `${limit}m (no CPU requests)`}`,
        evidence: {
          pods: pods.length,
          cpuRequestMillis: requested,
          p95CpuMillis: round1(p95),
          peakCpuMillis: round1(peak),
          points: u.points,
          source: usage.source,
        },
        action: `kubectl scale ${top.kind.toLowerCase()} ${top.name}${nsFlag(top.namespace)} --replicas=0  # or delete it if nobody needs it`,
      }),
    );
  }
  return out;
}

// ---- config objects ----

const CONFIG_ZERO =
  "a config object costs nothing but etcd space; it is clutter, and for a Secret a credential nobody rotates";

/** The usual skip for a config object: kept by label, in a platform namespace, or excluded by kind. */
function skipped(ctx: Ctx, o: Meta, excluded: string | undefined, referenced: boolean): boolean {
  const used = korUsedLabel(o);
  if (used === true || isPlatformNamespace(o.namespace, ctx.system) || excluded) return true;
  return used !== false && referenced;
}

function orphanConfigMaps(ctx: Ctx, refs: References): WasteItem[] {
  return ctx.state
    .list("ConfigMap")
    .filter(
      (cm) => !skipped(ctx, cm, configMapExcluded(cm), refs.configMaps.has(`${cm.namespace}/${cm.name}`)),
    )
    .map((cm) =>
      item({
        kind: "orphan-configmap",
        object: refOf(cm),
        message: "no pod, workload template or Ingress refers to this ConfigMap",
        monthly: 0,
        costReason: CONFIG_ZERO,
        confidence: "medium",
        confidenceReason:
          "controllers and operators can read a ConfigMap through the API, which day2 cannot see",
        evidence: { keys: cm.keys, ageDays: Math.floor(ageDays(ctx.now, cm.createdAt) ?? -1) },
        action: `kubectl delete configmap ${cm.name}${nsFlag(cm.namespace)}`,
      }),
    );
}

function orphanSecrets(ctx: Ctx, refs: References): WasteItem[] {
  return ctx.state
    .list("Secret")
    .filter(
      (sec) => !skipped(ctx, sec, secretExcluded(sec), refs.secrets.has(`${sec.namespace}/${sec.name}`)),
    )
    .map((sec) =>
      item({
        kind: "orphan-secret",
        object: refOf(sec),
        message: "no pod, workload template, Ingress or ServiceAccount refers to this Secret",
        monthly: 0,
        costReason: CONFIG_ZERO,
        confidence: "medium",
        confidenceReason:
          "something day2 cannot see may read it through the API (an operator, CI, an external client)",
        evidence: { type: sec.type ?? "Opaque", ageDays: Math.floor(ageDays(ctx.now, sec.createdAt) ?? -1) },
        action: `kubectl delete secret ${sec.name}${nsFlag(sec.namespace)}  # and revoke the credential at its source`,
      }),
    );
}

function orphanServiceAccounts(ctx: Ctx, refs: References): WasteItem[] {
  const used = (k: string): boolean => refs.serviceAccounts.has(k) || refs.boundServiceAccounts.has(k);
  return ctx.state
    .list("ServiceAccount")
    .filter((sa) => !skipped(ctx, sa, serviceAccountExcluded(sa), used(`${sa.namespace}/${sa.name}`)))
    .map((sa) => {
      const identity = workloadIdentity(sa);
      return item({
        kind: "orphan-serviceaccount",
        object: refOf(sa),
        message: "no pod or workload runs as this ServiceAccount and no binding refers to it",
        monthly: 0,
        costReason: "a ServiceAccount costs nothing; it is an identity nobody owns",
        confidence: identity ? "low" : "medium",
        confidenceReason: identity
          ? `annotated ${identity}: probably used from outside the cluster`
          : "a token for it may be used from outside the cluster, which day2 cannot see",
        evidence: { imagePullSecrets: sa.imagePullSecrets.length, cloudIdentity: identity ?? "none" },
        action: `kubectl delete serviceaccount ${sa.name}${nsFlag(sa.namespace)}`,
      });
    });
}

function orphans(ctx: Ctx): WasteItem[] {
  const s = ctx.state;
  if (!s.isCollected("Pod")) {
    ctx.notes.push("orphaned ConfigMaps, Secrets and ServiceAccounts: not judged because pods were not read");
    return [];
  }
  const refs = references(s);
  const out = [...orphanConfigMaps(ctx, refs), ...orphanSecrets(ctx, refs)];
  if (!s.isCollected("RoleBinding") || !s.isCollected("ClusterRoleBinding")) {
    ctx.notes.push("orphaned ServiceAccounts: not judged because RoleBindings were not read");
    return out;
  }
  return [...out, ...orphanServiceAccounts(ctx, refs)];
}

function oldReplicaSets(ctx: Ctx): WasteItem[] {
  const byDeployment = new Map<string, ReplicaSet[]>();
  for (const rs of ctx.state.list("ReplicaSet")) {
    if (rs.owner?.kind !== "Deployment" || rs.replicas !== 0 || rs.readyReplicas !== 0) continue;
    if (korUsedLabel(rs) === true) continue;
    const k = `${rs.namespace}/${rs.owner.name}`;
    const arr = byDeployment.get(k);
    if (arr) arr.push(rs);
    else byDeployment.set(k, [rs]);
  }
  const out: WasteItem[] = [];
  for (const list of byDeployment.values()) {
    const newest = list.reduce((a, b) => ((b.revision ?? 0) > (a.revision ?? 0) ? b : a));
    for (const rs of list) {
      const rollback = rs === newest;
      const dep = rs.owner!.name;
      out.push(
        item({
          kind: "old-replicaset",
          object: refOf(rs),
          message: `old ReplicaSet (revision ${rs.revision ?? "unknown"}) of Deployment ${dep} at zero replicas`,
          monthly: 0,
          costReason: "no pods: it costs nothing but etcd space and list/watch traffic",
          confidence: rollback ? "low" : "high",
          confidenceReason: rollback
            ? "the newest old revision: kubectl rollout undo goes back to it"
            : `an older revision; ${list.length} old ReplicaSets kept for ${dep}`,
          evidence: { revision: rs.revision ?? "unknown", deployment: dep, oldReplicaSets: list.length },
          action: `kubectl patch deployment ${dep}${nsFlag(rs.namespace)} -p '{"spec":{"revisionHistoryLimit":3}}'  # or kubectl delete replicaset ${rs.name}${nsFlag(rs.namespace)}`,
        }),
      );
    }
  }
  return out;
}

function finishedJobs(ctx: Ctx): WasteItem[] {
  const out: WasteItem[] = [];
  for (const j of ctx.state.list("Job")) {
    // Jobs of CronJobs are pruned by the CronJob's history limits.
    if (j.owner || j.ttlSecondsAfterFinished !== undefined || korUsedLabel(j) === true) continue;
    if (!j.complete && !j.failedCondition) continue;
    const at = j.completionTime ?? j.failedCondition?.lastTransition;
    const since = ageDays(ctx.now, at);
    const pods = ctx.state.podsOf(j).length;
    out.push(
      item({
        kind: "finished-job-no-ttl",
        object: refOf(j),
        message: `${j.complete ? "completed" : "failed"} Job${since !== undefined ? ` ${days(since)} ago` : ""} without ttlSecondsAfterFinished: it stays until deleted by hand`,
        monthly: 0,
        costReason: "its finished pods hold no CPU or memory; it is clutter in etcd and every list",
        confidence: "high",
        confidenceReason: "finished, owned by nothing, and no TTL will remove it",
        evidence: {
          status: j.complete ? "Complete" : "Failed",
          finishedDaysAgo: since === undefined ? "unknown" : Math.floor(since),
          pods,
        },
        action: `kubectl delete job ${j.name}${nsFlag(j.namespace)}  # and set spec.ttlSecondsAfterFinished where it is created`,
      }),
    );
  }
  return out;
}

// ---- namespaces ----

/** Kinds whose objects every namespace has anyway (kor's namespace exclusions). */
function isDefaultObject(o: Meta): boolean {
  if (o.kind === "ConfigMap") return o.name === "kube-root-ca.crt" || o.name === "openshift-service-ca.crt";
  if (o.kind === "ServiceAccount") return o.name === "default";
  if (o.kind === "Secret")
    return (
      (o as { type?: string }).type === "kubernetes.io/service-account-token" &&
      o.name.startsWith("default-token-")
    );
  return o.kind === "Event";
}

const PROTECTED_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

function namespaces(ctx: Ctx, items: readonly WasteItem[]): WasteItem[] {
  const s = ctx.state;
  const out: WasteItem[] = [];
  // Objects per namespace, defaults aside, over every kind that was read.
  const contents = new Map<string, Meta[]>();
  const kinds = [...s.coverage.keys()].filter(
    (k): k is ProjectedKind => s.isCollected(k) && k !== "Namespace" && k !== "Event",
  );
  for (const kind of kinds) {
    for (const o of s.list(kind) as readonly Meta[]) {
      if (!o.namespace || isDefaultObject(o)) continue;
      const arr = contents.get(o.namespace);
      if (arr) arr.push(o);
      else contents.set(o.namespace, [o]);
    }
  }
  const billed = new Map<string, { monthly: number; names: string[] }>();
  for (const it of items) {
    if (it.monthly <= 0 || !it.object.namespace) continue;
    const b = billed.get(it.object.namespace) ?? { monthly: 0, names: [] };
    b.monthly += it.monthly;
    b.names.push(`${it.object.kind}/${it.object.name}`);
    billed.set(it.object.namespace, b);
  }
  for (const ns of s.list("Namespace")) {
    if (PROTECTED_NAMESPACES.has(ns.name) || isPlatformNamespace(ns.name, ctx.system)) continue;
    if (korUsedLabel(ns) === true || ns.phase === "Terminating") continue;
    const objs = contents.get(ns.name) ?? [];
    const age = ageDays(ctx.now, ns.createdAt);
    if (objs.length === 0 || korUsedLabel(ns) === false) {
      out.push(
        item({
          kind: "empty-namespace",
          object: refOf(ns),
          message: "namespace holds nothing but the objects every namespace gets",
          monthly: 0,
          costReason: "an empty namespace costs nothing; it is clutter (and RBAC and quotas nobody reviews)",
          confidence: "medium",
          confidenceReason: "day2 reads the kinds it models: custom resources there would not be seen",
          evidence: { ageDays: age === undefined ? "unknown" : Math.floor(age), kindsRead: kinds.length },
          action: `kubectl delete namespace ${ns.name}`,
        }),
      );
      continue;
    }
    // Stale: nothing runs, and nothing was created for a while.
    const running = s.podsInNamespace(ns.name).some((p) => holdsResources(p));
    if (running) continue;
    const newest = objs.reduce(
      (t, o) => (Number.isFinite(o.createdAt) && o.createdAt > t ? o.createdAt : t),
      Number.NEGATIVE_INFINITY,
    );
    const idle = Number.isFinite(newest) ? ageDays(ctx.now, newest) : undefined;
    if (idle === undefined || idle < ctx.o.staleNamespaceDays) continue;
    const b = billed.get(ns.name);
    out.push(
      item({
        kind: "stale-namespace",
        object: refOf(ns),
        message: `no pod runs and nothing was created for ${days(idle)} (${objs.length} objects left)`,
        monthly: 0,
        costReason: b
          ? `its billed objects are their own items: $${cents(b.monthly)}/month in ${b.names.join(", ")}`
          : "nothing in it is billed",
        confidence: "medium",
        confidenceReason: "a namespace kept for occasional jobs or a standby looks the same",
        evidence: {
          objects: objs.length,
          newestObjectDaysAgo: Math.floor(idle),
          billedElsewhere: b ? cents(b.monthly) : 0,
        },
        action: `kubectl delete namespace ${ns.name}  # after checking nobody needs what is left`,
      }),
    );
  }
  return out;
}

// ---- nodes ----

function isDaemonPod(state: ClusterState, p: Pod): boolean {
  return p.owner?.kind === "DaemonSet" || state.ownerChain(p).some((o) => o.kind === "DaemonSet");
}

function daemonSetHeavyNodes(ctx: Ctx): WasteItem[] {
  const out: WasteItem[] = [];
  const prices = nodePrices(ctx.state, ctx.sheet);
  for (const n of ctx.state.list("Node")) {
    if ("node-role.kubernetes.io/control-plane" in n.labels || n.unschedulable) continue;
    let ds = 0;
    let total = 0;
    let others = 0;
    for (const p of ctx.state.podsOnNode(n.name)) {
      if (!holdsResources(p)) continue;
      const h = podHourly(ctx.state, ctx.sheet, p);
      total += h;
      if (isDaemonPod(ctx.state, p)) ds += h;
      else others++;
    }
    const price = prices.get(n.name);
    if (!price || total <= 0 || ds / total < ctx.o.daemonSetShare) continue;
    const share = ds / total;
    out.push(
      item({
        kind: "daemonset-heavy-node",
        object: refOf(n),
        message: `DaemonSet pods hold ${Math.round(share * 100)}% of the requested cost on this node (${others} other pod(s))`,
        monthly: price.hourly * HOURS_PER_MONTH,
        costReason: `the whole node if its other pods fit elsewhere: $${round4(price.hourly)}/h x ${HOURS_PER_MONTH} h (${price.provenance})`,
        confidence: others === 0 ? "high" : "medium",
        confidenceReason:
          others === 0
            ? "only DaemonSet pods run there: removing the node removes them with it"
            : "the saving needs its other pods to fit on other nodes: day2 cost what-if re-packs to check",
        evidence: {
          daemonSetShare: Math.round(share * 1000) / 1000,
          otherPods: others,
          pool: price.topology.pool,
          instanceType: price.topology.instanceType ?? "unknown",
        },
        action: `kubectl cordon ${n.name} && kubectl drain ${n.name} --ignore-daemonsets --delete-emptydir-data  # then let the autoscaler remove it`,
      }),
    );
  }
  return out;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}

const KIND_ORDER: readonly WasteKind[] = [
  "unbound-pv",
  "unmounted-pvc",
  "unbound-pvc",
  "lb-no-endpoints",
  "idle-workload",
  "scaled-to-zero",
  "daemonset-heavy-node",
  "stale-namespace",
  "empty-namespace",
  "finished-job-no-ttl",
  "old-replicaset",
  "orphan-secret",
  "orphan-configmap",
  "orphan-serviceaccount",
];

/**
 * Every waste item in the state, most expensive first (then by kind, namespace and name).
 * Without usage, idle workloads are not judged (a note says so).
 */
export function wasteItems(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData | undefined,
  opts: WasteOptions = {},
): WasteItem[] {
  return wasteReport(state, sheet, usage, opts).items as WasteItem[];
}

/** wasteItems with totals per kind and notes on what could not be judged. */
export function wasteReport(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData | undefined,
  opts: WasteOptions = {},
): WasteReport {
  const ctx: Ctx = {
    state,
    sheet,
    usage,
    now: opts.now ?? state.info.collectedAt,
    region: clusterRegion(state),
    system: new Set(opts.systemNamespaces ?? []),
    o: {
      idleCpuShare: opts.idleCpuShare ?? DEFAULTS.idleCpuShare,
      idleCpuMillis: opts.idleCpuMillis ?? DEFAULTS.idleCpuMillis,
      idleMinPoints: opts.idleMinPoints ?? DEFAULTS.idleMinPoints,
      scaledToZeroDays: opts.scaledToZeroDays ?? DEFAULTS.scaledToZeroDays,
      staleNamespaceDays: opts.staleNamespaceDays ?? DEFAULTS.staleNamespaceDays,
      daemonSetShare: opts.daemonSetShare ?? DEFAULTS.daemonSetShare,
    },
    notes: [],
  };
  const items: WasteItem[] = [
    ...unboundPvs(ctx),
    ...claims(ctx),
    ...lbNoEndpoints(ctx),
    ...scaledToZero(ctx),
    ...idleWorkloads(ctx),
    ...orphans(ctx),
    ...oldReplicaSets(ctx),
    ...finishedJobs(ctx),
    ...daemonSetHeavyNodes(ctx),
  ];
  items.push(...namespaces(ctx, items));
  const rank = (k: WasteKind): number => KIND_ORDER.indexOf(k);
  items.sort(
    (a, b) =>
      b.monthly - a.monthly ||
      rank(a.kind) - rank(b.kind) ||
      cmp(a.object.namespace, b.object.namespace) ||
      cmp(a.object.name, b.object.name),
  );
  const byKind: Partial<Record<WasteKind, { count: number; monthly: number }>> = {};
  for (const it of items) {
    const k = (byKind[it.kind] ??= { count: 0, monthly: 0 });
    k.count++;
    k.monthly = cents(k.monthly + it.monthly);
  }
  return {
    items,
    monthly: cents(items.reduce((t, it) => t + it.monthly, 0)),
    byKind,
    notes: [...new Set(ctx.notes)],
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Emits a workload: its controller, ReplicaSets or Jobs, pods, services, endpoints and policies. */
import type { KubeObject } from "../state/raw.js";
import { DAY, HOUR, MINUTE, SECOND, DEMO_NOW_MS, ago, templateHash, uidOf } from "./format.js";
import type { Gen } from "./gen.js";
import type { NodeRec } from "./nodes.js";
import { ZONES } from "./nodes.js";
import type { ContainerPlan, NamespacePlan, PodFault, WorkloadPlan } from "./plan.js";
import type { Owner, PodOutcome, PodTemplate } from "./pods.js";
import { buildPod, podTemplate, unschedulableMessage } from "./pods.js";
import type { PodRef } from "./objects.js";
import { endpointSlices, event, hpa, ingress, meta, pdb, service } from "./objects.js";
import { hashParts, suffixFromKey, unit } from "./random.js";

/** Per-namespace emission state. */
export interface NsEmit {
  plan: NamespacePlan;
  events: KubeObject[];
  used: { cpuReq: number; memReq: number; cpuLim: number; memLim: number; pods: number };
}

export function selectorOf(w: WorkloadPlan): Record<string, string> {
  return { "app.kubernetes.io/name": w.name };
}

function podLabels(w: WorkloadPlan, extra: Record<string, string>): Record<string, string> {
  return {
    "app.kubernetes.io/name": w.name,
    "app.kubernetes.io/component": w.component,
    "app.kubernetes.io/part-of": w.partOf,
    ...extra,
  };
}

function workloadLabels(w: WorkloadPlan): Record<string, string> {
  return { "app.kubernetes.io/name": w.name, "app.kubernetes.io/part-of": w.partOf };
}

/** The zone of a StatefulSet replica: its PV lives there, so its pod must too. */
export function ordinalZone(seed: number, ns: string, sts: string, i: number): number {
  return (hashParts(seed, "zone", ns, sts) + i) % 3;
}

/** The zone of a standalone PVC's volume. */
export function claimZone(seed: number, ns: string, claim: string): number {
  return hashParts(seed, "zone", ns, claim) % 3;
}

function nameSuffix(g: Gen, w: WorkloadPlan, ns: string, key: string): string {
  return w.fixedNames ? suffixFromKey(0, `${ns}/${key}`, 5) : g.rng.suffix(5);
}

function hashSeed(g: Gen, w: WorkloadPlan): number {
  return w.fixedNames ? 0 : g.seed;
}

function olderTag(image: string, delta: number): string {
  const m = /^(.*):v?(\d+)\.(\d+)\.(\d+)[^/]*$/.exec(image);
  if (!m) return image;
  const [, repo, maj, min, patch] = m;
  let p = Number(patch) - delta;
  let mi = Number(min);
  while (p < 0 && mi > 0) {
    mi -= 1;
    p += 8;
  }
  return `${repo}:${maj}.${mi}.${Math.max(0, p)}`;
}

function account(nse: NsEmit, containers: readonly ContainerPlan[]): void {
  for (const c of containers) {
    nse.used.cpuReq += c.cpuReq ?? 0;
    nse.used.memReq += c.memReq ?? 0;
    nse.used.cpuLim += c.cpuLim ?? c.cpuReq ?? 0;
    nse.used.memLim += c.memLim ?? c.memReq ?? 0;
  }
  nse.used.pods += 1;
}

interface PodRun {
  name: string;
  generateName?: string;
  labels: Record<string, string>;
  owner: Owner;
  fault: PodFault | "succeeded" | undefined;
  ageMs: number;
  zone?: number;
  containers?: readonly ContainerPlan[];
  specExtra?: Record<string, unknown>;
  node?: NodeRec;
  hostname?: string;
}

const outcome: PodOutcome = { ready: false, restarts: 0 };

/** Places, builds and accounts one pod; records it for endpoints and emits its events. */
function runPod(g: Gen, nse: NsEmit, w: WorkloadPlan, t: PodTemplate, r: PodRun, refs: PodRef[]): KubeObject {
  const ns = nse.plan.name;
  const finished = r.fault === "succeeded" || r.fault === "failed";
  let node = r.node;
  if (!node && r.fault !== "pending") {
    const idx = g.placement.place(w.pool, t.request, r.zone, !finished);
    node = idx >= 0 ? g.nodes[idx] : undefined;
  }
  const fault = node ? r.fault : "pending";
  const podIp =
    node && fault !== "missing-configmap"
      ? w.hostNetwork
        ? node.ip
        : g.placement.podIp(node.index)
      : undefined;
  const pod = buildPod(
    g,
    {
      ns,
      name: r.name,
      generateName: r.generateName,
      labels: r.labels,
      owner: r.owner,
      template: t,
      w,
      fault,
      node,
      podIp,
      ageMs: r.ageMs,
      containers: r.containers,
      specExtra: r.specExtra,
      healthy: nse.plan.healthy,
    },
    outcome,
  );
  if (!finished) account(nse, r.containers ?? w.containers);
  const uid = (pod.metadata?.uid as string) ?? "";
  if (!finished) {
    refs.push({
      name: r.name,
      uid,
      ip: (pod.status as { podIP?: string } | undefined)?.podIP,
      node: node?.name,
      zone: node ? ZONES[node.zone] : undefined,
      ready: outcome.ready,
      ...(r.hostname ? { hostname: r.hostname } : {}),
    });
  }
  podEvents(g, nse, w, r, fault, node, uid);
  return pod;
}

function podEvents(
  g: Gen,
  nse: NsEmit,
  w: WorkloadPlan,
  r: PodRun,
  fault: PodRun["fault"],
  node: NodeRec | undefined,
  uid: string,
): void {
  const ns = nse.plan.name;
  const main = (r.containers ?? w.containers)[0];
  if (!main) return;
  const involved: { apiVersion: string; kind: string; name: string; uid: string; fieldPath?: string } = {
    apiVersion: "v1",
    kind: "Pod",
    name: r.name,
    uid,
    fieldPath: `spec.containers{${main.name}}`,
  };
  const kubelet = { ns, involved, component: "kubelet", host: node?.name };
  const push = (
    type: "Normal" | "Warning",
    reason: string,
    message: string,
    count: number,
    firstAgoMs: number,
    lastAgoMs = 40 * SECOND,
  ) => nse.events.push(event(g, { ...kubelet, type, reason, message, count, firstAgoMs, lastAgoMs }));
  switch (fault) {
    case "crashloop":
      push(
        "Warning",
        "BackOff",
        `Back-off restarting failed container ${main.name} in pod ${r.name}_${ns}(${uid})`,
        412,
        14 * HOUR,
      );
      break;
    case "restarts":
      push(
        "Warning",
        "Unhealthy",
        "Liveness probe failed: HTTP probe failed with statuscode: 503",
        97,
        26 * HOUR,
        47 * MINUTE + 20 * SECOND,
      );
      push(
        "Normal",
        "Killing",
        `Container ${main.name} failed liveness probe, will be restarted`,
        31,
        26 * HOUR,
        47 * MINUTE + 10 * SECOND,
      );
      break;
    case "imagepull":
    case "errimagepull": {
      const detail = main.image.startsWith("ghcr.io/") ? "401 Unauthorized" : "not found";
      push("Warning", "Failed", `Failed to pull image "${main.image}": ${detail}`, 23, 2 * HOUR);
      push(
        "Warning",
        "Failed",
        `Error: ${fault === "imagepull" ? "ImagePullBackOff" : "ErrImagePull"}`,
        23,
        2 * HOUR,
      );
      push("Normal", "BackOff", `Back-off pulling image "${main.image}"`, 410, 2 * HOUR);
      break;
    }
    case "missing-configmap": {
      const cm = w.missingConfigMap ?? "config";
      const vol = w.volumes.find((v) => v.type === "configMap" && v.ref === cm)?.name ?? "config";
      nse.events.push(
        event(g, {
          ...kubelet,
          involved: { apiVersion: "v1", kind: "Pod", name: r.name, uid },
          type: "Warning",
          reason: "FailedMount",
          message: `MountVolume.SetUp failed for volume "${vol}" : configmap "${cm}" not found`,
          count: 58,
          firstAgoMs: 3 * HOUR,
          lastAgoMs: 90 * SECOND,
        }),
      );
      break;
    }
    case "pending":
      nse.events.push(
        event(g, {
          ns,
          involved: { apiVersion: "v1", kind: "Pod", name: r.name, uid },
          component: "default-scheduler",
          type: "Warning",
          reason: "FailedScheduling",
          message: unschedulableMessage(
            g,
            w.pool,
            w.containers.some((c) => c.gpu) ? "Insufficient nvidia.com/gpu" : "Insufficient cpu",
          ),
          count: 1,
          firstAgoMs: r.ageMs - SECOND,
          lastAgoMs: 4 * MINUTE,
        }),
      );
      break;
    case "oom":
      if (node) {
        g.nodeEvents.push(
          event(g, {
            ns: "default",
            involved: {
              apiVersion: "v1",
              kind: "Node",
              name: node.name,
              uid: uidOf(g.seed, "Node", "", node.name),
            },
            component: "kernel-monitor",
            host: node.name,
            type: "Warning",
            reason: "OOMKilling",
            message: `Memory cgroup out of memory: Killed process ${1000 + (hashParts(g.seed, r.name) % 60000)} (${main.name}) total-vm:${2_400_000 + (hashParts(g.seed, r.name, "vm") % 900_000)}kB, anon-rss:${Math.round((main.memLim ?? 1 << 30) / 1024)}kB, file-rss:0kB, shmem-rss:0kB, UID:10001 pgtables:2488kB oom_score_adj:${w.containers.length > 1 ? 999 : 984}`,
            count: 1,
            firstAgoMs: 3 * HOUR,
            lastAgoMs: 3 * HOUR,
          }),
        );
      }
      break;
    default:
      // A few recently started pods carry their start-up story, as a real cluster's do.
      if (r.ageMs < 50 * MINUTE && fault === undefined) {
        push(
          "Normal",
          "Pulled",
          `Container image "${main.image}" already present on machine`,
          1,
          r.ageMs - 2 * SECOND,
          r.ageMs - 2 * SECOND,
        );
        push(
          "Normal",
          "Started",
          `Started container ${main.name}`,
          1,
          r.ageMs - 3 * SECOND,
          r.ageMs - 3 * SECOND,
        );
      }
  }
}

/** How long ago a pod of a workload started: replicas restart or get rescheduled over time. */
function podAge(g: Gen, w: WorkloadPlan, revAgeMs: number, key: string): number {
  const u = unit(hashParts(g.seed, "pod-age", key));
  const age = u < 0.7 ? revAgeMs - u * 60 * SECOND : revAgeMs * (u - 0.3) * 1.4;
  return Math.max(10 * MINUTE + (hashParts(g.seed, key) % 600) * SECOND, Math.min(revAgeMs, age));
}

function revisionAge(g: Gen, ns: string, w: WorkloadPlan): number {
  if (w.rolloutStuck) return 2 * HOUR + 20 * MINUTE;
  const maxMs = w.ageDays * DAY;
  return Math.max(
    30 * MINUTE,
    Math.min(maxMs, (0.05 + unit(hashParts(g.seed, "rev", ns, w.name)) * 20) * DAY),
  );
}

export function* emitWorkload(g: Gen, nse: NsEmit, w: WorkloadPlan): Generator<KubeObject> {
  const ns = nse.plan.name;
  const sel = selectorOf(w);
  const t = podTemplate(g, ns, w, sel);
  const refs: PodRef[] = [];
  const ageMs = w.ageDays * DAY;
  let current = w.replicas;
  if (w.hpa) current = w.hpa.atMax ? w.hpa.max : Math.min(w.hpa.max, Math.max(w.hpa.min, w.replicas));
  switch (w.kind) {
    case "Deployment":
      yield* deployment(g, nse, w, t, current, refs);
      break;
    case "StatefulSet":
      yield* statefulSet(g, nse, w, t, refs);
      break;
    case "DaemonSet":
      yield* daemonSet(g, nse, w, t, refs);
      break;
    case "CronJob":
      yield* cronJob(g, nse, w, t);
      break;
    case "Job":
      yield* job(g, nse, w, t, undefined, w.finishedHoursAgo ?? 1, "");
      break;
  }
  for (const s of w.services) {
    yield service(g, ns, s, sel, ageMs);
    yield* endpointSlices(g, ns, s, s.selector ? [] : refs, ageMs);
  }
  if (w.ingress) {
    const svc = w.services[0];
    yield ingress(g, ns, w.ingress, w.ingress.service ?? svc?.name ?? w.name, svc?.port ?? 80, ageMs);
  }
  if (w.hpa) yield hpa(g, ns, w.name, w.hpa, current, ageMs);
  if (w.pdb) {
    const healthy = refs.filter((r) => r.ready).length;
    yield pdb(g, ns, w.name, w.pdb, sel, refs.length, healthy, ageMs);
  }
}

function* deployment(
  g: Gen,
  nse: NsEmit,
  w: WorkloadPlan,
  t: PodTemplate,
  replicas: number,
  refs: PodRef[],
): Generator<KubeObject> {
  const ns = nse.plan.name;
  const sel = selectorOf(w);
  const ageMs = w.ageDays * DAY;
  const depUid = uidOf(g.seed, "Deployment", ns, w.name);
  const revAge = revisionAge(g, ns, w);
  const cur = w.revision;
  const curHash = templateHash(hashSeed(g, w), `${ns}/${w.name}/${cur}`);
  const curRs = `${w.name}-${curHash}`;
  // A stuck rollout: one new pod that cannot start, the previous ReplicaSet still serving.
  const newReplicas = w.rolloutStuck ? 1 : replicas;
  const activeOld = w.rolloutStuck ? cur - 1 : -1;
  const prevContainers = (rev: number): ContainerPlan[] =>
    w.containers.map((c, i) =>
      i === 0
        ? {
            ...c,
            image: w.rolloutStuck && rev === cur - 1 ? olderTag(c.image, 1) : olderTag(c.image, cur - rev),
          }
        : c,
    );

  const rsObjects: KubeObject[] = [];
  const podObjects: KubeObject[] = [];
  let ready = 0;
  let updated = 0;
  let total = 0;
  for (let rev = Math.max(1, cur - w.oldRevisions - (w.rolloutStuck ? 1 : 0)); rev <= cur; rev++) {
    const hash = rev === cur ? curHash : templateHash(hashSeed(g, w), `${ns}/${w.name}/${rev}`);
    const rsName = `${w.name}-${hash}`;
    const rsReplicas = rev === cur ? newReplicas : rev === activeOld ? replicas : 0;
    const containers = rev === cur ? w.containers : prevContainers(rev);
    const rsAge =
      rev === cur
        ? revAge
        : revAge + ((cur - rev) * (ageMs - revAge)) / Math.max(1, cur - 1 + (w.rolloutStuck ? 0 : 0));
    const labels = podLabels(w, { "pod-template-hash": hash });
    const rsUid = uidOf(g.seed, "ReplicaSet", ns, rsName);
    let rsReady = 0;
    for (let i = 0; i < rsReplicas; i++) {
      const fault = rev === cur && w.rolloutStuck ? "imagepull" : rev === cur ? w.faults[i] : undefined;
      const name = `${rsName}-${nameSuffix(g, w, ns, `${rsName}/${i}`)}`;
      const before = refs.length;
      podObjects.push(
        runPod(
          g,
          nse,
          w,
          t,
          {
            name,
            generateName: `${rsName}-`,
            labels,
            owner: { apiVersion: "apps/v1", kind: "ReplicaSet", name: rsName, uid: rsUid },
            fault,
            ageMs: podAge(g, w, Math.min(rsAge, ageMs), name),
            containers,
          },
          refs,
        ),
      );
      if (refs.length > before && refs[refs.length - 1]?.ready) rsReady++;
    }
    ready += rsReady;
    total += rsReplicas;
    if (rev === cur) updated = rsReplicas;
    const spec =
      containers === w.containers
        ? t.templateSpec
        : {
            ...t.templateSpec,
            containers: (t.templateSpec.containers as Record<string, unknown>[]).map((c, i) => ({
              ...c,
              image: containers[i]?.image ?? c.image,
            })),
          };
    rsObjects.push({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: meta(g, {
        kind: "ReplicaSet",
        ns,
        name: rsName,
        ageMs: Math.min(rsAge, ageMs),
        labels,
        annotations: {
          "deployment.kubernetes.io/desired-replicas": String(replicas),
          "deployment.kubernetes.io/max-replicas": String(replicas + Math.max(1, Math.ceil(replicas * 0.25))),
          "deployment.kubernetes.io/revision": String(rev),
        },
        owner: { apiVersion: "apps/v1", kind: "Deployment", name: w.name, uid: depUid },
        generation: rev === cur ? 1 + (hashParts(g.seed, rsName) % 4) : 2,
      }),
      spec: {
        replicas: rsReplicas,
        selector: { matchLabels: { ...sel, "pod-template-hash": hash } },
        template: { metadata: { labels }, spec },
      },
      status: {
        replicas: rsReplicas,
        fullyLabeledReplicas: rsReplicas,
        readyReplicas: rsReady,
        availableReplicas: rsReady,
        observedGeneration: 2,
      },
    });
  }
  const maxUnavailable = Math.floor(replicas * 0.25);
  const available = ready >= replicas - maxUnavailable;
  const conditions = [
    available
      ? {
          type: "Available",
          status: "True",
          lastUpdateTime: ago(revAge - 30 * SECOND),
          lastTransitionTime: ago(revAge - 30 * SECOND),
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
        }
      : {
          type: "Available",
          status: "False",
          lastUpdateTime: ago(3 * HOUR),
          lastTransitionTime: ago(3 * HOUR),
          reason: "MinimumReplicasUnavailable",
          message: "Deployment does not have minimum availability.",
        },
    w.rolloutStuck
      ? {
          type: "Progressing",
          status: "False",
          lastUpdateTime: ago(revAge - 10 * MINUTE),
          lastTransitionTime: ago(revAge - 10 * MINUTE),
          reason: "ProgressDeadlineExceeded",
          message: `ReplicaSet "${curRs}" has timed out progressing.`,
        }
      : {
          type: "Progressing",
          status: "True",
          lastUpdateTime: ago(revAge - 40 * SECOND),
          lastTransitionTime: ago(ageMs - 40 * SECOND),
          reason: "NewReplicaSetAvailable",
          message: `ReplicaSet "${curRs}" has successfully progressed.`,
        },
  ];
  const generation = w.revision + (hashParts(g.seed, ns, w.name) % 3);
  const status: Record<string, unknown> = {
    observedGeneration: generation,
    replicas: total,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: ready,
  };
  if (total - ready > 0) status.unavailableReplicas = total - ready;
  status.conditions = conditions;
  yield {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(g, {
      kind: "Deployment",
      ns,
      name: w.name,
      ageMs,
      labels: workloadLabels(w),
      annotations: { "deployment.kubernetes.io/revision": String(cur), ...(w.annotations ?? {}) },
      generation,
    }),
    spec: {
      replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: sel },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: { metadata: { labels: podLabels(w, {}) }, spec: t.templateSpec },
    },
    status,
  };
  yield* rsObjects;
  yield* podObjects;
}

function* statefulSet(
  g: Gen,
  nse: NsEmit,
  w: WorkloadPlan,
  t: PodTemplate,
  refs: PodRef[],
): Generator<KubeObject> {
  const ns = nse.plan.name;
  const sel = selectorOf(w);
  const ageMs = w.ageDays * DAY;
  const uid = uidOf(g.seed, "StatefulSet", ns, w.name);
  const rev = `${w.name}-${templateHash(hashSeed(g, w), `${ns}/${w.name}/${w.revision}`)}`;
  const headless = w.services.find((s) => s.type === "Headless")?.name ?? w.name;
  const pods: KubeObject[] = [];
  const revAge = revisionAge(g, ns, w);
  for (let i = 0; i < w.replicas; i++) {
    const name = `${w.name}-${i}`;
    const volumes = [...((t.podSpec.volumes as object[]) ?? [])];
    if (w.claim) volumes.unshift({ name: "data", persistentVolumeClaim: { claimName: `data-${name}` } });
    pods.push(
      runPod(
        g,
        nse,
        w,
        t,
        {
          name,
          generateName: `${w.name}-`,
          labels: podLabels(w, {
            "apps.kubernetes.io/pod-index": String(i),
            "controller-revision-hash": rev,
            "statefulset.kubernetes.io/pod-name": name,
          }),
          owner: { apiVersion: "apps/v1", kind: "StatefulSet", name: w.name, uid },
          fault: w.faults[i],
          ageMs: podAge(g, w, revAge, name),
          zone: w.claim ? ordinalZone(g.seed, ns, w.name, i) : undefined,
          specExtra: { hostname: name, subdomain: headless, volumes },
          hostname: name,
        },
        refs,
      ),
    );
  }
  const ready = refs.filter((r) => r.ready).length;
  const spec: Record<string, unknown> = {
    replicas: w.replicas,
    serviceName: headless,
    selector: { matchLabels: sel },
    template: { metadata: { labels: podLabels(w, {}) }, spec: t.templateSpec },
    podManagementPolicy: "OrderedReady",
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
    revisionHistoryLimit: 10,
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
  };
  if (w.claim) {
    spec.volumeClaimTemplates = [
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "data" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: `${w.claim.sizeGi}Gi` } },
          storageClassName: w.claim.storageClass,
          volumeMode: "Filesystem",
        },
        status: { phase: "Pending" },
      },
    ];
  }
  yield {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: meta(g, {
      kind: "StatefulSet",
      ns,
      name: w.name,
      ageMs,
      labels: workloadLabels(w),
      generation: w.revision,
    }),
    spec,
    status: {
      observedGeneration: w.revision,
      replicas: w.replicas,
      readyReplicas: ready,
      currentReplicas: w.replicas,
      updatedReplicas: w.replicas,
      availableReplicas: ready,
      currentRevision: rev,
      updateRevision: rev,
      collisionCount: 0,
    },
  };
  yield* pods;
}

/** The pools a DaemonSet runs in (all when unrestricted). */
export function daemonNodes(g: Gen, w: WorkloadPlan): NodeRec[] {
  return w.daemonPools ? g.nodes.filter((n) => w.daemonPools?.includes(n.pool)) : [...g.nodes];
}

function* daemonSet(
  g: Gen,
  nse: NsEmit,
  w: WorkloadPlan,
  t: PodTemplate,
  refs: PodRef[],
): Generator<KubeObject> {
  const ns = nse.plan.name;
  const sel = selectorOf(w);
  const ageMs = w.ageDays * DAY;
  const uid = uidOf(g.seed, "DaemonSet", ns, w.name);
  const rev = templateHash(hashSeed(g, w), `${ns}/${w.name}/${w.revision}`);
  const labels = podLabels(w, {
    "controller-revision-hash": rev,
    "pod-template-generation": String(w.revision),
  });
  const nodes = daemonNodes(g, w);
  const revAge = revisionAge(g, ns, w);
  yield {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta(g, {
      kind: "DaemonSet",
      ns,
      name: w.name,
      ageMs,
      labels: workloadLabels(w),
      annotations: { "deprecated.daemonset.template.generation": String(w.revision) },
      generation: w.revision,
    }),
    spec: {
      selector: { matchLabels: sel },
      template: { metadata: { labels: podLabels(w, {}) }, spec: t.templateSpec },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%", maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status: daemonStatus(g, w, nodes),
  };
  for (const node of nodes) {
    const name = `${w.name}-${nameSuffix(g, w, ns, `${w.name}/${node.name}`)}`;
    yield runPod(
      g,
      nse,
      w,
      t,
      {
        name,
        generateName: `${w.name}-`,
        labels,
        owner: { apiVersion: "apps/v1", kind: "DaemonSet", name: w.name, uid },
        fault: undefined,
        ageMs: Math.min(node.ageMs - 20 * SECOND, podAge(g, w, revAge, name)),
        node,
        specExtra: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: "metadata.name", operator: "In", values: [node.name] }] },
                ],
              },
            },
          },
        },
      },
      refs,
    );
  }
}

function daemonStatus(g: Gen, w: WorkloadPlan, nodes: readonly NodeRec[]): Record<string, unknown> {
  const desired = nodes.length;
  const ready = nodes.filter((n) => n.health !== "not-ready").length;
  const status: Record<string, unknown> = {
    currentNumberScheduled: desired,
    desiredNumberScheduled: desired,
    numberAvailable: ready,
    numberMisscheduled: 0,
    numberReady: ready,
    observedGeneration: w.revision,
    updatedNumberScheduled: desired,
  };
  if (desired > ready) status.numberUnavailable = desired - ready;
  void g;
  return status;
}

function* cronJob(g: Gen, nse: NsEmit, w: WorkloadPlan, t: PodTemplate): Generator<KubeObject> {
  const ns = nse.plan.name;
  const ageMs = w.ageDays * DAY;
  const s = w.schedule ?? { cron: "0 * * * *", everyMin: 60, offsetMin: 0 };
  const nowMin = Math.floor(DEMO_NOW_MS / 60000);
  const last = Math.floor((nowMin - s.offsetMin) / s.everyMin) * s.everyMin + s.offsetMin;
  const history = w.jobHistory ?? 3;
  const uid = uidOf(g.seed, "CronJob", ns, w.name);
  const jobs: KubeObject[] = [];
  let lastSuccess: number | undefined;
  for (let k = 0; k < history; k++) {
    const scheduled = last - k * s.everyMin;
    const scheduledAgo = DEMO_NOW_MS - scheduled * 60000;
    if (scheduledAgo > ageMs) break;
    const runMs = (20 + (hashParts(g.seed, ns, w.name, k) % 900)) * SECOND;
    const finishedAgo = Math.max(5 * SECOND, scheduledAgo - runMs);
    // The CronJob records its last success even when the TTL controller has removed that Job.
    lastSuccess ??= finishedAgo;
    if (w.ttl !== undefined && finishedAgo > w.ttl * 1000) continue;
    jobs.push(
      ...job(
        g,
        nse,
        w,
        t,
        { name: w.name, uid, scheduledMinute: scheduled },
        finishedAgo / HOUR,
        `${w.name}-${scheduled}`,
      ),
    );
  }
  yield {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: meta(g, { kind: "CronJob", ns, name: w.name, ageMs, labels: workloadLabels(w), generation: 1 }),
    spec: {
      schedule: s.cron,
      concurrencyPolicy: "Forbid",
      suspend: false,
      successfulJobsHistoryLimit: history,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: {},
        spec: {
          backoffLimit: w.backoffLimit ?? 6,
          ...(w.ttl !== undefined ? { ttlSecondsAfterFinished: w.ttl } : {}),
          template: { metadata: { labels: podLabels(w, {}) }, spec: t.templateSpec },
        },
      },
    },
    status: {
      lastScheduleTime: ago(DEMO_NOW_MS - last * 60000),
      ...(lastSuccess !== undefined ? { lastSuccessfulTime: ago(lastSuccess) } : {}),
    },
  };
  yield* jobs;
}

function* job(
  g: Gen,
  nse: NsEmit,
  w: WorkloadPlan,
  t: PodTemplate,
  cron: { name: string; uid: string; scheduledMinute: number } | undefined,
  finishedHoursAgo: number,
  jobName: string,
): Generator<KubeObject> {
  const ns = nse.plan.name;
  const name = jobName || w.name;
  const uid = uidOf(g.seed, "Job", ns, name);
  const failed = w.faults[0] === "failed";
  const finishedAgo = finishedHoursAgo * HOUR;
  const runMs = (30 + (hashParts(g.seed, ns, name) % 600)) * SECOND;
  const startedAgo = finishedAgo + runMs;
  const podName = `${name}-${nameSuffix(g, w, ns, `${name}/0`)}`;
  const labels = podLabels(w, {
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
    "controller-uid": uid,
    "job-name": name,
  });
  const condTime = ago(finishedAgo);
  const reached = "Reached expected number of succeeded pods";
  const limit = "Job has reached the specified backoff limit";
  const conditions = failed
    ? [
        {
          type: "FailureTarget",
          status: "True",
          reason: "BackoffLimitExceeded",
          message: limit,
          lastProbeTime: condTime,
          lastTransitionTime: condTime,
        },
        {
          type: "Failed",
          status: "True",
          reason: "BackoffLimitExceeded",
          message: limit,
          lastProbeTime: condTime,
          lastTransitionTime: condTime,
        },
      ]
    : [
        {
          type: "SuccessCriteriaMet",
          status: "True",
          reason: "CompletionsReached",
          message: reached,
          lastProbeTime: condTime,
          lastTransitionTime: condTime,
        },
        {
          type: "Complete",
          status: "True",
          reason: "CompletionsReached",
          message: reached,
          lastProbeTime: condTime,
          lastTransitionTime: condTime,
        },
      ];
  const spec: Record<string, unknown> = {
    parallelism: 1,
    completions: 1,
    backoffLimit: w.backoffLimit ?? 6,
    completionMode: "NonIndexed",
    suspend: false,
    podReplacementPolicy: "TerminatingOrFailed",
    selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
    manualSelector: false,
    template: { metadata: { labels }, spec: t.templateSpec },
  };
  if (w.ttl !== undefined) spec.ttlSecondsAfterFinished = w.ttl;
  yield {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(g, {
      kind: "Job",
      ns,
      name,
      ageMs: startedAgo + SECOND,
      labels: cron ? { ...labels } : { ...workloadLabels(w), ...labels },
      annotations: cron
        ? {
            "batch.kubernetes.io/cronjob-scheduled-timestamp": ago(
              DEMO_NOW_MS - cron.scheduledMinute * 60000,
            ),
          }
        : undefined,
      owner: cron ? { apiVersion: "batch/v1", kind: "CronJob", name: cron.name, uid: cron.uid } : undefined,
      generation: 1,
    }),
    spec,
    status: {
      startTime: ago(startedAgo),
      ...(failed ? {} : { completionTime: ago(finishedAgo) }),
      ...(failed ? { failed: 1 } : { succeeded: 1 }),
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions,
    },
  };
  const refs: PodRef[] = [];
  yield runPod(
    g,
    nse,
    w,
    t,
    {
      name: podName,
      generateName: `${name}-`,
      labels,
      owner: { apiVersion: "batch/v1", kind: "Job", name, uid },
      fault: failed ? "failed" : "succeeded",
      ageMs: startedAgo,
    },
    refs,
  );
  if (failed) {
    nse.events.push(
      event(g, {
        ns,
        involved: { apiVersion: "batch/v1", kind: "Job", name, uid },
        component: "job-controller",
        type: "Warning",
        reason: "BackoffLimitExceeded",
        message: limit,
        count: 1,
        firstAgoMs: finishedAgo,
        lastAgoMs: finishedAgo,
      }),
    );
  }
}

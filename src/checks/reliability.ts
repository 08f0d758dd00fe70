/** Reliability configuration: disruption budgets, replicas, requests/limits, probes, image tags. */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta, OwnerRef, Pod, PodDisruptionBudget, PodTemplate } from "../state/types.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";
import { allContainers } from "./security.js";
import {
  TEMPLATE_KINDS,
  objectsOf,
  serviceOwners,
  workloadOwners,
  workloadTemplates,
} from "./workload-templates.js";

/** The pods each PDB selects, resolved once per state for the three PDB rules. */
function pdbPods(state: ClusterState, pdb: PodDisruptionBudget): readonly Pod[] {
  const cache = state.derive("checks:pdb-pods", () => new Map<PodDisruptionBudget, readonly Pod[]>());
  let pods = cache.get(pdb);
  if (!pods) cache.set(pdb, (pods = state.pdbPods(pdb)));
  return pods;
}

export const pdbBlocksEviction = defineRule({
  id: "pdb-blocks-eviction",
  title: "PodDisruptionBudget allows no eviction",
  severity: "medium",
  category: "reliability",
  rationale:
    "A PDB that allows zero disruptions blocks every node drain: upgrades and autoscaler scale-down stall on it.",
  fix: "Run more replicas than minAvailable, or use maxUnavailable: 1.",
  kinds: ["PodDisruptionBudget", "Pod"],
  requires: ["Pod"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pdb of state.list("PodDisruptionBudget")) {
      const pods = pdbPods(state, pdb);
      if (pods.length === 0) continue; // a PDB matching nothing is a different problem
      const healthy = pdb.hasStatus ? pdb.currentHealthy : pods.filter((p) => p.ready).length;
      const blocksByStatus =
        pdb.hasStatus &&
        pdb.disruptionsAllowed === 0 &&
        pdb.expectedPods > 0 &&
        pdb.currentHealthy >= pdb.desiredHealthy;
      const blocksBySpec =
        pdb.maxUnavailable === 0 ||
        pdb.maxUnavailable === "0%" ||
        pdb.minAvailable === "100%" ||
        (typeof pdb.minAvailable === "number" && pdb.minAvailable >= pods.length);
      if (blocksByStatus || blocksBySpec) {
        out.push({
          object: ref(pdb),
          message: `allows no voluntary disruption (${pdb.minAvailable !== undefined ? `minAvailable ${pdb.minAvailable}` : `maxUnavailable ${pdb.maxUnavailable}`} for ${pods.length} pods)`,
          evidence: {
            selector: pdb.selector.text,
            pods: pods.length,
            healthy,
            disruptionsAllowed: pdb.hasStatus ? pdb.disruptionsAllowed : "no status",
            minAvailable: pdb.minAvailable ?? "",
            maxUnavailable: pdb.maxUnavailable ?? "",
          },
        });
      }
    }
    return out;
  },
});

function containersMissing(
  t: PodTemplate,
  predicate: (c: PodTemplate["containers"][number]) => boolean,
): string[] {
  return t.containers.filter(predicate).map((c) => c.name);
}

export const missingResources = defineRule({
  id: "container-resources-missing",
  title: "Container without CPU/memory requests or memory limit",
  severity: "medium",
  category: "reliability",
  rationale:
    "Without requests the scheduler packs blindly and the pod is first to be evicted; without a memory limit one leak can starve its node.",
  fix: "Set CPU and memory requests from observed usage, and a memory limit.",
  kinds: [...TEMPLATE_KINDS],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      const missing: string[] = [];
      for (const c of template.containers) {
        const parts = [];
        // A limit without a request defaults the request to the limit, for CPU as for memory.
        if (c.requests.cpu === undefined && c.limits.cpu === undefined) parts.push("cpu request");
        if (c.requests.memory === undefined && c.limits.memory === undefined) parts.push("memory request");
        if (c.limits.memory === undefined) parts.push("memory limit");
        if (parts.length) missing.push(`${c.name}: ${parts.join(", ")}`);
      }
      if (missing.length) {
        out.push({
          object: ref(owner),
          message: `missing ${missing.join("; ")}`,
          evidence: { containers: missing.join("; ") },
        });
      }
    }
    return out;
  },
});

export const missingProbes = defineRule({
  id: "container-probes-missing",
  title: "Container without readiness or liveness probe",
  severity: "medium",
  category: "reliability",
  rationale:
    "Without a readiness probe traffic reaches pods that cannot serve; without a liveness probe a hung process is never restarted.",
  fix: "Add a readinessProbe on the serving port and a livenessProbe that checks the process itself.",
  kinds: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"],
  targets: serviceOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template, batch } of workloadTemplates(state)) {
      if (batch) continue;
      const noReadiness = containersMissing(template, (c) => !c.readiness);
      const noLiveness = containersMissing(template, (c) => !c.liveness);
      if (noReadiness.length || noLiveness.length) {
        const parts = [];
        if (noReadiness.length) parts.push(`no readiness probe: ${noReadiness.join(", ")}`);
        if (noLiveness.length) parts.push(`no liveness probe: ${noLiveness.join(", ")}`);
        out.push({
          object: ref(owner),
          message: parts.join("; "),
          evidence: { noReadiness: noReadiness.join(","), noLiveness: noLiveness.join(",") },
        });
      }
    }
    return out;
  },
});

function coveredByPdb(state: ClusterState, namespace: string, labels: PodTemplate["labels"]): boolean {
  return state.pdbsFor(namespace, labels).length > 0;
}

export const singleReplica = defineRule({
  id: "single-replica-no-pdb",
  title: "Single replica without PodDisruptionBudget",
  severity: "medium",
  category: "reliability",
  rationale:
    "One replica means downtime on every node drain, eviction or crash, and nothing tells the cluster to wait.",
  fix: "Run at least two replicas spread across nodes, with a PDB of maxUnavailable: 1.",
  kinds: ["Deployment", "StatefulSet", "PodDisruptionBudget"],
  targets: objectsOf("Deployment", "StatefulSet"),
  requires: ["PodDisruptionBudget"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const w of [...state.list("Deployment"), ...state.list("StatefulSet")]) {
      if (w.replicas !== 1) continue;
      if (coveredByPdb(state, w.namespace, w.template.labels)) continue;
      out.push({
        object: ref(w),
        message: "runs a single replica and no PodDisruptionBudget covers it",
        evidence: { replicas: w.replicas },
      });
    }
    return out;
  },
});

/** Splits an image reference into its tag (undefined when there is none) and digest. */
export function imageTag(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  return { tag, digest };
}

/** imageTag, memoized per state: a few thousand distinct images across 300,000 containers. */
function cachedImageTag(state: ClusterState, image: string): { tag?: string; digest?: string } {
  const cache = state.derive("checks:image-tags", () => new Map<string, { tag?: string; digest?: string }>());
  let t = cache.get(image);
  if (!t) cache.set(image, (t = imageTag(image)));
  return t;
}

export const latestTag = defineRule({
  id: "image-latest-tag",
  title: "Image uses :latest or no tag",
  severity: "medium",
  category: "reliability",
  rationale:
    "A moving tag makes rollouts unreproducible: two pods of one ReplicaSet can run different code, and rollback restores nothing.",
  fix: "Pin images to a version tag, or better a digest.",
  kinds: [...TEMPLATE_KINDS],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      const bad = allContainers(template).filter((c) => {
        const { tag, digest } = cachedImageTag(state, c.image);
        return !digest && (tag === undefined || tag === "latest");
      });
      if (bad.length) {
        out.push({
          object: ref(owner),
          message: `unpinned image ${bad.map((c) => `${c.name}=${c.image}`).join(", ")}`,
          evidence: { images: bad.map((c) => c.image).join(",") },
        });
      }
    }
    return out;
  },
});

/** A liveness probe that kills a container within this many seconds of its start leaves no room to boot. */
const LIVENESS_MIN_GRACE_SEC = 10;
/** CPU limits below this many millicores throttle nearly any real process. */
const LOW_CPU_LIMIT_M = 100;
/** Namespaces whose pods should carry a priority class so they are not preempted first. */
const CRITICAL_NAMESPACES = new Set(["kube-system"]);

export const probesIdentical = defineRule({
  id: "probes-identical",
  title: "Liveness and readiness probes are identical",
  severity: "medium",
  category: "reliability",
  rationale:
    "With the same check for both, a dependency outage or overload that should only take the pod out of rotation also restarts it, turning a slowdown into a restart storm.",
  fix: "Make liveness check only that the process is alive (a cheap local endpoint or tcpSocket); keep dependency checks in readiness.",
  kinds: [...TEMPLATE_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template, batch } of workloadTemplates(state)) {
      if (batch) continue;
      const same = template.containers.filter(
        (c) => c.liveness && c.readiness && c.liveness.handler === c.readiness.handler,
      );
      if (same.length === 0) continue;
      out.push({
        object: ref(owner),
        message: `liveness and readiness probe the same handler: ${same.map((c) => `${c.name} (${c.liveness!.handler})`).join(", ")}`,
        evidence: { containers: same.map((c) => c.name).join(","), handler: same[0]!.liveness!.handler },
      });
    }
    return out;
  },
});

export const livenessAggressive = defineRule({
  id: "liveness-probe-aggressive",
  title: "Liveness probe kills containers too eagerly",
  severity: "medium",
  category: "reliability",
  rationale:
    "A liveness probe with failureThreshold 1, or one that fails a container seconds after start without a startupProbe, restarts slow-starting or briefly busy containers in a loop.",
  fix: "Add a startupProbe for slow starts, and give liveness failureThreshold >= 3 with a period that tolerates a GC pause.",
  kinds: [...TEMPLATE_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template, batch } of workloadTemplates(state)) {
      if (batch) continue;
      const bad: string[] = [];
      let grace = Number.POSITIVE_INFINITY;
      for (const c of template.containers) {
        const l = c.liveness;
        if (!l) continue;
        const startGrace = l.initialDelaySeconds + l.periodSeconds * l.failureThreshold;
        if (l.failureThreshold <= 1 || (!c.startup && startGrace < LIVENESS_MIN_GRACE_SEC)) {
          bad.push(
            `${c.name} (initialDelay ${l.initialDelaySeconds}s, period ${l.periodSeconds}s, failureThreshold ${l.failureThreshold})`,
          );
          grace = Math.min(grace, startGrace);
        }
      }
      if (bad.length === 0) continue;
      out.push({
        object: ref(owner),
        message: `aggressive liveness probe: ${bad.join(", ")}`,
        evidence: {
          containers: bad.length,
          startGraceSeconds: grace,
          minimumSeconds: LIVENESS_MIN_GRACE_SEC,
        },
      });
    }
    return out;
  },
});

export const limitBelowRequest = defineRule({
  id: "container-limit-below-request",
  title: "Limit below request",
  severity: "high",
  category: "configuration",
  rationale:
    "The API server rejects a container whose limit is below its request: the workload cannot be created or updated as written.",
  fix: "Raise the limit to at least the request (or lower the request).",
  kinds: [...TEMPLATE_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      const bad: string[] = [];
      for (const c of allContainers(template)) {
        if (
          c.limits.memory !== undefined &&
          c.requests.memory !== undefined &&
          c.limits.memory < c.requests.memory
        )
          bad.push(`${c.name}:memory`);
        if (c.limits.cpu !== undefined && c.requests.cpu !== undefined && c.limits.cpu < c.requests.cpu)
          bad.push(`${c.name}:cpu`);
      }
      if (bad.length)
        out.push({
          object: ref(owner),
          message: `limit below request: ${bad.join(", ")}`,
          evidence: { resources: bad.join(",") },
        });
    }
    return out;
  },
});

export const cpuLimitLow = defineRule({
  id: "container-cpu-limit-low",
  title: "CPU limit very low",
  severity: "low",
  category: "reliability",
  rationale: `A CPU limit under ${LOW_CPU_LIMIT_M}m lets the container run a few milliseconds per 100 ms period: startup, TLS handshakes and GC are throttled into timeouts and failed probes.`,
  fix: "Raise the CPU limit well above observed peaks, or drop the CPU limit and keep the request.",
  kinds: [...TEMPLATE_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      const low = template.containers.filter(
        (c) => c.limits.cpu !== undefined && c.limits.cpu < LOW_CPU_LIMIT_M,
      );
      if (low.length) {
        out.push({
          object: ref(owner),
          message: `CPU limit below ${LOW_CPU_LIMIT_M}m: ${low.map((c) => `${c.name}=${c.limits.cpu}m`).join(", ")}`,
          evidence: {
            containers: low.map((c) => c.name).join(","),
            lowestMillicores: Math.min(...low.map((c) => c.limits.cpu!)),
          },
        });
      }
    }
    return out;
  },
});

export const noSpread = defineRule({
  id: "workload-no-spread",
  title: "Replicas not spread by anti-affinity or topology constraints",
  severity: "low",
  category: "reliability",
  rationale:
    "Without pod anti-affinity or topology spread constraints the scheduler may put every replica on one node or zone, so one failure takes them all.",
  fix: "Add topologySpreadConstraints over kubernetes.io/hostname and topology.kubernetes.io/zone (or preferred pod anti-affinity).",
  kinds: ["Deployment", "StatefulSet"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const w of [...state.list("Deployment"), ...state.list("StatefulSet")]) {
      if (w.replicas < 2 || w.template.hasAntiAffinity || w.template.hasTopologySpread) continue;
      out.push({
        object: ref(w),
        message: `${w.replicas} replicas with no pod anti-affinity or topology spread constraints`,
        evidence: { replicas: w.replicas },
      });
    }
    return out;
  },
});

interface Placement {
  readonly owner: Meta;
  readonly pods: number;
  readonly nodes: Set<string>;
  readonly zones: Set<string>;
}

/** Running pods of each top-level owner with 2+ running pods, grouped once per state. */
function placements(state: ClusterState): readonly Placement[] {
  return state.derive("checks:placements", (s) => {
    const byOwner = new Map<Meta, { pods: Pod[] }>();
    // owner reference -> top owner, so each chain is walked once: pods of one ReplicaSet share
    // one interned reference (with a uid it resolves the same in any namespace)
    const tops = new Map<OwnerRef, Meta>();
    for (const p of s.list("Pod")) {
      if (!p.owner || p.phase !== "Running" || !p.nodeName || p.deleting) continue;
      let top = p.owner.uid ? tops.get(p.owner) : undefined;
      if (!top) {
        top = s.topOwner(p);
        if (p.owner.uid) tops.set(p.owner, top);
      }
      if (top.kind === "DaemonSet" || top.kind === "Node" || top === p) continue;
      const e = byOwner.get(top);
      if (e) e.pods.push(p);
      else byOwner.set(top, { pods: [p] });
    }
    const out: Placement[] = [];
    for (const [owner, { pods }] of byOwner) {
      if (pods.length < 2) continue;
      const nodes = new Set(pods.map((p) => p.nodeName));
      const zones = new Set<string>();
      for (const n of nodes) {
        const z = s.get("Node", "", n)?.zone;
        if (z) zones.add(z);
      }
      out.push({ owner, pods: pods.length, nodes, zones });
    }
    return out;
  });
}

export const replicasOneNode = defineRule({
  id: "workload-replicas-one-node",
  title: "All replicas on one node",
  severity: "high",
  category: "reliability",
  rationale:
    "Every running replica sits on the same node: one node failure, drain or spot interruption takes the whole workload down at once.",
  fix: "Add topology spread constraints or anti-affinity over kubernetes.io/hostname, then restart a replica so it lands elsewhere.",
  kinds: ["Pod", "Node", "Deployment", "StatefulSet", "ReplicaSet"],
  runtime: true,
  requires: ["Pod", "Node"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    // On a one-node cluster there is nowhere else to go.
    if (state.list("Node").filter((n) => !n.unschedulable).length < 2) return out;
    for (const p of placements(state)) {
      if (p.owner.kind === "Job" || p.owner.kind === "CronJob" || p.nodes.size !== 1) continue;
      const [node] = p.nodes;
      out.push({
        object: ref(p.owner),
        message: `all ${p.pods} running replicas are on node ${node}`,
        evidence: { pods: p.pods, node: node! },
      });
    }
    return out;
  },
});

export const replicasOneZone = defineRule({
  id: "workload-replicas-one-zone",
  title: "All replicas in one zone",
  severity: "medium",
  category: "reliability",
  rationale:
    "The replicas are on different nodes but all in one availability zone, while the cluster spans several: a zone outage takes the workload down.",
  fix: "Add a topology spread constraint over topology.kubernetes.io/zone (whenUnsatisfiable: ScheduleAnyway is enough to start).",
  kinds: ["Pod", "Node", "Deployment", "StatefulSet", "ReplicaSet"],
  runtime: true,
  requires: ["Pod", "Node"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const clusterZones = state.derive(
      "checks:zones",
      (s) => new Set(s.list("Node").flatMap((n) => (n.zone ? [n.zone] : []))),
    );
    if (clusterZones.size < 2) return out;
    for (const p of placements(state)) {
      // One node is workload-replicas-one-node's finding; unknown zones say nothing.
      if (p.owner.kind === "Job" || p.owner.kind === "CronJob" || p.nodes.size < 2 || p.zones.size !== 1)
        continue;
      const [zone] = p.zones;
      out.push({
        object: ref(p.owner),
        message: `all ${p.pods} running replicas are in zone ${zone} (cluster has ${clusterZones.size} zones)`,
        evidence: { pods: p.pods, nodes: p.nodes.size, zone: zone!, clusterZones: clusterZones.size },
      });
    }
    return out;
  },
});

export const pdbNoPods = defineRule({
  id: "pdb-no-matching-pods",
  title: "PodDisruptionBudget matches no pods",
  severity: "medium",
  category: "reliability",
  rationale:
    "A PDB whose selector matches nothing protects nothing: the workload it was written for can be drained all at once.",
  fix: "Fix the PDB's selector to the workload's pod labels, or delete the PDB if the workload is gone.",
  kinds: ["PodDisruptionBudget", "Pod"],
  requires: ["Pod"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pdb of state.list("PodDisruptionBudget")) {
      if (pdbPods(state, pdb).length > 0) continue;
      out.push({
        object: ref(pdb),
        message: `selector ${pdb.selector.text} matches no pods`,
        evidence: { selector: pdb.selector.text },
      });
    }
    return out;
  },
});

/**
 * `Kind/name` of the workload a pod belongs to (its top owner, or the pod itself). Cached per
 * direct owner: the pods of a ReplicaSet share one owner chain, walked once. A chain through a
 * Pod is not cached, since where it stops depends on the pod it starts from.
 */
function workloadName(state: ClusterState, pod: Pod): string {
  const cache = state.derive("checks:workload-names", () => new Map<Meta, string>());
  const owner = state.owner(pod);
  const hit = owner && cache.get(owner);
  if (hit !== undefined) return hit;
  const chain = state.ownerChain(pod);
  const top = chain[chain.length - 1] ?? pod;
  const name = `${top.kind}/${top.name}`;
  if (owner && owner.kind !== "Pod" && chain.every((o) => o.kind !== "Pod")) cache.set(owner, name);
  return name;
}

export const pdbMultipleWorkloads = defineRule({
  id: "pdb-multiple-workloads",
  title: "PodDisruptionBudget spans several workloads",
  severity: "medium",
  category: "reliability",
  rationale:
    "One budget over pods of several workloads lets a drain take all of one workload's pods while the others keep the count healthy; overlapping PDBs also make evictions fail.",
  fix: "Give each workload its own PDB with a selector that matches only its pods.",
  kinds: ["PodDisruptionBudget", "Pod", "ReplicaSet", "Deployment", "StatefulSet", "Job"],
  requires: ["Pod"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pdb of state.list("PodDisruptionBudget")) {
      const owners = new Set<string>();
      for (const p of pdbPods(state, pdb)) owners.add(workloadName(state, p));
      if (owners.size < 2) continue;
      const list = [...owners].sort();
      out.push({
        object: ref(pdb),
        message: `selector ${pdb.selector.text} covers pods of ${list.length} workloads: ${list.slice(0, 5).join(", ")}${list.length > 5 ? ", ..." : ""}`,
        evidence: { selector: pdb.selector.text, workloads: list.length, names: list.slice(0, 10).join(",") },
      });
    }
    return out;
  },
});

export const pullPolicy = defineRule({
  id: "image-pull-policy-inconsistent",
  title: "Image pull policy contradicts the tag",
  severity: "low",
  category: "reliability",
  rationale:
    "IfNotPresent with a moving tag (:latest) runs whatever image each node cached; Always with an immutable digest adds a registry round-trip to every start and fails starts during registry outages.",
  fix: "Pin images to a version or digest with IfNotPresent, or use Always only for moving tags.",
  kinds: [...TEMPLATE_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      const bad: string[] = [];
      for (const c of allContainers(template)) {
        const { tag, digest } = cachedImageTag(state, c.image);
        if (c.imagePullPolicy === "IfNotPresent" && !digest && (tag === undefined || tag === "latest"))
          bad.push(`${c.name}: IfNotPresent with ${c.image}`);
        else if (c.imagePullPolicy === "Always" && digest)
          bad.push(`${c.name}: Always with digest-pinned ${c.image}`);
      }
      if (bad.length)
        out.push({
          object: ref(owner),
          message: bad.join("; "),
          evidence: { containers: bad.length, first: bad[0]! },
        });
    }
    return out;
  },
});

export const priorityClassMissing = defineRule({
  id: "priority-class-missing",
  title: "Critical add-on without a priority class",
  severity: "info",
  category: "reliability",
  rationale:
    "Without a priorityClassName a cluster add-on has the same priority as any app pod: under pressure it is preempted or evicted like one, taking DNS, networking or logging with it.",
  fix: "Set priorityClassName: system-cluster-critical (or system-node-critical for per-node agents).",
  kinds: [...TEMPLATE_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template, batch } of workloadTemplates(state)) {
      if (batch || !CRITICAL_NAMESPACES.has(owner.namespace) || template.priorityClassName) continue;
      out.push({
        object: ref(owner),
        message: `runs in ${owner.namespace} without a priorityClassName`,
        evidence: { namespace: owner.namespace },
      });
    }
    return out;
  },
});

export const graceZero = defineRule({
  id: "termination-grace-zero",
  title: "terminationGracePeriodSeconds is 0",
  severity: "medium",
  category: "reliability",
  rationale:
    "With a zero grace period the container is SIGKILLed at once on every rollout, drain and scale-down: in-flight requests fail and nothing is flushed; for StatefulSets it also breaks at-most-one-pod guarantees.",
  fix: "Remove the field (default 30 s) or set it to how long the app needs to drain, and handle SIGTERM.",
  kinds: [...TEMPLATE_KINDS],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      if (template.terminationGracePeriodSeconds !== 0) continue;
      out.push({
        object: ref(owner),
        message: "terminationGracePeriodSeconds: 0 kills containers without a chance to shut down",
        evidence: { terminationGracePeriodSeconds: 0 },
      });
    }
    return out;
  },
});

export const recreateMultiReplica = defineRule({
  id: "deployment-recreate-strategy",
  title: "Multi-replica Deployment uses the Recreate strategy",
  severity: "info",
  category: "reliability",
  rationale:
    "Recreate stops every replica before starting new ones: each rollout is a full outage, which defeats running several replicas.",
  fix: "Use RollingUpdate unless two versions truly cannot run side by side (then document why).",
  kinds: ["Deployment"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const d of state.list("Deployment")) {
      if (d.strategy !== "Recreate" || d.replicas < 2) continue;
      out.push({
        object: ref(d),
        message: `${d.replicas} replicas with strategy Recreate: every rollout takes all of them down`,
        evidence: { strategy: d.strategy, replicas: d.replicas },
      });
    }
    return out;
  },
});

export const RELIABILITY_RULES = [
  pdbBlocksEviction,
  missingResources,
  missingProbes,
  singleReplica,
  latestTag,
  probesIdentical,
  livenessAggressive,
  limitBelowRequest,
  cpuLimitLow,
  noSpread,
  replicasOneNode,
  replicasOneZone,
  pdbNoPods,
  pdbMultipleWorkloads,
  pullPolicy,
  priorityClassMissing,
  graceZero,
  recreateMultiReplica,
];

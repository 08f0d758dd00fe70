/** Workload health: replicas that are not available and rollouts that stopped progressing. */
import type { FindingDraft } from "./types.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { ReplicaSet } from "../state/types.js";
import { defineRule, ref } from "./types.js";
import { formatMinutes, minutesSince } from "./util.js";
import { objectsOf } from "./workload-templates.js";

export const unavailableReplicas = defineRule({
  id: "workload-unavailable-replicas",
  title: "Workload below desired replicas",
  severity: "high",
  category: "health",
  rationale: "Fewer available replicas than desired means less capacity and less redundancy than planned.",
  fix: "Look at the workload's pods (Pending, crash loops, failing readiness) and events.",
  kinds: ["Deployment", "StatefulSet", "DaemonSet"],
  runtime: true,
  targets: objectsOf("Deployment", "StatefulSet", "DaemonSet"),
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const d of state.list("Deployment")) {
      if (d.hasStatus && d.replicas > 0 && d.availableReplicas < d.replicas) {
        out.push({
          object: ref(d),
          message: `${d.availableReplicas}/${d.replicas} replicas available`,
          evidence: { desired: d.replicas, available: d.availableReplicas, ready: d.readyReplicas },
        });
      }
    }
    for (const s of state.list("StatefulSet")) {
      if (s.hasStatus && s.replicas > 0 && s.readyReplicas < s.replicas) {
        out.push({
          object: ref(s),
          message: `${s.readyReplicas}/${s.replicas} replicas ready`,
          evidence: { desired: s.replicas, ready: s.readyReplicas },
        });
      }
    }
    for (const d of state.list("DaemonSet")) {
      if (d.desired > 0 && d.available < d.desired) {
        out.push({
          object: ref(d),
          message: `${d.available}/${d.desired} daemon pods available`,
          evidence: { desired: d.desired, available: d.available, ready: d.ready },
        });
      }
    }
    return out;
  },
});

export const rolloutStuck = defineRule({
  id: "deployment-rollout-stuck",
  title: "Rollout stuck (ProgressDeadlineExceeded)",
  severity: "high",
  category: "health",
  rationale:
    "The Deployment controller gave up waiting for the new ReplicaSet: the rollout is neither done nor rolled back.",
  fix: "Find why new pods do not become ready; fix and roll out again, or `kubectl rollout undo`.",
  kinds: ["Deployment"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const d of state.list("Deployment")) {
      const p = d.conditions.find((c) => c.type === "Progressing");
      if (p?.status === "False" && p.reason === "ProgressDeadlineExceeded") {
        out.push({
          object: ref(d),
          message: `rollout stalled: ${p.message ?? "progress deadline exceeded"}`,
          evidence: {
            reason: p.reason,
            progressDeadlineSeconds: d.progressDeadlineSeconds,
            updated: d.updatedReplicas,
            desired: d.replicas,
          },
        });
      }
    }
    return out;
  },
});

/** Old ReplicaSets (at zero replicas) a Deployment may keep before it is a finding: the default revisionHistoryLimit. */
const OLD_REPLICASETS = 10;
/** Days a workload may sit at zero replicas before it is reported as forgotten. */
const SCALED_TO_ZERO_DAYS = 7;

export const deploymentPaused = defineRule({
  id: "deployment-paused",
  title: "Deployment rollout paused",
  severity: "low",
  category: "health",
  rationale:
    "A paused Deployment ignores template changes: new images and config edits are silently not rolled out until someone resumes it.",
  fix: "Resume it (kubectl rollout resume) once the batched changes are in, or roll back the unintended ones first.",
  kinds: ["Deployment"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const d of state.list("Deployment")) {
      if (!d.paused) continue;
      const pending = d.hasStatus && d.observedGeneration < d.generation;
      out.push({
        object: ref(d),
        message: `rollouts are paused${pending ? " and the latest template change is not rolled out" : ""}`,
        evidence: {
          paused: true,
          generation: d.generation,
          observedGeneration: d.observedGeneration,
          updated: d.updatedReplicas,
          desired: d.replicas,
        },
      });
    }
    return out;
  },
});

export const daemonSetMisscheduled = defineRule({
  id: "daemonset-misscheduled",
  title: "DaemonSet pods on nodes they should not run on",
  severity: "medium",
  category: "health",
  rationale:
    "Misscheduled daemon pods run on nodes the DaemonSet no longer selects (labels or taints changed): they use capacity and may do node-level work where they should not.",
  fix: "Compare the DaemonSet's nodeSelector, affinity and tolerations with the nodes' labels and taints; fix whichever drifted.",
  kinds: ["DaemonSet"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const d of state.list("DaemonSet")) {
      if (!d.hasStatus || d.misscheduled <= 0) continue;
      out.push({
        object: ref(d),
        message: `${d.misscheduled} daemon pods run on nodes the DaemonSet does not select`,
        evidence: { misscheduled: d.misscheduled, desired: d.desired, current: d.current },
      });
    }
    return out;
  },
});

export const statefulSetUpdateStuck = defineRule({
  id: "statefulset-update-stuck",
  title: "StatefulSet rolling update stuck",
  severity: "high",
  category: "health",
  rationale:
    "A StatefulSet updates one ordinal at a time and stops at the first pod that does not become ready: the set runs two revisions until someone intervenes.",
  fix: "Find the not-ready pod of the new revision and fix it, or roll the template back; a pod stuck on a broken revision may need deleting after the rollback.",
  kinds: ["StatefulSet"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const s of state.list("StatefulSet")) {
      if (
        !s.hasStatus ||
        s.updateStrategy === "OnDelete" ||
        !s.updateRevision ||
        s.currentRevision === s.updateRevision
      )
        continue;
      // Ordinals below the partition keep the old revision on purpose.
      const target = Math.max(0, s.replicas - s.partition);
      if (s.updatedReplicas >= target || s.readyReplicas >= s.replicas) continue;
      out.push({
        object: ref(s),
        message: `update to ${s.updateRevision} stopped: ${s.updatedReplicas}/${target} pods updated, ${s.readyReplicas}/${s.replicas} ready`,
        evidence: {
          currentRevision: s.currentRevision ?? "",
          updateRevision: s.updateRevision,
          updated: s.updatedReplicas,
          ready: s.readyReplicas,
          desired: s.replicas,
          partition: s.partition,
        },
      });
    }
    return out;
  },
});

export const replicaSetOrphan = defineRule({
  id: "replicaset-orphan",
  title: "ReplicaSet without a Deployment",
  severity: "low",
  category: "configuration",
  rationale:
    "A ReplicaSet nobody owns gets no rollouts, no rollback and no revision history; usually the leftover of a Deployment deleted with --cascade=orphan.",
  fix: "Manage the pods with a Deployment, then delete the orphaned ReplicaSet.",
  kinds: ["ReplicaSet"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const rs of state.list("ReplicaSet")) {
      if (rs.owner) continue;
      out.push({
        object: ref(rs),
        message: `ReplicaSet has no owner (${rs.replicas} replicas)`,
        evidence: { replicas: rs.replicas, ready: rs.readyReplicas },
      });
    }
    return out;
  },
});

function oldReplicaSets(state: ClusterState): ReadonlyMap<string, ReplicaSet[]> {
  return state.derive("checks:old-replicasets", (s) => {
    const out = new Map<string, ReplicaSet[]>();
    for (const rs of s.list("ReplicaSet")) {
      if (rs.owner?.kind !== "Deployment" || rs.replicas !== 0) continue;
      const k = `${rs.namespace}/${rs.owner.name}`;
      const arr = out.get(k);
      if (arr) arr.push(rs);
      else out.set(k, [rs]);
    }
    return out;
  });
}

export const oldReplicaSetsKept = defineRule({
  id: "deployment-old-replicasets",
  title: "Deployment keeps many old ReplicaSets",
  severity: "info",
  category: "configuration",
  rationale:
    "Every old ReplicaSet is an object in etcd and in every list and watch; at the default history of 10 they often outnumber the live ones, while rollbacks rarely go further back than one or two revisions.",
  fix: "Set spec.revisionHistoryLimit to a small number such as 3.",
  kinds: ["Deployment", "ReplicaSet"],
  requires: ["ReplicaSet"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const old = oldReplicaSets(state);
    for (const d of state.list("Deployment")) {
      const mine = old.get(`${d.namespace}/${d.name}`);
      if (!mine || mine.length < OLD_REPLICASETS) continue;
      const newest = mine.reduce((a, b) => ((b.revision ?? 0) > (a.revision ?? 0) ? b : a));
      out.push({
        object: ref(d),
        message: `keeps ${mine.length} old ReplicaSets at zero replicas`,
        evidence: {
          oldReplicaSets: mine.length,
          threshold: OLD_REPLICASETS,
          latestOld: newest.name,
          latestOldRevision: newest.revision ?? "unknown",
        },
      });
    }
    return out;
  },
});

export const scaledToZero = defineRule({
  id: "workload-scaled-to-zero",
  title: "Workload scaled to zero for long",
  severity: "info",
  category: "configuration",
  rationale:
    "A Deployment or StatefulSet left at zero replicas for days is usually forgotten: its Services, config, volumes and alerts linger and confuse.",
  fix: "Delete it if it is no longer needed, or document why it stays at zero (an annotation for the owner).",
  kinds: ["Deployment", "StatefulSet", "HorizontalPodAutoscaler"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    const scaled = new Set(
      state.list("HorizontalPodAutoscaler").map((h) => `${h.target.kind}/${h.namespace}/${h.target.name}`),
    );
    for (const w of [...state.list("Deployment"), ...state.list("StatefulSet")]) {
      if (w.replicas !== 0 || !w.hasStatus || scaled.has(`${w.kind}/${w.namespace}/${w.name}`)) continue;
      // The last condition change is the best available "since": scaling to zero flips Progressing/Available.
      const changed = w.conditions.reduce<number | undefined>(
        (t, c) =>
          c.lastTransition !== undefined && (t === undefined || c.lastTransition > t) ? c.lastTransition : t,
        undefined,
      );
      const since = minutesSince(ctx.now, changed ?? w.createdAt);
      if (since === undefined || since < SCALED_TO_ZERO_DAYS * 1440) continue;
      out.push({
        object: ref(w),
        message: `has had zero replicas for at least ${formatMinutes(since)}`,
        evidence: { replicas: 0, sinceMinutes: since, thresholdDays: SCALED_TO_ZERO_DAYS },
      });
    }
    return out;
  },
});

export const WORKLOAD_RULES = [
  unavailableReplicas,
  rolloutStuck,
  deploymentPaused,
  daemonSetMisscheduled,
  statefulSetUpdateStuck,
  replicaSetOrphan,
  oldReplicaSetsKept,
  scaledToZero,
];

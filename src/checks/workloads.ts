/** Workload health: replicas that are not available and rollouts that stopped progressing. */
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";

export const unavailableReplicas = defineRule({
  id: "workload-unavailable-replicas",
  title: "Workload below desired replicas",
  severity: "high",
  category: "health",
  rationale: "Fewer available replicas than desired means less capacity and less redundancy than planned.",
  fix: "Look at the workload's pods (Pending, crash loops, failing readiness) and events.",
  kinds: ["Deployment", "StatefulSet", "DaemonSet"],
  *evaluate(state): Generator<FindingDraft> {
    for (const d of state.list("Deployment")) {
      if (d.hasStatus && d.replicas > 0 && d.availableReplicas < d.replicas) {
        yield { object: ref(d), message: `${d.availableReplicas}/${d.replicas} replicas available`, evidence: { desired: d.replicas, available: d.availableReplicas, ready: d.readyReplicas } };
      }
    }
    for (const s of state.list("StatefulSet")) {
      if (s.hasStatus && s.replicas > 0 && s.readyReplicas < s.replicas) {
        yield { object: ref(s), message: `${s.readyReplicas}/${s.replicas} replicas ready`, evidence: { desired: s.replicas, ready: s.readyReplicas } };
      }
    }
    for (const d of state.list("DaemonSet")) {
      if (d.desired > 0 && d.available < d.desired) {
        yield { object: ref(d), message: `${d.available}/${d.desired} daemon pods available`, evidence: { desired: d.desired, available: d.available, ready: d.ready } };
      }
    }
  },
});

export const rolloutStuck = defineRule({
  id: "deployment-rollout-stuck",
  title: "Rollout stuck (ProgressDeadlineExceeded)",
  severity: "high",
  category: "health",
  rationale: "The Deployment controller gave up waiting for the new ReplicaSet: the rollout is neither done nor rolled back.",
  fix: "Find why new pods do not become ready; fix and roll out again, or `kubectl rollout undo`.",
  kinds: ["Deployment"],
  *evaluate(state) {
    for (const d of state.list("Deployment")) {
      const p = d.conditions.find((c) => c.type === "Progressing");
      if (p?.status === "False" && p.reason === "ProgressDeadlineExceeded") {
        yield { object: ref(d), message: `rollout stalled: ${p.message ?? "progress deadline exceeded"}`, evidence: { reason: p.reason, progressDeadlineSeconds: d.progressDeadlineSeconds, updated: d.updatedReplicas, desired: d.replicas } };
      }
    }
  },
});

export const WORKLOAD_RULES = [unavailableReplicas, rolloutStuck];

/** Runtime health of pods: crash loops, OOM kills, image pulls, failures, Pending, restarts. */
import type { ClusterState } from "../state/cluster-state.js";
import type { ContainerState, Pod } from "../state/types.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";
import { formatMinutes, minutesSince, warningEvents } from "./util.js";

const RESTART_THRESHOLD = 5;
const PULL_REASONS = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "RegistryUnavailable",
]);

/**
 * Init container statuses, then container statuses. Most pods have no init containers: their
 * status array is returned as is, so walking 150,000 pods builds no arrays (a generator or a
 * spread here cost about a microsecond per pod in every rule).
 */
function containersOf(pod: Pod): readonly ContainerState[] {
  return pod.initStatuses.length === 0 ? pod.statuses : [...pod.initStatuses, ...pod.statuses];
}

/** A container status that may interest a status rule: not running, restarted, or terminated before. */
function troubled(c: ContainerState): boolean {
  return c.state !== "running" || c.restartCount > 0 || c.lastReason !== undefined;
}

/**
 * Pods with a troubled container status, in input order, found once per state: the crash-loop,
 * OOM, image-pull and restart rules then walk these few instead of every pod each.
 */
function troubledPods(state: ClusterState): readonly Pod[] {
  return state.derive("checks:troubled-pods", (s) =>
    s.list("Pod").filter((p) => p.statuses.some(troubled) || p.initStatuses.some(troubled)),
  );
}

function finding(
  pod: Pod,
  c: ContainerState,
  message: string,
  evidence: FindingDraft["evidence"],
): FindingDraft {
  return {
    object: ref(pod),
    container: c.name,
    message,
    evidence: { container: c.name, node: pod.nodeName, ...evidence },
  };
}

export const crashLoop = defineRule({
  id: "pod-crash-loop",
  title: "Container in CrashLoopBackOff",
  severity: "critical",
  category: "health",
  rationale: "A crash-looping container restarts with growing back-off and serves nothing in between.",
  fix: "Read the previous container's logs (kubectl logs --previous), fix the crash, then roll out again.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of troubledPods(state)) {
      for (const c of containersOf(pod)) {
        if (c.state === "waiting" && c.reason === "CrashLoopBackOff") {
          out.push(
            finding(
              pod,
              c,
              `container ${c.name} is crash-looping (${c.restartCount} restarts, last exit ${c.lastExitCode ?? "?"}${c.lastReason ? ` ${c.lastReason}` : ""})`,
              {
                restarts: c.restartCount,
                lastExitCode: c.lastExitCode ?? "unknown",
                lastReason: c.lastReason ?? "unknown",
              },
            ),
          );
        }
      }
    }
    return out;
  },
});

export const oomKilled = defineRule({
  id: "pod-oom-killed",
  title: "Container was OOMKilled",
  severity: "high",
  category: "health",
  rationale:
    "The kernel killed the container for exceeding its memory limit; requests lost and state dropped.",
  fix: "Raise the memory limit (and request) to the observed peak with headroom, or fix the leak.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of troubledPods(state)) {
      for (const c of containersOf(pod)) {
        const now = c.state === "terminated" && c.reason === "OOMKilled";
        if (now || c.lastReason === "OOMKilled") {
          out.push(
            finding(
              pod,
              c,
              `container ${c.name} was OOMKilled${now ? "" : " (last termination)"}; ${c.restartCount} restarts`,
              {
                restarts: c.restartCount,
                when: now ? "current" : "last",
              },
            ),
          );
        }
      }
    }
    return out;
  },
});

export const imagePull = defineRule({
  id: "pod-image-pull-error",
  title: "Image cannot be pulled",
  severity: "high",
  category: "health",
  rationale:
    "The pod cannot start until its image is pulled: a wrong name or tag, a private registry without credentials, or a registry outage.",
  fix: "Check the image reference and tag, and the pod's imagePullSecrets for a private registry.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of troubledPods(state)) {
      for (const c of containersOf(pod)) {
        if (c.state === "waiting" && c.reason !== undefined && PULL_REASONS.has(c.reason)) {
          const image =
            [...pod.initContainers, ...pod.containers].find((s) => s.name === c.name)?.image ?? "";
          out.push(
            finding(pod, c, `container ${c.name} cannot pull image ${image} (${c.reason})`, {
              image,
              reason: c.reason,
            }),
          );
        }
      }
    }
    return out;
  },
});

export const failedContainer = defineRule({
  id: "pod-failed",
  title: "Pod or container failed",
  severity: "medium",
  category: "health",
  rationale: "A container exited with an error and is not being restarted, or the pod is in phase Failed.",
  fix: "Read the container's logs and the pod's events; fix the cause or delete the failed pod.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of state.list("Pod")) {
      // Pods of Jobs are judged by the Job; evicted pods by the eviction rule later.
      if (pod.owner?.kind === "Job" || pod.reason === "Evicted") continue;
      // With restartPolicy Always/OnFailure a failed container is restarted (crash loops
      // have their own rule); it has failed for good only under Never.
      const final = pod.restartPolicy === "Never" || pod.phase === "Failed";
      const failed = final
        ? containersOf(pod).find(
            (c) => c.state === "terminated" && (c.exitCode ?? 0) !== 0 && c.reason !== "OOMKilled",
          )
        : undefined;
      if (failed) {
        out.push(
          finding(
            pod,
            failed,
            `container ${failed.name} terminated with exit code ${failed.exitCode}${failed.reason ? ` (${failed.reason})` : ""}`,
            {
              exitCode: failed.exitCode ?? "unknown",
              reason: failed.reason ?? "unknown",
              phase: pod.phase,
            },
          ),
        );
      } else if (pod.phase === "Failed" && !containersOf(pod).some((c) => c.reason === "OOMKilled")) {
        out.push({
          object: ref(pod),
          message: `pod failed${pod.reason ? `: ${pod.reason}` : ""}${pod.message ? ` (${pod.message})` : ""}`,
          evidence: { phase: pod.phase, reason: pod.reason ?? "unknown" },
        });
      }
    }
    return out;
  },
});

export const pending = defineRule({
  id: "pod-pending",
  title: "Pod stuck Pending",
  severity: "high",
  category: "health",
  rationale:
    "A pod the scheduler cannot place does not run: no node has room, or constraints exclude every node.",
  fix: "Read the scheduler's message: free capacity, add nodes, or relax requests, selectors, affinity or taints.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of state.list("Pod")) {
      if (pod.phase !== "Pending" || pod.deleting) continue;
      if (!pod.scheduled && pod.unschedulableReason !== "SchedulingGated") {
        out.push({
          object: ref(pod),
          message: `pod cannot be scheduled: ${pod.unschedulableMessage ?? pod.unschedulableReason ?? "not scheduled yet"}`,
          evidence: {
            reason: pod.unschedulableReason ?? "NotScheduled",
            message: pod.unschedulableMessage ?? "",
            ageMinutes: Number.isNaN(pod.createdAt)
              ? "unknown"
              : Math.round((ctx.now - pod.createdAt) / 60000),
          },
        });
      }
    }
    return out;
  },
});

export const highRestarts = defineRule({
  id: "pod-high-restarts",
  title: "Container restarts often",
  severity: "medium",
  category: "reliability",
  rationale:
    "Frequent restarts mean dropped requests and lost in-memory state, even when the pod looks Running now.",
  fix: "Find why it restarts (previous logs, OOM, probes) and fix the cause.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of troubledPods(state)) {
      for (const c of containersOf(pod)) {
        // Crash loops and OOM kills have their own rules.
        if (
          c.restartCount < RESTART_THRESHOLD ||
          c.reason === "CrashLoopBackOff" ||
          c.lastReason === "OOMKilled"
        )
          continue;
        out.push(
          finding(
            pod,
            c,
            `container ${c.name} restarted ${c.restartCount} times (last: ${c.lastReason ?? "unknown"}, exit ${c.lastExitCode ?? "?"})`,
            {
              restarts: c.restartCount,
              threshold: RESTART_THRESHOLD,
              lastReason: c.lastReason ?? "unknown",
            },
          ),
        );
      }
    }
    return out;
  },
});

/** Minutes past its deletionTimestamp (which already includes the grace period) a pod may take to go. */
const TERMINATING_GRACE_MIN = 10;
/** Minutes a running container may stay unready before it is a finding. */
const NOT_READY_MIN = 10;
/** Minutes a scheduled pod may spend in its init containers. */
const INIT_STUCK_MIN = 15;
/** Probe failures (event count) within the window that make a finding. */
const PROBE_FAILURES = 10;
const PROBE_WINDOW_MIN = 60;

export const evicted = defineRule({
  id: "pod-evicted",
  title: "Pod was evicted",
  severity: "medium",
  category: "health",
  rationale:
    "The kubelet evicted the pod under node pressure (or it exceeded its ephemeral storage); its work was cut off, and the Failed pod object stays behind until garbage-collected.",
  fix: "Find the pressure behind the eviction (node conditions, the pod's ephemeral-storage or memory use), set requests that match use, then delete the evicted pod objects.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of state.list("Pod")) {
      if (pod.phase !== "Failed" || pod.reason !== "Evicted") continue;
      const age = minutesSince(ctx.now, pod.createdAt);
      out.push({
        object: ref(pod),
        message: `pod was evicted${pod.message ? `: ${pod.message}` : ""}`,
        evidence: {
          reason: pod.reason,
          node: pod.nodeName,
          message: pod.message ?? "",
          owner: pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : "",
          ageMinutes: age ?? "unknown",
        },
      });
    }
    return out;
  },
});

export const stuckTerminating = defineRule({
  id: "pod-stuck-terminating",
  title: "Pod stuck Terminating",
  severity: "high",
  category: "health",
  rationale:
    "A pod past its deletion deadline still holds its name, volumes and (for StatefulSets) its identity: the replacement cannot start, and the node it ran on may be gone.",
  fix: "Check the node is reachable and the kubelet runs; look for finalizers on the pod; force-delete only after confirming the process is really gone.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of state.list("Pod")) {
      const over = minutesSince(ctx.now, pod.deletedAt);
      if (over === undefined || ctx.now - pod.deletedAt! < TERMINATING_GRACE_MIN * 60_000) continue;
      out.push({
        object: ref(pod),
        message: `pod has been terminating ${formatMinutes(over)} past its deletion deadline`,
        evidence: {
          overdueMinutes: over,
          thresholdMinutes: TERMINATING_GRACE_MIN,
          node: pod.nodeName,
          phase: pod.phase,
        },
      });
    }
    return out;
  },
});

const START_FAILURES = new Set([
  "CrashLoopBackOff",
  "ErrImagePull",
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "RegistryUnavailable",
]);

export const initStuck = defineRule({
  id: "pod-init-stuck",
  title: "Pod stuck in init containers",
  severity: "medium",
  category: "health",
  rationale:
    "A pod whose init containers do not finish never starts its app containers: typically an init that waits for a dependency that never comes, or one that keeps failing.",
  fix: "Read the init container's logs (kubectl logs -c <init>); fix what it waits for or why it fails.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of state.list("Pod")) {
      if (pod.phase !== "Pending" || pod.deleting || !pod.scheduled || pod.initStatuses.length === 0)
        continue;
      const since = minutesSince(ctx.now, pod.startTime);
      if (since === undefined || since < INIT_STUCK_MIN) continue;
      const c = pod.initStatuses.find((s) => !(s.state === "terminated" && s.exitCode === 0) && !s.ready);
      // Crash loops and image pulls have their own rules.
      if (!c || (c.reason !== undefined && START_FAILURES.has(c.reason))) continue;
      out.push({
        object: ref(pod),
        container: c.name,
        message: `init container ${c.name} has not completed after ${formatMinutes(since)} (${c.state}${c.reason ? ` ${c.reason}` : ""}, ${c.restartCount} restarts${c.lastExitCode !== undefined ? `, last exit ${c.lastExitCode}` : ""})`,
        evidence: {
          container: c.name,
          state: c.state,
          reason: c.reason ?? "",
          restarts: c.restartCount,
          lastExitCode: c.lastExitCode ?? "none",
          minutes: since,
        },
      });
    }
    return out;
  },
});

export const containerNotReady = defineRule({
  id: "pod-container-not-ready",
  title: "Running container not ready for long",
  severity: "medium",
  category: "health",
  rationale:
    "A container that has run for a while without passing its readiness probe receives no traffic: the pod counts against capacity while serving nothing.",
  fix: "Check the readiness probe's endpoint from inside the pod and the app's logs; fix the dependency or the probe (path, port, timeout).",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of state.list("Pod")) {
      if (pod.phase !== "Running" || pod.deleting || pod.ready) continue;
      // Pods on a NotReady node are marked unready with it: that is node-not-ready's finding.
      const node = pod.nodeName ? state.get("Node", "", pod.nodeName) : undefined;
      if (node && node.ready !== "True" && node.conditions.length > 0) continue;
      for (const c of pod.statuses) {
        if (c.state !== "running" || c.ready) continue;
        const since = minutesSince(ctx.now, c.startedAt);
        if (since === undefined || since < NOT_READY_MIN) continue;
        out.push(
          finding(
            pod,
            c,
            `container ${c.name} has been running ${formatMinutes(since)} without becoming ready`,
            { runningMinutes: since, restarts: c.restartCount, thresholdMinutes: NOT_READY_MIN },
          ),
        );
      }
    }
    return out;
  },
});

export const unknownPhase = defineRule({
  id: "pod-unknown-phase",
  title: "Pod in phase Unknown",
  severity: "high",
  category: "health",
  rationale:
    "Phase Unknown means the control plane lost contact with the pod's node: nobody knows whether it still runs, and its controller will not replace it until the node is judged lost.",
  fix: "Check the node (kubectl get node, cloud console); once it is confirmed gone, delete the node object so its pods are rescheduled.",
  kinds: ["Pod"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of state.list("Pod")) {
      // Manifests have no status: their phase is "Unknown" by projection, not by report.
      if (pod.phase !== "Unknown" || (pod.startTime === undefined && pod.statuses.length === 0)) continue;
      const node = pod.nodeName ? state.get("Node", "", pod.nodeName) : undefined;
      out.push({
        object: ref(pod),
        message: `pod phase is Unknown on node ${pod.nodeName || "(none)"}${node ? ` (node Ready=${node.ready})` : ""}`,
        evidence: { node: pod.nodeName, nodeReady: node?.ready ?? "unknown", reason: pod.reason ?? "" },
      });
    }
    return out;
  },
});

export const probeFailing = defineRule({
  id: "pod-probe-failing",
  title: "Probe failing repeatedly (Unhealthy events)",
  severity: "medium",
  category: "health",
  rationale:
    "Repeated liveness failures restart the container; repeated readiness failures take it out of its Services. Either way users see errors while the pod looks Running.",
  fix: "Read the probe failure messages (kubectl describe pod); fix the endpoint, or give the probe a realistic timeout, period and threshold.",
  kinds: ["Pod", "Event"],
  runtime: true,
  requires: ["Event"],
  evaluate(state, ctx): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const [key, events] of warningEvents(state)) {
      if (!key.startsWith("Pod/")) continue;
      let liveness = 0;
      let readiness = 0;
      let last: string | undefined;
      for (const e of events) {
        if (e.reason !== "Unhealthy") continue;
        if (e.lastSeen !== undefined && ctx.now - e.lastSeen > PROBE_WINDOW_MIN * 60_000) continue;
        if (e.message.startsWith("Liveness")) liveness += e.count;
        else if (e.message.startsWith("Readiness")) readiness += e.count;
        else continue;
        last = e.message;
      }
      if (liveness + readiness < PROBE_FAILURES) continue;
      const { namespace, name } = events[0]!.involved;
      const pod = state.get("Pod", namespace, name);
      if (!pod || pod.deleting) continue;
      out.push({
        object: ref(pod),
        message: `probes failed ${liveness + readiness} times in the last ${PROBE_WINDOW_MIN} min (liveness ${liveness}, readiness ${readiness}): ${last ?? ""}`,
        evidence: { liveness, readiness, windowMinutes: PROBE_WINDOW_MIN, lastMessage: last ?? "" },
      });
    }
    return out;
  },
});

export const withoutController = defineRule({
  id: "pod-without-controller",
  title: "Pod without a controller",
  severity: "low",
  category: "reliability",
  rationale:
    "A bare pod is not recreated when its node fails or it is evicted, and cannot be rolled out or scaled.",
  fix: "Run it from a Deployment, StatefulSet, DaemonSet or Job.",
  kinds: ["Pod"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const pod of state.list("Pod")) {
      // Static (mirror) pods are owned by their Node; finished pods do no harm.
      if (pod.owner || pod.annotations["kubernetes.io/config.mirror"] !== undefined) continue;
      if (pod.phase === "Succeeded" || pod.phase === "Failed") continue;
      out.push({
        object: ref(pod),
        message: "pod has no owner: nothing recreates it if it is evicted or its node fails",
        evidence: { phase: pod.phase, node: pod.nodeName, restartPolicy: pod.restartPolicy },
      });
    }
    return out;
  },
});

export const POD_RULES = [
  crashLoop,
  oomKilled,
  imagePull,
  failedContainer,
  pending,
  highRestarts,
  evicted,
  stuckTerminating,
  initStuck,
  containerNotReady,
  unknownPhase,
  probeFailing,
  withoutController,
];

/** Runtime health of pods: crash loops, OOM kills, image pulls, failures, Pending, restarts. */
import type { ContainerState, Pod } from "../state/types.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";

const RESTART_THRESHOLD = 5;
const PULL_REASONS = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"]);

function* containersOf(pod: Pod): Generator<ContainerState> {
  yield* pod.initStatuses;
  yield* pod.statuses;
}

function finding(pod: Pod, c: ContainerState, message: string, evidence: FindingDraft["evidence"]): FindingDraft {
  return { object: ref(pod), container: c.name, message, evidence: { container: c.name, node: pod.nodeName, ...evidence } };
}

export const crashLoop = defineRule({
  id: "pod-crash-loop",
  title: "Container in CrashLoopBackOff",
  severity: "critical",
  category: "health",
  rationale: "A crash-looping container restarts with growing back-off and serves nothing in between.",
  fix: "Read the previous container's logs (kubectl logs --previous), fix the crash, then roll out again.",
  kinds: ["Pod"],
  *evaluate(state) {
    for (const pod of state.list("Pod")) {
      for (const c of containersOf(pod)) {
        if (c.state === "waiting" && c.reason === "CrashLoopBackOff") {
          yield finding(pod, c, `container ${c.name} is crash-looping (${c.restartCount} restarts, last exit ${c.lastExitCode ?? "?"}${c.lastReason ? ` ${c.lastReason}` : ""})`, {
            restarts: c.restartCount,
            lastExitCode: c.lastExitCode ?? "unknown",
            lastReason: c.lastReason ?? "unknown",
          });
        }
      }
    }
  },
});

export const oomKilled = defineRule({
  id: "pod-oom-killed",
  title: "Container was OOMKilled",
  severity: "high",
  category: "health",
  rationale: "The kernel killed the container for exceeding its memory limit; requests lost and state dropped.",
  fix: "Raise the memory limit (and request) to the observed peak with headroom, or fix the leak.",
  kinds: ["Pod"],
  *evaluate(state) {
    for (const pod of state.list("Pod")) {
      for (const c of containersOf(pod)) {
        const now = c.state === "terminated" && c.reason === "OOMKilled";
        if (now || c.lastReason === "OOMKilled") {
          yield finding(pod, c, `container ${c.name} was OOMKilled${now ? "" : " (last termination)"}; ${c.restartCount} restarts`, {
            restarts: c.restartCount,
            when: now ? "current" : "last",
          });
        }
      }
    }
  },
});

export const imagePull = defineRule({
  id: "pod-image-pull-error",
  title: "Image cannot be pulled",
  severity: "high",
  category: "health",
  rationale: "The pod cannot start until its image is pulled: a wrong name or tag, a private registry without credentials, or a registry outage.",
  fix: "Check the image reference and tag, and the pod's imagePullSecrets for a private registry.",
  kinds: ["Pod"],
  *evaluate(state) {
    for (const pod of state.list("Pod")) {
      for (const c of containersOf(pod)) {
        if (c.state === "waiting" && c.reason !== undefined && PULL_REASONS.has(c.reason)) {
          const image = [...pod.initContainers, ...pod.containers].find((s) => s.name === c.name)?.image ?? "";
          yield finding(pod, c, `container ${c.name} cannot pull image ${image} (${c.reason})`, { image, reason: c.reason });
        }
      }
    }
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
  *evaluate(state) {
    for (const pod of state.list("Pod")) {
      // Pods of Jobs are judged by the Job; evicted pods by the eviction rule later.
      if (pod.owner?.kind === "Job" || pod.reason === "Evicted") continue;
      // With restartPolicy Always/OnFailure a failed container is restarted (crash loops
      // have their own rule); it has failed for good only under Never.
      const final = pod.restartPolicy === "Never" || pod.phase === "Failed";
      const failed = final
        ? [...containersOf(pod)].find((c) => c.state === "terminated" && (c.exitCode ?? 0) !== 0 && c.reason !== "OOMKilled")
        : undefined;
      const oom = [...containersOf(pod)].some((c) => c.reason === "OOMKilled");
      if (failed) {
        yield finding(pod, failed, `container ${failed.name} terminated with exit code ${failed.exitCode}${failed.reason ? ` (${failed.reason})` : ""}`, {
          exitCode: failed.exitCode ?? "unknown",
          reason: failed.reason ?? "unknown",
          phase: pod.phase,
        });
      } else if (pod.phase === "Failed" && !oom) {
        yield { object: ref(pod), message: `pod failed${pod.reason ? `: ${pod.reason}` : ""}${pod.message ? ` (${pod.message})` : ""}`, evidence: { phase: pod.phase, reason: pod.reason ?? "unknown" } };
      }
    }
  },
});

export const pending = defineRule({
  id: "pod-pending",
  title: "Pod stuck Pending",
  severity: "high",
  category: "health",
  rationale: "A pod the scheduler cannot place does not run: no node has room, or constraints exclude every node.",
  fix: "Read the scheduler's message: free capacity, add nodes, or relax requests, selectors, affinity or taints.",
  kinds: ["Pod"],
  *evaluate(state, ctx) {
    for (const pod of state.list("Pod")) {
      if (pod.phase !== "Pending" || pod.deleting) continue;
      if (!pod.scheduled && pod.unschedulableReason !== "SchedulingGated") {
        yield {
          object: ref(pod),
          message: `pod cannot be scheduled: ${pod.unschedulableMessage ?? pod.unschedulableReason ?? "not scheduled yet"}`,
          evidence: {
            reason: pod.unschedulableReason ?? "NotScheduled",
            message: pod.unschedulableMessage ?? "",
            ageMinutes: Number.isNaN(pod.createdAt) ? "unknown" : Math.round((ctx.now - pod.createdAt) / 60000),
          },
        };
      }
    }
  },
});

export const highRestarts = defineRule({
  id: "pod-high-restarts",
  title: "Container restarts often",
  severity: "medium",
  category: "reliability",
  rationale: "Frequent restarts mean dropped requests and lost in-memory state, even when the pod looks Running now.",
  fix: "Find why it restarts (previous logs, OOM, probes) and fix the cause.",
  kinds: ["Pod"],
  *evaluate(state) {
    for (const pod of state.list("Pod")) {
      for (const c of containersOf(pod)) {
        // Crash loops and OOM kills have their own rules.
        if (c.restartCount < RESTART_THRESHOLD || c.reason === "CrashLoopBackOff" || c.lastReason === "OOMKilled") continue;
        yield finding(pod, c, `container ${c.name} restarted ${c.restartCount} times (last: ${c.lastReason ?? "unknown"}, exit ${c.lastExitCode ?? "?"})`, {
          restarts: c.restartCount,
          threshold: RESTART_THRESHOLD,
          lastReason: c.lastReason ?? "unknown",
        });
      }
    }
  },
});

export const POD_RULES = [crashLoop, oomKilled, imagePull, failedContainer, pending, highRestarts];

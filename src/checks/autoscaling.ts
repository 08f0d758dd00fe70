/** HorizontalPodAutoscalers: targets that are missing or unfit, and autoscalers that cannot act. */
import type { HorizontalPodAutoscaler, PodTemplate } from "../state/types.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";

/** Target kinds day2 models; HPAs of other kinds (Argo Rollouts, custom resources) are not judged. */
const MODELLED_TARGETS = new Set(["Deployment", "StatefulSet", "ReplicaSet"]);

/** Status fields are only meaningful once the controller has written them. */
function hasStatus(h: HorizontalPodAutoscaler): boolean {
  return h.conditions.length > 0 || h.currentReplicas > 0;
}

function targetTemplate(state: ClusterState, h: HorizontalPodAutoscaler): PodTemplate | undefined {
  if (!MODELLED_TARGETS.has(h.target.kind)) return undefined;
  const t = state.hpaTarget(h) as { template?: PodTemplate } | undefined;
  return t?.template;
}

export const hpaTargetMissing = defineRule({
  id: "hpa-target-missing",
  title: "HPA targets a missing workload",
  severity: "high",
  category: "configuration",
  rationale:
    "An autoscaler whose scaleTargetRef names no object scales nothing: the workload it was meant for (maybe renamed) runs at a fixed size.",
  fix: "Point scaleTargetRef at the workload's kind and name, or delete the autoscaler.",
  kinds: ["HorizontalPodAutoscaler", "Deployment", "StatefulSet", "ReplicaSet"],
  requires: ["Deployment", "StatefulSet", "ReplicaSet"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const h of state.list("HorizontalPodAutoscaler")) {
      if (!MODELLED_TARGETS.has(h.target.kind) || state.hpaTarget(h)) continue;
      out.push({
        object: ref(h),
        message: `scaleTargetRef ${h.target.kind}/${h.target.name} does not exist`,
        evidence: { targetKind: h.target.kind, targetName: h.target.name },
      });
    }
    return out;
  },
});

export const hpaTargetNoRequests = defineRule({
  id: "hpa-target-no-requests",
  title: "HPA scales on a resource the target does not request",
  severity: "high",
  category: "reliability",
  rationale:
    "Utilization is usage divided by request: when a target container has no request for the metric's resource, the HPA cannot compute it and does not scale.",
  fix: "Set requests for that resource on every container of the target (sidecars included), or scale on AverageValue instead of Utilization.",
  kinds: ["HorizontalPodAutoscaler", "Deployment", "StatefulSet", "ReplicaSet"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const h of state.list("HorizontalPodAutoscaler")) {
      const template = targetTemplate(state, h);
      if (!template) continue;
      const missing: string[] = [];
      for (const m of h.metrics) {
        const [type, name] = m.split(":") as [string, string];
        if (type !== "Resource" && type !== "ContainerResource") continue;
        if (name !== "cpu" && name !== "memory") continue;
        for (const c of template.containers) {
          const req = c.requests[name] ?? c.limits[name]; // a limit alone defaults the request
          if (req === undefined) missing.push(`${c.name} ${name}`);
        }
      }
      if (missing.length === 0) continue;
      out.push({
        object: ref(h),
        message: `target ${h.target.kind}/${h.target.name} has no request for ${missing.join(", ")}`,
        evidence: { target: `${h.target.kind}/${h.target.name}`, missing: missing.join(",") },
      });
    }
    return out;
  },
});

export const hpaAtMax = defineRule({
  id: "hpa-at-max",
  title: "HPA at its maximum replicas",
  severity: "medium",
  category: "reliability",
  rationale:
    "An autoscaler pinned at maxReplicas cannot absorb more load: latency and errors grow while the HPA wants more pods than it may create.",
  fix: "Raise maxReplicas (and check the cluster can hold them), or make each replica cheaper; check the metric is not stuck high.",
  kinds: ["HorizontalPodAutoscaler"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const h of state.list("HorizontalPodAutoscaler")) {
      if (!hasStatus(h) || h.maxReplicas <= 0) continue;
      const limited = h.conditions.find(
        (c) => c.type === "ScalingLimited" && c.status === "True" && c.reason === "TooManyReplicas",
      );
      if (h.currentReplicas < h.maxReplicas && !limited) continue;
      // min == max is hpa-min-equals-max's finding: that HPA is always "at max".
      if (h.minReplicas === h.maxReplicas) continue;
      out.push({
        object: ref(h),
        message: `at maxReplicas ${h.maxReplicas} (current ${h.currentReplicas}, desired ${h.desiredReplicas})${limited?.message ? `: ${limited.message}` : ""}`,
        evidence: {
          current: h.currentReplicas,
          desired: h.desiredReplicas,
          max: h.maxReplicas,
          scalingLimited: limited !== undefined,
        },
      });
    }
    return out;
  },
});

export const hpaMinEqualsMax = defineRule({
  id: "hpa-min-equals-max",
  title: "HPA with minReplicas equal to maxReplicas",
  severity: "low",
  category: "configuration",
  rationale:
    "An autoscaler whose minimum equals its maximum never scales: it only adds moving parts (and fights kubectl scale).",
  fix: "Give it a range to scale in, or delete it and set the workload's replicas.",
  kinds: ["HorizontalPodAutoscaler"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const h of state.list("HorizontalPodAutoscaler")) {
      if (h.minReplicas !== h.maxReplicas) continue;
      out.push({
        object: ref(h),
        message: `minReplicas = maxReplicas = ${h.maxReplicas}: the autoscaler cannot scale`,
        evidence: { min: h.minReplicas, max: h.maxReplicas },
      });
    }
    return out;
  },
});

export const hpaInactive = defineRule({
  id: "hpa-scaling-inactive",
  title: "HPA cannot compute its metrics",
  severity: "high",
  category: "health",
  rationale:
    "ScalingActive=False means the autoscaler has stopped scaling: it cannot read its metrics (metrics-server or adapter down, missing requests, wrong metric name) or its target.",
  fix: "Read the condition's message (kubectl describe hpa); fix the metrics pipeline, the metric name or the target's requests.",
  kinds: ["HorizontalPodAutoscaler"],
  runtime: true,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const h of state.list("HorizontalPodAutoscaler")) {
      const c = h.conditions.find((x) => x.type === "ScalingActive" && x.status === "False");
      // ScalingDisabled is a target scaled to zero on purpose.
      if (!c || c.reason === "ScalingDisabled") continue;
      out.push({
        object: ref(h),
        message: `not scaling: ${c.reason ?? "ScalingActive=False"}${c.message ? ` (${c.message})` : ""}`,
        evidence: { reason: c.reason ?? "", message: c.message ?? "" },
      });
    }
    return out;
  },
});

export const AUTOSCALING_RULES = [
  hpaTargetMissing,
  hpaTargetNoRequests,
  hpaAtMax,
  hpaMinEqualsMax,
  hpaInactive,
];

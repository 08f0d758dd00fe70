/** Reliability configuration: disruption budgets, replicas, requests/limits, probes, image tags. */
import type { ClusterState } from "../state/cluster-state.js";
import type { PodTemplate } from "../state/types.js";
import { defineRule, ref } from "./types.js";
import { TEMPLATE_KINDS, workloadTemplates } from "./workload-templates.js";

export const pdbBlocksEviction = defineRule({
  id: "pdb-blocks-eviction",
  title: "PodDisruptionBudget allows no eviction",
  severity: "medium",
  category: "reliability",
  rationale: "A PDB that allows zero disruptions blocks every node drain: upgrades and autoscaler scale-down stall on it.",
  fix: "Run more replicas than minAvailable, or use maxUnavailable: 1.",
  kinds: ["PodDisruptionBudget", "Pod"],
  requires: ["Pod"],
  *evaluate(state) {
    for (const pdb of state.list("PodDisruptionBudget")) {
      const pods = state.pdbPods(pdb);
      if (pods.length === 0) continue; // a PDB matching nothing is a different problem
      const healthy = pdb.hasStatus ? pdb.currentHealthy : pods.filter((p) => p.ready).length;
      const blocksByStatus = pdb.hasStatus && pdb.disruptionsAllowed === 0 && pdb.expectedPods > 0 && pdb.currentHealthy >= pdb.desiredHealthy;
      const blocksBySpec =
        pdb.maxUnavailable === 0 || pdb.maxUnavailable === "0%" || pdb.minAvailable === "100%" ||
        (typeof pdb.minAvailable === "number" && pdb.minAvailable >= pods.length);
      if (blocksByStatus || blocksBySpec) {
        yield {
          object: ref(pdb),
          message: `allows no voluntary disruption (${pdb.minAvailable !== undefined ? `minAvailable ${pdb.minAvailable}` : `maxUnavailable ${pdb.maxUnavailable}`} for ${pods.length} pods)`,
          evidence: { selector: pdb.selector.text, pods: pods.length, healthy, disruptionsAllowed: pdb.hasStatus ? pdb.disruptionsAllowed : "no status", minAvailable: pdb.minAvailable ?? "", maxUnavailable: pdb.maxUnavailable ?? "" },
        };
      }
    }
  },
});

function containersMissing(t: PodTemplate, predicate: (c: PodTemplate["containers"][number]) => boolean): string[] {
  return t.containers.filter(predicate).map((c) => c.name);
}

export const missingResources = defineRule({
  id: "container-resources-missing",
  title: "Container without CPU/memory requests or memory limit",
  severity: "medium",
  category: "reliability",
  rationale: "Without requests the scheduler packs blindly and the pod is first to be evicted; without a memory limit one leak can starve its node.",
  fix: "Set CPU and memory requests from observed usage, and a memory limit.",
  kinds: [...TEMPLATE_KINDS],
  *evaluate(state) {
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
        yield { object: ref(owner), message: `missing ${missing.join("; ")}`, evidence: { containers: missing.join("; ") } };
      }
    }
  },
});

export const missingProbes = defineRule({
  id: "container-probes-missing",
  title: "Container without readiness or liveness probe",
  severity: "medium",
  category: "reliability",
  rationale: "Without a readiness probe traffic reaches pods that cannot serve; without a liveness probe a hung process is never restarted.",
  fix: "Add a readinessProbe on the serving port and a livenessProbe that checks the process itself.",
  kinds: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"],
  *evaluate(state) {
    for (const { owner, template, batch } of workloadTemplates(state)) {
      if (batch) continue;
      const noReadiness = containersMissing(template, (c) => !c.readiness);
      const noLiveness = containersMissing(template, (c) => !c.liveness);
      if (noReadiness.length || noLiveness.length) {
        const parts = [];
        if (noReadiness.length) parts.push(`no readiness probe: ${noReadiness.join(", ")}`);
        if (noLiveness.length) parts.push(`no liveness probe: ${noLiveness.join(", ")}`);
        yield { object: ref(owner), message: parts.join("; "), evidence: { noReadiness: noReadiness.join(","), noLiveness: noLiveness.join(",") } };
      }
    }
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
  rationale: "One replica means downtime on every node drain, eviction or crash, and nothing tells the cluster to wait.",
  fix: "Run at least two replicas spread across nodes, with a PDB of maxUnavailable: 1.",
  kinds: ["Deployment", "StatefulSet", "PodDisruptionBudget"],
  requires: ["PodDisruptionBudget"],
  *evaluate(state) {
    for (const w of [...state.list("Deployment"), ...state.list("StatefulSet")]) {
      if (w.replicas !== 1) continue;
      if (coveredByPdb(state, w.namespace, w.template.labels)) continue;
      yield { object: ref(w), message: "runs a single replica and no PodDisruptionBudget covers it", evidence: { replicas: w.replicas } };
    }
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

export const latestTag = defineRule({
  id: "image-latest-tag",
  title: "Image uses :latest or no tag",
  severity: "medium",
  category: "reliability",
  rationale: "A moving tag makes rollouts unreproducible: two pods of one ReplicaSet can run different code, and rollback restores nothing.",
  fix: "Pin images to a version tag, or better a digest.",
  kinds: [...TEMPLATE_KINDS],
  *evaluate(state) {
    for (const { owner, template } of workloadTemplates(state)) {
      const bad = [...template.initContainers, ...template.containers].filter((c) => {
        const { tag, digest } = imageTag(c.image);
        return !digest && (tag === undefined || tag === "latest");
      });
      if (bad.length) {
        yield { object: ref(owner), message: `unpinned image ${bad.map((c) => `${c.name}=${c.image}`).join(", ")}`, evidence: { images: bad.map((c) => c.image).join(",") } };
      }
    }
  },
});

export const RELIABILITY_RULES = [pdbBlocksEviction, missingResources, missingProbes, singleReplica, latestTag];

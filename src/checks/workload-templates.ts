/**
 * The pod templates a person owns: one per top-level workload (Deployment, StatefulSet,
 * DaemonSet, CronJob, a Job or ReplicaSet without owner, a bare Pod). Configuration rules
 * judge these, so a 30-replica Deployment with no probes is one finding, not thirty.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta, PodTemplate, ProjectedKind } from "../state/types.js";

export interface OwnedTemplate {
  readonly owner: Meta;
  readonly template: PodTemplate;
  /** Replicas the owner asks for; undefined for DaemonSets, Jobs and bare pods. */
  readonly replicas?: number;
  /** True for batch workloads (Jobs, CronJobs), which need no probes. */
  readonly batch: boolean;
}

/** Computed once per state and shared by every rule that walks templates. */
export function workloadTemplates(state: ClusterState): readonly OwnedTemplate[] {
  return state.derive("workload-templates", (s) => [...collectTemplates(s)]);
}

function* collectTemplates(state: ClusterState): Generator<OwnedTemplate> {
  for (const d of state.list("Deployment"))
    yield { owner: d, template: d.template, replicas: d.replicas, batch: false };
  for (const s of state.list("StatefulSet"))
    yield { owner: s, template: s.template, replicas: s.replicas, batch: false };
  for (const d of state.list("DaemonSet")) yield { owner: d, template: d.template, batch: false };
  for (const c of state.list("CronJob")) yield { owner: c, template: c.template, batch: true };
  for (const j of state.list("Job")) if (!j.owner) yield { owner: j, template: j.template, batch: true };
  for (const r of state.list("ReplicaSet"))
    if (!r.owner) yield { owner: r, template: r.template, replicas: r.replicas, batch: false };
  for (const p of state.list("Pod"))
    if (!p.owner) yield { owner: p, template: p, batch: p.restartPolicy !== "Always" };
}

/** The kinds workloadTemplates reads. */
export const TEMPLATE_KINDS = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "CronJob",
  "Job",
  "ReplicaSet",
  "Pod",
] as const;

/** The owners of workloadTemplates: what template rules judge (their score targets). */
export function workloadOwners(state: ClusterState): readonly Meta[] {
  return state.derive("workload-owners", (s) => workloadTemplates(s).map((t) => t.owner));
}

/** The owners of long-running (non-batch) templates: what probe rules judge. */
export function serviceOwners(state: ClusterState): readonly Meta[] {
  return state.derive("service-owners", (s) =>
    workloadTemplates(s)
      .filter((t) => !t.batch)
      .map((t) => t.owner),
  );
}

/** Score targets spanning several kinds: every object of each, computed once per state. */
export function objectsOf(...kinds: readonly ProjectedKind[]): (state: ClusterState) => readonly Meta[] {
  return (state) =>
    state.derive(`objects:${kinds.join(",")}`, (s) => kinds.flatMap((k) => s.list(k) as readonly Meta[]));
}

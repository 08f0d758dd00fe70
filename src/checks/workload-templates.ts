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

/** A node of the profile trie; the node a template's path ends at is its profile. */
interface ProfileNode {
  readonly next: Map<unknown, ProfileNode>;
}

function step(node: ProfileNode, key: unknown): ProfileNode {
  let child = node.next.get(key);
  if (!child) node.next.set(key, (child = { next: new Map() }));
  return child;
}

/**
 * The security profile of each template of workloadTemplates (same index): its init container
 * count, the pod's security context and AppArmor annotations, and every container's security
 * context in order. Projections share one frozen object per distinct context, so 40,000
 * templates fall into a handful of profiles. Two templates with one profile differ only in
 * names, images, resources and such: a security verdict is the same for both.
 */
function securityProfiles(state: ClusterState): readonly ProfileNode[] {
  return state.derive("checks:security-profiles", (s) => {
    const root: ProfileNode = { next: new Map() };
    return workloadTemplates(s).map(({ template: t }) => {
      let node = step(step(step(root, t.initContainers.length), t.podSecurity), t.appArmorAnnotations);
      for (const c of t.initContainers) node = step(node, c.security);
      for (const c of t.containers) node = step(node, c.security);
      return node;
    });
  });
}

/**
 * The templates a security rule must look at: those `fails` judges failing, where `fails`
 * reads only security contexts and AppArmor annotations. It runs once per security profile
 * (on the profile's first template), not once per template, and the list is kept per state.
 */
export function templatesFailingSecurity(
  state: ClusterState,
  rule: string,
  fails: (t: PodTemplate) => boolean,
): readonly OwnedTemplate[] {
  return state.derive(`checks:failing-security:${rule}`, (s) => {
    const templates = workloadTemplates(s);
    const profiles = securityProfiles(s);
    const verdicts = new Map<ProfileNode, boolean>();
    const out: OwnedTemplate[] = [];
    for (let i = 0; i < templates.length; i++) {
      const t = templates[i]!;
      const profile = profiles[i]!;
      let failing = verdicts.get(profile);
      if (failing === undefined) verdicts.set(profile, (failing = fails(t.template)));
      if (failing) out.push(t);
    }
    return out;
  });
}

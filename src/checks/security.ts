/** Security basics of pod templates: privileged containers, root, hostPath. */
import type { ContainerSpec, PodTemplate } from "../state/types.js";
import { defineRule, ref } from "./types.js";
import { TEMPLATE_KINDS, workloadTemplates } from "./workload-templates.js";

function allContainers(t: PodTemplate): ContainerSpec[] {
  return [...t.initContainers, ...t.containers];
}

export const privileged = defineRule({
  id: "container-privileged",
  title: "Privileged container",
  severity: "high",
  category: "security",
  rationale: "A privileged container has every capability and the host's devices: escaping it is taking the node.",
  fix: "Remove privileged: true; grant only the specific capability the workload needs.",
  kinds: [...TEMPLATE_KINDS],
  *evaluate(state) {
    for (const { owner, template } of workloadTemplates(state)) {
      const names = allContainers(template).filter((c) => c.security.privileged === true).map((c) => c.name);
      if (names.length) yield { object: ref(owner), message: `privileged container ${names.join(", ")}`, evidence: { containers: names.join(",") } };
    }
  },
});

/** True when the container may run as UID 0: explicitly, or because nothing forbids it. */
export function mayRunAsRoot(t: PodTemplate, c: ContainerSpec): { root: boolean; explicit: boolean } {
  const uid = c.security.runAsUser ?? t.podSecurity.runAsUser;
  if (uid === 0) return { root: true, explicit: true };
  if (uid !== undefined) return { root: false, explicit: false };
  const nonRoot = c.security.runAsNonRoot ?? t.podSecurity.runAsNonRoot;
  return { root: nonRoot !== true, explicit: false };
}

export const runAsRoot = defineRule({
  id: "container-run-as-root",
  title: "Container may run as root",
  severity: "medium",
  category: "security",
  rationale: "A process running as UID 0 turns any container escape or writable host mount into root on the node.",
  fix: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser, and build the image to run unprivileged.",
  kinds: [...TEMPLATE_KINDS],
  *evaluate(state) {
    for (const { owner, template } of workloadTemplates(state)) {
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of allContainers(template)) {
        const r = mayRunAsRoot(template, c);
        if (r.root) (r.explicit ? explicit : implicit).push(c.name);
      }
      if (explicit.length || implicit.length) {
        const parts = [];
        if (explicit.length) parts.push(`runAsUser 0: ${explicit.join(", ")}`);
        if (implicit.length) parts.push(`runAsNonRoot not set: ${implicit.join(", ")}`);
        yield { object: ref(owner), message: parts.join("; "), evidence: { explicitRoot: explicit.join(","), notForbidden: implicit.join(",") } };
      }
    }
  },
});

export const hostPath = defineRule({
  id: "pod-host-path",
  title: "Pod mounts a hostPath volume",
  severity: "medium",
  category: "security",
  rationale: "hostPath exposes the node's filesystem to the pod; a writable one is a path to the node.",
  fix: "Use a PersistentVolume, ConfigMap or emptyDir; if a node agent truly needs it, mount read-only and narrow the path.",
  kinds: [...TEMPLATE_KINDS],
  *evaluate(state) {
    for (const { owner, template } of workloadTemplates(state)) {
      if (template.volumes.hostPaths.length) {
        yield { object: ref(owner), message: `mounts host path ${template.volumes.hostPaths.join(", ")}`, evidence: { paths: template.volumes.hostPaths.join(",") } };
      }
    }
  },
});

export const SECURITY_RULES = [privileged, runAsRoot, hostPath];

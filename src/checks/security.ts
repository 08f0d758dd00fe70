/**
 * Security of pod templates and namespaces: privileged containers, root, hostPath, writable
 * root filesystems, service account tokens, secrets in env, NET_RAW, and NetworkPolicy coverage.
 * The Pod Security Standards controls live in pss.ts; RBAC in rbac.ts.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { ContainerSpec, PodTemplate, SecurityContext } from "../state/types.js";
import { matches } from "../state/selector.js";
import type { FindingDraft } from "./types.js";
import { defineRule, ref } from "./types.js";
import {
  TEMPLATE_KINDS,
  objectsOf,
  templatesFailingSecurity,
  workloadOwners,
  workloadTemplates,
} from "./workload-templates.js";

/**
 * Init containers and containers of a template. Most templates have no init containers: their
 * containers array is returned as is, so 25 rules over 40,000 templates build no arrays.
 */
export function allContainers(t: PodTemplate): readonly ContainerSpec[] {
  return t.initContainers.length === 0 ? t.containers : [...t.initContainers, ...t.containers];
}

function privilegedNames(t: PodTemplate): string[] {
  return allContainers(t)
    .filter((c) => c.security.privileged === true)
    .map((c) => c.name);
}

export const privileged = defineRule({
  id: "container-privileged",
  title: "Privileged container",
  severity: "high",
  category: "security",
  rationale:
    "A privileged container has every capability and the host's devices: escaping it is taking the node.",
  fix: "Remove privileged: true; grant only the specific capability the workload needs.",
  kinds: [...TEMPLATE_KINDS],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const suspects = templatesFailingSecurity(
      state,
      "container-privileged",
      (t) => privilegedNames(t).length > 0,
    );
    for (const { owner, template } of suspects) {
      const names = privilegedNames(template);
      if (names.length)
        out.push({
          object: ref(owner),
          message: `privileged container ${names.join(", ")}`,
          evidence: { pss: "baseline", control: "Privileged Containers", containers: names.join(",") },
        });
    }
    return out;
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
  rationale:
    "A process running as UID 0 turns any container escape or writable host mount into root on the node.",
  fix: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser, and build the image to run unprivileged.",
  kinds: [...TEMPLATE_KINDS],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const suspects = templatesFailingSecurity(state, "container-run-as-root", (t) =>
      allContainers(t).some((c) => mayRunAsRoot(t, c).root),
    );
    for (const { owner, template } of suspects) {
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
        // Both restricted controls are judged here: runAsUser 0 fails "Running as Non-root user".
        const control = [
          ...(implicit.length ? ["Running as Non-root"] : []),
          ...(explicit.length ? ["Running as Non-root user"] : []),
        ].join(",");
        out.push({
          object: ref(owner),
          message: parts.join("; "),
          evidence: {
            pss: "restricted",
            control,
            explicitRoot: explicit.join(","),
            notForbidden: implicit.join(","),
          },
        });
      }
    }
    return out;
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
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      if (template.volumes.hostPaths.length) {
        out.push({
          object: ref(owner),
          message: `mounts host path ${template.volumes.hostPaths.join(", ")}`,
          evidence: {
            pss: "baseline",
            control: "HostPath Volumes",
            paths: template.volumes.hostPaths.join(","),
          },
        });
      }
    }
    return out;
  },
});

/** Capability names as runtimes read them: upper case, without the CAP_ prefix. */
function capName(c: string): string {
  const u = c.toUpperCase();
  return u.startsWith("CAP_") ? u.slice(4) : u;
}

export const writableRootFs = defineRule({
  id: "container-writable-root-fs",
  title: "Container root filesystem is writable",
  severity: "low",
  category: "security",
  rationale:
    "A writable root filesystem lets an intruder drop tools and modify binaries or configuration of the running container, and hides state that should live in volumes.",
  fix: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir for the paths the process writes (/tmp, caches).",
  kinds: [...TEMPLATE_KINDS],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const suspects = templatesFailingSecurity(state, "container-writable-root-fs", (t) =>
      allContainers(t).some((c) => c.security.readOnlyRootFilesystem !== true),
    );
    for (const { owner, template } of suspects) {
      const names = allContainers(template)
        .filter((c) => c.security.readOnlyRootFilesystem !== true)
        .map((c) => c.name);
      if (names.length)
        out.push({
          object: ref(owner),
          message: `readOnlyRootFilesystem not set: ${names.join(", ")}`,
          evidence: { containers: names.join(",") },
        });
    }
    return out;
  },
});

const NET_RAW_KEPT = new WeakMap<SecurityContext, boolean>();

/**
 * True when a security context leaves NET_RAW to the container. Memoized per context object:
 * projections share one frozen context among all containers that spell it the same way.
 */
function keepsNetRaw(sec: SecurityContext): boolean {
  let kept = NET_RAW_KEPT.get(sec);
  if (kept === undefined) {
    const drop = sec.capabilitiesDrop.map(capName);
    const added = sec.capabilitiesAdd.map(capName).includes("NET_RAW");
    kept = added || !(drop.includes("ALL") || drop.includes("NET_RAW"));
    NET_RAW_KEPT.set(sec, kept);
  }
  return kept;
}

export const netRawNotDropped = defineRule({
  id: "container-net-raw-not-dropped",
  title: "Container keeps the NET_RAW capability",
  severity: "low",
  category: "security",
  rationale:
    "NET_RAW, granted by default, lets a container craft raw packets: ARP and DNS spoofing of its neighbours on the node's network.",
  fix: "Drop ALL capabilities (or at least NET_RAW) in securityContext.capabilities.drop; ping works without it on current kernels.",
  kinds: [...TEMPLATE_KINDS],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const suspects = templatesFailingSecurity(state, "container-net-raw-not-dropped", (t) =>
      allContainers(t).some((c) => c.security.privileged !== true && keepsNetRaw(c.security)),
    );
    for (const { owner, template } of suspects) {
      const names: string[] = [];
      for (const c of allContainers(template)) {
        if (c.security.privileged === true) continue; // container-privileged says more
        if (keepsNetRaw(c.security)) names.push(c.name);
      }
      if (names.length)
        out.push({
          object: ref(owner),
          message: `NET_RAW not dropped: ${names.join(", ")}`,
          evidence: { containers: names.join(",") },
        });
    }
    return out;
  },
});

export const secretInEnv = defineRule({
  id: "container-secret-in-env",
  title: "Secret exposed through environment variables",
  severity: "low",
  category: "security",
  rationale:
    "Environment variables leak: into crash dumps, debug endpoints, child processes, `kubectl describe` of the pod spec and logs; a mounted file does not, and it is updated when the Secret rotates.",
  fix: "Mount the Secret as a read-only volume and read the value from the file instead of env valueFrom.secretKeyRef or envFrom.secretRef.",
  kinds: [...TEMPLATE_KINDS],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      const hits = allContainers(template).filter((c) => c.envSecrets.length > 0);
      if (hits.length === 0) continue;
      const parts = hits.map(
        (c) =>
          `${c.name}: ${c.envFromSecretKeys.length ? c.envFromSecretKeys.join(" ") : "envFrom"} (secret ${c.envSecrets.join(" ")})`,
      );
      out.push({
        object: ref(owner),
        message: `secrets in env ${parts.join("; ")}`,
        evidence: {
          containers: hits.map((c) => c.name).join(","),
          variables: hits.flatMap((c) => c.envFromSecretKeys).join(","),
          secrets: [...new Set(hits.flatMap((c) => c.envSecrets))].join(","),
        },
      });
    }
    return out;
  },
});

export const defaultServiceAccount = defineRule({
  id: "pod-default-service-account",
  title: "Pod runs as the namespace's default ServiceAccount",
  severity: "low",
  category: "security",
  rationale:
    "Every pod without its own ServiceAccount shares `default`: any permission granted to it for one workload is granted to all of them, and audit logs cannot tell them apart.",
  fix: "Create a ServiceAccount per workload (automountServiceAccountToken: false unless it calls the API) and set serviceAccountName.",
  kinds: [...TEMPLATE_KINDS],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      if (template.serviceAccount !== "default") continue;
      out.push({
        object: ref(owner),
        message: "runs as ServiceAccount default",
        evidence: {
          serviceAccount: "default",
          automountServiceAccountToken: template.automountServiceAccountToken ?? "unset",
        },
      });
    }
    return out;
  },
});

/**
 * ServiceAccounts some binding grants anything, built once: `ns/name` keys, plus `ns/` + "*"
 * for a system:serviceaccounts:<ns> group and ALL_ACCOUNTS for system:serviceaccounts.
 */
const ALL_ACCOUNTS = "*/*";

function boundServiceAccounts(state: ClusterState): ReadonlySet<string> {
  return state.derive("security:bound-service-accounts", (s) => {
    const out = new Set<string>();
    for (const b of [...s.list("RoleBinding"), ...s.list("ClusterRoleBinding")]) {
      for (const sub of b.subjects) {
        if (sub.kind === "ServiceAccount") out.add(`${sub.namespace || b.namespace}/${sub.name}`);
        else if (sub.kind === "Group" && sub.name === "system:serviceaccounts") out.add(ALL_ACCOUNTS);
        else if (sub.kind === "Group" && sub.name.startsWith("system:serviceaccounts:"))
          out.add(`${sub.name.slice(23)}/*`);
        else if (sub.kind === "User" && sub.name.startsWith("system:serviceaccount:"))
          out.add(sub.name.slice(22).replace(":", "/"));
      }
    }
    return out;
  });
}

export const saTokenAutomount = defineRule({
  id: "pod-sa-token-automount",
  title: "API token mounted into a pod that has no API permissions",
  severity: "low",
  category: "security",
  rationale:
    "A mounted ServiceAccount token is a credential for the API server waiting to be stolen; when no binding grants the account anything, the pod does not need it.",
  fix: "Set automountServiceAccountToken: false on the pod template (or on its ServiceAccount); mount a projected token only where the process calls the API.",
  kinds: [...TEMPLATE_KINDS, "ServiceAccount", "RoleBinding", "ClusterRoleBinding"],
  // Without ServiceAccounts (their automount setting) or bindings (the grants) a finding could be wrong.
  requires: ["ServiceAccount", "RoleBinding", "ClusterRoleBinding"],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const bound = boundServiceAccounts(state);
    for (const { owner, template } of workloadTemplates(state)) {
      if (template.automountServiceAccountToken === false) continue;
      const name = template.serviceAccount;
      const sa = state.get("ServiceAccount", owner.namespace, name);
      // The pod's setting wins over the ServiceAccount's.
      if (template.automountServiceAccountToken === undefined && sa?.automountServiceAccountToken === false)
        continue;
      if (
        bound.has(`${owner.namespace}/${name}`) ||
        bound.has(`${owner.namespace}/*`) ||
        bound.has(ALL_ACCOUNTS)
      )
        continue;
      out.push({
        object: ref(owner),
        message: `mounts the token of ServiceAccount ${name}, which no RoleBinding or ClusterRoleBinding grants anything`,
        evidence: {
          serviceAccount: name,
          pod: template.automountServiceAccountToken === undefined ? "unset" : "true",
          serviceAccountSetting:
            sa === undefined
              ? "missing"
              : sa.automountServiceAccountToken === undefined
                ? "unset"
                : String(sa.automountServiceAccountToken),
        },
      });
    }
    return out;
  },
});

/** Namespaces of the control plane itself, where NetworkPolicy coverage is not expected. */
const NETPOL_EXEMPT: ReadonlySet<string> = new Set(["kube-system", "kube-public", "kube-node-lease"]);

/** Workload templates per namespace, built once. */
function templatesByNamespace(state: ClusterState): ReadonlyMap<string, number> {
  return state.derive("security:templates-by-namespace", (s) => {
    const out = new Map<string, number>();
    for (const { owner } of workloadTemplates(s))
      out.set(owner.namespace, (out.get(owner.namespace) ?? 0) + 1);
    return out;
  });
}

export const namespaceNoNetworkPolicy = defineRule({
  id: "namespace-no-network-policy",
  title: "Namespace without any NetworkPolicy",
  severity: "medium",
  category: "security",
  rationale:
    "Without a NetworkPolicy every pod of the namespace accepts traffic from every pod in the cluster: one compromised pod can reach all of them.",
  fix: "Add a default-deny NetworkPolicy (podSelector: {}) and policies that allow the traffic each workload needs.",
  kinds: [...TEMPLATE_KINDS, "NetworkPolicy"],
  // Without NetworkPolicies read, "no policy" would be a false finding.
  requires: ["NetworkPolicy"],
  targets: objectsOf("Namespace"),
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const templates = templatesByNamespace(state);
    const names = new Set([...templates.keys(), ...state.namespaceNames()]);
    for (const ns of [...names].sort()) {
      if (NETPOL_EXEMPT.has(ns)) continue;
      const workloads = templates.get(ns) ?? 0;
      const pods = state.podsInNamespace(ns).length;
      if (workloads === 0 && pods === 0) continue;
      if (state.inNamespace("NetworkPolicy", ns).length > 0) continue;
      out.push({
        object: { kind: "Namespace", namespace: "", name: ns },
        message: `no NetworkPolicy selects any of its ${workloads} workloads (${pods} pods)`,
        evidence: { workloads, pods, networkPolicies: 0 },
      });
    }
    return out;
  },
});

export const podNoNetworkPolicy = defineRule({
  id: "pod-no-network-policy",
  title: "Workload not selected by any NetworkPolicy",
  severity: "low",
  category: "security",
  rationale:
    "The namespace has NetworkPolicies, but none selects this workload's pods: they stay open to the whole cluster, usually because their labels do not match what the policies expect.",
  fix: "Make a policy select the pods (a default-deny with podSelector: {}, or fix the labels), and allow only the traffic they need.",
  kinds: [...TEMPLATE_KINDS, "NetworkPolicy"],
  requires: ["NetworkPolicy"],
  targets: workloadOwners,
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const { owner, template } of workloadTemplates(state)) {
      const policies = state.inNamespace("NetworkPolicy", owner.namespace);
      if (policies.length === 0) continue; // namespace-no-network-policy reports the namespace
      if (policies.some((p) => matches(p.podSelector, template.labels))) continue;
      out.push({
        object: ref(owner),
        message: `none of the namespace's ${policies.length} NetworkPolicies selects its pods`,
        evidence: {
          networkPolicies: policies.length,
          labels: Object.entries(template.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
        },
      });
    }
    return out;
  },
});

export const SECURITY_RULES = [
  privileged,
  runAsRoot,
  hostPath,
  writableRootFs,
  netRawNotDropped,
  secretInEnv,
  defaultServiceAccount,
  saTokenAutomount,
  namespaceNoNetworkPolicy,
  podNoNetworkPolicy,
];

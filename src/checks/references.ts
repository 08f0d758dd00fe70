/**
 * References between objects: pods to their ConfigMaps, Secrets, ServiceAccounts and claims;
 * Services to their pods' ports; Ingresses to Services and TLS Secrets; and the reverse, config
 * objects nothing refers to.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { OwnerRef, Pod, PodTemplate, ProjectedKind } from "../state/types.js";
import type { FindingDraft, Rule } from "./types.js";
import { defineRule, ref } from "./types.js";
import { isSystemNamespace } from "./util.js";
import { TEMPLATE_KINDS } from "./workload-templates.js";

type RefKind = "ConfigMap" | "Secret" | "ServiceAccount" | "PersistentVolumeClaim";

function podMissing(kind: RefKind, id: string, text: { rationale: string; fix: string }): Rule {
  const what = kind;
  return defineRule({
    id,
    title: `Pod refers to a missing ${what}`,
    severity: "high",
    category: "health",
    rationale: text.rationale,
    fix: text.fix,
    kinds: ["Pod", kind],
    requires: [kind],
    evaluate(state): FindingDraft[] {
      const out: FindingDraft[] = [];
      const { pods, groups } = podRefGroups(state);
      for (let i = 0; i < pods.length; i++) {
        const pod = pods[i]!;
        const group = groups[i]!;
        const missing = (group.missing[kind] ??= missingRefs(state, group.first, kind));
        if (missing.length === 0) continue;
        out.push({
          object: ref(pod),
          message: `${what} ${missing.join(", ")} does not exist in ${pod.namespace}`,
          evidence: {
            missing: missing.join(","),
            phase: pod.phase,
            owner: pod.owner ? `${pod.owner.kind}/${pod.owner.name}` : "",
          },
        });
      }
      return out;
    },
  });
}

/** Pods stamped from one template (same owner uid and ServiceAccount): references resolved once. */
interface RefGroup {
  /** The group's first pod, whose references stand for all of them. */
  readonly first: Pod;
  /** Missing names per kind, filled in by the rule of that kind. */
  readonly missing: Partial<Record<RefKind, readonly string[]>>;
}

/**
 * Pods that are not finished, each with its reference group (parallel arrays), built once per
 * state for the four missing-reference rules. A pod without an owner uid is a group of its own.
 */
function podRefGroups(state: ClusterState): { pods: readonly Pod[]; groups: readonly RefGroup[] } {
  return state.derive("checks:pod-ref-groups", (s) => {
    const pods: Pod[] = [];
    const groups: RefGroup[] = [];
    // owner reference (interned: one object per ReplicaSet, and with a uid one owner) ->
    // ServiceAccount -> group, so no key string is built or hashed per pod
    const byOwner = new Map<OwnerRef, Map<string, RefGroup>>();
    for (const pod of s.list("Pod")) {
      if (pod.phase === "Succeeded" || pod.phase === "Failed") continue;
      const owner = pod.owner;
      let group: RefGroup | undefined;
      if (owner?.uid) {
        let bySa = byOwner.get(owner);
        if (!bySa) byOwner.set(owner, (bySa = new Map()));
        group = bySa.get(pod.serviceAccount);
        if (!group) bySa.set(pod.serviceAccount, (group = { first: pod, missing: {} }));
      } else group = { first: pod, missing: {} };
      pods.push(pod);
      groups.push(group);
    }
    return { pods, groups };
  });
}

const NO_NAMES: readonly string[] = Object.freeze([]);

/** The names of one kind a pod refers to that do not exist, in first-reference order. */
function missingRefs(state: ClusterState, pod: Pod, kind: RefKind): readonly string[] {
  if (kind === "ServiceAccount")
    return state.get(kind, pod.namespace, pod.serviceAccount) === undefined ? [pod.serviceAccount] : NO_NAMES;
  const names: string[] = [];
  const add = (list: readonly string[]): void => {
    for (const n of list) if (!names.includes(n)) names.push(n);
  };
  if (kind === "PersistentVolumeClaim") add(pod.volumes.pvcs);
  else {
    const configMaps = kind === "ConfigMap";
    add(configMaps ? pod.volumes.configMaps : pod.volumes.secrets);
    for (const c of pod.initContainers) add(configMaps ? c.envConfigMaps : c.envSecrets);
    for (const c of pod.containers) add(configMaps ? c.envConfigMaps : c.envSecrets);
  }
  return names.length === 0 ? NO_NAMES : names.filter((n) => state.get(kind, pod.namespace, n) === undefined);
}

export const podMissingConfigMap = podMissing("ConfigMap", "pod-missing-configmap", {
  rationale:
    "A pod whose (non-optional) ConfigMap volume or env source does not exist cannot start its containers (CreateContainerConfigError or a volume that never mounts); a running pod fails on its next restart.",
  fix: "Create the ConfigMap, fix the name in the workload, or mark the reference optional: true if the app copes without it.",
});

export const podMissingSecret = podMissing("Secret", "pod-missing-secret", {
  rationale:
    "A pod whose (non-optional) Secret volume or env source does not exist cannot start its containers; a running pod fails on its next restart or reschedule.",
  fix: "Create the Secret (or fix the tool that syncs it, such as External Secrets), or fix the name in the workload.",
});

export const podMissingServiceAccount = podMissing("ServiceAccount", "pod-missing-serviceaccount", {
  rationale:
    "Pods cannot be created with a ServiceAccount that does not exist: the controller's create calls fail and the workload never gets its replicas back after a restart.",
  fix: "Create the ServiceAccount (and its bindings) or set serviceAccountName to an existing one.",
});

export const podMissingPvc = podMissing("PersistentVolumeClaim", "pod-missing-pvc", {
  rationale:
    "A pod mounting a claim that does not exist stays Pending (FailedScheduling: persistentvolumeclaim not found).",
  fix: "Create the claim or fix claimName in the workload; for StatefulSets let volumeClaimTemplates create it.",
});

/** Named container ports and port numbers of some pods, for targetPort resolution. */
function podPorts(pods: readonly Pod[]): { names: Set<string>; numbers: Set<number>; declared: boolean } {
  const names = new Set<string>();
  const numbers = new Set<number>();
  let declared = true;
  // Port lists are shared (interned) by the containers of one template: each is read once.
  const seen = new Set<readonly unknown[]>();
  for (const p of pods) {
    let any = false;
    for (const c of p.containers) {
      if (c.ports.length === 0) continue;
      any = true;
      if (seen.has(c.ports)) continue;
      seen.add(c.ports);
      for (const port of c.ports) {
        numbers.add(port.port);
        if (port.name) names.add(port.name);
      }
    }
    if (!any) declared = false;
  }
  return { names, numbers, declared };
}

export const serviceTargetPort = defineRule({
  id: "service-target-port-mismatch",
  title: "Service targetPort not exposed by its pods",
  severity: "high",
  category: "health",
  rationale:
    "A named targetPort that no selected pod declares gets no endpoints for that port; a numeric one that every pod leaves undeclared is usually a typo. Either way the Service port connects to nothing.",
  fix: "Set targetPort to a containerPort name or number the pods expose, or fix the container's ports.",
  kinds: ["Service", "Pod"],
  requires: ["Pod"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const svc of state.list("Service")) {
      if (svc.type === "ExternalName" || svc.selector.matchesNone || svc.selector.matchesAll) continue;
      const pods = state.servicePods(svc);
      if (pods.length === 0) continue; // service-no-endpoints reports it
      const ports = podPorts(pods);
      const bad: string[] = [];
      for (const p of svc.ports) {
        const target = p.targetPort ?? p.port;
        const n = typeof target === "number" ? target : /^\d+$/.test(target) ? Number(target) : undefined;
        // Declaring containerPorts is optional, so a number is only suspect when every pod declares ports.
        if (n === undefined ? !ports.names.has(String(target)) : ports.declared && !ports.numbers.has(n)) {
          bad.push(`${p.name ?? p.port}->${target}`);
        }
      }
      if (bad.length === 0) continue;
      out.push({
        object: ref(svc),
        message: `port ${bad.join(", ")} matches no container port of its ${pods.length} pods (they expose ${[...ports.names, ...ports.numbers].join(", ") || "none"})`,
        evidence: {
          ports: bad.join(","),
          podPorts: [...ports.numbers].join(","),
          podPortNames: [...ports.names].join(","),
          pods: pods.length,
        },
      });
    }
    return out;
  },
});

export const ingressMissingService = defineRule({
  id: "ingress-missing-service",
  title: "Ingress routes to a missing Service",
  severity: "high",
  category: "health",
  rationale:
    "Requests for that host and path get a 503 (or the controller's default backend): the Service the Ingress names does not exist.",
  fix: "Create the Service or fix the backend's service name.",
  kinds: ["Ingress", "Service"],
  requires: ["Service"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const ing of state.list("Ingress")) {
      const missing = [...new Set(ing.backends.map((b) => b.service))].filter(
        (s) => !state.get("Service", ing.namespace, s),
      );
      if (missing.length === 0) continue;
      const b = ing.backends.find((x) => missing.includes(x.service))!;
      out.push({
        object: ref(ing),
        message: `backend Service ${missing.join(", ")} does not exist`,
        evidence: { services: missing.join(","), host: b.host ?? "*", path: b.path ?? "/" },
      });
    }
    return out;
  },
});

export const ingressServicePort = defineRule({
  id: "ingress-service-port-missing",
  title: "Ingress routes to a port its Service does not expose",
  severity: "high",
  category: "health",
  rationale:
    "The Service exists but has no port with the number or name the Ingress backend asks for: the controller has no upstream and answers 503.",
  fix: "Use one of the Service's port numbers or names in the Ingress backend, or add the port to the Service.",
  kinds: ["Ingress", "Service"],
  requires: ["Service"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const ing of state.list("Ingress")) {
      const bad: string[] = [];
      for (const b of ing.backends) {
        const svc = state.get("Service", ing.namespace, b.service);
        if (!svc || b.port === undefined) continue;
        const ok = svc.ports.some((p) =>
          typeof b.port === "number" ? p.port === b.port : p.name === b.port || String(p.port) === b.port,
        );
        if (!ok) bad.push(`${b.service}:${b.port}`);
      }
      if (bad.length === 0) continue;
      const unique = [...new Set(bad)];
      out.push({
        object: ref(ing),
        message: `backend ${unique.join(", ")} is not a port of the Service`,
        evidence: { backends: unique.join(",") },
      });
    }
    return out;
  },
});

export const ingressTlsSecret = defineRule({
  id: "ingress-tls-secret-missing",
  title: "Ingress TLS Secret missing",
  severity: "high",
  category: "health",
  rationale:
    "Without its TLS Secret the ingress controller serves its default (self-signed) certificate for those hosts: browsers and clients reject the connection.",
  fix: "Create the Secret (type kubernetes.io/tls) or check why cert-manager has not issued it (kubectl describe certificate).",
  kinds: ["Ingress", "Secret"],
  requires: ["Secret"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    for (const ing of state.list("Ingress")) {
      const missing = ing.tlsSecrets.filter((s) => !state.get("Secret", ing.namespace, s));
      if (missing.length === 0) continue;
      out.push({
        object: ref(ing),
        message: `TLS Secret ${missing.join(", ")} does not exist`,
        evidence: { secrets: missing.join(",") },
      });
    }
    return out;
  },
});

/** Names per namespace: no `namespace/name` key string for each of 100,000 templates' references. */
class NamespacedNames {
  private readonly byNamespace = new Map<string, Set<string>>();

  /** The set of one namespace, to add a template's names without a lookup each. */
  in(namespace: string): Set<string> {
    let names = this.byNamespace.get(namespace);
    if (!names) this.byNamespace.set(namespace, (names = new Set()));
    return names;
  }

  has(namespace: string, name: string): boolean {
    return this.byNamespace.get(namespace)?.has(name) ?? false;
  }
}

interface Usage {
  readonly configMaps: NamespacedNames;
  readonly secrets: NamespacedNames;
  readonly serviceAccounts: NamespacedNames;
}

/** One namespace's sets, kept while the templates of that namespace come (lists come by namespace). */
interface NamespaceUsage {
  namespace: string;
  configMaps: Set<string>;
  secrets: Set<string>;
  serviceAccounts: Set<string>;
}

function usageIn(u: Usage, ns: string, last: NamespaceUsage | undefined): NamespaceUsage {
  if (last?.namespace === ns) return last;
  return {
    namespace: ns,
    configMaps: u.configMaps.in(ns),
    secrets: u.secrets.in(ns),
    serviceAccounts: u.serviceAccounts.in(ns),
  };
}

function addTemplate(n: NamespaceUsage, t: PodTemplate): void {
  const { configMaps, secrets } = n;
  for (const n of t.volumes.configMaps) configMaps.add(n);
  for (const n of t.volumes.secrets) secrets.add(n);
  for (const c of t.initContainers) {
    for (const n of c.envConfigMaps) configMaps.add(n);
    for (const n of c.envSecrets) secrets.add(n);
  }
  for (const c of t.containers) {
    for (const n of c.envConfigMaps) configMaps.add(n);
    for (const n of c.envSecrets) secrets.add(n);
  }
  n.serviceAccounts.add(t.serviceAccount);
}

/**
 * Everything referred to by a pod, a workload template, an Ingress (TLS) or a ServiceAccount
 * (image pull secrets), as `namespace/name` sets: one pass over each kind, once per state.
 */
function usage(state: ClusterState): Usage {
  return state.derive("checks:config-usage", (s) => {
    const u: Usage = {
      configMaps: new NamespacedNames(),
      secrets: new NamespacedNames(),
      serviceAccounts: new NamespacedNames(),
    };
    let n: NamespaceUsage | undefined;
    // A pod whose owner is present was created from that owner's template, walked below.
    for (const p of s.list("Pod")) {
      const owner = p.owner ? s.owner(p) : undefined;
      if (!owner || !("template" in owner)) addTemplate((n = usageIn(u, p.namespace, n)), p);
    }
    for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const) {
      for (const w of s.list(kind)) addTemplate((n = usageIn(u, w.namespace, n)), w.template);
    }
    for (const ing of s.list("Ingress")) for (const n of ing.tlsSecrets) u.secrets.in(ing.namespace).add(n);
    for (const sa of s.list("ServiceAccount"))
      for (const n of sa.imagePullSecrets) u.secrets.in(sa.namespace).add(n);
    return u;
  });
}

const USAGE_KINDS: readonly ProjectedKind[] = [...TEMPLATE_KINDS, "Ingress", "ServiceAccount"];

/** Secret types that are used by means day2 does not see (tokens, registry logins, Helm state). */
const SKIPPED_SECRET_TYPES = new Set([
  "kubernetes.io/service-account-token",
  "kubernetes.io/dockerconfigjson",
  "kubernetes.io/dockercfg",
  "helm.sh/release.v1",
  "bootstrap.kubernetes.io/token",
]);

export const configMapUnused = defineRule({
  id: "configmap-unused",
  title: "ConfigMap used by nothing",
  severity: "info",
  category: "configuration",
  rationale:
    "A ConfigMap no pod or workload refers to is usually left over from an old release: it misleads whoever reads it and may be mounted again by mistake.",
  fix: "Delete it after checking nothing outside pods reads it (controllers reading it by API, operators' config).",
  kinds: ["ConfigMap", ...USAGE_KINDS],
  requires: ["Pod"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const used = usage(state).configMaps;
    for (const cm of state.list("ConfigMap")) {
      if (cm.name === "kube-root-ca.crt" || isSystemNamespace(cm.namespace) || cm.owner) continue;
      if (used.has(cm.namespace, cm.name)) continue;
      out.push({
        object: ref(cm),
        message: "no pod, workload template or Ingress refers to this ConfigMap",
        evidence: { keys: cm.keys },
      });
    }
    return out;
  },
});

export const secretUnused = defineRule({
  id: "secret-unused",
  title: "Secret used by nothing",
  severity: "info",
  category: "configuration",
  rationale:
    "An unreferenced Secret is a credential nobody owns: it is not rotated, and whoever can read Secrets in the namespace can still use it.",
  fix: "Delete it, and revoke the credential at its source, after checking nothing outside pods reads it.",
  kinds: ["Secret", ...USAGE_KINDS],
  requires: ["Pod"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const used = usage(state).secrets;
    for (const s of state.list("Secret")) {
      if (
        isSystemNamespace(s.namespace) ||
        s.owner ||
        (s.type !== undefined && SKIPPED_SECRET_TYPES.has(s.type))
      )
        continue;
      if (s.name.startsWith("sh.helm.release.v1.")) continue;
      if (used.has(s.namespace, s.name)) continue;
      out.push({
        object: ref(s),
        message: "no pod, workload template, Ingress or ServiceAccount refers to this Secret",
        evidence: { type: s.type ?? "Opaque" },
      });
    }
    return out;
  },
});

export const serviceAccountUnused = defineRule({
  id: "serviceaccount-unused",
  title: "ServiceAccount used by nothing",
  severity: "info",
  category: "configuration",
  rationale:
    "A ServiceAccount no pod runs as and no binding grants anything is clutter; one that only bindings refer to may be an identity used from outside the cluster.",
  fix: "Delete it if nothing uses it; otherwise document the external user in an annotation.",
  kinds: ["RoleBinding", "ClusterRoleBinding", ...USAGE_KINDS],
  requires: ["Pod", "RoleBinding", "ClusterRoleBinding"],
  evaluate(state): FindingDraft[] {
    const out: FindingDraft[] = [];
    const used = usage(state).serviceAccounts;
    const bound = state.derive("checks:bound-service-accounts", (s) => {
      const out = new Set<string>();
      for (const b of [...s.list("RoleBinding"), ...s.list("ClusterRoleBinding")]) {
        for (const sub of b.subjects)
          if (sub.kind === "ServiceAccount") out.add(`${sub.namespace ?? b.namespace}/${sub.name}`);
      }
      return out;
    });
    for (const sa of state.list("ServiceAccount")) {
      if (sa.name === "default" || isSystemNamespace(sa.namespace)) continue;
      const k = `${sa.namespace}/${sa.name}`;
      if (used.has(sa.namespace, sa.name) || bound.has(k)) continue;
      out.push({
        object: ref(sa),
        message: "no pod or workload runs as this ServiceAccount and no binding refers to it",
        evidence: { imagePullSecrets: sa.imagePullSecrets.length },
      });
    }
    return out;
  },
});

export const REFERENCE_RULES = [
  podMissingConfigMap,
  podMissingSecret,
  podMissingServiceAccount,
  podMissingPvc,
  serviceTargetPort,
  ingressMissingService,
  ingressServicePort,
  ingressTlsSecret,
  configMapUnused,
  secretUnused,
  serviceAccountUnused,
];

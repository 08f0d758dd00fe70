/**
 * What refers to what, for "unused" judgements: claims mounted by pods and pod templates
 * (StatefulSet claims of ordinals still in the set), and ConfigMaps, Secrets and
 * ServiceAccounts referred to by pods, templates, Ingress TLS, ServiceAccount image pull
 * secrets and RBAC bindings. The same definitions as the scan rules pvc-unused,
 * configmap-unused, secret-unused and serviceaccount-unused (src/checks/storage.ts and
 * references.ts keep private copies), plus kor's exclusions: objects that are used by means
 * day2 cannot see. Each index is built once per state (`state.derive`).
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { ConfigMap, PodTemplate, Secret, ServiceAccount } from "../state/types.js";

const TEMPLATE_KINDS = ["Deployment", "DaemonSet", "CronJob", "Job", "ReplicaSet", "StatefulSet"] as const;

/** `namespace/claim` of every claim a pod, a pod template or a StatefulSet ordinal in range mounts. */
export function mountedClaims(state: ClusterState): ReadonlySet<string> {
  return state.derive("cost:mounted-claims", (s) => {
    const out = new Set<string>();
    for (const p of s.list("Pod")) for (const n of p.volumes.pvcs) out.add(`${p.namespace}/${n}`);
    for (const kind of TEMPLATE_KINDS)
      for (const w of s.list(kind)) for (const n of w.template.volumes.pvcs) out.add(`${w.namespace}/${n}`);
    for (const st of s.list("StatefulSet"))
      for (const t of st.volumeClaimTemplates)
        for (let i = 0; i < st.replicas; i++) out.add(`${st.namespace}/${t}-${st.name}-${i}`);
    return out;
  });
}

export interface References {
  readonly configMaps: ReadonlySet<string>;
  readonly secrets: ReadonlySet<string>;
  readonly serviceAccounts: ReadonlySet<string>;
  /** ServiceAccounts named as a subject of a RoleBinding or ClusterRoleBinding. */
  readonly boundServiceAccounts: ReadonlySet<string>;
}

function addTemplate(
  u: { configMaps: Set<string>; secrets: Set<string>; serviceAccounts: Set<string> },
  ns: string,
  t: PodTemplate,
): void {
  for (const n of t.volumes.configMaps) u.configMaps.add(`${ns}/${n}`);
  for (const n of t.volumes.secrets) u.secrets.add(`${ns}/${n}`);
  for (const c of [...t.initContainers, ...t.containers]) {
    for (const n of c.envConfigMaps) u.configMaps.add(`${ns}/${n}`);
    for (const n of c.envSecrets) u.secrets.add(`${ns}/${n}`);
  }
  u.serviceAccounts.add(`${ns}/${t.serviceAccount}`);
}

/** Every reference to a ConfigMap, Secret or ServiceAccount, as `namespace/name` sets. */
export function references(state: ClusterState): References {
  return state.derive("cost:references", (s) => {
    const u = {
      configMaps: new Set<string>(),
      secrets: new Set<string>(),
      serviceAccounts: new Set<string>(),
      boundServiceAccounts: new Set<string>(),
    };
    for (const p of s.list("Pod")) addTemplate(u, p.namespace, p);
    for (const kind of TEMPLATE_KINDS) for (const w of s.list(kind)) addTemplate(u, w.namespace, w.template);
    for (const ing of s.list("Ingress"))
      for (const n of ing.tlsSecrets) u.secrets.add(`${ing.namespace}/${n}`);
    for (const sa of s.list("ServiceAccount"))
      for (const n of sa.imagePullSecrets) u.secrets.add(`${sa.namespace}/${n}`);
    for (const b of [...s.list("RoleBinding"), ...s.list("ClusterRoleBinding")])
      for (const sub of b.subjects)
        if (sub.kind === "ServiceAccount")
          u.boundServiceAccounts.add(`${sub.namespace ?? b.namespace}/${sub.name}`);
    return u;
  });
}

/** kor's override: `kor/used: "true"` keeps an object out, `"false"` reports it whatever refers to it. */
export function korUsedLabel(o: { labels: Readonly<Record<string, string>> }): boolean | undefined {
  const v = o.labels["kor/used"];
  return v === "true" ? true : v === "false" ? false : undefined;
}

/** ConfigMaps every namespace or platform creates (kor's exceptions): never "unused". */
const CONFIGMAP_EXCEPTIONS = new Set(["kube-root-ca.crt", "openshift-service-ca.crt"]);

/** Secret types used by means day2 does not see: tokens, registry logins, Helm release state. */
export const SKIPPED_SECRET_TYPES: ReadonlySet<string> = new Set([
  "kubernetes.io/service-account-token",
  "kubernetes.io/dockerconfigjson",
  "kubernetes.io/dockercfg",
  "helm.sh/release.v1",
  "bootstrap.kubernetes.io/token",
]);

/** Why a ConfigMap is not a candidate, or undefined when it is one. */
export function configMapExcluded(cm: ConfigMap): string | undefined {
  if (CONFIGMAP_EXCEPTIONS.has(cm.name)) return "created in every namespace by the control plane";
  if (cm.owner) return `owned by ${cm.owner.kind}/${cm.owner.name}`;
  if (cm.name.endsWith("-leader-election") || cm.annotations["control-plane.alpha.kubernetes.io/leader"])
    return "a leader-election lock";
  return undefined;
}

export function secretExcluded(s: Secret): string | undefined {
  if (s.type !== undefined && SKIPPED_SECRET_TYPES.has(s.type))
    return `type ${s.type} is used outside pod specs`;
  if (s.name.startsWith("sh.helm.release.v1.")) return "Helm release state";
  if (s.owner) return `owned by ${s.owner.kind}/${s.owner.name}`;
  if (s.annotations["cert-manager.io/certificate-name"]) return "issued by cert-manager for a Certificate";
  return undefined;
}

/** Annotations that bind a ServiceAccount to a cloud identity: used from outside pod specs. */
const WORKLOAD_IDENTITY = [
  "eks.amazonaws.com/role-arn",
  "iam.gke.io/gcp-service-account",
  "azure.workload.identity/client-id",
];

export function serviceAccountExcluded(sa: ServiceAccount): string | undefined {
  if (sa.name === "default") return "every namespace's default ServiceAccount";
  if (sa.owner) return `owned by ${sa.owner.kind}/${sa.owner.name}`;
  return undefined;
}

/** A cloud identity annotation on a ServiceAccount (the SA is likely used from outside). */
export function workloadIdentity(sa: ServiceAccount): string | undefined {
  return WORKLOAD_IDENTITY.find((k) => sa.annotations[k] !== undefined);
}

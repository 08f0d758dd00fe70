/**
 * The catalogue of Kubernetes kinds day2 collects. One row per kind: where it lives in the
 * API (group, version, plural), whether it is namespaced, and the versions we also accept
 * when reading snapshots or manifests. The live source, the snapshot reader and the state
 * builder all read this one table, so adding a kind is one line here plus its projection.
 */
export interface KindInfo {
  /** Kind as the API spells it, e.g. "Deployment". */
  readonly kind: string;
  /** API group, "" for the core group. */
  readonly group: string;
  /** Preferred version to list. */
  readonly version: string;
  /** Resource name in URLs, e.g. "deployments". */
  readonly plural: string;
  readonly namespaced: boolean;
  /**
   * When true only object metadata is collected (Secrets: their data is never read or kept;
   * the live source asks for PartialObjectMetadataList).
   */
  readonly metadataOnly?: boolean;
  /**
   * Set for kinds an add-on brings (a CRD): when it is absent the kind is "not-installed",
   * which is no coverage gap (not in `--strict`, not "kinds collected") and makes no rule
   * not-evaluated, since no core rule reads it. The value names the add-on for messages.
   */
  readonly optional?: { readonly crd: string; readonly provider: string };
}

export const KINDS: readonly KindInfo[] = Object.freeze([
  { kind: "Namespace", group: "", version: "v1", plural: "namespaces", namespaced: false },
  { kind: "Node", group: "", version: "v1", plural: "nodes", namespaced: false },
  { kind: "Pod", group: "", version: "v1", plural: "pods", namespaced: true },
  { kind: "Service", group: "", version: "v1", plural: "services", namespaced: true },
  { kind: "ConfigMap", group: "", version: "v1", plural: "configmaps", namespaced: true },
  { kind: "Secret", group: "", version: "v1", plural: "secrets", namespaced: true, metadataOnly: true },
  { kind: "ServiceAccount", group: "", version: "v1", plural: "serviceaccounts", namespaced: true },
  {
    kind: "PersistentVolumeClaim",
    group: "",
    version: "v1",
    plural: "persistentvolumeclaims",
    namespaced: true,
  },
  { kind: "PersistentVolume", group: "", version: "v1", plural: "persistentvolumes", namespaced: false },
  { kind: "ResourceQuota", group: "", version: "v1", plural: "resourcequotas", namespaced: true },
  { kind: "LimitRange", group: "", version: "v1", plural: "limitranges", namespaced: true },
  { kind: "Event", group: "", version: "v1", plural: "events", namespaced: true },
  { kind: "Deployment", group: "apps", version: "v1", plural: "deployments", namespaced: true },
  { kind: "ReplicaSet", group: "apps", version: "v1", plural: "replicasets", namespaced: true },
  { kind: "StatefulSet", group: "apps", version: "v1", plural: "statefulsets", namespaced: true },
  { kind: "DaemonSet", group: "apps", version: "v1", plural: "daemonsets", namespaced: true },
  { kind: "Job", group: "batch", version: "v1", plural: "jobs", namespaced: true },
  { kind: "CronJob", group: "batch", version: "v1", plural: "cronjobs", namespaced: true },
  {
    kind: "EndpointSlice",
    group: "discovery.k8s.io",
    version: "v1",
    plural: "endpointslices",
    namespaced: true,
  },
  { kind: "Ingress", group: "networking.k8s.io", version: "v1", plural: "ingresses", namespaced: true },
  {
    kind: "NetworkPolicy",
    group: "networking.k8s.io",
    version: "v1",
    plural: "networkpolicies",
    namespaced: true,
  },
  {
    kind: "StorageClass",
    group: "storage.k8s.io",
    version: "v1",
    plural: "storageclasses",
    namespaced: false,
  },
  { kind: "Role", group: "rbac.authorization.k8s.io", version: "v1", plural: "roles", namespaced: true },
  {
    kind: "RoleBinding",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "rolebindings",
    namespaced: true,
  },
  {
    kind: "ClusterRole",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "clusterroles",
    namespaced: false,
  },
  {
    kind: "ClusterRoleBinding",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    plural: "clusterrolebindings",
    namespaced: false,
  },
  {
    kind: "PodDisruptionBudget",
    group: "policy",
    version: "v1",
    plural: "poddisruptionbudgets",
    namespaced: true,
  },
  {
    kind: "HorizontalPodAutoscaler",
    group: "autoscaling",
    version: "v2",
    plural: "horizontalpodautoscalers",
    namespaced: true,
  },
  { kind: "Lease", group: "coordination.k8s.io", version: "v1", plural: "leases", namespaced: true },
  {
    kind: "CustomResourceDefinition",
    group: "apiextensions.k8s.io",
    version: "v1",
    plural: "customresourcedefinitions",
    namespaced: false,
  },
  {
    kind: "VulnerabilityReport",
    group: "aquasecurity.github.io",
    version: "v1alpha1",
    plural: "vulnerabilityreports",
    namespaced: true,
    optional: { crd: "vulnerabilityreports.aquasecurity.github.io", provider: "Trivy Operator" },
  },
]);

export type KindName = (typeof KINDS)[number]["kind"];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

/** True for a kind an add-on brings whose absence is no gap (see KindInfo.optional). */
export function isOptionalKind(kind: string): boolean {
  return byKind.get(kind)?.optional !== undefined;
}

/** "apps/v1" or "v1" for the core group. */
export function apiVersionOf(info: KindInfo): string {
  return info.group === "" ? info.version : `${info.group}/${info.version}`;
}

/** The URL path that lists a kind across all namespaces, e.g. /apis/apps/v1/deployments. */
export function listPath(info: KindInfo, namespace?: string): string {
  const base = info.group === "" ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  return namespace && info.namespaced
    ? `${base}/namespaces/${namespace}/${info.plural}`
    : `${base}/${info.plural}`;
}

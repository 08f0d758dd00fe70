/**
 * Deprecated and removed API group versions, per kind: what a manifest, a Helm release or a
 * writer recorded in managedFields may still use. Data only (the upgrade planner reads it too).
 * Source: the Kubernetes deprecated API migration guide.
 */

export interface DeprecatedApi {
  readonly groupVersion: string;
  readonly kinds: readonly string[];
  /** The release that stopped serving it, "1.22". */
  readonly removedIn: string;
  readonly replacement: string;
}

const d = (groupVersion: string, kinds: string[], removedIn: string, replacement: string): DeprecatedApi =>
  Object.freeze({ groupVersion, kinds: Object.freeze(kinds), removedIn, replacement });

export const DEPRECATED_APIS: readonly DeprecatedApi[] = Object.freeze([
  d("extensions/v1beta1", ["Deployment", "DaemonSet", "ReplicaSet"], "1.16", "apps/v1"),
  d("extensions/v1beta1", ["NetworkPolicy"], "1.16", "networking.k8s.io/v1"),
  d("extensions/v1beta1", ["PodSecurityPolicy"], "1.16", "policy/v1beta1 (itself removed in 1.25)"),
  d("extensions/v1beta1", ["Ingress"], "1.22", "networking.k8s.io/v1"),
  d("apps/v1beta1", ["Deployment", "StatefulSet", "ReplicaSet", "ControllerRevision"], "1.16", "apps/v1"),
  d(
    "apps/v1beta2",
    ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"],
    "1.16",
    "apps/v1",
  ),
  d("networking.k8s.io/v1beta1", ["Ingress", "IngressClass"], "1.22", "networking.k8s.io/v1"),
  d(
    "rbac.authorization.k8s.io/v1beta1",
    ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
    "1.22",
    "rbac.authorization.k8s.io/v1",
  ),
  d(
    "rbac.authorization.k8s.io/v1alpha1",
    ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"],
    "1.22",
    "rbac.authorization.k8s.io/v1",
  ),
  d("apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"], "1.22", "apiextensions.k8s.io/v1"),
  d(
    "admissionregistration.k8s.io/v1beta1",
    ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    "1.22",
    "admissionregistration.k8s.io/v1",
  ),
  d("apiregistration.k8s.io/v1beta1", ["APIService"], "1.22", "apiregistration.k8s.io/v1"),
  d("authentication.k8s.io/v1beta1", ["TokenReview"], "1.22", "authentication.k8s.io/v1"),
  d("certificates.k8s.io/v1beta1", ["CertificateSigningRequest"], "1.22", "certificates.k8s.io/v1"),
  d("coordination.k8s.io/v1beta1", ["Lease"], "1.22", "coordination.k8s.io/v1"),
  d("scheduling.k8s.io/v1beta1", ["PriorityClass"], "1.22", "scheduling.k8s.io/v1"),
  d(
    "storage.k8s.io/v1beta1",
    ["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment"],
    "1.22",
    "storage.k8s.io/v1",
  ),
  d("batch/v1beta1", ["CronJob"], "1.25", "batch/v1"),
  d("policy/v1beta1", ["PodDisruptionBudget"], "1.25", "policy/v1"),
  d("policy/v1beta1", ["PodSecurityPolicy"], "1.25", "Pod Security Admission"),
  d("autoscaling/v2beta1", ["HorizontalPodAutoscaler"], "1.25", "autoscaling/v2"),
  d("autoscaling/v2beta2", ["HorizontalPodAutoscaler"], "1.26", "autoscaling/v2"),
  d("discovery.k8s.io/v1beta1", ["EndpointSlice"], "1.25", "discovery.k8s.io/v1"),
  d("events.k8s.io/v1beta1", ["Event"], "1.25", "events.k8s.io/v1"),
  d("node.k8s.io/v1beta1", ["RuntimeClass"], "1.25", "node.k8s.io/v1"),
  d("storage.k8s.io/v1beta1", ["CSIStorageCapacity"], "1.27", "storage.k8s.io/v1"),
  d(
    "flowcontrol.apiserver.k8s.io/v1beta1",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.26",
    "flowcontrol.apiserver.k8s.io/v1",
  ),
  d(
    "flowcontrol.apiserver.k8s.io/v1beta2",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.29",
    "flowcontrol.apiserver.k8s.io/v1",
  ),
  d(
    "flowcontrol.apiserver.k8s.io/v1beta3",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.32",
    "flowcontrol.apiserver.k8s.io/v1",
  ),
]);

const INDEX = new Map(
  DEPRECATED_APIS.flatMap((a) => a.kinds.map((k) => [`${a.groupVersion}|${k}`, a] as const)),
);

/** The deprecated group versions: most objects use none, and are answered without building a key. */
const VERSIONS: ReadonlySet<string> = new Set(DEPRECATED_APIS.map((a) => a.groupVersion));

/** The deprecation entry for a kind served at a group version, if that pair is deprecated. */
export function deprecatedApi(groupVersion: string, kind: string): DeprecatedApi | undefined {
  return VERSIONS.has(groupVersion) ? INDEX.get(`${groupVersion}|${kind}`) : undefined;
}

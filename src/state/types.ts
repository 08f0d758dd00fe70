/**
 * Typed, compact projections of API objects: only the fields judgement reads, quantities as
 * numbers, timestamps as epoch milliseconds. Raw objects are dropped after projection; the
 * snapshot format keeps raw objects so new projections can be added without losing history.
 */
import type { Labels, Selector } from "./selector.js";

export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller: boolean;
}

/** What every projection carries. `namespace` is "" for cluster-scoped objects. */
export interface Meta {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** Epoch ms; NaN when the object has no creationTimestamp (manifests). */
  readonly createdAt: number;
  readonly deleting: boolean;
  /** The controlling owner, if any (the one with controller: true, else the first). */
  readonly owner: OwnerRef | undefined;
  /** apiVersions that wrote the object, from managedFields (deprecated-API detection). */
  readonly managedApiVersions: readonly string[];
}

export interface Resources {
  /** CPU in millicores. */
  readonly cpu?: number;
  /** Memory in bytes. */
  readonly memory?: number;
  readonly gpu?: number;
  readonly ephemeralStorage?: number;
}

export interface SecurityContext {
  readonly privileged?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly runAsNonRoot?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly capabilitiesAdd: readonly string[];
  readonly capabilitiesDrop: readonly string[];
  readonly seccompProfile?: string;
  readonly procMount?: string;
  /** securityContext.appArmorProfile.type (RuntimeDefault, Localhost, Unconfined). */
  readonly appArmorProfile?: string;
  /** seLinuxOptions user, role and type (level is allowed by every PSS profile, so not kept). */
  readonly seLinuxUser?: string;
  readonly seLinuxRole?: string;
  readonly seLinuxType?: string;
  /** windowsOptions.hostProcess. */
  readonly hostProcess?: boolean;
  /** Names of sysctls set (pod level only). */
  readonly sysctls: readonly string[];
}

export interface Probe {
  readonly type: "http" | "tcp" | "exec" | "grpc" | "unknown";
  /** A stable string of the handler, to compare liveness with readiness. */
  readonly handler: string;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly failureThreshold: number;
}

export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy?: string;
  readonly requests: Resources;
  readonly limits: Resources;
  readonly liveness?: Probe;
  readonly readiness?: Probe;
  readonly startup?: Probe;
  readonly security: SecurityContext;
  readonly hostPorts: readonly number[];
  readonly ports: readonly { readonly name?: string; readonly port: number; readonly protocol: string }[];
  /** Secret names read through env valueFrom / envFrom. */
  readonly envSecrets: readonly string[];
  readonly envConfigMaps: readonly string[];
  /** Env var names whose value comes from a Secret (for secrets-in-env checks). */
  readonly envFromSecretKeys: readonly string[];
}

export interface ContainerState {
  readonly name: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly state: "running" | "waiting" | "terminated" | "unknown";
  readonly reason?: string;
  readonly message?: string;
  readonly exitCode?: number;
  readonly startedAt?: number;
  /** The previous termination: how a crash-looping or OOMKilled container is recognised. */
  readonly lastReason?: string;
  readonly lastExitCode?: number;
  readonly lastFinishedAt?: number;
}

export interface PodVolumes {
  readonly configMaps: readonly string[];
  readonly secrets: readonly string[];
  readonly pvcs: readonly string[];
  readonly hostPaths: readonly string[];
  readonly emptyDirs: number;
  /** Distinct volume source types (hostPath, nfs, projected, ...), for the PSS volume-types control. */
  readonly types: readonly string[];
}

export interface PodTemplate {
  readonly labels: Labels;
  readonly containers: readonly ContainerSpec[];
  readonly initContainers: readonly ContainerSpec[];
  readonly volumes: PodVolumes;
  readonly serviceAccount: string;
  readonly automountServiceAccountToken?: boolean;
  readonly hostNetwork: boolean;
  readonly hostPID: boolean;
  readonly hostIPC: boolean;
  readonly podSecurity: SecurityContext;
  /** The template's `container.apparmor.security.beta.kubernetes.io/<container>` annotations: container -> profile. */
  readonly appArmorAnnotations: Labels;
  readonly nodeSelector: Labels;
  readonly hasAntiAffinity: boolean;
  readonly hasTopologySpread: boolean;
  readonly tolerations: readonly string[];
  readonly priorityClassName?: string;
  readonly restartPolicy: string;
  /** spec.terminationGracePeriodSeconds; undefined when unset (the API default is 30). */
  readonly terminationGracePeriodSeconds?: number;
}

export interface Pod extends Meta, PodTemplate {
  readonly kind: "Pod";
  readonly nodeName: string;
  readonly phase: string;
  readonly reason?: string;
  readonly message?: string;
  readonly startTime?: number;
  readonly ready: boolean;
  readonly readyAt?: number;
  readonly scheduled: boolean;
  readonly unschedulableReason?: string;
  readonly unschedulableMessage?: string;
  readonly statuses: readonly ContainerState[];
  readonly initStatuses: readonly ContainerState[];
  readonly qosClass?: string;
  /** Epoch ms of metadata.deletionTimestamp (already includes the grace period), if deleting. */
  readonly deletedAt?: number;
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransition?: number;
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
  /** Epoch ms of timeAdded (set for NoExecute taints and by some tools). */
  readonly timeAdded?: number;
}

export interface Node extends Meta {
  readonly kind: "Node";
  readonly capacity: Resources & { readonly pods?: number };
  readonly allocatable: Resources & { readonly pods?: number };
  readonly conditions: readonly Condition[];
  /** "True", "False" or "Unknown" from the Ready condition. */
  readonly ready: string;
  readonly unschedulable: boolean;
  readonly taints: readonly Taint[];
  readonly kubeletVersion: string;
  readonly osImage: string;
  readonly containerRuntime: string;
  readonly architecture: string;
  readonly instanceType?: string;
  readonly zone?: string;
  readonly region?: string;
  readonly pool?: string;
  readonly capacityType?: "spot" | "on-demand";
  readonly providerID?: string;
  readonly lastHeartbeat?: number;
}

export interface Namespace extends Meta {
  readonly kind: "Namespace";
  readonly phase: string;
}

interface WorkloadBase extends Meta {
  readonly selector: Selector;
  readonly template: PodTemplate;
  readonly conditions: readonly Condition[];
  readonly generation: number;
  readonly observedGeneration: number;
  /** False for manifests: no status means nothing is known about replicas. */
  readonly hasStatus: boolean;
}

export interface Deployment extends WorkloadBase {
  readonly kind: "Deployment";
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly updatedReplicas: number;
  readonly unavailableReplicas: number;
  readonly strategy: string;
  readonly progressDeadlineSeconds: number;
  readonly paused: boolean;
  readonly revision?: number;
}

export interface ReplicaSet extends WorkloadBase {
  readonly kind: "ReplicaSet";
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly revision?: number;
}

export interface StatefulSet extends WorkloadBase {
  readonly kind: "StatefulSet";
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly updatedReplicas: number;
  readonly serviceName: string;
  readonly volumeClaimTemplates: readonly string[];
  /** spec.updateStrategy.type: RollingUpdate (default) or OnDelete. */
  readonly updateStrategy: string;
  /** spec.updateStrategy.rollingUpdate.partition: ordinals below it keep the old revision. */
  readonly partition: number;
  readonly currentRevision?: string;
  readonly updateRevision?: string;
}

export interface DaemonSet extends WorkloadBase {
  readonly kind: "DaemonSet";
  readonly desired: number;
  readonly current: number;
  readonly ready: number;
  readonly available: number;
  readonly unavailable: number;
  readonly misscheduled: number;
  readonly updated: number;
}

export interface Job extends WorkloadBase {
  readonly kind: "Job";
  readonly completions?: number;
  readonly parallelism?: number;
  readonly backoffLimit: number;
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly complete: boolean;
  readonly failedCondition?: Condition;
  readonly startTime?: number;
  readonly completionTime?: number;
  readonly ttlSecondsAfterFinished?: number;
}

export interface CronJob extends Meta {
  readonly kind: "CronJob";
  readonly schedule: string;
  readonly suspend: boolean;
  readonly template: PodTemplate;
  readonly lastScheduleTime?: number;
  readonly lastSuccessfulTime?: number;
  readonly active: number;
}

export type Workload = Deployment | ReplicaSet | StatefulSet | DaemonSet | Job;

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: string | number;
  readonly protocol: string;
  readonly nodePort?: number;
}

export interface Service extends Meta {
  readonly kind: "Service";
  readonly type: string;
  readonly selector: Selector;
  readonly ports: readonly ServicePort[];
  readonly clusterIP?: string;
  readonly externalName?: string;
  readonly loadBalancerIngress: readonly string[];
}

export interface EndpointSlice extends Meta {
  readonly kind: "EndpointSlice";
  readonly serviceName: string;
  readonly addressType: string;
  readonly ready: number;
  readonly notReady: number;
  /** Names of the pods the endpoints point at (targetRef kind Pod). */
  readonly podNames: readonly string[];
}

export interface IngressBackend {
  readonly service: string;
  readonly port?: string | number;
  readonly host?: string;
  readonly path?: string;
}

export interface Ingress extends Meta {
  readonly kind: "Ingress";
  readonly ingressClassName?: string;
  readonly backends: readonly IngressBackend[];
  readonly tlsSecrets: readonly string[];
}

export interface NetworkPolicy extends Meta {
  readonly kind: "NetworkPolicy";
  readonly podSelector: Selector;
  readonly policyTypes: readonly string[];
  readonly ingressRules: number;
  readonly egressRules: number;
}

export interface PersistentVolumeClaim extends Meta {
  readonly kind: "PersistentVolumeClaim";
  readonly phase: string;
  readonly storageClassName?: string;
  readonly volumeName?: string;
  readonly requestedBytes?: number;
  readonly capacityBytes?: number;
  readonly accessModes: readonly string[];
}

export interface PersistentVolume extends Meta {
  readonly kind: "PersistentVolume";
  readonly phase: string;
  readonly capacityBytes?: number;
  readonly storageClassName?: string;
  readonly claim?: { readonly namespace: string; readonly name: string };
  readonly reclaimPolicy?: string;
  readonly accessModes: readonly string[];
  readonly hostPath?: string;
}

export interface StorageClass extends Meta {
  readonly kind: "StorageClass";
  readonly provisioner: string;
  readonly isDefault: boolean;
  readonly reclaimPolicy?: string;
  readonly volumeBindingMode?: string;
  readonly allowVolumeExpansion: boolean;
}

export interface ConfigMap extends Meta {
  readonly kind: "ConfigMap";
  readonly keys: number;
}

/** Metadata only: Secret data is never read or kept. */
export interface Secret extends Meta {
  readonly kind: "Secret";
  readonly type?: string;
}

export interface ServiceAccount extends Meta {
  readonly kind: "ServiceAccount";
  readonly automountServiceAccountToken?: boolean;
  readonly imagePullSecrets: readonly string[];
}

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export interface Role extends Meta {
  readonly kind: "Role" | "ClusterRole";
  readonly rules: readonly PolicyRule[];
  readonly aggregated: boolean;
}

export interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface RoleBinding extends Meta {
  readonly kind: "RoleBinding" | "ClusterRoleBinding";
  readonly roleRef: { readonly kind: string; readonly name: string };
  readonly subjects: readonly Subject[];
}

export interface PodDisruptionBudget extends Meta {
  readonly kind: "PodDisruptionBudget";
  readonly selector: Selector;
  readonly minAvailable?: string | number;
  readonly maxUnavailable?: string | number;
  readonly currentHealthy: number;
  readonly desiredHealthy: number;
  readonly expectedPods: number;
  readonly disruptionsAllowed: number;
  /** True when the object carried a status (manifests do not). */
  readonly hasStatus: boolean;
}

/**
 * One HPA metric with its target. `type` and `name` are the parts of the `metrics` strings
 * ("Resource:cpu"); values are plain numbers in the metric's base unit (cores for a CPU
 * averageValue, bytes for memory). autoscaling/v1 and v2beta1 spellings are read too.
 */
export interface HpaMetricTarget {
  /** Resource, ContainerResource, Pods, Object or External. */
  readonly type: string;
  /** Resource name (cpu, memory) or custom/external metric name. */
  readonly name: string;
  /** ContainerResource: the container the metric is read from. */
  readonly container?: string;
  /** Utilization, AverageValue or Value; "" when the object gives none. */
  readonly targetType: string;
  /** Percent of the pods' requests. */
  readonly averageUtilization?: number;
  readonly averageValue?: number;
  readonly value?: number;
}

export interface HpaScalingPolicy {
  /** Pods or Percent. */
  readonly type: string;
  readonly value: number;
  readonly periodSeconds: number;
}

/** spec.behavior.scaleUp / scaleDown; undefined fields were not set (API defaults apply). */
export interface HpaScalingRules {
  readonly stabilizationWindowSeconds?: number;
  /** Max, Min or Disabled. */
  readonly selectPolicy?: string;
  readonly policies: readonly HpaScalingPolicy[];
}

export interface HorizontalPodAutoscaler extends Meta {
  readonly kind: "HorizontalPodAutoscaler";
  readonly target: { readonly kind: string; readonly name: string; readonly apiVersion?: string };
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** `type:name` per metric ("Resource:cpu"), in spec order. */
  readonly metrics: readonly string[];
  /** The same metrics with their targets, in the same order. */
  readonly metricTargets: readonly HpaMetricTarget[];
  /** spec.behavior; each direction undefined when not set. */
  readonly behavior: {
    readonly scaleUp?: HpaScalingRules;
    readonly scaleDown?: HpaScalingRules;
  };
  readonly conditions: readonly Condition[];
}

export interface ResourceQuota extends Meta {
  readonly kind: "ResourceQuota";
  readonly hard: Readonly<Record<string, number>>;
  readonly used: Readonly<Record<string, number>>;
}

export interface LimitRange extends Meta {
  readonly kind: "LimitRange";
  readonly limits: readonly {
    readonly type: string;
    readonly defaultRequest: Resources;
    readonly default: Resources;
    readonly max: Resources;
    readonly min: Resources;
  }[];
}

export interface KubeEvent extends Meta {
  readonly kind: "Event";
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly involved: {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly uid?: string;
  };
  readonly count: number;
  readonly lastSeen?: number;
}

export interface Lease extends Meta {
  readonly kind: "Lease";
  readonly holder?: string;
  readonly renewTime?: number;
  readonly durationSeconds?: number;
}

export interface CustomResourceDefinition extends Meta {
  readonly kind: "CustomResourceDefinition";
  readonly group: string;
  readonly crdKind: string;
  readonly plural: string;
  readonly scope: string;
  readonly versions: readonly {
    readonly name: string;
    readonly served: boolean;
    readonly storage: boolean;
    readonly deprecated: boolean;
  }[];
}

/** Severities as Trivy spells them, lower-cased. */
export interface SeverityCounts {
  readonly critical: number;
  readonly high: number;
  readonly medium: number;
  readonly low: number;
  readonly unknown: number;
}

/**
 * A Trivy Operator VulnerabilityReport (aquasecurity.github.io/v1alpha1): one per workload
 * container and image. Compact: the counts and only the critical and high CVE ids, never the
 * full vulnerability list (hundreds of entries per image).
 */
export interface VulnerabilityReport extends Meta {
  readonly kind: "VulnerabilityReport";
  /** The scanned workload (labels trivy-operator.resource.kind/name; else the owner reference). */
  readonly resourceKind: string;
  readonly resourceName: string;
  readonly container: string;
  /** registry/repository:tag (or @digest when there is no tag). */
  readonly image: string;
  readonly digest: string;
  readonly counts: SeverityCounts;
  /** Distinct CVE ids of critical and high severity in this report, sorted. */
  readonly criticalIds: readonly string[];
  readonly highIds: readonly string[];
}

/** Kind name -> projection type, so `state.list("Pod")` is typed. */
export interface ProjectionByKind {
  Namespace: Namespace;
  Node: Node;
  Pod: Pod;
  Service: Service;
  ConfigMap: ConfigMap;
  Secret: Secret;
  ServiceAccount: ServiceAccount;
  PersistentVolumeClaim: PersistentVolumeClaim;
  PersistentVolume: PersistentVolume;
  ResourceQuota: ResourceQuota;
  LimitRange: LimitRange;
  Event: KubeEvent;
  Deployment: Deployment;
  ReplicaSet: ReplicaSet;
  StatefulSet: StatefulSet;
  DaemonSet: DaemonSet;
  Job: Job;
  CronJob: CronJob;
  EndpointSlice: EndpointSlice;
  Ingress: Ingress;
  NetworkPolicy: NetworkPolicy;
  StorageClass: StorageClass;
  Role: Role;
  RoleBinding: RoleBinding;
  ClusterRole: Role;
  ClusterRoleBinding: RoleBinding;
  PodDisruptionBudget: PodDisruptionBudget;
  HorizontalPodAutoscaler: HorizontalPodAutoscaler;
  Lease: Lease;
  CustomResourceDefinition: CustomResourceDefinition;
  VulnerabilityReport: VulnerabilityReport;
}

export type ProjectedKind = keyof ProjectionByKind;
export type Projection = ProjectionByKind[ProjectedKind];

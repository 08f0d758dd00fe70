/**
 * The demo's intermediate model: small plans of namespaces and workloads, computed cheaply
 * from the seed, from which the builders emit full API objects. Plans are what the usage
 * model reads too, so a container's request and usage shape come from the same place.
 */
import type { PoolName } from "./nodes.js";
import { Gi, Mi } from "./format.js";

/** The shape of a container's usage history (see usage.ts). */
export type UsageClass = "normal" | "overprovisioned" | "hot" | "idle" | "spiky" | "leak" | "batch";

/** What is wrong with one pod of a workload (undefined: nothing). */
export type PodFault =
  | "crashloop"
  | "oom"
  | "imagepull"
  | "errimagepull"
  | "pending"
  | "failed"
  | "restarts"
  | "missing-configmap";

/**
 * restricted: non-root, read-only root fs, no privilege escalation, capabilities dropped.
 * default: no securityContext at all (runs as the image's user, often root).
 * root: runAsUser 0. privileged: privileged and root.
 */
export type Security = "restricted" | "default" | "root" | "privileged";

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob" | "Job";

export interface MountPlan {
  volume: string;
  path: string;
  readOnly?: boolean;
}

export interface ContainerPlan {
  name: string;
  image: string;
  /** Millicores; undefined: not set. */
  cpuReq?: number;
  cpuLim?: number;
  /** Bytes; undefined: not set. */
  memReq?: number;
  memLim?: number;
  gpu?: number;
  port?: number;
  probes: boolean;
  usage: UsageClass;
  security: Security;
  /** env var name -> [secret, key] read through secretKeyRef. */
  secretEnv?: [string, string, string];
  envFromConfigMap?: string;
  mounts: MountPlan[];
  args?: string[];
}

export type VolumePlan =
  | { name: string; type: "configMap"; ref: string }
  | { name: string; type: "secret"; ref: string }
  | { name: string; type: "pvc"; ref: string }
  | { name: string; type: "emptyDir"; sizeLimit?: string }
  | { name: string; type: "hostPath"; path: string };

export interface ServicePlan {
  name: string;
  type: "ClusterIP" | "LoadBalancer" | "NodePort" | "Headless";
  port: number;
  targetPort: number;
  /** Overrides the workload's selector (a deliberately wrong selector selects nothing). */
  selector?: Record<string, string>;
}

export interface IngressPlan {
  name: string;
  host: string;
  tls: boolean;
  /** Backend service when it is not the workload's own (a missing one is a planted break). */
  service?: string;
  managedApiVersions?: string[];
}

export interface HpaPlan {
  min: number;
  max: number;
  cpuTarget: number;
  atMax?: boolean;
  apiVersion?: string;
}

export interface PdbPlan {
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  apiVersion?: string;
}

export interface SchedulePlan {
  cron: string;
  everyMin: number;
  offsetMin: number;
}

export interface WorkloadPlan {
  kind: WorkloadKind;
  name: string;
  /** app.kubernetes.io/component */
  component: string;
  /** app.kubernetes.io/part-of */
  partOf: string;
  replicas: number;
  containers: ContainerPlan[];
  init: ContainerPlan[];
  pool: PoolName;
  tolerations?: object[];
  /** Anti-affinity and topology spread over zones. */
  spread?: boolean;
  /** Prefer the memory pool through node affinity. */
  preferMemoryPool?: boolean;
  serviceAccount: string;
  /** Whether this workload's ServiceAccount object is emitted (false: uses "default" or an existing one). */
  ownServiceAccount: boolean;
  automountToken: boolean;
  volumes: VolumePlan[];
  /** StatefulSet volumeClaimTemplate "data": size in Gi and StorageClass. */
  claim?: { sizeGi: number; storageClass: string };
  services: ServicePlan[];
  ingress?: IngressPlan;
  hpa?: HpaPlan;
  pdb?: PdbPlan;
  ageDays: number;
  revision: number;
  /** Old ReplicaSets kept at 0 replicas. */
  oldRevisions: number;
  faults: (PodFault | undefined)[];
  rolloutStuck?: boolean;
  schedule?: SchedulePlan;
  /** Finished Jobs of a CronJob kept (successfulJobsHistoryLimit). */
  jobHistory?: number;
  ttl?: number;
  backoffLimit?: number;
  /** Standalone Job: how long ago it finished, in hours. */
  finishedHoursAgo?: number;
  hostNetwork?: boolean;
  /** DaemonSet: only nodes of these pools. */
  daemonPools?: PoolName[];
  /** Names derived without the seed: planted objects keep their names for every seed. */
  fixedNames?: boolean;
  /** ConfigMaps and Secrets this workload brings (emitted in its namespace). */
  configMaps: string[];
  secrets: string[];
  imagePullSecret?: string;
  priorityClass?: string;
  /** A deliberately missing ConfigMap, referenced by a volume. */
  missingConfigMap?: string;
  /** Deployment with spec.replicas 0 (scaled down). */
  annotations?: Record<string, string>;
}

export interface PvcPlan {
  name: string;
  sizeGi: number;
  storageClass: string;
  /** false: stays Pending (no PV). */
  bound: boolean;
  ageDays: number;
}

export interface NamespacePlan {
  name: string;
  labels: Record<string, string>;
  ageDays: number;
  workloads: WorkloadPlan[];
  /** ConfigMaps nothing references. */
  orphanConfigMaps: string[];
  /** PVCs not created through a StatefulSet template (mounted by a workload or by nothing). */
  pvcs: PvcPlan[];
  /** Services not belonging to a workload. */
  services: ServicePlan[];
  /** Ingresses not belonging to a workload. */
  ingresses: IngressPlan[];
  networkPolicies: boolean;
  quota: boolean;
  limitRange: boolean;
  /** Team developer Role and RoleBinding. */
  teamRbac: boolean;
  /** RoleBindings whose subject ServiceAccount does not exist (planted). */
  brokenRoleBindings: { name: string; serviceAccount: string }[];
  /** Helm releases installed here: a release Secret per revision. */
  helmReleases: { name: string; revision: number }[];
  /** No random faults and no missing hardening. */
  healthy: boolean;
}

/** A restricted, probed, right-sized container: the baseline others deviate from. */
export function container(name: string, image: string, p: Partial<ContainerPlan> = {}): ContainerPlan {
  return {
    name,
    image,
    cpuReq: 100,
    cpuLim: 500,
    memReq: 256 * Mi,
    memLim: 512 * Mi,
    probes: true,
    usage: "normal",
    security: "restricted",
    mounts: [],
    ...p,
  };
}

/** A workload plan with sensible defaults; callers override what makes it special. */
export function workload(
  kind: WorkloadKind,
  name: string,
  p: Partial<WorkloadPlan> & { partOf: string },
): WorkloadPlan {
  return {
    kind,
    name,
    component: name,
    replicas: kind === "StatefulSet" || kind === "Deployment" ? 2 : 1,
    containers: [],
    init: [],
    pool: "general",
    serviceAccount: name,
    ownServiceAccount: true,
    automountToken: true,
    volumes: [],
    services: [],
    ageDays: 60,
    revision: 3,
    oldRevisions: 2,
    faults: [],
    configMaps: [],
    secrets: [],
    ...p,
  };
}

export function emptyNamespace(name: string, labels: Record<string, string>, ageDays: number): NamespacePlan {
  return {
    name,
    labels,
    ageDays,
    workloads: [],
    orphanConfigMaps: [],
    pvcs: [],
    services: [],
    ingresses: [],
    networkPolicies: false,
    quota: false,
    limitRange: false,
    teamRbac: false,
    brokenRoleBindings: [],
    helmReleases: [],
    healthy: false,
  };
}

export { Gi, Mi };

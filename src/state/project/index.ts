/**
 * One projector per kind, in one table: the builder dispatches on `kind` and a test checks
 * that every kind of the catalogue (state/kinds.ts) has its projector here.
 */
import type { KubeObject } from "../raw.js";
import type { ProjectedKind, ProjectionByKind } from "../types.js";
import type { Interner } from "./common.js";
import { projectPod } from "./pods.js";
import {
  projectCronJob,
  projectDaemonSet,
  projectDeployment,
  projectJob,
  projectReplicaSet,
  projectStatefulSet,
} from "./workloads.js";
import { projectNode } from "./nodes.js";
import { projectEndpointSlice, projectIngress, projectNetworkPolicy, projectService } from "./network.js";
import { projectPv, projectPvc, projectStorageClass } from "./storage.js";
import { projectBinding, projectRole } from "./rbac.js";
import {
  projectConfigMap,
  projectCrd,
  projectEvent,
  projectHpa,
  projectLease,
  projectLimitRange,
  projectNamespace,
  projectPdb,
  projectResourceQuota,
  projectSecret,
  projectServiceAccount,
} from "./misc.js";
import { projectVulnerabilityReport } from "./trivy.js";

export type Projector<K extends ProjectedKind> = (o: KubeObject, intern: Interner) => ProjectionByKind[K];

export const PROJECTORS: { readonly [K in ProjectedKind]: Projector<K> } = {
  Namespace: projectNamespace,
  Node: projectNode,
  Pod: projectPod,
  Service: projectService,
  ConfigMap: projectConfigMap,
  Secret: projectSecret,
  ServiceAccount: projectServiceAccount,
  PersistentVolumeClaim: projectPvc,
  PersistentVolume: projectPv,
  ResourceQuota: projectResourceQuota,
  LimitRange: projectLimitRange,
  Event: projectEvent,
  Deployment: projectDeployment,
  ReplicaSet: projectReplicaSet,
  StatefulSet: projectStatefulSet,
  DaemonSet: projectDaemonSet,
  Job: projectJob,
  CronJob: projectCronJob,
  EndpointSlice: projectEndpointSlice,
  Ingress: projectIngress,
  NetworkPolicy: projectNetworkPolicy,
  StorageClass: projectStorageClass,
  Role: (o, i) => projectRole(o, "Role", i),
  ClusterRole: (o, i) => projectRole(o, "ClusterRole", i),
  RoleBinding: (o, i) => projectBinding(o, "RoleBinding", i),
  ClusterRoleBinding: (o, i) => projectBinding(o, "ClusterRoleBinding", i),
  PodDisruptionBudget: projectPdb,
  HorizontalPodAutoscaler: projectHpa,
  Lease: projectLease,
  CustomResourceDefinition: projectCrd,
  VulnerabilityReport: projectVulnerabilityReport,
};

export function isProjectedKind(kind: string): kind is ProjectedKind {
  return Object.prototype.hasOwnProperty.call(PROJECTORS, kind);
}

export { Interner } from "./common.js";

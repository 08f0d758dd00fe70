/**
 * The problems planted in the demo cluster by name, so tests (and people trying day2) can
 * check that each is found. They exist at every scale and for every seed; larger clusters also
 * carry the same kinds of problems at a background rate in generated namespaces.
 */
import { templateHash } from "./format.js";
import { fixedNamespaces } from "./fixed.js";
import { NOT_READY_NODE, PRESSURE_NODE, SKEWED_NODE } from "./nodes.js";
import { suffixFromKey } from "./random.js";

export interface PlantedProblem {
  /** Stable id of the problem kind, e.g. "crash-loop". */
  readonly id: string;
  /** "" for cluster-scoped objects. */
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  /** What is wrong, in the terms a report would use. */
  readonly detail: string;
}

function revisionOf(ns: string, workload: string): number {
  const w = fixedNamespaces()
    .find((n) => n.name === ns)
    ?.workloads.find((x) => x.name === workload);
  if (!w) throw new Error(`no planted workload ${ns}/${workload}`);
  return w.revision;
}

/** Name of a ReplicaSet of a planted Deployment (their names do not depend on the seed). */
export function plantedReplicaSet(
  ns: string,
  deployment: string,
  revision = revisionOf(ns, deployment),
): string {
  return `${deployment}-${templateHash(0, `${ns}/${deployment}/${revision}`)}`;
}

/** Name of the i-th pod of a planted Deployment's current ReplicaSet. */
export function plantedPod(ns: string, deployment: string, i: number): string {
  const rs = plantedReplicaSet(ns, deployment);
  return `${rs}-${suffixFromKey(0, `${ns}/${rs}/${i}`, 5)}`;
}

function jobPod(ns: string, job: string): string {
  return `${job}-${suffixFromKey(0, `${ns}/${job}/0`, 5)}`;
}

const p = (id: string, namespace: string, kind: string, name: string, detail: string): PlantedProblem =>
  Object.freeze({ id, namespace, kind, name, detail });

export const PLANTED_PROBLEMS: readonly PlantedProblem[] = Object.freeze([
  p(
    "crash-loop",
    "checkout",
    "Pod",
    plantedPod("checkout", "cart-api", 0),
    "waiting CrashLoopBackOff, high restartCount, lastState terminated exitCode 1",
  ),
  p(
    "deployment-unavailable",
    "checkout",
    "Deployment",
    "cart-api",
    "2 of 3 replicas unavailable, Available=False",
  ),
  p(
    "oom-killed",
    "checkout",
    "Pod",
    plantedPod("checkout", "recommendation-engine", 0),
    "lastState terminated reason OOMKilled (exit 137)",
  ),
  p(
    "memory-leak",
    "checkout",
    "Deployment",
    "recommendation-engine",
    "memory usage climbs to the limit and resets (usageSeries)",
  ),
  p(
    "high-restarts",
    "checkout",
    "Pod",
    plantedPod("checkout", "checkout-web", 1),
    "running and ready but restarted many times (liveness failures)",
  ),
  p(
    "old-replicasets",
    "checkout",
    "ReplicaSet",
    plantedReplicaSet("checkout", "checkout-web", 13),
    "one of 10 old ReplicaSets at 0 replicas",
  ),
  p(
    "rollout-stuck",
    "search",
    "Deployment",
    "search-indexer",
    "Progressing=False reason ProgressDeadlineExceeded",
  ),
  p(
    "image-pull-backoff",
    "search",
    "Pod",
    plantedPod("search", "search-indexer", 0),
    "waiting ImagePullBackOff (tag does not exist)",
  ),
  p(
    "err-image-pull",
    "search",
    "Pod",
    plantedPod("search", "search-crawler", 0),
    "waiting ErrImagePull (401 from a private registry, no pull secret)",
  ),
  p(
    "hpa-at-max",
    "search",
    "HorizontalPodAutoscaler",
    "search-api",
    "currentReplicas == maxReplicas, ScalingLimited=True",
  ),
  p("cpu-near-limit", "search", "Deployment", "search-api", "CPU usage at the limit (usageSeries)"),
  p(
    "lb-no-endpoints",
    "search",
    "Service",
    "search-public",
    "LoadBalancer whose EndpointSlice has no endpoints (Deployment scaled to 0)",
  ),
  p(
    "pdb-blocks-eviction",
    "orders",
    "PodDisruptionBudget",
    "orders-db",
    "minAvailable 3 == replicas, disruptionsAllowed 0",
  ),
  p(
    "single-replica-no-pdb",
    "orders",
    "Deployment",
    "invoice-service",
    "1 replica and no PodDisruptionBudget",
  ),
  p(
    "service-no-pods",
    "orders",
    "Service",
    "payments-legacy",
    "selector app.kubernetes.io/name=payments-v1 matches no pod",
  ),
  p("latest-tag", "legacy", "Deployment", "legacy-portal", "image docker.io/acme/legacy-portal:latest"),
  p("untagged-image", "legacy", "Deployment", "legacy-reports", 'image "nginx" without a tag'),
  p("no-probes", "legacy", "Deployment", "legacy-portal", "no liveness or readiness probe"),
  p("no-resources", "legacy", "Deployment", "legacy-reports", "no requests or limits (BestEffort)"),
  p("privileged-container", "legacy", "Deployment", "node-debugger", "securityContext.privileged true"),
  p("run-as-root", "legacy", "Deployment", "node-debugger", "runAsUser 0"),
  p("no-run-as-non-root", "legacy", "Deployment", "legacy-portal", "no securityContext: runAsNonRoot unset"),
  p("host-path", "legacy", "Deployment", "node-debugger", 'hostPath volume "/"'),
  p("host-network", "legacy", "Deployment", "node-debugger", "hostNetwork true"),
  p("orphan-configmap", "legacy", "ConfigMap", "legacy-portal-config-old", "referenced by nothing"),
  p("namespace-missing-labels", "", "Namespace", "legacy", "no team or cost-center label"),
  p("no-network-policy", "", "Namespace", "legacy", "no NetworkPolicy in the namespace"),
  p(
    "deprecated-api-managed",
    "legacy",
    "Ingress",
    "legacy-portal",
    "managedApiVersions includes extensions/v1beta1",
  ),
  p("deprecated-api-version", "legacy", "PodDisruptionBudget", "legacy-portal", "apiVersion policy/v1beta1"),
  p(
    "deprecated-api-version",
    "legacy",
    "HorizontalPodAutoscaler",
    "legacy-portal",
    "apiVersion autoscaling/v2beta2",
  ),
  p(
    "pvc-unbound",
    "analytics",
    "PersistentVolumeClaim",
    "scratch-data",
    "phase Pending, ProvisioningFailed events",
  ),
  p("pvc-unused", "analytics", "PersistentVolumeClaim", "old-export-data", "Bound but mounted by no pod"),
  p(
    "overprovisioned",
    "analytics",
    "Deployment",
    "report-builder",
    "usage far below requests (usageSeries p95 < 30% of request)",
  ),
  p(
    "failed-container",
    "batch-jobs",
    "Pod",
    jobPod("batch-jobs", "report-export"),
    "phase Failed, container terminated exitCode 2",
  ),
  p("job-failed", "batch-jobs", "Job", "report-export", "Failed=True reason BackoffLimitExceeded"),
  p("job-no-ttl", "batch-jobs", "Job", "db-migrate-20261101", "finished without ttlSecondsAfterFinished"),
  p(
    "pending-unschedulable",
    "ml-training",
    "Pod",
    plantedPod("ml-training", "model-trainer", 0),
    "PodScheduled=False reason Unschedulable",
  ),
  p(
    "missing-configmap-ref",
    "notifications",
    "Pod",
    plantedPod("notifications", "email-sender", 0),
    'volume references ConfigMap "email-templates" that does not exist',
  ),
  p(
    "ingress-missing-service",
    "notifications",
    "Ingress",
    "notifications-web",
    'backend Service "notifications-web" does not exist',
  ),
  p(
    "rolebinding-missing-sa",
    "notifications",
    "RoleBinding",
    "ci-deployer",
    'subject ServiceAccount "ci-bot" does not exist',
  ),
  p("node-not-ready", "", "Node", NOT_READY_NODE, "Ready=Unknown, node.kubernetes.io/unreachable taints"),
  p("node-pressure", "", "Node", PRESSURE_NODE, "MemoryPressure=True and DiskPressure=True"),
  p("kubelet-version-skew", "", "Node", SKEWED_NODE, "kubelet v1.33.5 on a v1.34.2 control plane"),
  p(
    "daemonset-unavailable",
    "kube-system",
    "DaemonSet",
    "kube-proxy",
    "a pod on the NotReady node is unavailable",
  ),
]);

/**
 * References the demo breaks on purpose; every other reference resolves. `from` is the object
 * that owns the reference (its ReplicaSets and pods inherit it), `to` the missing target.
 */
export const BROKEN_REFERENCES: readonly { readonly from: string; readonly to: string }[] = Object.freeze([
  { from: "Deployment notifications/email-sender", to: "ConfigMap notifications/email-templates" },
  { from: "Ingress notifications/notifications-web", to: "Service notifications/notifications-web" },
  { from: "RoleBinding notifications/ci-deployer", to: "ServiceAccount notifications/ci-bot" },
]);

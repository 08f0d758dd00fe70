/**
 * What the demo incident history is made of: the demo cluster's workloads (namespaces, teams,
 * tiers) as alert targets, and a catalogue of alert rules named and labelled like the
 * kube-prometheus-stack, node-exporter, cert-manager and application SLO rules a real cluster
 * runs. Each rule links the day2 runbook that covers it (runbooks/<rule>.md) or a wiki page.
 */
import { namespacePlans } from "../demo/generate.js";
import { resolveSizing } from "../demo/scale.js";
import type { WorkloadKind } from "../demo/plan.js";

export interface DemoWorkload {
  readonly namespace: string;
  readonly team?: string;
  /** critical (P0 when paging critical), high, medium, low. */
  readonly tier: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly container: string;
  readonly replicas: number;
  /** Serves requests (has a port): a target for error-rate and latency alerts. */
  readonly serves: boolean;
  readonly hpa: boolean;
  /** StatefulSet with a data volume. */
  readonly claim: boolean;
  /** Weight when picking a target: the named production services fail (and matter) more. */
  readonly weight: number;
}

const CRITICAL = new Set([
  "payments-api",
  "payments-web",
  "checkout-web",
  "orders-api",
  "ingress-nginx-controller",
  "coredns",
]);
const SYSTEM_NAMESPACES = new Set(["kube-system", "monitoring", "logging", "ingress-nginx", "cert-manager"]);
const PRODUCTION = new Set(["payments", "checkout", "search", "orders", "notifications"]);
const LOW = new Set(["analytics", "batch-jobs", "ml-training", "legacy"]);
const QUIET = new Set(["kube-node-lease", "kube-public", "default", "velero", "trivy-system"]);

function tierOf(ns: string, name: string, kind: WorkloadKind): string {
  if (CRITICAL.has(name)) return "critical";
  if (kind === "CronJob" || kind === "Job" || LOW.has(ns)) return "low";
  if (PRODUCTION.has(ns) || SYSTEM_NAMESPACES.has(ns)) return "high";
  return /-(staging|qa|perf|sandbox)/.test(ns) ? "low" : "medium";
}

function weightOf(ns: string, tier: string): number {
  if (PRODUCTION.has(ns)) return tier === "critical" ? 5 : 4;
  if (SYSTEM_NAMESPACES.has(ns)) return 2;
  if (LOW.has(ns)) return 1.5;
  return 1;
}

/** The demo cluster's workloads for a seed (the same cluster `day2 --demo` shows). */
export function demoWorkloads(seed: number): DemoWorkload[] {
  const out: DemoWorkload[] = [];
  for (const ns of namespacePlans(resolveSizing({ seed }))) {
    if (QUIET.has(ns.name)) continue;
    const team = SYSTEM_NAMESPACES.has(ns.name) ? "platform" : ns.labels.team;
    for (const w of ns.workloads) {
      if (w.kind === "DaemonSet") continue;
      const main = w.containers[0];
      const tier = tierOf(ns.name, w.name, w.kind);
      out.push({
        namespace: ns.name,
        ...(team ? { team } : {}),
        tier,
        name: w.name,
        kind: w.kind,
        container: main?.name ?? w.name,
        replicas: Math.max(1, w.replicas),
        serves: (w.kind === "Deployment" || w.kind === "StatefulSet") && main?.port !== undefined,
        hpa: w.hpa !== undefined,
        claim: w.claim !== undefined,
        weight: weightOf(ns.name, tier),
      });
    }
  }
  return out;
}

export type Scope =
  "pod" | "app" | "deployment" | "statefulset" | "hpa" | "cronjob" | "pvc" | "namespace" | "node" | "cert";
export type Severity = "critical" | "warning" | "info";

export interface AlertRule {
  readonly alertname: string;
  readonly severity: Severity;
  readonly scope: Scope;
  readonly weight: number;
  /** day2's rule whose runbook covers this alert, if any. */
  readonly runbook?: string;
  /** Alerts in one firing group: [min, max]; occasionally more (a storm). */
  readonly fanout: readonly [number, number];
  readonly expr: string;
  readonly summary: string;
  readonly description: string;
  /** The family of notes and fixes responders write. */
  readonly family: "crash" | "rollout" | "capacity" | "node" | "storage" | "traffic" | "cert" | "batch";
  /** Only on these workloads (default: any that fits the scope). */
  readonly only?: readonly string[];
}

const r = (
  alertname: string,
  severity: Severity,
  scope: Scope,
  weight: number,
  more: Omit<AlertRule, "alertname" | "severity" | "scope" | "weight">,
): AlertRule => ({ alertname, severity, scope, weight, ...more });

/**
 * Summaries and descriptions use {placeholders} filled from the alert's labels, as
 * Prometheus' `{{ $labels.x }}` templates do.
 */
export const ALERT_RULES: readonly AlertRule[] = [
  r("KubePodCrashLooping", "warning", "pod", 11, {
    runbook: "pod-crash-loop",
    fanout: [1, 6],
    family: "crash",
    expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
    summary: "Pod is crash looping.",
    description: 'Pod {namespace}/{pod} ({container}) is in waiting state (reason: "CrashLoopBackOff").',
  }),
  r("KubePodNotReady", "warning", "pod", 6, {
    runbook: "pod-container-not-ready",
    fanout: [1, 5],
    family: "crash",
    expr: 'sum by (namespace, pod) (kube_pod_status_phase{phase=~"Pending|Unknown|Failed"}) > 0',
    summary: "Pod has been in a non-ready state for more than 15 minutes.",
    description: "Pod {namespace}/{pod} has been in a non-ready state for longer than 15 minutes.",
  }),
  r("KubeContainerWaiting", "warning", "pod", 3, {
    runbook: "pod-image-pull-error",
    fanout: [1, 4],
    family: "rollout",
    expr: "sum by (namespace, pod, container) (kube_pod_container_status_waiting_reason) > 0",
    summary: "Pod container waiting longer than 1 hour",
    description:
      "pod/{pod} in namespace {namespace} on container {container} has been in waiting state for longer than 1 hour.",
  }),
  r("KubeContainerOOMKilled", "warning", "pod", 4, {
    runbook: "pod-oom-killed",
    fanout: [1, 4],
    family: "capacity",
    expr: 'kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} == 1 and increase(kube_pod_container_status_restarts_total[10m]) > 0',
    summary: "Container was OOM-killed.",
    description: "Container {container} of pod {namespace}/{pod} was killed for exceeding its memory limit.",
  }),
  r("KubeDeploymentReplicasMismatch", "warning", "deployment", 7, {
    runbook: "workload-unavailable-replicas",
    fanout: [1, 1],
    family: "rollout",
    expr: "kube_deployment_spec_replicas > kube_deployment_status_replicas_available",
    summary: "Deployment has not matched the expected number of replicas.",
    description:
      "Deployment {namespace}/{deployment} has not matched the expected number of replicas for longer than 15 minutes.",
  }),
  r("KubeDeploymentRolloutStuck", "warning", "deployment", 3, {
    runbook: "deployment-rollout-stuck",
    fanout: [1, 1],
    family: "rollout",
    expr: 'kube_deployment_status_condition{condition="Progressing", status="false"} != 0',
    summary: "Deployment rollout is not progressing.",
    description:
      "Rollout of deployment {namespace}/{deployment} is not progressing for longer than 15 minutes.",
  }),
  r("KubeStatefulSetReplicasMismatch", "warning", "statefulset", 2, {
    runbook: "workload-unavailable-replicas",
    fanout: [1, 1],
    family: "storage",
    expr: "kube_statefulset_status_replicas_ready != kube_statefulset_status_replicas",
    summary: "StatefulSet has not matched the expected number of replicas.",
    description:
      "StatefulSet {namespace}/{statefulset} has not matched the expected number of replicas for longer than 15 minutes.",
  }),
  r("KubeHpaMaxedOut", "warning", "hpa", 3, {
    runbook: "hpa-at-max",
    fanout: [1, 1],
    family: "capacity",
    expr: "kube_horizontalpodautoscaler_status_current_replicas == kube_horizontalpodautoscaler_spec_max_replicas",
    summary: "HPA is running at max replicas",
    description:
      "HPA {namespace}/{horizontalpodautoscaler} has been running at max replicas for longer than 15 minutes.",
  }),
  r("KubeJobFailed", "warning", "cronjob", 4, {
    runbook: "job-failed",
    fanout: [1, 2],
    family: "batch",
    expr: "kube_job_failed > 0",
    summary: "Job failed to complete.",
    description:
      "Job {namespace}/{job_name} failed to complete. Removing failed job after investigation should clear this alert.",
  }),
  r("CPUThrottlingHigh", "info", "pod", 22, {
    runbook: "container-cpu-limit-low",
    fanout: [3, 14],
    family: "capacity",
    expr: "sum(increase(container_cpu_cfs_throttled_periods_total[5m])) by (container, pod, namespace) / sum(increase(container_cpu_cfs_periods_total[5m])) by (container, pod, namespace) > 0.25",
    summary: "Processes experience elevated CPU throttling.",
    description:
      "{percent}% throttling of CPU in namespace {namespace} for container {container} in pod {pod}.",
  }),
  r("KubeQuotaAlmostFull", "info", "namespace", 8, {
    fanout: [1, 4],
    family: "capacity",
    expr: 'kube_resourcequota{type="used"} / ignoring(instance, job, type) kube_resourcequota{type="hard"} > 0.9 < 1',
    summary: "Namespace quota is going to be full.",
    description: "Namespace {namespace} is using {percent}% of its {resource} quota.",
  }),
  r("TargetDown", "warning", "pod", 3, {
    fanout: [1, 6],
    family: "crash",
    expr: "100 * (count(up == 0) BY (job, namespace, service) / count(up) BY (job, namespace, service)) > 10",
    summary: "One or more targets are unreachable.",
    description: "{percent}% of the {job}/{service} targets in {namespace} namespace are down.",
  }),
  r("HighErrorRate", "critical", "app", 5, {
    fanout: [2, 6],
    family: "traffic",
    expr: 'sum by (namespace, service, pod) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (namespace, service, pod) (rate(http_requests_total[5m])) > 0.05',
    summary: "High HTTP 5xx error rate on {service}",
    description:
      "{percent}% of requests to {service} on {pod} fail with 5xx over the last 5 minutes (threshold 5%).",
  }),
  r("HighLatencyP99", "warning", "app", 5, {
    fanout: [2, 6],
    family: "traffic",
    expr: "histogram_quantile(0.99, sum by (namespace, service, pod, le) (rate(http_request_duration_seconds_bucket[5m]))) > 1",
    summary: "p99 latency of {service} is above 1s",
    description: "p99 request latency of {service} on {pod} is {seconds}s over the last 5 minutes (SLO 1s).",
  }),
  r("ErrorBudgetBurn", "critical", "app", 3, {
    fanout: [1, 1],
    family: "traffic",
    expr: "(slo:sli_error:ratio_rate1h > (14.4 * 0.001)) and (slo:sli_error:ratio_rate5m > (14.4 * 0.001))",
    summary: "{service} is burning its error budget fast",
    description:
      "The 99.9% availability SLO of {service} is burning its 30-day error budget at 14x (2% in 1 hour).",
  }),
  r("KafkaConsumerGroupLagHigh", "warning", "pod", 2, {
    fanout: [1, 4],
    family: "capacity",
    expr: "sum by (namespace, consumergroup, pod) (kafka_consumergroup_lag) > 10000",
    summary: "Consumer group {consumergroup} is lagging",
    description: "Consumer group {consumergroup} ({pod}) is {lag} messages behind.",
  }),
  r("KubePersistentVolumeFillingUp", "warning", "pvc", 2, {
    fanout: [1, 2],
    family: "storage",
    expr: "predict_linear(kubelet_volume_stats_available_bytes[6h], 4 * 24 * 3600) < 0 and kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.15",
    summary: "PersistentVolume is filling up.",
    description:
      "Based on recent sampling, the PersistentVolume claimed by {persistentvolumeclaim} in Namespace {namespace} is expected to fill up within four days. Currently {percent}% is available.",
  }),
  r("KubePersistentVolumeFillingUp", "critical", "pvc", 1.5, {
    fanout: [1, 1],
    family: "storage",
    expr: "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.03",
    summary: "PersistentVolume is filling up.",
    description:
      "The PersistentVolume claimed by {persistentvolumeclaim} in Namespace {namespace} is only {percent}% free.",
  }),
  r("KubePersistentVolumeErrors", "critical", "pvc", 0.4, {
    runbook: "pv-failed",
    fanout: [1, 1],
    family: "storage",
    expr: 'kube_persistentvolume_status_phase{phase=~"Failed|Pending"} > 0',
    summary: "PersistentVolume is having issues with provisioning.",
    description: "The persistent volume of {persistentvolumeclaim} in {namespace} has status Failed.",
  }),
  r("NginxHighHttp5xxErrorRate", "critical", "app", 1.2, {
    fanout: [1, 1],
    family: "traffic",
    expr: 'sum(rate(nginx_ingress_controller_requests{status=~"^5.."}[1m])) / sum(rate(nginx_ingress_controller_requests[1m])) * 100 > 5',
    summary: "Ingress NGINX high HTTP 5xx error rate",
    description: "Too many HTTP requests with status 5xx (> 5%) through {service}: {percent}%.",
    only: ["ingress-nginx-controller"],
  }),
  r("CoreDNSDown", "critical", "app", 0.5, {
    fanout: [1, 1],
    family: "crash",
    expr: 'absent(up{job="coredns"} == 1)',
    summary: "CoreDNS has disappeared from Prometheus target discovery.",
    description: "CoreDNS has disappeared from Prometheus target discovery.",
    only: ["coredns"],
  }),
  r("PostgresqlReplicationLag", "warning", "statefulset", 1.2, {
    fanout: [1, 1],
    family: "storage",
    expr: "pg_replication_lag_seconds > 30",
    summary: "PostgreSQL replication lag on {statefulset}",
    description: "Replica of {namespace}/{statefulset} is {seconds}s behind the primary.",
  }),
  r("KubeNodeNotReady", "warning", "node", 2, {
    runbook: "node-not-ready",
    fanout: [1, 2],
    family: "node",
    expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
    summary: "Node is not ready.",
    description: "{node} has been unready for more than 15 minutes.",
  }),
  r("KubeNodeUnreachable", "warning", "node", 1, {
    runbook: "node-heartbeat-stale",
    fanout: [1, 1],
    family: "node",
    expr: 'kube_node_spec_taint{effect="NoSchedule",key="node.kubernetes.io/unreachable"} == 1',
    summary: "Node is unreachable.",
    description: "{node} is unreachable and some workloads may be rescheduled.",
  }),
  r("KubeNodePressure", "info", "node", 3, {
    runbook: "node-pressure",
    fanout: [1, 2],
    family: "node",
    expr: 'kube_node_status_condition{condition=~"(MemoryPressure|DiskPressure|PIDPressure)",status="true"} == 1',
    summary: "Node has an active condition.",
    description:
      "{node} has active Condition {condition}. This is caused by resource usage exceeding eviction thresholds.",
  }),
  r("NodeFilesystemSpaceFillingUp", "warning", "node", 2, {
    fanout: [1, 2],
    family: "node",
    expr: 'node_filesystem_avail_bytes{fstype!=""} / node_filesystem_size_bytes * 100 < 15 and predict_linear(node_filesystem_avail_bytes[6h], 24*60*60) < 0',
    summary: "Filesystem is predicted to run out of space within the next 24 hours.",
    description:
      "Filesystem on {device}, mounted on {mountpoint}, at {instance} has only {percent}% available space left and is filling up.",
  }),
  r("KubeletTooManyPods", "info", "node", 2, {
    fanout: [1, 4],
    family: "node",
    expr: 'count by (node) ((kube_pod_status_phase{phase="Running"} == 1)) / max by (node) (kube_node_status_capacity{resource="pods"}) > 0.95',
    summary: "Kubelet is running at capacity.",
    description: "Kubelet '{node}' is running at {percent}% of its Pod capacity.",
  }),
  r("CertManagerCertExpirySoon", "warning", "cert", 1.5, {
    fanout: [1, 1],
    family: "cert",
    expr: "avg by (exported_namespace, namespace, name) (certmanager_certificate_expiration_timestamp_seconds - time()) < (21 * 24 * 3600)",
    summary: "The cert `{name}` is {days} days from expiring",
    description: "The certificate {name} in {namespace} expires in {days} days and has not been renewed.",
  }),
];

/** Fills `{label}` placeholders from the labels and extra values. */
export function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (m, k: string) => values[k] ?? m);
}

/** A day2 runbook when one covers the rule, else a wiki page. */
export function runbookUrl(rule: AlertRule): string {
  return rule.runbook
    ? `runbooks/${rule.runbook}.md`
    : `https://wiki.example.com/sre/runbooks/${rule.alertname.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`;
}

const encoder = new TextEncoder();
/** Beyond ASCII (labels almost never are): those strings go through UTF-8 encoding. */
const NON_ASCII = /[^ -~]/;

/** FNV-1a 64 state as two 32-bit halves. */
class Fnv64 {
  hi = 0xcbf29ce4;
  lo = 0x84222325;

  byte(b: number): void {
    const lo = (this.lo ^ b) >>> 0;
    // h * 0x100000001b3 mod 2^64 = h * 0x1b3 + (h << 40), in two 32-bit halves.
    const l = lo * 0x1b3;
    this.hi = (this.hi * 0x1b3 + Math.floor(l / 4294967296) + ((lo << 8) >>> 0)) >>> 0;
    this.lo = l >>> 0;
  }

  string(s: string): void {
    if (!NON_ASCII.test(s)) for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
    else for (const b of encoder.encode(s)) this.byte(b);
    this.byte(0xff);
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, "0") + this.lo.toString(16).padStart(8, "0");
  }
}

/**
 * Alertmanager's alert fingerprint: FNV-1a 64 over the sorted label names and values, each
 * followed by the 0xff separator byte (Prometheus' model.LabelSet.Fingerprint), as 16 hex digits.
 */
export function alertFingerprint(labels: Readonly<Record<string, string>>): string {
  const h = new Fnv64();
  for (const k of Object.keys(labels).sort()) {
    h.string(k);
    h.string(labels[k]!);
  }
  return h.hex();
}

/** Alertmanager's groupKey for the root route grouping by alertname and namespace. */
export function groupKeyOf(labels: Readonly<Record<string, string>>): string {
  const parts = [`alertname=${JSON.stringify(labels.alertname ?? "")}`];
  if (labels.namespace !== undefined) parts.push(`namespace=${JSON.stringify(labels.namespace)}`);
  return `{}:{${parts.join(", ")}}`;
}

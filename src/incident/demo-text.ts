/** What responders write in the demo history: notes, mitigations, fixes, status updates, action items. */
import type { AlertRule } from "./demo-catalog.js";

type Family = AlertRule["family"];

export const NOTES: Readonly<Record<Family, readonly string[]>> = {
  crash: [
    "Looking at the logs of the last terminated container: panics on startup.",
    "Exit code 1 right after the config load; the new release reads a key that is not in the ConfigMap.",
    "Liveness probe kills it before the JVM is warm; startup takes ~70 s under load.",
    "Only pods on one node are affected, checking the node.",
    "Dependency timeouts in the logs (upstream returns 503), not our bug.",
  ],
  rollout: [
    "The rollout started 10 minutes before the alert; new ReplicaSet never becomes available.",
    "New pods stuck in ImagePullBackOff: the tag was pushed to the staging registry only.",
    "Readiness probe fails on /healthz of the new version (path moved to /livez).",
    "PodDisruptionBudget and maxUnavailable 0 keep the rollout waiting for capacity.",
  ],
  capacity: [
    "Traffic is ~2x the usual Friday peak (campaign started this morning).",
    "Memory climbs steadily after each deploy: looks like a leak in the cache layer.",
    "CPU limit is 500m while p95 usage is 700m; requests were never revisited.",
    "HPA already at max; cluster autoscaler is adding nodes.",
    "Quota was sized before the new workers were added.",
  ],
  node: [
    "Kubelet stopped posting status; the instance is impaired according to the cloud console.",
    "Node under memory pressure, evicting BestEffort pods first.",
    "Disk usage on / is mostly container images; image GC thresholds were left at defaults.",
    "Cordoned and draining the node.",
  ],
  storage: [
    "Volume at 97%; WAL archiving has been failing since yesterday.",
    "The replica is catching up after the failover; lag decreasing.",
    "Growth is the audit table, nobody prunes it.",
    "EBS volume modification to 200Gi requested.",
  ],
  traffic: [
    "5xx all from one upstream: the connection pool to the database is exhausted.",
    "Errors started with the 14:02 deploy; correlates exactly.",
    "Latency up on every route; the database shows lock contention.",
    "A single client is retrying aggressively without backoff.",
    "Upstream payment provider is degraded (their status page confirms).",
  ],
  cert: [
    "cert-manager cannot complete the HTTP-01 challenge: the ingress class changed.",
    "The ClusterIssuer's account key secret was rotated and the issuer is not ready.",
  ],
  batch: [
    "The job fails on a malformed row in yesterday's export.",
    "Ran out of memory on the largest tenant; the job is not chunked.",
    "The upstream bucket was empty at 02:00 (their export ran late).",
  ],
};

export const MITIGATIONS: Readonly<Record<Family, readonly string[]>> = {
  crash: ["Rolled back to the previous ReplicaSet.", "Restored the missing ConfigMap key; pods recovering."],
  rollout: ["Rolled back the deployment.", "Paused the rollout and scaled the old ReplicaSet back up."],
  capacity: ["Scaled out manually and raised the HPA max.", "Raised the memory limit temporarily."],
  node: ["Node cordoned and drained; workloads rescheduled.", "Replaced the instance."],
  storage: ["Expanded the volume.", "Pruned old WAL segments; space recovered."],
  traffic: [
    "Rolled back the release; error rate dropping.",
    "Shifted traffic away from the failing zone.",
    "Rate-limited the misbehaving client at the ingress.",
  ],
  cert: ["Renewed the certificate manually."],
  batch: ["Re-ran the job with the bad row skipped."],
};

export const FIXES: Readonly<Record<Family, readonly string[]>> = {
  crash: ["fixed config and redeployed", "startup probe added, liveness delay raised"],
  rollout: ["image pushed to the production registry, rollout completed", "probe path fixed in the chart"],
  capacity: ["requests and limits adjusted to observed usage", "quota raised after review with the team"],
  node: ["node replaced, cluster healthy", "image GC thresholds tuned on the node pool"],
  storage: ["volume resized and retention configured", "replication healthy again"],
  traffic: ["connection pool sized to the database limit", "fix deployed, error rate at baseline"],
  cert: ["issuer fixed, certificate renewed"],
  batch: ["input validation added, job green"],
};

/** In the order an incident goes through them. */
export const STATUS_UPDATES: readonly string[] = [
  "Investigating: customer-facing errors confirmed, scope being assessed. Support informed, status page updated.",
  "Identified a likely cause; working on mitigation.",
  "Mitigation in progress; error rate falling, monitoring.",
  "Recovered for most users; watching before resolving.",
];

export const ACTION_ITEMS: Readonly<Record<Family, readonly string[]>> = {
  crash: ["Add a startup probe to {service}", "Validate required config keys at deploy time"],
  rollout: [
    "Block deploys whose image is missing from the production registry",
    "Add a canary step to {service}",
  ],
  capacity: ["Right-size requests and limits of {service}", "Alert on memory growth before the limit"],
  node: ["Enable node auto-repair on the general pool", "Tune kubelet image GC thresholds"],
  storage: ["Alert on volume usage at 80%", "Add a retention job for the audit table"],
  traffic: ["Load-test {service} at 2x peak", "Add a circuit breaker on the upstream client"],
  cert: ["Alert on cert-manager issuer readiness"],
  batch: ["Make the job idempotent and chunked"],
};

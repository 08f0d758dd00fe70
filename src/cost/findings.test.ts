/**
 * Waste, quick wins and long-term advisories: exact dollars on a hand-built cluster priced at
 * round rates, and the demo cluster's planted waste found by name.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeObject } from "../state/raw.js";
import { DEMO_NOW_MS, demoOptionsFromScale, generateDemo } from "../demo/index.js";
import { plantedReplicaSet } from "../demo/problems.js";
import {
  advisories,
  correlation,
  customMetricAutoscaling,
  dataTransfer,
  otherRegions,
  spikyWorkloads,
} from "./advisories.js";
import { buildPriceSheet } from "./pricing.js";
import { quickWins } from "./quick-wins.js";
import { recommend } from "./rightsize.js";
import type { ContainerSeries, UsageData } from "./types.js";
import { containerKey } from "./types.js";
import { demoUsage } from "./usage/demo.js";
import type { WasteItem } from "./waste.js";
import { wasteItems, wasteReport } from "./waste.js";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const Mi = 2 ** 20;
const Gi = 2 ** 30;
const at = (ms: number): string => new Date(ms).toISOString();

/** $1/vCPU-h, $0.5/GiB-h, spot CPU $0.3; a load balancer $0.5/h; storage per GB-month by class. */
const SHEET = buildPriceSheet({
  shippedPrices: false,
  defaults: {
    cpuHour: 1,
    memoryGiBHour: 0.5,
    spotCpuHour: 0.3,
    spotMemoryGiBHour: 0.15,
    storageGBMonth: 0.05,
    loadBalancerHour: 0.5,
    storageClasses: { fast: 2, gp2: 0.1, gp3: 0.08 },
  },
});

function meta(
  kind: string,
  ns: string,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    ...(ns ? { namespace: ns } : {}),
    uid: `${kind}-${ns}-${name}`,
    creationTimestamp: at(T0 - 30 * DAY),
    ...extra,
  };
}

const owner = (kind: string, name: string) => ({
  ownerReferences: [{ apiVersion: "apps/v1", kind, name, uid: `${kind}-shop-${name}`, controller: true }],
});

function node(name: string, cpu: string, memory: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: meta("Node", "", name, { labels: {} }),
    status: { capacity: { cpu, memory }, allocatable: { cpu, memory } },
  };
}

function pod(
  name: string,
  o: {
    ns?: string;
    node?: string;
    owner?: [string, string];
    cpu?: string;
    memory?: string;
    labels?: Record<string, string>;
    pvc?: string;
    cm?: string;
  },
): KubeObject {
  const ns = o.ns ?? "shop";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta("Pod", ns, name, {
      labels: o.labels ?? {},
      ...(o.owner
        ? {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: o.owner[0],
                name: o.owner[1],
                uid: `${o.owner[0]}-${ns}-${o.owner[1]}`,
                controller: true,
              },
            ],
          }
        : {}),
    }),
    spec: {
      nodeName: o.node ?? "n1",
      containers: [
        {
          name: "main",
          image: "app:1",
          resources: {
            requests: { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}) },
          },
        },
      ],
      volumes: [
        ...(o.pvc ? [{ name: "data", persistentVolumeClaim: { claimName: o.pvc } }] : []),
        ...(o.cm ? [{ name: "cfg", configMap: { name: o.cm } }] : []),
      ],
    },
    status: {
      phase: "Running",
      startTime: at(T0 - 30 * DAY),
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

function deployment(
  name: string,
  replicas: number,
  labels: Record<string, string>,
  requests: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("Deployment", "shop", name),
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "main", image: "app:1", resources: { requests } }] },
      },
    },
    status: {
      replicas,
      conditions: [{ type: "Available", status: "True", lastTransitionTime: at(T0 - 10 * DAY) }],
    },
  };
}

function replicaSet(name: string, deploymentName: string, replicas: number, revision: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: meta("ReplicaSet", "shop", name, {
      annotations: { "deployment.kubernetes.io/revision": String(revision) },
      ...owner("Deployment", deploymentName),
    }),
    spec: {
      replicas,
      selector: { matchLabels: { app: deploymentName } },
      template: {
        metadata: { labels: { app: deploymentName } },
        spec: { containers: [{ name: "main", image: "app:1" }] },
      },
    },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
  };
}

/** Per-pod CPU (cores) for 25 hourly steps; memory per pod in bytes. */
function series(ns: string, podName: string, cpu: (i: number) => number, memory: number): ContainerSeries {
  return {
    namespace: ns,
    pod: podName,
    container: "main",
    cpu: Float64Array.from({ length: 25 }, (_, i) => cpu(i)),
    memory: Float64Array.from({ length: 25 }, (_, i) => (Number.isNaN(cpu(i)) ? Number.NaN : memory)),
  };
}

function usageOf(list: ContainerSeries[], source: UsageData["source"] = "prometheus"): UsageData {
  return {
    source,
    confidence: source === "metrics-server" ? "low" : "high",
    window: { start: new Date(T0 - 24 * HOUR), end: new Date(T0), stepSeconds: 3600 },
    containers: new Map(list.map((s) => [containerKey(s.namespace, s.pod, s.container), s])),
    partial: false,
    problems: [],
    notes: [],
  };
}

function build(objects: KubeObject[]): ClusterState {
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: T0 });
  for (const o of objects) b.add(structuredClone(o));
  return b.build({ complete: true });
}

const WEB = { app: "web" };
const API = { app: "api" };

/** The hand-built cluster: one of each kind of waste, and things that look like waste but are not. */
function cluster(): KubeObject[] {
  return [
    node("n1", "8", "32Gi"), // $24/h
    node("n2", "2", "4Gi"), // $4/h: only a DaemonSet pod runs there
    { apiVersion: "v1", kind: "Namespace", metadata: meta("Namespace", "", "shop") },
    { apiVersion: "v1", kind: "Namespace", metadata: meta("Namespace", "", "empty") },
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: meta("Namespace", "", "old", { creationTimestamp: at(T0 - 90 * DAY) }),
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta("ConfigMap", "empty", "kube-root-ca.crt") },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("ServiceAccount", "empty", "default") },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("ConfigMap", "old", "settings", { creationTimestamp: at(T0 - 60 * DAY) }),
      data: { a: "1" },
    },
    // Volumes.
    {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: meta("PersistentVolume", "", "pv-free"),
      spec: {
        capacity: { storage: "100Gi" },
        storageClassName: "gp2",
        persistentVolumeReclaimPolicy: "Retain",
      },
      status: { phase: "Released" },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: meta("PersistentVolume", "", "pv-data"),
      spec: {
        capacity: { storage: "50Gi" },
        storageClassName: "fast",
        claimRef: { namespace: "shop", name: "data" },
      },
      status: { phase: "Bound" },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: meta("PersistentVolume", "", "pv-used"),
      spec: {
        capacity: { storage: "200Gi" },
        storageClassName: "gp2",
        claimRef: { namespace: "shop", name: "used" },
      },
      status: { phase: "Bound" },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta("PersistentVolumeClaim", "shop", "data"),
      spec: { storageClassName: "fast", volumeName: "pv-data", resources: { requests: { storage: "50Gi" } } },
      status: { phase: "Bound", capacity: { storage: "50Gi" } },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta("PersistentVolumeClaim", "shop", "used"),
      spec: { storageClassName: "gp2", volumeName: "pv-used", resources: { requests: { storage: "200Gi" } } },
      status: { phase: "Bound", capacity: { storage: "200Gi" } },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta("PersistentVolumeClaim", "shop", "pending", { creationTimestamp: at(T0 - 5 * DAY) }),
      spec: { storageClassName: "gp3", resources: { requests: { storage: "10Gi" } } },
      status: { phase: "Pending" },
    },
    // Load balancers: one serving nothing, one serving web.
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("Service", "shop", "lb"),
      spec: { type: "LoadBalancer", selector: { app: "gone" }, ports: [{ port: 80 }] },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("Service", "shop", "lb-web"),
      spec: { type: "LoadBalancer", selector: WEB, ports: [{ port: 80 }] },
    },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: meta("EndpointSlice", "shop", "lb-web-1", {
        labels: { "kubernetes.io/service-name": "lb-web" },
      }),
      addressType: "IPv4",
      endpoints: [{ addresses: ["10.0.0.1"], conditions: { ready: true } }],
    },
    // web: 2 idle pods of 500m / 1Gi, mounting "used" and config "used-cm"; two old ReplicaSets.
    deployment("web", 2, WEB, { cpu: "500m", memory: "1Gi" }),
    replicaSet("web-rs3", "web", 2, 3),
    replicaSet("web-rs2", "web", 0, 2),
    replicaSet("web-rs1", "web", 0, 1),
    pod("web-a", {
      owner: ["ReplicaSet", "web-rs3"],
      cpu: "500m",
      memory: "1Gi",
      labels: WEB,
      pvc: "used",
      cm: "used-cm",
    }),
    pod("web-b", {
      owner: ["ReplicaSet", "web-rs3"],
      cpu: "500m",
      memory: "1Gi",
      labels: WEB,
      pvc: "used",
      cm: "used-cm",
    }),
    // api: 4 busy pods of 1 CPU, with a PDB that allows a disruption.
    deployment("api", 4, API, { cpu: "1" }),
    replicaSet("api-rs1", "api", 4, 1),
    ...[0, 1, 2, 3].map((i) => pod(`api-${i}`, { owner: ["ReplicaSet", "api-rs1"], cpu: "1", labels: API })),
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta("PodDisruptionBudget", "shop", "api"),
      spec: { maxUnavailable: 1, selector: { matchLabels: API } },
      status: { currentHealthy: 4, desiredHealthy: 3, expectedPods: 4, disruptionsAllowed: 1 },
    },
    // frontend: scaled to zero 10 days ago.
    deployment("frontend", 0, { app: "frontend" }),
    // A DaemonSet with a pod on each node.
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: meta("DaemonSet", "shop", "agent"),
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: { containers: [{ name: "main", image: "agent:1" }] },
        },
      },
      status: { desiredNumberScheduled: 2 },
    },
    pod("agent-1", { owner: ["DaemonSet", "agent"], node: "n1", cpu: "100m", memory: "128Mi" }),
    pod("agent-2", { owner: ["DaemonSet", "agent"], node: "n2", cpu: "100m", memory: "128Mi" }),
    // Config objects.
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta("ConfigMap", "shop", "used-cm"), data: { a: "1" } },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("ConfigMap", "shop", "unused-cm"),
      data: { a: "1", b: "2" },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("ConfigMap", "shop", "kube-root-ca.crt"),
      data: { "ca.crt": "x" },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("ConfigMap", "shop", "kept", { labels: { "kor/used": "true" } }),
    },
    { apiVersion: "v1", kind: "Secret", metadata: meta("Secret", "shop", "unused-secret"), type: "Opaque" },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("Secret", "shop", "token"),
      type: "kubernetes.io/service-account-token",
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("Secret", "shop", "sh.helm.release.v1.web.v1"),
      type: "helm.sh/release.v1",
    },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("ServiceAccount", "shop", "default") },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("ServiceAccount", "shop", "lonely") },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("ServiceAccount", "shop", "bound") },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta("RoleBinding", "shop", "ci"),
      roleRef: { kind: "Role", name: "ci" },
      subjects: [{ kind: "ServiceAccount", name: "bound" }],
    },
    // A finished Job nobody cleans up, and one with a TTL.
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: meta("Job", "shop", "migrate"),
      spec: { template: { spec: { containers: [{ name: "m", image: "m:1" }] } } },
      status: {
        succeeded: 1,
        completionTime: at(T0 - 3 * DAY),
        conditions: [{ type: "Complete", status: "True" }],
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: meta("Job", "shop", "tidy"),
      spec: {
        ttlSecondsAfterFinished: 600,
        template: { spec: { containers: [{ name: "m", image: "m:1" }] } },
      },
      status: {
        succeeded: 1,
        completionTime: at(T0 - 3 * DAY),
        conditions: [{ type: "Complete", status: "True" }],
      },
    },
  ];
}

/** web idles at 10m a pod; api runs 0.1 cores a pod for 12 hours, then 0.5, with 0.5 GiB each. */
function clusterUsage(source: UsageData["source"] = "prometheus"): UsageData {
  return usageOf(
    [
      series("shop", "web-a", () => 0.01, 100 * Mi),
      series("shop", "web-b", () => 0.01, 100 * Mi),
      ...[0, 1, 2, 3].map((i) => series("shop", `api-${i}`, (s) => (s < 12 ? 0.1 : 0.5), Gi / 2)),
    ],
    source,
  );
}

function find(items: readonly WasteItem[], kind: WasteItem["kind"], name: string): WasteItem {
  const it = items.find((x) => x.kind === kind && x.object.name === name);
  assert.ok(
    it !== undefined,
    `${kind} ${name} not found in ${items.map((x) => `${x.kind}:${x.object.name}`).join(", ")}`,
  );
  return it;
}

describe("wasteItems", () => {
  const state = build(cluster());
  const items = wasteItems(state, SHEET, clusterUsage());

  it("prices unused volumes by size and StorageClass", () => {
    const pv = find(items, "unbound-pv", "pv-free");
    assert.equal(pv.monthly, 10); // 100 GiB x $0.1
    assert.equal(pv.confidence, "high");
    const pvc = find(items, "unmounted-pvc", "data");
    assert.equal(pvc.monthly, 100); // 50 GiB x $2
    assert.match(pvc.action, /^kubectl delete pvc data -n shop/);
    const pending = find(items, "unbound-pvc", "pending");
    assert.equal(pending.monthly, 0);
    assert.match(pending.costReason, /would cost \$0\.8\/month/); // 10 GiB x $0.08
    assert.equal(
      items.some((x) => x.object.name === "used"),
      false,
    );
  });

  it("prices a load balancer with no endpoints for a month; one with endpoints is fine", () => {
    const lb = find(items, "lb-no-endpoints", "lb");
    assert.equal(lb.monthly, 365); // $0.5 x 730 h
    assert.equal(lb.confidence, "high");
    assert.equal(
      items.some((x) => x.object.name === "lb-web"),
      false,
    );
  });

  it("idle workloads cost their requests at their nodes' rates, high confidence from Prometheus", () => {
    const web = find(items, "idle-workload", "web");
    // 2 pods x (0.5 CPU x $1 + 1 GiB x $0.5) = $2/h x 730.
    assert.equal(web.monthly, 1460);
    assert.equal(web.confidence, "high");
    assert.equal(web.evidence.p95CpuMillis, 20);
    assert.equal(
      items.some((x) => x.kind === "idle-workload" && x.object.name === "api"),
      false,
    );
    // From metrics-server: the same, but low confidence.
    const low = find(wasteItems(state, SHEET, clusterUsage("metrics-server")), "idle-workload", "web");
    assert.equal(low.confidence, "low");
    // Without usage: not judged, and a note says so.
    const r = wasteReport(state, SHEET, undefined);
    assert.equal(
      r.items.some((x) => x.kind === "idle-workload"),
      false,
    );
    assert.ok(
      r.notes.some((n) => n.startsWith("idle workloads: no data because")),
      r.notes.join("; "),
    );
  });

  it("finds zero-cost clutter with its reason and kor's exclusions", () => {
    const zero = find(items, "scaled-to-zero", "frontend");
    assert.equal(zero.monthly, 0);
    assert.equal(zero.confidence, "high");
    const cm = find(items, "orphan-configmap", "unused-cm");
    assert.equal(cm.monthly, 0);
    assert.equal(cm.confidence, "medium");
    assert.match(cm.costReason, /costs nothing/);
    assert.equal(find(items, "orphan-secret", "unused-secret").confidence, "medium");
    find(items, "orphan-serviceaccount", "lonely");
    const names = (kind: WasteItem["kind"]) =>
      items
        .filter((x) => x.kind === kind && x.object.namespace === "shop")
        .map((x) => x.object.name)
        .sort();
    assert.deepEqual(names("orphan-configmap"), ["unused-cm"]);
    assert.deepEqual(names("orphan-secret"), ["unused-secret"]);
    assert.deepEqual(names("orphan-serviceaccount"), ["lonely"]);
    // Old ReplicaSets: the rollback target is low confidence, older ones high.
    assert.equal(find(items, "old-replicaset", "web-rs2").confidence, "low");
    assert.equal(find(items, "old-replicaset", "web-rs1").confidence, "high");
    assert.equal(
      items.some((x) => x.object.name === "web-rs3"),
      false,
    );
    find(items, "finished-job-no-ttl", "migrate");
    assert.equal(
      items.some((x) => x.object.name === "tidy"),
      false,
    );
  });

  it("finds empty and stale namespaces", () => {
    assert.equal(find(items, "empty-namespace", "empty").monthly, 0);
    const old = find(items, "stale-namespace", "old");
    assert.equal(old.evidence.newestObjectDaysAgo, 60);
    assert.equal(
      items.some((x) => x.object.kind === "Namespace" && x.object.name === "shop"),
      false,
    );
  });

  it("prices a node that runs only DaemonSet pods at its full price", () => {
    const n2 = find(items, "daemonset-heavy-node", "n2");
    assert.equal(n2.monthly, 2920); // (2 x $1 + 4 GiB x $0.5) x 730
    assert.equal(n2.confidence, "high");
    assert.equal(
      items.some((x) => x.kind === "daemonset-heavy-node" && x.object.name === "n1"),
      false,
    );
  });

  it("sorts by dollars and totals them", () => {
    const r = wasteReport(state, SHEET, clusterUsage());
    assert.deepEqual(
      r.items.slice(0, 5).map((x) => [x.kind, x.monthly]),
      [
        ["daemonset-heavy-node", 2920],
        ["idle-workload", 1460],
        ["lb-no-endpoints", 365],
        ["unmounted-pvc", 100],
        ["unbound-pv", 10],
      ],
    );
    assert.equal(r.monthly, 2920 + 1460 + 365 + 100 + 10);
    assert.equal(r.byKind["old-replicaset"]?.count, 2);
  });
});

describe("quickWins", () => {
  const state = build(cluster());
  const usage = clusterUsage();
  const rightsize = recommend(state, usage, { pointsRequired: 10 });
  const r = quickWins(state, SHEET, usage, { rightsize });
  const of = (c: string) => r.wins.filter((w) => w.category === c);

  it("orders wins as an operator acts", () => {
    const order = [...new Set(r.wins.map((w) => w.category))];
    assert.deepEqual(order, [
      "unused-volume",
      "unused-load-balancer",
      "overprovisioned-requests",
      "missing-hpa",
      "spot",
      "committed-use",
      "storage-class",
      "quota-limitrange",
    ]);
    assert.deepEqual(
      of("unused-volume").map((w) => [w.objects[0]!.name, w.monthly]),
      [
        ["data", 100],
        ["pv-free", 10],
      ],
    );
    assert.equal(of("unused-load-balancer")[0]!.monthly, 365);
  });

  it("requests far above usage: the freed request dollars of every pod", () => {
    const web = of("overprovisioned-requests").find((w) => w.objects[0]!.name === "web")!;
    // Per pod: CPU 500m -> 10m (0.49 x $1) and memory 1Gi -> 115Mi (909/1024 GiB x $0.5), 2 pods, 730 h.
    assert.equal(web.monthly, 1363.42);
    assert.match(web.title, /cpu 500m -> 10m, main memory 1Gi -> 115Mi/);
  });

  it("missing HPA: replicas an HPA at 70% would run, against a fixed 4", () => {
    const api = of("missing-hpa")[0]!;
    assert.equal(api.objects[0]!.name, "api");
    // 0.4 cores total needs 2 (the floor), 2.0 cores needs ceil(2 / 0.7) = 3: 12 x 2 + 13 x 3 over 25 steps = 2.52.
    assert.equal(api.evidence.averageReplicasWithHpa, 2.5);
    assert.equal(api.monthly, 1080.4); // (4 - 2.52) x $1/h x 730
    assert.match(api.action, /kubectl autoscale deployment api -n shop --cpu-percent=70 --min=2 --max=4/);
  });

  it("spot: PDB-safe stateless replicas at the sheet's spot discount; no PDB is a note", () => {
    const spot = of("spot");
    assert.deepEqual(
      spot.map((w) => w.objects[0]!.name),
      ["api"],
    );
    assert.equal(spot[0]!.monthly, 2044); // 4 pods x $1/h x (1 - 0.3) x 730
    assert.ok(
      r.notes.some((n) => n.includes("no PDB")),
      r.notes.join("; "),
    );
  });

  it("committed use: p10 of cluster-wide usage on on-demand nodes at 30%", () => {
    const c = of("committed-use")[0]!;
    // p10 of CPU totals (12 x 0.42, 13 x 2.02) = 0.42 cores; memory 2 GiB + 200 MiB.
    assert.equal(c.evidence.baselineCores, 0.4);
    assert.equal(c.monthly, 332.37); // (0.42 x $1 + 2.1953125 GiB x $0.5) x 730 x 0.3
    assert.equal(c.confidence, "low"); // one day of history
  });

  it("storage class: gp2 -> gp3 at the sheet's price difference", () => {
    const s = of("storage-class")[0]!;
    assert.equal(s.monthly, 4); // 200 GiB x ($0.10 - $0.08)
    assert.deepEqual(
      s.objects.map((o) => o.name),
      ["used"],
    );
  });

  it("quota and LimitRange for a namespace without them, from requests and usage", () => {
    const q = of("quota-limitrange").find((w) => w.objects[0]!.name === "shop")!;
    assert.equal(q.monthly, 0);
    // Requests: 2 x 500m + 4 x 1 + 2 x 100m (agent) = 5.2 CPU; +20% rounded up to 100m.
    assert.equal(q.evidence.quotaCpu, "6300m");
    assert.match(q.action, /kind: ResourceQuota/);
    assert.match(q.action, /kind: LimitRange/);
  });
});

describe("advisories", () => {
  const spiky = [
    deployment("batchy", 1, { app: "batchy" }),
    replicaSet("batchy-rs", "batchy", 1, 1),
    pod("batchy-0", { owner: ["ReplicaSet", "batchy-rs"], cpu: "1", labels: { app: "batchy" } }),
    deployment("worker", 2, { app: "worker" }),
    replicaSet("worker-rs", "worker", 2, 1),
    pod("worker-a", { owner: ["ReplicaSet", "worker-rs"], cpu: "500m", labels: { app: "worker" } }),
    pod("worker-b", { owner: ["ReplicaSet", "worker-rs"], cpu: "500m", labels: { app: "worker" } }),
  ];
  const state = build([node("n1", "8", "32Gi"), ...spiky]);
  const usage = usageOf([
    series("shop", "batchy-0", (i) => (i < 20 ? 0 : 1), 100 * Mi),
    // One pod at 0.6 cores, then two at 0.2: more replicas, less CPU.
    series("shop", "worker-a", (i) => (i < 12 ? 0.6 : 0.2), 100 * Mi),
    series("shop", "worker-b", (i) => (i < 12 ? Number.NaN : 0.2), 100 * Mi),
  ]);

  it("spiky: peak/mean and idle hours, with the request dollars of the idle hours", () => {
    const a = spikyWorkloads(state, SHEET, usage);
    assert.equal(a.status, "ok");
    const b = a.items.find((x) => x.object?.name === "batchy")!;
    assert.equal(b.evidence.idleHoursPerDay, 19.2); // 20 of 25 steps
    assert.equal(b.evidence.peakCpuMillis, 1000);
    assert.equal(b.monthly, 584); // $1/h x 730 x 19.2 / 24
    const none = spikyWorkloads(state, SHEET, { ...usage, source: "metrics-server" });
    assert.equal(none.status, "no-data");
    assert.match(none.noDataReason!, /^no data because metrics-server gives current usage only/);
  });

  it("CPU that does not follow replicas: a KEDA suggestion, and what is missing", () => {
    assert.equal(correlation([1, 2, 3, 4], [2, 4, 6, 8]), 1);
    const a = customMetricAutoscaling(state, usage);
    const w = a.items.find((x) => x.object?.name === "worker")!;
    assert.equal(w.evidence.correlation, -1);
    assert.match(w.suggestion, /kind: ScaledObject/);
    assert.match(w.confidenceReason, /no request-rate metric/);
    assert.equal(
      a.items.some((x) => x.object?.name === "batchy"),
      false,
    ); // one replica throughout
  });

  it("data transfer: no data without network metrics", () => {
    assert.equal(
      dataTransfer(usage).noDataReason,
      "no data because no network metrics (container_network_*_bytes_total) were available",
    );
  });

  it("other regions: the three cheapest of the same provider, with the difference", () => {
    const sheet = buildPriceSheet({
      shippedPrices: false,
      regions: {
        home: { provider: "aws", instanceTypes: { big: { onDemandHour: 1 } } },
        a: { provider: "aws", instanceTypes: { big: { onDemandHour: 0.8 } } },
        b: { provider: "aws", instanceTypes: { big: { onDemandHour: 1.2 } } },
        c: { provider: "aws", instanceTypes: { big: { onDemandHour: 0.9 } } },
        d: { provider: "aws", instanceTypes: { big: { onDemandHour: 0.7 } } },
        g: { provider: "gcp", instanceTypes: { big: { onDemandHour: 0.1 } } },
      },
    });
    const labelled = (name: string): KubeObject => {
      const n = node(name, "4", "16Gi");
      (n.metadata as { labels: Record<string, string> }).labels = {
        "node.kubernetes.io/instance-type": "big",
        "topology.kubernetes.io/region": "home",
      };
      return n;
    };
    const s = build([labelled("x1"), labelled("x2")]);
    const a = otherRegions(s, sheet);
    assert.deepEqual(
      a.items.map((x) => [x.evidence.region, x.monthly]),
      [
        ["d", -438], // (0.7 - 1) x 2 x 730
        ["a", -292],
        ["c", -146],
      ],
    );
    assert.equal(otherRegions(state, SHEET).status, "no-data");
    assert.equal(advisories(state, SHEET, usage).length, 4);
  });
});

describe("the demo cluster", () => {
  const opts = demoOptionsFromScale("small", 42);
  const b = new ClusterStateBuilder({ source: "demo", sourceDetail: "test", collectedAt: DEMO_NOW_MS });
  for (const o of generateDemo(opts)) b.add(o);
  const state = b.build({ complete: true });
  const usage = demoUsage(opts, state, {
    start: new Date(DEMO_NOW_MS - 7 * DAY),
    end: new Date(DEMO_NOW_MS),
    stepSeconds: 3600,
  });
  const sheet = buildPriceSheet();
  const items = wasteItems(state, sheet, usage);

  it("finds the planted waste", () => {
    const planted: [WasteItem["kind"], string, string][] = [
      ["unmounted-pvc", "analytics", "old-export-data"],
      ["unbound-pvc", "analytics", "scratch-data"],
      ["lb-no-endpoints", "search", "search-public"],
      ["scaled-to-zero", "search", "search-frontend"],
      ["orphan-configmap", "legacy", "legacy-portal-config-old"],
      ["finished-job-no-ttl", "batch-jobs", "db-migrate-20261101"],
      ["old-replicaset", "checkout", plantedReplicaSet("checkout", "checkout-web", 13)],
    ];
    for (const [kind, ns, name] of planted) {
      const it = items.find((x) => x.kind === kind && x.object.namespace === ns && x.object.name === name);
      assert.ok(it !== undefined, `${kind} ${ns}/${name} not found`);
    }
    // 500 GiB of gp3 at the shipped $0.08/GB-month.
    assert.equal(find(items, "unmounted-pvc", "old-export-data").monthly, 40);
    assert.equal(find(items, "lb-no-endpoints", "search-public").confidence, "high");
  });

  it("quick wins start with the unused volume and load balancer, and right-size report-builder", () => {
    const r = quickWins(state, sheet, usage, { waste: items });
    assert.equal(r.wins[0]!.category, "unused-volume");
    assert.equal(r.wins[0]!.objects[0]!.name, "old-export-data");
    assert.ok(
      r.wins.some((w) => w.category === "unused-load-balancer" && w.objects[0]!.name === "search-public"),
      "search-public",
    );
    assert.ok(
      r.wins.some(
        (w) => w.category === "overprovisioned-requests" && w.objects[0]!.name === "report-builder",
      ),
      "report-builder",
    );
  });
});

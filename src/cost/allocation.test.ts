/**
 * Allocation: exact dollars on tiny hand-built clusters, and the identity
 * cluster = namespaces + overhead + idle + unclaimed volumes on those and on the demo cluster.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeObject } from "../state/raw.js";
import { DEMO_NOW_MS, demoOptionsFromScale, generateDemo, usageSeries } from "../demo/index.js";
import type { AllocationResult } from "./allocation.js";
import { UNALLOCATED, allocate, reconcile } from "./allocation.js";
import { buildPriceSheet } from "./pricing.js";
import type { ContainerSeries, UsageData, UsageWindow } from "./types.js";
import { containerKey } from "./types.js";

const T0 = Date.parse("2026-11-20T10:00:00Z");
const HOUR = 3600_000;
const NaN_ = Number.NaN;

/** Round numbers: $1 per vCPU-hour, $0.5 per GiB-hour, storage $73/GB-month = $0.1/GB-hour. */
const SHEET = buildPriceSheet({
  shippedPrices: false,
  defaults: {
    cpuHour: 1,
    memoryGiBHour: 0.5,
    gpuHour: 2,
    storageGBMonth: 7.3,
    loadBalancerHour: 0.5,
    storageClasses: { fast: 73 },
  },
});

function stateOf(objects: KubeObject[]): ClusterState {
  const b = new ClusterStateBuilder({
    source: "manifests",
    sourceDetail: "test",
    collectedAt: T0 + 2 * HOUR,
  });
  for (const o of objects) b.add(structuredClone(o));
  return b.build({ complete: true });
}

const at = (ms: number): string => new Date(ms).toISOString();

function node(name: string, cap: { cpu: string; memory: string }, alloc = cap): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `node-${name}`, creationTimestamp: at(T0 - 24 * HOUR), labels: {} },
    status: { capacity: cap, allocatable: alloc },
  };
}

interface PodSpec {
  ns: string;
  name: string;
  requests?: Record<string, string>;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string };
  pvc?: string;
  startedAt?: number;
  phase?: string;
}

function pod(p: PodSpec): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: p.name,
      namespace: p.ns,
      uid: `pod-${p.name}`,
      creationTimestamp: at(p.startedAt ?? T0 - HOUR),
      labels: p.labels ?? {},
      ...(p.owner
        ? {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: p.owner.kind,
                name: p.owner.name,
                uid: `uid-${p.owner.name}`,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      nodeName: "n1",
      containers: [{ name: "main", image: "app:1", resources: { requests: p.requests ?? {} } }],
      volumes: p.pvc ? [{ name: "data", persistentVolumeClaim: { claimName: p.pvc } }] : [],
    },
    status: { phase: p.phase ?? "Running", startTime: at(p.startedAt ?? T0 - HOUR) },
  };
}

/** A window of `hours` at a 1-hour step starting at T0, with usage per container. */
function usage(hours: number, series: Record<string, { cpu: number[]; memory: number[] }>): UsageData {
  const window: UsageWindow = { start: new Date(T0), end: new Date(T0 + hours * HOUR), stepSeconds: 3600 };
  const containers = new Map<string, ContainerSeries>();
  for (const [key, s] of Object.entries(series)) {
    const [namespace = "", pod = "", container = ""] = key.split("/");
    containers.set(key, {
      namespace,
      pod,
      container,
      cpu: Float64Array.from(s.cpu),
      memory: Float64Array.from(s.memory),
    });
  }
  return { source: "demo", confidence: "high", window, containers, partial: false, problems: [], notes: [] };
}

const GiB = 2 ** 30;

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) < 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} != ${expected}`,
  );
}

function assertReconciles(r: AllocationResult): void {
  const { cluster, parts, difference } = reconcile(r);
  assert.ok(Math.abs(difference) < 1e-9 * Math.max(1, cluster), `cluster ${cluster} != parts ${parts}`);
}

// One node: 4 vCPU and 8 GiB ($8/h), allocatable 3.5 vCPU and 7 GiB ($1/h reserved).
const tiny = (): KubeObject[] => [
  node("n1", { cpu: "4", memory: "8Gi" }, { cpu: "3500m", memory: "7Gi" }),
  {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "team-b", labels: { team: "b" } },
    status: { phase: "Active" },
  },
  pod({
    ns: "team-a",
    name: "web-1",
    requests: { cpu: "1", memory: "2Gi" },
    labels: { team: "a" },
    owner: { kind: "StatefulSet", name: "web" },
    pvc: "data-web-1",
  }),
  {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "team-a", uid: "uid-web" },
    spec: { selector: { matchLabels: { team: "a" } }, template: { spec: { containers: [] } } },
  },
  pod({
    ns: "kube-system",
    name: "proxy-x",
    requests: { cpu: "500m", memory: "1Gi" },
    owner: { kind: "DaemonSet", name: "proxy" },
  }),
  pod({ ns: "team-b", name: "batch" }),
  pod({ ns: "team-b", name: "pending", requests: { cpu: "8" }, phase: "Succeeded" }),
  {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "pv-web", creationTimestamp: at(T0 - 48 * HOUR) },
    spec: {
      capacity: { storage: "100Gi" },
      storageClassName: "fast",
      claimRef: { namespace: "team-a", name: "data-web-1" },
    },
    status: { phase: "Bound" },
  },
  {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "pv-loose", creationTimestamp: at(T0 - 48 * HOUR) },
    spec: { capacity: { storage: "10Gi" } },
    status: { phase: "Available" },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "edge", namespace: "sandbox", creationTimestamp: at(T0 - 48 * HOUR) },
    spec: { type: "LoadBalancer", selector: { app: "nothing" }, ports: [{ port: 443 }] },
  },
];

const tinyUsage = () =>
  usage(2, {
    [containerKey("team-a", "web-1", "main")]: { cpu: [0.5, 2, NaN_], memory: [1 * GiB, 1 * GiB, 3 * GiB] },
    [containerKey("team-b", "batch", "main")]: { cpu: [0.25, 0.25, 0.25], memory: [0, 0, 0] },
  });

test("a tiny cluster in exact dollars: max(request, usage) per step, storage, load balancer, overhead, idle", () => {
  const r = allocate(stateOf(tiny()), SHEET, tinyUsage());
  assert.equal(r.window.hours, 2, "3 samples at 1h: the trapezoid covers 2 hours");
  // Node $8/h x 2h; PVs 100 GiB at $0.1 and 10 GiB at $0.01 per GiB-hour; one LB $0.5/h.
  close(r.cluster.nodes, 16, "nodes");
  close(r.cluster.storage, 20.2, "storage");
  close(r.cluster.loadBalancers, 1, "load balancers");
  close(r.cluster.cost, 37.2, "cluster");
  close(r.cluster.monthly, 37.2 * 365, "monthly (730 h / 2 h)");

  const web = r.items.find((i) => i.name === "web-1");
  assert.ok(web);
  // CPU: max(1, 0.5) x 0.5h + max(1, 2) x 1h + request (NaN) x 0.5h = 3 core-hours.
  close(web.containers[0]!.cpuCoreHours, 3, "web cpu core-hours");
  // Memory: 2 x 0.5 + 2 x 1 + 3 x 0.5 = 4.5 GiB-hours at $0.5.
  close(web.containers[0]!.memoryGiBHours, 4.5, "web memory GiB-hours");
  close(web.cost.cpu, 3, "web cpu $");
  close(web.cost.memory, 2.25, "web memory $");
  close(web.cost.storage, 20, "web storage $ (its claim)");
  close(web.cost.total, 25.25, "web total");
  // Unused request: CPU 0.5 x 0.5h ($0.25), memory 1 GiB x 1.5h ($0.75).
  close(web.workloadIdle, 1, "web workload idle");
  assert.deepEqual(web.workload, { kind: "StatefulSet", name: "web" });
  assert.equal(web.containers[0]!.usagePoints, 2);

  const batch = r.items.find((i) => i.name === "batch");
  close(batch!.cost.total, 0.5, "no request: usage only");
  assert.equal(
    r.items.find((i) => i.name === "pending"),
    undefined,
    "finished pods hold nothing",
  );

  // Overhead: $2 reserved + the DaemonSet pod (0.5 vCPU x 2h + 1 GiB x 2h x $0.5 = $2).
  close(r.overhead.reserved, 2, "reserved");
  close(r.overhead.daemonSets, 2, "daemonset pods");
  close(r.overhead.cost, 4, "overhead");
  assert.deepEqual(
    r.overhead.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`),
    ["kube-system/DaemonSet/proxy"],
  );
  // Idle: node $16 - reserved $2 - compute of all pods ($5.25 + $2 + $0.5).
  close(r.idle.cost, 6.25, "idle");
  assert.equal(r.idle.overAllocated, false);
  close(r.unclaimedVolumes.cost, 0.2, "unclaimed");
  assert.deepEqual(r.unclaimedVolumes.volumes, ["pv-loose"]);

  assert.deepEqual(
    r.namespaces.map((n) => [n.name, Number(n.total.toFixed(9))]),
    [
      ["team-a", 25.25],
      ["sandbox", 1],
      ["team-b", 0.5],
    ],
  );
  assert.equal(
    r.namespaces.find((n) => n.name === "sandbox")?.cost.loadBalancer,
    1,
    "LB with no pods: own line",
  );
  assert.deepEqual(
    r.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`),
    ["team-a/StatefulSet/web", "sandbox/Service/edge", "team-b/Pod/batch"],
  );
  // team from the pod, else from the namespace; the sandbox LB has neither.
  assert.deepEqual(
    r.labels.team?.map((g) => [g.name, Number(g.total.toFixed(9))]),
    [
      ["a", 25.25],
      [UNALLOCATED, 1],
      ["b", 0.5],
    ],
  );
  close(r.unlabeled.team!.share, 1 / 26.75, "share without team");
  close(r.unlabeled["cost-center"]!.share, 1, "nobody has cost-center");
  close(r.unlabeled.any!.cost, 26.75, "any");
  close(r.workloadIdle.cost, 1, "workload idle total");
  close(r.usage.coverage, 5 / 9, "usage coverage: 5 of 9 container samples");
  assertReconciles(r);
});

test("shareOverhead spreads overhead over tenants in proportion to cost; the identity still holds", () => {
  const r = allocate(stateOf(tiny()), SHEET, tinyUsage(), { shareOverhead: true, labelKeys: ["team"] });
  assert.equal(r.overhead.shared, true);
  const a = r.namespaces.find((n) => n.name === "team-a")!;
  close(a.sharedOverhead, (4 * 25.25) / 26.75, "team-a share");
  close(
    r.namespaces.reduce((s, n) => s + n.sharedOverhead, 0),
    4,
    "all overhead shared",
  );
  assert.deepEqual(Object.keys(r.labels), ["team"]);
  assertReconciles(r);
});

test("negative idle: usage above what the node costs is reported as over-allocation", () => {
  const objects = [
    node("n1", { cpu: "1", memory: "1Gi" }),
    pod({ ns: "hot", name: "burner", requests: { cpu: "1", memory: "512Mi" } }),
  ];
  const r = allocate(
    stateOf(objects),
    SHEET,
    usage(1, { [containerKey("hot", "burner", "main")]: { cpu: [3, 3], memory: [0.5 * GiB, 0.5 * GiB] } }),
  );
  // Node $1.5/h for 1h; the pod: 3 core-hours ($3) + 0.5 GiB-hours ($0.25).
  close(r.cluster.cost, 1.5, "cluster");
  close(r.idle.cost, -1.75, "idle");
  assert.equal(r.idle.overAllocated, true);
  assertReconciles(r);
});

test("a pod started inside the window counts from its first sample; a node's reserve and GPUs are priced", () => {
  const objects = [
    {
      ...node("n1", { cpu: "2", memory: "2Gi" }),
      status: {
        capacity: { cpu: "2", memory: "2Gi", "nvidia.com/gpu": "1" },
        allocatable: { cpu: "2", memory: "2Gi", "nvidia.com/gpu": "1" },
      },
    },
    pod({ ns: "ml", name: "train", requests: { cpu: "1", "nvidia.com/gpu": "1" }, startedAt: T0 + HOUR + 1 }),
  ];
  const r = allocate(stateOf(objects), SHEET, usage(2, {}));
  const train = r.items[0]!;
  // Samples at 2h only (0.5h) : 1 vCPU x 0.5h x $1, 1 GPU x 0.5h x $2.
  close(train.cost.cpu, 0.5, "cpu");
  close(train.cost.gpu, 1, "gpu");
  close(r.cluster.nodes, (2 + 1 + 2) * 2, "node $5/h for 2h");
  assertReconciles(r);
});

test("the demo cluster reconciles over a day at a 1-hour step, every node priced from the shipped list", () => {
  const opts = demoOptionsFromScale("small", 42);
  const b = new ClusterStateBuilder({ source: "demo", sourceDetail: "test", collectedAt: DEMO_NOW_MS });
  for (const o of generateDemo(opts)) b.add(o);
  const state = b.build({ complete: true });
  const window: UsageWindow = {
    start: new Date(DEMO_NOW_MS - 24 * HOUR),
    end: new Date(DEMO_NOW_MS),
    stepSeconds: 3600,
  };
  const containers = new Map<string, ContainerSeries>();
  for (const p of state.list("Pod")) {
    if (!p.nodeName) continue;
    for (const c of p.containers) {
      const ref = { namespace: p.namespace, pod: p.name, container: c.name };
      containers.set(containerKey(p.namespace, p.name, c.name), {
        ...ref,
        cpu: usageSeries(opts, ref, "cpu", window),
        memory: usageSeries(opts, ref, "memory", window),
      });
    }
  }
  const data: UsageData = {
    source: "demo",
    confidence: "high",
    window,
    containers,
    partial: false,
    problems: [],
    notes: [],
  };
  const sheet = buildPriceSheet();
  for (const shareOverhead of [false, true]) {
    const r = allocate(state, sheet, data, { shareOverhead });
    assertReconciles(r);
    assert.ok(r.cluster.nodes > 0 && r.cluster.storage > 0 && r.cluster.loadBalancers > 0);
    assert.ok(r.namespaces.length > 10);
    assert.ok(r.overhead.daemonSets > 0 && r.overhead.reserved > 0);
    assert.ok(r.workloadIdle.cost > 0, "the demo has over-provisioned workloads");
    assert.ok(r.usage.coverage > 0.9, `coverage ${r.usage.coverage}`);
    assert.deepEqual(new Set(r.nodes.map((n) => n.rule)), new Set(["instance-type"]));
    const pools = new Set(r.nodes.map((n) => n.topology.pool));
    assert.deepEqual(pools, new Set(["general", "compute-spot", "memory", "gpu", "system"]));
    assert.ok(r.nodes.some((n) => n.topology.capacityType === "spot"));
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeObject } from "../state/raw.js";
import type { Pod } from "../state/types.js";
import { demoState } from "../demo/index.js";
import type { RequiredNodeAffinity } from "./whatif.js";
import { nodePool } from "./node-topology.js";
import { affinityMatches, changeKey, nodeAdmits, simulate, tolerates } from "./whatif.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const PRICE = { nodeHourlyPrice: () => 0.5 };

interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  pool?: string;
}

function node(name: string, s: NodeSpec = {}): KubeObject {
  const res = { cpu: s.cpu ?? "4", memory: s.memory ?? "16Gi", pods: s.pods ?? "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `uid-${name}`, labels: { pool: s.pool ?? "p", ...s.labels } },
    spec: { taints: s.taints ?? [] },
    status: { capacity: res, allocatable: res, conditions: [{ type: "Ready", status: "True" }] },
  };
}

interface PodSpec {
  cpu?: string;
  memory?: string;
  namespace?: string;
  /** "rs" (default, owned by ReplicaSet web-rs of Deployment web), "ds", or "none". */
  owner?: "rs" | "ds" | "none";
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  nodeSelector?: Record<string, string>;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  emptyDir?: boolean;
}

function pod(name: string, nodeName: string, s: PodSpec = {}): KubeObject {
  const namespace = s.namespace ?? "app";
  const owner = s.owner ?? "rs";
  const ownerReferences =
    owner === "rs"
      ? [
          {
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            name: "web-rs",
            uid: `${namespace}-web-rs`,
            controller: true,
          },
        ]
      : owner === "ds"
        ? [
            {
              apiVersion: "apps/v1",
              kind: "DaemonSet",
              name: "agent",
              uid: `${namespace}-agent`,
              controller: true,
            },
          ]
        : [];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      labels: s.labels ?? { app: "web" },
      annotations: s.annotations ?? {},
      ownerReferences,
    },
    spec: {
      nodeName,
      containers: [
        {
          name: "app",
          image: "app:1",
          resources: { requests: { cpu: s.cpu ?? "1", memory: s.memory ?? "1Gi" } },
        },
      ],
      tolerations: s.tolerations ?? [],
      nodeSelector: s.nodeSelector ?? {},
      volumes: s.emptyDir ? [{ name: "tmp", emptyDir: {} }] : [],
    },
    status: { phase: "Running" },
  };
}

function workloads(namespace = "app"): KubeObject[] {
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace, uid: `${namespace}-web` },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { spec: { containers: [] } },
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: "web-rs",
        namespace,
        uid: `${namespace}-web-rs`,
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: "web",
            uid: `${namespace}-web`,
            controller: true,
          },
        ],
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { spec: { containers: [] } },
      },
    },
  ];
}

function stateOf(objects: KubeObject[]): ClusterState {
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: NOW });
  for (const o of [...workloads(), ...workloads("kube-system"), ...objects]) b.add(structuredClone(o));
  return b.build({ complete: true });
}

function only(state: ClusterState, opts = {}) {
  const r = simulate(state, new Map(), { ...PRICE, ...opts });
  assert.equal(r.pools.length, 1);
  return r.pools[0]!;
}

test("first-fit decreasing packs a pool onto the fewest nodes", () => {
  const state = stateOf([
    node("n1"),
    node("n2"),
    node("n3"),
    pod("a", "n1", { cpu: "2" }),
    pod("b", "n2", { cpu: "2" }),
    pod("c", "n3", { cpu: "2" }),
    pod("d", "n1", { cpu: "1" }),
    pod("e", "n2", { cpu: "1" }),
  ]);
  const p = only(state);
  assert.equal(p.nodesBefore, 3);
  assert.equal(p.nodesAfter, 2);
  assert.equal(p.nodesFreed, 1);
  assert.equal(p.freedNodes.length, 1);
  assert.equal(p.movablePods, 5);
  assert.equal(p.pinnedPods, 0);
  assert.deepEqual(p.blockers, []);
});

test("memory is packed too: the dominant resource decides", () => {
  const state = stateOf([
    node("n1"),
    node("n2"),
    node("n3"),
    pod("a", "n1", { cpu: "100m", memory: "10Gi" }),
    pod("b", "n2", { cpu: "100m", memory: "10Gi" }),
    pod("c", "n3", { cpu: "100m", memory: "5Gi" }),
  ]);
  assert.equal(only(state).nodesAfter, 2);
});

test("a NoSchedule taint keeps pods without a toleration off a node", () => {
  const objects = (taint: boolean) => [
    node("n1"),
    node("n2"),
    node("n3", {
      cpu: "8",
      memory: "32Gi",
      taints: taint ? [{ key: "dedicated", value: "db", effect: "NoSchedule" }] : [],
    }),
    pod("app1", "n1", { cpu: "2" }),
    pod("app2", "n2", { cpu: "2" }),
    pod("db", "n3", {
      cpu: "1",
      tolerations: [{ key: "dedicated", operator: "Equal", effect: "NoSchedule" }],
    }),
  ];
  assert.equal(only(stateOf(objects(false))).nodesAfter, 1, "untainted, the big node takes everything");
  const p = only(stateOf(objects(true)));
  assert.equal(p.nodesAfter, 2);
  assert.deepEqual(p.freedNodes, ["n2"]);
});

test("a nodeSelector limits a pod to the nodes with the label", () => {
  const objects = (selector: boolean) => [
    node("n1", { cpu: "8", memory: "32Gi" }),
    node("n2", { labels: { disk: "ssd" } }),
    node("n3"),
    pod("fast", "n2", { cpu: "1", nodeSelector: selector ? { disk: "ssd" } : {} }),
    pod("a", "n3", { cpu: "1" }),
    pod("b", "n3", { cpu: "1" }),
  ];
  assert.equal(only(stateOf(objects(false))).nodesAfter, 1);
  const p = only(stateOf(objects(true)));
  assert.equal(p.nodesAfter, 2);
  assert.deepEqual(p.freedNodes, ["n3"]);
});

test("DaemonSet overhead stays on every node and changes the answer", () => {
  const objects = (daemons: boolean) => [
    node("n1"),
    node("n2"),
    pod("a", "n1", { cpu: "2" }),
    pod("b", "n2", { cpu: "2" }),
    ...(daemons
      ? [
          pod("agent-1", "n1", { cpu: "500m", owner: "ds", labels: { app: "agent" } }),
          pod("agent-2", "n2", { cpu: "500m", owner: "ds", labels: { app: "agent" } }),
        ]
      : []),
  ];
  const without = only(stateOf(objects(false)));
  assert.equal(without.nodesAfter, 1);
  const withDs = only(stateOf(objects(true)));
  assert.equal(withDs.nodesAfter, 2);
  assert.equal(withDs.daemonPods, 2);
  assert.equal(withDs.nodesFreed, 0);
});

test("a node holding only DaemonSet pods is freed", () => {
  const state = stateOf([
    node("n1"),
    node("n2"),
    pod("a", "n1", { cpu: "1" }),
    pod("agent-1", "n1", { cpu: "100m", owner: "ds", labels: { app: "agent" } }),
    pod("agent-2", "n2", { cpu: "100m", owner: "ds", labels: { app: "agent" } }),
  ]);
  const p = only(state);
  assert.equal(p.nodesAfter, 1);
  assert.deepEqual(p.freedNodes, ["n2"]);
});

test("the pods limit of allocatable counts", () => {
  const state = stateOf([
    node("n1", { pods: "2" }),
    node("n2", { pods: "2" }),
    node("n3", { pods: "2" }),
    pod("a", "n1", { cpu: "10m" }),
    pod("b", "n1", { cpu: "10m" }),
    pod("c", "n2", { cpu: "10m" }),
    pod("d", "n3", { cpu: "10m" }),
  ]);
  assert.equal(only(state).nodesAfter, 2);
});

const PINS: [string, PodSpec, string][] = [
  ["no controller", { owner: "none" }, "no-controller"],
  [
    "safe-to-evict false",
    { annotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" } },
    "safe-to-evict-false",
  ],
  ["kube-system", { namespace: "kube-system" }, "kube-system"],
  ["local storage", { emptyDir: true }, "local-storage"],
  ["a PDB allowing no disruption", { labels: { app: "guarded" } }, "pdb"],
];

for (const [name, spec, reason] of PINS) {
  test(`an unmovable pod stays put and keeps its node: ${name}`, () => {
    const pdb: KubeObject = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "guard", namespace: "app" },
      spec: { selector: { matchLabels: { app: "guarded" } }, minAvailable: 1 },
      status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
    };
    const state = stateOf([
      node("n1"),
      node("n2"),
      node("n3"),
      pdb,
      pod("a", "n1", { cpu: "1" }),
      pod("b", "n2", { cpu: "1" }),
      pod("pinned", "n3", { cpu: "1", ...spec }),
    ]);
    const p = only(state);
    assert.equal(p.nodesAfter, 1, "the movable pods join the pinned one");
    assert.deepEqual(p.freedNodes, ["n1", "n2"]);
    assert.equal(p.pinnedPods, 1);
    assert.equal(p.blockers.length, 1);
    const b = p.blockers[0]!;
    assert.equal(b.reason, reason);
    assert.equal(b.pods, 1);
    assert.equal(b.nodes, 1);
    assert.match(b.examples[0]!, /\/pinned on n3$/);
  });
}

test("safe-to-evict true lifts the no-controller and local-storage pins", () => {
  const state = stateOf([
    node("n1", { cpu: "8", memory: "32Gi" }),
    node("n2"),
    pod("a", "n1", { cpu: "1" }),
    pod("b", "n2", {
      cpu: "1",
      owner: "none",
      emptyDir: true,
      annotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "true" },
    }),
  ]);
  const p = only(state);
  assert.equal(p.nodesAfter, 1);
  assert.equal(p.pinnedPods, 0);
});

test("pins cost nodes: nodesAfterIfUnblocked says how many", () => {
  const state = stateOf([
    node("n1"),
    node("n2"),
    node("n3"),
    pod("a", "n1", { cpu: "1", owner: "none" }),
    pod("b", "n2", { cpu: "1", owner: "none" }),
    pod("c", "n3", { cpu: "1" }),
  ]);
  const p = only(state);
  assert.equal(p.nodesAfter, 2);
  assert.equal(p.nodesAfterIfUnblocked, 1);
  assert.equal(p.blockers[0]!.reason, "no-controller");
  assert.equal(p.blockers[0]!.nodes, 2);
});

test("savings: freed nodes' hourly price × 730 per month, per node price", () => {
  const state = stateOf([
    node("n1", { labels: { price: "1" } }),
    node("n2", { labels: { price: "0.25" } }),
    node("n3", { labels: { price: "0.25" } }),
    pod("a", "n1", { cpu: "1" }),
    pod("b", "n2", { cpu: "1" }),
    pod("c", "n3", { cpu: "1" }),
  ]);
  const r = simulate(state, new Map(), { nodeHourlyPrice: (n) => Number(n.labels.price) });
  const p = r.pools[0]!;
  // Same size: the cheaper nodes come first, so the $1 node goes.
  assert.deepEqual(p.freedNodes, ["n1", "n3"]);
  assert.equal(p.monthlyCostBefore, 1.5 * 730);
  assert.equal(p.monthlyCostAfter, 0.25 * 730);
  assert.equal(p.monthlySavings, 1.25 * 730);
  assert.equal(r.monthlySavings, 1.25 * 730);
  const h = simulate(state, new Map(), { nodeHourlyPrice: () => 2, hoursPerMonth: 720 });
  assert.equal(h.monthlySavings, 2 * 2 * 720);
});

test("request changes are applied by namespace/workload/container", () => {
  const state = stateOf([
    node("n1"),
    node("n2"),
    node("n3"),
    pod("a", "n1", { cpu: "3" }),
    pod("b", "n2", { cpu: "3" }),
    pod("c", "n3", { cpu: "3" }),
  ]);
  assert.equal(only(state).nodesAfter, 3);
  const changes = new Map([
    [changeKey("app", "web", "app"), { cpu: 1000 }],
    [changeKey("app", "missing", "app"), { cpu: 1 }],
  ]);
  const r = simulate(state, changes, PRICE);
  const p = r.pools[0]!;
  assert.equal(p.nodesAfter, 1);
  assert.equal(p.requestsBefore.cpu, 9000);
  assert.equal(p.requestsAfter.cpu, 3000);
  assert.equal(p.requestsAfter.memory, 3 * 2 ** 30, "memory unchanged");
  assert.equal(r.changesApplied, 1);
  assert.deepEqual(r.changesUnmatched, ["app/missing/app"]);
  assert.equal(p.monthlySavings, 2 * 0.5 * 730);
});

test("growing requests add nodes like the pool's own (a negative saving)", () => {
  const state = stateOf([node("n1"), node("n2"), pod("a", "n1", { cpu: "1" }), pod("b", "n2", { cpu: "1" })]);
  const r = simulate(state, new Map([[changeKey("app", "web", "app"), { cpu: 3000 }]]), PRICE);
  const p = r.pools[0]!;
  assert.equal(p.nodesAfter, 2);
  const grown = simulate(
    stateOf([node("n1"), node("n2"), pod("a", "n1"), pod("b", "n2"), pod("c", "n2")]),
    new Map([[changeKey("app", "web", "app"), { cpu: 3000 }]]),
    PRICE,
  ).pools[0]!;
  assert.equal(grown.nodesAdded, 1);
  assert.equal(grown.nodesAfter, 3);
  assert.equal(grown.monthlySavings, -0.5 * 730);
  const tooBig = simulate(state, new Map([[changeKey("app", "web", "app"), { cpu: 5000 }]]), PRICE).pools[0]!;
  assert.equal(tooBig.blockers[0]!.reason, "fits-no-node");
  assert.equal(tooBig.nodesAfter, 2, "pods that fit nowhere stay where they are");
});

test("pools are packed separately", () => {
  const state = stateOf([
    node("a1", { pool: "a" }),
    node("a2", { pool: "a" }),
    node("b1", { pool: "b" }),
    node("b2", { pool: "b" }),
    pod("x", "a1"),
    pod("y", "a2"),
    pod("z", "b1"),
  ]);
  const r = simulate(state, new Map(), PRICE);
  assert.deepEqual(
    r.pools.map((p) => [p.pool, p.nodesBefore, p.nodesAfter]),
    [
      ["a", 2, 1],
      ["b", 2, 1],
    ],
  );
  assert.equal(r.nodesFreed, 2);
});

test("required node affinity: In, NotIn, Exists, DoesNotExist, Gt, matchFields", () => {
  const state = stateOf([
    node("n1", { labels: { zone: "a", gen: "5" } }),
    node("n2", { labels: { zone: "b", gen: "6", gpu: "yes" } }),
  ]);
  const [n1, n2] = state.list("Node");
  const t = (a: RequiredNodeAffinity) => [affinityMatches(a, n1!), affinityMatches(a, n2!)];
  assert.deepEqual(t([{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }]), [
    true,
    false,
  ]);
  assert.deepEqual(t([{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }]), [
    false,
    true,
  ]);
  assert.deepEqual(t([{ matchExpressions: [{ key: "gpu", operator: "Exists" }] }]), [false, true]);
  assert.deepEqual(t([{ matchExpressions: [{ key: "gpu", operator: "DoesNotExist" }] }]), [true, false]);
  assert.deepEqual(t([{ matchExpressions: [{ key: "gen", operator: "Gt", values: ["5"] }] }]), [false, true]);
  assert.deepEqual(t([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }]), [
    true,
    false,
  ]);
  // Terms are ORed, expressions ANDed; an empty term matches nothing.
  assert.deepEqual(
    t([
      {
        matchExpressions: [
          { key: "zone", operator: "In", values: ["a"] },
          { key: "gpu", operator: "Exists" },
        ],
      },
      { matchExpressions: [{ key: "gen", operator: "In", values: ["6"] }] },
    ]),
    [false, true],
  );
  assert.deepEqual(t([{}]), [false, false]);
});

test("required node affinity constrains packing (through nodeAffinityOf)", () => {
  const state = stateOf([
    node("n1", { cpu: "8", memory: "32Gi", labels: { zone: "a" } }),
    node("n2", { labels: { zone: "b" } }),
    pod("zonal", "n2", { cpu: "1", labels: { app: "zonal" } }),
    pod("other", "n1", { cpu: "1" }),
  ]);
  const affinity: RequiredNodeAffinity = [
    { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] },
  ];
  assert.equal(only(state).nodesAfter, 1);
  const p = only(state, {
    nodeAffinityOf: (pod: Pod) => (pod.labels.app === "zonal" ? affinity : undefined),
  });
  assert.equal(p.nodesAfter, 2);
  const elsewhere: RequiredNodeAffinity = [
    { matchExpressions: [{ key: "zone", operator: "In", values: ["c"] }] },
  ];
  const stuck = only(state, {
    nodeAffinityOf: (pod: Pod) => (pod.labels.app === "zonal" ? elsewhere : undefined),
  });
  assert.equal(stuck.blockers[0]!.reason, "no-compatible-node");
});

test("tolerations as projected: key and effect, * for any", () => {
  const taint = { key: "dedicated", value: "db", effect: "NoSchedule" };
  assert.equal(tolerates([], taint), false);
  assert.equal(tolerates(["dedicated:NoSchedule"], taint), true);
  assert.equal(tolerates(["dedicated:*"], taint), true);
  assert.equal(tolerates(["*:*"], taint), true);
  assert.equal(tolerates(["other:NoSchedule"], taint), false);
  assert.equal(tolerates(["dedicated:NoExecute"], taint), false);
  assert.equal(tolerates([], { key: "soft", effect: "PreferNoSchedule" }), true);
  const state = stateOf([node("n1", { taints: [{ key: "k", effect: "NoExecute" }] })]);
  const n = state.list("Node")[0]!;
  assert.equal(nodeAdmits(n, { tolerations: [], nodeSelector: {} }), false);
  assert.equal(nodeAdmits(n, { tolerations: ["k:NoExecute"], nodeSelector: {} }), true);
});

test("the demo cluster: a result per pool", () => {
  const state = demoState();
  const r = simulate(state, new Map(), PRICE);
  const pools = new Set(state.list("Node").map(nodePool));
  assert.deepEqual(new Set(r.pools.map((p) => p.pool)), pools);
  for (const p of r.pools) {
    assert.ok(p.nodesAfter <= p.nodesBefore, p.pool);
    assert.ok(p.nodesAfter >= 1, p.pool);
    assert.equal(p.nodesFreed, p.freedNodes.length, p.pool);
    assert.ok(p.nodesAfterIfUnblocked <= p.nodesAfter, p.pool);
  }
  assert.equal(r.nodesBefore, state.count("Node"));
  assert.ok(r.monthlySavings >= 0);
});

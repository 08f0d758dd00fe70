import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeObject } from "../state/raw.js";
import type { ContainerSeries, UsageData } from "./types.js";
import { containerKey } from "./types.js";
import { autoscalingTuning, hpaFindings, nodeScaleDown, poolUtilisation, rescaleRate } from "./hpa-tuning.js";

const T0 = Date.parse("2026-11-01T00:00:00Z");
const HOUR = 3600_000;

function build(objects: KubeObject[]): ClusterState {
  const b = new ClusterStateBuilder({ source: "snapshot", sourceDetail: "test", collectedAt: T0 });
  for (const o of objects) b.add(o);
  return b.build({ complete: true });
}

function node(
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string> = {},
): KubeObject {
  const r = { cpu: "4", memory: "16Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `n-${name}`, labels, annotations },
    status: { capacity: r, allocatable: r },
  };
}

interface PodOpts {
  owner?: { kind: string; name: string };
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  volumes?: unknown[];
  cpu?: string;
  memory?: string;
  phase?: string;
}

function pod(ns: string, name: string, nodeName: string, o: PodOpts = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: ns,
      uid: `p-${ns}-${name}`,
      labels: o.labels ?? {},
      annotations: o.annotations ?? {},
      ...(o.owner
        ? {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: o.owner.kind,
                name: o.owner.name,
                uid: `u-${o.owner.name}`,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      nodeName,
      containers: [
        {
          name: "c",
          image: "i",
          resources: { requests: { cpu: o.cpu ?? "100m", memory: o.memory ?? "128Mi" } },
        },
      ],
      volumes: o.volumes ?? [],
    },
    status: { phase: o.phase ?? "Running" },
  };
}

function pdb(ns: string, name: string, app: string, allowed: number): KubeObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: ns, uid: `pdb-${name}` },
    spec: { minAvailable: 1, selector: { matchLabels: { app } } },
    status: { currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: allowed },
  };
}

describe("scale-down blockers", () => {
  const state = build([
    node("node-a", { "eks.amazonaws.com/nodegroup": "general" }),
    node(
      "node-b",
      { "karpenter.sh/nodepool": "spot" },
      { "cluster-autoscaler.kubernetes.io/scale-down-disabled": "true" },
    ),
    node("node-c", {}),
    pod("web", "bare", "node-a", { cpu: "1" }),
    pod("web", "cache-x", "node-a", {
      owner: { kind: "ReplicaSet", name: "cache" },
      volumes: [{ name: "tmp", emptyDir: {} }],
    }),
    pod("web", "pinned-x", "node-a", {
      owner: { kind: "ReplicaSet", name: "pinned" },
      annotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "false" },
    }),
    pod("web", "fine-x", "node-a", {
      annotations: { "cluster-autoscaler.kubernetes.io/safe-to-evict": "true" },
      volumes: [{ name: "h", hostPath: { path: "/var/x" } }],
    }),
    pod("web", "guarded-x", "node-c", {
      owner: { kind: "ReplicaSet", name: "guarded" },
      labels: { app: "guarded" },
    }),
    pdb("web", "guarded", "guarded", 0),
    pod("web", "ok-x", "node-c", { owner: { kind: "ReplicaSet", name: "ok" }, labels: { app: "ok" } }),
    pdb("web", "ok", "ok", 1),
    pod("kube-system", "coredns-x", "node-c", { owner: { kind: "ReplicaSet", name: "coredns" } }),
    pod("kube-system", "proxy-x", "node-c", { owner: { kind: "DaemonSet", name: "kube-proxy" } }),
    pod("kube-system", "etcd-node-c", "node-c", { annotations: { "kubernetes.io/config.mirror": "abc" } }),
    pod("web", "done", "node-b", { phase: "Succeeded", cpu: "3" }),
  ]);

  it("finds every blocker kind, on the right node and pod", () => {
    const nodes = nodeScaleDown(state);
    const reasons = (n: string): string[] =>
      nodes
        .find((x) => x.node === n)!
        .blockers.map((b) => `${b.reason} ${b.pod}`)
        .sort();
    assert.deepEqual(reasons("node-a"), [
      "local-storage web/cache-x",
      "no-controller web/bare",
      "safe-to-evict-false web/pinned-x",
    ]);
    assert.deepEqual(reasons("node-b"), ["node-scale-down-disabled "]);
    assert.deepEqual(reasons("node-c"), [
      "kube-system-no-pdb kube-system/coredns-x",
      "pdb-no-disruptions web/guarded-x",
    ]);
  });

  it("computes utilisation as the autoscaler does and flags candidates", () => {
    const nodes = nodeScaleDown(state);
    const a = nodes.find((x) => x.node === "node-a")!;
    // 1000m + 3 x 100m over 4000m; memory 4 x 128Mi over 16Gi.
    assert.equal(a.utilisation, 0.325);
    assert.equal(a.candidate, true);
    assert.equal(a.pool, "general");
    // The finished pod's requests do not count.
    assert.equal(nodes.find((x) => x.node === "node-b")!.utilisation, 0);
  });

  it("sums requests per pool from the well-known pool labels", () => {
    const pools = poolUtilisation(state);
    assert.deepEqual(
      pools.map((p) => [p.pool, p.nodes, p.requestedCpu, p.allocatableCpu]),
      [
        ["default", 1, 500, 4000],
        ["general", 1, 1300, 4000],
        ["spot", 1, 0, 4000],
      ],
    );
    assert.equal(pools[1]!.cpuUtilisation, 0.325);
  });
});

function deployment(ns: string, name: string, replicas: number, cpu: string): KubeObject[] {
  const template = {
    metadata: { labels: { app: name } },
    spec: { containers: [{ name: "app", image: "i", resources: { requests: { cpu } } }] },
  };
  const out: KubeObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns, uid: `d-${name}` },
      spec: { replicas, selector: { matchLabels: { app: name } }, template },
    },
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${name}-6d4cf56db6`,
        namespace: ns,
        uid: `rs-${name}`,
        ownerReferences: [{ kind: "Deployment", name, uid: `d-${name}`, controller: true }],
      },
      spec: { replicas, selector: { matchLabels: { app: name } }, template },
    },
  ];
  for (let i = 0; i < replicas; i++)
    out.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${name}-6d4cf56db6-${i}abcd`,
        namespace: ns,
        uid: `p-${name}-${i}`,
        labels: { app: name },
        ownerReferences: [
          { kind: "ReplicaSet", name: `${name}-6d4cf56db6`, uid: `rs-${name}`, controller: true },
        ],
      },
      spec: { ...template.spec, nodeName: "node-a" },
      status: { phase: "Running" },
    });
  return out;
}

/** An HPA on CPU; `cpuTarget: null` leaves the metric without a target (the default is assumed). */
function hpa(
  ns: string,
  name: string,
  min: number,
  max: number,
  extra: { cpuTarget?: number | null; behavior?: Record<string, unknown> } = {},
): KubeObject {
  const target = extra.cpuTarget === undefined ? 80 : extra.cpuTarget;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name, namespace: ns, uid: `h-${name}` },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            ...(target === null ? {} : { target: { type: "Utilization", averageUtilization: target } }),
          },
        },
      ],
      ...(extra.behavior ? { behavior: extra.behavior } : {}),
    },
    status: { currentReplicas: min, desiredReplicas: min },
  };
}

function usage(ns: string, name: string, replicas: number, cores: number, steps = 200): UsageData {
  const series: ContainerSeries[] = [];
  for (let i = 0; i < replicas; i++) {
    const pod = `${name}-6d4cf56db6-${i}abcd`;
    series.push({
      namespace: ns,
      pod,
      container: "app",
      cpu: new Float64Array(steps).fill(cores),
      memory: new Float64Array(steps).fill(1e8),
    });
  }
  return {
    source: "prometheus",
    confidence: "high",
    window: { start: new Date(T0), end: new Date(T0 + (steps - 1) * 300_000), stepSeconds: 300 },
    containers: new Map(series.map((s) => [containerKey(s.namespace, s.pod, s.container), s])),
    partial: false,
    problems: [],
    notes: [],
  };
}

/** `count` SuccessfulRescale events of HPA shop/api between two times, in one direction. */
function rescale(
  i: number,
  count: number,
  [firstMs, lastMs]: [number, number],
  dir: "above" | "below",
): KubeObject {
  const ns = "shop";
  const name = "api";
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `${name}.${i}`,
      namespace: ns,
      uid: `e-${name}-${i}`,
      creationTimestamp: new Date(firstMs).toISOString(),
    },
    type: "Normal",
    reason: "SuccessfulRescale",
    message: `New size: 3; reason: cpu resource utilization (percentage of request) ${dir} target`,
    involvedObject: { kind: "HorizontalPodAutoscaler", namespace: ns, name },
    count,
    firstTimestamp: new Date(firstMs).toISOString(),
    lastTimestamp: new Date(lastMs).toISOString(),
  };
}

describe("HPA tuning", () => {
  it("raises maxReplicas of an HPA always at max", () => {
    const state = build([...deployment("shop", "api", 3, "500m"), hpa("shop", "api", 1, 3)]);
    const f = hpaFindings(state, usage("shop", "api", 3, 0.45));
    const max = f.find((x) => x.kind === "always-at-max")!;
    assert.equal(max.current, 3);
    assert.equal(max.recommended, 5); // max(3 + 1, ceil(3 x 1.5))
    assert.deepEqual(max.patch, { spec: { maxReplicas: 5 } });
    assert.equal(max.evidence.atMax, 200);
  });

  it("lowers minReplicas of an HPA always at min with low utilisation", () => {
    // 4 pods at 50m of a 1000m request: 5% utilisation, target 80%; load 200m needs 1 replica; floor 2.
    const state = build([...deployment("shop", "idle", 4, "1"), hpa("shop", "idle", 4, 10)]);
    const f = hpaFindings(state, usage("shop", "idle", 4, 0.05));
    const min = f.find((x) => x.kind === "always-at-min-low-utilisation")!;
    assert.equal(min.current, 4);
    assert.equal(min.recommended, 2);
    assert.equal(min.evidence.p95Utilisation, 0.05);
    // Busy at min: nothing to say.
    assert.equal(
      hpaFindings(state, usage("shop", "idle", 4, 0.7)).filter(
        (x) => x.kind === "always-at-min-low-utilisation",
      ).length,
      0,
    );
  });

  it("detects flapping from SuccessfulRescale events and recommends a stabilisation window", () => {
    const state = build([
      ...deployment("shop", "api", 3, "500m"),
      hpa("shop", "api", 1, 10),
      rescale(1, 10, [T0, T0 + 2 * HOUR], "above"),
      rescale(2, 8, [T0 + HOUR, T0 + 2 * HOUR], "below"),
    ]);
    const r = rescaleRate(state.list("Event"), { namespace: "shop", name: "api" });
    assert.deepEqual(r, { count: 18, perHour: 9, up: true, down: true, hours: 2 });
    const f = hpaFindings(state, undefined).find((x) => x.kind === "flapping")!;
    assert.equal(f.current, 300); // no behavior on the HPA: the API default
    assert.equal(f.evidence.stabilizationWindowFrom, "default");
    assert.equal(f.recommended, 600);
    assert.deepEqual(
      (f.patch as { spec: { behavior: { scaleDown: { stabilizationWindowSeconds: number } } } }).spec.behavior
        .scaleDown.stabilizationWindowSeconds,
      600,
    );
    // Only scaling up, however often, is growth, not flapping.
    const growing = build([
      ...deployment("shop", "api", 3, "500m"),
      hpa("shop", "api", 1, 10),
      rescale(1, 20, [T0, T0 + 2 * HOUR], "above"),
    ]);
    assert.equal(hpaFindings(growing, undefined).length, 0);
  });

  it("reads the HPA's own scale-down window: already 600s and flapping doubles it; an hour is the cap", () => {
    const events = [
      rescale(1, 10, [T0, T0 + 2 * HOUR], "above"),
      rescale(2, 8, [T0 + HOUR, T0 + 2 * HOUR], "below"),
    ];
    const withWindow = (seconds: number) =>
      build([
        ...deployment("shop", "api", 3, "500m"),
        hpa("shop", "api", 1, 10, { behavior: { scaleDown: { stabilizationWindowSeconds: seconds } } }),
        ...events,
      ]);
    const f = hpaFindings(withWindow(600), undefined).find((x) => x.kind === "flapping")!;
    assert.equal(f.current, 600);
    assert.equal(f.recommended, 1200);
    assert.equal(f.evidence.stabilizationWindowFrom, "hpa");
    assert.equal(hpaFindings(withWindow(3600), undefined).filter((x) => x.kind === "flapping").length, 0);
  });

  it("flags targets outside the sane range from the HPA object itself", () => {
    const state = build([
      ...deployment("shop", "api", 3, "500m"),
      hpa("shop", "api", 1, 10, { cpuTarget: 40 }),
    ]);
    const f = hpaFindings(state, undefined);
    assert.deepEqual(
      f.map((x) => [x.kind, x.current, x.recommended, x.evidence.targetFrom]),
      [["target-too-low", 40, 70, "hpa"]],
    );
    // No target on the HPA: nothing is known, nothing is flagged.
    const unknown = build([
      ...deployment("shop", "api", 3, "500m"),
      hpa("shop", "api", 1, 10, { cpuTarget: null }),
    ]);
    assert.equal(hpaFindings(unknown, undefined).length, 0);
  });

  it("flags targets outside the sane range when they are known", () => {
    const state = build([...deployment("shop", "api", 3, "500m"), hpa("shop", "api", 1, 10)]);
    const f = hpaFindings(state, undefined, { hpaTargets: () => ({ cpu: 95 }) });
    assert.deepEqual(
      f.map((x) => [x.kind, x.current, x.recommended]),
      [["target-too-high", 95, 80]],
    );
  });

  it("puts it together, with candidates first", () => {
    const state = build([
      node("node-a", {}),
      ...deployment("shop", "api", 3, "500m"),
      hpa("shop", "api", 1, 3),
    ]);
    const t = autoscalingTuning(state, usage("shop", "api", 3, 0.45));
    assert.equal(t.hpas.length, 1);
    assert.equal(t.pools[0]!.pool, "default");
    assert.equal(t.pools[0]!.usedCpu, 1350);
    assert.equal(t.nodes[0]!.node, "node-a");
    // The HPA states its target: nothing is assumed.
    assert.equal(
      t.notes.some((n) => n.includes("assumed")),
      false,
    );
    const unknown = build([
      ...deployment("shop", "api", 3, "500m"),
      hpa("shop", "api", 1, 3, { cpuTarget: null }),
    ]);
    const notes = autoscalingTuning(unknown, undefined).notes;
    assert.equal(
      notes.some((n) => n.includes("shop/api") && n.includes("80% assumed")),
      true,
      notes.join("; "),
    );
  });
});

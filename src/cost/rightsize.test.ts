import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse, parseAllDocuments } from "yaml";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeObject } from "../state/raw.js";
import { DEMO_NOW_MS, demoOptionsFromScale, generateDemo, usageSeries } from "../demo/index.js";
import type { ContainerSeries, UsageData, UsageWindow } from "./types.js";
import { containerKey } from "./types.js";
import { hpaSizing, recommend } from "./rightsize.js";
import type { WorkloadRecommendation } from "./rightsize.js";
import { percentile } from "./rightsize-strategy.js";
import { patchesYaml, rightsizePatches, rightsizeRows, workloadPatch } from "./rightsize-output.js";

const Mi = 1024 * 1024;
const T0 = Date.parse("2026-11-01T00:00:00Z");
const STEP = 60;

function windowOf(points: number): UsageWindow {
  return { start: new Date(T0), end: new Date(T0 + (points - 1) * STEP * 1000), stepSeconds: STEP };
}

function build(objects: KubeObject[]): ClusterState {
  const b = new ClusterStateBuilder({
    source: "snapshot",
    sourceDetail: "test",
    collectedAt: T0 + 1000 * STEP * 1000,
  });
  for (const o of objects) b.add(o);
  return b.build({ complete: true });
}

interface C {
  name: string;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** A Deployment, its ReplicaSet and pods `<name>-abcde12345-<i>xxxx`, with optional container statuses. */
function deployment(
  ns: string,
  name: string,
  containers: C[],
  pods: number,
  statuses: (i: number) => unknown[] = () => [],
): KubeObject[] {
  const template = {
    metadata: { labels: { app: name } },
    spec: {
      containers: containers.map((c) => ({
        name: c.name,
        image: "img",
        resources: { requests: c.requests, limits: c.limits },
      })),
    },
  };
  const rs = `${name}-abcde12345`;
  const out: KubeObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns, uid: `d-${ns}-${name}` },
      spec: { replicas: pods, selector: { matchLabels: { app: name } }, template },
    },
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: rs,
        namespace: ns,
        uid: `rs-${ns}-${name}`,
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name, uid: `d-${ns}-${name}`, controller: true },
        ],
      },
      spec: { replicas: pods, selector: { matchLabels: { app: name } }, template },
    },
  ];
  for (let i = 0; i < pods; i++)
    out.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: podName(name, i),
        namespace: ns,
        uid: `p-${ns}-${name}-${i}`,
        labels: { app: name },
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs, uid: `rs-${ns}-${name}`, controller: true },
        ],
      },
      spec: { ...template.spec, nodeName: "node-1" },
      status: { phase: "Running", containerStatuses: statuses(i) },
    });
  return out;
}

function podName(name: string, i: number): string {
  return `${name}-abcde12345-${i}xxxx`;
}

function usageOf(
  series: ContainerSeries[],
  window: UsageWindow,
  source: UsageData["source"] = "prometheus",
): UsageData {
  return {
    source,
    confidence: source === "metrics-server" ? "low" : "high",
    window,
    containers: new Map(series.map((s) => [containerKey(s.namespace, s.pod, s.container), s])),
    partial: false,
    problems: [],
    notes: [],
  };
}

function fill(n: number, f: (i: number) => number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => f(i));
}

function only(ws: readonly WorkloadRecommendation[], name: string): WorkloadRecommendation {
  const w = ws.find((x) => x.name === name);
  assert.ok(w, `no recommendation for ${name}`);
  return w;
}

const WEB: C[] = [
  { name: "web", requests: { cpu: "2", memory: "2Gi" }, limits: { cpu: "4", memory: "2Gi" } },
];

describe("percentile", () => {
  it("interpolates between closest ranks like quantile_over_time", () => {
    assert.equal(
      percentile(
        fill(1000, (i) => i),
        95,
      ),
      949.05,
    );
    assert.equal(
      percentile(
        fill(5, (i) => i),
        50,
      ),
      2,
    );
    assert.equal(percentile(Float64Array.from([1, Number.NaN, 3]), 50), 2);
    assert.ok(Number.isNaN(percentile(new Float64Array(0), 95)));
  });
});

describe("recommend (KRR simple)", () => {
  const n = 1000;
  const w = windowOf(n);
  const state = build(deployment("shop", "web", WEB, 2));
  const rampCpu = fill(n, (i) => i / 1000);
  const rampMem = fill(n, (i) => i * Mi);

  it("CPU request = p95, memory = max x 1.15, pooled over the workload's pods", () => {
    // Pod 0 holds the lower half of the ramp, pod 1 the upper half: pooled, it is the ramp.
    const half = (a: Float64Array, lo: boolean): Float64Array =>
      a.map((v, i) => (i < n / 2 === lo ? v : Number.NaN));
    const usage = usageOf(
      [0, 1].map((i) => ({
        namespace: "shop",
        pod: podName("web", i),
        container: "web",
        cpu: half(rampCpu, i === 0),
        memory: half(rampMem, i === 0),
      })),
      w,
    );
    const r = recommend(state, usage);
    const rec = only(r.workloads, "web");
    assert.equal(rec.kind, "Deployment");
    assert.equal(rec.confidence, "high");
    const c = rec.containers[0]!;
    assert.equal(c.container, "web");
    // p95 of 0..0.999 cores = 0.94905 -> 949.05m -> rounded up to 950m.
    assert.equal(c.cpu.status, "ok");
    assert.deepEqual(c.cpu.recommended, { request: 950 });
    assert.equal(c.cpu.provenance.bound, "p95");
    assert.equal(c.cpu.provenance.points, 1000);
    assert.equal(c.cpu.provenance.pods, 2);
    assert.ok(Math.abs(c.cpu.provenance.observed! - 949.05) < 1e-9);
    assert.equal(c.cpu.provenance.floorApplied, false);
    assert.deepEqual(c.cpu.current, { request: 2000, limit: 4000 });
    assert.deepEqual(c.cpu.delta, { request: -1050, requestPercent: -52.5 });
    // max 999Mi x 1.15 = 1148.85Mi -> 1149Mi, request = limit.
    assert.deepEqual(c.memory.recommended, { request: 1149 * Mi, limit: 1149 * Mi });
    assert.equal(c.memory.provenance.bound, "max+buffer");
    assert.equal(c.memory.provenance.observed, 999 * Mi);
    assert.equal(c.memory.provenance.bufferPercent, 15);
  });

  it("gives no recommendation below the minimum number of points, and one at it", () => {
    const mk = (k: number): UsageData =>
      usageOf(
        [
          {
            namespace: "shop",
            pod: podName("web", 0),
            container: "web",
            cpu: fill(k, () => 0.5),
            memory: fill(k, () => 300 * Mi),
          },
        ],
        windowOf(k),
      );
    const few = only(recommend(state, mk(99)).workloads, "web").containers[0]!;
    assert.equal(few.cpu.status, "insufficient-data");
    assert.equal(few.cpu.recommended, undefined);
    assert.match(few.cpu.reason!, /99 points < 100/);
    assert.equal(few.memory.status, "insufficient-data");
    const enough = only(recommend(state, mk(100)).workloads, "web").containers[0]!;
    assert.deepEqual(enough.cpu.recommended, { request: 500 });
    assert.deepEqual(enough.memory.recommended, { request: 345 * Mi, limit: 345 * Mi });
    // The other pod has no samples: it still belongs to the workload.
    const none = only(recommend(state, usageOf([], w)).workloads, "web");
    assert.equal(none.containers[0]!.cpu.status, "no-data");
    assert.equal(none.confidence, "none");
  });

  it("applies the floors of 10m and 100Mi", () => {
    const usage = usageOf(
      [
        {
          namespace: "shop",
          pod: podName("web", 0),
          container: "web",
          cpu: fill(n, () => 0.002),
          memory: fill(n, () => 10 * Mi),
        },
      ],
      w,
    );
    const c = only(recommend(state, usage).workloads, "web").containers[0]!;
    assert.deepEqual(c.cpu.recommended, { request: 10 });
    assert.equal(c.cpu.provenance.bound, "floor");
    assert.equal(c.cpu.provenance.floorApplied, true);
    assert.deepEqual(c.memory.recommended, { request: 100 * Mi, limit: 100 * Mi });
    assert.equal(c.memory.provenance.bound, "floor");
  });

  it("marks metrics-server usage low confidence", () => {
    const usage = usageOf(
      [{ namespace: "shop", pod: podName("web", 0), container: "web", cpu: rampCpu, memory: rampMem }],
      w,
      "metrics-server",
    );
    const r = recommend(state, usage);
    assert.equal(r.confidence, "low");
    assert.equal(only(r.workloads, "web").confidence, "low");
    assert.ok(r.notes.some((x) => x.includes("metrics-server")));
  });

  it("places series of pods gone from the state by their names, and reports the rest", () => {
    const usage = usageOf(
      [
        { namespace: "shop", pod: "web-zzzzz99999-qqqqq", container: "web", cpu: rampCpu, memory: rampMem },
        { namespace: "shop", pod: "stranger", container: "x", cpu: rampCpu, memory: rampMem },
      ],
      w,
    );
    const r = recommend(state, usage);
    const rec = only(r.workloads, "web");
    assert.ok(rec.pods.includes("web-zzzzz99999-qqqqq"));
    assert.deepEqual(rec.containers[0]!.cpu.recommended, { request: 950 });
    assert.deepEqual(r.unmatched, ["shop/stranger/x"]);
  });
});

describe("recommend: OOM-aware", () => {
  const n = 1000;
  const w = windowOf(n);
  const MEM: C[] = [{ name: "app", requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "512Mi" } }];
  const killed = (finishedAt: number) => (i: number) =>
    i === 0
      ? [
          {
            name: "app",
            ready: true,
            restartCount: 1,
            state: { running: {} },
            lastState: {
              terminated: {
                reason: "OOMKilled",
                exitCode: 137,
                finishedAt: new Date(finishedAt).toISOString(),
              },
            },
          },
        ]
      : [];
  const series = (peakMi: number, k = n): ContainerSeries[] => [
    {
      namespace: "shop",
      pod: podName("mem", 0),
      container: "app",
      cpu: fill(k, () => 0.1),
      memory: fill(k, (i) => (i === 7 ? peakMi : 100) * Mi),
    },
  ];

  it("raises memory from the limit it was killed at: max(limit x 1.25, max x 1.15)", () => {
    const state = build(deployment("shop", "mem", MEM, 1, killed(T0 + 3600_000)));
    const c = only(recommend(state, usageOf(series(400), w)).workloads, "mem").containers[0]!;
    // 512Mi x 1.25 = 640Mi beats 400Mi x 1.15 = 460Mi.
    assert.deepEqual(c.memory.recommended, { request: 640 * Mi, limit: 640 * Mi });
    assert.equal(c.memory.provenance.bound, "oom");
    assert.deepEqual(c.memory.provenance.oom?.pods, [podName("mem", 0)]);
    assert.equal(c.memory.provenance.oom?.limit, 512 * Mi);
    // A peak above the limit's bound wins: 600Mi x 1.15 = 690Mi.
    const c2 = only(recommend(state, usageOf(series(600), w)).workloads, "mem").containers[0]!;
    assert.deepEqual(c2.memory.recommended, { request: 690 * Mi, limit: 690 * Mi });
    assert.equal(c2.memory.provenance.bound, "max+buffer");
    assert.ok(c2.memory.provenance.oom);
  });

  it("recommends from the kill alone with too few points, and ignores kills before the window", () => {
    const state = build(deployment("shop", "mem", MEM, 1, killed(T0 + 3600_000)));
    const c = only(recommend(state, usageOf(series(400, 10), windowOf(10))).workloads, "mem").containers[0]!;
    assert.equal(c.memory.status, "ok");
    assert.deepEqual(c.memory.recommended, { request: 640 * Mi, limit: 640 * Mi });
    assert.equal(c.cpu.status, "insufficient-data");
    const old = build(deployment("shop", "mem", MEM, 1, killed(T0 - 3600_000)));
    const c2 = only(recommend(old, usageOf(series(400), w)).workloads, "mem").containers[0]!;
    assert.equal(c2.memory.provenance.oom, undefined);
    assert.deepEqual(c2.memory.recommended, { request: 460 * Mi, limit: 460 * Mi });
  });
});

function hpa(
  ns: string,
  name: string,
  [min, max, current]: [number, number, number],
  target: Record<string, unknown> | null = { type: "Utilization", averageUtilization: 80 },
): KubeObject {
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
          resource: { name: "cpu", ...(target ? { target } : {}) },
        },
      ],
    },
    status: { currentReplicas: current, desiredReplicas: current },
  };
}

describe("recommend: HPA-aware", () => {
  const n = 1000;
  const w = windowOf(n);
  const API: C[] = [{ name: "api", requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } }];
  const perPod = (pods: number, cores: number): ContainerSeries[] =>
    Array.from({ length: pods }, (_, i) => ({
      namespace: "shop",
      pod: podName("api", i),
      container: "api",
      cpu: fill(n, () => cores),
      memory: fill(n, () => 200 * Mi),
    }));

  it("keeps the scaling threshold (target x request) when the HPA is scaling", () => {
    // 3 pods at 0.7 cores: load 2100m; threshold 80% x 1000m = 800m; ceil(2100 / 800) = 3 > min 2.
    // KRR alone: 700m, target 800 / 700 = 114% -> capped at 85%; request 800 / 0.85 = 941.2m -> 942m.
    const state = build([...deployment("shop", "api", API, 3), hpa("shop", "api", [2, 10, 3])]);
    const rec = only(recommend(state, usageOf(perPod(3, 0.7), w)).workloads, "api");
    const c = rec.containers[0]!;
    assert.deepEqual(c.cpu.recommended, { request: 942 });
    assert.equal(c.cpu.provenance.bound, "hpa");
    assert.equal(c.cpu.provenance.proposed, 700);
    const h = rec.hpa[0]!;
    assert.equal(h.hpa, "api");
    assert.equal(h.currentTarget, 80);
    assert.equal(h.targetAssumed, false);
    assert.equal(h.targetSource, "hpa");
    assert.equal(h.recommendedTarget, 85);
    assert.equal(h.threshold, 800);
    assert.ok(Math.abs(h.newThreshold - 800.7) < 1e-9);
    assert.ok(Math.abs(h.observedLoad - 2100) < 1e-6);
    assert.equal(h.mode, "scaling");
    assert.equal(h.replicasBefore, 3);
    assert.equal(h.replicasAfter, 3);
    assert.match(h.explanation, /threshold is kept/);
    // Memory is not an HPA metric here: plain KRR.
    assert.equal(c.memory.provenance.bound, "max+buffer");
  });

  it("uses a known target: 50% -> 71%, request 705m, 5 replicas before and after", () => {
    // threshold 500m; load 2100m -> ceil(4.2) = 5 replicas; KRR 700m: 500 / 700 = 71.4% -> 71%;
    // 500 / 0.71 = 704.2m -> 705m; new threshold 0.71 x 705 = 500.55m; ceil(2100 / 500.55) = 5.
    const state = build([...deployment("shop", "api", API, 3), hpa("shop", "api", [2, 10, 5])]);
    const r = recommend(state, usageOf(perPod(3, 0.7), w), { hpaTargets: () => ({ cpu: 50 }) });
    const rec = only(r.workloads, "api");
    assert.deepEqual(rec.containers[0]!.cpu.recommended, { request: 705 });
    const h = rec.hpa[0]!;
    assert.equal(h.targetAssumed, false);
    assert.equal(h.recommendedTarget, 71);
    assert.ok(Math.abs(h.newThreshold - 500.55) < 1e-9);
    assert.equal(h.replicasBefore, 5);
    assert.equal(h.replicasAfter, 5);
  });

  it("reads the HPA's own averageUtilization: 50% on the object gives the same as the hook", () => {
    const state = build([
      ...deployment("shop", "api", API, 3),
      hpa("shop", "api", [2, 10, 5], { type: "Utilization", averageUtilization: 50 }),
    ]);
    const rec = only(recommend(state, usageOf(perPod(3, 0.7), w)).workloads, "api");
    assert.deepEqual(rec.containers[0]!.cpu.recommended, { request: 705 });
    const h = rec.hpa[0]!;
    assert.equal(h.currentTarget, 50);
    assert.equal(h.targetSource, "hpa");
    assert.equal(h.recommendedTarget, 71);
    // The hook still wins (a planned target).
    const hooked = only(
      recommend(state, usageOf(perPod(3, 0.7), w), { hpaTargets: () => ({ cpu: 80 }) }).workloads,
      "api",
    );
    assert.equal(hooked.hpa[0]!.currentTarget, 80);
    assert.equal(hooked.hpa[0]!.targetSource, "settings");
  });

  it("assumes 80% when the HPA's metric has no target", () => {
    const state = build([...deployment("shop", "api", API, 3), hpa("shop", "api", [2, 10, 3], null)]);
    const h = only(recommend(state, usageOf(perPod(3, 0.7), w)).workloads, "api").hpa[0]!;
    assert.equal(h.currentTarget, 80);
    assert.equal(h.targetAssumed, true);
    assert.equal(h.targetSource, "assumed");
  });

  it("an averageValue CPU target does not follow requests: the strategy's value stands, with a note", () => {
    const state = build([
      ...deployment("shop", "api", API, 3),
      hpa("shop", "api", [2, 10, 3], { type: "AverageValue", averageValue: "600m" }),
    ]);
    const rec = only(recommend(state, usageOf(perPod(3, 0.7), w)).workloads, "api");
    const c = rec.containers[0]!;
    assert.deepEqual(c.cpu.recommended, { request: 700 });
    assert.equal(c.cpu.provenance.bound, "p95");
    assert.equal(rec.hpa.length, 0);
    assert.equal(
      c.cpu.provenance.notes.some((n) => n.includes("AverageValue cpu target of 600m")),
      true,
      c.cpu.provenance.notes.join("; "),
    );
  });

  it("at minReplicas, only needs a threshold above load / min", () => {
    // 3 pods at 0.1 cores: load 300m, ceil(300 / 800) = 1 <= min 3; required threshold 300 / 3 = 100m;
    // KRR 100m: 100% -> 85%; request 100 / 0.85 = 117.6m -> 118m; still 3 replicas.
    const state = build([...deployment("shop", "api", API, 3), hpa("shop", "api", [3, 10, 3])]);
    const rec = only(recommend(state, usageOf(perPod(3, 0.1), w)).workloads, "api");
    assert.deepEqual(rec.containers[0]!.cpu.recommended, { request: 118 });
    const h = rec.hpa[0]!;
    assert.equal(h.mode, "at-min");
    assert.equal(h.recommendedTarget, 85);
    assert.equal(h.replicasBefore, 3);
    assert.equal(h.replicasAfter, 3);
  });

  it("at maxReplicas, keeps the proposal while the threshold stays below load / max", () => {
    // 3 pods at 0.7 cores, max 3: ceil(2100 / 800) = 3 >= max. Any threshold <= 700m keeps 3;
    // required min(800, 700) = 700m; KRR 700m -> 100% -> 85%; 85% x 700m = 595m <= 700m: 700m stands.
    const state = build([...deployment("shop", "api", API, 3), hpa("shop", "api", [1, 3, 3])]);
    const rec = only(recommend(state, usageOf(perPod(3, 0.7), w)).workloads, "api");
    assert.deepEqual(rec.containers[0]!.cpu.recommended, { request: 700 });
    const h = rec.hpa[0]!;
    assert.equal(h.mode, "at-max");
    assert.equal(h.recommendedTarget, 85);
    assert.equal(h.replicasBefore, 3);
    assert.equal(h.replicasAfter, 3);
  });

  it("hpaSizing: the arithmetic on its own", () => {
    const s = hpaSizing({
      target: 50,
      currentRequestSum: 2000,
      proposedRequestSum: 400,
      load: 5000,
      minReplicas: 1,
      maxReplicas: 20,
      minTarget: 50,
      maxTarget: 85,
    });
    // threshold 1000m, 5 replicas; 1000 / 400 = 250% -> 85%; request 1000 / 0.85 = 1176.5m.
    assert.equal(s.threshold, 1000);
    assert.equal(s.replicasBefore, 5);
    assert.equal(s.recommendedTarget, 85);
    assert.ok(Math.abs(s.requestSum - 1000 / 0.85) < 1e-9);
    // A proposal far above the threshold at min replicas: the minimum target, the proposal stands.
    const t = hpaSizing({ ...base(), proposedRequestSum: 3000, load: 100 });
    assert.equal(t.mode, "at-min");
    assert.equal(t.recommendedTarget, 50);
    assert.equal(t.requestSum, 3000);
  });
  const base = () => ({
    target: 80,
    currentRequestSum: 1000,
    proposedRequestSum: 1000,
    load: 0,
    minReplicas: 2,
    maxReplicas: 5,
    minTarget: 50,
    maxTarget: 85,
  });
});

describe("rightsize output", () => {
  const n = 1000;
  const w = windowOf(n);
  const cron: KubeObject = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "nightly", namespace: "ops", uid: "cj-1" },
    spec: {
      schedule: "0 2 * * *",
      jobTemplate: {
        spec: {
          template: {
            spec: { containers: [{ name: "run", image: "i", resources: { requests: { cpu: "1" } } }] },
          },
        },
      },
    },
  };
  const job: KubeObject = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: "nightly-29000000",
      namespace: "ops",
      uid: "j-1",
      ownerReferences: [
        { apiVersion: "batch/v1", kind: "CronJob", name: "nightly", uid: "cj-1", controller: true },
      ],
    },
    spec: { template: { spec: { containers: [{ name: "run", image: "i" }] } } },
  };
  const state = build([...deployment("shop", "web", WEB, 1), cron, job]);
  const usage = usageOf(
    [
      {
        namespace: "shop",
        pod: podName("web", 0),
        container: "web",
        cpu: fill(n, (i) => i / 1000),
        memory: fill(n, (i) => i * Mi),
      },
      {
        namespace: "shop",
        pod: podName("web", 0),
        container: "istio-proxy",
        cpu: fill(n, () => 0.05),
        memory: fill(n, () => 200 * Mi),
      },
      {
        namespace: "ops",
        pod: "nightly-29000000-abcde",
        container: "run",
        cpu: fill(n, () => 0.25),
        memory: fill(n, () => 256 * Mi),
      },
    ],
    w,
  );
  const result = recommend(state, usage);

  it("renders rows with current, recommended, delta and bound", () => {
    const rows = rightsizeRows(result);
    const web = rows.find((r) => r.container === "web")!;
    assert.equal(web.workload, "Deployment/web");
    assert.equal(web.cpuRequest, "2");
    assert.equal(web.cpuRecommended, "950m");
    assert.equal(web.cpuDelta, "-1050m (-52.5%)");
    assert.equal(web.memoryRecommended, "1149Mi");
    assert.equal(web.memoryLimit, "2Gi");
    assert.equal(web.cpuBound, "p95");
    const sidecar = rows.find((r) => r.container === "istio-proxy")!;
    assert.match(sidecar.note, /not in the pod template/);
    const run = rows.find((r) => r.container === "run")!;
    assert.equal(run.workload, "CronJob/nightly");
    assert.equal(run.memoryDelta, "new");
  });

  it("makes kustomize patches that parse and carry the values, and kubectl commands", () => {
    const patches = rightsizePatches(result);
    assert.deepEqual(
      patches.map((p) => `${p.kind}/${p.name}`),
      ["CronJob/nightly", "Deployment/web"],
    );
    const web = patches.find((p) => p.kind === "Deployment")!;
    const doc = parse(web.yaml) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(doc.apiVersion, "apps/v1");
    assert.deepEqual(doc.metadata, { name: "web", namespace: "shop" });
    // The injected sidecar is not in the template: not patched.
    assert.deepEqual(doc.spec.template.spec.containers, [
      {
        name: "web",
        resources: { requests: { cpu: "950m", memory: "1149Mi" }, limits: { memory: "1149Mi" } },
      },
    ]);
    const m = /^kubectl patch deployment web -n shop --type=strategic -p '(.*)'$/.exec(web.kubectl);
    assert.ok(m, web.kubectl);
    assert.deepEqual(JSON.parse(m[1]!), web.patch);
    const cj = parse(patches.find((p) => p.kind === "CronJob")!.yaml) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(cj.apiVersion, "batch/v1");
    assert.deepEqual(cj.spec.jobTemplate.spec.template.spec.containers[0].resources.requests, {
      cpu: "250m",
      memory: "295Mi",
    });
    const all = parseAllDocuments(patchesYaml(patches));
    assert.equal(all.length, 2);
  });

  it("raises or removes a CPU limit the new request would exceed", () => {
    const low: C[] = [{ name: "web", requests: { cpu: "100m" }, limits: { cpu: "200m" } }];
    const st = build(deployment("shop", "web", low, 1));
    const u = usageOf(
      [
        {
          namespace: "shop",
          pod: podName("web", 0),
          container: "web",
          cpu: fill(n, () => 0.5),
          memory: fill(n, () => 300 * Mi),
        },
      ],
      w,
    );
    const w0 = only(recommend(st, u).workloads, "web");
    const keep = workloadPatch(w0)!;
    type TemplateSpec = { template: { spec: { containers: { resources: unknown }[] } } };
    const res = (p: typeof keep) =>
      (p.patch.spec as unknown as TemplateSpec).template.spec.containers[0]!.resources;
    assert.deepEqual(res(keep), {
      requests: { cpu: "500m", memory: "345Mi" },
      limits: { cpu: "500m", memory: "345Mi" },
    });
    assert.ok(keep.notes.some((x) => x.includes("raised")));
    const removed = workloadPatch(w0, { cpuLimit: "remove" })!;
    assert.deepEqual(res(removed), {
      requests: { cpu: "500m", memory: "345Mi" },
      limits: { cpu: null, memory: "345Mi" },
    });
  });

  it("patches the HPA's target with the workload", () => {
    const API: C[] = [{ name: "api", requests: { cpu: "1" } }];
    const st = build([...deployment("shop", "api", API, 3), hpa("shop", "api", [2, 10, 3])]);
    const u = usageOf(
      [0, 1, 2].map((i) => ({
        namespace: "shop",
        pod: podName("api", i),
        container: "api",
        cpu: fill(n, () => 0.7),
        memory: fill(n, () => 200 * Mi),
      })),
      w,
    );
    const p = workloadPatch(only(recommend(st, u).workloads, "api"))!;
    assert.deepEqual(p.hpa?.patch, {
      spec: {
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 85 } },
          },
        ],
      },
    });
    assert.match(p.hpa!.kubectl, /^kubectl patch hpa api -n shop --type=merge -p '/);
  });
});

describe("rightsize on the demo cluster", () => {
  const opts = demoOptionsFromScale("small", 42);
  const b = new ClusterStateBuilder({ source: "demo", sourceDetail: "test", collectedAt: DEMO_NOW_MS });
  for (const o of generateDemo(opts)) b.add(o);
  const state = b.build({ complete: true });
  const window: UsageWindow = {
    start: new Date(DEMO_NOW_MS - 14 * 24 * 3600_000),
    end: new Date(DEMO_NOW_MS),
    stepSeconds: 3600,
  };
  const namespaces = new Set(["analytics", "checkout", "search"]);
  const series: ContainerSeries[] = [];
  for (const p of state.list("Pod")) {
    if (!namespaces.has(p.namespace) || p.phase !== "Running") continue;
    for (const c of p.containers) {
      const ref = { namespace: p.namespace, pod: p.name, container: c.name };
      series.push({
        ...ref,
        cpu: usageSeries(opts, ref, "cpu", window),
        memory: usageSeries(opts, ref, "memory", window),
      });
    }
  }
  const result = recommend(state, usageOf(series, window, "demo"), {}, { namespaces });

  it("lowers the over-provisioned container's requests", () => {
    const w = result.workloads.find((x) => x.namespace === "analytics" && x.name === "report-builder")!;
    const c = w.containers.find((x) => x.container === "builder")!;
    assert.equal(c.cpu.status, "ok");
    assert.ok(c.cpu.recommended!.request < 0.3 * c.cpu.current.request!, JSON.stringify(c.cpu.recommended));
    assert.ok(c.memory.recommended!.request < 0.5 * c.memory.current.request!);
  });

  it("gives the leaking, OOMKilled container more memory than its limit", () => {
    const w = result.workloads.find((x) => x.namespace === "checkout" && x.name === "recommendation-engine")!;
    const c = w.containers.find((x) => x.container === "engine")!;
    assert.ok(c.memory.provenance.oom, "OOM kill not seen");
    assert.ok(c.memory.recommended!.limit! >= 1.25 * c.memory.current.limit!);
    assert.equal(c.memory.provenance.bound, "oom");
  });

  it("produces patches that parse for every patchable workload", () => {
    const patches = rightsizePatches(result);
    assert.ok(patches.length > 3);
    for (const p of patches)
      assert.equal((parse(p.yaml) as { metadata: { name: string } }).metadata.name, p.name);
  });
});

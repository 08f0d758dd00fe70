/**
 * `day2 cost rightsize --snapshot S --prometheus URL` against a real Prometheus holding 15
 * days of backfilled history at a 10-minute step for a small hand-built cluster saved as a
 * snapshot: the exact recommended requests, then a Prometheus that is down (exit 3, a clear
 * line) and one that answers 500 for one namespace (partial results, marked as such).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFaultProxy } from "../../test/integration/fault-proxy.js";
import { day2Async, type Run } from "../../test/support/day2-cli.js";
import {
  freePort,
  historyEnd,
  shapes,
  startPrometheus,
  type SyntheticContainer,
  type SyntheticHistory,
  type TestPrometheus,
} from "../../test/support/prometheus.js";
import { SnapshotWriter } from "../snapshot/write.js";
import { KINDS } from "../state/kinds.js";

const STEP = 600;
const PER_DAY = 144;
const SAMPLES = 15 * PER_DAY + 1;
const Mi = 2 ** 20;
const Gi = 2 ** 30;
const last = Math.floor(Date.now() / 1000 / STEP) * STEP;
const TMP = mkdtempSync(join(tmpdir(), "day2-cost-prom-"));
const day2 = (args: string[]): Promise<Run> => day2Async(args, {}, TMP);

const WEB = ["web-7d9f8b6c5d-abcde", "web-7d9f8b6c5d-fghij"];
const ETL = "etl-5f6d7c8b9a-klmno";

/**
 * Rates chosen so every value is exact in binary floating point (rate() divides counter deltas
 * by the window): app p95 pooled over both pods is 0.5 cores, its peak 256Mi; proxy 1/64 core.
 */
const CONTAINERS: SyntheticContainer[] = [
  {
    namespace: "shop",
    pod: WEB[0]!,
    container: "app",
    cpu: shapes.constant(0.25),
    memory: shapes.constant(200 * Mi),
  },
  {
    namespace: "shop",
    pod: WEB[1]!,
    container: "app",
    // (0.125 + 0.875) / 2 = 0.5 at the two rate points after every 10th sample: 20% of them.
    cpu: shapes.spikes(0.125, 0.875, 10),
    memory: shapes.sawtooth(128 * Mi, 256 * Mi, 37),
  },
  ...WEB.map((pod) => ({
    namespace: "shop",
    pod,
    container: "proxy",
    cpu: shapes.constant(0.015625),
    memory: shapes.constant(64 * Mi),
  })),
  {
    namespace: "data",
    pod: ETL,
    container: "job",
    cpu: shapes.constant(1.5),
    memory: shapes.constant(1 * Gi),
  },
];

const history: SyntheticHistory = {
  start: new Date((last - (SAMPLES - 1) * STEP) * 1000),
  stepSeconds: STEP,
  samples: SAMPLES,
  containers: CONTAINERS,
};

function deployment(ns: string, name: string, rs: string, pods: string[], containers: object[]): object[] {
  const labels = { app: name };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns, uid: `d-${name}`, labels },
      spec: {
        replicas: pods.length,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers } },
      },
      status: { replicas: pods.length, readyReplicas: pods.length, availableReplicas: pods.length },
    },
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: rs,
        namespace: ns,
        uid: `rs-${rs}`,
        labels,
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name, uid: `d-${name}`, controller: true },
        ],
      },
      spec: {
        replicas: pods.length,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers } },
      },
    },
    ...pods.map((pod) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: pod,
        namespace: ns,
        uid: `p-${pod}`,
        labels,
        creationTimestamp: "2026-01-01T00:00:00Z",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs, uid: `rs-${rs}`, controller: true },
        ],
      },
      spec: { nodeName: "node-1", containers },
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: (containers as { name: string }[]).map((c) => ({
          name: c.name,
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: "2026-01-01T00:00:00Z" } },
        })),
      },
    })),
  ];
}

async function writeSnapshot(file: string): Promise<void> {
  const w = new SnapshotWriter(file);
  const objects: object[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", uid: "ns-shop" } },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "data", uid: "ns-data" } },
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: "node-1",
        uid: "n-1",
        creationTimestamp: "2026-01-01T00:00:00Z",
        labels: {
          "node.kubernetes.io/instance-type": "m6i.xlarge",
          "topology.kubernetes.io/region": "us-east-1",
          "topology.kubernetes.io/zone": "us-east-1a",
        },
      },
      spec: { providerID: "aws:///us-east-1a/i-0abc" },
      status: {
        capacity: { cpu: "4", memory: "16Gi", pods: "110" },
        allocatable: { cpu: "3920m", memory: "15Gi", pods: "110" },
        conditions: [{ type: "Ready", status: "True" }],
      },
    },
    ...deployment("shop", "web", "web-7d9f8b6c5d", WEB, [
      {
        name: "app",
        image: "shop/web:1.0",
        resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } },
      },
      { name: "proxy", image: "envoy:1.30", resources: { requests: { cpu: "100m", memory: "128Mi" } } },
    ]),
    ...deployment(
      "data",
      "etl",
      "etl-5f6d7c8b9a",
      [ETL],
      [{ name: "job", image: "data/etl:2", resources: { requests: { cpu: "2", memory: "2Gi" } } }],
    ),
  ];
  for (const o of objects) w.write(o as never);
  await w.finish({
    source: "live",
    sourceDetail: "test",
    context: "test",
    // The window ends here: the last sample of the history.
    collectedAt: historyEnd(history).toISOString(),
    coverage: KINDS.map((k) => ({ kind: k.kind, status: "collected" as const, count: 0 })),
  });
}

interface Rec {
  status: string;
  recommended?: { request: number; limit?: number };
  provenance: { points: number; bound?: string };
}
interface Doc {
  partial: boolean;
  problems: string[];
  usage: { source: string; confidence: string };
  workloads: {
    namespace: string;
    name: string;
    monthlySavings: number;
    containers: { container: string; cpu: Rec; memory: Rec }[];
  }[];
}

function rec(d: Doc, ns: string, name: string, container: string): { cpu: Rec; memory: Rec } {
  const w = d.workloads.find((x) => x.namespace === ns && x.name === name);
  assert.ok(w, `${ns}/${name} in the output`);
  const c = w.containers.find((x) => x.container === container);
  assert.ok(c, `${ns}/${name}/${container}`);
  return c;
}

describe("day2 cost with a real Prometheus", () => {
  let prom: TestPrometheus;
  const snapshot = join(TMP, "cluster.ndjson.gz");
  before(async () => {
    await writeSnapshot(snapshot);
    prom = await startPrometheus({ data: history });
  });
  after(async () => {
    await prom?.stop();
    rmSync(TMP, { recursive: true, force: true });
  });

  it("rightsize -o json prints exactly the requests the history implies", async () => {
    const r = await day2([
      "cost",
      "rightsize",
      "--snapshot",
      snapshot,
      "--prometheus",
      prom.url,
      "-o",
      "json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`usage: querying Prometheus at ${prom.url} for 14d at a 10m step`));
    const d = JSON.parse(r.stdout) as Doc;
    assert.equal(d.partial, false);
    assert.equal(d.usage.source, "prometheus");
    assert.equal(d.usage.confidence, "high");
    const app = rec(d, "shop", "web", "app");
    // 14 days at 10m: 2,017 points per pod, pooled over 2 pods.
    assert.equal(app.cpu.provenance.points, 2 * 2017);
    assert.deepEqual(app.cpu.recommended, { request: 500 });
    assert.equal(app.cpu.provenance.bound, "p95");
    // peak 256Mi x 1.15 = 294.4Mi, rounded up to 295Mi; limit = request.
    assert.deepEqual(app.memory.recommended, { request: 295 * Mi, limit: 295 * Mi });
    const proxy = rec(d, "shop", "web", "proxy");
    assert.deepEqual(proxy.cpu.recommended, { request: 16 }, "15.625m rounded up");
    assert.deepEqual(
      proxy.memory.recommended,
      { request: 100 * Mi, limit: 100 * Mi },
      "64Mi x 1.15 is under the floor",
    );
    assert.equal(proxy.memory.provenance.bound, "floor");
    const etl = rec(d, "data", "etl", "job");
    assert.deepEqual(etl.cpu.recommended, { request: 1500 });
    assert.deepEqual(
      etl.memory.recommended,
      { request: 1178 * Mi, limit: 1178 * Mi },
      "1Gi x 1.15 = 1177.6Mi",
    );
    assert.ok(
      d.workloads.every((w) => w.monthlySavings > 0),
      "every request goes down: money saved",
    );

    // The same numbers as a kustomize patch.
    const k = await day2([
      "cost",
      "rightsize",
      "--snapshot",
      snapshot,
      "--prometheus",
      prom.url,
      "-o",
      "kustomize",
      "-n",
      "shop",
    ]);
    assert.equal(k.code, 0, k.stderr);
    assert.match(
      k.stdout,
      /- name: app\n\s+resources:\n\s+requests:\n\s+cpu: 500m\n\s+memory: 295Mi\n\s+limits:\n\s+memory: 295Mi/,
    );
  });

  it("a Prometheus that is down: exit 3 with one clear line naming the URL", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const r = await day2(["cost", "rightsize", "--snapshot", snapshot, "--prometheus", url]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `error: Prometheus: cannot reach Prometheus at ${url}/api/v1/query_range: .*ECONNREFUSED.*\\[D2_ERR_PROMETHEUS\\]`,
      ),
    );
    assert.equal(r.stdout, "");
  });

  it("500s for one namespace: partial results, marked as such in json and table", async () => {
    const body = JSON.stringify({ status: "error", errorType: "internal", error: "boom" });
    const proxy = await startFaultProxy({
      upstream: prom.url,
      rules: [
        {
          name: "data-500",
          match: (q) => new URLSearchParams(q.body).get("query")?.includes('namespace="data"') === true,
          fault: { type: "respond", status: 500, body },
          times: 1000,
        },
      ],
    });
    try {
      const [json, table, alloc] = await Promise.all([
        day2(["cost", "rightsize", "--snapshot", snapshot, "--prometheus", proxy.url, "-o", "json"]),
        day2(["cost", "rightsize", "--snapshot", snapshot, "--prometheus", proxy.url]),
        day2(["cost", "--snapshot", snapshot, "--prometheus", proxy.url, "-o", "json"]),
      ]);
      assert.equal(json.code, 0, json.stderr);
      const d = JSON.parse(json.stdout) as Doc;
      assert.equal(d.partial, true);
      assert.equal(d.usage.confidence, "medium");
      assert.ok(
        d.problems.some((p) =>
          /^CPU usage for namespace data: Prometheus http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query_range: HTTP 500: internal: boom/.test(
            p,
          ),
        ),
        d.problems.join("\n"),
      );
      assert.match(json.stderr, /warning: partial: CPU usage for namespace data/);
      // shop was answered: the same exact numbers; data has none.
      assert.deepEqual(rec(d, "shop", "web", "app").cpu.recommended, { request: 500 });
      assert.equal(rec(d, "data", "etl", "job").cpu.status, "no-data");
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^partial: CPU usage for namespace data: .*HTTP 500/m);
      assert.equal(alloc.code, 0, alloc.stderr);
      const a = JSON.parse(alloc.stdout) as { partial: boolean; reconciliation: { difference: number } };
      assert.equal(a.partial, true);
      assert.ok(Math.abs(a.reconciliation.difference) < 1e-6, "allocation still reconciles");
      assert.ok(proxy.injected()["data-500"]! >= 2);
    } finally {
      await proxy.close();
    }
  });
});

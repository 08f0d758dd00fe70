/**
 * metrics-server as the usage fallback (src/cost/usage/metrics-server.ts), through the real
 * kube-apiserver's aggregation layer: a metrics.k8s.io stand-in (test/support/metrics-api.ts)
 * on 127.0.0.1 is registered as the APIService v1beta1.metrics.k8s.io behind an ExternalName
 * Service ("127.0.0.1"), and serves known usage for the Running pods of this file's namespace.
 *
 * - the APIService turns Available (the aggregator's discovery check passed, with the
 *   front-proxy client certificate the stand-in demands);
 * - fetchMetricsServerUsage over the apiserver returns the exact cores and bytes, source
 *   "metrics-server", confidence "low", the "current usage only" note; `kubectl top` reads
 *   the same API; `day2 cost rightsize -o json` on the live cluster says its usage is
 *   metrics-server's, low confidence;
 * - a malformed PodMetricsList: bad entries skipped and counted in a note; no list at all or
 *   no JSON: source "none" with the reason;
 * - the stand-in stopped: 503 from the aggregator, source "none" with the reason; the
 *   APIService deleted: 404, "metrics.k8s.io is not served ... (is metrics-server installed?)".
 *
 * The APIService and the namespace are deleted at the end.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { CURRENT_ONLY_NOTE, fetchMetricsServerUsage } from "../../src/cost/usage/metrics-server.js";
import type { UsageData } from "../../src/cost/types.js";
import { collectLive, type KubeConnection } from "../../src/kube/index.js";
import { KubeClient } from "../../src/kube/http.js";
import { ClusterStateBuilder } from "../../src/state/builder.js";
import type { ClusterState } from "../../src/state/cluster-state.js";
import { kindInfo } from "../../src/state/kinds.js";
import { waitFor } from "../cluster/harness.js";
import {
  apiServiceManifests,
  METRICS_API_SERVICE,
  startMetricsApi,
  type ContainerUsage,
  type MetricsApi,
  type PodLike,
} from "../support/metrics-api.js";
import { adminConnection, api, closeApi, cluster, createNamespace, day2, deleteNamespace } from "./env.js";

const C = cluster();
const execFileAsync = promisify(execFile);
const APISERVICE_PATH = `/apis/apiregistration.k8s.io/v1/apiservices/${METRICS_API_SERVICE}`;
const AT = new Date("2026-11-20T12:00:00Z");
const MiB = 2 ** 20;

/** Known usage of this file's pods, by "pod/container" (the stand-in prints them as quantities). */
const USAGE: Record<string, ContainerUsage & { cores: number; bytes: number; text: [string, string] }> = {
  "api-0/app": {
    cpuNanoCores: 250_000_000,
    memoryBytes: 64 * MiB,
    cores: 0.25,
    bytes: 67_108_864,
    text: ["250m", "64Mi"],
  },
  "api-0/sidecar": {
    cpuNanoCores: 1_234_567,
    memoryBytes: 12_345 * 1024,
    cores: 0.001234567,
    bytes: 12_641_280,
    text: ["1234567n", "12345Ki"],
  },
  "worker-0/worker": {
    cpuNanoCores: 1_500_000_000,
    memoryBytes: 1_000_000,
    cores: 1.5,
    bytes: 1_000_000,
    text: ["1500m", "1000000"],
  },
};
/** Every other Running pod of the cluster: 1m and 1Mi per container. */
const OTHER: ContainerUsage = { cpuNanoCores: 1_000_000, memoryBytes: MiB };

function pod(name: string, containers: string[]): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name.replace(/-\d+$/, "") } },
    spec: {
      containers: containers.map((c) => ({
        name: c,
        image: `registry.example.com/${c}:1.0.0`,
        resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
      })),
    },
  };
}

type Condition = { type: string; status: string; reason?: string; message?: string };

async function apiServiceCondition(): Promise<Condition | undefined> {
  const r = await api<{ status?: { conditions?: Condition[] } }>("GET", APISERVICE_PATH);
  return r.body.status?.conditions?.find((c) => c.type === "Available");
}

async function podState(conn: KubeConnection, ns: string): Promise<ClusterState> {
  const b = new ClusterStateBuilder({ source: "live", sourceDetail: "it", collectedAt: Date.now() });
  await collectLive(conn, { kinds: [kindInfo("Pod")!], namespace: ns }, (o) => b.add(o));
  return b.build({ complete: true });
}

function values(u: UsageData): Record<string, [number, number]> {
  return Object.fromEntries(
    [...u.containers.entries()].map(([k, s]) => [k, [s.cpu[0]!, s.memory[0]!] as [number, number]]),
  );
}

void describe("metrics-server (metrics.k8s.io) through the aggregation layer", () => {
  let ns: string;
  let metrics: MetricsApi | undefined;
  let conn: KubeConnection;
  let kube: KubeClient;
  let state: ClusterState;

  before(async () => {
    ns = await createNamespace("metrics");
    for (const [name, containers] of [
      ["api-0", ["app", "sidecar"]],
      ["worker-0", ["worker"]],
    ] as const) {
      const r = await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(name, [...containers]));
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await waitFor(
      async () => {
        const r = await api<{ items: PodLike[] }>("GET", `/api/v1/namespaces/${ns}/pods`);
        return r.body.items.length === 2 && r.body.items.every((p) => p.status?.phase === "Running");
      },
      { timeoutMs: 60_000, intervalMs: 250, description: `pods of ${ns} Running` },
    );
    metrics = await startMetricsApi({
      namespace: ns,
      getJson: async (path) => {
        const r = await api("GET", path);
        if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
        return r.body;
      },
      usage: (p, c) => (p.metadata.namespace === ns ? USAGE[`${p.metadata.name}/${c}`] : OTHER),
      frontProxyCaPem: readFileSync(C.frontProxyCaCertPath, "utf8"),
      clock: () => AT,
    });
    const { service, apiService } = apiServiceManifests(metrics);
    const s = await api("POST", `/api/v1/namespaces/${ns}/services`, service);
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const a = await api("POST", "/apis/apiregistration.k8s.io/v1/apiservices", apiService);
    assert.equal(a.status, 201, JSON.stringify(a.body));
    conn = adminConnection();
    kube = new KubeClient(conn, { retry: { maxAttempts: 2, baseDelayMs: 100 } });
    state = await podState(conn, ns);
  });

  after(async () => {
    try {
      await metrics?.stop();
      const d = await api("DELETE", APISERVICE_PATH);
      if (d.status !== 200 && d.status !== 404) throw new Error(`deleting the APIService: HTTP ${d.status}`);
      await waitFor(async () => (await api("GET", "/apis/metrics.k8s.io/v1beta1")).status === 404, {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: "metrics.k8s.io no longer served",
      });
      if (ns) await deleteNamespace(ns);
    } finally {
      conn?.close();
      closeApi();
    }
  });

  void it("the APIService turns Available: the aggregator reached the stand-in with its proxy client certificate", async () => {
    const cond = await waitFor(
      async () => {
        const c = await apiServiceCondition();
        return c?.status === "True" ? c : false;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: `APIService ${METRICS_API_SERVICE} Available` },
    ).catch(async (e: Error) => {
      throw new Error(`${e.message}; condition now: ${JSON.stringify(await apiServiceCondition())}`);
    });
    assert.equal(cond.reason, "Passed");
    const discovery = metrics!.requests.filter((r) => r.path === "/apis/metrics.k8s.io/v1beta1");
    assert.ok(discovery.length > 0, JSON.stringify(metrics!.requests));
    assert.ok(metrics!.requests.every((r) => r.clientCN === "front-proxy-client"));
    // The apiserver's own discovery lists the group once the aggregator has fetched it.
    await waitFor(
      async () => {
        const r = await api<{ resources?: { name: string }[] }>("GET", "/apis/metrics.k8s.io/v1beta1");
        return (
          r.status === 200 &&
          r.body.resources
            ?.map((x) => x.name)
            .sort()
            .join(",") === "nodes,pods"
        );
      },
      { timeoutMs: 30_000, intervalMs: 250, description: "metrics.k8s.io discovery via the apiserver" },
    );
  });

  void it("the PodMetricsList through the apiserver has metrics-server's shape", async () => {
    type PodMetrics = {
      metadata: { name: string; namespace: string; creationTimestamp: string };
      timestamp: string;
      window: string;
      containers: { name: string; usage: { cpu: string; memory: string } }[];
    };
    const r = await api<{ kind: string; apiVersion: string; items: PodMetrics[] }>(
      "GET",
      `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.kind, r.body.apiVersion], ["PodMetricsList", "metrics.k8s.io/v1beta1"]);
    const got = r.body.items.flatMap((p) => {
      assert.deepEqual(
        [p.metadata.namespace, p.metadata.creationTimestamp, p.timestamp, p.window],
        [ns, "2026-11-20T12:00:00Z", "2026-11-20T12:00:00Z", "30s"],
      );
      return p.containers.map((c) => [`${p.metadata.name}/${c.name}`, [c.usage.cpu, c.usage.memory]]);
    });
    assert.deepEqual(
      Object.fromEntries(got),
      Object.fromEntries(Object.entries(USAGE).map(([k, v]) => [k, v.text])),
    );
    // NodeMetrics: one per Node, the sum of its Running pods' usage.
    const nodes = await api<{ kind: string; items: { metadata: { name: string }; window: string }[] }>(
      "GET",
      "/apis/metrics.k8s.io/v1beta1/nodes",
    );
    assert.equal(nodes.status, 200, JSON.stringify(nodes.body));
    assert.equal(nodes.body.kind, "NodeMetricsList");
    const nodeNames = await api<{ items: { metadata: { name: string } }[] }>("GET", "/api/v1/nodes");
    assert.deepEqual(
      nodes.body.items.map((n) => n.metadata.name).sort(),
      nodeNames.body.items.map((n) => n.metadata.name).sort(),
    );
    assert.ok(nodes.body.items.every((n) => n.window === "30s"));
  });

  void it("fetchMetricsServerUsage: exact cores and bytes of the namespace's containers, low confidence", async () => {
    const before = metrics!.requests.length;
    const u = await fetchMetricsServerUsage(kube, state, { namespace: ns });
    assert.deepEqual(u.problems, []);
    assert.equal(u.source, "metrics-server");
    assert.equal(u.confidence, "low");
    assert.equal(u.partial, false);
    assert.deepEqual(u.notes, [CURRENT_ONLY_NOTE]);
    assert.match(u.notes[0]!, /current usage only/);
    assert.equal(u.window.start.getTime(), AT.getTime());
    assert.equal(u.window.end.getTime(), AT.getTime());
    assert.equal(u.window.stepSeconds, 30);
    const expected = Object.fromEntries(
      Object.entries(USAGE).map(([k, v]) => [`${ns}/${k}`, [v.cores, v.bytes] as [number, number]]),
    );
    assert.deepEqual(values(u), expected);
    // The request went through the aggregator as the admin (front-proxy headers).
    // (The aggregator's own discovery and OpenAPI refreshes come as system:kube-aggregator.)
    const seen = metrics!.requests.slice(before).filter((r) => r.user !== "system:kube-aggregator");
    assert.deepEqual(
      seen.map((r) => [r.path, r.user, r.groups.includes("system:masters"), r.clientCN]),
      [[`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`, "day2-admin", true, "front-proxy-client"]],
    );

    // Cluster-wide: the same containers when filtered by the state; every Running pod without it.
    const all = await fetchMetricsServerUsage(kube, state);
    assert.deepEqual(values(all), expected);
    const unfiltered = await fetchMetricsServerUsage(kube, undefined);
    assert.equal(unfiltered.source, "metrics-server");
    const others = [...unfiltered.containers.values()].filter((s) => s.namespace !== ns);
    assert.ok(others.length > 0, "the scenario namespaces have Running pods");
    assert.ok(others.every((s) => s.cpu[0] === 0.001 && s.memory[0] === MiB));
    for (const k of Object.keys(expected)) assert.ok(unfiltered.containers.has(k), k);
  });

  void it("kubectl top reads the same API", async () => {
    // async: the stand-in answers from this process while kubectl runs
    const { stdout } = await execFileAsync(
      join(C.binDir, "kubectl"),
      ["--kubeconfig", C.kubeconfig, "top", "pod", "-n", ns, "--containers", "--no-headers"],
      { encoding: "utf8", timeout: 60_000 },
    );
    const rows = stdout
      .trim()
      .split("\n")
      .map((l) => l.trim().split(/\s+/).join(" "))
      .sort();
    assert.deepEqual(rows, ["api-0 app 250m 64Mi", "api-0 sidecar 2m 12Mi", "worker-0 worker 1500m 0Mi"]);
  });

  void it("day2 cost rightsize on the live cluster: usage from metrics-server, low confidence", async () => {
    const r = await day2(["cost", "rightsize", "--kubeconfig", C.kubeconfig, "-n", ns, "-o", "json"]);
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    let doc: { usage: { source: string; confidence: string; notes: string[] }; partial: boolean };
    try {
      doc = JSON.parse(r.stdout) as typeof doc;
    } catch {
      throw new Error(
        `day2 cost rightsize did not print JSON; stderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 2000)}`,
      );
    }
    assert.deepEqual([doc.usage.source, doc.usage.confidence], ["metrics-server", "low"]);
    assert.ok(doc.usage.notes.includes(CURRENT_ONLY_NOTE), JSON.stringify(doc.usage.notes));
    assert.equal(doc.partial, false);
    assert.ok(
      metrics!.requests.some(
        (q) => q.path === `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods` && q.user === "day2-admin",
      ),
    );
  });

  void it("a malformed PodMetricsList: bad entries skipped and counted; no list or no JSON gives source none", async () => {
    const good = {
      metadata: { name: "api-0", namespace: ns },
      timestamp: "2026-11-20T12:00:00Z",
      window: "30s",
      containers: [{ name: "app", usage: { cpu: "250m", memory: "64Mi" } }],
    };
    metrics!.respondWith(() => ({
      status: 200,
      body: JSON.stringify({
        kind: "PodMetricsList",
        apiVersion: "metrics.k8s.io/v1beta1",
        metadata: {},
        items: [
          good,
          { metadata: { name: "worker-0" }, containers: [] }, // no namespace
          {
            metadata: { name: "api-0", namespace: ns },
            containers: [{ usage: { cpu: "1m" } }, { name: "sidecar", usage: { cpu: "lots", memory: [] } }],
          },
          null,
        ],
      }),
    }));
    try {
      const u = await fetchMetricsServerUsage(kube, state, { namespace: ns });
      assert.equal(u.source, "metrics-server");
      assert.equal(u.confidence, "low");
      assert.deepEqual(values(u), { [`${ns}/api-0/app`]: [0.25, 67_108_864] });
      assert.deepEqual(u.notes, [CURRENT_ONLY_NOTE, "metrics-server: 4 malformed entries skipped"]);

      metrics!.respondWith(() => ({
        status: 200,
        body: JSON.stringify({ kind: "PodMetricsList", items: "oops" }),
      }));
      const notList = await fetchMetricsServerUsage(kube, state, { namespace: ns });
      assert.deepEqual([notList.source, notList.confidence, notList.partial], ["none", "none", true]);
      assert.match(
        notList.problems[0]!,
        /^metrics\.k8s\.io: GET \/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/.+\/pods: not a PodMetricsList/,
      );

      metrics!.respondWith(() => ({ status: 200, body: "<html>oops</html>", contentType: "text/html" }));
      const notJson = await fetchMetricsServerUsage(kube, state, { namespace: ns });
      assert.equal(notJson.source, "none");
      assert.match(notJson.problems[0]!, /did not return JSON/);
    } finally {
      metrics!.respondWith(undefined);
    }
  });

  void it("the stand-in stopped: 503 through the aggregator, source none with the reason", async () => {
    await metrics!.stop();
    const u = await fetchMetricsServerUsage(kube, state, { namespace: ns });
    assert.deepEqual([u.source, u.confidence, u.partial, u.containers.size], ["none", "none", true, 0]);
    assert.equal(u.problems.length, 1);
    assert.match(
      u.problems[0]!,
      /^metrics\.k8s\.io: GET \/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/.+\/pods: HTTP 503/,
    );
    // The availability check notices too, at its next 30 s resync at the latest.
    const cond = await waitFor(
      async () => {
        const c = await apiServiceCondition();
        return c?.status === "False" ? c : false;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: "APIService no longer Available" },
    );
    assert.equal(cond.reason, "FailedDiscoveryCheck");
  });

  void it("the APIService deleted: not served, source none, is metrics-server installed?", async () => {
    const d = await api("DELETE", APISERVICE_PATH);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    await waitFor(
      async () => (await api("GET", `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`)).status === 404,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: "metrics.k8s.io no longer served",
      },
    );
    const u = await fetchMetricsServerUsage(kube, state, { namespace: ns });
    assert.deepEqual([u.source, u.confidence, u.partial], ["none", "none", true]);
    assert.deepEqual(u.problems, [
      `metrics.k8s.io is not served by ${C.server} (is metrics-server installed?)`,
    ]);
  });
});

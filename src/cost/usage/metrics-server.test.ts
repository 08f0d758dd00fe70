import { describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeClient } from "../../kube/http.js";
import { staticConnection } from "../../kube/connection.js";
import { stateWith } from "../../../test/support/prometheus.js";
import {
  CURRENT_ONLY_NOTE,
  currentUsageData,
  fetchMetricsServerUsage,
  parseGoDuration,
  parsePodMetricsList,
} from "./metrics-server.js";

const LIST = {
  kind: "PodMetricsList",
  apiVersion: "metrics.k8s.io/v1beta1",
  metadata: {},
  items: [
    {
      metadata: { name: "web-1", namespace: "shop" },
      timestamp: "2026-11-20T11:59:30Z",
      window: "30s",
      containers: [
        { name: "app", usage: { cpu: "12m", memory: "34Mi" } },
        { name: "proxy", usage: { cpu: "1234n", memory: "2048Ki" } },
      ],
    },
    {
      metadata: { name: "etl-1", namespace: "data" },
      timestamp: "2026-11-20T12:00:00Z",
      window: "1m0.5s",
      containers: [{ name: "job", usage: { cpu: "2", memory: "1Gi" } }, { usage: { cpu: "1" } }],
    },
    { metadata: { name: "broken" }, containers: [] },
  ],
};

describe("metrics-server usage", () => {
  it("parses PodMetrics quantities into cores and bytes", () => {
    const p = parsePodMetricsList(LIST);
    assert.deepEqual(
      p.usage.map((u) => [u.namespace, u.pod, u.container, u.cpu, u.memory, u.windowSeconds]),
      [
        ["shop", "web-1", "app", 0.012, 34 * 2 ** 20, 30],
        ["shop", "web-1", "proxy", 1.234e-6, 2 * 2 ** 20, 30],
        ["data", "etl-1", "job", 2, 2 ** 30, 60.5],
      ],
    );
    assert.equal(p.usage[0]!.timestamp, Date.parse("2026-11-20T11:59:30Z"));
    assert.equal(p.skipped.length, 2);
    assert.deepEqual(parsePodMetricsList({ items: null }).usage, []);
    assert.throws(() => parsePodMetricsList({ kind: "Status" }), /not a PodMetricsList/);
    assert.equal(parseGoDuration("1m30s"), 90);
    assert.equal(parseGoDuration("500ms"), 0.5);
    assert.equal(parseGoDuration("30"), undefined);
  });

  it("makes a one-point, low-confidence UsageData of the state's containers", () => {
    const state = stateWith([
      { namespace: "shop", pod: "web-1", container: "app" },
      { namespace: "data", pod: "etl-1", container: "job" },
    ]);
    const u = currentUsageData(parsePodMetricsList(LIST), state);
    assert.equal(u.source, "metrics-server");
    assert.equal(u.confidence, "low");
    assert.deepEqual(u.notes, [CURRENT_ONLY_NOTE, "metrics-server: 2 malformed entries skipped"]);
    assert.equal(u.window.start.toISOString(), "2026-11-20T12:00:00.000Z");
    assert.equal(u.window.end.getTime(), u.window.start.getTime());
    assert.equal(u.window.stepSeconds, 30);
    assert.deepEqual([...u.containers.keys()], ["shop/web-1/app", "data/etl-1/job"]);
    assert.deepEqual([...u.containers.get("shop/web-1/app")!.cpu], [0.012]);
    assert.deepEqual([...u.containers.get("data/etl-1/job")!.memory], [2 ** 30]);
    assert.equal(
      currentUsageData(parsePodMetricsList(LIST), state, { allContainers: true }).containers.size,
      3,
    );
  });

  it("GETs metrics.k8s.io through KubeClient; not served -> source none with the reason", async () => {
    const paths: string[] = [];
    const srv = http.createServer((req, res) => {
      paths.push(req.url ?? "");
      const served = req.url?.startsWith("/apis/metrics.k8s.io/v1beta1/pods");
      res.writeHead(served ? 200 : 404, { "content-type": "application/json" });
      res.end(
        served
          ? JSON.stringify(LIST)
          : JSON.stringify({
              kind: "Status",
              code: 404,
              message: "the server could not find the requested resource",
            }),
      );
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const server = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const kube = new KubeClient(staticConnection({ server }), { retry: { maxAttempts: 1 } });
      const u = await fetchMetricsServerUsage(kube, undefined);
      assert.equal(u.source, "metrics-server");
      assert.equal(u.containers.size, 3);
      const none = await fetchMetricsServerUsage(kube, undefined, { namespace: "shop", now: 0 });
      assert.equal(none.source, "none");
      assert.equal(none.partial, true);
      assert.match(
        none.problems[0]!,
        /metrics.k8s.io is not served by http:\/\/127.0.0.1:\d+ \(is metrics-server installed\?\)/,
      );
      assert.deepEqual(paths, [
        "/apis/metrics.k8s.io/v1beta1/pods",
        "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods",
      ]);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});

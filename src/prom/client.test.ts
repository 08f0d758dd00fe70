/**
 * The client against a real Prometheus (Debian package, backfilled with promtool; ~1.5 s to
 * start) and, for faults, test/integration/fault-proxy.ts in front of it or a tiny local
 * server: errors JSON, 5xx with retries, Retry-After, a slow server, a closed port, garbage
 * bodies, the query budget and the concurrency bound.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startFaultProxy, type FaultProxy } from "../../test/integration/fault-proxy.js";
import {
  freePort,
  historyEnd,
  sampleTime,
  shapes,
  startPrometheus,
  type SyntheticHistory,
  type TestPrometheus,
} from "../../test/support/prometheus.js";
import { PromClient } from "./client.js";
import type { PromError } from "./errors.js";

const STEP = 600;
const end = Math.floor(Date.now() / 1000 / STEP) * STEP;
const history: SyntheticHistory = {
  start: new Date((end - 2 * 86400) * 1000),
  stepSeconds: STEP,
  samples: 2 * 144 + 1,
  containers: [
    {
      namespace: "a",
      pod: "p1",
      container: "app",
      cpu: shapes.constant(0.25),
      memory: shapes.sawtooth(1e6, 2e6, 11),
    },
    { namespace: "b", pod: "p2", container: "app", cpu: shapes.constant(1.5), memory: shapes.constant(5e6) },
  ],
};
const fast = { baseDelayMs: 5, maxDelayMs: 50 };

function errorOf<T>(o: { ok: true; data: T } | { ok: false; error: PromError }): PromError {
  assert.equal(o.ok, false, "expected a failure");
  return (o as { error: PromError }).error;
}

/** A local server answering every request with `handler`. */
async function localServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

describe("PromClient against a real Prometheus", () => {
  let prom: TestPrometheus;
  before(async () => {
    prom = await startPrometheus({ data: history });
  });
  after(async () => {
    await prom?.stop();
  });

  it("runs instant and range queries over POST and parses them", async () => {
    const c = new PromClient({ url: prom.url });
    const inst = await c.query("sum(container_memory_working_set_bytes)", historyEnd(history));
    assert.ok(inst.ok);
    assert.equal(inst.data.length, 1);
    const i = history.samples - 1;
    assert.equal(inst.data[0]!.v, history.containers[0]!.memory(i) + 5e6);
    const t0 = sampleTime(history, 10);
    const range = await c.queryRange('container_memory_working_set_bytes{namespace="a"}', {
      start: t0,
      end: t0 + 5 * STEP,
      stepSeconds: STEP,
    });
    assert.ok(range.ok);
    assert.equal(range.data.length, 1);
    assert.deepEqual(
      [...range.data[0]!.t],
      [0, 1, 2, 3, 4, 5].map((k) => t0 + k * STEP),
    );
    assert.deepEqual(
      [...range.data[0]!.v],
      [10, 11, 12, 13, 14, 15].map((k) => history.containers[0]!.memory(k)),
    );
    const scalar = await c.query("1 + 1");
    assert.ok(scalar.ok);
    assert.equal(scalar.data[0]!.v, 2);
    const nan = await c.query("0/0");
    assert.ok(nan.ok && Number.isNaN(nan.data[0]!.v));
    assert.deepEqual(c.stats(), {
      queries: 4,
      attempts: 4,
      retries: 0,
      failed: 0,
      overBudget: 0,
      bytes: c.stats().bytes,
    });
  });

  it("turns Prometheus' error JSON into a message naming URL, type and query", async () => {
    const c = new PromClient({ url: prom.url });
    const e = errorOf(await c.query("sum(rate(x[5m])"));
    assert.equal(e.kind, "api");
    assert.equal(e.status, 400);
    assert.equal(e.errorType, "bad_data");
    assert.match(
      e.message,
      new RegExp(`^Prometheus ${prom.url}/api/v1/query: HTTP 400: bad_data: .*parse error`),
    );
    assert.match(e.message, /\(query sum\(rate\(x\[5m\]\)\)$/);
    const r = errorOf(await c.queryRange("up", { start: 10, end: 5, stepSeconds: 1 }));
    assert.equal(r.errorType, "bad_data");
    assert.match(r.message, /end timestamp must not be before start time/);
  });

  it("knows a query refused for too many samples", async () => {
    const small = await startPrometheus({ data: history, maxSamples: 100 });
    try {
      const c = new PromClient({ url: small.url });
      const e = errorOf(
        await c.queryRange("container_memory_working_set_bytes", {
          start: history.start,
          end: historyEnd(history),
          stepSeconds: STEP,
        }),
      );
      assert.equal(e.errorType, "execution");
      assert.ok(e.tooManySamples, e.message);
      assert.equal(c.stats().attempts, 1, "a refusal is not retried");
    } finally {
      await small.stop();
    }
  });

  describe("through the fault proxy", () => {
    let proxy: FaultProxy;
    after(async () => {
      await proxy?.close();
    });

    it("retries 503 and 500 (Retry-After honoured), then answers", async () => {
      proxy = await startFaultProxy({
        upstream: prom.url,
        rules: [
          { name: "503", match: (r) => r.body.includes("first"), fault: { type: "status", status: 503 } },
          {
            name: "429",
            match: (r) => r.body.includes("first"),
            fault: { type: "status", status: 429, retryAfter: "1" },
          },
          {
            name: "500x2",
            match: (r) => r.body.includes("second"),
            fault: { type: "status", status: 500 },
            times: 2,
          },
        ],
      });
      const waits: number[] = [];
      const c = new PromClient({
        url: proxy.url,
        retry: { ...fast, maxDelayMs: 2000 },
        onRetry: (e) => waits.push(e.delayMs),
      });
      const t = Date.now();
      const r = await c.query("count(up) or vector(0) # first");
      assert.ok(r.ok, r.ok ? "" : r.error.message);
      assert.ok(Date.now() - t >= 1000, "waited for Retry-After: 1");
      assert.equal(waits[1], 1000);
      const r2 = await c.query("vector(2) # second");
      assert.ok(r2.ok);
      assert.deepEqual(proxy.injected(), { "503": 1, "429": 1, "500x2": 2 });
      assert.equal(c.stats().retries, 4);
      await proxy.close();
    });

    it("gives up after the attempts with the status and Prometheus' error", async () => {
      const body = JSON.stringify({ status: "error", errorType: "unavailable", error: "TSDB not ready" });
      proxy = await startFaultProxy({
        upstream: prom.url,
        rules: [{ name: "503", match: () => true, fault: { type: "respond", status: 503, body }, times: 10 }],
      });
      const c = new PromClient({ url: proxy.url, retry: { ...fast, maxAttempts: 3 } });
      const e = errorOf(await c.query("up"));
      assert.equal(e.kind, "api");
      assert.equal(
        e.message,
        `Prometheus ${proxy.url}/api/v1/query: HTTP 503: unavailable: TSDB not ready after 3 attempts (query up)`,
      );
      assert.equal(proxy.injected()["503"], 3);
      await proxy.close();
    });

    it("times out a slow answer with a clear message, and is not fooled by garbage", async () => {
      proxy = await startFaultProxy({
        upstream: prom.url,
        rules: [
          { name: "slow", match: (r) => r.body.includes("slow"), fault: { type: "delay", ms: 3000 } },
          {
            name: "html",
            match: (r) => r.body.includes("html"),
            fault: { type: "respond", status: 200, body: "<html>login</html>", contentType: "text/html" },
            times: 2,
          },
          {
            name: "shape",
            match: (r) => r.body.includes("shape"),
            fault: {
              type: "respond",
              status: 200,
              body: '{"status":"success","data":{"resultType":"vector","result":{}}}',
            },
          },
          {
            name: "array",
            match: (r) => r.body.includes("array"),
            fault: { type: "respond", status: 200, body: "[1,2]" },
          },
          {
            name: "502",
            match: (r) => r.body.includes("gateway"),
            fault: { type: "respond", status: 502, body: "Bad Gateway", contentType: "text/plain" },
            times: 2,
          },
        ],
      });
      const c = new PromClient({ url: proxy.url, timeoutMs: 300, retry: { ...fast, maxAttempts: 2 } });
      const t = Date.now();
      const slow = errorOf(await c.query("vector(1) # slow"));
      assert.ok(Date.now() - t < 2500);
      assert.equal(slow.kind, "timeout");
      assert.equal(
        slow.message,
        `Prometheus ${proxy.url}/api/v1/query: no answer within 300 ms for query vector(1) # slow`,
      );
      const html = errorOf(await c.query("vector(1) # html"));
      assert.equal(html.kind, "bad-response");
      assert.match(html.message, /HTTP 200 with a body that is not JSON: <html>login<\/html>/);
      const shape = errorOf(await c.query("vector(1) # shape"));
      assert.equal(shape.kind, "bad-response");
      assert.match(shape.message, /a vector sample without metric|expected data.resultType "vector"/);
      const arr = errorOf(await c.query("vector(1) # array"));
      assert.match(arr.message, /expected a JSON object, got \[1,2\]/);
      const range = errorOf(await c.queryRange("vector(1) # html", { start: 0, end: 1, stepSeconds: 1 }));
      assert.equal(range.kind, "bad-response");
      const gw = errorOf(await c.query("vector(1) # gateway"));
      assert.equal(gw.kind, "api");
      assert.match(gw.message, /HTTP 502: Bad Gateway after 2 attempts/);
      await proxy.close();
    });
  });

  it("says the server is unreachable on a closed port, naming the URL, and fails fast after", async () => {
    const port = await freePort();
    const c = new PromClient({ url: `http://127.0.0.1:${port}/`, retry: { ...fast, maxAttempts: 3 } });
    const e = errorOf(await c.query("up"));
    assert.equal(e.kind, "connection");
    assert.match(
      e.message,
      new RegExp(
        `^cannot reach Prometheus at http://127.0.0.1:${port}/api/v1/query: connect ECONNREFUSED .*\\(query up\\)$`,
      ),
    );
    assert.equal(e.url, `http://127.0.0.1:${port}/api/v1/query`);
    const again = errorOf(await c.queryRange("x", { start: 0, end: 60, stepSeconds: 60 }));
    assert.equal(again.kind, "connection");
    assert.match(again.message, /ECONNREFUSED .*\(query x: not sent\)$/);
    assert.deepEqual(
      { q: c.stats().queries, a: c.stats().attempts, f: c.stats().failed },
      { q: 1, a: 1, f: 2 },
    );
  });

  it("retries a dropped connection once the server has answered", async () => {
    const proxy = await startFaultProxy({
      upstream: prom.url,
      rules: [{ name: "drop", match: (r) => r.body.includes("drop"), fault: { type: "drop" } }],
    });
    try {
      const c = new PromClient({ url: proxy.url, retry: fast });
      assert.ok((await c.query("vector(1)")).ok);
      const r = await c.query("vector(2) # drop");
      assert.ok(r.ok, r.ok ? "" : r.error.message);
      assert.equal(proxy.injected()["drop"], 1);
      assert.equal(c.stats().retries, 1);
    } finally {
      await proxy.close();
    }
  });

  it("stops at the query budget without sending, as data", async () => {
    const c = new PromClient({ url: prom.url, maxQueries: 2 });
    assert.ok((await c.query("vector(1)")).ok);
    assert.ok((await c.query("vector(2)")).ok);
    const e = errorOf(await c.query("vector(3)"));
    assert.equal(e.kind, "budget");
    assert.match(e.message, /query budget of 2 used up; not sent to .*: vector\(3\)/);
    assert.equal(c.budgetLeft, 0);
    assert.deepEqual(
      { q: c.stats().queries, a: c.stats().attempts, o: c.stats().overBudget },
      { q: 2, a: 2, o: 1 },
    );
  });
});

describe("PromClient concurrency", () => {
  it("keeps at most `concurrency` requests in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const srv = await localServer((_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"status":"success","data":{"resultType":"vector","result":[]}}');
      }, 30);
    });
    try {
      const c = new PromClient({ url: srv.url, concurrency: 3 });
      const all = await Promise.all(Array.from({ length: 12 }, (_, i) => c.query(`vector(${i})`)));
      assert.ok(all.every((r) => r.ok));
      assert.equal(peak, 3);
    } finally {
      await srv.close();
    }
  });

  it("rejects a URL that is not http(s)", () => {
    assert.throws(() => new PromClient({ url: "127.0.0.1:9090" }), /must be http\(s\)/);
  });
});

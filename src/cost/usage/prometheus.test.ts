/**
 * fetchUsage, fetchRequestHistory and fetchOomKills against a real Prometheus holding 15 days
 * of backfilled history at a 10-minute step for containers with known shapes (~1.5 s to
 * backfill and start): exact values (so p95 and max are exactly the generated ones), queries
 * per namespace, batching under a small query.max-samples (by pod and by time), and the
 * failure modes (a failing namespace, the budget, a server that is down).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startFaultProxy } from "../../../test/integration/fault-proxy.js";
import {
  expectedSeries,
  freePort,
  historyEnd,
  maxOf,
  percentile,
  sampleTime,
  shapes,
  startPrometheus,
  stateWith,
  type SyntheticContainer,
  type SyntheticHistory,
  type TestPrometheus,
} from "../../../test/support/prometheus.js";
import { PromClient } from "../../prom/client.js";
import { PromError } from "../../prom/errors.js";
import { containerKey, windowSteps, type UsageData, type UsageWindow } from "../types.js";
import { fetchOomKills, fetchRequestHistory, fetchUsage } from "./prometheus.js";

const STEP = 600;
const PER_DAY = 144;
const Mi = 2 ** 20;
const last = Math.floor(Date.now() / 1000 / STEP) * STEP;
const SAMPLES = 15 * PER_DAY + 1;

/** `ref` is "namespace/pod/container". */
const c = (
  ref: string,
  cpu: (i: number) => number,
  memory: (i: number) => number,
  extra: Partial<SyntheticContainer> = {},
): SyntheticContainer => {
  const [namespace = "", pod = "", container = ""] = ref.split("/");
  return { namespace, pod, container, cpu, memory, ...extra };
};

const CONTAINERS: SyntheticContainer[] = [
  c("shop/web-1/app", shapes.daily(0.1, 0.9, PER_DAY), shapes.sawtooth(100 * Mi, 300 * Mi, 37), {
    requests: { cpu: 0.5, memory: 256 * Mi },
  }),
  c("shop/web-1/proxy", shapes.constant(0.05), shapes.constant(64 * Mi), { requests: { cpu: 0.1 } }),
  c("shop/web-2/app", shapes.spikes(0.2, 2, 50), shapes.daily(200 * Mi, 400 * Mi, PER_DAY), {
    requests: { cpu: (i) => (i < SAMPLES - 3 * PER_DAY ? 0.25 : 1), memory: 512 * Mi },
  }),
  c("shop/web-2/proxy", shapes.constant(0.05), shapes.constant(64 * Mi)),
  c("shop/cart-1/app", shapes.sawtooth(0.01, 0.03, 9), shapes.spikes(50 * Mi, 900 * Mi, 400), {
    oomKilledFrom: SAMPLES - 2 * PER_DAY,
  }),
  c("shop/cart-1/sidecar", shapes.constant(0.001), shapes.constant(10 * Mi)),
  c("data/etl-1/job", shapes.spikes(0, 4, 144), shapes.sawtooth(1000 * Mi, 3000 * Mi, 144)),
  c("data/etl-2/job", shapes.daily(0, 1, PER_DAY), shapes.constant(2000 * Mi)),
  c("ops/mon-1/agent", shapes.constant(0.2), shapes.constant(128 * Mi)),
];
/** In Prometheus, not in the cluster state (a pod deleted last week). */
const GONE = c("shop/web-0/app", shapes.constant(0.3), shapes.constant(99 * Mi));

const history: SyntheticHistory = {
  start: new Date((last - (SAMPLES - 1) * STEP) * 1000),
  stepSeconds: STEP,
  samples: SAMPLES,
  containers: [...CONTAINERS, GONE],
};
/** The last 14 days (2,017 points); the day before gives every point a full rate window. */
const FROM = SAMPLES - 1 - 14 * PER_DAY;
const window: UsageWindow = {
  start: new Date(sampleTime(history, FROM) * 1000),
  end: historyEnd(history),
  stepSeconds: STEP,
};
const state = stateWith(CONTAINERS);
const fast = { baseDelayMs: 5, maxDelayMs: 50 };

function close(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
}

/** Every container of `list` in `u` equals the generated history, value by value. */
function assertExact(u: UsageData, list: SyntheticContainer[]): void {
  const n = windowSteps(window);
  for (const sc of list) {
    const key = containerKey(sc.namespace, sc.pod, sc.container);
    const got = u.containers.get(key);
    assert.ok(got, `no series for ${key}`);
    const want = expectedSeries(sc, FROM, FROM + n - 1, 2);
    assert.equal(got.cpu.length, n);
    for (let i = 0; i < n; i++) {
      assert.ok(close(got.cpu[i]!, want.cpu[i]!), `${key} cpu[${i}] ${got.cpu[i]} != ${want.cpu[i]}`);
      assert.equal(got.memory[i], want.memory[i], `${key} memory[${i}]`);
    }
  }
}

describe("fetchUsage from a real Prometheus", () => {
  let prom: TestPrometheus;
  before(async () => {
    prom = await startPrometheus({ data: history });
  });
  after(async () => {
    await prom?.stop();
  });

  it("returns exactly the generated usage: two queries per namespace", async () => {
    const client = new PromClient({ url: prom.url });
    const u = await fetchUsage(client, state, window);
    assert.equal(u.source, "prometheus");
    assert.equal(u.confidence, "high");
    assert.equal(u.partial, false);
    assert.deepEqual(u.problems, []);
    assert.equal(u.containers.size, CONTAINERS.length, "only the containers of the state");
    assert.ok(!u.containers.has(containerKey("shop", "web-0", "app")));
    assertExact(u, CONTAINERS);
    assert.equal(client.stats().queries, 6, "3 namespaces x (cpu, memory)");

    // p95 and max, by hand for a few shapes.
    const web1 = u.containers.get("shop/web-1/app")!;
    assert.equal(maxOf(web1.memory), 300 * Mi);
    const proxy = u.containers.get("shop/web-1/proxy")!;
    assert.ok(close(percentile(proxy.cpu, 0.95), 0.05) && close(maxOf(proxy.cpu), 0.05));
    const etl = u.containers.get("data/etl-1/job")!;
    // One 4-core interval a day, seen by two points of a 2-step rate window: 14 x 2 of 2,017
    // points are 2 cores, everything else 0 -> p95 is 0, max 2.
    assert.equal(maxOf(etl.cpu), 2);
    assert.equal(percentile(etl.cpu, 0.95), 0);
    for (const sc of CONTAINERS) {
      const want = expectedSeries(sc, FROM, FROM + windowSteps(window) - 1, 2);
      const got = u.containers.get(containerKey(sc.namespace, sc.pod, sc.container))!;
      assert.ok(close(percentile(got.cpu, 0.95), percentile(want.cpu, 0.95)));
      assert.equal(maxOf(got.memory), maxOf(want.memory));
    }
  });

  it("grows queries with namespaces, not containers; allContainers keeps unknown pods", async () => {
    const one = new PromClient({ url: prom.url });
    const u1 = await fetchUsage(one, stateWith(CONTAINERS.filter((x) => x.namespace === "shop")), window);
    assert.equal(one.stats().queries, 2);
    assert.equal(u1.containers.size, 6);
    const all = new PromClient({ url: prom.url });
    const u2 = await fetchUsage(all, state, window, { allContainers: true });
    assert.equal(all.stats().queries, 6);
    assert.equal(u2.containers.size, CONTAINERS.length + 1);
    assertExact(u2, [GONE]);
    const wider = new PromClient({ url: prom.url });
    await fetchUsage(wider, state, window, { rateWindowSteps: 3, minRateWindowSeconds: 60 });
    assert.equal(wider.stats().queries, 6);
  });

  it("stays under a small query.max-samples: split by pod, by time, and after a refusal", async () => {
    const small = await startPrometheus({ data: history, maxSamples: 12_000 });
    try {
      // One namespace at once is refused by this server.
      const probe = new PromClient({ url: small.url });
      const refused = await probe.queryRange('container_memory_working_set_bytes{namespace="shop"}', {
        start: window.start,
        end: window.end,
        stepSeconds: STEP,
      });
      assert.ok(!refused.ok && refused.error.tooManySamples);

      // Planned at 2 x points + rate window per series: 2 containers x 4,036 fit 9,600 (80% of
      // 12,000), 3 do not: shop by pod (3 queries each), data (1) and ops (1) whole.
      const byPod = new PromClient({ url: small.url });
      const u = await fetchUsage(byPod, state, window, { maxSamples: 12_000 });
      assert.deepEqual(u.problems, []);
      assertExact(u, CONTAINERS);
      assert.equal(byPod.stats().queries, 10);
      assert.equal(byPod.stats().failed, 0);

      // Told 4,000 (budget 3,200): a pod of 2 containers is too big alone: 3 chunks of <= 799
      // points; single containers 2 chunks of <= 1,599: shop 3 x 3, data 2 x 2, ops 2.
      const byTime = new PromClient({ url: small.url });
      const t = await fetchUsage(byTime, state, window, { maxSamples: 4000 });
      assertExact(t, CONTAINERS);
      assert.equal(byTime.stats().queries, 2 * (9 + 4 + 2));
      assert.equal(byTime.stats().failed, 0);

      // Told nothing: whole-namespace queries are refused, halved, and succeed.
      const adaptive = new PromClient({ url: small.url });
      const a = await fetchUsage(adaptive, state, window);
      assert.equal(a.partial, false, a.problems.join("\n"));
      assertExact(a, CONTAINERS);
      assert.ok(adaptive.stats().failed > 0, "some queries were refused first");
    } finally {
      await small.stop();
    }
  });

  it("marks the result partial when one namespace's queries fail, keeping the rest", async () => {
    const body = JSON.stringify({ status: "error", errorType: "internal", error: "boom" });
    const proxy = await startFaultProxy({
      upstream: prom.url,
      rules: [
        {
          name: "data-500",
          match: (r) => new URLSearchParams(r.body).get("query")?.includes('namespace="data"') === true,
          fault: { type: "respond", status: 500, body },
          times: 100,
        },
      ],
    });
    try {
      const client = new PromClient({ url: proxy.url, retry: { ...fast, maxAttempts: 2 } });
      const u = await fetchUsage(client, state, window);
      assert.equal(u.partial, true);
      assert.equal(u.confidence, "medium");
      assert.equal(u.problems.length, 2);
      assert.match(
        u.problems[0]!,
        /^CPU usage for namespace data: Prometheus http:\/\/127.0.0.1:\d+\/api\/v1\/query_range: HTTP 500: internal: boom after 2 attempts \(query max by/,
      );
      assert.match(u.problems[1]!, /^memory usage for namespace data: /);
      assert.equal(proxy.injected()["data-500"], 4);
      assertExact(
        u,
        CONTAINERS.filter((x) => x.namespace !== "data"),
      );
      assert.ok(!u.containers.has("data/etl-1/job"));
      assert.ok(u.notes.some((n) => /no usage series for 2 of 9 containers/.test(n)));
    } finally {
      await proxy.close();
    }
  });

  it("marks the result partial when the query budget runs out", async () => {
    const client = new PromClient({ url: prom.url, maxQueries: 4, concurrency: 1 });
    const u = await fetchUsage(client, state, window);
    assert.equal(u.partial, true);
    assert.equal(u.problems.length, 2);
    for (const p of u.problems) assert.match(p, /query budget of 4 used up/);
    assert.equal(client.stats().queries, 4);
  });

  it("throws a clear error when Prometheus is down", async () => {
    const port = await freePort();
    const client = new PromClient({ url: `http://127.0.0.1:${port}`, retry: { ...fast, maxAttempts: 2 } });
    await assert.rejects(fetchUsage(client, state, window), (e: unknown) => {
      assert.ok(e instanceof PromError);
      assert.equal(e.kind, "connection");
      assert.match(
        e.message,
        new RegExp(
          `^cannot reach Prometheus at http://127.0.0.1:${port}/api/v1/query_range: connect ECONNREFUSED.*\\(and 5 more queries failed\\)$`,
        ),
      );
      return true;
    });
    const soft = await fetchUsage(client, state, window, { throwWhenNothing: false });
    assert.equal(soft.partial, true);
    assert.equal(soft.containers.size, 0);
    assert.equal(soft.problems.length, 6);
  });

  it("reads request history from kube-state-metrics: one query per namespace", async () => {
    const client = new PromClient({ url: prom.url });
    const r = await fetchRequestHistory(client, state, window);
    assert.equal(r.partial, false);
    assert.equal(client.stats().queries, 3);
    const n = windowSteps(window);
    const web2 = r.containers.get("shop/web-2/app")!;
    for (let i = 0; i < n; i++) {
      assert.equal(web2.cpu[i], FROM + i < SAMPLES - 3 * PER_DAY ? 0.25 : 1);
      assert.equal(web2.memory[i], 512 * Mi);
    }
    const proxy = r.containers.get("shop/web-1/proxy")!;
    assert.equal(proxy.cpu[0], 0.1);
    assert.ok(Number.isNaN(proxy.memory[0]!), "no memory request");
    assert.equal(r.containers.size, 3);
  });

  it("finds OOM kills in the window", async () => {
    const client = new PromClient({ url: prom.url });
    const o = await fetchOomKills(client, state, window);
    assert.deepEqual(o, {
      kills: [
        {
          namespace: "shop",
          pod: "cart-1",
          container: "app",
          firstSeen: new Date(sampleTime(history, SAMPLES - 2 * PER_DAY) * 1000),
          lastSeen: window.end,
          beforeWindow: false,
        },
      ],
      partial: false,
      problems: [],
    });
    assert.equal(client.stats().queries, 1);
  });
});

/**
 * `day2 kpi --prometheus URL` against a real Prometheus holding three days of backfilled
 * ingress-nginx and API server series at a 10-minute step, for a one-node cluster saved as a
 * snapshot: uptime with its error budget, P95 latency, API response time and cost per request,
 * each computed by hand from the series written here; "no data" with the reason when the series
 * are absent or a query fails; a day2.yaml with its own queries and SLO; and `day2 kpi
 * slo-rules` accepted by `promtool check rules`.
 *
 * Prometheus 2.x range selectors include both ends, so `rate(x[1d])` at a sample time over
 * samples a whole number of steps apart is exactly (x(end) - x(end - 1d)) / 86400: no
 * extrapolation. Every rate below is therefore an exact mean of the per-interval rates.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { day2Async, type Run } from "../../test/support/day2-cli.js";
import { PROMTOOL_BIN, startPrometheus, type TestPrometheus } from "../../test/support/prometheus.js";
import { SnapshotWriter } from "../snapshot/write.js";
import { KINDS } from "../state/kinds.js";

const STEP = 600;
const PER_DAY = 144;
/**
 * Three days of intervals: day 0 is quiet (no 5xx at all, so no 5xx series), day 1 is a bad
 * day before the KPI window, day 2 is the window.
 */
const INTERVALS = 3 * PER_DAY;
const END = Math.floor(Date.now() / 1000 / 86_400) * 86_400 - 86_400;
const START = END - INTERVALS * STEP;
const WINDOW_FROM = INTERVALS - PER_DAY; // intervals > WINDOW_FROM are inside the window
const HALF = WINDOW_FROM + PER_DAY / 2;
const TMP = mkdtempSync(join(tmpdir(), "day2-kpi-prom-"));
const day2 = (args: string[]): Promise<Run> => day2Async(args, {}, TMP);

/** Per-second rate during interval i (from sample i-1 to sample i), 1 <= i <= INTERVALS. */
type Rate = (i: number) => number;
const inWindow = (i: number): boolean => i > WINDOW_FROM;
const firstHalf = (i: number): boolean => inWindow(i) && i <= HALF;

interface Counter {
  labels: Record<string, string>;
  rate: Rate;
  /** The series' first sample (ingress-nginx creates a status series on its first request). */
  from?: number;
}

function labelText(l: Record<string, string>): string {
  return Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
}

/** One metric family of cumulative counters, a series at a time in time order. */
function family(name: string, series: Counter[]): string[] {
  const out = [`# TYPE ${name} unknown`];
  for (const s of series) {
    let total = 1000;
    for (let i = s.from ?? 0; i <= INTERVALS; i++) {
      if (i > (s.from ?? 0)) total += s.rate(i) * STEP;
      out.push(`${name}{${labelText(s.labels)}} ${total} ${START + i * STEP}`);
    }
  }
  return out;
}

/** A histogram's bucket counters from cumulative per-second rates by upper bound. */
function buckets(labels: Record<string, string>, bounds: readonly string[], rates: (i: number) => number[]) {
  return bounds.map((le, b) => ({ labels: { ...labels, le }, rate: (i: number) => rates(i)[b]! }));
}

// ---- ingress-nginx requests (requests per second by status) ----
// Day 0: only 200s and 404s. Day 1 (outside the window) is a bad day: 50/s of 503s. In the
// window: 100/s 200, 2/s 404 (not an error), 0.05/s 500 all day and 10/s 503 for one hour.
const OUTAGE = (i: number): boolean => i > HALF && i <= HALF + 6;
const NGINX_REQUESTS: Counter[] = [
  { labels: { ingress: "shop", status: "200" }, rate: () => 100 },
  { labels: { ingress: "shop", status: "404" }, rate: () => 2 },
  { labels: { ingress: "shop", status: "500" }, rate: () => 0.05, from: PER_DAY + 1 },
  {
    labels: { ingress: "shop", status: "503" },
    rate: (i) => (inWindow(i) ? (OUTAGE(i) ? 10 : 0) : 50),
    from: PER_DAY + 1,
  },
];
// Requests in the window: 200: 8,640,000; 404: 172,800; 500: 4,320; 503: 36,000 (one hour at 10/s).
const REQUESTS = 8_640_000 + 172_800 + 4_320 + 36_000; // 8,853,120
const ERRORS = 4_320 + 36_000; // 40,320

// ---- ingress-nginx latency: cumulative per-second rates by le ----
const NGINX_LE = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
const NGINX_A = [10, 20, 40, 60, 80, 90, 96, 99, 100, 100, 100, 100]; // first half of the window
const NGINX_B = [0, 4, 16, 30, 50, 78, 90, 98, 100, 100, 100, 100]; // second half: slower
const NGINX_BEFORE = [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100]; // all under 5 ms
const NGINX_LATENCY = buckets({ ingress: "shop" }, NGINX_LE, (i) =>
  !inWindow(i) ? NGINX_BEFORE : firstHalf(i) ? NGINX_A : NGINX_B,
);

// ---- API server latency by verb: WATCH and CONNECT are long-running, the query leaves them out ----
const API_LE = ["0.005", "0.025", "0.05", "0.1", "0.2", "0.4", "1", "5", "60", "+Inf"];
const API_GET = [20, 55, 74, 79, 80, 80, 80, 80, 80, 80];
const API_LIST = [0, 3, 10, 17, 19, 20, 20, 20, 20, 20];
const API_WATCH = [0, 0, 0, 0, 0, 0, 0, 0, 5, 10];
const API_LATENCY = [
  ...buckets({ verb: "GET", resource: "pods" }, API_LE, () => API_GET),
  ...buckets({ verb: "LIST", resource: "pods" }, API_LE, () => API_LIST),
  ...buckets({ verb: "WATCH", resource: "pods" }, API_LE, () => API_WATCH),
  ...buckets({ verb: "CONNECT", resource: "pods" }, API_LE, () => API_WATCH),
];

// ---- the application's own counter, for day2.yaml's custom queries ----
const HTTP_REQUESTS: Counter[] = [
  { labels: { job: "shop", code: "200" }, rate: () => 49.9 },
  { labels: { job: "shop", code: "502" }, rate: () => 0.1 },
];

const OPENMETRICS = [
  ...family("nginx_ingress_controller_requests", NGINX_REQUESTS),
  ...family("nginx_ingress_controller_request_duration_seconds_bucket", NGINX_LATENCY),
  ...family("apiserver_request_duration_seconds_bucket", API_LATENCY),
  ...family("http_requests_total", HTTP_REQUESTS),
  "# EOF",
  "",
].join("\n");

/**
 * histogram_quantile as Prometheus computes it from cumulative bucket rates: the rank q x total
 * falls in a bucket, and the value is interpolated linearly inside it (the first bucket starts
 * at 0). The true quantile may lie anywhere in that bucket; the interpolation is what is asserted.
 */
function interpolatedQuantile(q: number, bounds: readonly string[], cumulative: readonly number[]): number {
  const rank = q * cumulative.at(-1)!;
  const b = cumulative.findIndex((c) => c >= rank);
  if (bounds[b] === "+Inf") return Number(bounds[b - 1]);
  const lower = b === 0 ? 0 : Number(bounds[b - 1]);
  const below = b === 0 ? 0 : cumulative[b - 1]!;
  return lower + (Number(bounds[b]) - lower) * ((rank - below) / (cumulative[b]! - below));
}

const sumOf = (...rows: number[][]): number[] => rows[0]!.map((_, k) => rows.reduce((s, r) => s + r[k]!, 0));
const meanOf = (a: number[], b: number[]): number[] => a.map((x, k) => (x + b[k]!) / 2);

async function writeSnapshot(file: string, collectedAt: number): Promise<void> {
  const w = new SnapshotWriter(file);
  const objects: object[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", uid: "ns-shop" } },
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
        allocatable: { cpu: "4", memory: "16Gi", pods: "110" },
        conditions: [{ type: "Ready", status: "True" }],
      },
    },
  ];
  for (const o of objects) w.write(o as never);
  await w.finish({
    source: "live",
    sourceDetail: "test",
    context: "test",
    collectedAt: new Date(collectedAt * 1000).toISOString(),
    coverage: KINDS.map((k) => ({ kind: k.kind, status: "collected" as const, count: 0 })),
  });
}

/** The node at $0.25 an hour and nothing else priced: the window's cluster cost is 24 x 0.25 = $6. */
const PRICING = {
  shippedPrices: false,
  regions: { "us-east-1": { instanceTypes: { "m6i.xlarge": { onDemandHour: 0.25 } } } },
};

interface Row {
  id: string;
  value: number | null;
  unit: string;
  status: string;
  reason: string | null;
  source: string | null;
  detail: Record<string, unknown>;
}

function byId(r: Run): Record<string, Row> {
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries((JSON.parse(r.stdout) as Row[]).map((x) => [x.id, x]));
}

describe("day2 kpi with a real Prometheus", () => {
  let prom: TestPrometheus;
  const snapshot = join(TMP, "cluster.ndjson.gz");
  const earlier = join(TMP, "earlier.ndjson.gz");
  const quiet = join(TMP, "quiet.ndjson.gz");
  const config = join(TMP, "day2.yaml");
  const custom = join(TMP, "custom.yaml");
  const broken = join(TMP, "broken.yaml");
  before(async () => {
    await writeSnapshot(snapshot, END);
    // Collected 30 days before the history starts: Prometheus has no series in its window.
    await writeSnapshot(earlier, START - 30 * 86_400);
    // Collected at the end of day 0: requests, but not one 5xx series yet.
    await writeSnapshot(quiet, START + PER_DAY * STEP);
    writeFileSync(config, stringify({ cost: { pricing: PRICING } }));
    writeFileSync(
      custom,
      stringify({
        cost: { pricing: PRICING },
        kpis: {
          uptime: { target: ">= 99.5" },
          queries: {
            errorRatio:
              'sum(rate(http_requests_total{job="shop",code=~"5.."}[$window])) / sum(rate(http_requests_total{job="shop"}[$window]))',
            requests: 'sum(increase(http_requests_total{job="shop"}[$window]))',
          },
        },
      }),
    );
    writeFileSync(
      broken,
      stringify({
        cost: { pricing: PRICING },
        kpis: { queries: { p95Latency: "histogram_quantile(0.95, " } },
      }),
    );
    prom = await startPrometheus({ data: OPENMETRICS });
  });
  after(async () => {
    await prom?.stop();
    rmSync(TMP, { recursive: true, force: true });
  });

  const kpi = (snap: string, cfg: string): Promise<Run> =>
    day2([
      "kpi",
      "--snapshot",
      snap,
      "--prometheus",
      prom.url,
      "--window",
      "1d",
      "--config",
      cfg,
      "-o",
      "json",
    ]);

  it("computes uptime, its error budget, P95 latency, API response time and cost per request", async () => {
    const r = await kpi(snapshot, config);
    const by = byId(r);
    assert.match(r.stderr, /kpi: querying Prometheus for availability and latency over 1d/);

    // Uptime: 1 - 40,320 / 8,853,120 errors (day 1's 50/s of 503s is outside the window).
    const ratio = ERRORS / REQUESTS;
    assert.equal(by.uptime!.value, 99.5446, "(1 - 0.00455434) x 100, to 4 places");
    assert.equal(by.uptime!.value, Number(((1 - ratio) * 100).toFixed(4)));
    assert.equal(by.uptime!.source, "prometheus");
    assert.equal(by.uptime!.status, "missed");
    // SLO 99.95%: a 0.05% budget; the error ratio 0.455% is 9.11 budgets.
    assert.deepEqual(by.uptime!.detail, {
      errorBudgetPct: 0.05,
      budgetConsumedPct: 910.87,
      budgetRemainingPct: 0,
      burnRate: 9.109,
    });
    assert.equal(Number((ratio / 0.0005).toFixed(3)), 9.109);

    // P95 latency: the window's buckets are the mean of its two halves; rank 95 of 100 falls in
    // (0.5, 1] with 93 below and 5.5 inside: 0.5 + 0.5 x 2 / 5.5 = 0.681818 s.
    const nginx = meanOf(NGINX_A, NGINX_B);
    assert.deepEqual(nginx, [5, 12, 28, 45, 65, 84, 93, 98.5, 100, 100, 100, 100]);
    assert.equal(interpolatedQuantile(0.95, NGINX_LE, nginx), 0.5 + 0.5 * (2 / 5.5));
    assert.equal(by["p95-latency"]!.value, 681.8);
    assert.equal(by["p95-latency"]!.status, "missed");

    // API response time: GET + LIST only; rank 95 of 100 falls in (0.05, 0.1] with 84 below and
    // 12 inside: 0.05 + 0.05 x 11 / 12 = 0.0958333 s. With WATCH and CONNECT the rank (114 of
    // 120) would fall in +Inf: 60 s, the highest finite bound.
    const api = sumOf(API_GET, API_LIST);
    assert.equal(interpolatedQuantile(0.95, API_LE, api), 0.05 + 0.05 * (11 / 12));
    assert.equal(by["api-response-time"]!.value, 95.8);
    assert.equal(by["api-response-time"]!.status, "at-risk", "under 100 ms, within 10% of it");
    assert.equal(interpolatedQuantile(0.95, API_LE, sumOf(API_GET, API_LIST, API_WATCH, API_WATCH)), 60);

    // Cost per request: $6 over 8,853,120 requests = $0.6777 per million.
    assert.equal(by["cost-per-request"]!.value, Number(((6 / REQUESTS) * 1e6).toFixed(4)));
    assert.equal(by["cost-per-request"]!.value, 0.6777);
    assert.deepEqual(by["cost-per-request"]!.detail, { clusterCostUsd: 6, requests: REQUESTS, windowH: 24 });
    assert.equal(by["cost-per-request"]!.source, "cost allocation + prometheus");
  });

  it("a window without a single 5xx is 100% up with the whole budget left, not no data", async () => {
    const by = byId(await kpi(quiet, config));
    assert.equal(by.uptime!.value, 100);
    assert.equal(by.uptime!.status, "met");
    assert.deepEqual(by.uptime!.detail, {
      errorBudgetPct: 0.05,
      budgetConsumedPct: 0,
      budgetRemainingPct: 100,
      burnRate: 0,
    });
    // 102/s of 200s and 404s for a day.
    assert.deepEqual(by["cost-per-request"]!.detail, {
      clusterCostUsd: 6,
      requests: 102 * 86_400,
      windowH: 24,
    });
  });

  it("says no data, and why, when Prometheus has none of the series in the window", async () => {
    const by = byId(await kpi(earlier, config));
    for (const [id, what] of [
      ["uptime", "availability"],
      ["p95-latency", "P95 latency"],
      ["api-response-time", "API response time"],
    ] as const) {
      assert.equal(by[id]!.value, null, id);
      assert.equal(by[id]!.status, "no-data", id);
      // Uptime names its incident-history fallback too (there is no incident store here).
      const fallback =
        id === "uptime" ? "; no incident store (--server or --db) for the P0-outage fallback" : "";
      assert.equal(
        by[id]!.reason,
        `no data: the ${what} query returned no series (is the metric scraped?)${fallback}`,
      );
    }
    assert.equal(by["cost-per-request"]!.value, null);
    assert.equal(
      by["cost-per-request"]!.reason,
      "no data: no requests counted in the window (is the request counter scraped?)",
    );
  });

  it("a day2.yaml with its own queries and SLO target; a query Prometheus rejects is that KPI's reason", async () => {
    const by = byId(await kpi(snapshot, custom));
    // http_requests_total: 0.1/s of 502s out of 50/s in all.
    const ratio = 0.1 / 50;
    assert.equal(by.uptime!.value, 99.8);
    assert.equal(by.uptime!.status, "met", "SLO 99.5%");
    assert.deepEqual(by.uptime!.detail, {
      errorBudgetPct: 0.5,
      budgetConsumedPct: 40,
      budgetRemainingPct: 60,
      burnRate: Number((ratio / 0.005).toFixed(3)),
    });
    // 50/s x 86,400 s; the latency queries are still the defaults.
    assert.deepEqual(by["cost-per-request"]!.detail, { clusterCostUsd: 6, requests: 4_320_000, windowH: 24 });
    assert.equal(by["cost-per-request"]!.value, Number(((6 / 4_320_000) * 1e6).toFixed(4)));
    assert.equal(by["p95-latency"]!.value, 681.8);

    const bad = byId(await kpi(snapshot, broken));
    assert.equal(bad["p95-latency"]!.value, null);
    assert.match(
      bad["p95-latency"]!.reason!,
      /^no data: the P95 latency query failed: .*HTTP 400.*parse error/,
    );
    // The other queries are unaffected.
    assert.equal(bad.uptime!.value, 99.5446);
    assert.equal(bad["api-response-time"]!.value, 95.8);
  });

  it("day2 kpi slo-rules: promtool check rules accepts its groups, with the default and a configured query", async () => {
    for (const args of [
      ["kpi", "slo-rules"],
      ["kpi", "slo-rules", "--target", "99.9", "--config", custom],
    ]) {
      const r = await day2(args);
      assert.equal(r.code, 0, r.stderr);
      const doc = parse(r.stdout) as { kind: string; spec: { groups: { rules: { expr: string }[] }[] } };
      assert.equal(doc.kind, "PrometheusRule");
      // promtool reads a plain rule file: the PrometheusRule's spec.
      const file = join(TMP, `rules-${args.length}.yaml`);
      writeFileSync(file, stringify(doc.spec));
      const check = spawnSync(PROMTOOL_BIN, ["check", "rules", file], { encoding: "utf8" });
      assert.equal(check.status, 0, check.stdout + check.stderr);
      // 8 recording rules (5m 1h 30m 6h 2h 1d 6h 3d, 7 distinct windows) and 4 alerts.
      assert.match(check.stdout, /SUCCESS: 11 rules found/);
      if (args.includes("--config"))
        assert.ok(doc.spec.groups[0]!.rules.every((x) => x.expr.includes("http_requests_total")));
    }
  });
});

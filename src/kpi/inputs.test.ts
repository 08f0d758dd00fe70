/**
 * The KPI inputs built one way (src/kpi/inputs.ts) and the review's KPI fixes (issue 8): the
 * server's collection and `day2 kpi` agree on the same state and usage; cost per request over
 * the window the requests were counted in; MTBF with 0 and 1 failures; idle % with nothing
 * allocated; utilisation judging CPU and memory; uptime falling back to incident history.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { collectOnce } from "../collect/collect.js";
import { usageWindow } from "../cli/cost/shared.js";
import type { GlobalOptions } from "../cli/options.js";
import { loadDemo } from "../cli/source.js";
import type { AllocationResult } from "../cost/allocation.js";
import { allocate } from "../cost/allocation.js";
import { buildPriceSheet } from "../cost/pricing.js";
import type { UsageData } from "../cost/types.js";
import { demoUsage } from "../cost/usage/demo.js";
import { demoOptionsFromScale } from "../demo/scale.js";
import { incidentsSince } from "../incident/paging.js";
import type { Incident } from "../incident/types.js";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import { CATALOG, resolveCatalog } from "./catalog.js";
import { resourceUtilizationKpi } from "./compute/cluster.js";
import { costPerRequestKpi, idleResourceKpi } from "./compute/cost.js";
import { mtbfKpi } from "./compute/incidents.js";
import { DEFAULT_QUERIES } from "./compute/prometheus.js";
import { evaluate, measureAll, uptimeKpi } from "./engine.js";
import { kpiInputs, kpiWindows, securityInputs } from "./inputs.js";
import type { KpiId, KpiResult } from "./types.js";

const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.parse("2026-11-20T12:00:00Z");
const WINDOW = { from: NOW - 30 * DAY, to: NOW };

function incident(p: Partial<Incident> & Pick<Incident, "id" | "createdAt">): Incident {
  return {
    title: p.id,
    priority: "P1",
    priorityOverridden: false,
    status: "resolved",
    groupKey: p.id,
    labels: {},
    escalationLevel: 0,
    ...p,
  };
}

function byId(rows: readonly KpiResult[]): Record<KpiId, KpiResult> {
  return Object.fromEntries(rows.map((r) => [r.id, r])) as Record<KpiId, KpiResult>;
}

test("the server's collection and `day2 kpi` give the same KPIs for the same state and usage", async () => {
  const state = loadDemo({ seed: 42, scale: "small" } as GlobalOptions);
  const windowS = 30 * 86_400;
  const usageOf = (s: ClusterState, seconds: number): UsageData =>
    demoUsage(demoOptionsFromScale("small", 42), s, usageWindow(s, seconds, 3600));
  let asked = 0;
  // The server: collectOnce asks its sources for usage over the KPI window, scans, allocates.
  const server = await collectOnce(
    {
      loadState: async () => state,
      usage: async (s, seconds) => {
        asked = seconds;
        return { usage: usageOf(s, seconds) };
      },
      incidents: async () => undefined,
      previousKpis: async () => ({}),
    },
    { catalog: CATALOG, queries: DEFAULT_QUERIES, kpiWindowSeconds: windowS },
    NOW,
  );
  assert.equal(asked, windowS, "usage is read over the KPI window, not a separate 14 days");
  // `day2 kpi --window 30d`: no scan report, its own allocation; the same module builds the inputs.
  const usage = usageOf(state, windowS);
  const cli = evaluate(
    CATALOG,
    measureAll(
      kpiInputs({
        state,
        windows: kpiWindows(state, windowS, NOW),
        usage,
        allocation: allocate(state, buildPriceSheet(undefined), usage, {}),
        security: securityInputs(state, { now: NOW }),
      }),
      CATALOG,
    ),
  );
  const s = byId(server.kpis);
  const c = byId(cli);
  for (const id of [
    "resource-utilization",
    "compute-cost-efficiency",
    "idle-resource-pct",
    "storage-cost-per-tb",
    "compliance-score",
    "critical-cves",
    "failed-deployments",
    "pod-startup-time",
  ] as const) {
    assert.equal(s[id].value, c[id].value, id);
    assert.deepEqual(s[id].detail, c[id].detail, id);
  }
  assert.equal(typeof c["resource-utilization"].value, "number");
  // The cost page's idle % is the KPI's (idle / allocatable node cost), not idle / total cost.
  assert.equal(server.cost?.idle.pct, c["idle-resource-pct"].value);
  assert.equal(typeof c["compliance-score"].value, "number");
});

function alloc(p: {
  cost: number;
  hours: number;
  cpu?: number;
  memory?: number;
  idle?: number;
}): AllocationResult {
  return {
    window: { start: "", end: "", stepSeconds: 3600, hours: p.hours },
    usage: { source: "prometheus", confidence: "high", partial: false, coverage: 1 },
    allocated: { cpu: p.cpu ?? 0, memory: p.memory ?? 0, gpu: 0, storage: 0, loadBalancer: 0, total: 0 },
    workloadIdle: { cost: 0, monthly: 0 },
    cluster: { cost: p.cost, monthly: 0, nodes: p.cost, storage: 0, loadBalancers: 0 },
    overhead: { reserved: 0 },
    idle: { cost: p.idle ?? 0, monthly: 0, overAllocated: false },
  } as unknown as AllocationResult;
}

test("cost per request: the cost of the window the requests were counted in", () => {
  const requests = { kind: "value", value: 3e6 } as const;
  // $10 a day. Cost allocated over 14 days ($140), requests counted over 30 days (3M):
  // the 30 days cost $300 -> $100 per 1M requests (not 140 / 3 = 46.67).
  const fortnight = costPerRequestKpi(alloc({ cost: 140, hours: 14 * 24 }), requests, 30 * DAY);
  assert.equal(fortnight.value, 100);
  assert.equal(fortnight.detail!.clusterCostUsd, 300);
  assert.equal(fortnight.detail!.windowH, 720);
  const month = costPerRequestKpi(alloc({ cost: 300, hours: 30 * 24 }), requests, 30 * DAY);
  assert.equal(month.value, 100);
  // The engine passes the KPI window along with the Prometheus answers.
  const state = new ClusterStateBuilder({ source: "manifests", sourceDetail: "t", collectedAt: NOW }).build({
    complete: true,
  });
  const inputs = kpiInputs({
    state,
    windows: kpiWindows(state, 30 * 86_400, NOW),
    allocation: alloc({ cost: 140, hours: 14 * 24 }),
    security: securityInputs(state, { now: NOW }),
    prom: {
      errorRatio: { kind: "value", value: 0 },
      p95Latency: { kind: "empty" },
      apiResponseTime: { kind: "empty" },
      requests,
    },
  });
  assert.equal(measureAll(inputs)["cost-per-request"].value, 100);
});

test("MTBF: one P0/P1 failure is a value; none is the window as a lower bound", () => {
  const one = mtbfKpi({
    incidents: [incident({ id: "a", createdAt: NOW - 5 * DAY, resolvedAt: NOW - 5 * DAY + 30 * 60_000 })],
    window: WINDOW,
  });
  assert.equal(one.value, 719.5); // (720 h - 0.5 h down) / 1
  assert.equal(one.detail!.failures, 1);
  const p2Only = [incident({ id: "b", priority: "P2", createdAt: NOW - DAY })];
  const none = mtbfKpi({ incidents: p2Only, window: WINDOW });
  assert.equal(none.value, 720);
  assert.equal(none.detail!.lowerBound, true);
  assert.match(none.reason!, /no P0\/P1 incident in the 720 h window: MTBF is at least the window/);
  const m = measureAll({
    state: new ClusterStateBuilder({ source: "manifests", sourceDetail: "t", collectedAt: NOW }).build({
      complete: true,
    }),
    window: WINDOW,
    cves: { status: "no data", critical: null, high: null } as never,
    compliance: { status: "no data", percent: null } as never,
    incidents: { incidents: p2Only, window: WINDOW },
  });
  // No failure in 720 h: MTBF is longer than 720 h, so "> 720 h" is met (no at-risk margin on a bound).
  const mtbf = byId(evaluate(CATALOG, m)).mtbf;
  assert.deepEqual([mtbf.value, mtbf.status], [720, "met"]);
  assert.match(mtbf.reason!, /at least the window/);
  // A 7-day window alone cannot show 720 h: a bound that proves nothing is no-data, and says so.
  const week = { from: NOW - 7 * DAY, to: NOW };
  const short = byId(evaluate(CATALOG, { ...m, mtbf: mtbfKpi({ incidents: p2Only, window: week }) })).mtbf;
  assert.deepEqual([short.value, short.status], [168, "no-data"]);
  assert.match(short.reason!, /only a lower bound/);
});

test("idle %: no data when nothing is allocated to pods; else idle / allocatable node cost", () => {
  const empty = idleResourceKpi(alloc({ cost: 100, hours: 24, idle: 100 }));
  assert.equal(empty.value, null);
  assert.match(empty.reason!, /no CPU or memory allocated to pods/);
  assert.equal(idleResourceKpi(alloc({ cost: 100, hours: 24, cpu: 30, memory: 20, idle: 25 })).value, 25);
});

test("utilisation judges CPU and memory: the one further from the range is the value", () => {
  const GiB = 2 ** 30;
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "t", collectedAt: NOW });
  b.add({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n1", uid: "n1", creationTimestamp: new Date(NOW - DAY).toISOString() },
    status: { allocatable: { cpu: "10", memory: "100Gi" }, capacity: { cpu: "10", memory: "100Gi" } },
  });
  const state = b.build({ complete: true });
  const usage = (cpu: number, memGiB: number): UsageData => ({
    source: "prometheus",
    confidence: "high",
    window: { start: new Date(NOW - H), end: new Date(NOW), stepSeconds: 3600 },
    containers: new Map([
      [
        "a/p/c",
        {
          namespace: "a",
          pod: "p",
          container: "c",
          cpu: Float64Array.from([cpu]),
          memory: Float64Array.from([memGiB * GiB]),
        },
      ],
    ]),
    partial: false,
    problems: [],
    notes: [],
  });
  // CPU 95%, memory 35%: the mean (65%) would be "met"; memory is 25 points out, CPU 15.
  const skewed = resourceUtilizationKpi(state, usage(9.5, 35));
  assert.equal(skewed.value, 35);
  assert.deepEqual(
    [skewed.detail!.cpuPct, skewed.detail!.memoryPct, skewed.detail!.judged],
    [95, 35, "memory"],
  );
  const rows = byId(
    evaluate(CATALOG, {
      ...measureAll({
        state,
        window: WINDOW,
        cves: { status: "no data", critical: null, high: null } as never,
        compliance: { status: "no data", percent: null } as never,
      }),
      "resource-utilization": skewed,
    }),
  );
  assert.equal(rows["resource-utilization"].status, "missed");
  // Both inside: the one nearer an edge (CPU 78% is 2 from 80, memory 70% is 10 from 60).
  assert.equal(resourceUtilizationKpi(state, usage(7.8, 70)).value, 78);
  // A configured range judges against itself: 50-75 makes memory 35% 15 out, CPU 95% 20 out.
  const custom = resolveCatalog({ "resource-utilization": { target: "50-75" } });
  const m = measureAll(
    {
      state,
      window: WINDOW,
      usage: usage(9.5, 35),
      cves: { status: "no data", critical: null, high: null } as never,
      compliance: { status: "no data", percent: null } as never,
    },
    custom,
  );
  assert.equal(m["resource-utilization"].value, 95);
});

test("uptime: without a Prometheus answer, incident history, naming both reasons", () => {
  const incidents = {
    incidents: [
      incident({ id: "p0", priority: "P0", createdAt: NOW - DAY, resolvedAt: NOW - DAY + 72 * 60_000 }),
    ],
    window: WINDOW,
  };
  const empty = uptimeKpi({ prom: { errorRatio: { kind: "empty" } } as never, incidents }, 99.95);
  // 72 min down of 30 days: 99.8333 %.
  assert.equal(empty.value, 99.8333);
  assert.match(empty.source!, /^incident history \(P0 outage time\): Prometheus had no availability/);
  assert.match(empty.source!, /the availability query returned no series/);
  assert.equal(
    empty.detail!.prometheus,
    "the availability query returned no series (is the metric scraped?)",
  );
  const failed = uptimeKpi({ prom: { errorRatio: { kind: "error", message: "timeout" } } as never }, 99.95);
  assert.equal(failed.value, null);
  assert.match(failed.reason!, /the availability query failed: timeout; no incident store/);
  // A Prometheus answer wins over the incidents.
  const prom = uptimeKpi(
    { prom: { errorRatio: { kind: "value", value: 0.001 } } as never, incidents },
    99.95,
  );
  assert.deepEqual([prom.value, prom.source], [99.9, "prometheus"]);
});

test("incidentsSince pages newest-first until a page reaches past the start", async () => {
  const all = Array.from({ length: 2500 }, (_, i) => incident({ id: `i${i}`, createdAt: NOW - i * H }));
  const pages: number[] = [];
  const list = async ({ limit, offset }: { limit: number; offset: number }) => {
    pages.push(offset);
    return { items: all.slice(offset, offset + limit), total: all.length };
  };
  const since = NOW - 1200 * H;
  const got = await incidentsSince(list, since);
  assert.equal(got.length, 1201);
  assert.ok(got.every((i) => i.createdAt >= since));
  assert.deepEqual(pages, [0, 1000], "the third page is never read");
  pages.length = 0;
  assert.equal((await incidentsSince(list, -Infinity)).length, 2500);
  assert.deepEqual(pages, [0, 1000, 2000]);
});

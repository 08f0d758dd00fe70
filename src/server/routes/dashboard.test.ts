/**
 * The dashboard API (overview, findings, scores, kpis, cost, rhythm) and the collection's
 * /metrics gauges, over a real SQLite store filled by a real collection of the demo cluster.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { collectOnce } from "../../collect/collect.js";
import type { Collected } from "../../collect/collect.js";
import { usageWindow } from "../../cli/cost/shared.js";
import { demoUsage } from "../../cost/usage/demo.js";
import { demoOptionsFromScale } from "../../demo/scale.js";
import { loadDemo } from "../../cli/source.js";
import type { GlobalOptions } from "../../cli/options.js";
import { CATALOG } from "../../kpi/catalog.js";
import { DEFAULT_QUERIES } from "../../kpi/compute/prometheus.js";
import { recordCollection } from "../../store/collections.js";
import { buildServer } from "../app.js";
import type { Day2Server } from "../app.js";
import { adaptCollections, openServerStore } from "../store-adapter.js";
import type { AdaptedStore } from "../store-adapter.js";

const MIN = 60_000;

async function demoCollection(at: number): Promise<Collected> {
  const opts = { seed: 42, scale: "small" } as GlobalOptions;
  const state = loadDemo(opts);
  return collectOnce(
    {
      loadState: async () => state,
      usage: async (s) => ({
        usage: demoUsage(demoOptionsFromScale("small", 42), s, usageWindow(s, 14 * 86_400, 3600)),
      }),
      incidents: async (window) => ({ incidents: [], window }),
      previousKpis: async () => ({}),
    },
    { catalog: CATALOG, queries: DEFAULT_QUERIES },
    at,
  );
}

describe("dashboard API", () => {
  let dir: string;
  let store: AdaptedStore;
  let app: Day2Server;
  const tokens: Record<string, string> = {};
  let first: Collected;
  const t0 = Date.now() - 10 * MIN;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "day2-dashboard-"));
    store = await openServerStore(join(dir, "day2.db"));
    for (const role of ["viewer", "responder"] as const)
      tokens[role] = (await store.createToken(`${role}-user`, role)).token;
    app = buildServer({ store, collections: adaptCollections(store.store) }, { tokenCacheMs: 0 });
    await app.ready();
    first = await demoCollection(t0);
  });

  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, role = "viewer") =>
    app.inject({ method: "GET", url, headers: { authorization: `Bearer ${tokens[role]}` } });

  test("before the first collection: empty overview, 404 cost, metrics without collection samples", async () => {
    const o = await get("/api/v1/overview");
    assert.equal(o.statusCode, 200);
    const body = o.json();
    assert.equal(body.cluster, null);
    assert.equal(body.lastCollection, null);
    assert.equal(body.score, null);
    assert.deepEqual(body.kpis, []);
    const c = await get("/api/v1/cost");
    assert.equal(c.statusCode, 404);
    assert.equal(c.json().code, "D2_HTTP_NOT_FOUND");
    assert.match(c.json().message, /no cost snapshot yet/);
    const m = await app.inject({ method: "GET", url: "/metrics" });
    assert.doesNotMatch(m.body, /^day2_scan_score /m);
    assert.doesNotMatch(m.body, /^day2_kpi_value\{/m);
  });

  test("after two collections: overview, findings with fixedAt, groups, scores, kpis, cost, metrics", async () => {
    await recordCollection(store.store.raw, { ...first.input, durationMs: 1500 });
    // The second run no longer sees the first finding: it is fixed at the second run's time.
    const gone = first.input.findings![0]!;
    const second = {
      ...first.input,
      at: t0 + MIN,
      durationMs: 1700,
      findings: first.input.findings!.slice(1),
    };
    await recordCollection(store.store.raw, second);

    const o = (await get("/api/v1/overview")).json();
    assert.equal(o.cluster.source, "demo");
    assert.equal(o.lastCollection.at, new Date(t0 + MIN).toISOString());
    assert.equal(o.lastCollection.durationMs, 1700);
    assert.equal(o.score.value, first.input.score);
    assert.equal(o.kpis.length, 16);
    assert.equal(o.kpis[0].id, "uptime", "KPI tiles in catalogue order");
    // One point per UTC day (the day's last run): the two runs a minute apart are one point.
    const sameDay = Math.floor(t0 / 86_400_000) === Math.floor((t0 + MIN) / 86_400_000);
    assert.equal(o.kpis[0].history.length, sameDay ? 1 : 2);
    assert.equal(o.kpis[0].history.at(-1).at, new Date(t0 + MIN).toISOString());
    assert.ok(Array.isArray(o.success));
    assert.deepEqual(Object.keys(o.findingCounts), ["critical", "high", "medium", "low", "info"]);

    const fixed = (await get("/api/v1/findings?status=fixed")).json();
    assert.equal(fixed.total, 1);
    assert.equal(fixed.items[0].key, gone.key);
    assert.equal(fixed.items[0].fixedAt, new Date(t0 + MIN).toISOString());
    assert.equal(fixed.items[0].firstSeen, new Date(t0).toISOString());

    const open = (await get("/api/v1/findings?limit=5&sort=severity")).json();
    assert.equal(open.total, new Set(first.input.findings!.map((f) => f.key)).size - 1);
    assert.equal(open.items.length, 5);
    assert.equal(open.items[0].severity, "critical");
    assert.match(open.items[0].runbook, /^runbooks\/.+\.md$/);
    const ns = first.input.findings!.find((f) => f.namespace !== "")!.namespace;
    const inNs = (await get(`/api/v1/findings?namespace=${ns}&status=all&limit=1000`)).json();
    assert.ok(inNs.items.length > 0 && inNs.items.every((f: { namespace: string }) => f.namespace === ns));

    const groups = (await get("/api/v1/findings/groups?by=rule")).json();
    const sum = groups.items.reduce((n: number, g: { count: number }) => n + g.count, 0);
    assert.equal(sum, open.total);

    const scores = (await get("/api/v1/scores?days=1")).json();
    assert.deepEqual(
      scores.items.map((s: { at: string }) => s.at),
      [new Date(t0).toISOString(), new Date(t0 + MIN).toISOString()],
    );

    const kpis = (await get("/api/v1/kpis")).json();
    assert.equal(kpis.items.length, 16);
    const h = (await get("/api/v1/kpis/compliance-score/history?days=7")).json();
    assert.equal(h.id, "compliance-score");
    assert.equal(h.items.length, 2);
    assert.equal(typeof h.items[0].value, "number");

    const cost = (await get("/api/v1/cost")).json();
    assert.equal(cost.currency, "USD");
    assert.ok(cost.monthlyTotal > 0);
    assert.ok(cost.byNamespace.length > 0);
    assert.ok(cost.savings.items.length <= 20);
    assert.equal(cost.history.length, 2);
    assert.deepEqual(cost.forecast, [], "no forecast from less than two days of history");

    const m = (await app.inject({ method: "GET", url: "/metrics" })).body;
    assert.match(m, new RegExp(`^day2_scan_score ${first.input.score}$`, "m"));
    assert.match(m, /^day2_kpi_value\{kpi="compliance-score"\} \d/m);
    assert.doesNotMatch(m, /^day2_kpi_value\{kpi="p95-latency"\}/m, "no data: no sample");
    assert.match(m, /^day2_kpi_status\{kpi="p95-latency",status="no-data"\} 1$/m);
    assert.match(m, /^day2_findings\{severity="critical"\} \d+$/m);
    assert.match(m, /^day2_collection_duration_seconds 1.7$/m);
    assert.match(m, new RegExp(`^day2_collection_last_success_timestamp_seconds ${(t0 + MIN) / 1000}$`, "m"));
  });

  test("rhythm: the checklist on the latest collection, sign-offs by the token's name", async () => {
    const daily = await get("/api/v1/rhythm/daily");
    assert.equal(daily.statusCode, 200);
    const doc = daily.json();
    assert.equal(doc.kind, "RhythmReport");
    assert.equal(doc.cadence, "daily");
    const health = doc.items.find((i: { id: string }) => i.id === "cluster-health");
    assert.notEqual(health.status, "not-available", "evaluated from the stored scan");

    const denied = await app.inject({
      method: "POST",
      url: "/api/v1/rhythm/signoffs",
      headers: { authorization: `Bearer ${tokens.viewer}` },
      payload: { itemId: "team-training" },
    });
    assert.equal(denied.statusCode, 403);
    const ok = await app.inject({
      method: "POST",
      url: "/api/v1/rhythm/signoffs",
      headers: { authorization: `Bearer ${tokens.responder}` },
      payload: { itemId: "team-training", note: "k8s workshop" },
    });
    assert.equal(ok.statusCode, 201);
    assert.equal(ok.json().who, "responder-user");
    assert.equal(ok.json().cadence, "quarterly");
    const quarterly = (await get("/api/v1/rhythm/quarterly")).json();
    assert.equal(quarterly.items.find((i: { id: string }) => i.id === "team-training").status, "manual-done");
    const list = (await get("/api/v1/rhythm/signoffs?limit=1")).json();
    assert.deepEqual(
      list.items.map((s: { itemId: string; note: string }) => [s.itemId, s.note]),
      [["team-training", "k8s workshop"]],
    );
  });

  const garbage: [string, RegExp][] = [
    ["/api/v1/findings?limit=abc", /querystring\.limit/],
    ["/api/v1/findings?limit=0", /querystring\.limit/],
    ["/api/v1/findings?status=bogus", /querystring\.status/],
    ["/api/v1/findings?sort=size", /querystring\.sort/],
    ["/api/v1/findings?severity=urgent", /querystring\.severity/],
    ["/api/v1/findings?order=up", /querystring\.order/],
    ["/api/v1/findings?offset=-1", /querystring\.offset/],
    ["/api/v1/findings/groups?by=team", /querystring\.by/],
    ["/api/v1/scores?days=abc", /querystring\.days/],
    ["/api/v1/kpis/happiness/history", /params\.id/],
    ["/api/v1/kpis/mttr/history?days=0", /querystring\.days/],
    ["/api/v1/rhythm/yearly", /params\.cadence/],
    ["/api/v1/rhythm/signoffs?limit=abc", /querystring\.limit/],
  ];
  for (const [url, field] of garbage)
    test(`garbage ${url} -> 400 naming the parameter`, async () => {
      const r = await get(url);
      assert.equal(r.statusCode, 400, r.body);
      assert.equal(r.json().code, "D2_HTTP_BAD_REQUEST");
      assert.match(r.json().message, field);
    });

  test("garbage sign-off bodies -> 400 naming the field", async () => {
    const post = (payload: unknown) =>
      app.inject({
        method: "POST",
        url: "/api/v1/rhythm/signoffs",
        headers: { authorization: `Bearer ${tokens.responder}` },
        payload: payload as Record<string, unknown>,
      });
    const unknown = await post({ itemId: "feed-the-cat" });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().message, /body\.itemId: unknown item "feed-the-cat"/);
    const missing = await post({ note: "x" });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().message, /body\.itemId is required/);
    const wrongType = await post({ itemId: "team-training", note: 7 });
    assert.equal(wrongType.statusCode, 400);
    assert.match(wrongType.json().message, /body\.note/);
  });

  test("every dashboard route needs a token", async () => {
    for (const url of ["/api/v1/overview", "/api/v1/findings", "/api/v1/cost", "/api/v1/rhythm/daily"]) {
      const r = await app.inject({ method: "GET", url });
      assert.equal(r.statusCode, 401, url);
    }
  });
});

/**
 * The demo's collection history over a real SQLite store: the demo incident history seeded as
 * `day2 serve --demo` seeds it, one real collection of the demo cluster, 30 days before it,
 * and the dashboard API answering from it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { usageWindow } from "../cli/cost/shared.js";
import { loadDemo } from "../cli/source.js";
import type { GlobalOptions } from "../cli/options.js";
import { demoUsage } from "../cost/usage/demo.js";
import { demoOptionsFromScale } from "../demo/scale.js";
import { seedDemo } from "../incident/demo-seed.js";
import type { Incident } from "../incident/types.js";
import { CATALOG } from "../kpi/catalog.js";
import { DEFAULT_QUERIES } from "../kpi/compute/prometheus.js";
import { buildServer } from "../server/app.js";
import type { Day2Server } from "../server/app.js";
import { adaptCollections, openServerStore } from "../server/store-adapter.js";
import type { AdaptedStore } from "../server/store-adapter.js";
import type { Store } from "../store/index.js";
import { listRuns } from "../store/collections.js";
import type { CollectSources } from "./collect.js";
import { collectOnce } from "./collect.js";
import { DEMO_HISTORY_DAYS, demoHistoryLine, demoHistoryRuns, seedDemoCollections } from "./demo-history.js";
import type { DemoHistoryResult } from "./demo-history.js";

const DAY = 86_400_000;
const SEED = 42;
const SETTINGS = { catalog: CATALOG, queries: DEFAULT_QUERIES };

/** The demo cluster and the store's incidents, as `day2 serve --demo` wires them. */
function demoSources(store: Store): CollectSources {
  const state = loadDemo({ seed: SEED, scale: "small" } as GlobalOptions);
  return {
    loadState: async () => state,
    usage: async (s) => ({
      usage: demoUsage(demoOptionsFromScale("small", SEED), s, usageWindow(s, 14 * 86_400, 3600)),
    }),
    async incidents(window) {
      const incidents: Incident[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await store.listIncidents({}, { limit: 500, offset });
        incidents.push(...page.items);
        if (offset + page.items.length >= page.total) break;
      }
      return { incidents, window };
    },
    previousKpis: async () => ({}),
  };
}

describe("demo collection history", () => {
  let dir: string;
  let store: AdaptedStore;
  let app: Day2Server;
  let token: string;
  let seeded: DemoHistoryResult;
  const now = Date.now();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "day2-demo-history-"));
    store = await openServerStore(join(dir, "demo.db"));
    token = (await store.createToken("viewer-user", "viewer")).token;
    await seedDemo(store.store, { seed: SEED, now });
    seeded = await seedDemoCollections(store.store.raw, demoSources(store.store), SETTINGS, {
      now,
      seed: SEED,
    });
    app = buildServer({ store, collections: adaptCollections(store.store) }, { tokenCacheMs: 0 });
    await app.ready();
  });

  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async <T>(url: string): Promise<T> => {
    const res = await app.inject({ method: "GET", url, headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json<T>();
  };

  test("30 daily runs before the real one, marked as demo data", () => {
    assert.equal(seeded.seeded, true);
    assert.equal(seeded.runs, DEMO_HISTORY_DAYS + 1);
    assert.equal(seeded.to, now);
    assert.ok(now - seeded.from > 29 * DAY && now - seeded.from < 30 * DAY, "inside a 30-day window");
    assert.match(demoHistoryLine(seeded), /^demo data \(not real\): seeded 30 daily collection runs from /);
  });

  test("/api/v1/scores: 31 points, one a day, the score improving to the real run's", async () => {
    const { items } = await get<{ items: { at: string; score: number | null }[] }>("/api/v1/scores");
    assert.equal(items.length, 31);
    const times = items.map((i) => Date.parse(i.at));
    for (let i = 1; i < 30; i++)
      assert.equal(times[i]! - times[i - 1]!, DAY, `run ${i} a day after the one before`);
    assert.equal(times[30], now);
    const scores = items.map((i) => i.score!);
    const last = scores.at(-1)!;
    assert.ok(scores[0]! <= last - 6, `a month ago ${scores[0]}, today ${last}`);
    assert.ok(new Set(scores).size > 5, "a trend, not a flat line");
  });

  test("/api/v1/kpis/:id/history: 31 points; incident KPIs per day's window, trended ones moving", async () => {
    type History = { items: { at: string; value: number | null; status: string }[] };
    const mttr = await get<History>("/api/v1/kpis/mttr/history");
    assert.equal(mttr.items.length, 31);
    assert.ok(mttr.items.every((p) => p.value !== null && p.value > 0));
    assert.ok(
      new Set(mttr.items.map((p) => p.value)).size > 3,
      "MTTR moves as incidents enter and leave the window",
    );

    const eff = (await get<History>("/api/v1/kpis/compute-cost-efficiency/history")).items.map(
      (p) => p.value!,
    );
    assert.equal(eff.length, 31);
    assert.ok(eff[0]! < eff.at(-1)! - 5, `efficiency rises with right-sizing: ${eff[0]} -> ${eff.at(-1)}`);

    // Worse, then better: the peak is in the middle, above both ends.
    const fd = (await get<History>("/api/v1/kpis/failed-deployments/history")).items.map((p) => p.value!);
    const peak = Math.max(...fd);
    const at = fd.indexOf(peak);
    assert.ok(at > 5 && at < 25, `peak on day ${at}`);
    assert.ok(peak > fd[0]! + 1 && peak > fd.at(-1)! + 1, fd.join(","));
  });

  test("overview: every KPI tile has one point per day over 30 days and the real run a trend", async () => {
    const o = await get<{
      kpis: { id: string; value: number | null; status: string; trend: unknown; history: { at: string }[] }[];
    }>("/api/v1/overview");
    assert.equal(o.kpis.length, 16);
    // The 31 runs are a day apart but the real one and the last seeded one may share a UTC day.
    const days = new Set(
      (await listRuns(store.store.raw))
        .filter((r) => r.at >= Date.now() - 30 * DAY)
        .map((r) => Math.floor(r.at / DAY)),
    );
    assert.ok(days.size === 30 || days.size === 31, String(days.size));
    for (const k of o.kpis) {
      assert.equal(k.history.length, days.size, k.id);
      const perDay = new Set(k.history.map((p) => Math.floor(Date.parse(p.at) / DAY)));
      assert.equal(perDay.size, k.history.length, `${k.id}: one point per day`);
      if (k.value !== null) assert.ok(k.trend, `${k.id} has a trend against yesterday`);
    }
    // A trend target is judged once there is a previous value (it said no-data alone).
    const storage = o.kpis.find((k) => k.id === "storage-cost-per-tb")!;
    assert.notEqual(storage.status, "no-data");
  });

  test("/api/v1/cost: 31 days of history drifting down, and a forecast with its band", async () => {
    const c = await get<{
      monthlyTotal: number;
      history: { at: string; monthly: number }[];
      forecast: { at: string; monthly: number; low: number; high: number }[];
    }>("/api/v1/cost");
    assert.equal(c.history.length, 31);
    const first = c.history[0]!.monthly;
    assert.equal(c.history.at(-1)!.monthly, c.monthlyTotal);
    assert.ok(
      first > c.monthlyTotal * 1.03 && first < c.monthlyTotal * 1.08,
      `${first} vs ${c.monthlyTotal}`,
    );
    assert.ok(c.forecast.length >= 30);
    assert.ok(c.forecast.every((f) => f.low <= f.monthly && f.monthly <= f.high));
    assert.ok(
      c.forecast.some((f) => f.high > f.low),
      "the band has a width",
    );
    assert.ok(c.forecast.at(-1)!.monthly < first, "the forecast continues down");
  });

  test("findings: first seen spread over the 30 days, a handful fixed", async () => {
    type Page = { total: number; items: { firstSeen: string; fixedAt: string | null; kind: string }[] };
    const oldest = await get<Page>("/api/v1/findings?sort=firstSeen&order=asc&limit=1");
    assert.equal(Date.parse(oldest.items[0]!.firstSeen), seeded.from);
    const newest = await get<Page>("/api/v1/findings?sort=firstSeen&order=desc&limit=100");
    assert.ok(new Set(newest.items.map((f) => f.firstSeen.slice(0, 10))).size > 3, "several first-seen days");
    assert.ok(seeded.findings.opened > 50, `${seeded.findings.opened} first seen after the first run`);

    const fixed = await get<Page>("/api/v1/findings?status=fixed&limit=100");
    assert.ok(fixed.total >= 3 && fixed.total <= 10, `${fixed.total} fixed`);
    assert.equal(fixed.total, seeded.findings.fixed);
    for (const f of fixed.items) {
      assert.equal(f.kind, "Pod");
      assert.ok(Date.parse(f.fixedAt!) > Date.parse(f.firstSeen));
      assert.ok(Date.parse(f.fixedAt!) <= now);
    }
  });

  test("seeding twice adds nothing", async () => {
    const again = await seedDemoCollections(store.store.raw, demoSources(store.store), SETTINGS, {
      now: now + 60_000,
      seed: SEED,
    });
    assert.equal(again.seeded, false);
    assert.equal(again.runs, 0);
    assert.match(demoHistoryLine(again), /already holds collection runs/);
    assert.equal((await listRuns(store.store.raw)).length, 31);
  });

  test("the same real run and seed give the same history", async () => {
    const sources = demoSources(store.store);
    const c = await collectOnce(sources, SETTINGS, now);
    const basis = { real: c.input, kpis: c.kpis, catalog: CATALOG };
    const a = demoHistoryRuns(basis, { now, seed: SEED });
    const b = demoHistoryRuns(basis, { now, seed: SEED });
    assert.deepEqual(a, b);
    assert.notDeepEqual(
      a.map((r) => r.score),
      demoHistoryRuns(basis, { now, seed: 7 }).map((r) => r.score),
    );
  });
});

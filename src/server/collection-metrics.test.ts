/**
 * /metrics of the collection on a real store: one scrape reads a bounded number of queries
 * (not two per gauge), the figures are those of the latest successful run, and the KPI rows
 * are found through an index.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KyselyPlugin } from "kysely";
import { sql } from "kysely";
import { forEachBackend } from "../../test/support/store-matrix.js";
import type { Store } from "../store/index.js";
import { recordCollection, type KpiValueInput } from "../store/collections.js";
import { buildServer } from "./app.js";
import { adaptCollections, adaptStore } from "./store-adapter.js";

const T0 = Date.UTC(2026, 4, 1, 9, 0);
const STATUSES = ["met", "at-risk", "missed", "no-data"] as const;

function kpis(run: number): KpiValueInput[] {
  return Array.from({ length: 16 }, (_, i) => {
    const status = STATUSES[(i + run) % 4]!;
    const value = status === "no-data" ? null : i * 10 + run;
    return { id: `kpi-${i}`, value, status, payload: { id: `kpi-${i}`, value, status } };
  });
}

/** The store with every query it executes counted (a Kysely plugin sees each one). */
function counting(store: Store): { store: Store; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  const raw = { ...store.raw, db: store.raw.db.withPlugin(plugin) };
  // adaptCollections reads store.raw only; the rest of the Store stays the real one.
  const wrapped = Object.create(store, { raw: { value: raw } }) as Store;
  return { store: wrapped, count: () => n };
}

function sample(text: string, name: string, labels = ""): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

forEachBackend("collection /metrics", (b) => {
  test("one scrape: at most 3 queries for all gauges, figures of the latest good run", async () => {
    const store = await b.open();
    await recordCollection(store.raw, {
      at: T0,
      durationMs: 5000,
      ok: true,
      score: 61,
      coverage: 0.5,
      counts: { critical: 9, high: 9, medium: 9, low: 9, info: 9 },
      kpis: kpis(0),
    });
    await recordCollection(store.raw, {
      at: T0 + 60_000,
      durationMs: 2500,
      ok: true,
      score: 72.5,
      coverage: 0.875,
      counts: { critical: 1, high: 2, medium: 3, low: 4, info: 5 },
      kpis: kpis(1),
    });
    // A failed run after it changes nothing the gauges show.
    await recordCollection(store.raw, { at: T0 + 120_000, durationMs: 1, ok: false, error: "boom" });

    const { store: counted, count } = counting(store);
    const app = buildServer(
      { store: adaptStore(store), collections: adaptCollections(counted) },
      { tokenCacheMs: 0 },
    );
    try {
      await app.ready();
      const before = count();
      const res = await app.inject({ method: "GET", url: "/metrics" });
      assert.equal(res.statusCode, 200);
      const queries = count() - before;
      assert.ok(queries >= 1 && queries <= 3, `one scrape ran ${queries} queries`);
      const text = res.body;

      assert.equal(sample(text, "day2_scan_score"), 72.5);
      assert.equal(sample(text, "day2_scan_coverage"), 0.875);
      assert.equal(sample(text, "day2_collection_duration_seconds"), 2.5);
      assert.equal(sample(text, "day2_collection_last_success_timestamp_seconds"), (T0 + 60_000) / 1000);
      for (const [severity, n] of Object.entries({ critical: 1, high: 2, medium: 3, low: 4, info: 5 }))
        assert.equal(sample(text, "day2_findings", `{severity="${severity}"}`), n, severity);
      for (const k of kpis(1)) {
        for (const status of STATUSES)
          assert.equal(
            sample(text, "day2_kpi_status", `{kpi="${k.id}",status="${status}"}`),
            k.status === status ? 1 : 0,
            `${k.id} ${status}`,
          );
        assert.equal(sample(text, "day2_kpi_value", `{kpi="${k.id}"}`), k.value ?? undefined, k.id);
      }
    } finally {
      await app.close();
    }
  });

  test("the latest run's KPI rows are read through an index, not a scan", async () => {
    if (b.name !== "sqlite") return; // the plan below is SQLite's EXPLAIN QUERY PLAN
    const store = await b.open();
    const plan = await sql<{ detail: string }>`explain query plan
      select payload from collection_kpis where run_id = ${"run-x"}`.execute(store.raw.db);
    const detail = plan.rows.map((r) => r.detail).join("; ");
    assert.match(detail, /SEARCH collection_kpis USING INDEX/, detail);
    const runs = await sql<{ detail: string }>`explain query plan
      select id, at from collection_runs where ok = 1 order by at desc, id desc limit 1`.execute(
      store.raw.db,
    );
    assert.match(runs.rows.map((r) => r.detail).join("; "), /USING INDEX collection_runs_at/);
  });
});

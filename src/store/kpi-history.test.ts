/**
 * The KPI history trends and sparklines read, on both stores: the values closest to one window
 * back (src/collect/collect.ts previousFromStore), and one point per day over 30 days.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend } from "../../test/support/store-matrix.js";
import { previousFromStore } from "../collect/collect.js";
import { dailyKpiPoints, kpiValuesNear, recordCollection } from "./collections.js";
import type { CollectionInput } from "./collections.js";

const DAY = 86_400_000;
const H = 3_600_000;
const T0 = Date.UTC(2026, 4, 1, 0, 0);

function run(at: number, cpr: number | null, mttr = 10): CollectionInput {
  return {
    at,
    durationMs: 100,
    ok: true,
    cluster: { name: "prod", source: "live", collectedAt: at },
    score: 80,
    coverage: 1,
    counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    findings: [],
    kpis: [
      { id: "cost-per-request", value: cpr, status: "met", payload: { id: "cost-per-request", value: cpr } },
      { id: "mttr", value: mttr, status: "met", payload: { id: "mttr", value: mttr } },
    ],
  };
}

forEachBackend("kpi history", (b) => {
  test("the previous value is the stored one closest to one window back, not the latest run", async () => {
    const store = await b.open();
    // Daily runs at 06:00 for 40 days, cost per request 100 + day; then runs every 15 minutes.
    for (let d = 0; d < 40; d++) await recordCollection(store.raw, run(T0 + d * DAY + 6 * H, 100 + d));
    const now = T0 + 40 * DAY + 6 * H;
    for (let q = 1; q <= 3; q++) await recordCollection(store.raw, run(now - (4 - q) * 15 * 60_000, 999));
    // One 30-day window back from day 40 06:00 is day 10 06:00: exactly the run of day 10.
    assert.deepEqual(await previousFromStore(store.raw, now, 30 * DAY), {
      "cost-per-request": 110,
      mttr: 10,
    });
    // Closest to day 10 19:00: day 11 06:00 (11 h after) beats day 10 06:00 (13 h before)...
    const near = await kpiValuesNear(store.raw, T0 + 10 * DAY + 19 * H, now);
    assert.deepEqual([near?.at, near?.values["cost-per-request"]], [T0 + 11 * DAY + 6 * H, 111]);
    // ... and on an exact tie the earlier run is taken.
    const tie = await kpiValuesNear(store.raw, T0 + 10 * DAY + 18 * H, now);
    assert.equal(tie?.values["cost-per-request"], 110);
    // A window longer than the history: the oldest run (day 0), as long as it is half a window back.
    assert.deepEqual(await previousFromStore(store.raw, now, 60 * DAY), {
      "cost-per-request": 100,
      mttr: 10,
    });
  });

  test("a store without runs half a window back gives no previous value (no trend from 15 minutes of noise)", async () => {
    const store = await b.open();
    const now = T0 + 10 * DAY;
    await recordCollection(store.raw, run(now - 30 * 60_000, 5));
    await recordCollection(store.raw, run(now - 15 * 60_000, 6));
    assert.deepEqual(await previousFromStore(store.raw, now, 30 * DAY), {});
    assert.equal(await kpiValuesNear(store.raw, now - 30 * DAY, now - 15 * DAY), undefined);
    // A stored "no data" stays null: no trend for that KPI.
    await recordCollection(store.raw, run(now - 20 * DAY, null, 7));
    assert.deepEqual(await previousFromStore(store.raw, now, 30 * DAY), {
      "cost-per-request": null,
      mttr: 7,
    });
  });

  test("sparkline points: the last run of each UTC day since the start, oldest first", async () => {
    const store = await b.open();
    for (let d = 0; d < 35; d++)
      for (const h of [1, 9, 23]) await recordCollection(store.raw, run(T0 + d * DAY + h * H, d * 10 + h));
    const since = T0 + 35 * DAY - 30 * DAY;
    const points = (await dailyKpiPoints(store.raw, since)).filter((p) => p.kpi === "cost-per-request");
    assert.equal(points.length, 30);
    assert.deepEqual(points[0], {
      at: T0 + 5 * DAY + 23 * H,
      kpi: "cost-per-request",
      value: 73,
      status: "met",
    });
    assert.deepEqual(points.at(-1), {
      at: T0 + 34 * DAY + 23 * H,
      kpi: "cost-per-request",
      value: 363,
      status: "met",
    });
    assert.ok(points.every((p, i) => i === 0 || p.at - points[i - 1]!.at === DAY));
  });
});

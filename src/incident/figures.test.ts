/**
 * Figures: exact MTTA, MTTR, MTBF and percentiles for a hand-built set of incidents over a
 * 10-day window, with overlaps, an incident from before the window, one after it, an open one
 * and one without a service.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { downtimeMs, figuresOverTime, incidentFigures, mtbf, percentile } from "./figures.js";
import type { Incident, Priority } from "./types.js";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const W = { from: T0, to: T0 + 10 * DAY };

function inc(
  id: string,
  priority: Priority,
  service: string | undefined,
  createdAt: number,
  minutes: { ack?: number; resolve?: number } = {},
): Incident {
  const { ack: ackMin, resolve: resolveMin } = minutes;
  return {
    id,
    title: id,
    priority,
    priorityOverridden: false,
    status: resolveMin === undefined ? "triggered" : "resolved",
    groupKey: id,
    service,
    labels: {},
    createdAt,
    acknowledgedAt: ackMin === undefined ? undefined : createdAt + ackMin * MIN,
    resolvedAt: resolveMin === undefined ? undefined : createdAt + resolveMin * MIN,
    escalationLevel: 0,
  };
}

const INCIDENTS: Incident[] = [
  inc("A", "P1", "checkout", T0 + 1 * DAY, { ack: 5, resolve: 60 }),
  inc("B", "P1", "checkout", T0 + 3 * DAY, { ack: 15, resolve: 120 }),
  inc("C", "P2", "checkout", T0 + 3 * DAY + 30 * MIN, { ack: 10, resolve: 60 }), // inside B's outage
  inc("D", "P0", "payments", T0 + 5 * DAY, { ack: 2, resolve: 30 }),
  inc("E", "P3", "payments", T0 + 9 * DAY), // open: down until the window ends
  inc("F", "P2", "checkout", T0 - DAY, { ack: 1, resolve: 25 * 60 }), // started before the window, down 1 h inside it
  inc("G", "P1", "payments", T0 + 11 * DAY, { ack: 1, resolve: 10 }), // after the window
  inc("H", "P3", undefined, T0 + 7 * DAY, { ack: 60, resolve: 60 }),
];

test("percentiles are nearest-rank", () => {
  const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(xs, 50), 5);
  assert.equal(percentile(xs, 90), 9);
  assert.equal(percentile(xs, 100), 10);
  assert.equal(percentile([7], 90), 7);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.throws(() => percentile([], 50));
});

test("overall MTTA, MTTR and MTBF over the window", () => {
  const f = incidentFigures(INCIDENTS, W);
  assert.deepEqual(f.window, W);
  assert.deepEqual(f.overall, {
    incidents: 6, // A B C D E H
    open: 1,
    unacknowledged: 1,
    // samples 2, 5, 10, 15, 60 min
    mtta: {
      ok: true,
      count: 5,
      meanMs: 18.4 * MIN,
      p50Ms: 10 * MIN,
      p90Ms: 60 * MIN,
      minMs: 2 * MIN,
      maxMs: 60 * MIN,
    },
    // samples 30, 60, 60, 60, 120 min
    mttr: {
      ok: true,
      count: 5,
      meanMs: 66 * MIN,
      p50Ms: 60 * MIN,
      p90Ms: 120 * MIN,
      minMs: 30 * MIN,
      maxMs: 120 * MIN,
    },
    // downtime: F 60 + A 60 + (B ∪ C) 120 + D 30 + H 60 + E 1440 = 1770 min
    mtbf: {
      ok: true,
      failures: 6,
      windowMs: 14_400 * MIN,
      downtimeMs: 1770 * MIN,
      uptimeMs: 12_630 * MIN,
      mtbfMs: 2105 * MIN,
    },
  });
});

test("per priority: all four, with no-data reasons", () => {
  const { byPriority } = incidentFigures(INCIDENTS, W);
  assert.deepEqual(Object.keys(byPriority), ["P0", "P1", "P2", "P3"]);
  assert.deepEqual(byPriority.P0.mtbf, {
    ok: false,
    failures: 1,
    windowMs: 14_400 * MIN,
    downtimeMs: 30 * MIN,
    uptimeMs: 14_370 * MIN,
    reason: "one failure in the window: too few to measure time between failures",
  });
  assert.deepEqual(byPriority.P1.mtta, {
    ok: true,
    count: 2,
    meanMs: 10 * MIN,
    p50Ms: 5 * MIN,
    p90Ms: 15 * MIN,
    minMs: 5 * MIN,
    maxMs: 15 * MIN,
  });
  assert.deepEqual(byPriority.P1.mtbf, {
    ok: true,
    failures: 2, // G is after the window
    windowMs: 14_400 * MIN,
    downtimeMs: 180 * MIN,
    uptimeMs: 14_220 * MIN,
    mtbfMs: 7110 * MIN,
  });
  // P2: C in the window; F before it still counts as downtime, not as a failure.
  assert.equal(byPriority.P2.incidents, 1);
  assert.equal(byPriority.P2.mtbf.downtimeMs, 120 * MIN);
  assert.equal(byPriority.P2.mtbf.ok, false);
  // P3: E open and unacknowledged, H acknowledged and resolved.
  assert.deepEqual(
    { ...byPriority.P3, mtta: byPriority.P3.mtta.ok && byPriority.P3.mtta.meanMs },
    {
      incidents: 2,
      open: 1,
      unacknowledged: 1,
      mtta: 60 * MIN,
      mttr: {
        ok: true,
        count: 1,
        meanMs: 60 * MIN,
        p50Ms: 60 * MIN,
        p90Ms: 60 * MIN,
        minMs: 60 * MIN,
        maxMs: 60 * MIN,
      },
      mtbf: {
        ok: true,
        failures: 2,
        windowMs: 14_400 * MIN,
        downtimeMs: 1500 * MIN,
        uptimeMs: 12_900 * MIN,
        mtbfMs: 6450 * MIN,
      },
    },
  );
  const onlyOpen = incidentFigures([INCIDENTS[4]!], W).byPriority.P3;
  assert.deepEqual(onlyOpen.mtta, { ok: false, count: 0, reason: "no acknowledged incidents in the window" });
  assert.deepEqual(onlyOpen.mttr, { ok: false, count: 0, reason: "no resolved incidents in the window" });
});

test("per service", () => {
  const { byService } = incidentFigures(INCIDENTS, W);
  assert.deepEqual(Object.keys(byService), ["(no service)", "checkout", "payments"]);
  assert.deepEqual(byService.checkout!.mtbf, {
    ok: true,
    failures: 3,
    windowMs: 14_400 * MIN,
    downtimeMs: 240 * MIN,
    uptimeMs: 14_160 * MIN,
    mtbfMs: 4720 * MIN,
  });
  assert.deepEqual(byService.checkout!.mttr, {
    ok: true,
    count: 3,
    meanMs: 80 * MIN,
    p50Ms: 60 * MIN,
    p90Ms: 120 * MIN,
    minMs: 60 * MIN,
    maxMs: 120 * MIN,
  });
  assert.deepEqual(byService.payments!.mtbf, {
    ok: true,
    failures: 2,
    windowMs: 14_400 * MIN,
    downtimeMs: 1470 * MIN,
    uptimeMs: 12_930 * MIN,
    mtbfMs: 6465 * MIN,
  });
  assert.equal(byService.payments!.open, 1);
  assert.equal(byService["(no service)"]!.incidents, 1);
});

test("per window (trend)", () => {
  const weeks = figuresOverTime(INCIDENTS, { ...W, stepMs: 5 * DAY });
  assert.deepEqual(
    weeks.map((f) => [f.window, f.overall.incidents, f.overall.mtbf]),
    [
      [
        { from: T0, to: T0 + 5 * DAY },
        3,
        {
          ok: true,
          failures: 3,
          windowMs: 7200 * MIN,
          downtimeMs: 240 * MIN,
          uptimeMs: 6960 * MIN,
          mtbfMs: 2320 * MIN,
        },
      ],
      [
        { from: T0 + 5 * DAY, to: T0 + 10 * DAY },
        3,
        {
          ok: true,
          failures: 3,
          windowMs: 7200 * MIN,
          downtimeMs: 1530 * MIN,
          uptimeMs: 5670 * MIN,
          mtbfMs: 1890 * MIN,
        },
      ],
    ],
  );
  // A shorter last window.
  assert.deepEqual(
    figuresOverTime(INCIDENTS, { ...W, stepMs: 4 * DAY }).map((f) => (f.window.to - f.window.from) / DAY),
    [4, 4, 2],
  );
  assert.throws(() => figuresOverTime(INCIDENTS, { ...W, stepMs: 0 }));
});

test("no incidents, one incident, empty window", () => {
  const none = incidentFigures([], W);
  assert.deepEqual(none.overall, {
    incidents: 0,
    open: 0,
    unacknowledged: 0,
    mtta: { ok: false, count: 0, reason: "no incidents in the window" },
    mttr: { ok: false, count: 0, reason: "no incidents in the window" },
    mtbf: {
      ok: false,
      failures: 0,
      windowMs: 14_400 * MIN,
      downtimeMs: 0,
      uptimeMs: 14_400 * MIN,
      reason: "no failures in the window: MTBF is longer than the window",
    },
  });
  assert.deepEqual(none.byService, {});
  const one = mtbf([INCIDENTS[0]!], W);
  assert.equal(one.ok, false);
  assert.equal(one.failures, 1);
  assert.equal(mtbf(INCIDENTS, { from: T0, to: T0 }).ok, false);
  assert.equal(downtimeMs(INCIDENTS, { from: T0 + 3 * DAY, to: T0 + 3 * DAY + 60 * MIN }), 60 * MIN);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { crossingOf, describeCrossing, forecastPool, forecastSeries } from "./forecast.js";
import type { TimeSeries } from "./forecast.js";

const START = Date.parse("2026-11-02T00:00:00Z"); // a Monday
const HOUR = 3600;
const H_MS = HOUR * 1000;

function series(hours: number, f: (t: number) => number, stepSeconds = HOUR): TimeSeries {
  const n = Math.round((hours * HOUR) / stepSeconds);
  return { start: START, stepSeconds, values: Float64Array.from({ length: n }, (_, i) => f(i)) };
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} != ${expected}`);
}

test("the method follows the history length", () => {
  const cases: [number, string, number][] = [
    [1, "linear-trend", 0],
    [47, "linear-trend", 0],
    [48, "daily-seasonal", 24],
    [13 * 24, "daily-seasonal", 24],
    [14 * 24, "weekly-seasonal", 168],
    [30 * 24, "weekly-seasonal", 168],
  ];
  for (const [hours, method, period] of cases) {
    const f = forecastSeries(
      series(hours, (t) => t),
      24,
    );
    assert.equal(f.method, method, `${hours}h`);
    assert.equal(f.periodSteps, period, `${hours}h`);
    assert.equal(f.historyPoints, hours);
    close(f.historyDays, hours / 24, `${hours}h days`);
  }
});

test("history is counted from the first sample, gaps skipped", () => {
  const s = series(15 * 24, (t) => (t < 2 * 24 ? Number.NaN : 5));
  const f = forecastSeries(s, 10);
  assert.equal(f.method, "daily-seasonal");
  assert.equal(f.historyPoints, 13 * 24);
  close(f.historyDays, 13, "days");
  const gaps = series(3 * 24, (t) => (t % 5 === 0 ? Number.NaN : 7));
  const g = forecastSeries(gaps, 5);
  for (const v of g.values) close(v, 7, "flat through gaps");
  assert.equal(
    forecastSeries(
      series(10, () => Number.NaN),
      3,
    ).method,
    "none",
  );
});

test("linear trend: exact forecast and crossing date", () => {
  // 10 + t per hour over 24 hours: a day is too short for daily seasonality.
  const h = series(24, (t) => 10 + t);
  const f = forecastSeries(h, 48);
  assert.equal(f.method, "linear-trend");
  assert.equal(f.start, START + 24 * H_MS);
  close(f.values[0]!, 34, "first forecast");
  close(f.trendPerDay, 24, "trend per day");
  close(f.residualRms, 0, "fit");
  const c = crossingOf(h, f, 40);
  assert.equal(c.status, "crosses");
  assert.equal(c.status === "crosses" && c.at.toISOString(), new Date(START + 30 * H_MS).toISOString());
  // Between steps: interpolated (40.5 is half way from t=30 to t=31).
  const mid = crossingOf(h, f, 40.5);
  assert.equal(mid.status === "crosses" && mid.at.getTime(), START + 30.5 * H_MS);
});

test("daily seasonality: exact on trend + daily shape, crossing at the jump", () => {
  // 100 + t, plus 23 in the second half of each day, over 3 days (the last value is 194).
  const shape = (t: number) => 100 + t + (t % 24 >= 12 ? 23 : 0);
  const h = series(72, shape);
  const f = forecastSeries(h, 48);
  assert.equal(f.method, "daily-seasonal");
  assert.match(f.explanation, /average of 3 whole days/);
  for (let i = 0; i < f.values.length; i++) close(f.values[i]!, shape(72 + i), `t=${72 + i}`);
  // t=83 gives 183, t=84 gives 207: 195 is crossed half way, at 83h30m.
  const c = crossingOf(h, f, 195);
  assert.equal(
    c.status === "crosses" && c.at.toISOString(),
    new Date(START + 83 * H_MS + 30 * 60_000).toISOString(),
  );
  assert.equal(crossingOf(h, f, 194).status, "already");
});

test("weekly seasonality: weekdays and weekends, with a trend", () => {
  const shape = (t: number) => 50 + 0.1 * t + (Math.floor(t / 24) % 7 < 5 ? 30 : 0) + (t % 24 === 9 ? 5 : 0);
  const h = series(21 * 24, shape);
  const f = forecastSeries(h, 14 * 24);
  assert.equal(f.method, "weekly-seasonal");
  assert.equal(f.periodSteps, 168);
  close(f.trendPerDay, 2.4, "trend");
  for (let i = 0; i < f.values.length; i += 7) close(f.values[i]!, shape(21 * 24 + i), `t=${21 * 24 + i}`);
  // The forecast starts on a Monday (weekday, 30 higher); Saturday of that week drops by 30.
  assert.ok(f.values[5 * 24]! < f.values[4 * 24]! - 25);
});

test("weekly seasonality tolerates partial leading weeks and a 10-minute step", () => {
  const step = 600;
  const perDay = 144;
  const shape = (i: number) => 1 + (Math.floor(i / perDay) % 7 === 6 ? 0 : 2);
  const h = series(17 * 24, shape, step);
  const f = forecastSeries(h, perDay * 7);
  assert.equal(f.method, "weekly-seasonal");
  assert.equal(f.periodSteps, 1008);
  for (let i = 0; i < f.values.length; i += 37) close(f.values[i]!, shape(h.values.length + i), `i=${i}`);
});

test("crossing: already above, not within the horizon", () => {
  const h = series(24, (t) => 10 + t);
  const f = forecastSeries(h, 24);
  const already = crossingOf(h, f, 20);
  assert.equal(already.status, "already");
  assert.equal(describeCrossing(already), "already above");
  const never = crossingOf(h, f, 1000);
  assert.equal(never.status, "not-within-horizon");
  assert.equal(never.status === "not-within-horizon" && never.horizonEnd.getTime(), START + 47 * H_MS);
  assert.equal(describeCrossing(never, 1), "not within 1 days");
  const falling = series(24, (t) => 100 - t);
  assert.equal(crossingOf(falling, forecastSeries(falling, 100), 90).status, "not-within-horizon");
  const at = crossingOf(h, f, 40);
  assert.equal(describeCrossing(at), "2026-11-03");
});

test("forecastPool: each metric against headroom × allocatable", () => {
  const days = 3;
  const n = days * 24;
  const mk = (f: (t: number) => number) => Float64Array.from({ length: n }, (_, t) => f(t));
  const p = forecastPool(
    {
      pool: "general",
      start: START,
      stepSeconds: HOUR,
      allocatable: { cpu: 100, memory: 1000, pods: 200 },
      series: {
        "cpu-requests": mk((t) => 40 + t / 2),
        "memory-usage": mk(() => 100),
        pods: mk((t) => 50 + t),
      },
    },
    { headroom: 0.8, horizonDays: 10 },
  );
  assert.deepEqual(
    p.metrics.map((m) => [m.metric, m.threshold, m.crossing.status]),
    [
      ["cpu-requests", 80, "crosses"],
      ["memory-usage", 800, "not-within-horizon"],
      ["pods", 160, "crosses"],
    ],
  );
  const cpu = p.metrics[0]!;
  // 40 + t/2 reaches 80 at t = 80 hours.
  assert.equal(cpu.crossing.status === "crosses" && cpu.crossing.at.getTime(), START + 80 * H_MS);
  assert.equal(cpu.forecast.values.length, 240);
  assert.equal(cpu.forecast.method, "daily-seasonal");
  assert.equal(p.horizonDays, 10);
});

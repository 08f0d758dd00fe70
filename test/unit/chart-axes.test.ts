/**
 * The dashboard charts' axes (web/src/charts/axes.ts): the tick label format follows the span,
 * no label repeats, and the value axis starts where the data are readable. Dates are built in
 * local time, as the charts label them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatTime, timeTicks, timeUnitFor, valueDomain } from "../../web/src/charts/axes.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function distinct(labels: string[]): void {
  assert.equal(new Set(labels).size, labels.length, labels.join(" | "));
}

test("under ten minutes: clock time with seconds, as a 2-second collection needs", () => {
  const from = new Date(2026, 10, 20, 12, 0, 0).getTime();
  const t = timeTicks(from, from + 90_000);
  assert.equal(t.unit, "seconds");
  distinct(t.labels);
  assert.ok(t.labels.length >= 2);
  for (const l of t.labels) assert.match(l, /^12:0[01]:\d\d$/);
});

test("under a day: hours and minutes, never the same clock time twice", () => {
  const from = new Date(2026, 10, 20, 8, 7).getTime();
  const t = timeTicks(from, from + 9 * HOUR);
  assert.equal(t.unit, "minutes");
  distinct(t.labels);
  assert.ok(t.labels.length >= 3);
  for (const l of t.labels) assert.match(l, /^\d\d:\d\d$/);
  assert.ok(t.labels.includes("12:00"), t.labels.join(" | "));
});

test("over a day: day and month; six-hourly ticks would repeat a day, so fewer are taken", () => {
  const from = new Date(2026, 10, 20, 9, 0).getTime();
  const t = timeTicks(from, from + 1.5 * DAY, 8);
  assert.equal(t.unit, "days");
  distinct(t.labels);
  assert.deepEqual(t.labels, ["Nov 21"]);
  const month = timeTicks(new Date(2026, 9, 22).getTime(), new Date(2026, 10, 21).getTime());
  distinct(month.labels);
  assert.ok(month.labels.length >= 3);
  for (const l of month.labels) assert.match(l, /^(Oct|Nov) \d{1,2}$/);
});

test("over a year: month and year", () => {
  const t = timeTicks(new Date(2025, 0, 15).getTime(), new Date(2026, 5, 1).getTime());
  assert.equal(t.unit, "months");
  distinct(t.labels);
  for (const l of t.labels) assert.match(l, /^[A-Z][a-z]{2} 20(25|26)$/);
});

test("the unit by span, and a zero-length span still gets its one tick", () => {
  assert.equal(timeUnitFor(5 * MIN), "seconds");
  assert.equal(timeUnitFor(23 * HOUR), "minutes");
  assert.equal(timeUnitFor(30 * DAY), "days");
  assert.equal(timeUnitFor(400 * DAY), "months");
  const at = new Date(2026, 10, 20, 12, 0);
  assert.equal(timeTicks(at, at).ticks.length, 1);
  assert.equal(formatTime(at, "days"), "Nov 20");
});

test("value axis: near the data for a few percent of drift, from 0 for a wide spread", () => {
  const [lo, hi] = valueDomain([9315, 9500, 9877]);
  assert.ok(lo > 8000 && lo <= 9315, `starts at ${lo}`);
  assert.ok(hi >= 9877 && hi < 10_500, `ends at ${hi}`);
  assert.deepEqual(valueDomain([2, 40, 90]), [0, 100]);
  assert.equal(valueDomain([-5, 10])[0], -5);
  assert.deepEqual(valueDomain([]), [0, 1]);
});

test("value axis: a capped score stays at or under 100, a flat line gets room", () => {
  const [lo, hi] = valueDomain([89, 93, 98.8], 100);
  assert.equal(hi, 100);
  assert.ok(lo >= 70 && lo < 89, `starts at ${lo}`);
  const flat = valueDomain([50, 50]);
  assert.ok(flat[0] < 50 && flat[1] > 50, flat.join(","));
});

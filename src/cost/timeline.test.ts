/** Sample weights: the trapezoid covers the window exactly; objects created inside it start later. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { firstStep, hoursFrom, timeline } from "./timeline.js";

const T0 = Date.parse("2026-11-20T00:00:00Z");
const HOUR = 3600_000;

test("weights: half a step at each end, so they add up to the window", () => {
  const t = timeline({ start: new Date(T0), end: new Date(T0 + 3 * HOUR), stepSeconds: 3600 });
  assert.equal(t.steps, 4);
  assert.deepEqual([...t.weights], [1800, 3600, 3600, 1800]);
  assert.equal(t.hours, 3);
  assert.equal(hoursFrom(t, 2), 1.5);
  assert.equal(hoursFrom(t, 4), 0);
});

test("a single sample (current usage only) stands for one step", () => {
  const t = timeline({ start: new Date(T0), end: new Date(T0), stepSeconds: 300 });
  assert.deepEqual([...t.weights], [300]);
  assert.equal(t.hours, 300 / 3600);
});

test("firstStep: the first sample at or after a creation time", () => {
  const t = timeline({ start: new Date(T0), end: new Date(T0 + 3 * HOUR), stepSeconds: 3600 });
  assert.equal(firstStep(t, undefined), 0);
  assert.equal(firstStep(t, Number.NaN), 0, "manifests have no creation time");
  assert.equal(firstStep(t, T0 - HOUR), 0);
  assert.equal(firstStep(t, T0 + HOUR), 1);
  assert.equal(firstStep(t, T0 + HOUR + 1), 2);
  assert.equal(firstStep(t, T0 + 10 * HOUR), 4, "created after the window: no samples");
});

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEMO_NOW_MS, containerProfile, generateDemo, usageSeries } from "./index.js";
import { plantedPod } from "./problems.js";
import { oomFinishedAgoMs } from "./pods.js";

const HOUR = 3600_000;
const opts = { seed: 42 };
const week = { start: new Date(DEMO_NOW_MS - 7 * 24 * HOUR), end: new Date(DEMO_NOW_MS), stepSeconds: 300 };

function p95(a: Float64Array): number {
  const s = Array.from(a).sort((x, y) => x - y);
  return s[Math.floor(0.95 * (s.length - 1))] ?? 0;
}

function mean(a: Float64Array | number[]): number {
  let t = 0;
  for (const v of a) t += v;
  return t / a.length;
}

describe("usageSeries", () => {
  const builder = { namespace: "analytics", pod: "", container: "builder" };
  const pod = [...generateDemo()].find(
    (o) => o.kind === "Pod" && o.metadata?.name?.startsWith("report-builder-"),
  );
  builder.pod = pod?.metadata?.name ?? "";

  it("is deterministic and consistent across overlapping windows", () => {
    const a = usageSeries(opts, builder, "cpu", week);
    const b = usageSeries(opts, builder, "cpu", week);
    assert.deepEqual(a, b);
    assert.equal(a.length, 7 * 24 * 12 + 1);
    const tail = usageSeries(opts, builder, "cpu", {
      start: new Date(DEMO_NOW_MS - 24 * HOUR),
      end: new Date(DEMO_NOW_MS),
      stepSeconds: 300,
    });
    assert.deepEqual(tail, a.subarray(a.length - tail.length));
    assert.notDeepEqual(usageSeries({ seed: 43 }, builder, "cpu", week), a);
  });

  it("keeps the over-provisioned container far below its request", () => {
    const prof = containerProfile(opts, builder);
    assert.equal(prof.usage, "overprovisioned");
    assert.ok(p95(usageSeries(opts, builder, "cpu", week)) < (0.3 * (prof.cpuRequest ?? 0)) / 1000);
    assert.ok(p95(usageSeries(opts, builder, "memory", week)) < 0.3 * (prof.memoryRequest ?? 0));
  });

  it("makes the leaking container's memory climb from its OOM kill to its limit", () => {
    const ref = {
      namespace: "checkout",
      pod: plantedPod("checkout", "recommendation-engine", 0),
      container: "engine",
    };
    const prof = containerProfile(opts, ref);
    assert.equal(prof.usage, "leak");
    const since = oomFinishedAgoMs(ref.namespace, ref.pod);
    const s = usageSeries(opts, ref, "memory", {
      start: new Date(DEMO_NOW_MS - since + 60_000),
      end: new Date(DEMO_NOW_MS),
      stepSeconds: 60,
    });
    const q = Math.floor(s.length / 4);
    assert.ok(mean(s.subarray(s.length - q)) > 1.3 * mean(s.subarray(0, q)), "memory does not rise");
    const long = usageSeries(opts, ref, "memory", {
      start: new Date(DEMO_NOW_MS - 3 * 24 * HOUR),
      end: new Date(DEMO_NOW_MS),
      stepSeconds: 60,
    });
    assert.ok(Math.max(...long) > 0.95 * (prof.memoryLimit ?? 0), "never reaches the limit");
    assert.ok(Math.max(...long) <= (prof.memoryLimit ?? 0));
  });

  it("runs the hot container at its CPU limit", () => {
    const pod = [...generateDemo()].find(
      (o) => o.kind === "Pod" && o.metadata?.name?.startsWith("search-api-"),
    );
    const ref = { namespace: "search", pod: pod?.metadata?.name ?? "", container: "api" };
    const prof = containerProfile(opts, ref);
    const s = usageSeries(opts, ref, "cpu", week);
    assert.ok(p95(s) > (0.85 * (prof.cpuLimit ?? 0)) / 1000);
    assert.ok(Math.max(...s) <= (prof.cpuLimit ?? 0) / 1000);
  });

  it("has a diurnal cycle and quieter weekends", () => {
    const ref = { namespace: "payments", pod: "payments-api-x", container: "app" };
    const s = usageSeries(opts, ref, "cpu", {
      start: new Date(Date.UTC(2026, 10, 2)),
      end: new Date(Date.UTC(2026, 10, 16)),
      stepSeconds: 3600,
    });
    const byHour = (h: number) => mean(Array.from(s).filter((_, i) => i % 24 === h));
    assert.ok(byHour(14) > 1.5 * byHour(2), "no daily peak");
    const weekday = mean(s.subarray(0, 24 * 5)); // Mon 2 Nov .. Fri 6 Nov 2026
    const weekend = mean(s.subarray(24 * 5, 24 * 7));
    assert.ok(weekend < 0.85 * weekday, "weekend not quieter");
  });

  it("runs batch containers only in their schedule windows", () => {
    const ref = { namespace: "batch-jobs", pod: "nightly-etl-29000000-abcde", container: "etl" };
    const s = usageSeries(opts, ref, "cpu", {
      start: new Date(Date.UTC(2026, 10, 19)),
      end: new Date(Date.UTC(2026, 10, 19, 23, 59)),
      stepSeconds: 60,
    });
    assert.equal(s[60], 0); // 01:00
    assert.ok((s[125] ?? 0) > 0.5); // 02:05, within the nightly run
  });

  it("returns an empty series for an empty window and rejects a bad step", () => {
    assert.equal(
      usageSeries(opts, builder, "cpu", {
        start: new Date(DEMO_NOW_MS),
        end: new Date(DEMO_NOW_MS - 1000),
        stepSeconds: 60,
      }).length,
      0,
    );
    assert.throws(() => usageSeries(opts, builder, "cpu", { ...week, stepSeconds: 0 }));
  });
});

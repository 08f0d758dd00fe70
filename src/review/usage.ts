/**
 * Costs per day and per month from one usage history: the history sliced to each day and
 * priced with src/cost/allocation.ts, so a month's spending trend comes from the same model
 * as `day2 cost`. A node or pod created during the month costs from its creation on.
 */
import { allocate, type AllocationResult } from "../cost/allocation.js";
import type { PriceSheet } from "../cost/pricing.js";
import type { ContainerSeries, UsageData } from "../cost/types.js";
import type { ClusterState } from "../state/cluster-state.js";

const DAY = 86_400_000;

/** The part of `usage` in [startMs, endMs] (both ends sampled), on the same step. */
export function sliceUsage(usage: UsageData, startMs: number, endMs: number): UsageData {
  const step = usage.window.stepSeconds * 1000;
  const t0 = usage.window.start.getTime();
  const i0 = Math.max(0, Math.ceil((startMs - t0) / step));
  const i1 = Math.floor((endMs - t0) / step);
  const containers = new Map<string, ContainerSeries>();
  for (const [k, c] of usage.containers)
    containers.set(k, { ...c, cpu: c.cpu.subarray(i0, i1 + 1), memory: c.memory.subarray(i0, i1 + 1) });
  return {
    ...usage,
    window: {
      start: new Date(t0 + i0 * step),
      end: new Date(t0 + i1 * step),
      stepSeconds: usage.window.stepSeconds,
    },
    containers,
  };
}

/**
 * USD per day for `days` days from `startMs`, NaN for days after `untilMs` (not happened yet,
 * or past the collection time) or outside the usage history.
 */
export function dailyCosts(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData,
  range: { startMs: number; days: number; untilMs: number },
): number[] {
  const out: number[] = [];
  const first = usage.window.start.getTime();
  for (let d = 0; d < range.days; d++) {
    const from = range.startMs + d * DAY;
    const to = from + DAY;
    if (to > range.untilMs || from < first || to > usage.window.end.getTime()) {
      out.push(Number.NaN);
      continue;
    }
    out.push(allocate(state, sheet, sliceUsage(usage, from, to)).cluster.cost);
  }
  return out;
}

/** The allocation over [startMs, endMs], or undefined when the history does not cover it. */
export function allocateRange(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData,
  startMs: number,
  endMs: number,
): AllocationResult | undefined {
  if (startMs < usage.window.start.getTime() || endMs > usage.window.end.getTime() || endMs <= startMs)
    return undefined;
  return allocate(state, sheet, sliceUsage(usage, startMs, endMs));
}

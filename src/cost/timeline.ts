/**
 * How much time each sample of a usage window stands for. Samples are at start, start+step,
 * ... end; the trapezoid rule gives the two end samples half a step each, so the weights add
 * up to the window's length and a constant rate over the window costs exactly rate x hours.
 * A single-sample window (current usage only) stands for one step.
 */
import type { UsageWindow } from "./types.js";
import { windowSteps } from "./types.js";

export interface Timeline {
  readonly startMs: number;
  readonly stepMs: number;
  readonly steps: number;
  /** Seconds each sample stands for. */
  readonly weights: Float64Array;
  /** suffix[k] = seconds covered by samples k..steps-1 (suffix[steps] = 0). */
  readonly suffix: Float64Array;
  /** Length of the whole window in hours (suffix[0] / 3600). */
  readonly hours: number;
}

export function timeline(w: UsageWindow): Timeline {
  const steps = windowSteps(w);
  const weights = new Float64Array(steps);
  weights.fill(w.stepSeconds);
  if (steps >= 2) {
    weights[0] = w.stepSeconds / 2;
    weights[steps - 1] = w.stepSeconds / 2;
  }
  const suffix = new Float64Array(steps + 1);
  for (let i = steps - 1; i >= 0; i--) suffix[i] = (suffix[i + 1] ?? 0) + (weights[i] ?? 0);
  return {
    startMs: Math.floor(w.start.getTime() / 1000) * 1000,
    stepMs: w.stepSeconds * 1000,
    steps,
    weights,
    suffix,
    hours: (suffix[0] ?? 0) / 3600,
  };
}

/** The first sample at or after `ms` (an object's creation): earlier samples do not count for it. */
export function firstStep(t: Timeline, ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms) || ms <= t.startMs) return 0;
  return Math.min(t.steps, Math.ceil((ms - t.startMs) / t.stepMs));
}

/** Hours covered from sample k to the end of the window. */
export function hoursFrom(t: Timeline, k: number): number {
  return (t.suffix[k] ?? 0) / 3600;
}

/**
 * Status and trend rules, one place for all 16 KPIs.
 *
 * - no value: no-data.
 * - max / min: missed outside the target; at-risk inside it but within the at-risk margin of the
 *   bound; else met. The default margin is 10% of the bound (max: 15 min -> at risk from
 *   13.5 min; min: 720 h -> at risk below 792 h); for a minimum in % it is 10% of the headroom to
 *   100 (99.95% -> at risk below 99.955%, a tenth of the error budget left). A bound of 0 has no
 *   margin (0 critical CVEs is met, 1 is missed).
 * - range: missed outside; at-risk inside but within 10% of the range's width of an edge
 *   (60-80%: 60-62% and 78-80%); else met.
 * - trend: needs the previous value: met when the value moved the right way, at-risk when flat
 *   (within 1% of the previous value, or the target's `atRisk` in the unit), missed when it went
 *   the wrong way; without a previous value the status is no-data and the reason says so.
 */
import type { KpiStatus, Target, Trend } from "./types.js";

/** Why a trend is missing: said by trend targets and the success criteria alike. */
export const NO_PREVIOUS = "no previous value (give --previous, or a store with KPI history)";

/** A change within 1% of the previous value is flat. */
export const FLAT_SHARE = 0.01;

export function trendOf(
  value: number | null,
  previous: number | null | undefined,
  flat?: number,
): Trend | null {
  if (value === null || previous === null || previous === undefined || !Number.isFinite(previous))
    return null;
  const delta = value - previous;
  const tolerance = flat ?? Math.abs(previous) * FLAT_SHARE;
  const direction = Math.abs(delta) <= tolerance ? "flat" : delta > 0 ? "up" : "down";
  return { previous, delta, direction };
}

/** The at-risk margin of a target, in the KPI's unit. */
export function atRiskMargin(t: Target, unit: string): number {
  if (t.atRisk !== undefined) return t.atRisk;
  switch (t.kind) {
    case "max":
      return Math.abs(t.value) * 0.1;
    case "min":
      return unit === "%" && t.value <= 100 ? (100 - t.value) * 0.1 : Math.abs(t.value) * 0.1;
    case "range":
      return (t.max - t.min) * 0.1;
    case "trend":
      return 0;
  }
}

export interface StatusResult {
  status: KpiStatus;
  /** Set when the status needs explaining (a trend target without a previous value). */
  reason?: string;
}

export function statusOf(t: Target, unit: string, value: number | null, trend: Trend | null): StatusResult {
  if (value === null) return { status: "no-data" };
  const m = atRiskMargin(t, unit);
  switch (t.kind) {
    case "max": {
      const ok = t.strict ? value < t.value : value <= t.value;
      if (!ok) return { status: "missed" };
      return { status: m > 0 && value > t.value - m ? "at-risk" : "met" };
    }
    case "min": {
      const ok = t.strict ? value > t.value : value >= t.value;
      if (!ok) return { status: "missed" };
      return { status: m > 0 && value < t.value + m ? "at-risk" : "met" };
    }
    case "range": {
      if (value < t.min || value > t.max) return { status: "missed" };
      return { status: m > 0 && (value < t.min + m || value > t.max - m) ? "at-risk" : "met" };
    }
    case "trend": {
      if (!trend)
        return {
          status: "no-data",
          reason: `trend target: ${NO_PREVIOUS}`,
        };
      if (trend.direction === "flat") return { status: "at-risk" };
      return { status: trend.direction === t.direction ? "met" : "missed" };
    }
  }
}

/**
 * The status of a value that is only a lower bound (MTBF with no failure in the window: at
 * least the window). A minimum target the bound already meets is met (the true value is at
 * least as good; no at-risk margin applies; and a strict "> 720 h" is met by a 720 h window without
 * a failure, since the time between failures is longer than the window); otherwise the bound
 * proves nothing: no-data, and why.
 */
export function lowerBoundStatus(t: Target, unit: string, value: number): StatusResult {
  if (t.kind === "min" && value >= t.value) return { status: "met" };
  if (t.kind === "max" && !(t.strict ? value < t.value : value <= t.value)) return { status: "missed" };
  if (t.kind === "range" && value > t.max) return { status: "missed" };
  return {
    status: "no-data",
    reason: `only a lower bound (${value} ${unit}): the window is too short to judge the target`,
  };
}

/**
 * Whether a KPI's last move was for the better, judged by its kind of target: down for a
 * maximum, up for a minimum, the named way for a trend target, towards the middle of a range.
 * Null when there is no move (no previous value, or flat). Shared by the success criteria and
 * the dashboard's tiles.
 */
export function trendIsBetter(k: {
  readonly target: Target;
  readonly value: number | null;
  readonly trend: Trend | null;
}): boolean | null {
  if (!k.trend || k.trend.direction === "flat") return null;
  const up = k.trend.direction === "up";
  switch (k.target.kind) {
    case "max":
      return !up;
    case "min":
      return up;
    case "trend":
      return up === (k.target.direction === "up");
    case "range": {
      if (k.value === null) return null;
      const mid = (k.target.min + k.target.max) / 2;
      return Math.abs(k.value - mid) < Math.abs(k.trend.previous - mid);
    }
  }
}

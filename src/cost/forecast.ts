/**
 * Capacity planning: forecast a pool's CPU, memory and pod-count requests and usage from
 * their history, and say when each crosses a headroom threshold.
 *
 * The method depends on how much history there is (counted from the first sample):
 * - 14 days or more: weekly seasonality. The series is cut into whole weeks ending at the last
 *   sample; the trend is the least-squares slope through the weekly means (a whole week's mean
 *   has no weekly shape in it, so the shape cannot bend the trend); the seasonal profile is the
 *   average, over those weeks, of the detrended value at each step of the week. The forecast is
 *   level + trend × t + profile[t mod week]. On a series that is exactly linear plus a weekly
 *   pattern it reproduces the series exactly; on noisy data averaging the weeks smooths the
 *   profile (a seasonal-naive forecast would copy last week's noise).
 * - 2 days or more: the same with a daily period.
 * - less: a least-squares line through the samples (a single sample: a flat line).
 * Missing samples (NaN) are skipped everywhere. Pure functions over Float64Array.
 */

export const DAY_SECONDS = 86_400;
export const WEEK_SECONDS = 7 * DAY_SECONDS;

/** Values at start, start + step, ... (epoch ms, seconds); NaN where there is no sample. */
export interface TimeSeries {
  readonly start: number;
  readonly stepSeconds: number;
  readonly values: Float64Array;
}

export type ForecastMethod = "weekly-seasonal" | "daily-seasonal" | "linear-trend" | "none";

export interface Forecast extends TimeSeries {
  readonly method: ForecastMethod;
  /** Human description, e.g. "weekly seasonality (3 whole weeks) + linear trend". */
  readonly explanation: string;
  /** Samples of history used (non-NaN, from the first sample). */
  readonly historyPoints: number;
  /** History length in days: steps from the first sample to the end of the series × step. */
  readonly historyDays: number;
  /** Season length in steps (0 for the linear trend). */
  readonly periodSteps: number;
  /** Trend in units per day. */
  readonly trendPerDay: number;
  /** Root mean square of the in-sample residuals (how well the model fits the history). */
  readonly residualRms: number;
}

export interface ForecastOptions {
  /** Weekly seasonality from this many days of history. Default 14. */
  readonly weeklyMinDays?: number;
  /** Daily seasonality from this many days. Default 2. */
  readonly dailyMinDays?: number;
}

/** Index of the first non-NaN value, or -1. */
function firstSample(v: Float64Array): number {
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]!)) return i;
  return -1;
}

/** Least-squares line through (x, y) pairs with finite y; undefined with fewer than 2 points. */
function leastSquares(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
): { slope: number; intercept: number } | undefined {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(ys[i]!)) continue;
    n++;
    sx += xs[i]!;
    sy += ys[i]!;
  }
  if (n < 2) return undefined;
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(ys[i]!)) continue;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: my - slope * mx };
}

interface Model {
  readonly level: number;
  /** Per step. */
  readonly slope: number;
  /** Centred seasonal profile (empty for the trend model), indexed by absolute step mod period. */
  readonly profile: Float64Array;
}

function predict(m: Model, t: number): number {
  const p = m.profile.length;
  return m.level + m.slope * t + (p > 0 ? m.profile[((t % p) + p) % p]! : 0);
}

function trendModel(v: Float64Array, from: number): Model {
  const xs = new Float64Array(v.length - from);
  for (let i = 0; i < xs.length; i++) xs[i] = from + i;
  const fit = leastSquares(xs, v.subarray(from));
  if (fit) return { level: fit.intercept, slope: fit.slope, profile: new Float64Array(0) };
  const only = v[from] ?? 0;
  return { level: Number.isNaN(only) ? 0 : only, slope: 0, profile: new Float64Array(0) };
}

/** Whole periods ending at the last step; trend through the period means; averaged detrended profile. */
function seasonalModel(v: Float64Array, period: number): { model: Model; periods: number } {
  const n = v.length;
  const periods = Math.floor((n - Math.max(0, firstSample(v))) / period);
  const start = n - periods * period;
  const centres = new Float64Array(periods);
  const means = new Float64Array(periods);
  for (let j = 0; j < periods; j++) {
    let s = 0;
    let c = 0;
    for (let i = start + j * period; i < start + (j + 1) * period; i++) {
      if (Number.isNaN(v[i]!)) continue;
      s += v[i]!;
      c++;
    }
    centres[j] = start + j * period + (period - 1) / 2;
    means[j] = c > 0 ? s / c : Number.NaN;
  }
  const slope = leastSquares(centres, means)?.slope ?? 0;
  const sums = new Float64Array(period);
  const counts = new Float64Array(period);
  for (let i = start; i < n; i++) {
    if (Number.isNaN(v[i]!)) continue;
    const k = i % period;
    sums[k]! += v[i]! - slope * i;
    counts[k]! += 1;
  }
  let total = 0;
  let phases = 0;
  for (let k = 0; k < period; k++) {
    if (counts[k]! === 0) continue;
    sums[k] = sums[k]! / counts[k]!;
    total += sums[k]!;
    phases++;
  }
  const level = phases > 0 ? total / phases : 0;
  const profile = new Float64Array(period);
  for (let k = 0; k < period; k++) profile[k] = counts[k]! > 0 ? sums[k]! - level : 0;
  return { model: { level, slope, profile }, periods };
}

function residualRms(v: Float64Array, from: number, m: Model): number {
  let s = 0;
  let c = 0;
  for (let i = from; i < v.length; i++) {
    if (Number.isNaN(v[i]!)) continue;
    s += (v[i]! - predict(m, i)) ** 2;
    c++;
  }
  return c > 0 ? Math.sqrt(s / c) : 0;
}

function chooseMethod(
  days: number,
  step: number,
  opts: ForecastOptions,
): { method: ForecastMethod; period: number } {
  const week = Math.round(WEEK_SECONDS / step);
  const day = Math.round(DAY_SECONDS / step);
  if (days >= (opts.weeklyMinDays ?? 14) && week >= 2) return { method: "weekly-seasonal", period: week };
  if (days >= (opts.dailyMinDays ?? 2) && day >= 2) return { method: "daily-seasonal", period: day };
  return { method: "linear-trend", period: 0 };
}

/** Forecasts `horizonSteps` steps after the last value of `history`. */
export function forecastSeries(
  history: TimeSeries,
  horizonSteps: number,
  opts: ForecastOptions = {},
): Forecast {
  const v = history.values;
  const step = history.stepSeconds;
  const n = v.length;
  const from = firstSample(v);
  const start = history.start + n * step * 1000;
  const values = new Float64Array(Math.max(0, horizonSteps));
  const base = { start, stepSeconds: step, values, periodSteps: 0, trendPerDay: 0, residualRms: 0 };
  if (from < 0) {
    values.fill(Number.NaN);
    return { ...base, method: "none", explanation: "no history", historyPoints: 0, historyDays: 0 };
  }
  let points = 0;
  for (let i = from; i < n; i++) if (!Number.isNaN(v[i]!)) points++;
  const historyDays = ((n - from) * step) / DAY_SECONDS;
  const choice = chooseMethod(historyDays, step, opts);
  let model: Model;
  let explanation: string;
  if (choice.method === "linear-trend") {
    model = trendModel(v, from);
    explanation =
      points > 1
        ? `linear trend (least squares over ${fmtDays(historyDays)} of history: too short for daily seasonality)`
        : "flat (a single sample)";
  } else {
    const s = seasonalModel(v, choice.period);
    model = s.model;
    const unit = choice.method === "weekly-seasonal" ? "week" : "day";
    explanation = `${unit}ly seasonality (average of ${s.periods} whole ${unit}s) + linear trend through the ${unit}ly means`;
  }
  for (let h = 0; h < values.length; h++) values[h] = predict(model, n + h);
  return {
    ...base,
    method: choice.method,
    explanation,
    historyPoints: points,
    historyDays,
    periodSteps: choice.period,
    trendPerDay: (model.slope * DAY_SECONDS) / step,
    residualRms: residualRms(v, from, model),
  };
}

function fmtDays(days: number): string {
  return days >= 1 ? `${Number(days.toFixed(1))} days` : `${Number((days * 24).toFixed(1))} hours`;
}

export type Crossing =
  | { readonly status: "already"; readonly at: Date }
  | { readonly status: "crosses"; readonly at: Date }
  | { readonly status: "not-within-horizon"; readonly horizonEnd: Date };

/**
 * When a forecast first reaches `threshold`. "already" when the last sample of history is at or
 * above it; otherwise the first forecast step at or above it, interpolated linearly between
 * that step and the one before (the last sample for the first step).
 */
export function crossingOf(history: TimeSeries, forecast: TimeSeries, threshold: number): Crossing {
  const h = history.values;
  let last = Number.NaN;
  let lastAt = history.start;
  for (let i = h.length - 1; i >= 0; i--) {
    if (!Number.isNaN(h[i]!)) {
      last = h[i]!;
      lastAt = history.start + i * history.stepSeconds * 1000;
      break;
    }
  }
  if (last >= threshold) return { status: "already", at: new Date(lastAt) };
  const stepMs = forecast.stepSeconds * 1000;
  let prev = last;
  let prevAt = lastAt;
  for (let i = 0; i < forecast.values.length; i++) {
    const y = forecast.values[i]!;
    const at = forecast.start + i * stepMs;
    if (y >= threshold) {
      const t =
        Number.isNaN(prev) || y === prev ? at : prevAt + ((threshold - prev) / (y - prev)) * (at - prevAt);
      return { status: "crosses", at: new Date(Math.round(t)) };
    }
    if (!Number.isNaN(y)) {
      prev = y;
      prevAt = at;
    }
  }
  const end = forecast.start + Math.max(0, forecast.values.length - 1) * stepMs;
  return { status: "not-within-horizon", horizonEnd: new Date(end) };
}

/** "2026-12-03", "already above", "not within 30 days". */
export function describeCrossing(c: Crossing, horizonDays?: number): string {
  if (c.status === "already") return "already above";
  if (c.status === "crosses") return c.at.toISOString().slice(0, 10);
  return horizonDays === undefined ? "not within horizon" : `not within ${horizonDays} days`;
}

export type PoolMetric = "cpu-requests" | "cpu-usage" | "memory-requests" | "memory-usage" | "pods";

/** Which allocatable a metric is compared with, and its unit. */
export const METRIC_INFO: Readonly<
  Record<
    PoolMetric,
    { readonly resource: "cpu" | "memory" | "pods"; readonly unit: string; readonly label: string }
  >
> = {
  "cpu-requests": { resource: "cpu", unit: "cores", label: "CPU requests" },
  "cpu-usage": { resource: "cpu", unit: "cores", label: "CPU usage" },
  "memory-requests": { resource: "memory", unit: "bytes", label: "Memory requests" },
  "memory-usage": { resource: "memory", unit: "bytes", label: "Memory usage" },
  pods: { resource: "pods", unit: "pods", label: "Pods" },
};

/** A pool's history: one series per metric it has (same start and step), CPU in cores, memory in bytes. */
export interface PoolHistory {
  readonly pool: string;
  readonly start: number;
  readonly stepSeconds: number;
  /** The pool's allocatable now: CPU in cores, memory in bytes, pod slots. */
  readonly allocatable: { readonly cpu: number; readonly memory: number; readonly pods: number };
  readonly series: Partial<Record<PoolMetric, Float64Array>>;
}

export interface MetricForecast {
  readonly metric: PoolMetric;
  readonly label: string;
  readonly unit: string;
  readonly history: TimeSeries;
  readonly forecast: Forecast;
  /** headroom × allocatable. */
  readonly threshold: number;
  readonly crossing: Crossing;
}

export interface PoolForecast {
  readonly pool: string;
  readonly headroom: number;
  readonly horizonDays: number;
  readonly metrics: readonly MetricForecast[];
}

export interface PoolForecastOptions extends ForecastOptions {
  /** Fraction of allocatable that counts as full. Default 0.8. */
  readonly headroom?: number;
  /** Default 30. */
  readonly horizonDays?: number;
}

const METRIC_ORDER: readonly PoolMetric[] = [
  "cpu-requests",
  "cpu-usage",
  "memory-requests",
  "memory-usage",
  "pods",
];

/** Forecasts every metric a pool has and when each crosses headroom × allocatable. */
export function forecastPool(h: PoolHistory, opts: PoolForecastOptions = {}): PoolForecast {
  const headroom = opts.headroom ?? 0.8;
  const horizonDays = opts.horizonDays ?? 30;
  const horizonSteps = Math.ceil((horizonDays * DAY_SECONDS) / h.stepSeconds);
  const metrics: MetricForecast[] = [];
  for (const metric of METRIC_ORDER) {
    const values = h.series[metric];
    if (!values) continue;
    const info = METRIC_INFO[metric];
    const history = { start: h.start, stepSeconds: h.stepSeconds, values };
    const forecast = forecastSeries(history, horizonSteps, opts);
    const threshold = headroom * h.allocatable[info.resource];
    metrics.push({
      metric,
      label: info.label,
      unit: info.unit,
      history,
      forecast,
      threshold,
      crossing: crossingOf(history, forecast, threshold),
    });
  }
  return { pool: h.pool, headroom, horizonDays, metrics };
}

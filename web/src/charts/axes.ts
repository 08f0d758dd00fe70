/**
 * Axis ticks and domains for the dashboard's charts, as plain functions (no DOM): the time
 * axis takes d3-scale's time-scale ticks and picks its label format from the span (clock
 * time under a day, day and month up to a year, month and year beyond), with no label
 * repeated; the value axis starts where the data make it readable.
 */
import { scaleLinear, scaleTime } from "d3-scale";

const MINUTE = 60_000;
const DAY = 86_400_000;
const YEAR = 365 * DAY;

export type TimeUnit = "seconds" | "minutes" | "days" | "months";

export interface TimeTicks {
  ticks: Date[];
  labels: string[];
  unit: TimeUnit;
}

/** The label format for a span in ms (local time, en-US, 24-hour clock). */
export function timeUnitFor(spanMs: number): TimeUnit {
  if (spanMs < 10 * MINUTE) return "seconds";
  if (spanMs < DAY) return "minutes";
  if (spanMs <= YEAR) return "days";
  return "months";
}

const FORMATS: Record<TimeUnit, Intl.DateTimeFormatOptions> = {
  seconds: { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" },
  minutes: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  days: { month: "short", day: "numeric" },
  months: { month: "short", year: "numeric" },
};

export function formatTime(t: Date | number, unit: TimeUnit): string {
  return new Date(t).toLocaleString("en-US", FORMATS[unit]);
}

/**
 * Up to `max` ticks between `from` and `to` (epoch ms or Dates). d3 picks round intervals
 * (5 min, 6 h, 1 day, 1 week, 1 month...); when the chosen format would print one label twice
 * (6-hourly ticks over two days), fewer ticks are asked for until every label is distinct.
 */
export function timeTicks(from: Date | number, to: Date | number, max = 6): TimeTicks {
  const a = +from;
  const b = +to;
  const unit = timeUnitFor(Math.abs(b - a));
  const x = scaleTime().domain([new Date(Math.min(a, b)), new Date(Math.max(a, b))]);
  for (let n = Math.max(2, max); n >= 1; n--) {
    const ticks = x.ticks(n);
    const labels = ticks.map((t) => formatTime(t, unit));
    if (ticks.length && new Set(labels).size === labels.length) return { ticks, labels, unit };
  }
  // A zero-length domain: one tick at the only time there is.
  const only = new Date(a);
  return { ticks: [only], labels: [formatTime(only, unit)], unit };
}

/**
 * The value axis' domain: from 0 when the data span a good part of their magnitude (or go
 * negative), else from a round value below the minimum, so a few percent of drift on a large
 * total is visible instead of a flat line at the top of the chart. `cap` bounds the top (a
 * score's 100).
 */
export function valueDomain(values: readonly number[], cap?: number): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return [0, cap ?? 1];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const spread = max - min;
  let lo = 0;
  if (min > 0 && spread < max * 0.5) lo = Math.max(0, min - Math.max(spread, max * 0.02) * 0.6);
  if (min < 0) lo = min;
  let hi = max + Math.max(spread, Math.abs(max) * 0.02) * 0.1;
  if (cap !== undefined) hi = Math.min(cap, Math.max(hi, Math.min(cap, max)));
  if (hi <= lo) hi = lo + (Math.abs(lo) || 1);
  const [nlo, nhi] = scaleLinear().domain([lo, hi]).nice(5).domain() as [number, number];
  return [Math.max(min >= 0 ? 0 : nlo, nlo), cap !== undefined ? Math.min(cap, nhi) : nhi];
}

/**
 * Incident figures for the KPI work: MTTA, MTTR and MTBF, overall, per priority, per service
 * and per window. Plain data in (incidents), plain data out; no clock, no store.
 *
 * Definitions (all durations in ms):
 * - The incidents of a window [from, to) are those whose createdAt falls in it.
 * - MTTA: mean of acknowledgedAt - createdAt over the window's acknowledged incidents.
 * - MTTR: mean of resolvedAt - createdAt over the window's resolved incidents. Open incidents
 *   are left out (and counted in `open`): their repair time is not known yet.
 * - p50 / p90: nearest-rank percentiles (the smallest sample with at least p% of the samples
 *   at or below it), so every reported percentile is a duration that actually happened.
 * - MTBF: uptime / failures, where
 *     failures = incidents (of the scope) that started in the window,
 *     downtime = the union of the scope's incident intervals [createdAt, resolvedAt) clipped to
 *                the window (an unresolved incident is down until the window's end; incidents
 *                that started before the window still count as downtime inside it; overlapping
 *                incidents are not counted twice),
 *     uptime   = window length - downtime.
 *   This is the operational definition ("operating time per failure"): unlike the mean gap
 *   between incident starts it does not count time spent broken as time between failures, it
 *   uses the whole window (including the quiet time before the first and after the last
 *   failure), and for failures arriving at a constant rate it is the maximum-likelihood
 *   estimate of the mean time to the next failure. With 0 failures there is nothing to divide
 *   by (MTBF is only known to exceed the window); with 1, uptime / 1 is just the window and
 *   says nothing about spacing. Both are reported as "no data" with the reason, and the
 *   uptime/downtime still given.
 * - Per service: incident.service, or "(no service)". Per priority: the incident's current
 *   priority. Scoped MTBF uses only that scope's incidents.
 */
import { PRIORITIES } from "./types.js";
import type { Incident, Priority } from "./types.js";

export const NO_SERVICE = "(no service)";

export interface FigureWindow {
  from: number;
  to: number;
}

export type DurationFigure =
  | { ok: true; count: number; meanMs: number; p50Ms: number; p90Ms: number; minMs: number; maxMs: number }
  | { ok: false; count: 0; reason: string };

export interface MtbfBasis {
  failures: number;
  windowMs: number;
  downtimeMs: number;
  uptimeMs: number;
}

export type MtbfFigure =
  (MtbfBasis & { ok: true; mtbfMs: number }) | (MtbfBasis & { ok: false; reason: string });

export interface FigureSet {
  /** Incidents created in the window. */
  incidents: number;
  /** Of those, not resolved. */
  open: number;
  /** Of those, never acknowledged. */
  unacknowledged: number;
  mtta: DurationFigure;
  mttr: DurationFigure;
  mtbf: MtbfFigure;
}

export interface IncidentFigures {
  window: FigureWindow;
  overall: FigureSet;
  byPriority: Record<Priority, FigureSet>;
  /** Keyed by service, sorted by name. */
  byService: Record<string, FigureSet>;
}

/** Nearest-rank percentile of ascending `sorted` (non-empty), p in (0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no samples");
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Count, mean, p50, p90, min and max of durations; "no data" with `reasonIfEmpty` for none. */
export function durationFigure(samples: readonly number[], reasonIfEmpty: string): DurationFigure {
  if (samples.length === 0) return { ok: false, count: 0, reason: reasonIfEmpty };
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    ok: true,
    count: sorted.length,
    meanMs: sum / sorted.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
  };
}

const inWindow = (i: Incident, w: FigureWindow): boolean => i.createdAt >= w.from && i.createdAt < w.to;

/** Total length of the union of [createdAt, resolvedAt ?? ∞) clipped to the window. */
export function downtimeMs(incidents: readonly Incident[], w: FigureWindow): number {
  const spans = incidents
    .map((i) => [Math.max(w.from, i.createdAt), Math.min(w.to, i.resolvedAt ?? w.to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of spans) {
    if (a > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else {
      curEnd = Math.max(curEnd, b);
    }
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

/** MTBF of a scope's incidents over the window (definition at the top of this file). */
export function mtbf(incidents: readonly Incident[], w: FigureWindow): MtbfFigure {
  const windowMs = Math.max(0, w.to - w.from);
  const down = downtimeMs(incidents, w);
  const basis: MtbfBasis = {
    failures: incidents.filter((i) => inWindow(i, w)).length,
    windowMs,
    downtimeMs: down,
    uptimeMs: windowMs - down,
  };
  if (windowMs === 0) return { ...basis, ok: false, reason: "empty window" };
  if (basis.failures === 0) {
    return { ...basis, ok: false, reason: "no failures in the window: MTBF is longer than the window" };
  }
  if (basis.failures === 1) {
    return {
      ...basis,
      ok: false,
      reason: "one failure in the window: too few to measure time between failures",
    };
  }
  return { ...basis, ok: true, mtbfMs: basis.uptimeMs / basis.failures };
}

/** Figures for one scope. `scope` holds all of the scope's incidents (any creation time). */
export function figureSet(scope: readonly Incident[], w: FigureWindow): FigureSet {
  const mine = scope.filter((i) => inWindow(i, w));
  const tta = mine
    .filter((i) => i.acknowledgedAt !== undefined)
    .map((i) => Math.max(0, i.acknowledgedAt! - i.createdAt));
  const ttr = mine
    .filter((i) => i.resolvedAt !== undefined)
    .map((i) => Math.max(0, i.resolvedAt! - i.createdAt));
  const none = mine.length === 0 ? "no incidents in the window" : undefined;
  return {
    incidents: mine.length,
    open: mine.length - ttr.length,
    unacknowledged: mine.length - tta.length,
    mtta: durationFigure(tta, none ?? "no acknowledged incidents in the window"),
    mttr: durationFigure(ttr, none ?? "no resolved incidents in the window"),
    mtbf: mtbf(scope, w),
  };
}

/** MTTA, MTTR and MTBF over a window: overall, per priority (all four) and per service. */
export function incidentFigures(incidents: readonly Incident[], w: FigureWindow): IncidentFigures {
  const byPriority = Object.fromEntries(
    PRIORITIES.map((p) => [
      p,
      figureSet(
        incidents.filter((i) => i.priority === p),
        w,
      ),
    ]),
  ) as Record<Priority, FigureSet>;
  const services = [
    ...new Set(incidents.filter((i) => inWindow(i, w)).map((i) => i.service ?? NO_SERVICE)),
  ].sort();
  const byService: Record<string, FigureSet> = {};
  for (const s of services)
    byService[s] = figureSet(
      incidents.filter((i) => (i.service ?? NO_SERVICE) === s),
      w,
    );
  return { window: { ...w }, overall: figureSet(incidents, w), byPriority, byService };
}

/** Consecutive windows of `stepMs` from `from` to `to` (the last one may be shorter), for trends. */
export function figuresOverTime(
  incidents: readonly Incident[],
  range: FigureWindow & { stepMs: number },
): IncidentFigures[] {
  if (!(range.stepMs > 0)) throw new Error("stepMs must be positive");
  const out: IncidentFigures[] = [];
  for (let from = range.from; from < range.to; from += range.stepMs) {
    out.push(incidentFigures(incidents, { from, to: Math.min(range.to, from + range.stepMs) }));
  }
  return out;
}

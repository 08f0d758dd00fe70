/**
 * On-call schedules as pure functions. A schedule has rotation layers (users taking turns of
 * a fixed length from a start instant; later layers take precedence where active) and
 * overrides (a user for a time range; later overrides win, and every override beats every
 * layer). Rotations whose length is whole days hand off at the same local wall-clock time in
 * the layer's zone across DST changes; shorter ones (hours, seconds) are absolute durations.
 */
import type { Override, RotationLayer, Schedule } from "./policy-config.js";
import { SEARCH_HORIZON } from "./policy-config.js";
import { DAY, addDays, daysBetween, localDate, zonedParts, zonedTime } from "./policy-time.js";

export interface OnCall {
  readonly user: string;
  /** When this answer (user, layer or override) next changes; undefined if not within a year. */
  readonly until?: number;
  /** The layer's name, or "override". */
  readonly layer: string;
  readonly override?: Override;
}

export interface OnCallSegment {
  readonly user: string;
  readonly layer: string;
  readonly override?: Override;
  readonly start: number;
  readonly end: number;
}

interface Shift {
  readonly user: string;
  readonly start: number;
  readonly end: number;
}

interface Resolved {
  readonly user: string;
  readonly layer: string;
  readonly layerIndex: number;
  readonly override?: Override;
  readonly overrideIndex: number;
  /** The current shift (or override) began; a lower bound for display. */
  readonly since: number;
  readonly shiftEnd: number;
}

/** The shift of one layer covering `t`, or undefined outside the layer's start and end. */
export function layerShift(layer: RotationLayer, t: number): Shift | undefined {
  if (t < layer.startAt || (layer.endAt !== undefined && t >= layer.endAt)) return undefined;
  const n = layer.users.length;
  let k: number;
  let start: number;
  let end: number;
  if (layer.rotation % DAY === 0) {
    const zone = layer.timeZone;
    const rotDays = layer.rotation / DAY;
    const d0 = localDate(layer.startAt, zone);
    const clock = zonedParts(layer.startAt, zone).secondOfDay;
    const handoff = (i: number) =>
      i === 0 ? layer.startAt : zonedTime(addDays(d0, i * rotDays), clock, zone);
    k = Math.floor(daysBetween(d0, localDate(t, zone)) / rotDays);
    while (k > 0 && handoff(k) > t) k--;
    start = handoff(k);
    end = handoff(k + 1);
  } else {
    k = Math.floor((t - layer.startAt) / layer.rotation);
    start = layer.startAt + k * layer.rotation;
    end = start + layer.rotation;
  }
  if (layer.endAt !== undefined) end = Math.min(end, layer.endAt);
  return { user: layer.users[k % n]!, start, end };
}

function resolveAt(schedule: Schedule, t: number): Resolved | undefined {
  for (let i = schedule.overrides.length - 1; i >= 0; i--) {
    const o = schedule.overrides[i]!;
    if (o.from <= t && t < o.to)
      return {
        user: o.user,
        layer: "override",
        layerIndex: -1,
        override: o,
        overrideIndex: i,
        since: o.from,
        shiftEnd: o.to,
      };
  }
  for (let i = schedule.layers.length - 1; i >= 0; i--) {
    const layer = schedule.layers[i]!;
    const s = layerShift(layer, t);
    if (s)
      return {
        user: s.user,
        layer: layer.name,
        layerIndex: i,
        overrideIndex: -1,
        since: s.start,
        shiftEnd: s.end,
      };
  }
  return undefined;
}

/** The next instant after t at which the resolution could change. */
function nextBoundary(schedule: Schedule, t: number, current: Resolved | undefined): number | undefined {
  let best: number | undefined;
  const consider = (b: number | undefined) => {
    if (b !== undefined && b > t && (best === undefined || b < best)) best = b;
  };
  for (const o of schedule.overrides) {
    consider(o.from);
    consider(o.to);
  }
  for (const l of schedule.layers) {
    consider(l.startAt);
    consider(l.endAt);
  }
  // Handoffs matter only in the winning layer; a single-user layer never hands off.
  if (current && current.layerIndex >= 0 && schedule.layers[current.layerIndex]!.users.length > 1)
    consider(current.shiftEnd);
  return best;
}

function same(a: Resolved | undefined, b: Resolved | undefined): boolean {
  if (!a || !b) return a === b;
  return a.user === b.user && a.layerIndex === b.layerIndex && a.overrideIndex === b.overrideIndex;
}

/** The next instant after `at` with a different answer (or coverage starting/ending). */
function nextChange(schedule: Schedule, at: number, current: Resolved | undefined): number | undefined {
  let t = at;
  let cur = current;
  for (let i = 0; i < 10_000; i++) {
    const b = nextBoundary(schedule, t, cur);
    if (b === undefined || b - at > SEARCH_HORIZON) return undefined;
    const r = resolveAt(schedule, b);
    if (!same(current, r)) return b;
    [t, cur] = [b, r];
  }
  return undefined;
}

/** Who is on call at `at`; undefined when no layer or override covers it. */
export function whoIsOnCall(schedule: Schedule, at: number): OnCall | undefined {
  const r = resolveAt(schedule, at);
  if (!r) return undefined;
  const until = nextChange(schedule, at, r);
  return {
    user: r.user,
    layer: r.layer,
    ...(until !== undefined ? { until } : {}),
    ...(r.override ? { override: r.override } : {}),
  };
}

/** The on-call segments covering [from, to), in order; uncovered time is left out. */
export function onCallTimeline(schedule: Schedule, from: number, to: number): OnCallSegment[] {
  const out: OnCallSegment[] = [];
  let t = from;
  while (t < to) {
    const r = resolveAt(schedule, t);
    const next = nextChange(schedule, t, r);
    const end = Math.min(next ?? to, to);
    if (r)
      out.push({
        user: r.user,
        layer: r.layer,
        ...(r.override ? { override: r.override } : {}),
        start: t,
        end,
      });
    t = end;
  }
  return out;
}

export interface OnCallRow {
  readonly schedule: string;
  readonly name: string;
  readonly when: "now" | "next";
  /** null: nobody (no layer or override covers the time). */
  readonly user: string | null;
  readonly layer: string | null;
  readonly override: boolean;
  /** When this person's turn began (now) or begins (next), epoch ms. */
  readonly from?: number;
  readonly until?: number;
}

/**
 * Rows for `day2 oncall`: per schedule, who is on call now and who is next (the next
 * different user). Plain data for the CLI to render.
 */
export function onCallRows(schedules: readonly Schedule[], at: number): OnCallRow[] {
  const rows: OnCallRow[] = [];
  for (const s of schedules) {
    const base = { schedule: s.id, name: s.name };
    const now = resolveAt(s, at);
    const nowUntil = nextChange(s, at, now);
    rows.push({
      ...base,
      when: "now",
      user: now?.user ?? null,
      layer: now?.layer ?? null,
      override: now?.override !== undefined,
      ...(now ? { from: now.since } : {}),
      ...(nowUntil !== undefined ? { until: nowUntil } : {}),
    });
    const next = nextPerson(s, now?.user, nowUntil);
    rows.push({
      ...base,
      when: "next",
      user: next?.user ?? null,
      layer: next?.layer ?? null,
      override: next?.override !== undefined,
      ...(next ? { from: next.from } : {}),
      ...(next?.until !== undefined ? { until: next.until } : {}),
    });
  }
  return rows;
}

function nextPerson(
  s: Schedule,
  current: string | undefined,
  from: number | undefined,
): (OnCall & { from: number }) | undefined {
  let t = from;
  for (let i = 0; i < 1000 && t !== undefined; i++) {
    const w = whoIsOnCall(s, t);
    if (w && w.user !== current) return { ...w, from: t };
    t = w ? w.until : nextChange(s, t, undefined);
  }
  return undefined;
}

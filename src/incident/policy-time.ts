/**
 * Time arithmetic for the incident policy: durations ("30s", "1h30m", "1w"), wall clocks
 * ("09:00"), calendar dates and IANA time zones through Intl alone (no time zone database of
 * our own). A wall-clock time that does not exist (the spring-forward gap) resolves to the
 * same distance after the gap, and an ambiguous one (fall-back) to the earlier instant: what
 * Temporal calls "compatible" disambiguation.
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

const UNITS: Record<string, number> = { w: WEEK, d: DAY, h: HOUR, m: MINUTE, s: SECOND, ms: 1 };
const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** "1w2d3h4m5s6ms" in Alertmanager's order, any part optional; milliseconds, or NaN when malformed. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === "") return NaN;
  const units = ["w", "d", "h", "m", "s", "ms"];
  let ms = 0;
  units.forEach((u, i) => {
    const v = m[i + 1];
    if (v !== undefined) ms += Number(v) * UNITS[u]!;
  });
  return ms;
}

/** Milliseconds as the shortest duration text: 90 min -> "1h30m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [u, size] of Object.entries(UNITS)) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${u}`;
      rest -= n * size;
    }
  }
  return out;
}

/** "HH:MM" or "HH:MM:SS" (24:00 allowed, as the end of a day) -> seconds after midnight, or NaN. */
export function parseClock(text: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return NaN;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (min > 59 || s > 59 || h > 24 || (h === 24 && (min > 0 || s > 0))) return NaN;
  return h * 3600 + min * 60 + s;
}

/** A calendar date without a zone. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** "YYYY-MM-DD" that names a real day, or undefined. */
export function parseLocalDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return formatLocalDate(addDays(d, 0)) === text ? d : undefined;
}

export function formatLocalDate(d: LocalDate): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.year, 4)}-${p(d.month)}-${p(d.day)}`;
}

/** The date n days later (n may be negative); normalises overflowing days. */
export function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Whole days from a to b. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(d: LocalDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

/** The wall clock of an instant in a time zone. */
export interface ZonedParts extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Seconds after local midnight. */
  readonly secondOfDay: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the IANA zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatFor(name);
    return true;
  } catch {
    return false;
  }
}

export function zonedParts(at: number, timeZone: string): ZonedParts {
  const v: Record<string, number> = {};
  for (const p of formatFor(timeZone).formatToParts(new Date(at))) {
    if (p.type !== "literal") v[p.type] = Number(p.value);
  }
  const hour = v.hour! % 24;
  return {
    year: v.year!,
    month: v.month!,
    day: v.day!,
    hour,
    minute: v.minute!,
    second: v.second!,
    secondOfDay: hour * 3600 + v.minute! * 60 + v.second!,
  };
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +2 h). */
export function zoneOffset(at: number, timeZone: string): number {
  const floor = Math.floor(at / SECOND) * SECOND;
  const p = zonedParts(floor, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - floor;
}

/**
 * The instant a wall clock shows `secondOfDay` on `date` in `timeZone`. secondOfDay may reach
 * 86400 (24:00, the next midnight). Gaps resolve forward, repeated hours to the earlier instant.
 */
export function zonedTime(date: LocalDate, secondOfDay: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + secondOfDay * SECOND;
  const before = zoneOffset(wall - DAY, timeZone);
  const after = zoneOffset(wall + DAY, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => t + zoneOffset(t, timeZone) === wall);
  if (candidates.length) return Math.min(...candidates);
  // In the gap: read the wall time with the offset in force before the transition.
  return wall - before;
}

/** The local calendar date of an instant. */
export function localDate(at: number, timeZone: string): LocalDate {
  const p = zonedParts(at, timeZone);
  return { year: p.year, month: p.month, day: p.day };
}

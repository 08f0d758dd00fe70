/**
 * When the server sends each checklist: the `rhythm:` times of day2.yaml, read in one IANA
 * time zone, and the pure arithmetic of "is this period's report due yet?".
 *
 * - daily: "09:00" (every day)
 * - weekly: "mon 09:00" (that day of the ISO week, Monday to Sunday)
 * - monthly: "1 09:00" (that day of the month; 29-31 mean the month's last day when it is shorter)
 * - quarterly: "1 09:00" (that day of the quarter's first month)
 *
 * Wall clocks and DST come from src/incident/policy-time.ts (as on-call handoffs and business
 * hours): a time in the spring-forward gap is sent that far after the gap, a repeated time
 * (fall-back) at its first occurrence. A period is named as `day2 rhythm` names it
 * (2026-11-25, 2026-W48, 2026-11, 2026-Q4), by the local date of the schedule's zone.
 */
import type { LocalDate } from "../incident/policy-time.js";
import { addDays, localDate, parseClock, weekday, zonedTime } from "../incident/policy-time.js";
import type { Cadence } from "./checklists.js";
import { periodOf } from "./checklists.js";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const WEEKDAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/** One cadence's send time, parsed. */
export interface CadenceTime {
  readonly cadence: Cadence;
  /** As written in day2.yaml, for messages. */
  readonly text: string;
  /** Seconds after local midnight (0-86340). */
  readonly secondOfDay: number;
  /** weekly: 0 = Sunday ... 6 = Saturday. */
  readonly weekday?: number;
  /** monthly, quarterly: 1-31, clamped to the month's length. */
  readonly dayOfMonth?: number;
}

/** A period's scheduled send: which period, and the instant it is due. */
export interface Occurrence {
  readonly cadence: Cadence;
  /** e.g. 2026-11-25, 2026-W48, 2026-11, 2026-Q4. */
  readonly period: string;
  /** Epoch ms. */
  readonly at: number;
}

const EXPECTED: Readonly<Record<Cadence, string>> = {
  daily: '"HH:MM"',
  weekly: '"<day> HH:MM" (day: mon, tue, wed, thu, fri, sat or sun)',
  monthly: '"<day of month> HH:MM" (day 1-31)',
  quarterly: '"<day of the quarter\'s first month> HH:MM" (day 1-31)',
};

/** What a cadence's value must look like, for error messages. */
export function expectedTime(cadence: Cadence): string {
  return EXPECTED[cadence];
}

function clockOf(text: string): number | undefined {
  // Two-digit hours and minutes only; 24:00 (policy-time's end of day) is not a send time.
  if (!/^\d{2}:\d{2}$/.test(text)) return undefined;
  const s = parseClock(text);
  return Number.isNaN(s) || s >= 86_400 ? undefined : s;
}

/** Parses one cadence's time; undefined when it is not in the cadence's form (see {@link expectedTime}). */
export function parseCadenceTime(cadence: Cadence, raw: string): CadenceTime | undefined {
  const text = raw.trim().replace(/\s+/g, " ");
  const parts = text.split(" ");
  if (cadence === "daily") {
    const s = parts.length === 1 ? clockOf(parts[0]!) : undefined;
    return s === undefined ? undefined : { cadence, text, secondOfDay: s };
  }
  if (parts.length !== 2) return undefined;
  const s = clockOf(parts[1]!);
  if (s === undefined) return undefined;
  if (cadence === "weekly") {
    const name = parts[0]!.toLowerCase();
    const day = WEEKDAY_NAMES.findIndex((full, i) => name === full || name === WEEKDAYS[i]);
    return day >= 0 ? { cadence, text, secondOfDay: s, weekday: day } : undefined;
  }
  if (!/^\d{1,2}$/.test(parts[0]!)) return undefined;
  const dom = Number(parts[0]);
  return dom >= 1 && dom <= 31 ? { cadence, text, secondOfDay: s, dayOfMonth: dom } : undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The local date this period's send falls on, given a local date inside the period. */
function sendDate(t: CadenceTime, today: LocalDate): LocalDate {
  switch (t.cadence) {
    case "daily":
      return today;
    case "weekly": {
      // ISO weeks start on Monday: the period's Monday, then the configured day.
      const monday = addDays(today, -((weekday(today) + 6) % 7));
      return addDays(monday, ((t.weekday ?? 1) + 6) % 7);
    }
    case "monthly":
    case "quarterly": {
      const month = t.cadence === "monthly" ? today.month : Math.floor((today.month - 1) / 3) * 3 + 1;
      const day = Math.min(t.dayOfMonth ?? 1, daysInMonth(today.year, month));
      return { year: today.year, month, day };
    }
  }
}

/** The period `now` falls in (in the zone) and the instant its report is scheduled. */
export function occurrence(t: CadenceTime, now: number, timeZone: string): Occurrence {
  const today = localDate(now, timeZone);
  return {
    cadence: t.cadence,
    period: periodOf(t.cadence, now, timeZone),
    at: zonedTime(sendDate(t, today), t.secondOfDay, timeZone),
  };
}

/**
 * The occurrence to send at `now`: this period's, once its time has passed; undefined before.
 * Whether it was already sent is the caller's (the store's) to say.
 */
export function dueOccurrence(t: CadenceTime, now: number, timeZone: string): Occurrence | undefined {
  const o = occurrence(t, now, timeZone);
  return now >= o.at ? o : undefined;
}

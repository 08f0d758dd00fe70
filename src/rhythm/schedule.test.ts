import assert from "node:assert/strict";
import { test } from "node:test";
import type { Cadence } from "./checklists.js";
import { dueOccurrence, occurrence, parseCadenceTime } from "./schedule.js";

function time(cadence: Cadence, text: string) {
  const t = parseCadenceTime(cadence, text);
  assert.ok(t, `${cadence} ${text} parses`);
  return t;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

test("the forms of each cadence parse; anything else is refused", () => {
  assert.deepEqual(parseCadenceTime("daily", "09:00"), {
    cadence: "daily",
    text: "09:00",
    secondOfDay: 32_400,
  });
  assert.equal(time("weekly", "Mon 09:30").weekday, 1);
  assert.equal(time("weekly", "sunday 00:00").weekday, 0);
  assert.equal(time("monthly", "31 23:59").dayOfMonth, 31);
  assert.equal(time("quarterly", "1 09:00").secondOfDay, 32_400);
  for (const [c, bad] of [
    ["daily", "9:00"],
    ["daily", "24:00"],
    ["daily", "09:60"],
    ["daily", "mon 09:00"],
    ["daily", "9am"],
    ["weekly", "09:00"],
    ["weekly", "mo 09:00"],
    ["weekly", "monxyz 09:00"],
    ["monthly", "0 09:00"],
    ["monthly", "32 09:00"],
    ["monthly", "first 09:00"],
    ["quarterly", "1"],
  ] as const)
    assert.equal(parseCadenceTime(c, bad), undefined, `${c} ${JSON.stringify(bad)}`);
});

test("daily: not due before the time, due after it, and a new period the next day", () => {
  const t = time("daily", "09:00");
  const before = Date.parse("2026-11-25T08:59:59Z");
  assert.equal(dueOccurrence(t, before, "UTC"), undefined);
  const at = dueOccurrence(t, Date.parse("2026-11-25T09:00:00Z"), "UTC");
  assert.deepEqual(at && { period: at.period, at: iso(at.at) }, {
    period: "2026-11-25",
    at: "2026-11-25T09:00:00.000Z",
  });
  // Late in the day it is still today's report (sent once: the store remembers).
  assert.equal(dueOccurrence(t, Date.parse("2026-11-25T23:59:00Z"), "UTC")?.period, "2026-11-25");
  assert.equal(dueOccurrence(t, Date.parse("2026-11-26T08:00:00Z"), "UTC"), undefined);
  assert.equal(dueOccurrence(t, Date.parse("2026-11-26T09:01:00Z"), "UTC")?.period, "2026-11-26");
});

test("time zones: the local date names the period and the local clock the instant", () => {
  const t = time("daily", "09:00");
  // 07:30 UTC is 08:30 in Berlin (winter): not yet; 08:00 UTC is 09:00 there.
  assert.equal(dueOccurrence(t, Date.parse("2026-11-25T07:30:00Z"), "Europe/Berlin"), undefined);
  assert.equal(
    iso(dueOccurrence(t, Date.parse("2026-11-25T08:00:00Z"), "Europe/Berlin")?.at),
    "2026-11-25T08:00:00.000Z",
  );
  // 23:30 UTC on the 25th is already the 26th in Tokyo, and 08:30 there: the 26th's, not yet due.
  const tokyo = occurrence(t, Date.parse("2026-11-25T23:30:00Z"), "Asia/Tokyo");
  assert.equal(tokyo.period, "2026-11-26");
  assert.equal(iso(tokyo.at), "2026-11-26T00:00:00.000Z");
  assert.equal(dueOccurrence(t, Date.parse("2026-11-25T23:30:00Z"), "Asia/Tokyo"), undefined);
  // Los Angeles at 20:00 UTC on the 25th: 12:00 local, the 25th's report is due.
  assert.equal(
    dueOccurrence(t, Date.parse("2026-11-25T20:00:00Z"), "America/Los_Angeles")?.period,
    "2026-11-25",
  );
});

test("DST: a time in the spring-forward gap is sent after the gap; a repeated time at its first occurrence", () => {
  // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
  const gap = occurrence(time("daily", "02:30"), Date.parse("2026-03-29T12:00:00Z"), "Europe/Berlin");
  assert.equal(iso(gap.at), "2026-03-29T01:30:00.000Z", "03:30 CEST");
  // A 09:00 report keeps its wall clock across the change: 08:00 UTC before, 07:00 UTC after.
  const nine = time("daily", "09:00");
  assert.equal(
    iso(occurrence(nine, Date.parse("2026-03-28T12:00:00Z"), "Europe/Berlin").at),
    "2026-03-28T08:00:00.000Z",
  );
  assert.equal(
    iso(occurrence(nine, Date.parse("2026-03-29T12:00:00Z"), "Europe/Berlin").at),
    "2026-03-29T07:00:00.000Z",
  );
  // Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice: the first one.
  const twice = occurrence(time("daily", "02:30"), Date.parse("2026-10-25T12:00:00Z"), "Europe/Berlin");
  assert.equal(iso(twice.at), "2026-10-25T00:30:00.000Z", "02:30 CEST");
  assert.equal(
    dueOccurrence(time("daily", "02:30"), Date.parse("2026-10-25T00:29:00Z"), "Europe/Berlin"),
    undefined,
  );
});

test("weekly: the configured day of the ISO week; before it, the week's report is not due", () => {
  const t = time("weekly", "wed 09:00");
  // Monday 2026-11-23 is in 2026-W48; its Wednesday is the 25th.
  assert.equal(dueOccurrence(t, Date.parse("2026-11-23T10:00:00Z"), "UTC"), undefined);
  const due = dueOccurrence(t, Date.parse("2026-11-29T22:00:00Z"), "UTC");
  assert.deepEqual(due && { period: due.period, at: iso(due.at) }, {
    period: "2026-W48",
    at: "2026-11-25T09:00:00.000Z",
  });
  // Sunday is the last day of an ISO week, and the year boundary follows ISO numbering.
  const sun = occurrence(time("weekly", "sun 18:00"), Date.parse("2026-12-29T12:00:00Z"), "UTC");
  assert.deepEqual(
    { period: sun.period, at: iso(sun.at) },
    { period: "2026-W53", at: "2027-01-03T18:00:00.000Z" },
  );
  // Monday 01:00 UTC is still Sunday in Los Angeles: the previous week.
  assert.equal(occurrence(t, Date.parse("2026-11-30T01:00:00Z"), "America/Los_Angeles").period, "2026-W48");
});

test("monthly and quarterly: the day of the month (clamped to the month's length), the quarter's first month", () => {
  const m = time("monthly", "31 09:00");
  assert.equal(iso(occurrence(m, Date.parse("2027-02-10T00:00:00Z"), "UTC").at), "2027-02-28T09:00:00.000Z");
  assert.equal(iso(occurrence(m, Date.parse("2028-02-10T00:00:00Z"), "UTC").at), "2028-02-29T09:00:00.000Z");
  assert.equal(occurrence(m, Date.parse("2026-11-10T00:00:00Z"), "UTC").period, "2026-11");
  const first = time("monthly", "1 09:00");
  assert.equal(dueOccurrence(first, Date.parse("2026-12-01T08:59:00Z"), "UTC"), undefined);
  assert.equal(dueOccurrence(first, Date.parse("2026-12-01T09:00:00Z"), "UTC")?.period, "2026-12");
  const q = time("quarterly", "2 09:00");
  const nov = dueOccurrence(q, Date.parse("2026-11-25T12:00:00Z"), "UTC");
  assert.deepEqual(nov && { period: nov.period, at: iso(nov.at) }, {
    period: "2026-Q4",
    at: "2026-10-02T09:00:00.000Z",
  });
  assert.equal(dueOccurrence(q, Date.parse("2026-10-01T12:00:00Z"), "UTC"), undefined);
  // New Year in Berlin while UTC is still in Q4: the new quarter, not yet due.
  const ny = occurrence(time("quarterly", "1 09:00"), Date.parse("2026-12-31T23:30:00Z"), "Europe/Berlin");
  assert.deepEqual(
    { period: ny.period, at: iso(ny.at) },
    { period: "2027-Q1", at: "2027-01-01T08:00:00.000Z" },
  );
});

/** Severity policy: exact priorities for label sets; deadlines across weekends, holidays, DST and zones. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Policy } from "./policy-config.js";
import { DEFAULT_POLICY, parseIncidents } from "./policy-config.js";
import {
  ackDeadline,
  assessPriority,
  isBusinessHours,
  nextBusinessDayStart,
  nextBusinessStart,
  pagingStart,
  priorityFor,
  shouldAutoResolve,
  shouldReopen,
} from "./policy.js";
import { formatDuration, parseClock, parseDuration, zonedParts, zonedTime } from "./policy-time.js";

const at = (iso: string) => Date.parse(iso);
const policy = (p: unknown): Policy => parseIncidents({ policy: p }).policy;
const berlin = policy({
  businessHours: { timeZone: "Europe/Berlin", holidays: ["2025-12-24", "2025-12-25", "2025-12-26"] },
});

test("default severity map: critical -> P1, critical tier or listed service -> P0, warning P2, info P3", () => {
  const p = policy({ criticalServices: ["payments", "auth"] });
  const cases: [Record<string, string>, string, string][] = [
    [{ severity: "critical", tier: "critical" }, "P0", "critical-tier"],
    [{ severity: "page", tier: "critical", service: "web" }, "P0", "critical-tier"],
    [{ severity: "critical", service: "payments" }, "P0", "critical-service"],
    [{ severity: "critical", service: "auth", namespace: "prod" }, "P0", "critical-service"],
    [{ severity: "critical", service: "payments-v2" }, "P1", "critical"],
    [{ severity: "critical", tier: "batch" }, "P1", "critical"],
    [{ severity: "warning", tier: "critical" }, "P2", "warning"],
    [{ severity: "error" }, "P2", "warning"],
    [{ severity: "info" }, "P3", "info"],
    [{ severity: "critical-ish" }, "P3", "default"],
    [{ alertname: "Watchdog" }, "P3", "default"],
  ];
  for (const [labels, priority, rule] of cases)
    assert.deepEqual(priorityFor(labels, p), { priority, rule }, JSON.stringify(labels));
  // Without criticalServices the rule is absent: a critical payments alert is P1.
  assert.deepEqual(priorityFor({ severity: "critical", service: "payments" }, DEFAULT_POLICY), {
    priority: "P1",
    rule: "critical",
  });
});

test("a configured severity map: first match wins, exact, lists and anchored regexes", () => {
  const p = policy({
    defaultPriority: "P2",
    severityMap: [
      {
        name: "prod-db",
        match: { severity: "critical", service: ["postgres", "mysql"] },
        matchRe: { namespace: "prod-.*" },
        priority: "P0",
      },
      { name: "any-critical", match: { severity: "critical" }, priority: "P1" },
      { name: "staging", matchRe: { namespace: "staging|dev" }, priority: "P3" },
    ],
  });
  assert.deepEqual(priorityFor({ severity: "critical", service: "postgres", namespace: "prod-eu" }, p), {
    priority: "P0",
    rule: "prod-db",
  });
  assert.equal(
    priorityFor({ severity: "critical", service: "postgres", namespace: "preprod-eu" }, p).priority,
    "P1",
  );
  assert.equal(
    priorityFor({ severity: "critical", service: "redis", namespace: "prod-eu" }, p).priority,
    "P1",
  );
  assert.deepEqual(priorityFor({ severity: "warning", namespace: "staging" }, p), {
    priority: "P3",
    rule: "staging",
  });
  assert.deepEqual(priorityFor({ severity: "warning", namespace: "staging-2" }, p), {
    priority: "P2",
    rule: "default",
  });
  // Rule names default to their position.
  assert.equal(
    policy({ severityMap: [{ match: { a: "b" }, priority: "P1" }] }).severityMap[0]!.name,
    "rule-1",
  );
});

test("manual override stands; else the highest priority among the alerts", () => {
  const labels = [{ severity: "warning" }, { severity: "critical" }, { severity: "info" }];
  assert.deepEqual(assessPriority({ priority: "P3", priorityOverridden: false }, labels, DEFAULT_POLICY), {
    priority: "P1",
    rule: "critical",
  });
  assert.deepEqual(assessPriority({ priority: "P3", priorityOverridden: true }, labels, DEFAULT_POLICY), {
    priority: "P3",
    rule: "override",
  });
});

test("durations, clocks and wall-clock instants across Europe/Berlin's DST switches", () => {
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("1w"), 604_800_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.ok(Number.isNaN(parseDuration("5 minutes")));
  assert.ok(Number.isNaN(parseDuration("")));
  assert.equal(formatDuration(5_400_000), "1h30m");
  assert.equal(parseClock("24:00"), 86_400);
  assert.ok(Number.isNaN(parseClock("24:01")));
  const d = (year: number, month: number, day: number) => ({ year, month, day });
  // Spring forward 2025-03-30: 02:00 -> 03:00; 02:30 does not exist and reads as 03:30 CEST.
  assert.equal(zonedTime(d(2025, 3, 30), parseClock("02:30"), "Europe/Berlin"), at("2025-03-30T01:30:00Z"));
  assert.equal(zonedTime(d(2025, 3, 30), parseClock("09:00"), "Europe/Berlin"), at("2025-03-30T07:00:00Z"));
  // Fall back 2025-10-26: 02:30 happens twice; the earlier (CEST) one.
  assert.equal(zonedTime(d(2025, 10, 26), parseClock("02:30"), "Europe/Berlin"), at("2025-10-26T00:30:00Z"));
  assert.equal(zonedTime(d(2025, 10, 26), parseClock("09:00"), "Europe/Berlin"), at("2025-10-26T08:00:00Z"));
  assert.equal(zonedTime(d(2025, 1, 1), 86_400, "Asia/Kolkata"), at("2025-01-01T18:30:00Z"));
  assert.equal(zonedParts(at("2025-10-26T01:30:00Z"), "Europe/Berlin").hour, 2);
});

test("business hours honour the zone, weekends and holidays", () => {
  assert.equal(isBusinessHours(at("2025-10-21T07:00:00Z"), berlin), true, "Tue 09:00 CEST");
  assert.equal(isBusinessHours(at("2025-10-21T06:59:59Z"), berlin), false, "Tue 08:59:59 CEST");
  assert.equal(
    isBusinessHours(at("2025-10-21T15:00:00Z"), berlin),
    false,
    "Tue 17:00 CEST: close is exclusive",
  );
  assert.equal(isBusinessHours(at("2025-10-25T10:00:00Z"), berlin), false, "Saturday");
  assert.equal(isBusinessHours(at("2025-12-24T10:00:00Z"), berlin), false, "holiday");
  assert.equal(
    isBusinessHours(at("2025-10-21T07:00:00Z"), DEFAULT_POLICY),
    false,
    "09:00 Berlin is 07:00 UTC",
  );
  assert.equal(
    nextBusinessStart(at("2025-10-21T10:00:00Z"), berlin),
    at("2025-10-21T10:00:00Z"),
    "inside: itself",
  );
  assert.equal(
    nextBusinessStart(at("2025-10-24T15:30:00Z"), berlin),
    at("2025-10-27T08:00:00Z"),
    "Fri 17:30 CEST -> Mon 09:00 CET",
  );
  assert.equal(
    nextBusinessStart(at("2025-12-23T16:00:00Z"), berlin),
    at("2025-12-29T08:00:00Z"),
    "over Christmas",
  );
  assert.equal(nextBusinessDayStart(at("2025-10-21T10:00:00Z"), berlin), at("2025-10-22T07:00:00Z"));
  const never: Policy = { ...berlin, businessHours: { ...berlin.businessHours, days: [] } };
  assert.throws(() => nextBusinessStart(0, never), /no business hours within a year/);
});

test("P3: next business day across weekends, DST ends and starts, holidays and other zones", () => {
  // The handbook's case: a P3 at Friday 17:30 Europe/Berlin is due Monday 09:00 Berlin; DST ends on the Sunday between.
  assert.equal(ackDeadline("P3", at("2025-10-24T15:30:00Z"), berlin), at("2025-10-27T08:00:00Z"));
  // DST starts on Sunday 2025-03-30: Friday 17:30 CET -> Monday 09:00 CEST.
  assert.equal(ackDeadline("P3", at("2025-03-28T16:30:00Z"), berlin), at("2025-03-31T07:00:00Z"));
  // Before opening on a business day is still "next business day": Friday 08:00 -> Monday.
  assert.equal(ackDeadline("P3", at("2025-10-24T06:00:00Z"), berlin), at("2025-10-27T08:00:00Z"));
  // Tuesday 10:00 -> Wednesday 09:00.
  assert.equal(ackDeadline("P3", at("2025-10-21T08:00:00Z"), berlin), at("2025-10-22T07:00:00Z"));
  // Holidays: Tuesday 23 December -> Monday 29 December (24-26 holidays, then the weekend).
  assert.equal(ackDeadline("P3", at("2025-12-23T12:00:00Z"), berlin), at("2025-12-29T08:00:00Z"));
  // New York: US DST starts Sunday 2025-03-09; Friday 18:00 EST -> Monday 09:00 EDT.
  const ny = policy({ businessHours: { timeZone: "America/New_York", start: "09:00", end: "18:00" } });
  assert.equal(ackDeadline("P3", at("2025-03-07T23:00:00Z"), ny), at("2025-03-10T13:00:00Z"));
  // Same instant, Tokyo (no DST, Mon-Fri): it is already Saturday 08:00 there -> Monday 09:00 JST.
  const tokyo = policy({ businessHours: { timeZone: "Asia/Tokyo" } });
  assert.equal(ackDeadline("P3", at("2025-03-07T23:00:00Z"), tokyo), at("2025-03-10T00:00:00Z"));
  // A Sunday-Thursday week (Asia/Jerusalem style).
  const il = policy({
    businessHours: { timeZone: "Asia/Jerusalem", days: ["sun", "mon", "tue", "wed", "thu"] },
  });
  // Israel's DST ends at 02:00 that very Sunday: 09:00 IST is 07:00 UTC.
  assert.equal(
    ackDeadline("P3", at("2025-10-23T12:00:00Z"), il),
    at("2025-10-26T07:00:00Z"),
    "Thu -> Sun 09:00 IST",
  );
});

test("duration deadlines: P0/P1 at once, any hour; P2 counts from the next opening", () => {
  const sat = at("2025-10-25T10:00:00Z");
  assert.equal(ackDeadline("P0", sat, berlin), sat + 5 * 60_000);
  assert.equal(ackDeadline("P1", sat, berlin), sat + 15 * 60_000);
  assert.equal(pagingStart("P2", sat, berlin), at("2025-10-27T08:00:00Z"));
  assert.equal(ackDeadline("P2", sat, berlin), at("2025-10-27T09:00:00Z"));
  const tue = at("2025-10-21T08:00:00Z");
  assert.equal(ackDeadline("P2", tue, berlin), tue + 3_600_000);
  // Tests configure seconds.
  const fast = policy({ ackDeadlines: { P0: "5s", P2: "30s" }, pageAnytime: ["P0", "P1", "P2"] });
  assert.equal(ackDeadline("P0", sat, fast), sat + 5000);
  assert.equal(ackDeadline("P2", sat, fast), sat + 30_000);
  assert.equal(ackDeadline("P1", sat, fast), sat + 15 * 60_000, "unset priorities keep their default");
  assert.equal(fast.ackDeadlines.P3.kind, "next-business-day");
});

test("reopen window and resolve-when-all-resolved", () => {
  const resolvedAt = at("2025-10-21T08:00:00Z");
  assert.equal(
    shouldReopen({ status: "resolved", resolvedAt }, resolvedAt + 3_600_000, DEFAULT_POLICY),
    true,
  );
  assert.equal(
    shouldReopen({ status: "resolved", resolvedAt }, resolvedAt + 3_600_001, DEFAULT_POLICY),
    false,
  );
  assert.equal(shouldReopen({ status: "reviewed", resolvedAt }, resolvedAt + 1, DEFAULT_POLICY), false);
  const p = policy({ reopenWindow: "10s", resolveWhenAllAlertsResolved: false });
  assert.equal(shouldReopen({ status: "resolved", resolvedAt }, resolvedAt + 11_000, p), false);
  assert.equal(shouldAutoResolve(0, DEFAULT_POLICY), true);
  assert.equal(shouldAutoResolve(1, DEFAULT_POLICY), false);
  assert.equal(shouldAutoResolve(0, p), false);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { CADENCES, CHECKLISTS, periodOf } from "./checklists.js";
import { evaluate, type RhythmInputs } from "./evaluate.js";

const NOW = Date.UTC(2026, 10, 25, 8, 0); // Wednesday 25 Nov 2026
const HOUR = 3_600_000;

function inputs(over: Partial<RhythmInputs> = {}): RhythmInputs {
  return {
    now: NOW,
    clusterVersion: "v1.29.4",
    scan: {
      score: 91.2,
      grade: "A",
      findingCounts: { critical: 3, high: 7, medium: 1, low: 0, info: 0 },
      security: { critical: 2, high: 5 },
      cves: { critical: null, high: null, reason: "Trivy Operator not installed" },
      compliance: { percent: 87.5, level: "restricted" },
    },
    cost: {
      monthly: 1234.5,
      idleMonthly: 100,
      idleShare: 0.081,
      window: "the last 14d",
      topNamespaces: [{ name: "shop", monthly: 700 }],
      quickWins: { count: 2, monthly: 150, top: [{ title: "delete pvc x", monthly: 120 }] },
      waste: { count: 1, monthly: 20 },
    },
    incidents: {
      recent: [
        { id: "INC-2", title: "api down", priority: "P1", status: "triggered", createdAt: NOW - 2 * HOUR },
        {
          id: "INC-1",
          title: "disk full",
          priority: "P2",
          status: "resolved",
          createdAt: NOW - 30 * 24 * HOUR,
          acknowledgedAt: NOW - 30 * 24 * HOUR + 1,
          resolvedAt: NOW - 29 * 24 * HOUR,
        },
      ],
      open: [
        { id: "INC-2", title: "api down", priority: "P1", status: "triggered", createdAt: NOW - 2 * HOUR },
      ],
      openActionItems: [
        {
          id: "a1",
          incidentId: "INC-1",
          title: "update disk runbook",
          runbook: "disk.md",
          dueAt: NOW - HOUR,
        },
      ],
    },
    signoffs: [],
    ...over,
  };
}

test("the checklists hold the handbook's items, five per cadence", () => {
  for (const c of CADENCES) assert.equal(CHECKLISTS[c].length, 5);
  assert.deepEqual(
    CHECKLISTS.daily.map((i) => i.title),
    [
      "Review overnight alerts",
      "Check cluster health metrics",
      "Monitor cost trends",
      "Review security scan results",
      "Address critical incidents",
    ],
  );
});

test("periods: day, ISO week, month, quarter (UTC)", () => {
  assert.equal(periodOf("daily", NOW), "2026-11-25");
  assert.equal(periodOf("weekly", NOW), "2026-W48");
  assert.equal(periodOf("weekly", Date.UTC(2027, 0, 1)), "2026-W53");
  assert.equal(periodOf("monthly", NOW), "2026-11");
  assert.equal(periodOf("quarterly", NOW), "2026-Q4");
  assert.equal(periodOf("daily", NOW, "UTC"), "2026-11-25");
});

test("periods in a time zone: the local date decides, around midnight UTC, a week and a quarter boundary", () => {
  // 23:30 UTC on the 10th is 08:30 on the 11th in Tokyo (+9) and 15:30 on the 10th in Los Angeles (-8).
  const lateUtc = Date.parse("2026-11-10T23:30:00Z");
  assert.equal(periodOf("daily", lateUtc, "UTC"), "2026-11-10");
  assert.equal(periodOf("daily", lateUtc, "Asia/Tokyo"), "2026-11-11");
  assert.equal(periodOf("daily", lateUtc, "America/Los_Angeles"), "2026-11-10");
  // 02:00 UTC on the 11th is still the 10th in Los Angeles (18:00), already the 11th in Tokyo.
  const earlyUtc = Date.parse("2026-11-11T02:00:00Z");
  assert.equal(periodOf("daily", earlyUtc, "America/Los_Angeles"), "2026-11-10");
  assert.equal(periodOf("daily", earlyUtc, "Asia/Tokyo"), "2026-11-11");
  // Sunday 2026-11-29 22:00 UTC is Monday the 30th in Tokyo: the next ISO week there.
  const sundayNight = Date.parse("2026-11-29T22:00:00Z");
  assert.equal(periodOf("weekly", sundayNight, "UTC"), "2026-W48");
  assert.equal(periodOf("weekly", sundayNight, "Asia/Tokyo"), "2026-W49");
  // Monday 2026-11-30 03:00 UTC is still Sunday in Los Angeles: the previous week.
  assert.equal(periodOf("weekly", Date.parse("2026-11-30T03:00:00Z"), "America/Los_Angeles"), "2026-W48");
  // New Year: 2026-12-31 20:00 UTC is 2027-01-01 05:00 in Tokyo: next year's quarter, month and week.
  const nye = Date.parse("2026-12-31T20:00:00Z");
  assert.equal(periodOf("quarterly", nye, "UTC"), "2026-Q4");
  assert.equal(periodOf("quarterly", nye, "Asia/Tokyo"), "2027-Q1");
  assert.equal(periodOf("monthly", nye, "Asia/Tokyo"), "2027-01");
  assert.equal(
    periodOf("weekly", nye, "Asia/Tokyo"),
    "2026-W53",
    "1 Jan 2027 is a Friday of 2026's last ISO week",
  );
  // 2027-04-01 03:00 UTC is still 31 March in Los Angeles: Q1 there, Q2 in UTC.
  const april = Date.parse("2027-04-01T03:00:00Z");
  assert.equal(periodOf("quarterly", april, "UTC"), "2027-Q2");
  assert.equal(periodOf("quarterly", april, "America/Los_Angeles"), "2027-Q1");
});

test("evaluate names the period in the inputs' zone, and a sign-off counts for that local period", () => {
  // 08:30 on the 11th in Tokyo; UTC says the 10th.
  const now = Date.parse("2026-11-10T23:30:00Z");
  const signoff = {
    cadence: "daily" as const,
    item: "critical-incidents",
    period: "2026-11-11",
    who: "yuki",
    at: now - 10 * 60_000,
  };
  const base = inputs({ now, incidents: { reason: "no incident store" }, signoffs: [signoff] });
  const tokyo = evaluate("daily", { ...base, timeZone: "Asia/Tokyo" });
  assert.equal(tokyo.period, "2026-11-11");
  assert.equal(tokyo.items.find((i) => i.id === "critical-incidents")!.status, "manual-done");
  const utc = evaluate("daily", base);
  assert.equal(utc.period, "2026-11-10");
  assert.equal(utc.items.find((i) => i.id === "critical-incidents")!.status, "not-available");
});

test("daily: evidence from the scan, the cost model and the incidents", () => {
  const r = evaluate("daily", inputs());
  const by = new Map(r.items.map((i) => [i.id, i]));
  assert.equal(by.get("security-scan")!.status, "attention");
  assert.match(by.get("security-scan")!.evidence.join("\n"), /security findings: 2 critical, 5 high/);
  assert.match(by.get("cost-trends")!.evidence.join("\n"), /monthly cost \$1,234\.50/);
  assert.equal(by.get("cost-trends")!.command, "day2 cost");
  assert.equal(by.get("critical-incidents")!.status, "attention");
  assert.match(by.get("critical-incidents")!.evidence.join("\n"), /INC-2 P1 triggered: api down/);
  assert.match(by.get("overnight-alerts")!.evidence.join("\n"), /1 incident in the last 24h \(1 P1\)/);
  assert.match(by.get("cluster-health")!.evidence.join("\n"), /score 91\.2 \(A\)/);
});

test("without an incident store the incident items say so; a sign-off makes them done", () => {
  const none = evaluate("daily", inputs({ incidents: { reason: "no incident store" } }));
  const item = none.items.find((i) => i.id === "critical-incidents")!;
  assert.equal(item.status, "not-available");
  assert.match(item.evidence[0]!, /no data: no incident store/);
  const signed = evaluate(
    "daily",
    inputs({
      incidents: { reason: "no incident store" },
      signoffs: [{ cadence: "daily", item: "critical-incidents", period: "2026-11-25", who: "ana", at: NOW }],
    }),
  );
  assert.equal(signed.items.find((i) => i.id === "critical-incidents")!.status, "manual-done");
});

test("monthly and quarterly: missing modules stay manual and say so; sign-offs count for their period only", () => {
  const m = evaluate("monthly", inputs());
  for (const id of ["dr-testing", "chaos-engineering"]) {
    const it = m.items.find((i) => i.id === id)!;
    assert.equal(it.status, "manual-open");
    assert.match(it.evidence.join("\n"), /module does not exist in day2 yet/);
  }
  const q = evaluate("quarterly", inputs());
  const up = q.items.find((i) => i.id === "k8s-upgrade")!;
  assert.match(up.evidence.join("\n"), /upgrades module does not exist.*\n.*v1\.29\.4/);
  assert.equal(q.items.find((i) => i.id === "incident-retrospectives")!.status, "attention");
  const lastMonth = evaluate(
    "monthly",
    inputs({
      signoffs: [
        { cadence: "monthly", item: "dr-testing", period: "2026-10", who: "bo", at: NOW - 40 * 24 * HOUR },
      ],
    }),
  );
  assert.equal(lastMonth.items.find((i) => i.id === "dr-testing")!.status, "manual-open");
  const done = evaluate(
    "monthly",
    inputs({
      signoffs: [
        { cadence: "monthly", item: "dr-testing", period: "2026-11", who: "bo", at: NOW, note: "restore ok" },
      ],
    }),
  );
  const dr = done.items.find((i) => i.id === "dr-testing")!;
  assert.equal(dr.status, "manual-done");
  assert.match(dr.evidence.join("\n"), /signed off by bo at 2026-11-25T08:00:00.000Z: restore ok/);
  assert.equal(done.counts["manual-done"], 1);
});

test("weekly: quick wins with dollars, overdue runbook action items, performance stays manual", () => {
  const r = evaluate("weekly", inputs());
  const by = new Map(r.items.map((i) => [i.id, i]));
  assert.equal(by.get("cost-optimisation")!.status, "attention");
  assert.match(by.get("cost-optimisation")!.evidence.join("\n"), /2 quick wins worth \$150\.00\/month/);
  assert.equal(by.get("runbook-updates")!.status, "attention");
  assert.match(
    by.get("runbook-updates")!.evidence.join("\n"),
    /1 open runbook action item, 1 overdue\nINC-1: update disk runbook \(disk\.md\)/,
  );
  assert.equal(by.get("performance-optimisation")!.status, "manual-open");
  assert.equal(by.get("capacity-planning")!.status, "not-available");
  assert.equal(r.period, "2026-W48");
});

const DAY = 24 * HOUR;
const costItem = (over: Partial<RhythmInputs>) =>
  evaluate("daily", inputs(over)).items.find((i) => i.id === "cost-trends")!;

test("cost trends without stored history: the window's rate, idle above 30% needs attention", () => {
  const it = costItem({});
  assert.equal(it.status, "ok");
  assert.deepEqual(it.evidence, [
    "monthly cost $1,234.50 at the rate of the last 14d",
    "idle $100.00/month (8.1% of the cluster)",
    "waste: 1 item, $20.00/month",
    "trend across days needs stored cost snapshots (day2 serve); this is the window's rate",
  ]);
  const idle = costItem({ cost: { ...inputs().cost!, idleShare: 0.31 } });
  assert.equal(idle.status, "attention");
});

test("cost trends with stored history: the 7-day change, attention above a 10% rise", () => {
  const history = (weekAgo: number) => [
    { at: NOW - 12 * DAY, monthly: 900 },
    { at: NOW - 7 * DAY - HOUR, monthly: weekAgo },
    { at: NOW - 3 * DAY, monthly: 1300 },
  ];
  const down = costItem({ costHistory: history(1261) });
  assert.equal(down.status, "ok");
  assert.equal(down.evidence[0], "monthly cost $1,234.50 at the rate of the last 14d");
  assert.equal(down.evidence[1], "7-day trend: $1,235/month, -2.1% over 7 days ($1,261/month on 2026-11-18)");
  assert.ok(!down.evidence.some((e) => /needs stored cost snapshots/.test(e)));
  // +10.0% exactly is not above the threshold; +10.3% is.
  assert.equal(costItem({ costHistory: history(1122.3) }).status, "ok");
  const up = costItem({ costHistory: history(1119) });
  assert.equal(up.status, "attention");
  assert.match(
    up.evidence[1]!,
    /^7-day trend: \$1,235\/month, \+10\.3% over 7 days \(\$1,119\/month on 2026-11-18\): a rise above 10%$/,
  );
  // Falling cost does not hide idle capacity.
  const idle = costItem({ costHistory: history(1261), cost: { ...inputs().cost!, idleShare: 0.4 } });
  assert.equal(idle.status, "attention");
});

test("cost trends with a store but not 7 days of history: no trend, with the reason", () => {
  const young = costItem({ costHistory: [{ at: NOW - 2 * DAY, monthly: 100 }] });
  assert.equal(young.status, "ok");
  assert.equal(
    young.evidence[1],
    "7-day trend: no data: no cost stored 7 or more days ago (the oldest is from 2026-11-23)",
  );
  const empty = costItem({ costHistory: [] });
  assert.match(
    empty.evidence[1]!,
    /7-day trend: no data: no cost summaries stored yet \(day2 serve stores one per collection\)/,
  );
});

test("cost trends: the stored cost closest to 7 days ago, daily summaries at another hour included", () => {
  // Daily summaries at 14:00; now is 08:00: 6d18h and 7d18h ago, the first is closer to a week.
  const at = (d: number) => NOW - d * DAY - 18 * HOUR;
  const it = costItem({
    costHistory: [
      { at: at(8), monthly: 1000 },
      { at: at(7), monthly: 1100 },
      { at: at(6), monthly: 1200 },
      { at: at(0), monthly: 1234.5 },
    ],
  });
  assert.match(
    it.evidence[1]!,
    /^7-day trend: \$1,235\/month, \+2\.9% over 7 days \(\$1,200\/month on 2026-11-18\)$/,
  );
});

test("retrospectives count the quarter in the inputs' zone", () => {
  // Resolved at 05:00 on 1 January in Tokyo, still 31 December in UTC.
  const created = Date.parse("2026-12-31T19:00:00Z");
  const incident = {
    id: "INC-9",
    title: "etcd slow",
    priority: "P1",
    status: "resolved",
    createdAt: created,
    resolvedAt: created + HOUR,
  };
  const over = {
    now: Date.parse("2027-01-05T03:00:00Z"),
    incidents: { recent: [incident], open: [], openActionItems: [] },
  };
  const line = (timeZone?: string) =>
    evaluate("quarterly", inputs({ ...over, ...(timeZone ? { timeZone } : {}) })).items.find(
      (i) => i.id === "incident-retrospectives",
    )!.evidence[0];
  assert.equal(line("Asia/Tokyo"), "1 incident resolved this quarter, 1 P0/P1, 1 without a review");
  assert.equal(line(), "0 incidents resolved this quarter, 0 P0/P1, 0 without a review");
});

/** The monthly review's pure section builders from known inputs: exact figures. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ActionItem, Incident } from "../incident/types.js";
import { buildCostSection } from "./cost.js";
import { actionState, buildIncidentSection, sectionBullets } from "./incidents.js";
import { monthAfter, monthBefore, parseMonth, previousMonth } from "./month.js";
import { buildPerformanceSection, errorBudget } from "./performance.js";
import { buildSecuritySection } from "./security.js";

const OCT = parseMonth("2026-10")!;
const T = (iso: string): number => Date.parse(iso);

function incident(
  id: string,
  priority: Incident["priority"],
  created: string,
  resolvedMin?: number,
): Incident {
  const createdAt = T(created);
  return {
    id,
    title: `incident ${id}`,
    priority,
    priorityOverridden: false,
    status: resolvedMin === undefined ? "triggered" : "resolved",
    groupKey: id,
    labels: {},
    createdAt,
    ...(resolvedMin === undefined ? {} : { resolvedAt: createdAt + resolvedMin * 60_000 }),
    escalationLevel: 0,
  };
}

test("parseMonth: YYYY-MM only; previous, before and after", () => {
  assert.deepEqual(OCT, {
    label: "2026-10",
    start: T("2026-10-01T00:00:00Z"),
    end: T("2026-11-01T00:00:00Z"),
    days: 31,
  });
  for (const bad of ["2026-13", "2026-00", "last", "2026-1", "26-10", "2026-10-01", ""])
    assert.equal(parseMonth(bad), undefined, bad);
  assert.equal(previousMonth(T("2026-11-20T12:00:00Z")).label, "2026-10");
  assert.equal(previousMonth(T("2026-01-05T00:00:00Z")).label, "2025-12");
  assert.equal(monthBefore(OCT).label, "2026-09");
  assert.equal(monthAfter(parseMonth("2026-12")!).label, "2027-01");
  assert.equal(parseMonth("2028-02")!.days, 29);
});

test("sectionBullets reads a review's sections and skips placeholders", () => {
  const body = [
    "# Post-incident review: x",
    "## What went well",
    "",
    "- Acknowledged in 2 min.",
    "- _to be filled in_",
    "## What went badly",
    "- Escalated twice.",
    "## Action items",
    "- not a lesson",
  ].join("\n");
  assert.deepEqual(sectionBullets(body, /went (well|right)/i), ["Acknowledged in 2 min."]);
  assert.deepEqual(sectionBullets(body, /went (badly|wrong)/i), ["Escalated twice."]);
});

test("action item state: done when closed, overdue past due, else open", () => {
  const now = T("2026-11-20T00:00:00Z");
  const base: ActionItem = { id: "a", incidentId: "i", title: "t" };
  assert.equal(actionState({ ...base, closedAt: now - 1, dueAt: now - 10 }, now), "done");
  assert.equal(actionState({ ...base, dueAt: now - 1 }, now), "overdue");
  assert.equal(actionState({ ...base, dueAt: now + 1 }, now), "open");
  assert.equal(actionState(base, now), "open");
});

test("incident section: counts by priority and day, MTTR, MTBF, retrospectives, action items", () => {
  const incidents = [
    incident("a", "P0", "2026-10-02T10:00:00Z", 30),
    incident("b", "P1", "2026-10-02T12:00:00Z", 90),
    incident("c", "P3", "2026-10-31T23:00:00Z", 60),
    incident("old", "P1", "2026-09-30T23:00:00Z", 10),
  ];
  const s = buildIncidentSection({
    month: OCT,
    incidents,
    reviews: [
      { incidentId: "a", body: "## What went well\n- Fast ack.\n## What went badly\n- No runbook.\n" },
      { incidentId: "old", body: "## What went well\n- ignored: not this month\n" },
    ],
    actionItems: [
      { id: "x1", incidentId: "a", title: "Write runbook", dueAt: T("2026-10-10T00:00:00Z") },
      { id: "x2", incidentId: "a", title: "Add alert", closedAt: T("2026-10-05T00:00:00Z") },
      { id: "x3", incidentId: "b", title: "Load test", dueAt: T("2026-12-01T00:00:00Z"), owner: "ana" },
      { id: "x4", incidentId: "old", title: "not this month" },
    ],
    now: T("2026-11-20T00:00:00Z"),
    source: "test",
  });
  assert.equal(s.total, 3);
  assert.deepEqual(s.byPriority, { P0: 1, P1: 1, P2: 0, P3: 1 });
  assert.equal(s.perDay.length, 31);
  assert.deepEqual(s.perDay[1], { day: "2026-10-02", count: 2 });
  assert.deepEqual(s.perDay[30], { day: "2026-10-31", count: 1 });
  assert.equal(s.mttrMinutes, 60); // (30 + 90 + 60) / 3
  // 31 days = 744 h; P0/P1 downtime 0.5 h + 1.5 h = 2 h; 2 failures -> 371 h.
  assert.equal(s.mtbfHours, 371);
  assert.deepEqual(s.retrospectives, [
    {
      incidentId: "a",
      title: "incident a",
      priority: "P0",
      createdAt: "2026-10-02T10:00:00.000Z",
      wentWrong: ["No runbook."],
      wentRight: ["Fast ack."],
    },
  ]);
  assert.deepEqual(s.unreviewed, [{ incidentId: "b", title: "incident b", priority: "P1" }]);
  assert.deepEqual(s.actionItems.counts, { open: 1, done: 1, overdue: 1 });
  assert.deepEqual(
    s.actionItems.items.map((i) => [i.id, i.state, i.owner]),
    [
      ["x1", "overdue", null],
      ["x3", "open", "ana"],
      ["x2", "done", null],
    ],
  );
});

test("incident section without incidents: no MTTR, with the reason", () => {
  const s = buildIncidentSection({
    month: OCT,
    incidents: [],
    reviews: [],
    actionItems: [],
    now: 0,
    source: "none",
  });
  assert.equal(s.total, 0);
  assert.equal(s.mttrMinutes, null);
  assert.ok(
    s.notes.some((n) => n.startsWith("MTTR: ")),
    s.notes.join("; "),
  );
});

test("cost section: totals, trend, namespace change, opportunities, forecast", () => {
  // 31 days: 100/day for the first 7, 120/day after.
  const daily = Array.from({ length: 31 }, (_, d) => (d < 7 ? 100 : 120));
  const s = buildCostSection({
    month: OCT,
    nextMonth: monthAfter(OCT),
    daily,
    namespaces: [
      { name: "web", cost: 300, previous: 200 },
      { name: "db", cost: 500, previous: 0 },
      { name: "new", cost: 50 },
    ],
    quickWins: [
      { title: "small", category: "spot", monthly: 10 },
      { title: "big", category: "unused-volume", monthly: 40.555 },
    ],
    waste: [
      { kind: "unmounted-pvc", monthly: 8 },
      { kind: "unmounted-pvc", monthly: 2 },
      { kind: "idle-workload", monthly: 30 },
    ],
    rightsizing: [
      { namespace: "web", workload: "Deployment/web", monthly: 12 },
      { namespace: "db", workload: "StatefulSet/db", monthly: -5 },
    ],
  });
  assert.equal(s.total, 7 * 100 + 24 * 120);
  assert.equal(s.averageDaily, 115.48);
  assert.equal(s.trendPct, 20);
  assert.deepEqual(s.namespaces, [
    { name: "db", cost: 500, previous: 0, change: 500, changePct: null },
    { name: "web", cost: 300, previous: 200, change: 100, changePct: 50 },
    { name: "new", cost: 50, previous: null, change: null, changePct: null },
  ]);
  assert.equal(s.opportunities.quickWins.monthly, 50.56);
  assert.equal(s.opportunities.quickWins.top[0]!.title, "big");
  assert.deepEqual(s.opportunities.waste.byKind, [
    { kind: "idle-workload", count: 1, monthly: 30 },
    { kind: "unmounted-pvc", count: 2, monthly: 10 },
  ]);
  assert.deepEqual(s.opportunities.rightsizing, {
    count: 1,
    monthly: 12,
    top: [{ namespace: "web", workload: "Deployment/web", monthly: 12 }],
  });
  assert.equal(s.opportunities.totalMonthly, 50.56);
  assert.ok(s.forecast);
  assert.equal(s.forecast.month, "2026-11");
  assert.equal(s.forecast.perDay.length, 30);
  // The last weeks are flat at 120: the forecast stays near 120 a day.
  assert.ok(Math.abs(s.forecast.total - 30 * 120) < 30 * 120 * 0.1, String(s.forecast.total));
});

test("cost section: unknown days are left out; under 7 known days no forecast", () => {
  const daily = Array.from({ length: 31 }, (_, d) => (d < 5 ? 10 : Number.NaN));
  const s = buildCostSection({
    month: OCT,
    nextMonth: monthAfter(OCT),
    daily,
    namespaces: [],
    quickWins: [],
    waste: [],
    rightsizing: [],
  });
  assert.equal(s.total, 50);
  assert.equal(s.perDay[10]!.cost, null);
  assert.equal(s.forecast, null);
  assert.equal(s.trendPct, null);
});

test("error budget: 99.9% over 30 days allows 43.2 min", () => {
  assert.deepEqual(errorBudget(99.9, 99.95, 30 * 24 * 60), {
    allowedMin: 43.2,
    spentMin: 21.6,
    remainingMin: 21.6,
    spentPct: 50,
  });
  assert.equal(errorBudget(99.9, 99.5, 30 * 24 * 60)!.remainingMin, 0);
});

test("performance section: SLO from the uptime KPI, worst bottlenecks first, open items planned", () => {
  const uptime = {
    id: "uptime",
    name: "Uptime SLA",
    family: "prometheus",
    definition: "",
    value: 99.99,
    unit: "%",
    target: { kind: "min", value: 99.95 },
    targetText: ">= 99.95%",
    status: "met",
    reason: null,
    trend: null,
    sources: [],
    source: "prometheus",
    detail: {},
  } as const;
  const b = (workload: string, overPct: number) => ({
    namespace: "ns",
    workload,
    container: "c",
    resource: "cpu" as const,
    request: 100,
    recommended: 100 + overPct,
    overPct,
  });
  const s = buildPerformanceSection({
    month: OCT,
    uptime: { ...uptime, target: { ...uptime.target } },
    latency: [],
    increases: [b("a", 20), b("b", 300), b("c", 50)],
    openActionItems: [
      { id: "1", incidentId: "i", title: "done one", owner: null, due: null, state: "done" },
      { id: "2", incidentId: "i", title: "open one", owner: null, due: null, state: "overdue" },
    ],
    top: 2,
  });
  assert.equal(s.slo.attained, true);
  assert.equal(s.slo.errorBudget!.allowedMin, 22.32); // 0.05% of 44,640 min
  assert.equal(s.slo.errorBudget!.spentMin, 4.46);
  assert.deepEqual(
    s.bottlenecks.map((x) => x.workload),
    ["b", "c"],
  );
  assert.deepEqual(
    s.planned.actionItems.map((a) => a.title),
    ["open one"],
  );
  const none = buildPerformanceSection({
    month: OCT,
    uptime: undefined,
    latency: [],
    increases: [],
    openActionItems: [],
  });
  assert.equal(none.slo.uptimePct, null);
  assert.equal(none.slo.reason, "uptime not measured");
});

test("security section: rules by category, PSS controls, policy changes in the month", () => {
  const s = buildSecuritySection({
    month: OCT,
    cves: { critical: 2, high: 7 },
    securityFindings: { critical: 1, high: 2, medium: 3, low: 4 },
    rules: [
      { rule: "privileged", category: "security", status: "evaluated", findings: 3 },
      { rule: "host-pid", category: "security", status: "evaluated", findings: 0 },
      { rule: "cve-scan", category: "security", status: "not-evaluated", findings: 0 },
      { rule: "crash-loop", category: "health", status: "evaluated", findings: 0 },
    ],
    controls: [
      { control: "Privileged", level: "baseline", status: "failed", failing: 3 },
      { control: "HostPID", level: "baseline", status: "passed", failing: 0 },
      { control: "RunAsNonRoot", level: "restricted", status: "failed", failing: 9 },
    ],
    compliance: { percent: 40, level: "restricted" },
    history: [
      { rule: "privileged", objectKey: "a", firstSeen: T("2026-10-03T00:00:00Z") },
      {
        rule: "privileged",
        objectKey: "b",
        firstSeen: T("2026-09-03T00:00:00Z"),
        fixedAt: T("2026-10-20T00:00:00Z"),
      },
      {
        rule: "privileged",
        objectKey: "c",
        firstSeen: T("2026-09-03T00:00:00Z"),
        fixedAt: T("2026-11-20T00:00:00Z"),
      },
      { rule: "crash-loop", objectKey: "d", firstSeen: T("2026-10-03T00:00:00Z") },
    ],
    categories: new Map([
      ["privileged", "security"],
      ["crash-loop", "health"],
    ]),
  });
  assert.deepEqual(s.controls.byCategory, [
    { category: "security", passed: 1, failed: 1, notEvaluated: 1, failedRules: ["privileged"] },
    { category: "health", passed: 1, failed: 0, notEvaluated: 0, failedRules: [] },
  ]);
  assert.deepEqual(s.controls.pss, [
    { level: "baseline", passed: 1, failed: 1, failedControls: ["Privileged"] },
    { level: "restricted", passed: 0, failed: 1, failedControls: ["RunAsNonRoot"] },
  ]);
  assert.deepEqual(s.policyChanges, {
    available: true,
    opened: 1,
    fixed: 1,
    byRule: [{ rule: "privileged", opened: 1, fixed: 1 }],
  });
  const none = buildSecuritySection({
    month: OCT,
    cves: { critical: null, high: null, reason: "Trivy Operator not installed" },
    securityFindings: { critical: 0, high: 0, medium: 0, low: 0 },
    rules: [],
    controls: [],
    compliance: { percent: null, level: "restricted", reason: "none" },
    history: { reason: "no store (give --db)" },
    categories: new Map(),
  });
  assert.deepEqual(none.policyChanges, { available: false, reason: "no store (give --db)" });
});

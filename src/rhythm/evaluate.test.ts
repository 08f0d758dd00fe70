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

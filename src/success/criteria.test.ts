/** judgeSuccess from known KPI results and sign-offs: every status path, the evidence figures. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CATALOG, targetText } from "../kpi/catalog.js";
import { statusOf, trendOf } from "../kpi/status.js";
import type { KpiId, KpiResult } from "../kpi/types.js";
import { combine, judgeSuccess, SIGNOFF_VALID_MS, type SuccessCriterion } from "./criteria.js";

const NOW = new Date("2026-11-20T12:00:00Z");

/** A KPI result as src/kpi/engine.ts makes it: status from the real status rules. */
function kpi(id: KpiId, value: number | null, previous?: number, reason = "no data: no source"): KpiResult {
  const d = CATALOG.find((c) => c.id === id)!;
  const trend = trendOf(value, previous);
  const s = statusOf(d.target, d.unit, value, trend);
  return {
    id,
    name: d.name,
    family: d.family,
    definition: d.definition,
    value,
    unit: d.unit,
    target: d.target,
    targetText: targetText(d.target, d.unit),
    status: s.status,
    reason: value === null ? reason : (s.reason ?? null),
    trend,
    sources: d.sources,
    source: null,
    detail: {},
  };
}

function byId(rows: SuccessCriterion[], id: string): SuccessCriterion {
  const r = rows.find((x) => x.id === id);
  assert.ok(r, id);
  return r;
}

test("combine: all met -> met; any missed -> missed; at-risk beats met; no-data left out; none -> no-data", () => {
  assert.equal(combine(["met", "met"]), "met");
  assert.equal(combine(["met", "missed", "at-risk"]), "missed");
  assert.equal(combine(["met", "at-risk"]), "at-risk");
  assert.equal(combine(["no-data", "met"]), "met");
  assert.equal(combine(["no-data", "at-risk"]), "at-risk");
  assert.equal(combine(["no-data", "no-data"]), "no-data");
  assert.equal(combine([]), "no-data");
});

test("the seven criteria in order, four from KPIs and three sign-offs", () => {
  const rows = judgeSuccess([], [], NOW);
  assert.deepEqual(
    rows.map((r) => [r.id, r.judgedBy]),
    [
      ["success.incidents", "kpi"],
      ["success.costs", "kpi"],
      ["success.performance", "kpi"],
      ["success.security", "kpi"],
      ["success.team-confidence", "signoff"],
      ["success.developer-self-service", "signoff"],
      ["success.documentation", "signoff"],
    ],
  );
  assert.deepEqual(byId(rows, "success.incidents").kpis, ["mtbf", "mttr", "security-incidents"]);
});

test("missing KPIs: no-data, and the evidence says which were not measured", () => {
  const r = byId(judgeSuccess([], [], NOW), "success.security");
  assert.equal(r.status, "no-data");
  assert.equal(
    r.evidence,
    "critical-cves not measured, high-cves not measured, compliance-score not measured",
  );
  assert.equal(r.signoff, null);
});

test("incidents: met with the figures in the evidence", () => {
  const rows = judgeSuccess([kpi("mttr", 12), kpi("mtbf", 900), kpi("security-incidents", 0)], [], NOW);
  const r = byId(rows, "success.incidents");
  assert.equal(r.status, "met");
  assert.equal(
    r.evidence,
    "MTBF 900 h (target > 720 h, met), MTTR 12 min (target < 15 min, met), Security incidents 0 incidents (target <= 0 incidents, met)",
  );
});

test("incidents: one KPI missed -> missed; at risk -> at-risk", () => {
  const missed = byId(
    judgeSuccess([kpi("mttr", 42), kpi("mtbf", 900), kpi("security-incidents", 0)], [], NOW),
    "success.incidents",
  );
  assert.equal(missed.status, "missed");
  assert.match(missed.evidence, /MTTR 42 min \(target < 15 min, missed\)/);
  // 14 min is inside < 15 but within 10% of the bound.
  const risk = byId(judgeSuccess([kpi("mttr", 14), kpi("mtbf", 900)], [], NOW), "success.incidents");
  assert.equal(risk.status, "at-risk");
});

test("some KPIs without data: judged on the rest, the reason is in the evidence", () => {
  const r = byId(
    judgeSuccess(
      [kpi("mttr", 10), kpi("mtbf", null, undefined, "no data: no incident store (--server or --db)")],
      [],
      NOW,
    ),
    "success.incidents",
  );
  assert.equal(r.status, "met");
  assert.match(r.evidence, /MTBF no data \(no incident store \(--server or --db\)\)/);
  assert.match(r.evidence, /security-incidents not measured/);
});

test("costs: a met KPI getting worse is at risk; trend targets use their direction", () => {
  // Efficiency 80% (> 70 met) but down from 85: at risk on "trending down / improving".
  const worse = byId(
    judgeSuccess(
      [kpi("compute-cost-efficiency", 80, 85), kpi("idle-resource-pct", 10), kpi("cost-per-request", 1, 1.2)],
      [],
      NOW,
    ),
    "success.costs",
  );
  assert.equal(worse.status, "at-risk");
  assert.match(
    worse.evidence,
    /Compute cost efficiency 80% \(target > 70%, at-risk: met but getting worse, down from 85%\)/,
  );
  assert.match(
    worse.evidence,
    /Cost per request 1 \$\/1M req \(target trend down, met, down from 1\.2 \$\/1M req\)/,
  );
  const better = byId(
    judgeSuccess(
      [
        kpi("compute-cost-efficiency", 80, 75),
        kpi("idle-resource-pct", 10, 12),
        kpi("cost-per-request", 1, 1.2),
      ],
      [],
      NOW,
    ),
    "success.costs",
  );
  assert.equal(better.status, "met");
  // Cost per request going up is missed by its own trend target.
  const up = byId(judgeSuccess([kpi("cost-per-request", 1.5, 1.2)], [], NOW), "success.costs");
  assert.equal(up.status, "missed");
});

test("performance: trends judged; a KPI without a trend does not count; none with one -> no-data", () => {
  const rows = judgeSuccess([kpi("pod-startup-time", 20, 15), kpi("p95-latency", 120)], [], NOW);
  const judged = byId(rows, "success.performance");
  // Startup 20 s met but up from 15 s: at risk; P95 latency has no trend and is left out.
  assert.equal(judged.status, "at-risk");
  assert.match(
    judged.evidence,
    /P95 latency 120 ms \(no trend: no previous value \(give --previous, or a store with KPI history\)\)/,
  );
  // Issue 8 review item 4: no previous values is not "Performance is improving: met".
  const alone = byId(
    judgeSuccess([kpi("pod-startup-time", 20), kpi("p95-latency", 120)], [], NOW),
    "success.performance",
  );
  assert.equal(alone.status, "no-data");
  assert.match(alone.evidence, /^no previous value \(give --previous, or a store with KPI history\): /);
  // Said once, not again for each KPI.
  assert.match(alone.evidence, /Pod startup time 20 s \(no trend\)/);
  assert.equal(alone.evidence.split("no previous value").length, 2);
  const slow = judgeSuccess([kpi("pod-startup-time", 45)], [], NOW);
  assert.equal(byId(slow, "success.performance").status, "no-data");
  const costs = byId(
    judgeSuccess([kpi("compute-cost-efficiency", 80), kpi("idle-resource-pct", 10)], [], NOW),
    "success.costs",
  );
  assert.equal(costs.status, "no-data");
  // The incident and security criteria are not about direction: status alone, as before.
  const inc = judgeSuccess([kpi("mttr", 12), kpi("mtbf", 900), kpi("security-incidents", 0)], [], NOW);
  assert.equal(byId(inc, "success.incidents").status, "met");
});

test("security: trend is not judged (a KPI met and moving is still met); compliance below 100 missed", () => {
  const ok = judgeSuccess(
    [kpi("critical-cves", 0), kpi("high-cves", 1, 3), kpi("compliance-score", 100, 90)],
    [],
    NOW,
  );
  assert.equal(byId(ok, "success.security").status, "met");
  const bad = judgeSuccess([kpi("critical-cves", 0), kpi("compliance-score", 40)], [], NOW);
  const r = byId(bad, "success.security");
  assert.equal(r.status, "missed");
  assert.match(r.evidence, /Compliance score 40% \(target >= 100%, missed\)/);
});

test("sign-offs: open without one, signed with the latest, open again after a quarter", () => {
  const open = byId(judgeSuccess([], [], NOW), "success.team-confidence");
  assert.equal(open.status, "open");
  assert.equal(open.signoff, null);
  assert.match(open.evidence, /day2 rhythm signoff success\.team-confidence --by NAME/);

  const signoffs = [
    { itemId: "success.team-confidence", by: "alice", at: "2026-10-01T09:00:00Z", note: null },
    { itemId: "success.team-confidence", by: "bob", at: "2026-11-02T09:00:00Z", note: "retro went well" },
    { itemId: "success.documentation", by: "carol", at: "2026-05-01T09:00:00Z", note: null },
    { itemId: "success.developer-self-service", by: "dan", at: "not a time", note: null },
  ];
  const rows = judgeSuccess([], signoffs, NOW);
  const team = byId(rows, "success.team-confidence");
  assert.equal(team.status, "signed");
  assert.deepEqual(team.signoff, { by: "bob", at: "2026-11-02T09:00:00.000Z", note: "retro went well" });
  assert.equal(team.evidence, "signed off by bob on 2026-11-02: retro went well");
  const docs = byId(rows, "success.documentation");
  assert.equal(docs.status, "open");
  assert.equal(docs.signoff?.by, "carol");
  assert.match(docs.evidence, /last signed off by carol on 2026-05-01, more than a quarter ago/);
  // An entry whose time cannot be read does not count.
  assert.equal(byId(rows, "success.developer-self-service").status, "open");
  assert.equal(byId(rows, "success.developer-self-service").signoff, null);
});

test("a sign-off exactly a quarter old still counts; one millisecond more does not", () => {
  const at = new Date(NOW.getTime() - SIGNOFF_VALID_MS).toISOString();
  const s = [{ itemId: "success.documentation", by: "erin", at, note: null }];
  assert.equal(byId(judgeSuccess([], s, NOW), "success.documentation").status, "signed");
  const later = new Date(NOW.getTime() + 1);
  assert.equal(byId(judgeSuccess([], s, later), "success.documentation").status, "open");
});

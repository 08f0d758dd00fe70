import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend } from "../../test/support/store-matrix.js";
import {
  costHistory,
  dailyKpiPoints,
  groupFindings,
  kpiHistory,
  latestCost,
  latestKpis,
  latestRun,
  listRuns,
  pruneCollections,
  queryFindings,
  recordCollection,
} from "./collections.js";
import type { CollectionInput, FindingInput } from "./collections.js";

const T0 = Date.UTC(2026, 4, 1, 9, 0);
const MIN = 60_000;

function finding(rule: string, ns: string, name: string, severity = "high"): FindingInput {
  return {
    key: `${rule}|Deployment|${ns}|${name}|`,
    rule,
    severity,
    category: "reliability",
    title: `${rule} title`,
    namespace: ns,
    kind: "Deployment",
    name,
    container: "",
    message: `${name} is bad`,
    runbook: `runbooks/${rule}.md`,
  };
}

function run(at: number, findings: FindingInput[], extra: Partial<CollectionInput> = {}): CollectionInput {
  return {
    at,
    durationMs: 1234,
    ok: true,
    cluster: { name: "prod", source: "live", collectedAt: at },
    score: 80,
    coverage: 0.9,
    counts: { critical: 0, high: findings.length, medium: 0, low: 0, info: 0 },
    findings,
    ...extra,
  };
}

forEachBackend("collections", (b) => {
  test("findings: first seen, last seen, fixed when gone, reopened on the same row", async () => {
    const store = await b.open();
    const a = finding("no-pdb", "shop", "web");
    const c = finding("no-limits", "shop", "api", "medium");
    let r = await recordCollection(store.raw, run(T0, [a, c]));
    assert.deepEqual([r.opened, r.reopened, r.fixed], [2, 0, 0]);
    r = await recordCollection(store.raw, run(T0 + MIN, [a]));
    assert.deepEqual([r.opened, r.reopened, r.fixed], [0, 0, 1]);

    const fixed = await queryFindings(store.raw, { status: "fixed" });
    assert.equal(fixed.total, 1);
    assert.equal(fixed.items[0]!.key, c.key);
    assert.equal(fixed.items[0]!.fixedAt, T0 + MIN);
    assert.equal(fixed.items[0]!.lastSeen, T0);
    const open = await queryFindings(store.raw, {});
    assert.deepEqual(
      open.items.map((f) => [f.key, f.firstSeen, f.lastSeen, f.fixedAt]),
      [[a.key, T0, T0 + MIN, null]],
    );

    r = await recordCollection(store.raw, run(T0 + 2 * MIN, [a, { ...c, message: "api is worse" }]));
    assert.deepEqual([r.opened, r.reopened, r.fixed], [0, 1, 0]);
    const back = (await queryFindings(store.raw, { rule: "no-limits" })).items[0]!;
    assert.equal(back.fixedAt, null);
    assert.equal(back.firstSeen, T0, "first seen survives a fix");
    assert.equal(back.reopenedAt, T0 + 2 * MIN);
    assert.equal(back.reopenCount, 1);
    assert.equal(back.message, "api is worse");
  });

  test("a rule that was not evaluated keeps its findings open; a failed run changes no finding", async () => {
    const store = await b.open();
    const a = finding("no-pdb", "shop", "web");
    await recordCollection(store.raw, run(T0, [a]));
    const r = await recordCollection(store.raw, run(T0 + MIN, [], { notEvaluated: ["no-pdb"] }));
    assert.equal(r.fixed, 0);
    const failed = await recordCollection(store.raw, {
      at: T0 + 2 * MIN,
      durationMs: 5,
      ok: false,
      error: "connect ECONNREFUSED",
    });
    assert.equal(failed.fixed, 0);
    assert.equal((await queryFindings(store.raw)).total, 1);
    const last = await latestRun(store.raw);
    assert.equal(last?.ok, false);
    assert.equal(last?.error, "connect ECONNREFUSED");
    assert.equal(last?.cluster, null);
    const lastOk = await latestRun(store.raw, true);
    assert.equal(lastOk?.at, T0 + MIN);
    assert.deepEqual(lastOk?.cluster, { name: "prod", source: "live", collectedAt: T0 + MIN });
  });

  test("filters, sorts, pages and groups findings", async () => {
    const store = await b.open();
    const fs = [
      finding("r-b", "ns1", "x", "low"),
      finding("r-a", "ns2", "y", "critical"),
      finding("r-a", "ns1", "z", "medium"),
      finding("r-c", "", "node-1", "high"),
    ];
    await recordCollection(store.raw, run(T0, fs));
    const bySev = await queryFindings(store.raw, { sort: "severity" });
    assert.deepEqual(
      bySev.items.map((f) => f.severity),
      ["critical", "high", "medium", "low"],
    );
    const asc = await queryFindings(store.raw, { sort: "severity", order: "asc", limit: 2, offset: 1 });
    assert.deepEqual(
      asc.items.map((f) => f.severity),
      ["medium", "high"],
    );
    assert.equal(asc.total, 4);
    const ns1 = await queryFindings(store.raw, { namespace: "ns1", sort: "rule" });
    assert.deepEqual(
      ns1.items.map((f) => f.rule),
      ["r-a", "r-b"],
    );
    assert.equal((await queryFindings(store.raw, { severity: "critical" })).items[0]!.name, "y");
    const groups = await groupFindings(store.raw, "namespace");
    assert.deepEqual(groups[0], {
      key: "ns1",
      count: 2,
      bySeverity: { critical: 0, high: 0, medium: 1, low: 1, info: 0 },
    });
    const rules = await groupFindings(store.raw, "rule");
    assert.deepEqual(
      rules.map((g) => [g.key, g.count]),
      [
        ["r-a", 2],
        ["r-b", 1],
        ["r-c", 1],
      ],
    );
  });

  test("KPI values, cost summaries and runs round-trip, oldest first", async () => {
    const store = await b.open();
    for (let i = 0; i < 3; i++)
      await recordCollection(
        store.raw,
        run(T0 + i * MIN, [], {
          score: 70 + i,
          kpis: [
            { id: "mttr", value: 10 + i, status: "met", payload: { id: "mttr", value: 10 + i } },
            { id: "uptime", value: null, status: "no-data", payload: { id: "uptime", value: null } },
          ],
          cost: { monthly: 1000 + i, payload: { monthlyTotal: 1000 + i } },
        }),
      );
    const runs = await listRuns(store.raw, { okOnly: true });
    assert.deepEqual(
      runs.map((r) => r.score),
      [70, 71, 72],
    );
    assert.deepEqual(
      (await listRuns(store.raw, { since: T0 + MIN })).map((r) => r.at),
      [T0 + MIN, T0 + 2 * MIN],
    );
    const h = await kpiHistory(store.raw, { kpi: "mttr" });
    assert.deepEqual(
      h.map((p) => p.value),
      [10, 11, 12],
    );
    assert.deepEqual(
      // One point per day: the day's last run (the three runs are minutes apart).
      (await dailyKpiPoints(store.raw, T0)).filter((p) => p.kpi === "uptime").map((p) => [p.at, p.value]),
      [[T0 + 2 * MIN, null]],
    );
    const latest = await latestKpis(store.raw);
    assert.equal(latest?.at, T0 + 2 * MIN);
    assert.deepEqual(latest?.items.map((k) => (k as { value: unknown }).value).sort(), [12, null]);
    assert.deepEqual(await latestCost(store.raw), { at: T0 + 2 * MIN, payload: { monthlyTotal: 1002 } });
    assert.deepEqual(
      (await costHistory(store.raw)).map((c) => c.monthly),
      [1000, 1001, 1002],
    );
  });

  test("retention prunes old runs (never the latest good one) and old fixed findings", async () => {
    const store = await b.open();
    const DAY = 86_400_000;
    const a = finding("no-pdb", "shop", "web");
    await recordCollection(
      store.raw,
      run(T0, [a], {
        kpis: [{ id: "mttr", value: 1, status: "met", payload: {} }],
        cost: { monthly: 1, payload: {} },
      }),
    );
    await recordCollection(store.raw, run(T0 + DAY, []));
    await recordCollection(store.raw, { at: T0 + 2 * DAY, durationMs: 1, ok: false, error: "x" });
    const out = await pruneCollections(
      store.raw,
      { runs: DAY / 2, fixedFindings: DAY / 2 },
      T0 + 2 * DAY + DAY,
    );
    assert.deepEqual(out, { runs: 2, findings: 1 });
    const left = await listRuns(store.raw);
    assert.deepEqual(
      left.map((r) => r.at),
      [T0 + DAY],
    );
    assert.equal(await latestCost(store.raw), undefined);
    assert.equal((await queryFindings(store.raw, { status: "all" })).total, 0);
  });

  test("a large run is written with chunked multi-row statements in one transaction", async () => {
    const store = await b.open();
    const many = Array.from({ length: 2600 }, (_, i) => finding("no-pdb", `ns${i % 7}`, `w${i}`));
    const first = await recordCollection(store.raw, run(T0, [...many, many[0]!]));
    assert.equal(first.opened, 2600, "a duplicate key is written once");
    const second = await recordCollection(store.raw, run(T0 + MIN, many.slice(100)));
    assert.deepEqual([second.opened, second.fixed], [0, 100]);
    assert.equal((await queryFindings(store.raw, { limit: 1 })).total, 2500);
  });
});

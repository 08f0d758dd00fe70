import assert from "node:assert/strict";
import { test } from "node:test";
import { alert, T0 } from "../../test/support/store-alerts.js";
import { forEachBackend } from "../../test/support/store-matrix.js";
import { resolveRetention } from "../incident/engine-config.js";
import {
  costHistory,
  kpiHistory,
  latestKpis,
  listRuns,
  queryFindings,
  recordCollection,
  type CollectionInput,
  type FindingInput,
} from "./collections.js";

const DAY = 86_400_000;

function finding(name: string): FindingInput {
  return {
    key: `no-pdb|Deployment|shop|${name}|`,
    rule: "no-pdb",
    severity: "high",
    category: "reliability",
    title: "no PDB",
    namespace: "shop",
    kind: "Deployment",
    name,
    container: "",
    message: `${name} has no PDB`,
    runbook: "runbooks/no-pdb.md",
  };
}

/** A successful run at `at` that saw `findings`, with two KPI values and a cost summary. */
function run(at: number, findings: FindingInput[]): CollectionInput {
  return {
    at,
    durationMs: 1000,
    ok: true,
    score: 80,
    coverage: 1,
    counts: { critical: 0, high: findings.length, medium: 0, low: 0, info: 0 },
    findings,
    kpis: [
      { id: "mttr", value: at / DAY, status: "met", payload: { id: "mttr" } },
      { id: "uptime", value: null, status: "no-data", payload: { id: "uptime" } },
    ],
    cost: { monthly: at / DAY, payload: {} },
  };
}

forEachBackend("store retention", (b) => {
  test("prunes old closed items and keeps everything an open incident or action item references", async () => {
    const store = await b.open();
    const resolved = (fp: string, groupKey = fp) => ({
      ...alert(fp, { groupKey }),
      status: "resolved" as const,
    });
    const open = async (fp: string) =>
      (await store.ingestAlerts([alert(fp, { groupKey: fp })], { now: T0 })).incidents.opened[0]!.id;

    const old = await open("old");
    await store.ingestAlerts([resolved("old")], { now: T0 + 1000 }); // resolves the incident
    const stillOpen = await open("open");
    await store.ingestAlerts([alert("open-2", { groupKey: "open" })], { now: T0 });
    await store.ingestAlerts([resolved("open-2", "open")], { now: T0 + 1000 }); // resolved alert of an open incident
    const withItem = await open("item");
    await store.ingestAlerts([resolved("item")], { now: T0 + 1000 });
    const item = await store.addActionItem({
      incidentId: withItem,
      title: "fix runbook",
      runbook: "runbooks/api.md",
    });
    await store.ingestAlerts([{ ...resolved("loose"), suppressed: true }], { now: T0 });
    await recordCollection(store.raw, run(T0, []));
    await recordCollection(store.raw, run(T0 + 100 * DAY, []));

    const now = T0 + 100 * DAY;
    const counts = await store.prune({ incidents: 30 * DAY, alerts: 30 * DAY, kpiSnapshots: 30 * DAY }, now);
    assert.equal(counts.incidents, 1, "only the closed incident without open items");
    assert.equal(counts.alerts, 2, "the pruned incident's alert and the loose one");
    assert.equal(counts.kpiSnapshots, 2, "the two KPI values of the old run");
    assert.ok(counts.timeline >= 3);
    assert.equal(await store.getIncident(old), undefined);
    const openDetail = await store.getIncident(stillOpen);
    assert.deepEqual(openDetail?.alerts.map((a) => a.fingerprint).sort(), ["open", "open-2"]);
    const kept = await store.getIncident(withItem);
    assert.ok(kept, "an incident with an open action item stays");
    assert.equal(kept.actionItems[0]?.id, item.id);
    assert.deepEqual(
      kept.alerts.map((a) => a.fingerprint),
      ["item"],
    );
    assert.ok(kept.timeline.length >= 3);
    assert.deepEqual(
      (await kpiHistory(store.raw)).map((p) => p.at),
      [T0 + 100 * DAY, T0 + 100 * DAY],
    );

    // Once the item closes, the next prune takes the incident too.
    await store.closeActionItem(item.id);
    const second = await store.prune({ incidents: 30 * DAY, alerts: 30 * DAY }, now);
    assert.equal(second.incidents, 1);
    assert.equal(second.alerts, 1);
    assert.equal(await store.getIncident(withItem), undefined);
    assert.ok(await store.getIncident(stillOpen));
  });

  test("nothing is pruned without an age", async () => {
    const store = await b.open();
    const gone = finding("gone");
    await recordCollection(store.raw, run(0, [gone]));
    await recordCollection(store.raw, run(DAY, []));
    const counts = await store.prune({}, T0);
    assert.ok(Object.values(counts).every((n) => n === 0));
    assert.equal((await costHistory(store.raw)).length, 2);
    assert.equal((await kpiHistory(store.raw)).length, 4);
    assert.equal((await queryFindings(store.raw, { status: "fixed" })).total, 1);
  });

  test("the incidents.retention keys prune the collection tables: runs, KPI values, costs, fixed findings", async () => {
    const store = await b.open();
    const [fixedEarly, fixedLate, open] = [finding("fixed-early"), finding("fixed-late"), finding("open")];
    await recordCollection(store.raw, run(T0, [fixedEarly, fixedLate, open]));
    await recordCollection(store.raw, run(T0 + 20 * DAY, [fixedLate, open])); // fixed-early fixed
    await recordCollection(store.raw, run(T0 + 40 * DAY, [open])); // fixed-late fixed
    const now = T0 + 50 * DAY;
    // As day2.yaml gives them; the keys not given keep their defaults (all longer than 50 days).
    const { ages } = resolveRetention({
      scanSnapshots: "45d",
      kpiSnapshots: "25d",
      costSnapshots: "35d",
      findings: "25d",
    });
    const counts = await store.prune(ages, now);
    assert.deepEqual(
      {
        scan: counts.scanSnapshots,
        kpi: counts.kpiSnapshots,
        cost: counts.costSnapshots,
        findings: counts.findings,
      },
      // The run of day 0 with its 2 KPI values and its cost; the 2 KPI values of day 20
      // (30 days old > 25d); the fix of day 20 (30 days ago > 25d).
      { scan: 1, kpi: 4, cost: 1, findings: 1 },
    );
    assert.deepEqual(
      (await listRuns(store.raw)).map((r) => r.at),
      [T0 + 20 * DAY, T0 + 40 * DAY],
    );
    assert.deepEqual([...new Set((await kpiHistory(store.raw)).map((p) => p.at))], [T0 + 40 * DAY]);
    assert.deepEqual(
      (await costHistory(store.raw)).map((c) => c.at),
      [T0 + 20 * DAY, T0 + 40 * DAY],
      "costs keep their own age (35d)",
    );
    const left = await queryFindings(store.raw, { status: "all" });
    assert.deepEqual(left.items.map((f) => f.name).sort(), ["fixed-late", "open"]);

    // Every age shorter than the latest good run: that run and its rows stay; a failed run after it goes.
    await recordCollection(store.raw, { at: T0 + 45 * DAY, durationMs: 1, ok: false, error: "boom" });
    const all = await store.prune(
      { scanSnapshots: DAY, kpiSnapshots: DAY, costSnapshots: DAY, findings: DAY },
      now,
    );
    assert.deepEqual([all.scanSnapshots, all.kpiSnapshots, all.costSnapshots, all.findings], [2, 0, 1, 1]);
    assert.deepEqual(
      (await listRuns(store.raw)).map((r) => r.at),
      [T0 + 40 * DAY],
    );
    assert.equal((await latestKpis(store.raw))?.items.length, 2);
    assert.deepEqual(
      (await costHistory(store.raw)).map((c) => c.at),
      [T0 + 40 * DAY],
    );
    assert.deepEqual(
      (await queryFindings(store.raw, { status: "all" })).items.map((f) => f.name),
      ["open"],
      "an open finding is never pruned, however old",
    );
  });
});

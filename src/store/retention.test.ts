import assert from "node:assert/strict";
import { test } from "node:test";
import { alert, T0 } from "../../test/support/store-alerts.js";
import { forEachBackend } from "../../test/support/store-matrix.js";

const DAY = 86_400_000;

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
    await store.recordSnapshot("kpi", { at: T0, payload: { mttr: 1 } });
    await store.recordSnapshot("kpi", { at: T0 + 100 * DAY, payload: { mttr: 2 } });

    const now = T0 + 100 * DAY;
    const counts = await store.prune({ incidents: 30 * DAY, alerts: 30 * DAY, kpiSnapshots: 30 * DAY }, now);
    assert.equal(counts.incidents, 1, "only the closed incident without open items");
    assert.equal(counts.alerts, 2, "the pruned incident's alert and the loose one");
    assert.equal(counts.kpiSnapshots, 1);
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
    assert.equal((await store.listSnapshots("kpi")).length, 1);

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
    await store.recordSnapshot("cost", { at: 0, payload: {} });
    const counts = await store.prune({}, T0);
    assert.ok(Object.values(counts).every((n) => n === 0));
    assert.equal((await store.listSnapshots("cost")).length, 1);
  });
});

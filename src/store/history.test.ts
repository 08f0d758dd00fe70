import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend } from "../../test/support/store-matrix.js";
import { demoIncidentHistory } from "../incident/demo.js";
import { demoHistoryImport } from "../incident/demo-seed.js";
import { StoreValidationError, type Store } from "./index.js";
import type { Database } from "./schema.js";

const NOW = Date.UTC(2026, 10, 20, 12);
const history = demoIncidentHistory({ seed: 42, now: NOW });
const data = demoHistoryImport(history, NOW);

async function count(store: Store, table: keyof Database): Promise<number> {
  const r = await store.raw.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

forEachBackend("store importHistory", (b) => {
  test("the demo history goes in whole: counts equal the generated data, ids and times kept", async () => {
    const store = await b.open();
    const r = await store.importHistory(data);
    assert.equal(r.imported, true);
    const expected = {
      incidents: history.incidents.length,
      alerts: history.alerts.length,
      timeline: history.timeline.length,
      action_items: history.actionItems.length,
      reviews: history.reviews.length,
      oncall_schedules: history.schedules.length,
      maintenance_windows: history.maintenance.length,
    };
    for (const [table, n] of Object.entries(expected)) {
      assert.ok(n > 0, `the demo has ${table}`);
      assert.equal(await count(store, table as keyof Database), n, table);
    }
    assert.equal(r.counts.incidents, history.incidents.length);
    assert.equal(r.counts.timeline, history.timeline.length);

    const page = await store.listIncidents({}, { limit: 1000 });
    assert.equal(page.total, history.incidents.length);
    assert.deepEqual(new Set(page.items.map((i) => i.id)), new Set(history.incidents.map((i) => i.id)));

    // One reviewed incident, field for field: incident, timeline, alerts, action items, review.
    const reviewed = history.incidents.find(
      (i) => i.status === "reviewed" && history.actionItems.some((a) => a.incidentId === i.id),
    )!;
    const detail = (await store.getIncident(reviewed.id))!;
    assert.deepEqual(detail.incident, reviewed);
    assert.deepEqual(
      detail.timeline,
      history.timeline.filter((e) => e.incidentId === reviewed.id),
    );
    assert.deepEqual(
      detail.alerts.map((a) => a.fingerprint).sort(),
      history.alerts
        .filter((a) => a.incidentId === reviewed.id)
        .map((a) => a.fingerprint)
        .sort(),
    );
    assert.deepEqual(
      detail.actionItems.map((a) => a.id).sort(),
      history.actionItems
        .filter((a) => a.incidentId === reviewed.id)
        .map((a) => a.id)
        .sort(),
    );
    const review = history.reviews.find((x) => x.incidentId === reviewed.id)!;
    const stored = (await store.getReview(reviewed.id))!;
    assert.equal(stored.body, review.markdown);
    assert.equal(stored.createdAt, review.createdAt);

    // Suppressed alerts (maintenance) belong to no incident; open incidents stay open.
    const suppressed = history.alerts.filter((a) => a.suppressed).length;
    assert.ok(suppressed > 0);
    const rows = await store.raw.db
      .selectFrom("alerts")
      .select("fingerprint")
      .where("suppressed", "=", 1)
      .execute();
    assert.equal(rows.length, suppressed);
    const open = await store.listIncidents({ status: ["triggered", "acknowledged", "mitigated"] });
    assert.equal(
      open.total,
      history.incidents.filter((i) => ["triggered", "acknowledged", "mitigated"].includes(i.status)).length,
    );
    const windows = await store.listMaintenanceWindows(0, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(windows.map((w) => w.id).sort(), history.maintenance.map((w) => w.id).sort());
    const schedules = await store.listSchedules();
    assert.deepEqual(
      schedules.map((s) => s.name),
      history.schedules.map((s) => s.id).sort(),
    );
  });

  test("ifEmpty: a second import into a store with incidents writes nothing", async () => {
    const store = await b.open();
    const small = { incidents: data.incidents!.slice(0, 3), timeline: [] };
    assert.equal((await store.importHistory(small, { ifEmpty: true })).imported, true);
    const again = await store.importHistory(data, { ifEmpty: true });
    assert.equal(again.imported, false);
    assert.equal(await count(store, "incidents"), 3);
    assert.equal(await count(store, "alerts"), 0);
  });

  test("overrides keep their ids; a duplicate id or a bad row writes nothing at all", async () => {
    const store = await b.open();
    await store.importHistory({
      schedules: [{ id: "sch-1", name: "platform", config: { layers: [] }, updatedAt: NOW }],
      overrides: [
        {
          id: "ovr-1",
          scheduleId: "sch-1",
          person: "ana",
          startsAt: NOW,
          endsAt: NOW + 3_600_000,
          createdAt: NOW,
        },
      ],
    });
    assert.deepEqual(await store.listOverrides("sch-1", NOW - 1, NOW + 1), [
      { id: "ovr-1", scheduleId: "sch-1", person: "ana", startsAt: NOW, endsAt: NOW + 3_600_000 },
    ]);

    const first = data.incidents![0]!;
    await store.importHistory({ incidents: [first] });
    await assert.rejects(store.importHistory({ incidents: data.incidents!.slice(0, 5) }));
    assert.equal(await count(store, "incidents"), 1, "the failed import rolled back whole");

    const bad = { ...data.timeline![1]!, kind: "bogus" } as unknown as (typeof data.timeline &
      object)[number];
    await assert.rejects(
      store.importHistory({ incidents: data.incidents!.slice(1, 4), timeline: [data.timeline![0]!, bad] }),
      (e: unknown) => e instanceof StoreValidationError && e.field === "timeline[1].kind",
    );
    assert.equal(await count(store, "incidents"), 1);
    assert.equal(await count(store, "timeline"), 0);
  });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend, runStoreChild } from "../../test/support/store-matrix.js";
import type { Store } from "./index.js";
import { StoreValidationError } from "./rows.js";
import { T0, alert } from "../../test/support/store-alerts.js";

async function counts(store: Store): Promise<{ alerts: number; incidents: number; timeline: number }> {
  const n = async (table: "alerts" | "incidents" | "timeline") =>
    Number(
      (
        await store.raw.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { alerts: await n("alerts"), incidents: await n("incidents"), timeline: await n("timeline") };
}

forEachBackend("store ingest", (b) => {
  test("dedupes by fingerprint and groups by group key", async () => {
    const store = await b.open();
    const r = await store.ingestAlerts(
      [alert("a"), alert("b"), alert("a"), alert("c", { groupKey: "other" })],
      { now: T0 },
    );
    assert.deepEqual(r.alerts.created.sort(), ["a", "b", "c"]);
    assert.deepEqual(r.alerts.unchanged, ["a"]);
    assert.equal(r.incidents.opened.length, 2);
    const grouped = r.incidents.opened.find((i) => i.groupKey === alert("a").groupKey);
    assert.ok(grouped);
    assert.equal(grouped.status, "triggered");
    assert.equal(grouped.priority, "P1");
    assert.equal(grouped.service, "api");
    const detail = await store.getIncident(grouped.id);
    assert.deepEqual(detail?.alerts.map((a) => a.fingerprint).sort(), ["a", "b"]);
    assert.deepEqual(
      detail?.timeline.map((e) => e.kind),
      ["triggered", "alert", "alert"],
    );
    // A later batch of the same group joins the open incident.
    const later = await store.ingestAlerts([alert("d")], { now: T0 + 1000 });
    assert.equal(later.incidents.opened.length, 0);
    assert.deepEqual(
      later.incidents.updated.map((i) => i.id),
      [grouped.id],
    );
    assert.equal((await store.listIncidents()).total, 2);
  });

  test("re-delivering the same payload changes nothing", async () => {
    const store = await b.open();
    const batch = [alert("a"), alert("b")];
    await store.ingestAlerts(batch, { now: T0 });
    const before = await counts(store);
    const again = await store.ingestAlerts(batch, { now: T0 + 5000 });
    assert.equal(again.changed, false);
    assert.deepEqual(again.alerts.unchanged.sort(), ["a", "b"]);
    assert.deepEqual(again.incidents, { opened: [], reopened: [], updated: [], resolved: [] });
    assert.deepEqual(await counts(store), before);
    // The resolved payload twice: the second changes nothing either.
    const resolved = batch.map((a) => ({ ...a, status: "resolved" as const, endsAt: T0 + 60_000 }));
    assert.equal((await store.ingestAlerts(resolved, { now: T0 + 60_000 })).changed, true);
    const after1 = await counts(store);
    assert.equal((await store.ingestAlerts(resolved, { now: T0 + 70_000 })).changed, false);
    // A stale firing delivery after the resolution is ignored too.
    assert.equal((await store.ingestAlerts(batch, { now: T0 + 80_000 })).changed, false);
    assert.deepEqual(await counts(store), after1);
  });

  test("resolving every alert resolves the incident (policy flag on)", async () => {
    const store = await b.open();
    const opened = await store.ingestAlerts([alert("a"), alert("b")], { now: T0 });
    const id = opened.incidents.opened[0]!.id;
    await store.scheduleTimer({ incidentId: id, level: 1, dueAt: T0 + 300_000 });
    const half = await store.ingestAlerts([{ ...alert("a"), status: "resolved", endsAt: T0 + 10 }], {
      now: T0 + 10,
    });
    assert.deepEqual(half.alerts.resolved, ["a"]);
    assert.equal(half.incidents.updated[0]?.status, "triggered");
    const all = await store.ingestAlerts([{ ...alert("b"), status: "resolved", endsAt: T0 + 20 }], {
      now: T0 + 20,
    });
    assert.equal(all.incidents.resolved[0]?.id, id);
    assert.equal(all.incidents.resolved[0]?.resolvedAt, T0 + 20);
    const timers = await store.listTimers(id);
    assert.equal(timers[0]?.cancelledAt, T0 + 20, "escalation stops when the incident resolves");
    assert.equal((await store.getIncident(id))?.timeline.at(-1)?.kind, "resolved");
  });

  test("large batches (several multi-row statements) and an alert changed within its batch", async () => {
    const store = await b.open();
    const fps = Array.from({ length: 300 }, (_, i) => `f${String(i).padStart(3, "0")}`);
    const first = await store.ingestAlerts(
      [
        ...fps.map((fp, i) => alert(fp, { groupKey: `g${i % 3}` })),
        // Created above, resolved in the same batch: stored once, in its last state.
        { ...alert("f000", { groupKey: "g0" }), status: "resolved" as const, endsAt: T0 + 5 },
      ],
      { now: T0 },
    );
    assert.deepEqual(first.alerts.created, fps);
    assert.deepEqual(first.alerts.resolved, ["f000"]);
    assert.equal(first.incidents.opened.length, 3);
    assert.deepEqual(await counts(store), { alerts: 300, incidents: 3, timeline: 3 + 300 + 1 });
    const g0 = first.incidents.opened.find((i) => i.groupKey === "g0")!;
    const detail = await store.getIncident(g0.id);
    assert.equal(detail?.alerts.find((a) => a.fingerprint === "f000")?.status, "resolved");
    assert.deepEqual(
      detail?.timeline.map((e) => e.kind),
      ["triggered", ...Array.from({ length: 101 }, () => "alert")],
    );
    // Resolve every alert of g0 and g1 (200 updates): both incidents resolve, g2 stays open.
    const resolving = fps
      .filter((_, i) => i % 3 !== 2)
      .map((fp, i) => ({
        ...alert(fp, { groupKey: `g${fps.indexOf(fp) % 3}` }),
        status: "resolved" as const,
        endsAt: T0 + 10 + i,
      }));
    const second = await store.ingestAlerts(resolving, { now: T0 + 100 });
    assert.deepEqual(second.alerts.resolved, resolving.map((a) => a.fingerprint).slice(1));
    assert.deepEqual(second.alerts.updated, ["f000"], "f000 was resolved already; its endsAt changed");
    assert.deepEqual(second.incidents.resolved.map((i) => i.groupKey).sort(), ["g0", "g1"]);
    assert.equal(second.incidents.updated.length, 0);
    const alerts = await store.raw.db.selectFrom("alerts").selectAll().orderBy("fingerprint").execute();
    assert.equal(alerts.filter((a) => a.status === "resolved").length, 200);
    assert.equal(alerts.find((a) => a.fingerprint === "f003")?.ends_at, T0 + 12);
    assert.equal(alerts.find((a) => a.fingerprint === "f003")?.source, alert("f003").source);
    assert.deepEqual(await counts(store), { alerts: 300, incidents: 3, timeline: 304 + 199 + 2 });
  });

  test("with the policy flag off the incident stays open", async () => {
    const store = await b.open();
    const opened = await store.ingestAlerts([alert("a")], { now: T0 });
    const r = await store.ingestAlerts([{ ...alert("a"), status: "resolved" }], {
      now: T0 + 10,
      resolveWhenAllAlertsResolved: false,
    });
    assert.equal(r.incidents.resolved.length, 0);
    assert.equal((await store.getIncident(opened.incidents.opened[0]!.id))?.incident.status, "triggered");
  });

  test("an alert firing again reopens the resolved incident only by policy", async () => {
    const store = await b.open();
    const first = (await store.ingestAlerts([alert("a")], { now: T0 })).incidents.opened[0]!;
    await store.ingestAlerts([{ ...alert("a"), status: "resolved" }], { now: T0 + 1000 });
    const refire = { ...alert("a"), startsAt: T0 + 2000 };
    const reopened = await store.ingestAlerts([refire], { now: T0 + 2000, reopenWithinMs: 60_000 });
    assert.deepEqual(
      reopened.incidents.reopened.map((i) => i.id),
      [first.id],
    );
    assert.equal(reopened.incidents.reopened[0]?.status, "triggered");
    await store.ingestAlerts([{ ...refire, status: "resolved" }], { now: T0 + 3000 });
    // Without the flag (or outside the window) a new incident opens.
    const fresh = await store.ingestAlerts([{ ...alert("a"), startsAt: T0 + 4000 }], { now: T0 + 4000 });
    assert.equal(fresh.incidents.opened.length, 1);
    assert.notEqual(fresh.incidents.opened[0]?.id, first.id);
    const kinds = (await store.getIncident(first.id))?.timeline.map((e) => e.kind);
    assert.ok(kinds?.includes("reopened"));
  });

  test("suppressed alerts are recorded but open nothing", async () => {
    const store = await b.open();
    const r = await store.ingestAlerts([alert("m", { suppressed: true })], { now: T0 });
    assert.deepEqual(r.alerts.created, ["m"]);
    assert.equal(r.incidents.opened.length, 0);
    assert.equal((await counts(store)).incidents, 0);
  });

  test("garbage is rejected naming the field, and nothing is stored", async () => {
    const store = await b.open();
    const cases: [unknown, string][] = [
      [[alert("ok"), { ...alert("x"), labels: { team: 5 } }], "alerts[1].labels.team"],
      [[alert("ok"), { ...alert("x"), fingerprint: undefined }], "alerts[1].fingerprint"],
      [[{ ...alert("x"), status: "burning" }], "alerts[0].status"],
      [[{ ...alert("x"), startsAt: "yesterday" }], "alerts[0].startsAt"],
      [[{ ...alert("x"), groupKey: "" }], "alerts[0].groupKey"],
      [[null], "alerts[0]"],
      [{ alerts: [] }, "alerts"],
    ];
    for (const [batch, field] of cases) {
      await assert.rejects(
        store.ingestAlerts(batch),
        (e: unknown) => e instanceof StoreValidationError && e.field === field && e.message.startsWith(field),
        field,
      );
    }
    assert.deepEqual(await counts(store), { alerts: 0, incidents: 0, timeline: 0 });
  });

  test("a failure mid-batch rolls the whole transaction back", async () => {
    const store = await b.open();
    const batch = [alert("a"), alert("b", { groupKey: "second" })];
    await assert.rejects(
      store.ingestAlerts(batch, {
        now: T0,
        draft: (g) => {
          if (g.groupKey === "second") throw new Error("policy exploded");
          return { title: "t", priority: "P2" };
        },
      }),
      /policy exploded/,
    );
    assert.deepEqual(await counts(store), { alerts: 0, incidents: 0, timeline: 0 });
    // The store still works afterwards.
    assert.equal((await store.ingestAlerts(batch, { now: T0 })).incidents.opened.length, 2);
  });

  test("concurrent deliveries of one new group open one incident", async () => {
    const target = await b.target();
    await b.open(target);
    const batches = [0, 1, 2].map((i) => JSON.stringify([alert(`p${i}`), alert(`q${i}`)]));
    const opened = (await Promise.all(
      batches.map((batch) => runStoreChild(["ingest", target, batch, String(T0)])),
    )) as string[][];
    assert.equal(opened.flat().length, 1);
    const store = await b.open(target);
    const page = await store.listIncidents();
    assert.equal(page.total, 1);
    assert.equal((await store.getIncident(page.items[0]!.id))?.alerts.length, 6);
  });
});

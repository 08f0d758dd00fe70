import assert from "node:assert/strict";
import { test } from "node:test";
import type { IncidentStatus } from "../incident/types.js";
import { alert, T0 } from "../../test/support/store-alerts.js";
import { forEachBackend } from "../../test/support/store-matrix.js";
import { InvalidTransitionError, NotFoundError, Store, TRANSITIONS } from "./index.js";

async function openIncident(store: Store, fp = "a"): Promise<string> {
  const r = await store.ingestAlerts([alert(fp, { groupKey: `g-${fp}` })], { now: T0 });
  return r.incidents.opened[0]!.id;
}

forEachBackend("store incidents", (b) => {
  test("the lifecycle in order, each step on the timeline with actor and time", async () => {
    const store = await b.open();
    const id = await openIncident(store);
    const steps: IncidentStatus[] = ["acknowledged", "mitigated", "resolved", "reviewed"];
    for (const [i, to] of steps.entries()) {
      const inc = await store.transition(id, to, "alice", { now: T0 + (i + 1) * 1000 });
      assert.equal(inc.status, to);
    }
    const detail = await store.getIncident(id);
    assert.equal(detail?.incident.acknowledgedAt, T0 + 1000);
    assert.equal(detail?.incident.mitigatedAt, T0 + 2000);
    assert.equal(detail?.incident.resolvedAt, T0 + 3000);
    assert.equal(detail?.incident.reviewedAt, T0 + 4000);
    const tail = detail!.timeline.slice(-4);
    assert.deepEqual(
      tail.map((e) => [e.kind, e.actor, e.at]),
      steps.map((s, i) => [s, "alice", T0 + (i + 1) * 1000]),
    );
  });

  test("resolve is allowed from every open status", async () => {
    const store = await b.open();
    for (const [fp, path] of [
      ["t", []],
      ["a", ["acknowledged"]],
      ["m", ["acknowledged", "mitigated"]],
    ] as const) {
      const id = await openIncident(store, fp);
      for (const s of path) await store.transition(id, s, "bob");
      assert.equal((await store.transition(id, "resolved", "bob")).status, "resolved");
    }
  });

  test("invalid transitions fail clearly and change nothing", async () => {
    const store = await b.open();
    const id = await openIncident(store);
    const before = await store.getIncident(id);
    const invalid: IncidentStatus[] = ["mitigated", "reviewed", "triggered"];
    for (const to of invalid) {
      await assert.rejects(store.transition(id, to, "carol"), (e: unknown) => {
        assert.ok(e instanceof InvalidTransitionError);
        assert.match(e.message, new RegExp(`from triggered to ${to}`));
        assert.deepEqual(e.allowed, TRANSITIONS.triggered);
        return true;
      });
    }
    assert.deepEqual(await store.getIncident(id), before);
    await store.transition(id, "resolved", "carol");
    await assert.rejects(store.transition(id, "acknowledged", "carol"), InvalidTransitionError);
    await assert.rejects(store.transition("inc-missing", "acknowledged", "carol"), NotFoundError);
  });

  test("the timeline is append-only: no update or delete API, and the database refuses UPDATE", async () => {
    const store = await b.open();
    const id = await openIncident(store);
    const note = await store.appendTimeline({
      incidentId: id,
      kind: "note",
      actor: "dave",
      text: "looking",
      at: T0 + 5,
    });
    assert.equal(note.kind, "note");
    const api = Object.getOwnPropertyNames(Store.prototype).filter((n) => /timeline/i.test(n));
    assert.deepEqual(api.sort(), ["appendTimeline", "listTimeline"]);
    await assert.rejects(
      store.raw.db.updateTable("timeline").set({ text: "rewritten" }).where("id", "=", note.id).execute(),
      /append-only/,
    );
    assert.equal((await store.listTimeline(id)).find((e) => e.id === note.id)?.text, "looking");
    await assert.rejects(
      store.appendTimeline({ incidentId: "nope", kind: "note", actor: "x", text: "y" }),
      NotFoundError,
    );
  });

  test("list filters and pages, newest first, with a total", async () => {
    const store = await b.open();
    for (let i = 0; i < 5; i++)
      await store.ingestAlerts(
        [alert(`f${i}`, { groupKey: `g${i}`, labels: { severity: i % 2 ? "critical" : "info" } })],
        {
          now: T0 + i,
        },
      );
    const page = await store.listIncidents({}, { limit: 2, offset: 1 });
    assert.equal(page.total, 5);
    assert.deepEqual(
      page.items.map((i) => i.createdAt),
      [T0 + 3, T0 + 2],
    );
    const p1 = await store.listIncidents({ priority: ["P1"] });
    assert.equal(p1.total, 2);
    const none = await store.listIncidents({ status: ["resolved"] });
    assert.equal(none.total, 0);
  });

  test("priority, people and escalation changes are recorded", async () => {
    const store = await b.open();
    const id = await openIncident(store);
    const inc = await store.updateIncident(
      id,
      { priority: "P0", commander: "erin", escalationLevel: 1 },
      "erin",
      { now: T0 + 9 },
    );
    assert.equal(inc.priority, "P0");
    assert.equal(inc.priorityOverridden, true);
    assert.equal(inc.commander, "erin");
    const kinds = (await store.listTimeline(id)).map((e) => e.kind);
    assert.deepEqual(kinds.slice(-3), ["priority", "assigned", "escalated"]);
  });
});

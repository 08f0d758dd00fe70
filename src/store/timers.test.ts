import assert from "node:assert/strict";
import { test } from "node:test";
import { alert, T0 } from "../../test/support/store-alerts.js";
import { forEachBackend, runStoreChild } from "../../test/support/store-matrix.js";

forEachBackend("store escalation timers", (b) => {
  test("a due timer is claimed once, survives a reopen of the store, and is marked fired", async () => {
    const target = await b.target();
    let store = await b.open(target);
    const id = (await store.ingestAlerts([alert("a")], { now: T0 })).incidents.opened[0]!.id;
    const timer = await store.scheduleTimer({ incidentId: id, level: 1, dueAt: T0 + 300_000, now: T0 });
    assert.equal(await store.claimDueTimer("r1", { now: T0 + 1000 }), undefined, "not due yet");
    await store.close();
    store = await b.open(target); // a restart
    assert.deepEqual(
      (await store.dueTimers(T0 + 300_000)).map((t) => t.id),
      [timer.id],
    );
    const claimed = await store.claimDueTimer("r1", { now: T0 + 300_000 });
    assert.equal(claimed?.id, timer.id);
    assert.equal(claimed?.claimedBy, "r1");
    assert.equal(await store.claimDueTimer("r2", { now: T0 + 300_001 }), undefined);
    assert.equal(await store.markTimerFired(timer.id, "r2"), false);
    assert.equal(await store.markTimerFired(timer.id, "r1", T0 + 300_002), true);
    assert.equal(
      await store.claimDueTimer("r2", { now: T0 + 999_999_999 }),
      undefined,
      "fired timers never come back",
    );
  });

  test("a claim whose claimer died is taken over after the lease", async () => {
    const store = await b.open();
    const id = (await store.ingestAlerts([alert("a")], { now: T0 })).incidents.opened[0]!.id;
    const timer = await store.scheduleTimer({ incidentId: id, level: 1, dueAt: T0 });
    assert.equal((await store.claimDueTimer("dead", { now: T0 }))?.id, timer.id);
    assert.equal(await store.claimDueTimer("r2", { now: T0 + 30_000, leaseMs: 60_000 }), undefined);
    assert.equal((await store.claimDueTimer("r2", { now: T0 + 61_000, leaseMs: 60_000 }))?.claimedBy, "r2");
  });

  test("racing claimers in separate processes fire each timer exactly once", async () => {
    const target = await b.target();
    const store = await b.open(target);
    const id = (await store.ingestAlerts([alert("a")], { now: T0 })).incidents.opened[0]!.id;
    const scheduled: string[] = [];
    for (let i = 0; i < 60; i++)
      scheduled.push((await store.scheduleTimer({ incidentId: id, level: 1, dueAt: T0 + i })).id);
    const now = String(T0 + 1000);
    const claims = (await Promise.all([
      runStoreChild(["claim", target, "c1", now]),
      runStoreChild(["claim", target, "c2", now]),
      runStoreChild(["claim", target, "c3", now]),
    ])) as string[][];
    const all = claims.flat();
    assert.equal(all.length, scheduled.length, "no timer claimed twice, none missed");
    assert.deepEqual([...all].sort(), [...scheduled].sort());
  });

  test("in-process racing claimers (two pools on PostgreSQL)", async () => {
    const target = await b.target();
    const s1 = await b.open(target);
    const s2 = b.name === "postgres" ? await b.open(target) : s1;
    const id = (await s1.ingestAlerts([alert("a")], { now: T0 })).incidents.opened[0]!.id;
    for (let i = 0; i < 40; i++) await s1.scheduleTimer({ incidentId: id, level: 2, dueAt: T0 });
    const drain = async (s: typeof s1, name: string) => {
      const got: string[] = [];
      for (;;) {
        const t = await s.claimDueTimer(name, { now: T0 + 1 });
        if (!t) return got;
        got.push(t.id);
      }
    };
    const results = await Promise.all([drain(s1, "a"), drain(s2, "b"), drain(s1, "c"), drain(s2, "d")]);
    const all = results.flat();
    assert.equal(new Set(all).size, all.length);
    assert.equal(all.length, 40);
  });
});

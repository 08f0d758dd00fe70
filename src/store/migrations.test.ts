import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend, runStoreChild } from "../../test/support/store-matrix.js";
import { knownMigrations } from "./migrations.js";

forEachBackend("store migrations", (b) => {
  test("running migrations twice applies them once", async () => {
    const target = await b.target();
    const store = await b.open(target, { migrate: false });
    assert.deepEqual((await store.migrate()).applied, knownMigrations(b.name));
    assert.deepEqual((await store.migrate()).applied, []);
    assert.deepEqual(await store.readiness(), { ready: true });
    const again = await b.open(target);
    assert.deepEqual((await again.migrate()).applied, []);
  });

  test("an unmigrated store is not ready", async () => {
    const store = await b.open(undefined, { migrate: false });
    const r = await store.readiness();
    assert.equal(r.ready, false);
    assert.match(r.reason ?? "", /0001_initial/);
  });

  test("two processes migrating at once end with one schema", async () => {
    const target = await b.target();
    const outcomes = (await Promise.all([
      runStoreChild(["migrate", target]),
      runStoreChild(["migrate", target]),
      runStoreChild(["migrate", target]),
    ])) as { applied: string[] }[];
    const applied = outcomes.flatMap((o) => o.applied);
    assert.deepEqual(applied, knownMigrations(b.name), "each migration applied by exactly one process");
    const store = await b.open(target, { migrate: false });
    assert.deepEqual(await store.readiness(), { ready: true });
    const rows = await store.raw.db
      .selectFrom("kysely_migration" as never)
      .select("name" as never)
      .execute();
    assert.equal(rows.length, knownMigrations(b.name).length);
    // The schema works: a round trip through one table.
    const { record } = await store.createToken({ name: "x", role: "viewer" });
    assert.equal((await store.listTokens())[0]?.id, record.id);
  });

  test("two pools in one process racing to migrate", async () => {
    if (b.name === "sqlite") return; // one SQLite handle per process (see db.ts); processes race above
    const target = await b.target();
    const [s1, s2] = await Promise.all([
      b.open(target, { migrate: false }),
      b.open(target, { migrate: false }),
    ]);
    const [o1, o2] = await Promise.all([s1.migrate(), s2.migrate()]);
    assert.deepEqual([...o1.applied, ...o2.applied], knownMigrations(b.name));
  });
});

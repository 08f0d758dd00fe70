/**
 * Migration 0005 on both backends: the legacy snapshot and findings tables go when empty and
 * stay, with a note naming them, when a user stored rows in them.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Migrator, sql } from "kysely";
import { forEachBackend } from "../../test/support/store-matrix.js";
import type { Store } from "./index.js";
import { LEGACY_TABLES, migrations } from "./migrations.js";

/** Brings a store to the schema before 0005, as a store of an older day2 was. */
async function migrateBefore0005(store: Store): Promise<void> {
  const all = migrations(store.dialect);
  const older = Object.fromEntries(Object.entries(all).filter(([name]) => name < "0005"));
  const migrator = new Migrator({
    db: store.raw.db,
    provider: { getMigrations: () => Promise.resolve(older) },
  });
  const { error } = await migrator.migrateToLatest();
  assert.equal(error, undefined);
}

async function rowsOf(store: Store, table: string): Promise<number | "missing"> {
  try {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
      store.raw.db,
    );
    return Number(r.rows[0]!.n);
  } catch {
    return "missing";
  }
}

forEachBackend("store migration 0005 (legacy tables)", (b) => {
  test("empty legacy tables are dropped, silently", async () => {
    const target = await b.target();
    const store = await b.open(target, { migrate: false });
    await migrateBefore0005(store);
    for (const t of LEGACY_TABLES) assert.equal(await rowsOf(store, t), 0, t);
    const outcome = await store.migrate();
    assert.deepEqual(outcome.applied, ["0005_drop_legacy_snapshots"]);
    assert.deepEqual(outcome.notes, []);
    for (const t of LEGACY_TABLES) assert.equal(await rowsOf(store, t), "missing", t);
    assert.deepEqual(await store.readiness(), { ready: true });
  });

  test("a legacy table with rows is kept with its rows, and Store.open logs a note naming it", async () => {
    const target = await b.target();
    const old = await b.open(target, { migrate: false });
    await migrateBefore0005(old);
    await sql`insert into kpi_snapshots (id, at, scope, payload) values ('k1', 1, 'default', '{"mttr":3}')`.execute(
      old.raw.db,
    );
    await sql`insert into findings_history (id, rule, object_key, first_seen, last_seen, fixed_at)
      values ('f1', 'no-pdb', 'shop/web', 1, 2, null), ('f2', 'no-pdb', 'shop/api', 1, 2, 2)`.execute(
      old.raw.db,
    );
    await old.close();

    const logged: string[] = [];
    const store = await b.open(target, { log: (m) => logged.push(m) });
    assert.equal(logged.length, 2, logged.join("\n"));
    assert.match(logged[0]!, /kept the legacy table kpi_snapshots \(1 rows\)/);
    assert.match(
      logged[1]!,
      /kept the legacy table findings_history \(2 rows\).*drop table findings_history/,
    );
    assert.equal(await rowsOf(store, "kpi_snapshots"), 1);
    assert.equal(await rowsOf(store, "findings_history"), 2);
    assert.equal(await rowsOf(store, "scan_snapshots"), "missing");
    assert.equal(await rowsOf(store, "cost_snapshots"), "missing");
    const payload = await sql<{ payload: string }>`select payload from kpi_snapshots`.execute(store.raw.db);
    assert.deepEqual(JSON.parse(payload.rows[0]!.payload), { mttr: 3 });

    // Applied once: opening again says nothing more.
    await store.close();
    const again: string[] = [];
    await b.open(target, { log: (m) => again.push(m) });
    assert.deepEqual(again, []);
  });
});

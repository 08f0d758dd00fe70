/**
 * KPI, scan and cost snapshots (a JSON payload at a time, per scope such as a cluster name)
 * and the findings history (rule, object, first seen, last seen, fixed).
 */
import { writeTx, type StoreDb } from "./db.js";
import { newId } from "./rows.js";
import type { SnapshotTable } from "./schema.js";

export type SnapshotKind = "kpi" | "scan" | "cost";

const TABLE: Record<SnapshotKind, SnapshotTable> = {
  kpi: "kpi_snapshots",
  scan: "scan_snapshots",
  cost: "cost_snapshots",
};

export interface Snapshot {
  id: string;
  at: number;
  scope: string;
  payload: unknown;
}

export async function recordSnapshot(
  store: StoreDb,
  kind: SnapshotKind,
  s: { at?: number; scope?: string; payload: unknown },
): Promise<Snapshot> {
  const row = {
    id: newId(kind),
    at: s.at ?? Date.now(),
    scope: s.scope ?? "default",
    payload: JSON.stringify(s.payload),
  };
  await store.db.insertInto(TABLE[kind]).values(row).execute();
  return { id: row.id, at: row.at, scope: row.scope, payload: s.payload };
}

/** Snapshots newest first, optionally of one scope and after a time. */
export async function listSnapshots(
  store: StoreDb,
  kind: SnapshotKind,
  options: { scope?: string; since?: number; limit?: number } = {},
): Promise<Snapshot[]> {
  let q = store.db.selectFrom(TABLE[kind]).selectAll();
  if (options.scope !== undefined) q = q.where("scope", "=", options.scope);
  if (options.since !== undefined) q = q.where("at", ">=", options.since);
  const rows = await q
    .orderBy("at", "desc")
    .limit(options.limit ?? 100)
    .execute();
  return rows.map((r) => ({ id: r.id, at: r.at, scope: r.scope, payload: JSON.parse(r.payload) as unknown }));
}

export interface FindingRecord {
  rule: string;
  objectKey: string;
  firstSeen: number;
  lastSeen: number;
  fixedAt?: number;
}

/**
 * Records one scan's findings at `at`: seen ones get last_seen (new ones a row), open ones
 * not seen this time get fixed_at. A finding that comes back after a fix opens a new row.
 */
export async function recordFindings(
  store: StoreDb,
  seen: { rule: string; objectKey: string }[],
  at = Date.now(),
): Promise<{ opened: number; fixed: number }> {
  return writeTx(store, async (trx) => {
    const open = await trx
      .selectFrom("findings_history")
      .select(["id", "rule", "object_key"])
      .where("fixed_at", "is", null)
      .execute();
    const openByKey = new Map(open.map((r) => [`${r.rule}\u0000${r.object_key}`, r.id]));
    const seenKeys = new Set<string>();
    let opened = 0;
    for (const f of seen) {
      const key = `${f.rule}\u0000${f.objectKey}`;
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      const id = openByKey.get(key);
      if (id) await trx.updateTable("findings_history").set({ last_seen: at }).where("id", "=", id).execute();
      else {
        opened++;
        await trx
          .insertInto("findings_history")
          .values({
            id: newId("fnd"),
            rule: f.rule,
            object_key: f.objectKey,
            first_seen: at,
            last_seen: at,
            fixed_at: null,
          })
          .execute();
      }
    }
    const gone = [...openByKey].filter(([k]) => !seenKeys.has(k)).map(([, id]) => id);
    for (let i = 0; i < gone.length; i += 500)
      await trx
        .updateTable("findings_history")
        .set({ fixed_at: at })
        .where("id", "in", gone.slice(i, i + 500))
        .execute();
    return { opened, fixed: gone.length };
  });
}

export async function listFindings(
  store: StoreDb,
  options: { openOnly?: boolean; rule?: string } = {},
): Promise<FindingRecord[]> {
  let q = store.db.selectFrom("findings_history").selectAll();
  if (options.openOnly) q = q.where("fixed_at", "is", null);
  if (options.rule !== undefined) q = q.where("rule", "=", options.rule);
  const rows = await q.orderBy("first_seen").execute();
  return rows.map((r) => {
    const f: FindingRecord = {
      rule: r.rule,
      objectKey: r.object_key,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
    };
    if (r.fixed_at !== null) f.fixedAt = r.fixed_at;
    return f;
  });
}

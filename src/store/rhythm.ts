/**
 * Sign-offs of the operational rhythm's checklist items (src/rhythm): who signed which item
 * off for which period, when, with an optional note. Append-only: a later sign-off for the
 * same item and period is the one shown.
 */
import { randomUUID } from "node:crypto";
import type { StoreDb } from "./db.js";

export interface RhythmSignoffRecord {
  id: string;
  cadence: string;
  item: string;
  period: string;
  who: string;
  /** Epoch ms. */
  at: number;
  note?: string;
}

interface SignoffRow {
  id: string;
  cadence: string;
  item: string;
  period: string;
  who: string;
  at: number | string | bigint;
  note: string | null;
}

/** The table is not part of the core schema type: a view of the database that knows it. */
function db(store: StoreDb) {
  return store.db.withTables<{ rhythm_signoffs: SignoffRow }>();
}

export async function addRhythmSignoff(
  store: StoreDb,
  input: Omit<RhythmSignoffRecord, "id">,
): Promise<RhythmSignoffRecord> {
  const record: RhythmSignoffRecord = { id: randomUUID(), ...input };
  await db(store)
    .insertInto("rhythm_signoffs")
    .values({
      id: record.id,
      cadence: record.cadence,
      item: record.item,
      period: record.period,
      who: record.who,
      at: record.at,
      note: record.note ?? null,
    })
    .execute();
  return record;
}

/** Sign-offs of a cadence (and period, when given), oldest first. */
export async function listRhythmSignoffs(
  store: StoreDb,
  filter: { cadence: string; period?: string },
): Promise<RhythmSignoffRecord[]> {
  let q = db(store).selectFrom("rhythm_signoffs").selectAll().where("cadence", "=", filter.cadence);
  if (filter.period !== undefined) q = q.where("period", "=", filter.period);
  const rows = await q.orderBy("at").orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id,
    cadence: r.cadence,
    item: r.item,
    period: r.period,
    who: r.who,
    at: Number(r.at),
    ...(r.note === null ? {} : { note: r.note }),
  }));
}

/**
 * The success sign-offs in the store: the rhythm sign-off table (src/store/rhythm.ts) under
 * cadence "success", read as judgeSuccess takes them. The period column holds the quarter the
 * sign-off was made in (for people reading the table); validity is judged from its time.
 */
import type { StoreDb } from "../store/db.js";
import { addRhythmSignoff, listRhythmSignoffs } from "../store/rhythm.js";
import type { SuccessSignoff } from "./criteria.js";
import { SUCCESS_CADENCE, type SuccessItemId } from "./items.js";

/** Every success sign-off, oldest first. */
export async function loadSuccessSignoffs(store: StoreDb): Promise<SuccessSignoff[]> {
  const rows = await listRhythmSignoffs(store, { cadence: SUCCESS_CADENCE });
  return rows.map((r) => ({
    itemId: r.item,
    by: r.who,
    at: new Date(r.at).toISOString(),
    note: r.note ?? null,
  }));
}

/** The quarter a time falls in: 2026-Q4 (UTC). */
export function quarterOf(at: number): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

export async function addSuccessSignoff(
  store: StoreDb,
  s: { item: SuccessItemId; who: string; at: number; note?: string },
): Promise<{ period: string }> {
  const period = quarterOf(s.at);
  await addRhythmSignoff(store, {
    cadence: SUCCESS_CADENCE,
    item: s.item,
    period,
    who: s.who,
    at: s.at,
    ...(s.note ? { note: s.note } : {}),
  });
  return { period };
}

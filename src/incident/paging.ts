/**
 * One way to read "every incident created since a time" from a newest-first, paged list (the
 * store's `listIncidents`, or the server API through Day2Client): used by `day2 kpi`, `day2
 * serve`'s collection, the rhythm checklists and the dashboard's collection reads.
 */
import type { Incident } from "./types.js";

/** One page of a newest-first incident list, with the total that matched. */
export type IncidentPageFn = (page: {
  limit: number;
  offset: number;
}) => Promise<{ items: readonly Incident[]; total: number }>;

/** Rows per page (the store's maximum). */
export const INCIDENT_PAGE = 1000;

/**
 * The incidents created at or after `since` (every one when `since` is -Infinity), newest
 * first, reading pages of `pageSize` until a page reaches past `since`, runs short, or the
 * total is reached. Relies on the list being ordered by creation time, newest first.
 */
export async function incidentsSince(
  list: IncidentPageFn,
  since: number,
  pageSize = INCIDENT_PAGE,
): Promise<Incident[]> {
  const out: Incident[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await list({ limit: pageSize, offset });
    for (const i of page.items) if (i.createdAt >= since) out.push(i);
    const last = page.items.at(-1);
    if (!last || last.createdAt < since) break;
    if (page.items.length < pageSize || offset + page.items.length >= page.total) break;
  }
  return out;
}

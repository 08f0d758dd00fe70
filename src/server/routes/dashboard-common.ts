/**
 * Shared by the dashboard routes (overview, findings, scores, kpis, cost, rhythm): the port of
 * the collection's stored results, ISO times, and the KPI tiles (latest KpiResult + history).
 */
import { KPI_IDS } from "../../kpi/types.js";
import { HttpError } from "../errors.js";
import type { CollectionReads } from "../ports.js";
import type { KpiTile } from "../schemas-dashboard.js";
import type { RouteContext } from "./common.js";

/** The collection reads, or 503 when this server was built without them. */
export function reads(ctx: RouteContext): CollectionReads {
  if (!ctx.collections)
    throw new HttpError("D2_HTTP_UNAVAILABLE", "this server runs without the collection store");
  return ctx.collections;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export const DAY_MS = 86_400_000;

/** Days a KPI tile's sparkline covers: one point per day (the day's last run). */
export const TILE_DAYS = 30;

/**
 * The latest KPI results, each with its history over the last 30 days at one point per day
 * (the last run of each UTC day), oldest first; [] before the first run.
 */
export async function kpiTiles(r: CollectionReads, now = Date.now()): Promise<KpiTile[]> {
  const latest = await r.latestKpis();
  if (!latest) return [];
  const points = await r.dailyKpiPoints(now - TILE_DAYS * DAY_MS);
  const byKpi = new Map<string, { at: string; value: number | null }[]>();
  for (const p of points) {
    let list = byKpi.get(p.kpi);
    if (!list) byKpi.set(p.kpi, (list = []));
    list.push({ at: iso(p.at), value: p.value });
  }
  const order = (id: string): number => (KPI_IDS as readonly string[]).indexOf(id);
  return (latest.items as KpiTile[])
    .map((k) => ({ ...k, history: byKpi.get(k.id) ?? [] }))
    .sort((a, b) => order(a.id) - order(b.id));
}

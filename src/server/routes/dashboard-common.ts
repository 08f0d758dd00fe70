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

/** Points a KPI tile's sparkline shows. */
export const TILE_POINTS = 30;

/** The latest KPI results with up to 30 stored values each, oldest first; [] before the first run. */
export async function kpiTiles(r: CollectionReads): Promise<KpiTile[]> {
  const latest = await r.latestKpis();
  if (!latest) return [];
  const points = await r.recentKpiPoints(TILE_POINTS);
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

export const DAY_MS = 86_400_000;

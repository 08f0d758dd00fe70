/**
 * A money breakdown: rows of a name, a count and $ per month (waste by kind, quick wins by
 * category), as a table, Markdown, HTML and HTML tiles.
 */
import { columns } from "../../report/render/columns.js";
import { usd } from "./format.js";
import { tableHtml, tilesHtml } from "./html.js";
import { mdTable } from "./markdown.js";

export interface Breakdown {
  /** The table heads of the name and the count ("KIND", "ITEMS"); Markdown and HTML: "Kind", "Items". */
  head: readonly [string, string];
  rows: readonly { name: string; count: number; monthly: number }[];
}

/** "CATEGORY" -> "Category". */
export function sentenceCase(h: string): string {
  return h[0] + h.slice(1).toLowerCase();
}

function cells(b: Breakdown): string[][] {
  return b.rows.map((r) => [r.name, String(r.count), usd(r.monthly)]);
}

function heads(b: Breakdown): string[] {
  return [...b.head.map(sentenceCase), "$/month"];
}

export function breakdownText(b: Breakdown): string {
  return b.rows.length ? columns([...b.head, "$/MONTH"], cells(b)) : "none";
}

export function breakdownMarkdown(b: Breakdown): string {
  return b.rows.length ? mdTable(heads(b), cells(b)) : "none";
}

export function breakdownHtml(b: Breakdown): string {
  return tableHtml(heads(b), cells(b), [1, 2]);
}

/** Tiles: the count and the total, then the first three rows' $ per month. */
export function breakdownTiles(
  b: Breakdown,
  countLabel: string,
  total: { count: number; monthly: number },
): string {
  return tilesHtml([
    { label: countLabel, value: String(total.count) },
    { label: "Total / month", value: usd(total.monthly) },
    ...b.rows.slice(0, 3).map((r) => ({ label: `${r.name} / month`, value: usd(r.monthly) })),
  ]);
}

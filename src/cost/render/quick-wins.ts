/**
 * `day2 cost quick-wins` output: the wins in the order an operator acts (QUICK_WIN_ORDER, then
 * most dollars first), each with its category, $ per month, confidence and an action; totals
 * per category and overall; notes on what could not be judged. As a table (a list, then the
 * actions by number), json/yaml, Markdown or one HTML page.
 */
import { stringify } from "yaml";
import type { QuickWin, QuickWinCategory } from "../quick-wins.js";
import { QUICK_WIN_ORDER } from "../quick-wins.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import { API_VERSION, money, partialLines, usd, windowText, type SourceLine } from "./format.js";
import { escapeHtml, pageHtml, tableHtml, tilesHtml } from "./html.js";
import { mdFence, mdTable } from "./markdown.js";

export interface QuickWinsDoc {
  apiVersion: string;
  kind: "QuickWins";
  source: SourceLine;
  window: { start: string; end: string; stepSeconds: number };
  usage: { source: string; confidence: string };
  partial: boolean;
  problems: readonly string[];
  settings: { minMonthly: number; top?: number; namespace?: string };
  /** Over every win that passed --min-monthly (and -n), not only the ones shown. */
  summary: { wins: number; monthly: number; shown: number; shownMonthly: number };
  categories: { category: QuickWinCategory; wins: number; monthly: number }[];
  /** In the order to act; `rank` is the position in the whole list (1-based). */
  wins: (QuickWin & { rank: number })[];
  notes: readonly string[];
}

/** Wins overlap: the total is what acting on each alone saves, added up. */
export const OVERLAP_NOTE =
  "wins can overlap (right-sizing a workload changes what spot or an HPA saves on it): the total adds each win as if acted on alone";

export function quickWinsDoc(
  all: readonly QuickWin[],
  o: Omit<QuickWinsDoc, "apiVersion" | "kind" | "summary" | "categories" | "wins">,
): QuickWinsDoc {
  const ranked = all.map((w, i) => ({ ...w, rank: i + 1 }));
  const shown = o.settings.top === undefined ? ranked : ranked.slice(0, o.settings.top);
  const sum = (ws: readonly QuickWin[]): number =>
    Math.round(ws.reduce((t, w) => t + w.monthly, 0) * 100) / 100;
  const { notes, ...rest } = o;
  return {
    apiVersion: API_VERSION,
    kind: "QuickWins",
    ...rest,
    summary: { wins: all.length, monthly: sum(all), shown: shown.length, shownMonthly: sum(shown) },
    categories: QUICK_WIN_ORDER.flatMap((category) => {
      const ws = all.filter((w) => w.category === category);
      return ws.length ? [{ category, wins: ws.length, monthly: sum(ws) }] : [];
    }),
    wins: shown,
    notes: [...notes, OVERLAP_NOTE],
  };
}

function rounded(d: QuickWinsDoc): unknown {
  return {
    ...d,
    summary: { ...d.summary, monthly: money(d.summary.monthly), shownMonthly: money(d.summary.shownMonthly) },
    categories: d.categories.map((c) => ({ ...c, monthly: money(c.monthly) })),
    wins: d.wins.map((w) => ({ ...w, monthly: money(w.monthly) })),
  };
}

export function quickWinsJson(d: QuickWinsDoc): string {
  return JSON.stringify(rounded(d), null, 2) + "\n";
}

export function quickWinsYaml(d: QuickWinsDoc): string {
  return stringify(rounded(d), { aliasDuplicateObjects: false });
}

function header(d: QuickWinsDoc): string {
  return `${d.source.kind} · ${d.source.detail} · window ${windowText(d.window)}`;
}

function usageLine(d: QuickWinsDoc): string {
  return d.usage.source === "none"
    ? "usage: none: only unused volumes, load balancers, storage classes, spot and quotas can be judged"
    : `usage: ${d.usage.source} (${d.usage.confidence} confidence)`;
}

function totalLine(d: QuickWinsDoc): string {
  const filters = [
    `wins of at least ${usd(d.settings.minMonthly)}/month, and every quota and LimitRange suggestion`,
    ...(d.settings.namespace ? [`namespace ${d.settings.namespace}`] : []),
  ];
  return `total: ${d.summary.wins} wins, ${usd(d.summary.monthly)} per month (${filters.join("; ")})`;
}

function categoryRows(d: QuickWinsDoc): string[][] {
  return d.categories.map((c) => [c.category, String(c.wins), usd(c.monthly)]);
}

function moreLine(d: QuickWinsDoc): string | undefined {
  const more = d.summary.wins - d.summary.shown;
  return more > 0
    ? `… ${more} more wins (${usd(d.summary.monthly - d.summary.shownMonthly)}/month); --top 0 or -o json for all`
    : undefined;
}

export function quickWinsTable(d: QuickWinsDoc, style: Style): string {
  const out = [
    style.bold(`day2 cost quick-wins · ${header(d)}`),
    usageLine(d),
    ...partialLines(d).map((l) => style.yellow(l)),
    "",
    style.bold("BY CATEGORY (in the order to act)"),
    d.categories.length ? columns(["CATEGORY", "WINS", "$/MONTH"], categoryRows(d)) : "none",
    "",
    totalLine(d),
  ];
  if (d.wins.length) {
    out.push(
      "",
      style.bold(
        d.summary.shown < d.summary.wins
          ? `QUICK WINS (first ${d.summary.shown} of ${d.summary.wins})`
          : `QUICK WINS (${d.summary.wins})`,
      ),
      columns(
        ["#", "CATEGORY", "$/MONTH", "CONF", "WIN"],
        d.wins.map((w) => [w.rank, w.category, usd(w.monthly), w.confidence, w.title]),
      ),
      "",
      style.bold("ACTIONS"),
    );
    for (const w of d.wins) {
      const [first, ...rest] = w.action.split("\n");
      const tag = `#${w.rank}`.padEnd(5);
      out.push(`${tag}${first}`, ...rest.map((l) => `${" ".repeat(5)}${l}`));
    }
    const more = moreLine(d);
    if (more) out.push(style.dim(more));
  }
  out.push("");
  for (const n of d.notes) out.push(style.dim(`note: ${n}`));
  return out.join("\n") + "\n";
}

export function quickWinsMarkdown(d: QuickWinsDoc): string {
  const out = [
    "# day2 cost quick-wins",
    "",
    header(d),
    "",
    usageLine(d),
    ...partialLines(d).map((l) => `\n> **${l}**`),
    "",
    "## By category (in the order to act)",
    "",
    d.categories.length ? mdTable(["Category", "Wins", "$/month"], categoryRows(d)) : "none",
    "",
    totalLine(d),
    "",
    "## Quick wins",
    "",
  ];
  for (const w of d.wins) {
    out.push(
      `${w.rank}. **${w.category}** · ${usd(w.monthly)}/month · ${w.confidence} confidence: ${w.title}`,
      "",
      `   ${w.confidenceReason}`,
      "",
      mdFence(w.action, "sh")
        .split("\n")
        .map((l) => `   ${l}`)
        .join("\n"),
      "",
    );
  }
  const more = moreLine(d);
  if (more) out.push(more, "");
  out.push(...d.notes.map((n) => `- note: ${n}`), "");
  return out.join("\n");
}

export function quickWinsHtml(d: QuickWinsDoc): string {
  const wins = `<table><thead><tr><th class="num">#</th><th>Category</th><th class="num">$/month</th><th>Confidence</th><th>Win</th><th>Action</th></tr></thead><tbody>
${d.wins
  .map(
    (w) =>
      `<tr><td class="num">${w.rank}</td><td>${escapeHtml(w.category)}</td><td class="num">${escapeHtml(usd(w.monthly))}</td><td title="${escapeHtml(w.confidenceReason)}">${escapeHtml(w.confidence)}</td><td>${escapeHtml(w.title)}</td><td><pre>${escapeHtml(w.action)}</pre></td></tr>`,
  )
  .join("\n")}
</tbody></table>`;
  const more = moreLine(d);
  const body = [
    `<p>${escapeHtml(usageLine(d))}</p>`,
    tilesHtml([
      { label: "Quick wins", value: String(d.summary.wins) },
      { label: "Total / month", value: usd(d.summary.monthly) },
      ...d.categories.slice(0, 3).map((c) => ({ label: `${c.category} / month`, value: usd(c.monthly) })),
    ]),
    "<h2>By category (in the order to act)</h2>",
    tableHtml(["Category", "Wins", "$/month"], categoryRows(d), [1, 2]),
    `<p>${escapeHtml(totalLine(d))}</p>`,
    `<h2>Quick wins (${d.summary.shown}${d.summary.shown < d.summary.wins ? ` of ${d.summary.wins}` : ""})</h2>`,
    wins,
    more ? `<p class="muted">${escapeHtml(more)}</p>` : "",
    ...d.notes.map((n) => `<p class="muted">note: ${escapeHtml(n)}</p>`),
  ].join("\n");
  return pageHtml({
    title: "day2 cost quick-wins",
    subtitle: header(d),
    partial: partialLines(d),
    body,
  });
}

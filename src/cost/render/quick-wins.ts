/**
 * `day2 cost quick-wins` output: the wins in the order an operator acts (QUICK_WIN_ORDER, then
 * most dollars first), each with its category, $ per month, confidence and an action; totals
 * per category and overall; notes on what could not be judged. As a table (a list, then the
 * actions by number), json/yaml, Markdown or one HTML page.
 */
import type { QuickWin, QuickWinCategory } from "../quick-wins.js";
import { QUICK_WIN_ORDER } from "../quick-wins.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import {
  breakdownHtml,
  breakdownMarkdown,
  breakdownText,
  breakdownTiles,
  type Breakdown,
} from "./breakdown.js";
import {
  API_VERSION,
  docWriters,
  money,
  partialLines,
  sourceText,
  textHead,
  textNotes,
  usd,
  usageText,
  type DocHeader,
} from "./format.js";
import { htmlSection, notesHtml, pageHtml, paraHtml, tableHtml } from "./html.js";
import { mdFence, mdHead, mdNotes, mdSection } from "./markdown.js";

export interface QuickWinsDoc extends DocHeader {
  apiVersion: string;
  kind: "QuickWins";
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

export const { json: quickWinsJson, yaml: quickWinsYaml } = docWriters(rounded);

function usageLine(d: QuickWinsDoc): string {
  return usageText(
    d.usage,
    "usage: none: only unused volumes, load balancers, storage classes, spot and quotas can be judged",
  );
}

function totalLine(d: QuickWinsDoc): string {
  const filters = [
    `wins of at least ${usd(d.settings.minMonthly)}/month, and every quota and LimitRange suggestion`,
    ...(d.settings.namespace ? [`namespace ${d.settings.namespace}`] : []),
  ];
  return `total: ${d.summary.wins} wins, ${usd(d.summary.monthly)} per month (${filters.join("; ")})`;
}

function byCategory(d: QuickWinsDoc): Breakdown {
  return {
    head: ["CATEGORY", "WINS"],
    rows: d.categories.map((c) => ({ name: c.category, count: c.wins, monthly: c.monthly })),
  };
}

function moreLine(d: QuickWinsDoc): string | undefined {
  const more = d.summary.wins - d.summary.shown;
  return more > 0
    ? `… ${more} more wins (${usd(d.summary.monthly - d.summary.shownMonthly)}/month); --top 0 or -o json for all`
    : undefined;
}

export function quickWinsTable(d: QuickWinsDoc, style: Style): string {
  const out = [
    ...textHead(style, `day2 cost quick-wins · ${sourceText(d)}`, [usageLine(d)], d),
    "",
    style.bold("BY CATEGORY (in the order to act)"),
    breakdownText(byCategory(d)),
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
  out.push("", ...textNotes(style, d.notes));
  return out.join("\n") + "\n";
}

export function quickWinsMarkdown(d: QuickWinsDoc): string {
  const out = [
    ...mdHead("day2 cost quick-wins", sourceText(d), usageLine(d), d),
    ...mdSection("By category (in the order to act)", breakdownMarkdown(byCategory(d)), totalLine(d)),
    ...mdSection("Quick wins"),
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
  out.push(...mdNotes(d.notes), "");
  return out.join("\n");
}

export function quickWinsHtml(d: QuickWinsDoc): string {
  const wins = tableHtml(
    ["#", "Category", "$/month", "Confidence", "Win", "Action"],
    d.wins.map((w) => [
      w.rank,
      w.category,
      usd(w.monthly),
      { text: w.confidence, title: w.confidenceReason },
      w.title,
      { text: w.action, pre: true },
    ]),
    [0, 2],
  );
  const more = moreLine(d);
  const body = [
    paraHtml(usageLine(d)),
    breakdownTiles(byCategory(d), "Quick wins", { count: d.summary.wins, monthly: d.summary.monthly }),
    ...htmlSection("By category (in the order to act)", breakdownHtml(byCategory(d)), paraHtml(totalLine(d))),
    ...htmlSection(
      `Quick wins (${d.summary.shown}${d.summary.shown < d.summary.wins ? ` of ${d.summary.wins}` : ""})`,
      wins,
      more ? paraHtml(more, true) : "",
    ),
    ...notesHtml(d.notes),
  ].join("\n");
  return pageHtml({
    title: "day2 cost quick-wins",
    subtitle: sourceText(d),
    partial: partialLines(d),
    body,
  });
}

/**
 * `day2 cost advisories` output: the long-term advisories in the handbook's order, each with
 * its findings ($ per month, confidence, a suggestion) or the "no data because ..." line that
 * says what is missing. As a table, json/yaml, Markdown or one HTML page.
 */
import { stringify } from "yaml";
import type { Advisory, AdvisoryItem } from "../advisories.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import { API_VERSION, money, partialLines, usd, windowText, type SourceLine } from "./format.js";
import { escapeHtml, pageHtml } from "./html.js";
import { mdFence, mdTable } from "./markdown.js";

export interface AdvisoriesDoc {
  apiVersion: string;
  kind: "Advisories";
  source: SourceLine;
  window: { start: string; end: string; stepSeconds: number };
  usage: { source: string; confidence: string };
  partial: boolean;
  problems: readonly string[];
  namespace?: string;
  advisories: readonly Advisory[];
  notes: readonly string[];
}

export function advisoriesDoc(o: Omit<AdvisoriesDoc, "apiVersion" | "kind">): AdvisoriesDoc {
  return { apiVersion: API_VERSION, kind: "Advisories", ...o };
}

function rounded(d: AdvisoriesDoc): unknown {
  return {
    ...d,
    advisories: d.advisories.map((a) => ({
      ...a,
      items: a.items.map((it) => ({ ...it, monthly: money(it.monthly) })),
    })),
  };
}

export function advisoriesJson(d: AdvisoriesDoc): string {
  return JSON.stringify(rounded(d), null, 2) + "\n";
}

export function advisoriesYaml(d: AdvisoriesDoc): string {
  return stringify(rounded(d), { aliasDuplicateObjects: false });
}

function header(d: AdvisoriesDoc): string {
  return `${d.source.kind} · ${d.source.detail} · window ${windowText(d.window)}${d.namespace ? ` · namespace ${d.namespace}` : ""}`;
}

function usageLine(d: AdvisoriesDoc): string {
  return d.usage.source === "none"
    ? "usage: none"
    : `usage: ${d.usage.source} (${d.usage.confidence} confidence)`;
}

/** Regions are priced as a difference (negative: cheaper); the others as $ at stake. */
function moneyHead(a: Advisory): string {
  return a.id === "other-regions" ? "Δ/MONTH" : "$/MONTH";
}

function status(a: Advisory): string {
  if (a.status === "no-data") return a.noDataReason ?? "no data";
  return a.items.length ? `${a.items.length} found` : "none found";
}

function rows(a: Advisory): string[][] {
  return a.items.map((it) => [it.title, usd(it.monthly), it.confidence]);
}

/** Each distinct suggestion once: its first line (manifests follow in json, yaml, markdown). */
function suggestionLines(items: readonly AdvisoryItem[]): string[] {
  const seen = new Set<string>();
  for (const it of items) {
    const [first, ...rest] = it.suggestion.split("\n");
    seen.add(rest.length ? `${first} (the manifest per workload: -o yaml or -o markdown)` : first!);
  }
  return [...seen];
}

export function advisoriesTable(d: AdvisoriesDoc, style: Style): string {
  const out = [
    style.bold(`day2 cost advisories · ${header(d)}`),
    usageLine(d),
    ...partialLines(d).map((l) => style.yellow(l)),
  ];
  d.advisories.forEach((a, i) => {
    out.push("", style.bold(`${i + 1}. ${a.title}`), `${a.id}: ${status(a)}`);
    if (a.items.length) {
      out.push(columns(["FINDING", moneyHead(a), "CONF"], rows(a)));
      for (const s of suggestionLines(a.items)) out.push(`suggestion: ${s}`);
    }
    for (const n of a.notes) out.push(style.dim(`note: ${n}`));
  });
  if (d.notes.length) out.push("", ...d.notes.map((n) => style.dim(`note: ${n}`)));
  return out.join("\n") + "\n";
}

export function advisoriesMarkdown(d: AdvisoriesDoc): string {
  const out = [
    "# day2 cost advisories",
    "",
    header(d),
    "",
    usageLine(d),
    ...partialLines(d).map((l) => `\n> **${l}**`),
    "",
  ];
  d.advisories.forEach((a, i) => {
    out.push(`## ${i + 1}. ${a.title}`, "", `\`${a.id}\`: ${status(a)}`, "");
    if (a.items.length) {
      out.push(
        mdTable(
          ["Finding", moneyHead(a) === "Δ/MONTH" ? "Δ/month" : "$/month", "Confidence", "Why"],
          [...a.items.map((it) => [it.title, usd(it.monthly), it.confidence, it.confidenceReason])],
        ),
        "",
      );
      const distinct = [...new Set(a.items.map((it) => it.suggestion))];
      for (const s of distinct) {
        const [first, ...rest] = s.split("\n");
        out.push(`Suggestion: ${first}`, "");
        if (rest.length) out.push(mdFence(rest.join("\n"), "yaml"), "");
      }
    }
    for (const n of a.notes) out.push(`- note: ${n}`);
    if (a.notes.length) out.push("");
  });
  if (d.notes.length) out.push(...d.notes.map((n) => `- note: ${n}`), "");
  return out.join("\n");
}

export function advisoriesHtml(d: AdvisoriesDoc): string {
  const body = [`<p>${escapeHtml(usageLine(d))}</p>`];
  d.advisories.forEach((a, i) => {
    body.push(
      `<h2>${i + 1}. ${escapeHtml(a.title)}</h2>`,
      `<p${a.status === "no-data" ? ' class="muted"' : ""}><code>${escapeHtml(a.id)}</code>: ${escapeHtml(status(a))}</p>`,
    );
    if (a.items.length)
      body.push(`<table><thead><tr><th>Finding</th><th class="num">${escapeHtml(moneyHead(a) === "Δ/MONTH" ? "Δ/month" : "$/month")}</th><th>Confidence</th><th>Suggestion</th></tr></thead><tbody>
${a.items
  .map(
    (it) =>
      `<tr><td>${escapeHtml(it.title)}</td><td class="num">${escapeHtml(usd(it.monthly))}</td><td title="${escapeHtml(it.confidenceReason)}">${escapeHtml(it.confidence)}</td><td><pre>${escapeHtml(it.suggestion)}</pre></td></tr>`,
  )
  .join("\n")}
</tbody></table>`);
    for (const n of a.notes) body.push(`<p class="muted">note: ${escapeHtml(n)}</p>`);
  });
  for (const n of d.notes) body.push(`<p class="muted">note: ${escapeHtml(n)}</p>`);
  return pageHtml({
    title: "day2 cost advisories",
    subtitle: header(d),
    partial: partialLines(d),
    body: body.join("\n"),
  });
}

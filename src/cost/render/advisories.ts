/**
 * `day2 cost advisories` output: the long-term advisories in the handbook's order, each with
 * its findings ($ per month, confidence, a suggestion) or the "no data because ..." line that
 * says what is missing. As a table, json/yaml, Markdown or one HTML page.
 */
import type { Advisory, AdvisoryItem } from "../advisories.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
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
import { escapeHtml, htmlSection, notesHtml, pageHtml, paraHtml, tableHtml } from "./html.js";
import { mdFence, mdHead, mdNotes, mdSection, mdTable } from "./markdown.js";

export interface AdvisoriesDoc extends DocHeader {
  apiVersion: string;
  kind: "Advisories";
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

export const { json: advisoriesJson, yaml: advisoriesYaml } = docWriters(rounded);

function header(d: AdvisoriesDoc): string {
  return `${sourceText(d)}${d.namespace ? ` · namespace ${d.namespace}` : ""}`;
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
  const out = textHead(style, `day2 cost advisories · ${header(d)}`, [usageText(d.usage)], d);
  d.advisories.forEach((a, i) => {
    out.push("", style.bold(`${i + 1}. ${a.title}`), `${a.id}: ${status(a)}`);
    if (a.items.length) {
      out.push(columns(["FINDING", moneyHead(a), "CONF"], rows(a)));
      for (const s of suggestionLines(a.items)) out.push(`suggestion: ${s}`);
    }
    out.push(...textNotes(style, a.notes));
  });
  if (d.notes.length) out.push("", ...textNotes(style, d.notes));
  return out.join("\n") + "\n";
}

export function advisoriesMarkdown(d: AdvisoriesDoc): string {
  const out = mdHead("day2 cost advisories", header(d), usageText(d.usage), d);
  d.advisories.forEach((a, i) => {
    out.push(...mdSection(`${i + 1}. ${a.title}`, `\`${a.id}\`: ${status(a)}`));
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
    out.push(...mdNotes(a.notes));
    if (a.notes.length) out.push("");
  });
  if (d.notes.length) out.push(...mdNotes(d.notes), "");
  return out.join("\n");
}

export function advisoriesHtml(d: AdvisoriesDoc): string {
  const body = [paraHtml(usageText(d.usage))];
  d.advisories.forEach((a, i) => {
    body.push(
      ...htmlSection(
        `${i + 1}. ${a.title}`,
        `<p${a.status === "no-data" ? ' class="muted"' : ""}><code>${escapeHtml(a.id)}</code>: ${escapeHtml(status(a))}</p>`,
      ),
    );
    if (a.items.length)
      body.push(
        tableHtml(
          ["Finding", moneyHead(a) === "Δ/MONTH" ? "Δ/month" : "$/month", "Confidence", "Suggestion"],
          a.items.map((it) => [
            it.title,
            usd(it.monthly),
            { text: it.confidence, title: it.confidenceReason },
            { text: it.suggestion, pre: true },
          ]),
          [1],
        ),
      );
    body.push(...notesHtml(a.notes));
  });
  body.push(...notesHtml(d.notes));
  return pageHtml({
    title: "day2 cost advisories",
    subtitle: header(d),
    partial: partialLines(d),
    body: body.join("\n"),
  });
}

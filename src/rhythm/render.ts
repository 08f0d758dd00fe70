/** The rhythm report as a table (terminal), Markdown, a self-contained HTML page and JSON. */
import type { Style } from "../report/render/style.js";
import { escapeHtml, pageHtml, tableHtml, tilesHtml } from "../cost/render/html.js";
import { mdTable } from "../cost/render/markdown.js";
import type { ItemResult, ItemStatus, RhythmResult } from "./evaluate.js";
import { STATUS_LABELS } from "./evaluate.js";

export interface RhythmDoc extends RhythmResult {
  apiVersion: "day2.dev/v1alpha1";
  kind: "RhythmReport";
  source: string;
  notes: string[];
}

function badge(style: Style, s: ItemStatus): string {
  const text = STATUS_LABELS[s].padEnd(9);
  switch (s) {
    case "ok":
    case "manual-done":
      return style.green(text);
    case "attention":
      return style.bold(style.red(text));
    case "manual-open":
      return style.yellow(text);
    default:
      return style.dim(text);
  }
}

function title(doc: RhythmDoc): string {
  return `day2 rhythm ${doc.cadence}: ${doc.period}`;
}

function summary(doc: RhythmDoc): string {
  const c = doc.counts;
  return `${c.ok} ok, ${c.attention} need attention, ${c["manual-open"]} to sign off, ${c["manual-done"]} signed off, ${c["not-available"]} without data`;
}

export function rhythmTable(doc: RhythmDoc, style: Style): string {
  const lines = [
    style.bold(title(doc)),
    style.dim(`source: ${doc.source}; generated ${doc.generatedAt}`),
    summary(doc),
    "",
  ];
  for (const it of doc.items) {
    lines.push(`${badge(style, it.status)} ${style.bold(it.title)} ${style.dim(`(${it.id})`)}`);
    for (const e of it.evidence) lines.push(`          ${e}`);
    if (it.command) lines.push(`          ${style.cyan(`more: ${it.command}`)}`);
  }
  for (const n of doc.notes) lines.push("", style.dim(`note: ${n}`));
  lines.push(
    "",
    style.dim(`sign an item off: day2 rhythm signoff ${doc.cadence} <item> --by NAME [--note TEXT]`),
  );
  return `${lines.join("\n")}\n`;
}

function evidenceText(it: ItemResult): string {
  return it.evidence.join("; ");
}

export function rhythmMarkdown(doc: RhythmDoc): string {
  const rows = doc.items.map((it) => [
    STATUS_LABELS[it.status],
    `${it.title} (\`${it.id}\`)`,
    evidenceText(it),
    it.command ? `\`${it.command}\`` : "",
  ]);
  return [
    `# ${title(doc)}`,
    "",
    `Source: ${doc.source}. Generated ${doc.generatedAt}. ${summary(doc)}.`,
    "",
    mdTable(["Status", "Item", "Evidence", "More"], rows),
    ...doc.notes.map((n) => `\n> note: ${n}`),
    "",
  ].join("\n");
}

export function rhythmHtml(doc: RhythmDoc): string {
  const c = doc.counts;
  const tiles = tilesHtml([
    { label: "OK", value: String(c.ok) },
    { label: "Attention", value: String(c.attention) },
    { label: "To sign off", value: String(c["manual-open"]) },
    { label: "Signed off", value: String(c["manual-done"]) },
    { label: "No data", value: String(c["not-available"]) },
  ]);
  const rows = doc.items.map((it) => [
    STATUS_LABELS[it.status],
    { text: it.title, title: it.handbook },
    { text: it.evidence.join("\n"), pre: true },
    it.command ? { text: it.command, pre: true } : "",
  ]);
  return pageHtml({
    title: title(doc),
    subtitle: `source: ${doc.source}; generated ${doc.generatedAt}`,
    body: [
      tiles,
      tableHtml(["Status", "Item", "Evidence", "More"], rows),
      ...doc.notes.map((n) => `<p class="muted">note: ${escapeHtml(n)}</p>`),
    ].join("\n"),
  });
}

export function rhythmJson(doc: RhythmDoc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

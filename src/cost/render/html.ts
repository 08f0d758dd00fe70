/** A self-contained HTML page for cost outputs, in the html report's style (its CSS, no network). */
import { CSS, escapeHtml } from "../../report/render/html.js";

export { escapeHtml };

const EXTRA = `
.partial{border-left:4px solid var(--high);background:var(--card);padding:8px 12px;margin-top:12px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.chart{margin:12px 0;color:var(--fg)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
td pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:12px}
`;

export interface Tile {
  label: string;
  value: string;
}

export function tilesHtml(tiles: readonly Tile[]): string {
  return `<div class="tiles">${tiles.map((t) => `<div class="tile"><span class="muted">${escapeHtml(t.label)}</span><b>${escapeHtml(t.value)}</b></div>`).join("")}</div>`;
}

/** A cell: text, or text with a tooltip (`title`), or preformatted (commands, manifests). */
export type HtmlCell = string | number | { text: string | number; title?: string; pre?: boolean };

function cellHtml(c: HtmlCell, cls: string): string {
  if (typeof c !== "object") return `<td${cls}>${escapeHtml(c)}</td>`;
  const title = c.title === undefined ? "" : ` title="${escapeHtml(c.title)}"`;
  const text = escapeHtml(c.text);
  return `<td${cls}${title}>${c.pre ? `<pre>${text}</pre>` : text}</td>`;
}

/** A table; cells are escaped text; columns whose index is in `numeric` align right. */
export function tableHtml(
  head: readonly string[],
  rows: readonly (readonly HtmlCell[])[],
  numeric: readonly number[] = [],
): string {
  const cls = (i: number): string => (numeric.includes(i) ? ' class="num"' : "");
  return `<table><thead><tr>${head.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>
${rows.map((r) => `<tr>${r.map((c, i) => cellHtml(c, cls(i))).join("")}</tr>`).join("\n")}
</tbody></table>`;
}

/** A section: its heading, then the blocks. */
export function htmlSection(heading: string, ...blocks: readonly string[]): string[] {
  return [`<h2>${escapeHtml(heading)}</h2>`, ...blocks];
}

/** A paragraph of escaped text. */
export function paraHtml(text: string, muted = false): string {
  return `<p${muted ? ' class="muted"' : ""}>${escapeHtml(text)}</p>`;
}

export function notesHtml(notes: readonly string[]): string[] {
  return notes.map((n) => paraHtml(`note: ${n}`, true));
}

export function pageHtml(o: {
  title: string;
  subtitle: string;
  partial?: readonly string[];
  body: string;
}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(o.title)}</title><style>${CSS}${EXTRA}</style></head>
<body><main>
<h1>${escapeHtml(o.title)}</h1>
<div class="muted">${escapeHtml(o.subtitle)}</div>
${(o.partial ?? []).map((p) => `<div class="partial">${escapeHtml(p)}</div>`).join("\n")}
${o.body}
</main></body></html>
`;
}

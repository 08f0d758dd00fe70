/**
 * What the cost renderers share: number formatting (dollars, cores, bytes, percentages), the
 * header every document starts with, json/yaml text and the header lines.
 */
import { stringify } from "yaml";
import type { Style } from "../../report/render/style.js";
import type { ClusterState } from "../../state/cluster-state.js";

export const API_VERSION = "day2.dev/v1alpha1";

/** "$1,234.56"; "-$3.10"; below a cent "$0.004". */
export function usd(n: number): string {
  if (!Number.isFinite(n)) return "-";
  const abs = Math.abs(n);
  const digits = abs > 0 && abs < 0.01 ? 4 : 2;
  const text = abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return `${n < 0 && Number(text.replace(/,/g, "")) > 0 ? "-" : ""}$${text}`;
}

/** Rounded to cents (4 decimals below a cent) for json/yaml, so outputs stay readable. */
export function money(n: number): number {
  return Math.abs(n) < 0.01 ? Number(n.toFixed(6)) : Math.round(n * 100) / 100;
}

export function pct(share: number, digits = 1): string {
  return Number.isFinite(share) ? `${(share * 100).toFixed(digits)}%` : "-";
}

export function cores(c: number): string {
  return Number.isFinite(c) ? `${Number(c.toFixed(c >= 10 ? 1 : 2))}` : "-";
}

export function gib(bytes: number): string {
  return Number.isFinite(bytes) ? `${Number((bytes / 2 ** 30).toFixed(1))}Gi` : "-";
}

export interface SourceLine {
  /** "demo", "snapshot", "live". */
  kind: string;
  detail: string;
  collectedAt: string;
}

export function sourceOf(state: ClusterState): SourceLine {
  return {
    kind: state.info.source,
    detail: state.info.sourceDetail,
    collectedAt: new Date(state.info.collectedAt || Date.now()).toISOString(),
  };
}

/** A usage window in a document. */
export interface WindowSpan {
  start: string;
  end: string;
  stepSeconds: number;
}

/** What every cost document carries after apiVersion and kind. */
export interface DocHeader {
  source: SourceLine;
  window: WindowSpan;
  usage: { source: string; confidence: string };
  partial: boolean;
  problems: readonly string[];
}

/** A document as json: two-space indent, a final newline. */
export function jsonText(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + "\n";
}

/** A document as yaml (repeated objects written out, not aliased). */
export function yamlText(doc: unknown): string {
  return stringify(doc, { aliasDuplicateObjects: false });
}

/** The json and yaml writers of a document, after `prepare` (money rounded, for readability). */
export function docWriters<D>(prepare: (d: D) => unknown = (d) => d): {
  json: (d: D) => string;
  yaml: (d: D) => string;
} {
  return { json: (d) => jsonText(prepare(d)), yaml: (d) => yamlText(prepare(d)) };
}

/** "demo · seed 42, scale small · window 7d ending ... (1h step)". */
export function sourceText(
  d: { source: SourceLine; window: { start: Date | string; end: Date | string; stepSeconds: number } },
  span = "window",
): string {
  return `${d.source.kind} · ${d.source.detail} · ${span} ${windowText(d.window)}`;
}

/** "usage: demo (high confidence)", or "usage: none..." with what that means for the output. */
export function usageText(u: { source: string; confidence: string }, none = "usage: none"): string {
  return u.source === "none" ? none : `usage: ${u.source} (${u.confidence} confidence)`;
}

/** The partial marker line every table output ends its header with, when partial. */
export function partialLines(partial: { partial: boolean; problems: readonly string[] }): string[] {
  if (!partial.partial) return [];
  const shown = partial.problems.slice(0, 5);
  const more = partial.problems.length - shown.length;
  return [
    `partial: ${shown.length ? shown.join("; ") : "some usage queries failed"}${more > 0 ? `; and ${more} more` : ""}`,
  ];
}

/** The top of a table output: the title in bold, the given lines, the partial marker in yellow. */
export function textHead(
  style: Style,
  title: string,
  lines: readonly string[],
  partial: { partial: boolean; problems: readonly string[] },
): string[] {
  return [style.bold(title), ...lines, ...partialLines(partial).map((l) => style.yellow(l))];
}

/** Notes, dimmed, one a line. */
export function textNotes(style: Style, notes: readonly string[]): string[] {
  return notes.map((n) => style.dim(`note: ${n}`));
}

/** A window as "7d ending 2026-11-20 12:00 UTC (1h step)". */
export function windowText(w: { start: Date | string; end: Date | string; stepSeconds: number }): string {
  const start = new Date(w.start).getTime();
  const end = new Date(w.end).getTime();
  const span = (end - start) / 1000;
  const unit = (s: number): string =>
    s % 86400 === 0
      ? `${s / 86400}d`
      : s % 3600 === 0
        ? `${s / 3600}h`
        : s % 60 === 0
          ? `${s / 60}m`
          : `${s}s`;
  return `${unit(span)} ending ${new Date(end).toISOString().slice(0, 16).replace("T", " ")} UTC (${unit(w.stepSeconds)} step)`;
}

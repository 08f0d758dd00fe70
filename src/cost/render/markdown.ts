/** Markdown pieces shared by the cost renderers: the page head, sections, tables, fences, notes. */
import { partialLines } from "./format.js";

/** A cell: pipes escaped, line breaks as <br> so a row stays one line. */
export function mdCell(s: string | number): string {
  return String(s).replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

export function mdTable(head: readonly string[], rows: readonly (string | number)[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => " --- ").join("|")}|`,
    ...rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`),
  ].join("\n");
}

/** A fenced block (sh for commands, yaml for manifests), fenced longer than any fence inside. */
export function mdFence(text: string, lang = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** The top of a page: the title, the header line, the usage line and the partial marker. */
export function mdHead(
  title: string,
  header: string,
  usage: string,
  partial: { partial: boolean; problems: readonly string[] },
): string[] {
  return [`# ${title}`, "", header, "", usage, ...partialLines(partial).map((l) => `\n> **${l}**`), ""];
}

/** A section: its heading, then each block followed by a blank line. */
export function mdSection(heading: string, ...blocks: readonly string[]): string[] {
  return [`## ${heading}`, "", ...blocks.flatMap((b) => [b, ""])];
}

export function mdNotes(notes: readonly string[]): string[] {
  return notes.map((n) => `- note: ${n}`);
}

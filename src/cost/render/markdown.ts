/** Markdown pieces shared by the cost renderers of waste, quick wins and advisories. */

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

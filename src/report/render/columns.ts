/** kubectl-style aligned columns: no borders, two spaces between columns, ANSI-aware widths. */
import { stripVTControlCharacters } from "node:util";
import Table from "cli-table3";

const NO_BORDER = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "  ",
};

/**
 * Rows above which a table is aligned here rather than by cli-table3: a scan of 150,000 pods
 * has 167,000 findings, and cli-table3 overflows the stack on that many rows (it spreads them
 * into one call) and, chunked, still takes 40 s and 2 GB. Columns are padded to the widest
 * visible cell (ANSI codes stripped), which is what cli-table3 does for the ASCII text day2
 * writes, so both paths print the same table.
 */
const LIBRARY_ROWS = 2000;

export function columns(head: string[], rows: (string | number)[][], indent = ""): string {
  if (rows.length <= LIBRARY_ROWS) return render(head, rows, indent);
  const all = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map(() => 0);
  for (const r of all)
    for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, visibleWidth(r[i]!));
  const lines: string[] = [];
  for (const r of all) {
    let line = indent;
    for (let i = 0; i < r.length; i++) {
      const cell = r[i]!;
      line += i === r.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleWidth(cell) + 2);
    }
    lines.push(line.trimEnd());
  }
  return lines.join("\n");
}

function render(head: string[], rows: (string | number)[][], indent: string): string {
  const table = new Table({
    head,
    chars: NO_BORDER,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
  });
  for (const r of rows) table.push(r.map(String));
  return table
    .toString()
    .split("\n")
    .map((l) => indent + l.trimEnd())
    .join("\n");
}

/** Display columns of a cell (day2 writes no wide characters into table cells). */
function visibleWidth(s: string): number {
  return stripVTControlCharacters(s).length;
}

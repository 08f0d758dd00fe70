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
  return [...columnChunks(head, rows, indent)].join("").slice(0, -1);
}

/**
 * The same table as `columns`, as chunks of lines each ending in a newline, so a long table is
 * written as it is aligned instead of being held as one string (a 167,000-row findings table
 * is about 30 MB of text, held several times over while joined).
 */
export function* columnChunks(
  head: string[],
  rows: (string | number)[][],
  indent = "",
  linesPerChunk = 2000,
): Generator<string> {
  if (rows.length <= LIBRARY_ROWS) {
    yield render(head, rows, indent) + "\n";
    return;
  }
  const widths = columnWidths(head, rows);
  // The head line counts towards the first chunk's lines.
  const first = Math.min(rows.length, linesPerChunk - 1);
  yield alignedLines([head], 0, 1, widths, indent) + alignedLines(rows, 0, first, widths, indent);
  for (let start = first; start < rows.length; start += linesPerChunk)
    yield alignedLines(rows, start, Math.min(rows.length, start + linesPerChunk), widths, indent);
}

// The loops below are plain functions, not part of the generator above: V8 does not optimise a
// generator's loop while it runs, and these run over every cell of a 167,000-row table.

function columnWidths(head: readonly string[], rows: readonly (readonly (string | number)[])[]): number[] {
  const widths = head.map((h) => visibleWidth(h));
  for (const r of rows)
    for (let i = 0; i < r.length; i++) {
      const w = visibleWidth(String(r[i]));
      if (w > (widths[i] ?? 0)) widths[i] = w;
    }
  return widths;
}

/** Rows [start, end) as aligned lines, each ending in a newline. */
function alignedLines(
  rows: readonly (readonly (string | number)[])[],
  start: number,
  end: number,
  widths: readonly number[],
  indent: string,
): string {
  let text = "";
  for (let j = start; j < end; j++) {
    const r = rows[j]!;
    let out = indent;
    for (let i = 0; i < r.length; i++) {
      const cell = String(r[i]);
      out += i === r.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleWidth(cell) + 2);
    }
    text += out.trimEnd() + "\n";
  }
  return text;
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
  // Most cells hold no colour: skip the regular expression for them.
  return s.includes("\u001b") ? stripVTControlCharacters(s).length : s.length;
}

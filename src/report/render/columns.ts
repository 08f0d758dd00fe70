/** kubectl-style aligned columns: no borders, two spaces between columns, ANSI-aware widths. */
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

export function columns(head: string[], rows: (string | number)[][], indent = ""): string {
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

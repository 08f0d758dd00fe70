import { test } from "node:test";
import assert from "node:assert/strict";
import { columnChunks, columns } from "./columns.js";

function rows(n: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < n; i++)
    out.push([
      i % 3 ? "\x1b[31mHIGH\x1b[39m" : "LOW",
      `rule-${i % 17}`,
      i % 5 ? `ns-${i % 300}` : "-",
      `Pod/p${i * 7}`,
      `message ${"x".repeat(i % 40)}  `,
    ]);
  return out;
}

test("columns: a long table is aligned exactly as cli-table3 aligns a short one", () => {
  const head = ["SEVERITY", "RULE", "NAMESPACE", "OBJECT", "MESSAGE"];
  const long = rows(2500);
  // The same widths in a short table: the longest cell of each column among the first rows.
  const short = long.slice(0, 2000);
  const fromLibrary = columns(head, short, "  ").split("\n");
  const aligned = columns(head, long, "  ").split("\n");
  assert.equal(aligned.length, 2501);
  assert.deepEqual(aligned.slice(0, 2001), fromLibrary);
});

test("columns: 170,000 rows (a 5,000-node scan's findings) render without overflowing the stack", () => {
  const out = columns(
    ["A", "B"],
    Array.from({ length: 170_000 }, (_, i) => [`r${i}`, "m"]),
  );
  const lines = out.split("\n");
  assert.equal(lines.length, 170_001);
  assert.equal(lines[0], "A        B");
  assert.equal(lines[170_000], "r169999  m");
});

test("columnChunks: the same table as columns, in chunks that each end in a newline", () => {
  const head = ["SEVERITY", "RULE", "NAMESPACE", "OBJECT", "MESSAGE"];
  for (const n of [3, 2500]) {
    const chunks = [...columnChunks(head, rows(n), "  ", 1000)];
    assert.equal(chunks.join(""), columns(head, rows(n), "  ") + "\n");
    for (const c of chunks) assert.ok(c.endsWith("\n"));
    assert.equal(chunks.length, n === 3 ? 1 : 3);
  }
});

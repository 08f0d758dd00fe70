/**
 * Source locations of manifest objects: the file and the 1-based line each object starts on,
 * for YAML documents, YAML and JSON List items, single and concatenated JSON objects; none
 * for stdin. The JSON splitter counts lines right at every chunk boundary.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SourceLocation } from "../state/raw.js";
import { readInputs } from "./read.js";
import { readJsonStream } from "./json-stream.js";

const TMP = mkdtempSync(join(tmpdir(), "day2-locations-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

async function located(file: string): Promise<string[]> {
  const out: string[] = [];
  await readInputs([file], (o, at?: SourceLocation) =>
    out.push(`${o.metadata?.name}@${at ? `${at.file === file ? "" : at.file}${at.line}` : "-"}`),
  );
  return out;
}

test("YAML: documents, a List nested in a List, flow mappings, CRLF line ends", async () => {
  const file = join(TMP, "app.yaml");
  const text = [
    "# leading comment", // 1
    "apiVersion: v1", // 2
    "kind: ConfigMap",
    "metadata: { name: a }",
    "---", // 5
    "---",
    "kind: List", // 7
    "items:",
    "  - kind: ConfigMap", // 9
    "    metadata: { name: b }",
    "  - kind: List", // 11
    "    items:",
    "      - {kind: ConfigMap, metadata: {name: c}}", // 13
    "      -",
    "        kind: ConfigMap", // 15
    "        metadata:",
    "          name: d",
    "--- # trailing comment", // 18
    "",
    "kind: ConfigMap", // 20
    "metadata: { name: e }",
  ].join("\r\n");
  writeFileSync(file, text);
  assert.deepEqual(await located(file), ["a@2", "b@9", "c@13", "d@15", "e@20"]);
});

test("JSON: a List's items, single and concatenated objects", async () => {
  const list = join(TMP, "list.json");
  writeFileSync(
    list,
    JSON.stringify(
      { kind: "ConfigMapList", items: [{ metadata: { name: "a\nb" } }, { metadata: { name: "c" } }] },
      null,
      2,
    ),
  );
  // The escaped newline in a name is no line break: items start on lines 4 and 9.
  assert.deepEqual(await located(list), ["a\nb@4", "c@9"]);
  const many = join(TMP, "many.json");
  writeFileSync(
    many,
    `${JSON.stringify({ kind: "ConfigMap", metadata: { name: "x" } })}\n\n${JSON.stringify({ kind: "ConfigMap", metadata: { name: "y" } }, null, 1)}\n`,
  );
  assert.deepEqual(await located(many), ["x@1", "y@3"]);
  const bare = join(TMP, "bare.json");
  writeFileSync(
    bare,
    '[\n  {"kind": "ConfigMap", "metadata": {"name": "p"}},\n\n  {"kind": "ConfigMap", "metadata": {"name": "q"}}\n]',
  );
  assert.deepEqual(await located(bare), ["p@2", "q@4"]);
});

test("the JSON splitter's lines are right at every chunk boundary", async () => {
  const text = JSON.stringify(
    {
      kind: "List",
      items: [
        { kind: "A", metadata: { name: '}\n"{' } },
        { kind: "B", metadata: { name: "y" } },
      ],
    },
    null,
    2,
  );
  for (let size = 1; size <= text.length; size++) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    const got: string[] = [];
    await readJsonStream(
      (async function* () {
        yield* chunks;
      })(),
      "t",
      (o, _position, line) => got.push(`${o.kind}@${line}`),
    );
    assert.deepEqual(got, ["A@4", "B@10"], `chunk size ${size}`);
  }
});

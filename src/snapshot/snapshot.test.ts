import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../state/raw.js";
import { readInputs } from "./read.js";
import { readJsonStream } from "./json-stream.js";
import { SnapshotWriter } from "./write.js";
import { loadSnapshot } from "./load.js";
import { InputError } from "./errors.js";

const FIXTURE = fileURLToPath(new URL("../../test/fixtures/state/small-cluster.yaml", import.meta.url));
const objects = (): KubeObject[] =>
  parseAllDocuments(readFileSync(FIXTURE, "utf8")).map(
    (d) => (Array.isArray(d) ? d[0] : d).toJS() as KubeObject,
  );
const ROOT = mkdtempSync(join(tmpdir(), "day2-snap-"));
after(() => rmSync(ROOT, { recursive: true, force: true }));
const dir = (): string => mkdtempSync(join(ROOT, "t-"));

async function names(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  await readInputs(paths, (o) => out.push(`${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`));
  return out;
}

async function rejects(paths: string[], pattern: RegExp): Promise<void> {
  await assert.rejects(
    readInputs(paths, () => undefined),
    (err: unknown) => {
      assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

const EXPECTED = objects().map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`);

test("day2 format round trip (gzip): header, coverage and every object", async () => {
  const d = dir();
  const file = join(d, "s.ndjson.gz");
  const w = new SnapshotWriter(file);
  for (const o of objects()) w.write(o);
  await w.finish({
    source: "live",
    context: "prod",
    collectedAt: "2026-11-20T12:00:00Z",
    cluster: { gitVersion: "v1.34.2" },
    coverage: [{ kind: "Role", status: "not-permitted", count: 0, reason: "list roles: forbidden" }],
  });
  assert.deepEqual(readFileSync(file).subarray(0, 2), Buffer.from([0x1f, 0x8b]));
  assert.deepEqual(await names([file]), EXPECTED);
  const { state, summary } = await loadSnapshot([file]);
  assert.equal(summary.header?.objects, EXPECTED.length);
  assert.equal(state.info.version?.gitVersion, "v1.34.2");
  assert.equal(state.coverage.get("Role")?.status, "not-permitted");
  assert.equal(state.coverage.get("Pod")?.status, "collected", "kinds present in the file were collected");
  assert.equal(
    state.coverage.get("Lease")?.status,
    "not-collected",
    "kinds neither listed nor present were not collected",
  );
  assert.equal(state.count("Pod"), 3);
  // Stripped on write: no managedFields, no last-applied, and secret data never stored.
  const text = (await import("node:zlib")).gunzipSync(readFileSync(file)).toString();
  assert.equal(text.includes("managedFields"), false);
  assert.equal(text.includes("last-applied-configuration"), false);
  assert.equal(existsSync(`${file}.body-${process.pid}.tmp`), false);
});

test("day2 format without gzip reads the same", async () => {
  const file = join(dir(), "s.ndjson");
  const w = new SnapshotWriter(file);
  for (const o of objects()) w.write(o);
  await w.finish({ source: "demo", collectedAt: "2026-11-20T12:00:00Z", coverage: [] });
  assert.deepEqual(await names([file]), EXPECTED);
});

test("a kubectl List, pretty printed, streamed item by item", async () => {
  const file = join(dir(), "list.json");
  writeFileSync(
    file,
    JSON.stringify(
      { apiVersion: "v1", kind: "List", items: objects(), metadata: { resourceVersion: "" } },
      null,
      2,
    ),
  );
  assert.deepEqual(await names([file]), EXPECTED);
});

test("an API PodList whose items carry no kind gets it from the list", async () => {
  const file = join(dir(), "pods.json");
  const pods = objects()
    .filter((o) => o.kind === "Pod")
    .map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  writeFileSync(file, JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: {}, items: pods }));
  const got: KubeObject[] = [];
  await readInputs([file], (o) => got.push(o));
  assert.equal(got.length, 3);
  assert.ok(got.every((o) => o.kind === "Pod" && o.apiVersion === "v1"));
});

test("the JSON splitter is correct at every chunk boundary", async () => {
  const text = JSON.stringify({
    kind: "List",
    apiVersion: "v1",
    items: [
      { kind: "A", metadata: { name: 'x"}]{[' } },
      { kind: "B", metadata: { name: "y\\" } },
    ],
  });
  for (let size = 1; size <= text.length; size++) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    const got: string[] = [];
    await readJsonStream(
      (async function* () {
        yield* chunks;
      })(),
      "t",
      (o) => got.push(`${o.kind}:${o.metadata?.name}`),
    );
    assert.deepEqual(got, ['A:x"}]{[', "B:y\\"], `chunk size ${size}`);
  }
});

test("single objects, concatenated objects and several files", async () => {
  const d = dir();
  const [a, b] = objects();
  writeFileSync(join(d, "one.json"), JSON.stringify(a, null, 2));
  writeFileSync(join(d, "two.json"), `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`);
  assert.deepEqual(await names([join(d, "one.json"), join(d, "two.json")]), [
    EXPECTED[0],
    EXPECTED[0],
    EXPECTED[1],
  ]);
});

test("YAML: a directory of multi-document files, with a List inside and empty documents", async () => {
  const d = dir();
  mkdirSync(join(d, "sub"));
  writeFileSync(join(d, "a.yaml"), readFileSync(FIXTURE));
  writeFileSync(
    join(d, "sub", "b.yml"),
    "---\n---\napiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: x, namespace: y}}\n",
  );
  writeFileSync(join(d, "README.txt"), "not a manifest");
  const got = await names([d]);
  assert.deepEqual(got, [...EXPECTED, "ConfigMap/y/x"]);
});

test("a gzipped kubectl List is detected by its bytes, not its name", async () => {
  const file = join(dir(), "list.data");
  writeFileSync(file, gzipSync(JSON.stringify({ kind: "List", items: objects() })));
  assert.deepEqual(await names([file]), EXPECTED);
});

test("garbage: each case names the file and position", async () => {
  const d = dir();
  const f = (name: string, content: string | Buffer): string => {
    writeFileSync(join(d, name), content);
    return join(d, name);
  };
  await rejects(
    [f("bin.dat", Buffer.from([0, 1, 2, 3, 255, 254]))],
    /bin\.dat.*not (valid YAML|a Kubernetes object)/,
  );
  await rejects(
    [f("prose.txt", "hello world, this is not a manifest")],
    /prose\.txt \(document 1\): not a Kubernetes object/,
  );
  await rejects(
    [f("bad.yaml", "kind: Pod\nmetadata: {name: [unclosed\n")],
    /bad\.yaml \(document 1, line \d+\): not valid YAML/,
  );
  await rejects(
    [
      f(
        "nokind.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n",
      ),
    ],
    /nokind\.yaml \(document 2\): object has no kind/,
  );
  await rejects(
    [
      f(
        "nometa.json",
        JSON.stringify({ kind: "List", items: [{ kind: "Pod", metadata: { name: "a" } }, { kind: "Pod" }] }),
      ),
    ],
    /nometa\.json \(item 2\): Pod has no metadata/,
  );
  await rejects(
    [f("trunc.json", JSON.stringify({ kind: "List", items: objects() }).slice(0, 500))],
    /trunc\.json \(end of input\): truncated JSON/,
  );
  await rejects(
    [f("badjson.json", '{"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": x}}]}')],
    /badjson\.json \(item 1\): not valid JSON/,
  );
  await rejects([f("empty.json", "   \n")], /empty\.json: empty input/);
  await rejects([join(d, "missing.json")], /missing\.json: cannot read: ENOENT/);
  await rejects(
    [
      f(
        "version.ndjson",
        JSON.stringify({ day2Snapshot: 99, source: "live", collectedAt: "x", coverage: [] }) + "\n",
      ),
    ],
    /version\.ndjson \(line 1\): unsupported snapshot schema version 99/,
  );
  await rejects(
    [f("header.ndjson", JSON.stringify({ day2Snapshot: 1, source: "mars" }) + "\n")],
    /header\.ndjson \(line 1\): bad snapshot header: source/,
  );
  const good = join(d, "good.ndjson.gz");
  const w = new SnapshotWriter(good);
  for (let i = 0; i < 300; i++) for (const o of objects()) w.write(structuredClone(o));
  await w.finish({ source: "live", collectedAt: "2026-11-20T12:00:00Z", coverage: [] });
  const bytes = readFileSync(good);
  await rejects(
    [f("cut.ndjson.gz", bytes.subarray(0, bytes.length - 200))],
    /cut\.ndjson\.gz: truncated or corrupt gzip data/,
  );
  const lines = readFileSync(good);
  const plain = (await import("node:zlib")).gunzipSync(lines).toString().split("\n");
  await rejects(
    [f("short.ndjson", plain.slice(0, 50).join("\n"))],
    /short\.ndjson \(line \d+\): truncated snapshot: header promises \d+ objects, found 49/,
  );
  await rejects(
    [f("line3.ndjson", [plain[0], plain[1], '{"metadata":{}}'].join("\n"))],
    /line3\.ndjson \(line 3\): object has no kind/,
  );
});

test("a failed save leaves an earlier snapshot untouched", async () => {
  const d = dir();
  const file = join(d, "keep.ndjson");
  writeFileSync(file, "previous");
  const w = new SnapshotWriter(file);
  w.write(objects()[0]!);
  w.abort();
  assert.equal(readFileSync(file, "utf8"), "previous");
});

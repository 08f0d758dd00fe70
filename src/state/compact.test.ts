import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { ClusterStateBuilder } from "./builder.js";
import { CompactDecoder, CompactEncoder, CompactError, projectionFingerprint } from "./compact.js";
import type { ProjectedKind, Projection } from "./types.js";
import { generateDemo } from "../demo/index.js";
import { RULES } from "../checks/index.js";
import { runRules } from "../checks/run.js";
import { SnapshotWriter } from "../snapshot/write.js";
import { loadSnapshot } from "../snapshot/load.js";
import { InputError } from "../snapshot/errors.js";
import { KINDS } from "../state/kinds.js";
import { fromLabelSelector } from "./selector.js";
import { PROJECTION_FINGERPRINT } from "./projection-fingerprint.js";
import { computeProjectionFingerprint } from "../../scripts/projection-fingerprint.js";

test("the projection fingerprint matches the projection code (else run npm run docs)", () => {
  assert.equal(PROJECTION_FINGERPRINT, computeProjectionFingerprint(), "stale: run `npm run docs`");
});

function demoBuilder(): ClusterStateBuilder {
  const b = new ClusterStateBuilder({ source: "demo", sourceDetail: "test", collectedAt: 0 });
  for (const o of generateDemo({ seed: 7, nodes: 12 })) b.add(o);
  return b;
}

function roundTrip(b: ClusterStateBuilder): ClusterStateBuilder {
  const enc = new CompactEncoder();
  const out = new ClusterStateBuilder({ source: "demo", sourceDetail: "test", collectedAt: 0 });
  const dec = new CompactDecoder((kind, item) => out.addProjection(kind, item as never));
  for (const [kind, items] of b.projections())
    for (const line of enc.encodeKind(kind, items)) dec.line(JSON.parse(line));
  return out;
}

test("decoded projections equal the originals and judge identically", () => {
  const original = demoBuilder();
  const decoded = roundTrip(original);
  const a = original.build({ complete: true });
  const b = decoded.build({ complete: true });
  for (const { kind } of KINDS) {
    const k = kind as ProjectedKind;
    assert.equal(b.count(k), a.count(k), kind);
    // Selectors are class instances; compare their parts and text, and the rest structurally.
    assert.deepEqual(JSON.parse(JSON.stringify(b.list(k))), JSON.parse(JSON.stringify(a.list(k))), kind);
  }
  const ctx = { now: Date.parse("2026-11-20T12:00:00Z") };
  const ra = runRules(a, RULES, ctx);
  const rb = runRules(b, RULES, ctx);
  assert.ok(ra.findings.length > 100, "the demo has findings to compare");
  assert.deepEqual(rb.findings, ra.findings);
  assert.deepEqual(rb.outcomes, ra.outcomes);
});

test("shared values stay shared after decoding: one copy per interned object and selector text", () => {
  const decoded = roundTrip(demoBuilder()).build({ complete: true });
  const pods = decoded.list("Pod").filter((p) => p.owner?.kind === "ReplicaSet");
  const byOwner = new Map<string, (typeof pods)[number]>();
  let shared = 0;
  for (const p of pods) {
    const other = byOwner.get(p.owner!.name);
    if (other) {
      if (other.containers[0]?.security === p.containers[0]?.security) shared++;
      assert.equal(other.namespace, p.namespace);
    } else byOwner.set(p.owner!.name, p);
  }
  assert.ok(shared > 0, "pods of one ReplicaSet share their security contexts");
  // Shared, but not frozen: V8 iterates frozen arrays several times slower.
  assert.ok(!Object.isFrozen(pods[0]!.containers));
  const svc = decoded.list("Service").find((s) => !s.selector.matchesNone)!;
  assert.match(svc.selector.text, /=/);
  assert.ok(decoded.servicePods(svc).length >= 0);
});

test("selectors round-trip with their semantics", () => {
  const sel = fromLabelSelector({
    matchLabels: { app: "web" },
    matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }],
  });
  const enc = new CompactEncoder();
  const items = [{ kind: "X", selector: sel }] as unknown as Projection[];
  let got: unknown;
  const dec = new CompactDecoder((_k, item) => (got = item));
  for (const line of enc.encodeKind("Service", items)) dec.line(JSON.parse(line));
  const back = (got as { selector: typeof sel }).selector;
  assert.equal(back.text, sel.text);
  assert.deepEqual([...back.equals], [...sel.equals]);
  assert.equal(back.matchesAll, false);
});

test("numbers round-trip exactly: bare non-negative integers, boxed fractions and negatives", () => {
  const numbers = [
    0,
    1,
    7,
    2 ** 40,
    Number.MAX_SAFE_INTEGER - 1,
    Number.MAX_SAFE_INTEGER,
    -1,
    -2.5,
    0.25,
    1e300,
  ];
  const enc = new CompactEncoder();
  const items = [{ kind: "X", numbers }] as unknown as Projection[];
  let got: unknown;
  const dec = new CompactDecoder((_k, item) => (got = item));
  const lines = [...enc.encodeKind("Pod", items)];
  for (const line of lines) dec.line(JSON.parse(line));
  const back = (got as { numbers: number[] }).numbers;
  assert.equal(back.length, numbers.length);
  numbers.forEach((n, i) => assert.ok(Object.is(back[i], n), `${n} came back as ${back[i]}`));
  // Integers are bare (negative) numbers, not one-element boxes JSON.parse must allocate.
  assert.ok(lines.at(-1)!.includes(String(-(2 ** 40 + 1))), lines.at(-1));
});

test("table values with consecutive ids share lines, in order, and may refer to each other", () => {
  // One object holding 5,000 frozen objects, each holding the one before: 3 table lines at 2,048 a line.
  const shared: unknown[] = [];
  for (let i = 0; i < 5000; i++) shared.push(Object.freeze({ i, prev: shared[i - 1] }));
  const enc = new CompactEncoder();
  const lines = [...enc.encodeKind("Pod", [{ kind: "X", shared } as unknown as Projection])].map(
    (l) => JSON.parse(l) as unknown[],
  );
  assert.equal(lines.filter((l) => l[0] === "t").length, 3);
  let got: { shared: { i: number; prev: unknown }[] } | undefined;
  const dec = new CompactDecoder((_k, item) => (got = item as never));
  for (const line of lines) dec.line(line);
  assert.equal(got!.shared.length, 5000);
  assert.equal(got!.shared[4999]!.i, 4999);
  assert.equal(got!.shared[4999]!.prev, got!.shared[4998], "shared, not copied");
  assert.equal(got!.shared[1]!.prev, got!.shared[0]);
});

test("values that cannot round-trip are refused, not silently changed", () => {
  const enc = new CompactEncoder();
  for (const bad of [{ a: null }, { a: Number.NaN }, { a: new Date(0) }, { a: () => 1 }]) {
    assert.throws(() => [...enc.encodeKind("Pod", [bad as unknown as Projection])], CompactError);
  }
});

test("garbage lines are CompactErrors", () => {
  const dec = new CompactDecoder(() => undefined);
  const ref = (k: number) => k * 4;
  const shape = (k: number) => k * 4 + 1;
  const array = (n: number) => n * 4 + 2;
  for (const bad of [
    "x",
    [],
    ["q", 1, 2, []],
    ["o", "NoSuchKind", 0, []],
    ["o", "Pod", 1, "not a list"],
    ["o", "Pod", -1, []],
    ["o", "Pod", 1, [shape(7)]], // shape never defined
    ["o", "Pod", 1, [ref(3)]], // reference never defined
    ["o", "Pod", 1, [2 * 4 + 3]], // no such special token
    ["o", "Pod", 1, [3, "x"]], // a boxed number that is not one
    ["o", "Pod", 1, [array(100), null]], // more items announced than the line holds
    ["o", "Pod", 2, [null]], // the line ends inside the second value
    ["o", "Pod", 1, [null, null]], // tokens left over
    ["o", "Pod", 1, [{ not: "encoded" }]],
    ["o", "Pod", 1, [1.5]],
    ["o", "Pod", 1, [2 ** 40]], // past the token range
    ["s", 1, ["__proto__"]],
    ["s", 1, [5]],
    ["t", 0, 1, ["id 0 is no reference"]],
    ["t", 1, 1, [ref(1)]], // refers to itself before it is defined
    ["t", 1, 1, "x"],
  ]) {
    assert.throws(() => dec.line(bad), CompactError, JSON.stringify(bad));
  }
});

test("snapshots carry stored projections; loading uses them only for the same projection code", async () => {
  const dir = mkdtempSync(join(tmpdir(), "day2-compact-"));
  try {
    const file = join(dir, "s.ndjson.gz");
    const w = new SnapshotWriter(file);
    for (const o of generateDemo({ seed: 7, nodes: 12 })) w.write(o);
    await w.finish({
      source: "demo",
      collectedAt: "2026-11-20T12:00:00Z",
      coverage: KINDS.map((k) => ({ kind: k.kind, status: "collected" as const, count: 0 })),
    });
    const text = gunzipSync(readFileSync(file)).toString("utf8");
    const lines = text.split("\n");
    const header = JSON.parse(lines[0]!) as {
      day2Snapshot: number;
      index: { fingerprint: string; lines: number };
    };
    assert.equal(header.day2Snapshot, 2);
    assert.equal(header.index.fingerprint, projectionFingerprint());

    const fast = await loadSnapshot([file]);
    assert.equal(fast.summary.fromIndex, true);

    // Another build's projection code: the raw objects are projected again, same result.
    header.index.fingerprint = "0".repeat(32);
    const stale = join(dir, "stale.ndjson.gz");
    writeFileSync(stale, gzipSync([JSON.stringify(header), ...lines.slice(1)].join("\n")));
    const slow = await loadSnapshot([stale]);
    assert.equal(slow.summary.fromIndex, undefined);
    const ctx = { now: Date.parse("2026-11-20T12:00:00Z") };
    assert.deepEqual(runRules(fast.state, RULES, ctx).findings, runRules(slow.state, RULES, ctx).findings);
    assert.equal(fast.state.count("Pod"), slow.state.count("Pod"));

    // A corrupt stored projection is an error naming the file and line, not a wrong answer.
    const corrupt = join(dir, "corrupt.ndjson.gz");
    const broken = [...lines];
    broken[2] = '["o","Pod",[[99999,1]]]';
    writeFileSync(corrupt, gzipSync(broken.join("\n")));
    await assert.rejects(loadSnapshot([corrupt]), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /corrupt\.ndjson\.gz.*line 3.*stored projection/);
      return true;
    });

    // Cut inside the stored projections.
    const cut = join(dir, "cut.ndjson.gz");
    writeFileSync(cut, gzipSync(lines.slice(0, 3).join("\n")));
    await assert.rejects(loadSnapshot([cut]), /stored projections end early|truncated/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

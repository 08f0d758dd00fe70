/** --baseline: new and fixed findings against a saved run, and garbage baseline files. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { InputError } from "../snapshot/errors.js";
import type { Finding } from "../checks/index.js";
import { diffBaseline, parseBaseline } from "./baseline.js";

function f(rule: string, name: string, container?: string, message = "m"): Finding {
  return {
    object: { kind: "Pod", namespace: "shop", name },
    message,
    evidence: { n: 1 },
    rule,
    severity: "high",
    category: "health",
    title: rule,
    runbook: `runbooks/${rule}.md`,
    ...(container ? { container } : {}),
  };
}

function doc(findings: Finding[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: "day2.dev/v1alpha1",
    kind: "Report",
    generatedAt: "2026-11-01T00:00:00.000Z",
    findings,
    ...extra,
  });
}

test("new, unchanged, fixed and unknown: matched by rule, object and container, not by message", () => {
  const base = parseBaseline(
    doc([
      f("pod-crash-loop", "a", "c", "12 restarts"),
      f("pod-oom-killed", "b"),
      f("pod-pending", "gone"),
      f("node-x", "n"),
    ]),
    "base.json",
  );
  const current = [
    f("pod-crash-loop", "a", "c", "40 restarts"),
    f("pod-oom-killed", "b"),
    f("pod-oom-killed", "b-new"),
    f("pod-crash-loop", "a", "other"),
  ];
  const { fresh, summary } = diffBaseline(current, base, {
    evaluated: new Set(["pod-crash-loop", "pod-oom-killed", "pod-pending"]),
  });
  assert.deepEqual(
    fresh.map((x) => `${x.rule} ${x.object.name} ${x.container ?? ""}`),
    ["pod-oom-killed b-new ", "pod-crash-loop a other"],
  );
  assert.equal(summary.new, 2);
  assert.equal(summary.unchanged.length, 2);
  assert.deepEqual(
    summary.fixed.map((x) => x.object.name),
    ["gone"],
  );
  assert.deepEqual(
    summary.unknown.map((x) => x.rule),
    ["node-x"],
    "a rule that did not run cannot say the finding is fixed",
  );
  assert.equal(summary.generatedAt, "2026-11-01T00:00:00.000Z");
});

test("multisets: two findings with one key against one known leave one new; a suppressed one is not fixed", () => {
  const base = parseBaseline(doc([f("node-pressure", "n1"), f("pod-pending", "p")]), "base.json");
  const { fresh, summary } = diffBaseline([f("node-pressure", "n1"), f("node-pressure", "n1")], base, {
    stillThere: [f("pod-pending", "p")],
    evaluated: new Set(["node-pressure", "pod-pending"]),
  });
  assert.equal(fresh.length, 1);
  assert.deepEqual(summary.fixed, []);
});

test("a baseline taken with --baseline carries its known findings, so chaining baselines works", () => {
  const base = parseBaseline(
    doc([f("pod-oom-killed", "new-one")], { baseline: { unchanged: [f("pod-crash-loop", "old")] } }),
    "chain.json",
  );
  assert.equal(base.findings.length, 2);
  const { fresh } = diffBaseline([f("pod-crash-loop", "old"), f("pod-oom-killed", "new-one")], base, {
    evaluated: new Set(),
  });
  assert.deepEqual(fresh, []);
  // -o yaml output is accepted too.
  assert.equal(
    parseBaseline("apiVersion: day2.dev/v1alpha1\nkind: Report\nfindings: []\n", "b.yaml").findings.length,
    0,
  );
});

test("garbage baselines: one line naming the file", () => {
  const cases: [string, RegExp][] = [
    ["{ not json", /^base\.json: not a day2 scan -o json output: not valid JSON or YAML$/],
    ["", /^base\.json: not a day2 scan -o json output: expected object, received null$/],
    [
      '{"kind": "List", "items": []}',
      /^base\.json: not a day2 scan -o json output: apiVersion: expected "day2\.dev\/v1alpha1"$/,
    ],
    [
      '{"apiVersion": "day2.dev/v1alpha1", "kind": "Report"}',
      /^base\.json: not a day2 scan -o json output: findings: expected array, received undefined$/,
    ],
    [
      '{"apiVersion": "day2.dev/v1alpha1", "kind": "Report", "findings": [{"rule": 7}]}',
      /^base\.json: not a day2 scan -o json output: findings\[0\]\.rule: expected string, received number$/,
    ],
  ];
  for (const [source, pattern] of cases) {
    assert.throws(
      () => parseBaseline(source, "base.json"),
      (err: unknown) => err instanceof InputError && pattern.test(err.message) && !err.message.includes("\n"),
      source,
    );
  }
});

/** day2.yaml validation: garbage gets one clear line naming the file and the field path. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../snapshot/errors.js";
import { RULES } from "../checks/index.js";
import { applyRuleConfig, loadConfig, parseConfig, parseExpiry } from "./config.js";

function error(source: string): string {
  try {
    parseConfig(source, "day2.yaml");
  } catch (err) {
    assert.ok(err instanceof InputError, `an InputError, got ${String(err)}`);
    assert.equal(err.message.split("\n").length, 1, `one line: ${err.message}`);
    return err.message;
  }
  assert.fail(`accepted: ${source}`);
}

test("a valid day2.yaml: rules, suppressions with reason and expiry", () => {
  const cfg = parseConfig(
    `apiVersion: day2.dev/v1alpha1
kind: Config
rules:
  pod-high-restarts: { enabled: false }
  image-latest-tag: { severity: low }
suppressions:
  - rule: container-run-as-root
    namespace: monitoring
    name: node-exporter*
    kind: DaemonSet
    selector: app=node-exporter
    reason: "  reads /proc of the node  "
    expires: 2027-01-31
`,
    "day2.yaml",
  );
  assert.deepEqual(cfg.rules, {
    "pod-high-restarts": { enabled: false },
    "image-latest-tag": { severity: "low" },
  });
  assert.equal(cfg.suppressions.length, 1);
  assert.equal(cfg.suppressions[0]!.reason, "reads /proc of the node");
  assert.equal(cfg.suppressions[0]!.expires, "2027-01-31");
  assert.equal(cfg.suppressions[0]!.index, 0);
  assert.deepEqual(parseConfig("", "day2.yaml").suppressions, [], "an empty file is an empty config");
});

test("garbage: each a clear one-line error naming the file and the field path", () => {
  const cases: [string, RegExp][] = [
    ["rules: [oops\nsuppressions: {", /^day2\.yaml \(line \d+, column \d+\): not valid YAML: /],
    ["- just\n- a list", /^day2\.yaml: expected a mapping \(rules:, suppressions:\), got a list$/],
    [
      "rules:\n  pod-crash-loop:\n    severity: urgent",
      /^day2\.yaml: rules\.pod-crash-loop\.severity: expected one of critical\|high\|medium\|low\|info$/,
    ],
    [
      "rules:\n  pod-crash-loop:\n    enabled: nope",
      /^day2\.yaml: rules\.pod-crash-loop\.enabled: expected true or false, got string "nope"$/,
    ],
    [
      "rules:\n  pod-crash-lop: { enabled: false }",
      /^day2\.yaml: rules\.pod-crash-lop: unknown rule id "pod-crash-lop" \(did you mean pod-crash-loop\?\)$/,
    ],
    [
      "rules:\n  pod-crash-loop: { colour: red }",
      /^day2\.yaml: rules\.pod-crash-loop: unknown field "colour"$/,
    ],
    ["suppressions: true", /^day2\.yaml: suppressions: expected a list of suppressions, got boolean true$/],
    [
      "suppressions:\n  - rule: no-such-rule\n    reason: r\n    expires: 2027-01-01",
      /^day2\.yaml: suppressions\[0\]\.rule: unknown rule id "no-such-rule"/,
    ],
    [
      "suppressions:\n  - rule: pod-crash-loop\n    expires: 2027-01-01",
      /^day2\.yaml: suppressions\[0\]\.reason: required: a reason$/,
    ],
    [
      "suppressions:\n  - rule: pod-crash-loop\n    reason: '  '\n    expires: 2027-01-01",
      /^day2\.yaml: suppressions\[0\]\.reason: must not be empty/,
    ],
    [
      "suppressions:\n  - rule: pod-crash-loop\n    reason: r",
      /^day2\.yaml: suppressions\[0\]\.expires: required: a date \(YYYY-MM-DD\)$/,
    ],
    [
      "suppressions:\n  - rule: pod-crash-loop\n    reason: r\n    expires: next week",
      /^day2\.yaml: suppressions\[0\]\.expires: expected a date \(YYYY-MM-DD\), got "next week"$/,
    ],
    [
      "suppressions:\n  - rule: pod-crash-loop\n    reason: r\n    expires: 2027-02-30",
      /^day2\.yaml: suppressions\[0\]\.expires: expected a date \(YYYY-MM-DD\), got "2027-02-30"$/,
    ],
    [
      "suppressions:\n  - rule: pod-crash-loop\n    reason: r\n    expires: 20270101",
      /^day2\.yaml: suppressions\[0\]\.expires: expected a date \(YYYY-MM-DD\), got number 20270101$/,
    ],
    [
      "suppressions:\n  - rule: pod-crash-loop\n    reason: r\n    expires: 2027-01-01\n    selector: 'a b c'",
      /^day2\.yaml: suppressions\[0\]\.selector: invalid label selector/,
    ],
    ["apiVersion: v2\nkind: Config", /^day2\.yaml: apiVersion: expected day2\.dev\/v1alpha1$/],
  ];
  for (const [source, pattern] of cases) assert.match(error(source), pattern, source);
  // Several problems: the first three, then a count.
  assert.match(
    error("rules:\n  a-1: {}\n  a-2: {}\n  a-3: {}\n  a-4: {}"),
    /rules\.a-1: .*; rules\.a-2: .*; rules\.a-3: .*; and 1 more$/,
  );
});

test("expiry: dates are midnight UTC, timestamps need a zone, impossible dates are rejected", () => {
  assert.equal(parseExpiry("2027-01-31"), Date.UTC(2027, 0, 31));
  assert.equal(parseExpiry("2027-01-31T10:00:00Z"), Date.UTC(2027, 0, 31, 10));
  assert.ok(Number.isNaN(parseExpiry("2027-01-31T10:00:00")));
  assert.ok(Number.isNaN(parseExpiry("2027-13-01")));
  assert.ok(Number.isNaN(parseExpiry("31/01/2027")));
});

test("loadConfig: --config must exist; ./day2.yaml is used when present, else nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "day2-config-"));
  try {
    assert.equal(loadConfig(undefined, dir), undefined);
    assert.throws(() => loadConfig(join(dir, "missing.yaml")), /missing\.yaml: cannot read: ENOENT/);
    writeFileSync(join(dir, "day2.yaml"), "rules:\n  pod-crash-loop: { severity: high }\n");
    assert.deepEqual(loadConfig(undefined, dir)?.rules, { "pod-crash-loop": { severity: "high" } });
    assert.equal(loadConfig(undefined, dir)?.file, "day2.yaml");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("applyRuleConfig: disabled rules become not-evaluated outcomes with the reason; severities are overridden on copies", () => {
  const cfg = parseConfig(
    "rules:\n  pod-high-restarts: { enabled: false }\n  image-latest-tag: { severity: low }\n",
    "team.yaml",
  );
  const r = applyRuleConfig(RULES, cfg);
  assert.equal(r.rules.length, RULES.length - 1);
  assert.equal(
    r.rules.find((x) => x.id === "pod-high-restarts"),
    undefined,
  );
  assert.deepEqual(r.disabled, [
    {
      rule: "pod-high-restarts",
      title: "Container restarts often",
      status: "not-evaluated",
      findings: 0,
      reason: "disabled in team.yaml",
    },
  ]);
  assert.equal(r.rules.find((x) => x.id === "image-latest-tag")?.severity, "low");
  assert.equal(
    RULES.find((x) => x.id === "image-latest-tag")?.severity,
    "medium",
    "the registry is untouched",
  );
  assert.deepEqual(r.overrides, [{ rule: "image-latest-tag", from: "medium", to: "low" }]);
});

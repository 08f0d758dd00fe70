/**
 * Custom rules as data: the Kubernetes CEL features day2 promises (quantity with comparisons,
 * matches/find, all/exists/exists_one/filter/map, has()) through rules over a small cluster;
 * load-time errors with rule id and position; evaluation errors as "error" outcomes; garbage
 * rule files; day2.yaml `customRules:`.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ClusterStateBuilder } from "../../state/builder.js";
import type { ClusterState } from "../../state/cluster-state.js";
import { readInputs } from "../../snapshot/read.js";
import { InputError } from "../../snapshot/errors.js";
import { parseConfig } from "../../config/config.js";
import { buildScan } from "../../report/scan.js";
import { RULES, runRules } from "../index.js";
import type { Rule } from "../index.js";
import { CEL_ENV, Quantity, builtinIds, celView, compile, loadRulePaths, parseRulesFile } from "./index.js";

const DIR = fileURLToPath(new URL("../../../test/fixtures/custom-rules/", import.meta.url));
const COLLECTED_AT = Date.parse("2026-11-20T12:00:00Z");
let state: ClusterState;

before(async () => {
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: COLLECTED_AT });
  await readInputs([`${DIR}cluster.yaml`], (o) => b.add(o));
  state = b.build({ complete: true });
});

function run(rules: readonly Rule[]) {
  return runRules(state, rules, { now: COLLECTED_AT });
}

/** Rule id -> sorted "name: message" of its findings. */
function byRule(rules: readonly Rule[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of run(rules).findings) (out[f.rule] ??= []).push(`${f.object.name}: ${f.message}`);
  for (const v of Object.values(out)) v.sort();
  return out;
}

/** A one-rule YAML list with the given expressions. */
function rule(fields: Record<string, string>): string {
  const all = {
    id: "r",
    title: "t",
    severity: "low",
    category: "configuration",
    kinds: "[Deployment]",
    message: "m",
    ...fields,
  };
  return `- ${Object.entries(all)
    .map(([k, v]) => `${k}: ${k === "kinds" ? v : JSON.stringify(v)}`)
    .join("\n  ")}\n`;
}

function load(text: string, file = "rules.yaml"): Rule[] {
  return parseRulesFile(text, file, builtinIds());
}

function loadError(text: string, file = "rules.yaml"): string {
  try {
    load(text, file);
  } catch (err) {
    assert.ok(err instanceof InputError, `an InputError, got ${String(err)}`);
    return err.message;
  }
  assert.fail("expected a load error");
}

test("quantity: exact parsing, comparisons and conversions", () => {
  const q = (s: string) => Quantity.parse(s);
  assert.equal(q("100m").compareTo(q("1")), -1);
  assert.ok(q("1").equals(q("1000m")));
  assert.ok(q("1Ki").equals(q("1024")));
  assert.ok(q("1.5Gi").equals(q("1536Mi")));
  assert.ok(q("1e3").equals(q("1k")));
  assert.equal(q("2k").asInteger(), 2000n);
  assert.equal(q("0.1").add(q("0.2")).toString(), "0.3", "exact, not 0.30000000000000004");
  assert.equal(q("500m").asApproximateFloat(), 0.5);
  assert.equal(q("-1").sign(), -1n);
  assert.equal(q("1.5").isInteger(), false);
  assert.throws(() => q("1.5").asInteger(), /fractional/);
  assert.equal(q("10Ei").isInteger(), false, "does not fit int64");
  assert.throws(() => q("1x"), /quantities must match/);
  assert.throws(() => q(""), /quantities must match/);
});

test("quantity() in CEL: isLessThan, isGreaterThan, compareTo, asInteger, asApproximateFloat, add, sub, ==", () => {
  const cases: [string, unknown][] = [
    ['quantity("100m").isLessThan(quantity("1"))', true],
    ['quantity("2Gi").isGreaterThan(quantity("2G"))', true],
    ['quantity("1Ki").compareTo(quantity("1024"))', 0n],
    ['quantity("500m").compareTo(quantity("1"))', -1n],
    ['quantity("2k").asInteger()', 2000n],
    ['quantity("1.5Gi").asApproximateFloat()', 1.5 * 2 ** 30],
    ['quantity("1").add(quantity("500m")) == quantity("1500m")', true],
    ['quantity("1").sub(2).sign()', -1n],
    ['quantity("1") != quantity("2")', true],
    ['isQuantity("250m") && !isQuantity("250x")', true],
    ['quantity("1.5").isInteger()', false],
  ];
  for (const [expr, want] of cases) assert.deepEqual(CEL_ENV.evaluate(expr), want, expr);
  assert.throws(() => CEL_ENV.evaluate('quantity("1.5").asInteger()'), /fractional/);
  assert.throws(() => CEL_ENV.evaluate('quantity("lots")'), /quantities must match/);
});

test("Kubernetes regex and string functions: matches, find, findAll, charAt, replace, lowerAscii", () => {
  const cases: [string, unknown][] = [
    ['"nginx:1.25.3".matches(":[0-9.]+$")', true],
    ['"nginx:1.25.3".find("[0-9]+\\\\.[0-9]+")', "1.25"],
    ['"nginx".find("[0-9]+")', ""],
    ['"a1b22c333".findAll("[0-9]+")', ["1", "22", "333"]],
    ['"a1b22c333".findAll("[0-9]+", 2)', ["1", "22"]],
    ['"a1b22c333".findAll("[0-9]+", 0)', []],
    ['"abc".charAt(1)', "b"],
    ['"a-b-c".replace("-", "_")', "a_b_c"],
    ['"a-b-c".replace("-", "_", 1)', "a_b-c"],
    ['"ABC".lowerAscii() + "x".upperAscii()', "abcX"],
    ['"ghcr.io/x".startsWith("ghcr.io/") && "x:1".endsWith(":1") && "abc".contains("b")', true],
  ];
  for (const [expr, want] of cases) assert.deepEqual(CEL_ENV.evaluate(expr), want, expr);
});

test("the view: projection fields as CEL values, with metadata added", () => {
  const web = state.get("Deployment", "shop", "web")!;
  const v = celView(web) as Record<string, unknown> & {
    metadata: Record<string, unknown>;
    template: { containers: { requests: Record<string, unknown> }[] };
  };
  assert.equal(v.metadata.name, "web");
  assert.equal(v.metadata.namespace, "shop");
  assert.deepEqual(v.metadata.labels, { app: "web", team: "checkout" });
  assert.equal(v.replicas, 3n, "whole numbers are CEL ints");
  assert.equal(v.template.containers[0]!.requests.cpu, 250n, "CPU in millicores");
  assert.equal(v.template.containers[0]!.requests.memory, 256n * 2n ** 20n, "memory in bytes");
  assert.ok(!("createdAt" in v), "NaN timestamps (manifests) are absent");
  assert.equal(celView(web), v, "memoised");
});

test("features.yaml over the fixture cluster: has(), quantity, matches/find, exists/filter/map, messageExpression", () => {
  const rules = loadRulePaths([`${DIR}features.yaml`]);
  assert.deepEqual(
    rules.map((r) => r.id),
    ["team-label-required", "cpu-request-at-most-one-core", "image-semver-tag", "memory-limits-everywhere"],
  );
  for (const r of rules) {
    assert.equal(r.origin, "custom");
    assert.ok(Object.isFrozen(r));
    assert.ok(!RULES.includes(r));
  }
  assert.deepEqual(byRule(rules), {
    // has(): api and tmp have no team label; db (a StatefulSet) has one.
    "team-label-required": ["api: no team label on api", "tmp: no team label on tmp"],
    // quantity: api requests 2 cores; web's 250m and 100m pass.
    "cpu-request-at-most-one-core": ["api: a container requests more than 1 CPU"],
    // matches/find: api is :latest; tmp (no tag) is not matched (replicas 0).
    "image-semver-tag": ["api: image tag is not a version"],
    // exists (match), filter + map (message): api has no memory limit.
    "memory-limits-everywhere": ["api: no memory limit: api"],
  });
  const outcomes = run(rules).outcomes;
  assert.deepEqual(
    outcomes.map((o) => [o.rule, o.status, o.checks]),
    [
      ["team-label-required", "evaluated", 4],
      ["cpu-request-at-most-one-core", "evaluated", 3],
      ["image-semver-tag", "evaluated", 3],
      ["memory-limits-everywhere", "evaluated", 3],
    ],
    "match narrows the checks: tmp (replicas 0, no requests) is not judged",
  );
});

test("macros all, exists, exists_one, filter, map and has() each decide a rule", () => {
  const cases: [string, string[]][] = [
    ['object.template.containers.all(c, c.image.startsWith("ghcr.io/"))', ["tmp", "web"]],
    ['object.template.containers.exists(c, c.name == "proxy")', ["api", "tmp"]],
    ["object.template.containers.exists_one(c, has(c.limits.cpu))", ["api", "tmp", "web"]],
    ["object.template.containers.filter(c, has(c.requests.cpu)).size() > 0", ["tmp"]],
    ['"web" in object.template.containers.map(c, c.name)', ["api", "tmp"]],
    ["has(object.metadata.labels.app)", ["tmp"]],
    ["object.replicas >= 1 && object.metadata.namespace != 'scratch'", ["tmp"]],
    ['now > 0 && object.metadata.name.matches("^[a-z]+$")', []],
  ];
  for (const [validate, failing] of cases) {
    const rules = load(rule({ validate }));
    const found = run(rules)
      .findings.map((f) => f.object.name)
      .sort();
    assert.deepEqual(found, failing, validate);
  }
});

test("an invalid expression fails at load with the rule id, the field, the file position and the CEL column", () => {
  const msg = (() => {
    try {
      loadRulePaths([`${DIR}invalid/bad-cel.yaml`]);
    } catch (err) {
      return (err as Error).message;
    }
    return "";
  })();
  // The `&&)` is at column 68 of the expression, column 82 of line 7 of the file.
  assert.match(
    msg,
    /bad-cel\.yaml \(line 7, column 82\): customRules\[0\]\.validate: invalid CEL \(rule broken-expression\): Unexpected token: RPAREN \(expression line 1, column 68\)$/,
  );
  assert.equal(readFileSync(`${DIR}invalid/bad-cel.yaml`, "utf8").split("\n")[6]!.slice(81, 82), ")");

  // Type errors are caught at load too, as are wrong result types.
  assert.match(
    loadError(rule({ validate: 'quantity(1).isLessThan(quantity("1"))' })),
    /rules\.yaml \(line 7, column 13\): \[0\]\.validate: invalid CEL \(rule r\): found no matching overload for 'quantity\(int\)' \(expression line 1, column 1\)/,
  );
  assert.match(
    loadError(rule({ validate: '"a" + 1 == "a1"' })),
    /\[0\]\.validate: invalid CEL \(rule r\): .*string \+ int/,
  );
  assert.match(
    loadError(rule({ validate: "size(object.template.containers)" })),
    /\[0\]\.validate: invalid CEL \(rule r\): must evaluate to bool, but evaluates to int/,
  );
  assert.match(
    loadError(rule({ validate: "true", match: "object.x ==" })),
    /\[0\]\.match: invalid CEL \(rule r\): Unexpected token: EOF/,
  );
  assert.match(
    loadError(rule({ validate: "true", messageExpression: "1 + 2" })),
    /\[0\]\.messageExpression: invalid CEL \(rule r\): must evaluate to string, but evaluates to int/,
  );
  // A multi-line expression: the error's line inside the expression.
  assert.throws(
    () => compile("object.a &&\n  object.b ||", "bool"),
    /Unexpected token: EOF \(expression line 2, column 14\)/,
  );
});

test("an evaluation error on an object makes the rule an error outcome with the message; other rules still run", () => {
  const broken = load(rule({ id: "needs-team", validate: 'object.metadata.labels.team == "checkout"' }));
  const notBool = load(rule({ id: "not-bool", validate: "object.replicas" }), "other.yaml");
  const fine = load(rule({ id: "fine", validate: "object.replicas < 3" }), "fine.yaml");
  const r = run([...broken, ...notBool, ...fine]);
  const [a, b, c] = r.outcomes;
  assert.equal(a!.status, "error");
  assert.match(
    a!.reason!,
    /^CEL evaluation failed on 2 of 3 objects; first: Deployment\/shop\/api: validate: No such key: team \(column 24\)$/,
  );
  assert.equal(b!.status, "error");
  assert.match(b!.reason!, /validate returned int, not bool/);
  assert.equal(c!.status, "evaluated");
  assert.deepEqual(
    r.findings.map((f) => `${f.rule} ${f.object.name}`),
    ["fine web"],
    "no partial findings from the failed rules",
  );
  // A failing match is an error too, and the score's targets never throw.
  const badMatch = load(rule({ id: "bad-match", match: "object.nope > 1", validate: "true" }));
  assert.equal(run(badMatch).outcomes[0]!.status, "error");
  assert.deepEqual(badMatch[0]!.targets!(state), []);
  // messageExpression that fails falls back to message (as in Kubernetes).
  const fallback = load(
    rule({ id: "fb", validate: "false", messageExpression: "object.nope", message: "static" }),
  );
  assert.deepEqual([...new Set(run(fallback).findings.map((f) => f.message))], ["static"]);
});

test("garbage rule files: each a clear error naming the file and the position", () => {
  const err = (name: string): string => {
    try {
      loadRulePaths([`${DIR}invalid/${name}`]);
    } catch (e) {
      assert.ok(e instanceof InputError, `${name}: an InputError`);
      return e.message.replace(DIR, "");
    }
    assert.fail(`${name} loaded`);
  };
  assert.equal(
    loadError('customRules:\n  - id: x\n    title: "unterminated\n'),
    'rules.yaml (line 4, column 1): not valid YAML: Missing closing "quote',
  );
  assert.equal(
    err("missing-fields.yaml"),
    "invalid/missing-fields.yaml: line 1, column 3: [0].kinds: required: a list of kinds, e.g. [Deployment] (rule no-validate); line 1, column 3: [0].validate: required: a CEL expression (rule no-validate)",
  );
  assert.equal(
    err("bad-severity.yaml"),
    "invalid/bad-severity.yaml (line 3, column 13): [0].severity: expected one of critical|high|medium|low|info (rule bad-severity)",
  );
  assert.match(
    err("duplicate-id.yaml"),
    /^invalid\/duplicate-id\.yaml \(line 8, column 7\): \[1\]\.id: duplicate id "twice" \(first defined at .*duplicate-id\.yaml#\[0\]\)$/,
  );
  assert.equal(
    err("builtin-id.yaml"),
    'invalid/builtin-id.yaml (line 1, column 7): [0].id: id "image-latest-tag" is already taken by a built-in rule',
  );
  assert.match(
    err("bad-kind.yaml"),
    /^invalid\/bad-kind\.yaml \(line 5, column 11\): \[0\]\.kinds\[0\]: unknown kind "Deploymnet": expected one of Namespace, /,
  );
  assert.match(
    loadError("just a string"),
    /^rules\.yaml: expected a list of rules or a mapping with customRules:, got string "just a string"$/,
  );
  assert.match(
    loadError("rules: []"),
    /unknown field "rules": a rules file is a list of rules or a mapping with customRules:/,
  );
  assert.match(loadError(rule({ id: "Not_Kebab", validate: "true" })), /\[0\]\.id: expected a kebab-case id/);
  assert.match(loadError(rule({ validate: "true", extra: "x" })), /\[0\]: unknown field "extra" \(rule r\)/);
  assert.match(
    loadError(
      "- id: r\n  title: t\n  severity: low\n  category: configuration\n  kinds: [Pod]\n  validate: 'true'\n",
    ),
    /\[0\]: required: message or messageExpression \(rule r\)/,
  );
  assert.throws(
    () => loadRulePaths([`${DIR}does-not-exist.yaml`]),
    /does-not-exist\.yaml: cannot read: ENOENT/,
  );
  // A directory loads its files in name order; ids must be unique across them.
  assert.throws(() => loadRulePaths([`${DIR}invalid`]), InputError);
  const twice = () => loadRulePaths([`${DIR}features.yaml`, `${DIR}features.yaml`]);
  assert.throws(
    twice,
    /id "team-label-required" is already taken by rule team-label-required in .*features\.yaml/,
  );
});

test("day2.yaml customRules: compiled, usable in rules: and suppressions:, positioned errors, ids unique across --rules", () => {
  const yaml = [
    "rules:",
    "  replicas-three: { severity: high }",
    "suppressions:",
    "  - { rule: replicas-three, name: web, reason: reviewed, expires: 2099-01-01 }",
    "customRules:",
    "  - id: replicas-three",
    "    title: Not three replicas",
    "    severity: low",
    "    category: reliability",
    "    kinds: [Deployment]",
    "    validate: object.replicas == 3",
    "    messageExpression: object.metadata.name + ' has ' + string(object.replicas)",
    "",
  ].join("\n");
  const config = parseConfig(yaml, "day2.yaml");
  assert.deepEqual(
    config.customRules.map((r) => r.id),
    ["replicas-three"],
  );
  const report = buildScan(state, { rules: [...RULES, ...config.customRules], config, today: COLLECTED_AT });
  const mine = report.findings.filter((f) => f.rule === "replicas-three");
  assert.deepEqual(mine.map((f) => [f.object.name, f.severity, f.message]).sort(), [
    ["api", "high", "api has 1"],
    ["tmp", "high", "tmp has 0"],
  ]);
  assert.deepEqual(
    (report.suppressed ?? []).filter((s) => s.finding.rule === "replicas-three").length,
    0,
    "web passes, nothing to suppress",
  );
  assert.ok(
    report.rules.some((o) => o.rule === "replicas-three" && o.status === "evaluated" && o.checks === 3),
  );

  const bad = yaml.replace("object.replicas == 3", "object.replicas = 3");
  assert.throws(
    () => parseConfig(bad, "day2.yaml"),
    /^InputError: day2\.yaml \(line 11, column 31\): customRules\[0\]\.validate: invalid CEL \(rule replicas-three\): .*\(expression line 1, column 17\)$/,
  );
  const fromFile = load(rule({ id: "replicas-three", validate: "true" }), "team.yaml");
  assert.throws(
    () => parseConfig(yaml, "day2.yaml", { customRules: fromFile }),
    /customRules\[0\]\.id: id "replicas-three" is already taken by custom rule replicas-three \(--rules\)/,
  );
  // Without the definition the id is unknown, as before.
  assert.throws(
    () => parseConfig(yaml.split("customRules:")[0]!, "day2.yaml"),
    /rules\.replicas-three: unknown rule id/,
  );
  // And --rules ids are known to rules: and suppressions:.
  const other = load(rule({ id: "from-file", validate: "true" }), "team.yaml");
  assert.equal(
    parseConfig("rules:\n  from-file: { enabled: false }\n", "day2.yaml", { customRules: other }).rules[
      "from-file"
    ]?.enabled,
    false,
  );
});

test("custom rules follow the runner's coverage: a kind not permitted makes them not evaluated", () => {
  const b = new ClusterStateBuilder({ source: "live", sourceDetail: "test", collectedAt: COLLECTED_AT });
  b.setCoverage("StatefulSet", "not-permitted", "forbidden");
  const s = b.build({ complete: true });
  const rules = load(rule({ kinds: "[Deployment, StatefulSet]", validate: "true" }));
  const [o] = runRules(s, rules, { now: COLLECTED_AT }).outcomes;
  assert.equal(o!.status, "not-evaluated");
  assert.match(o!.reason!, /StatefulSet: not-permitted/);
});

test("README's custom rule example loads and runs", () => {
  const readme = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8");
  const section = readme.slice(readme.indexOf("#### Custom rules"));
  const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
  const rules = parseRulesFile(example, "policies/team.yaml", builtinIds());
  assert.deepEqual(
    rules.map((r) => r.id),
    ["cpu-request-at-most-two-cores"],
  );
  // api requests exactly 2 cores: at the limit passes.
  assert.deepEqual(run(rules).findings, []);
  assert.equal(run(rules).outcomes[0]!.checks, 4);
});

test("runtime: true makes a custom rule not applicable to static manifests", () => {
  const rules = load(rule({ validate: "object.readyReplicas == object.replicas" }) + "  runtime: true\n");
  assert.equal(rules[0]!.runtime, true);
  assert.equal(run(rules).outcomes[0]!.status, "not-applicable");
  assert.match(
    loadError(rule({ validate: "true" }) + "  runtime: sometimes\n"),
    /\[0\]\.runtime: expected true or false, got string "sometimes"/,
  );
});

/**
 * SARIF output checked against the official SARIF 2.1.0 schema (OASIS errata 01, stored in
 * test/fixtures/schemas with its source): the demo cluster, a report with rules not evaluated
 * and a failed rule, hostile text, fingerprints that stay put across runs, and manifest files
 * whose results point at the file and line of each object (snapshots and stdin: none).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import formats from "ajv-formats";
import type * as Sarif from "sarif";
import { brokenRule as broken, demoReport } from "../../../test/support/demo-report.js";
import type { Finding, Rule } from "../../checks/index.js";
import { RULES } from "../../checks/index.js";
import { loadSnapshot } from "../../snapshot/load.js";
import { readInputs } from "../../snapshot/read.js";
import { SnapshotWriter } from "../../snapshot/write.js";
import { KINDS } from "../../state/kinds.js";
import type { Report } from "../report.js";
import { buildReport } from "../report.js";
import {
  FINGERPRINT_KEY,
  SARIF_SCHEMA_URI,
  SRCROOT,
  artifactLocation,
  fingerprint,
  objectPath,
  renderSarif,
  sarifLevel,
  toSarif,
} from "./sarif.js";
import { renderReport, PLAIN } from "./index.js";

const SCHEMAS = new URL("../../../test/fixtures/schemas/", import.meta.url);
const PKG = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), "utf8"),
) as { version: string };

/**
 * The OASIS schema declares draft-04 (`id`, draft-04 `$schema`); it uses nothing whose meaning
 * changed since, so Ajv's draft-07 class validates with it once those two keys are adapted.
 */
function sarifValidator() {
  const raw = JSON.parse(
    readFileSync(fileURLToPath(new URL("sarif-schema-2.1.0.json", SCHEMAS)), "utf8"),
  ) as Record<string, unknown>;
  assert.equal(raw["$schema"], "http://json-schema.org/draft-04/schema#");
  const { $schema: _draft, id, ...rest } = raw;
  assert.equal(id, SARIF_SCHEMA_URI, "the log's $schema names the stored schema");
  const ajv = new Ajv({ allErrors: true, strict: false });
  (formats as unknown as (a: Ajv) => Ajv)(ajv);
  return ajv.compile({ $id: id, ...rest });
}
const validate = sarifValidator();

function assertValid(text: string): Sarif.Log {
  const log = JSON.parse(text) as Sarif.Log;
  const ok = validate(log);
  assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  return log;
}

const demo = demoReport();

function checkDescriptor(d: Sarif.ReportingDescriptor, rule: Rule): void {
  assert.equal(d.id, rule.id);
  assert.equal(d.shortDescription?.text, rule.title);
  assert.equal(d.fullDescription?.text, rule.rationale);
  assert.ok(d.help?.text?.startsWith(rule.fix), rule.id);
  assert.ok(d.help?.markdown?.includes(`[${rule.runbook}](`), rule.id);
  assert.ok(d.helpUri?.endsWith(rule.runbook), rule.id);
  assert.equal(d.defaultConfiguration?.level, sarifLevel(rule.severity));
  assert.deepEqual([d.properties?.["category"], d.properties?.["severity"]], [rule.category, rule.severity]);
  assert.ok(d.properties?.tags?.includes(rule.category));
}

function checkResult(r: Sarif.Result, f: Finding, rules: Sarif.ReportingDescriptor[]): void {
  assert.equal(r.ruleId, f.rule);
  assert.equal(rules[r.ruleIndex!]?.id, f.rule, "ruleIndex points at the rule");
  assert.equal(r.level, sarifLevel(f.severity));
  assert.ok(r.message.text?.includes(f.message));
  const [location] = r.locations ?? [];
  assert.deepEqual(location, {
    logicalLocations: [{ name: f.object.name, fullyQualifiedName: objectPath(f.object), kind: "resource" }],
  });
  assert.deepEqual(r.properties?.["evidence"], f.evidence);
  assert.match(r.partialFingerprints?.[FINGERPRINT_KEY] ?? "", /^[0-9a-f]{64}$/);
}

test("the demo cluster report is valid SARIF 2.1.0 describing every rule and finding", () => {
  assert.ok(demo.findings.length > 0);
  const log = assertValid(renderReport(demo, "sarif", PLAIN));
  assert.equal(log.version, "2.1.0");
  assert.equal(log.$schema, SARIF_SCHEMA_URI);
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  const driver = run.tool.driver;
  assert.equal(driver.name, "day2");
  assert.equal(driver.version, PKG.version);
  const rules = driver.rules ?? [];
  assert.deepEqual(
    rules.map((r) => r.id),
    RULES.map((r) => r.id),
  );
  rules.forEach((d, i) => checkDescriptor(d, RULES[i]!));
  const results = run.results ?? [];
  assert.equal(results.length, demo.findings.length);
  results.forEach((r, i) => checkResult(r, demo.findings[i]!, rules));
  const inv = run.invocations?.[0];
  assert.equal(inv?.executionSuccessful, true);
  assert.deepEqual(inv?.toolExecutionNotifications, [], "every rule ran on the demo cluster");
});

test("the schema check has teeth: a bad level or a relative helpUri is rejected", () => {
  const log = JSON.parse(renderSarif(demo)) as Sarif.Log;
  const bad1 = structuredClone(log);
  (bad1.runs[0]!.results![0] as { level: string }).level = "fatal";
  assert.equal(validate(bad1), false);
  const bad2 = structuredClone(log);
  bad2.runs[0]!.tool.driver.rules![0]!.helpUri = "runbooks/pod-crash-loop.md";
  assert.equal(validate(bad2), false);
});

test("severity maps to SARIF levels", () => {
  assert.deepEqual((["critical", "high", "medium", "low", "info"] as const).map(sarifLevel), [
    "error",
    "error",
    "warning",
    "note",
    "note",
  ]);
});

test("rules not evaluated and rules that failed are notifications, never silently passed", () => {
  const report = demoReport({ withoutPods: true, rules: [...RULES, broken] });
  const skipped = report.rules.filter((o) => o.status === "not-evaluated");
  assert.ok(skipped.length > 0, "rules reading Pods are not evaluated");
  const log = assertValid(renderSarif(report));
  const run = log.runs[0]!;
  const inv = run.invocations![0]!;
  assert.equal(inv.executionSuccessful, false, "a rule threw");
  const notes = inv.toolExecutionNotifications ?? [];
  assert.equal(notes.length, skipped.length + 1);
  for (const o of skipped) {
    const n = notes.find((x) => x.associatedRule?.id === o.rule);
    assert.ok(n, o.rule);
    assert.equal(n.level, "warning");
    assert.equal(n.descriptor?.id, "rule-not-evaluated");
    assert.match(n.message.text ?? "", /Pod: not-permitted \(list pods: forbidden for user "viewer"\)/);
    assert.equal(run.tool.driver.rules?.[n.associatedRule!.index!]?.id, o.rule);
  }
  const err = notes.find((x) => x.associatedRule?.id === "test-broken");
  assert.equal(err?.level, "error");
  assert.equal(err?.descriptor?.id, "rule-error");
  assert.match(err?.message.text ?? "", /boom: <unexpected> & "field"/);
  assert.ok(
    !(run.results ?? []).some((r) => skipped.some((o) => o.rule === r.ruleId)),
    "no results from rules not evaluated",
  );
});

const HOSTILE = "a <b> & \"c\" 'd' ]]> \u0000\u0007\u001b[31m \uFFFE \uD800 \r\n\t end 🚢";

test("hostile text stays valid and round-trips", () => {
  const report = structuredClone(demo);
  const f = report.findings[0]!;
  report.findings[0] = {
    ...f,
    message: HOSTILE,
    evidence: { [HOSTILE]: HOSTILE },
    object: { ...f.object, name: HOSTILE },
    container: HOSTILE,
  };
  report.source.detail = HOSTILE;
  const text = renderSarif(report);
  const log = assertValid(text);
  const r = log.runs[0]!.results![0]!;
  assert.ok(r.message.text?.endsWith(`: ${HOSTILE}`));
  assert.deepEqual(r.properties?.["evidence"], { [HOSTILE]: HOSTILE });
  assert.equal(r.locations?.[0]?.logicalLocations?.[0]?.name, HOSTILE);
});

test("fingerprints are stable across runs and ignore the message, and tell objects apart", () => {
  const a = assertValid(renderSarif(demoReport())).runs[0]!.results!;
  const b = assertValid(renderSarif(demoReport())).runs[0]!.results!;
  assert.deepEqual(
    a.map((r) => r.partialFingerprints),
    b.map((r) => r.partialFingerprints),
  );
  const f = demo.findings[0]!;
  assert.equal(
    fingerprint(f),
    fingerprint({ ...f, message: "changed", evidence: { restarts: 999 } } as typeof f),
  );
  assert.notEqual(
    fingerprint(f),
    fingerprint({ ...f, object: { ...f.object, name: `${f.object.name}-other` } }),
  );
  assert.notEqual(fingerprint(f), fingerprint({ ...f, container: "other" }));
  const prints = a.map((r) => r.partialFingerprints![FINGERPRINT_KEY]);
  assert.equal(new Set(prints).size, prints.length, "one alert per finding");
  // Several findings of one rule on one object (node-pressure: memory and disk) stay apart;
  // the first keeps the plain fingerprint.
  const twice = structuredClone(demo);
  twice.findings.splice(1, 0, { ...f, message: "a second problem on the same object" });
  const [first, second] = assertValid(renderSarif(twice)).runs[0]!.results!.map(
    (r) => r.partialFingerprints![FINGERPRINT_KEY],
  );
  assert.equal(first, fingerprint(f));
  assert.notEqual(second, first);
  // Field boundaries matter: "a/b" + "c" is not "a" + "b/c".
  assert.notEqual(
    fingerprint({ rule: "r", object: { kind: "Pod", namespace: "a-b", name: "c" } }),
    fingerprint({ rule: "r", object: { kind: "Pod", namespace: "a", name: "b-c" } }),
  );
});

// Manifest inputs: results on the file and line each object starts on (GitHub code scanning
// shows a result on the code only with a physical location). Fixture: a multi-document YAML
// file, a `kind: List` file and a JSON List in a subdirectory.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const LOCATED = "test/fixtures/manifests/located";

async function manifestReport(paths: string[]): Promise<Report> {
  const { state } = await loadSnapshot(paths);
  return buildReport(state, { rules: RULES });
}

function resultOf(log: Sarif.Log, rule: string, fqn: string): Sarif.Result {
  const r = log.runs[0]!.results!.find(
    (x) => x.ruleId === rule && x.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName === fqn,
  );
  assert.ok(r, `${rule} on ${fqn}`);
  return r;
}

function physical(r: Sarif.Result): [string | undefined, string | undefined, number | undefined] {
  const p = r.locations?.[0]?.physicalLocation;
  return [p?.artifactLocation?.uri, p?.artifactLocation?.uriBaseId, p?.region?.startLine];
}

// Lines are where each object starts: its first key (after comments and `---`), a List
// item's first key (also when the key is on the line after a bare `-`), a JSON item's `{`.
const EXPECTED_LOCATIONS: [string, string, string, number][] = [
  ["namespace-missing-owner-labels", "Namespace/shop", "shop.yaml", 6],
  ["container-privileged", "Deployment/shop/api", "shop.yaml", 13],
  ["pss-host-namespaces", "Deployment/shop/cart", "shop.yaml", 34],
  ["container-privileged", "DaemonSet/shop/log-agent", "list.yaml", 5],
  ["image-latest-tag", "StatefulSet/shop/db", "list.yaml", 25],
  ["container-resources-missing", "CronJob/shop/report", "json/batch.json", 5],
  ["pss-host-namespaces", "Job/shop/migrate", "json/batch.json", 23],
];

test("manifest files: results carry the file relative to %SRCROOT% and the object's first line", async () => {
  const report = await manifestReport([join(ROOT, LOCATED)]);
  const log = assertValid(JSON.stringify(toSarif(report, { cwd: ROOT })));
  for (const [rule, fqn, file, line] of EXPECTED_LOCATIONS) {
    const r = resultOf(log, rule, fqn);
    assert.deepEqual(physical(r), [`${LOCATED}/${file}`, SRCROOT, line], `${rule} on ${fqn}`);
    // The logical location stays beside the physical one.
    assert.equal(r.locations![0]!.logicalLocations?.[0]?.fullyQualifiedName, fqn);
  }
  // Every object here came from a file: every result has a physical location.
  assert.ok(log.runs[0]!.results!.every((r) => r.locations?.[0]?.physicalLocation !== undefined));
  const root = pathToFileURL(ROOT).href;
  assert.deepEqual(log.runs[0]!.originalUriBaseIds, {
    [SRCROOT]: { uri: root.endsWith("/") ? root : `${root}/` },
  });
  // -o json shows the same place on the finding.
  const f = report.findings.find((x) => x.rule === "image-latest-tag" && x.object.name === "db");
  assert.deepEqual(f?.location, { file: join(ROOT, LOCATED, "list.yaml"), line: 25 });
});

test("a file outside the working directory is an absolute file: URI, never ../", async () => {
  const report = await manifestReport([join(ROOT, LOCATED, "json")]);
  const cwd = join(ROOT, "src");
  const log = assertValid(JSON.stringify(toSarif(report, { cwd })));
  const r = resultOf(log, "pss-host-namespaces", "Job/shop/migrate");
  assert.deepEqual(physical(r), [
    pathToFileURL(join(ROOT, LOCATED, "json", "batch.json")).href,
    undefined,
    23,
  ]);
  assert.ok(!JSON.stringify(log.runs[0]!.results).includes(".."));
  assert.equal(log.runs[0]!.originalUriBaseIds, undefined, "no relative URI, so no base to resolve");
});

test("artifact URIs: forward slashes, each segment percent-encoded; '..x' is a name, not a climb", () => {
  assert.deepEqual(artifactLocation(join(ROOT, "my charts", "a#b?.yaml"), ROOT), {
    uri: "my%20charts/a%23b%3F.yaml",
    uriBaseId: SRCROOT,
  });
  assert.deepEqual(artifactLocation(join("..x", "k8s", "app.yaml"), ROOT), {
    uri: "..x/k8s/app.yaml",
    uriBaseId: SRCROOT,
  });
  assert.deepEqual(artifactLocation(join("..", "app.yaml"), join(ROOT, "src")), {
    uri: pathToFileURL(join(ROOT, "app.yaml")).href,
  });
});

test("snapshots (stored projections or raw objects) have no file locations, and -o json no new field", async () => {
  const dir = mkdtempSync(join(tmpdir(), "day2-sarif-"));
  try {
    for (const index of [true, false]) {
      const file = join(dir, `s-${index}.ndjson.gz`);
      const w = new SnapshotWriter(file, { index });
      await readInputs([join(ROOT, LOCATED)], w.write);
      await w.finish({
        source: "demo",
        collectedAt: "2026-11-20T12:00:00Z",
        coverage: KINDS.map((k) => ({ kind: k.kind, status: "collected" as const, count: 0 })),
      });
      const report = await manifestReport([file]);
      assert.equal(report.source.kind, "snapshot");
      assert.ok(report.findings.length > 10);
      assert.ok(
        report.findings.every((f) => !("location" in f)),
        `index ${index}`,
      );
      const log = assertValid(JSON.stringify(toSarif(report, { cwd: ROOT })));
      const run = log.runs[0]!;
      run.results!.forEach((r, i) => checkResult(r, report.findings[i]!, run.tool.driver.rules!));
      assert.equal(log.runs[0]!.originalUriBaseIds, undefined);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The demo (a live-like source): no finding has a location; the JSON report has no such key.
  assert.ok(demo.findings.every((f) => !("location" in f)));
  assert.ok(!renderReport(demo, "json", PLAIN).includes('"location"'));
});

function day2(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const { KUBECONFIG: _k, ...env } = process.env;
  const home = mkdtempSync(join(tmpdir(), "day2-sarif-home-"));
  try {
    const r = spawnSync(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), join(ROOT, "src", "cli", "main.ts"), ...args],
      { cwd: ROOT, env: { ...env, HOME: home, NO_COLOR: "1" }, encoding: "utf8", input, timeout: 60_000 },
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

test("day2 scan -o sarif on a directory of manifests; on stdin there is no file to point at", () => {
  const dir = day2(["scan", "--snapshot", LOCATED, "-o", "sarif"]);
  assert.equal(dir.code, 0, dir.stderr);
  const log = assertValid(dir.stdout);
  for (const [rule, fqn, file, line] of EXPECTED_LOCATIONS)
    assert.deepEqual(physical(resultOf(log, rule, fqn)), [`${LOCATED}/${file}`, SRCROOT, line]);

  const stdin = day2(
    ["scan", "--snapshot", "-", "-o", "sarif"],
    readFileSync(join(ROOT, LOCATED, "shop.yaml"), "utf8"),
  );
  assert.equal(stdin.code, 0, stdin.stderr);
  const piped = assertValid(stdin.stdout);
  const results = piped.runs[0]!.results!;
  assert.ok(results.length > 5);
  assert.ok(results.every((r) => r.locations?.[0]?.physicalLocation === undefined));
  assert.equal(
    resultOf(piped, "container-privileged", "Deployment/shop/api").locations![0]!.logicalLocations!.length,
    1,
  );
  assert.equal(piped.runs[0]!.originalUriBaseIds, undefined);
});

/**
 * `day2 scan` as a user runs it: a separate process with an empty HOME, stdout and stderr
 * apart, exit codes. Score gates, --explain, day2.yaml and baselines.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../report/report.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const FIXTURE = join(ROOT, "test", "fixtures", "state", "small-cluster.yaml");
const TMP = mkdtempSync(join(tmpdir(), "day2-scan-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

function day2(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const home = mkdtempSync(join(TMP, "home-"));
  const { KUBECONFIG: _k, ...rest } = process.env;
  // tsx by URL: a run from another working directory (./day2.yaml discovery) must still find it.
  const r = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), MAIN, ...args], {
    cwd,
    env: { ...rest, HOME: home, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string): string {
  const p = join(TMP, name);
  writeFileSync(p, content);
  return p;
}

function json(args: string[]): Report {
  const r = day2([...args, "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

test("scan --demo: findings, a score per cluster, namespace and category; --help has examples", () => {
  const r = day2(["scan", "--demo"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^day2 scan · built-in demo cluster/);
  assert.match(r.stdout, /\nSCORE {2}\d+\.\d \([A-F]\) · \d+\/\d+ rules evaluated · [\d,]+ checks/);
  assert.match(r.stdout, /\n {2}CATEGORY +SCORE +CHECKS/);
  assert.match(r.stdout, /Namespaces: \d+ scored .* · 3 not evaluated · lowest: /);
  const report = json(["scan", "--demo"]);
  assert.equal(report.kind, "Report");
  const sc = report.score!;
  assert.equal(sc.cluster.status, "evaluated");
  assert.ok(sc.cluster.score! > 0 && sc.cluster.score! <= 100);
  assert.equal(sc.namespaces.find((n) => n.name === "payments")?.score, 100, "the healthy namespace");
  assert.equal(
    sc.namespaces.find((n) => n.name === "kube-public")?.status,
    "not-evaluated",
    "an empty namespace is not 100",
  );
  assert.deepEqual(report.suppressed, []);
  const help = day2(["scan", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
  assert.match(help.stdout, /--min-score <n>/);
});

test("--min-score: exit 1 below it with a line on stderr, 0 at or under; a bad value is a usage error", () => {
  const low = day2(["scan", "--snapshot", FIXTURE, "--min-score", "99.5"]);
  assert.equal(low.code, 1, low.stderr);
  assert.match(low.stderr, /score \d+\.\d is below --min-score 99\.5/);
  assert.equal(day2(["scan", "--snapshot", FIXTURE, "--min-score", "50"]).code, 0);
  const bad = day2(["scan", "--snapshot", FIXTURE, "--min-score", "high"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--min-score: expected a number from 0 to 100, got "high" \[D2_ERR_USAGE\]/);
  // --fail-on still gates on findings.
  assert.equal(day2(["scan", "--snapshot", FIXTURE, "--fail-on", "medium"]).code, 1);
});

test("--explain shows where every point went", () => {
  const r = day2(["scan", "--snapshot", FIXTURE, "--explain"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nEXPLAIN\n {2}score = 100 x \(1 - loss \/ possible\)/);
  assert.match(r.stdout, /\n {2}shop +\d+\.\d +[A-F] +\d+ +\d+ +\d+ /);
  assert.match(r.stdout, /RULES NOT EVALUATED/);
  assert.match(r.stdout, /\n {2}SUPPRESSED 0\n/);
});

test("--config: rules off, severities re-graded, suppressions listed with their reason; expired ones become findings", () => {
  const cfg = file(
    "team.yaml",
    `rules:
  container-run-as-root: { enabled: false }
  container-probes-missing: { severity: high }
suppressions:
  - rule: container-resources-missing
    kind: CronJob
    reason: nightly batch, sized by the platform team
    expires: 2099-12-31
  - rule: image-latest-tag
    namespace: shop
    reason: old exception
    expires: 2020-01-01
`,
  );
  const report = json(["scan", "--snapshot", FIXTURE, "--config", cfg]);
  assert.equal(report.rules.find((o) => o.rule === "container-run-as-root")?.reason, `disabled in ${cfg}`);
  assert.ok(!report.findings.some((f) => f.rule === "container-run-as-root"));
  assert.equal(report.findings.find((f) => f.rule === "container-probes-missing")?.severity, "high");
  assert.deepEqual(
    report.suppressed!.map((s) => [s.finding.rule, s.finding.object.name, s.by.reason]),
    [["container-resources-missing", "nightly", "nightly batch, sized by the platform team"]],
  );
  const expired = report.findings.find((f) => f.rule === "config-suppression-expired");
  assert.equal(expired?.object.name, `${cfg}#suppressions[1]`);
  assert.equal(report.score!.cluster.suppressed, 1);
  assert.deepEqual(report.config, {
    file: cfg,
    disabled: ["container-run-as-root"],
    severityOverrides: [{ rule: "container-probes-missing", from: "medium", to: "high" }],
    suppressions: 2,
  });
  // ./day2.yaml is picked up from the working directory.
  const dir = mkdtempSync(join(TMP, "cwd-"));
  writeFileSync(join(dir, "day2.yaml"), "rules:\n  container-probes-missing: { enabled: false }\n");
  const r = day2(["scan", "--snapshot", FIXTURE, "-o", "json"], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as Report).config?.disabled, ["container-probes-missing"]);
});

test("a bad day2.yaml: one line naming the file and the field, exit 3", () => {
  const cases: [string, RegExp][] = [
    ["rules: [oops", /bad1\.yaml \(line \d+, column \d+\): not valid YAML/],
    [
      "rules:\n  pod-crash-loop: { severity: urgent }",
      /bad2\.yaml: rules\.pod-crash-loop\.severity: expected one of critical\|high\|medium\|low\|info/,
    ],
    [
      "rules:\n  no-such-rule: { enabled: false }",
      /bad3\.yaml: rules\.no-such-rule: unknown rule id "no-such-rule"/,
    ],
    [
      "suppressions:\n  - { rule: pod-crash-loop, expires: 2099-01-01 }",
      /bad4\.yaml: suppressions\[0\]\.reason: required: a reason/,
    ],
    [
      "suppressions:\n  - { rule: pod-crash-loop, reason: r }",
      /bad5\.yaml: suppressions\[0\]\.expires: required: a date/,
    ],
    [
      "suppressions:\n  - { rule: pod-crash-loop, reason: r, expires: soon }",
      /bad6\.yaml: suppressions\[0\]\.expires: expected a date \(YYYY-MM-DD\), got "soon"/,
    ],
    [
      "rules:\n  pod-crash-loop: { enabled: 3 }",
      /bad7\.yaml: rules\.pod-crash-loop\.enabled: expected true or false, got number 3/,
    ],
  ];
  cases.forEach(([content, pattern], i) => {
    const r = day2(["scan", "--snapshot", FIXTURE, "--config", file(`bad${i + 1}.yaml`, content)]);
    assert.equal(r.code, 3, `${content}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /\[D2_ERR_INPUT\]\n$/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.equal(r.stdout, "");
  });
  const missing = day2(["scan", "--snapshot", FIXTURE, "--config", join(TMP, "nope.yaml")]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /nope\.yaml: cannot read: ENOENT/);
});

test("--baseline: only new findings, what got fixed; a garbage baseline exits 3 naming the file", () => {
  const before = json(["scan", "--snapshot", FIXTURE]);
  assert.ok(before.findings.length > 2);
  // Pretend the baseline knew one finding that is gone now and missed one that is there.
  const [dropped, ...kept] = before.findings;
  const ghost = { ...kept[0]!, object: { ...kept[0]!.object, name: "long-gone" } };
  const base = file("base.json", JSON.stringify({ ...before, findings: [...kept, ghost] }));
  const after = json(["scan", "--snapshot", FIXTURE, "--baseline", base]);
  assert.deepEqual(
    after.findings.map((f) => `${f.rule} ${f.object.name}`),
    [`${dropped!.rule} ${dropped!.object.name}`],
  );
  assert.equal(after.baseline?.new, 1);
  assert.equal(after.baseline?.unchanged.length, kept.length);
  assert.deepEqual(
    after.baseline?.fixed.map((f) => f.object.name),
    ["long-gone"],
  );
  const table = day2(["scan", "--snapshot", FIXTURE, "--baseline", base]);
  assert.match(
    table.stdout,
    /\nBASELINE {2}.*base\.json \(.*\): 1 new \(listed below\) · \d+ unchanged \(not listed\) · 1 fixed/,
  );
  assert.match(
    table.stdout,
    /Fixed since baseline:\n +SEVERITY +RULE +NAMESPACE +OBJECT\n +\w+ +\S+ +shop +\w+\/long-gone/,
  );
  // A baseline taken with --baseline still knows everything: nothing new against it.
  const chained = file("chained.json", JSON.stringify(after));
  assert.equal(json(["scan", "--snapshot", FIXTURE, "--baseline", chained]).findings.length, 0);
  for (const [name, content, pattern] of [
    ["garbage.json", "{ nope", /garbage\.json: not a day2 scan -o json output: not valid JSON or YAML/],
    ["list.json", '{"kind":"List","items":[]}', /list\.json: not a day2 scan -o json output: apiVersion/],
  ] as const) {
    const r = day2(["scan", "--snapshot", FIXTURE, "--baseline", file(name, content)]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

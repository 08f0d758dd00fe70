/** `day2 scan --rules` as a user runs it: a separate process, stdout and stderr apart, exit codes. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../../report/report.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const TMP = mkdtempSync(join(tmpdir(), "day2-rules-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

function day2(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const { KUBECONFIG: _k, ...rest } = process.env;
  const r = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), MAIN, ...args], {
    cwd: ROOT,
    env: { ...rest, HOME: TMP, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("day2 scan --demo --rules FILE -o json: the custom rule finds what it says, scored like any rule", () => {
  const r = day2(["scan", "--demo", "--rules", "test/fixtures/custom-rules/demo-latest.yaml", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  const mine = report.findings.filter((f) => f.rule === "deployment-latest-image");
  assert.ok(mine.length > 0, "the demo cluster has Deployments on :latest");
  for (const f of mine) {
    assert.equal(f.object.kind, "Deployment");
    assert.equal(f.severity, "high");
    assert.match(f.message, /^latest tag: \S+=\S+:latest/);
  }
  // The same objects as the built-in image-latest-tag's Deployments tagged :latest (it also flags untagged images).
  const builtin = report.findings.filter(
    (f) => f.rule === "image-latest-tag" && f.object.kind === "Deployment" && f.message.includes(":latest"),
  );
  const key = (f: { object: { namespace: string; name: string } }) =>
    `${f.object.namespace}/${f.object.name}`;
  assert.deepEqual(mine.map(key).sort(), builtin.map(key).sort());
  const outcome = report.rules.find((o) => o.rule === "deployment-latest-image");
  assert.equal(outcome?.status, "evaluated");
  assert.ok((outcome?.checks ?? 0) > mine.length, "every Deployment is a check");
});

test("day2 scan --rules with an invalid expression: exit 3, the rule id and position, nothing on stdout", () => {
  const r = day2([
    "scan",
    "--demo",
    "--rules",
    "test/fixtures/custom-rules/invalid/bad-cel.yaml",
    "-o",
    "json",
  ]);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, "");
  assert.match(
    r.stderr,
    /bad-cel\.yaml \(line 7, column 82\): customRules\[0\]\.validate: invalid CEL \(rule broken-expression\): Unexpected token: RPAREN \(expression line 1, column 68\) \[D2_ERR_INPUT\]/,
  );
});

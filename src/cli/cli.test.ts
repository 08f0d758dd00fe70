/**
 * The CLI as a user runs it: a separate process, stdout and stderr apart, exit codes. Inputs
 * are manifests and snapshots on disk; the live source is exercised against a real
 * apiserver in test/integration.
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
const TMP = mkdtempSync(join(tmpdir(), "day2-cli-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs day2 with an empty HOME and no KUBECONFIG, so nothing of the machine leaks in. */
export function day2(args: string[], env: Record<string, string> = {}, input?: string): Run {
  const home = mkdtempSync(join(TMP, "home-"));
  const { KUBECONFIG: _k, ...rest } = process.env;
  const r = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: ROOT,
    env: { ...rest, HOME: home, NO_COLOR: "1", ...env },
    input,
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

test("--help shows examples for every command; --version prints the version", () => {
  for (const args of [
    ["--help"],
    ["report", "--help"],
    ["snapshot", "save", "--help"],
    ["snapshot", "load", "--help"],
  ]) {
    const r = day2(args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.stdout, /Examples:/, args.join(" "));
  }
  const v = day2(["--version"]);
  assert.equal(v.code, 0);
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test("usage errors exit 2 and name the flag", () => {
  const cases: [string[], RegExp][] = [
    [["report", "--bogus"], /unknown option '--bogus'/],
    [["report", "-o", "pdf"], /argument 'pdf' is invalid/],
    [["report", "--fail-on", "urgent"], /argument 'urgent' is invalid/],
    [["report", "--snapshot", FIXTURE, "-l", "a b c"], /--selector: invalid label selector/],
    [["report", "--snapshot", FIXTURE, "--demo"], /--snapshot and --demo cannot be used together/],
    [["report", "--snapshot", FIXTURE, "--request-timeout", "soon"], /--request-timeout: invalid duration/],
    [["report", "--snapshot", FIXTURE, "--page-size", "0"], /--page-size: expected a positive integer/],
    [["report", "--scale", "huge", "--demo"], /--scale: expected small, large or a node count/],
    [["report", "-n", "a", "-A", "--snapshot", FIXTURE], /--namespace and --all-namespaces/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ];
  for (const [args, pattern] of cases) {
    const r = day2(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(" "));
    assert.equal(r.stdout, "", "nothing on stdout on a usage error");
  }
});

test("input errors exit 3 with one line naming the file", () => {
  const cases: [string, RegExp][] = [
    [join(TMP, "nope.json"), /nope\.json: cannot read: ENOENT/],
    [file("garbage.json", "{ this is not json }"), /garbage\.json \(object 1\): not valid JSON/],
    [
      file("cut.json", '{"kind": "List", "items": [{"kind": "Pod"'),
      /cut\.json \(end of input\): truncated JSON/,
    ],
    [file("scalar.yaml", "just words"), /scalar\.yaml \(document 1\): not a Kubernetes object/],
  ];
  for (const [path, pattern] of cases) {
    const r = day2(["report", "--snapshot", path]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr, /\[D2_ERR_INPUT\]/);
  }
});

test("a garbage kubeconfig or an unreachable server: one clear line, exit 3", () => {
  const garbage = file("kc-garbage", "\u0000\u0001 not: [yaml");
  let r = day2(["report", "--kubeconfig", garbage]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /kc-garbage/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  const unreachable = file(
    "kc-unreachable",
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: abc}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
  );
  r = day2(["report", "--kubeconfig", unreachable]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:9/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  r = day2(["report", "--kubeconfig", unreachable, "--context", "nope"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /context "nope".*not found/);
});

test("report on manifests: json with findings, coverage honest about what the files lack", () => {
  const r = day2(["report", "--snapshot", FIXTURE, "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.kind, "Report");
  assert.equal(report.summary.pods.total, 3);
  assert.equal(report.coverage.find((c) => c.kind === "Role")?.status, "not-collected");
  const rules = new Set(report.findings.map((f) => f.rule));
  assert.ok(rules.has("container-probes-missing"), [...rules].join(","));
  assert.ok(report.findings.every((f) => Object.keys(f.evidence).length > 0));
  assert.deepEqual(report.unknownKinds, [{ kind: "Certificate", count: 1 }]);
});

test("--fail-on sets exit 1 only at or above the threshold", () => {
  assert.equal(day2(["report", "--snapshot", FIXTURE, "--fail-on", "medium"]).code, 1);
  assert.equal(day2(["report", "--snapshot", FIXTURE, "--fail-on", "critical"]).code, 0);
});

test("--strict exits 4 when a kind was not permitted; without it the run reports and exits 0", () => {
  const snap = file(
    "forbidden.ndjson",
    [
      JSON.stringify({
        day2Snapshot: 1,
        source: "live",
        collectedAt: "2026-11-20T12:00:00Z",
        coverage: [{ kind: "Secret", status: "not-permitted", count: 0, reason: "list secrets: forbidden" }],
      }),
      JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "a" } }),
    ].join("\n"),
  );
  const loose = day2(["report", "--snapshot", snap]);
  assert.equal(loose.code, 0, loose.stderr);
  assert.match(loose.stdout, /Secret\s+not-permitted\s+list secrets: forbidden/);
  const strict = day2(["report", "--snapshot", snap, "--strict"]);
  assert.equal(strict.code, 4);
  assert.match(strict.stderr, /--strict/);
});

test("every output format renders", () => {
  const out = (fmt: string): string => {
    const r = day2(["report", "--snapshot", FIXTURE, "-o", fmt]);
    assert.equal(r.code, 0, `${fmt}: ${r.stderr}`);
    return r.stdout;
  };
  assert.match(out("table"), /^day2 report · .*\n\nCLUSTER\n/);
  assert.match(out("wide"), /RUNBOOK/);
  assert.match(out("yaml"), /^apiVersion: day2\.dev\/v1alpha1\nkind: Report\n/);
  assert.match(out("markdown"), /^# day2 report\n/);
  const html = out("html");
  assert.match(html, /^<!doctype html>/);
  assert.equal(/<(script|link)[^>]+src=|https?:\/\/[^"]*\.(js|css)/.test(html), false, "self-contained");
});

test("-n and -l narrow the findings", () => {
  const all = JSON.parse(day2(["report", "--snapshot", FIXTURE, "-o", "json"]).stdout) as Report;
  const ns = JSON.parse(
    day2(["report", "--snapshot", FIXTURE, "-o", "json", "-n", "other"]).stdout,
  ) as Report;
  assert.ok(all.findings.length > 0);
  assert.equal(ns.findings.length, 0);
  const sel = JSON.parse(
    day2(["report", "--snapshot", FIXTURE, "-o", "json", "-l", "app=nothing"]).stdout,
  ) as Report;
  assert.equal(sel.findings.length, 0);
});

test("stdin as a snapshot source", () => {
  const r = day2(
    ["report", "--snapshot", "-", "-o", "json"],
    {},
    JSON.stringify({
      kind: "List",
      items: [
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p", namespace: "n" },
          spec: { containers: [{ name: "c", image: "nginx" }] },
          status: { phase: "Running" },
        },
      ],
    }),
  );
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(report.findings.some((f) => f.rule === "image-latest-tag"));
});

test("report --rules runs custom CEL rules; a broken expression is exit 3 before any collection", () => {
  const ok = day2([
    "report",
    "--demo",
    "--rules",
    join(ROOT, "test", "fixtures", "custom-rules", "demo-latest.yaml"),
    "-o",
    "json",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as Report;
  const custom = report.findings.filter((f) => f.rule === "deployment-latest-image");
  const builtin = report.findings.filter(
    (f) => f.rule === "image-latest-tag" && f.object.kind === "Deployment",
  );
  assert.ok(custom.length > 0, "the custom rule found something");
  assert.ok(
    custom.every((f) =>
      builtin.some((b) => b.object.namespace === f.object.namespace && b.object.name === f.object.name),
    ),
  );
  const bad = day2([
    "report",
    "--demo",
    "--rules",
    join(ROOT, "test", "fixtures", "custom-rules", "invalid", "bad-cel.yaml"),
  ]);
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /bad-cel\.yaml \(line \d+, column \d+\): .*invalid CEL/);
  assert.equal(bad.stdout, "");
});

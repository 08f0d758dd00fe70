/**
 * `day2 scan` on static manifests (`helm template` output on stdin): runtime rules are
 * not-applicable (not scored, not passed), the rest judge the templates; compliance and the
 * vulnerabilities section are in every output.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../report/report.js";
import { RULES, RUNTIME_ON_MANIFESTS, runRules } from "../checks/index.js";
import { ClusterStateBuilder } from "../state/builder.js";
import type { KubeObject } from "../state/raw.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const HELM = join(ROOT, "test", "fixtures", "manifests", "helm-template.yaml");
const TRIVY = join(ROOT, "test", "fixtures", "trivy", "reports.yaml");
const TMP = mkdtempSync(join(tmpdir(), "day2-static-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

function day2(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const { KUBECONFIG: _k, ...rest } = process.env;
  const r = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), MAIN, ...args], {
    cwd: ROOT,
    env: { ...rest, HOME: mkdtempSync(join(TMP, "home-")), NO_COLOR: "1" },
    encoding: "utf8",
    input,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RUNTIME = RULES.filter((r) => r.runtime).map((r) => r.id);

test("runtime rules are marked, and include the status readers", () => {
  for (const id of [
    "pod-crash-loop",
    "pod-oom-killed",
    "node-not-ready",
    "workload-unavailable-replicas",
    "pvc-unbound",
    "job-failed",
    "service-no-endpoints",
  ])
    assert.ok(RUNTIME.includes(id), id);
  for (const id of [
    "container-privileged",
    "image-latest-tag",
    "pss-host-namespaces",
    "container-resources-missing",
  ])
    assert.ok(!RUNTIME.includes(id), id);
});

test("a crash-looping Pod: found in a snapshot, not-applicable in manifests", () => {
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "a" },
    spec: { containers: [{ name: "c", image: "x:1" }] },
    status: {
      phase: "Running",
      containerStatuses: [
        { name: "c", restartCount: 9, ready: false, state: { waiting: { reason: "CrashLoopBackOff" } } },
      ],
    },
  };
  const run = (source: "snapshot" | "manifests") => {
    const b = new ClusterStateBuilder({ source, sourceDetail: "t", collectedAt: 0 });
    b.add(structuredClone(pod));
    return runRules(b.build({ complete: false }), RULES, { now: 0 });
  };
  const snap = run("snapshot");
  assert.ok(snap.findings.some((f) => f.rule === "pod-crash-loop"));
  const man = run("manifests");
  assert.ok(!man.findings.some((f) => f.rule === "pod-crash-loop"));
  const o = man.outcomes.find((x) => x.rule === "pod-crash-loop")!;
  assert.deepEqual([o.status, o.reason], ["not-applicable", RUNTIME_ON_MANIFESTS]);
});

test("helm template on stdin: runtime rules not applicable and out of the score; templates judged", () => {
  const r = day2(["scan", "--snapshot", "-", "-o", "json"], readFileSync(HELM, "utf8"));
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as Report;
  assert.equal(rep.source.kind, "manifests");
  const na = rep.rules.filter((o) => o.status === "not-applicable");
  assert.deepEqual(na.map((o) => o.rule).sort(), [...RUNTIME].sort());
  assert.ok(na.every((o) => o.reason === RUNTIME_ON_MANIFESTS && o.findings === 0));
  const sc = rep.score!;
  assert.deepEqual(sc.rules.notApplicable.map((u) => u.rule).sort(), [...RUNTIME].sort());
  assert.ok(
    !sc.rules.notEvaluated.some((u) => RUNTIME.includes(u.rule)),
    "not-applicable is not a coverage gap",
  );
  assert.equal(
    sc.rules.evaluated,
    sc.rules.total - sc.rules.notEvaluated.length - sc.rules.notApplicable.length,
  );
  // Only evaluated rules' checks are in the denominator: 2 Deployments x rules judging templates, etc.
  const evaluatedChecks = rep.rules
    .filter((o) => o.status === "evaluated")
    .reduce((n, o) => n + (o.checks ?? 0), 0);
  assert.ok(sc.cluster.checks <= evaluatedChecks + rep.findings.length);
  assert.ok(rep.findings.some((f) => f.rule === "container-privileged" && f.object.name === "worker"));
  assert.ok(!rep.findings.some((f) => RUNTIME.includes(f.rule)));
  // Compliance from the templates; vulnerabilities: no data with the reason.
  assert.deepEqual(
    [rep.compliance!.cluster.restricted.passed, rep.compliance!.cluster.restricted.applicable],
    [8, 15],
  );
  assert.equal(rep.compliance!.namespaces.find((n) => n.name === "shop")!.baseline.percent, 81.8);
  assert.equal(rep.vulnerabilities!.status, "no data");
  assert.match(rep.vulnerabilities!.reason!, /no VulnerabilityReports in the input/);
});

test("table, markdown and html show compliance, vulnerabilities and the not-applicable rules", () => {
  const input = readFileSync(HELM, "utf8");
  const table = day2(["scan", "--snapshot", "-"], input);
  assert.equal(table.code, 0, table.stderr);
  assert.match(
    table.stdout,
    /rules not applicable \(runtime rule on static manifests; not scored, not passed\)/,
  );
  assert.match(
    table.stdout,
    /\nCOMPLIANCE {2}Pod Security Standards.*baseline 81\.8% \(9\/11\) · restricted 53\.3% \(8\/15\)/,
  );
  assert.match(
    table.stdout,
    /\nVULNERABILITIES {2}Trivy Operator · no data: no VulnerabilityReports in the input/,
  );
  const md = day2(["scan", "--snapshot", "-", "-o", "markdown"], input);
  assert.match(md.stdout, /## Compliance \(Pod Security Standards\)/);
  assert.match(md.stdout, /\| shop \| 81\.8% \(9\/11\) \| 53\.3% \(8\/15\) \|/);
  assert.match(md.stdout, /## Vulnerabilities \(Trivy Operator\)\n\nno data: /);
  const html = day2(["scan", "--snapshot", "-", "-o", "html"], input);
  assert.match(html.stdout, /<h2>Compliance \(Pod Security Standards\)<\/h2>/);
  assert.match(html.stdout, /<h2>Vulnerabilities \(Trivy Operator\)<\/h2>/);
});

test("VulnerabilityReports in the input: distinct counts; the demo has Trivy Operator's reports", () => {
  const rep = JSON.parse(day2(["scan", "--snapshot", TRIVY, "-o", "json"]).stdout) as Report;
  assert.deepEqual(
    [rep.vulnerabilities!.status, rep.vulnerabilities!.critical, rep.vulnerabilities!.high],
    ["ok", 3, 4],
  );
  assert.equal(rep.unknownKinds.length, 0);
  const demo = day2(["scan", "--demo"]);
  // src/demo/vulnerabilities.ts: reports for a fifth of the long-running workloads.
  assert.match(
    demo.stdout,
    /VULNERABILITIES {2}Trivy Operator · 2 critical · 18 high distinct CVEs in 64 images \(122 reports\)/,
  );
  assert.match(demo.stdout, /COVERAGE {2}31\/31 kinds collected\n/);
});

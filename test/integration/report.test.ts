/**
 * `day2 report` against the real control plane: every planted scenario is found with the
 * right rule and object, the healthy namespace yields nothing, the admin collects every kind.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Finding } from "../../src/checks/index.js";
import type { Report } from "../../src/report/report.js";
import { KINDS } from "../../src/state/kinds.js";
import { absentAddOn } from "../../src/report/report.js";
import { closeApi, cluster, day2, parseReport } from "./env.js";

const C = cluster();

interface Expected {
  scenario: string;
  rule: string;
  kind: string;
  /** Exact name, or a pattern for pods with generated names. */
  name: string | RegExp;
  /** Cluster-scoped objects have namespace "". */
  clusterScoped?: boolean;
}

const EXPECTED: Expected[] = [
  { scenario: "crashloop", rule: "pod-crash-loop", kind: "Pod", name: /^crashloop-[a-z0-9]+-[a-z0-9]+$/ },
  { scenario: "oomkilled", rule: "pod-oom-killed", kind: "Pod", name: /^oomkilled-[a-z0-9]+-[a-z0-9]+$/ },
  {
    scenario: "imagepullbackoff",
    rule: "pod-image-pull-error",
    kind: "Pod",
    name: /^imagepull-[a-z0-9]+-[a-z0-9]+$/,
  },
  { scenario: "failed", rule: "pod-failed", kind: "Pod", name: "migrate-db" },
  { scenario: "unschedulable", rule: "pod-pending", kind: "Pod", name: /^too-big-[a-z0-9]+-[a-z0-9]+$/ },
  {
    scenario: "node-notready",
    rule: "node-not-ready",
    kind: "Node",
    name: C.doomedNode,
    clusterScoped: true,
  },
  { scenario: "pdb-blocking", rule: "pdb-blocks-eviction", kind: "PodDisruptionBudget", name: "ledger" },
  { scenario: "pvc-unbound", rule: "pvc-unbound", kind: "PersistentVolumeClaim", name: "data" },
  { scenario: "pvc-unbound", rule: "pod-pending", kind: "Pod", name: "uses-data" },
  { scenario: "service-no-endpoints", rule: "service-no-endpoints", kind: "Service", name: "orphan" },
  { scenario: "rollout-stuck", rule: "deployment-rollout-stuck", kind: "Deployment", name: "checkout" },
];

function matchesName(f: Finding, name: string | RegExp): boolean {
  return typeof name === "string" ? f.object.name === name : name.test(f.object.name);
}

void describe("day2 report (admin, live)", () => {
  let report: Report;

  before(async () => {
    const r = await day2(["report", "--kubeconfig", C.kubeconfig, "-o", "json"]);
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    report = parseReport(r);
  });
  after(closeApi);

  void it("collects every kind, from the right server and version", () => {
    const notCollected = report.coverage.filter((c) => c.status !== "collected" && !absentAddOn(c));
    assert.deepEqual(notCollected, [], "the admin can list everything");
    // Add-ons the test cluster does not have (Trivy Operator) are not-installed, no gap.
    assert.equal(report.coverage.find((c) => c.kind === "VulnerabilityReport")?.status, "not-installed");
    assert.deepEqual(report.coverage.map((c) => c.kind).sort(), KINDS.map((k) => k.kind).sort());
    assert.equal(report.source.kind, "live");
    assert.equal(report.source.server, C.server);
    assert.equal(report.summary.version, C.version);
    for (const r of report.rules) assert.equal(r.status, "evaluated", `${r.rule}: ${r.reason ?? ""}`);
  });

  void it("summarises nodes by pool and zone, with the doomed node NotReady", () => {
    const s = report.summary;
    assert.equal(s.nodes.total, C.nodes.length);
    assert.equal(s.nodes.notReady, 1);
    assert.equal(s.nodes.ready, C.nodes.length - 1);
    const pools = Object.fromEntries(s.pools.map((p) => [p.pool, p.nodes]));
    const expectedPools: Record<string, number> = {};
    for (const n of C.nodes) expectedPools[n.pool] = (expectedPools[n.pool] ?? 0) + 1;
    assert.deepEqual(pools, expectedPools);
    const zones: Record<string, number> = {};
    for (const n of C.nodes) zones[n.zone] = (zones[n.zone] ?? 0) + 1;
    assert.deepEqual(s.zones, zones);
    assert.ok(s.pods.total >= 13, `pods: ${s.pods.total}`);
  });

  for (const e of EXPECTED) {
    void it(`${e.scenario}: ${e.rule} on ${e.kind} ${String(e.name)}`, () => {
      const ns = e.clusterScoped ? "" : C.scenarios[e.scenario]!;
      const hits = report.findings.filter(
        (f) =>
          f.rule === e.rule &&
          f.object.kind === e.kind &&
          f.object.namespace === ns &&
          matchesName(f, e.name),
      );
      assert.equal(
        hits.length,
        1,
        `expected one ${e.rule} finding for ${e.kind} ${ns}/${String(e.name)}; findings of that rule: ${JSON.stringify(
          report.findings.filter((f) => f.rule === e.rule).map((f) => f.object),
        )}`,
      );
      const f = hits[0]!;
      assert.ok(f.message.length > 0);
      assert.equal(f.runbook, `runbooks/${e.rule}.md`);
    });
  }

  void it("finds nothing in the healthy namespace", () => {
    const ns = C.scenarios.healthy!;
    assert.deepEqual(
      report.findings.filter((f) => f.object.namespace === ns),
      [],
    );
  });

  void it("puts each scenario's headline rule only where it was planted", () => {
    // No false positives across scenarios: a health rule fires only in namespaces planted for it.
    const plantedIn = new Map<string, Set<string>>();
    for (const e of EXPECTED) {
      const set = plantedIn.get(e.rule) ?? new Set<string>();
      set.add(e.clusterScoped ? "" : C.scenarios[e.scenario]!);
      plantedIn.set(e.rule, set);
    }
    // OOMKilled containers also crash-loop: the pod-crash-loop rule rightly fires there too.
    plantedIn.get("pod-crash-loop")!.add(C.scenarios.oomkilled!);
    // The doomed node's replacement pod cannot be scheduled (nodeSelector: only the dead node).
    plantedIn.get("pod-pending")!.add(C.scenarios["node-notready"]!);
    const stray = report.findings.filter(
      (f) => plantedIn.has(f.rule) && !plantedIn.get(f.rule)!.has(f.object.namespace),
    );
    assert.deepEqual(
      stray.map((f) => `${f.rule} ${f.object.kind} ${f.object.namespace}/${f.object.name}`),
      [],
    );
  });

  void it("-n <healthy namespace> gives zero findings and still exit 0", async () => {
    const r = await day2(["report", "--kubeconfig", C.kubeconfig, "-n", C.scenarios.healthy!, "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const rep = parseReport(r);
    assert.equal(rep.source.namespace, C.scenarios.healthy);
    assert.deepEqual(rep.findings, []);
    assert.deepEqual(
      rep.coverage.filter((c) => c.status !== "collected" && !absentAddOn(c)),
      [],
    );
    // The namespace's own objects were read: its Deployment, 2 pods, Service and PDB.
    assert.equal(rep.summary.pods.total, 2);
    assert.equal(rep.coverage.find((c) => c.kind === "PodDisruptionBudget")?.count, 1);
  });

  void it("--fail-on high exits 1 on the cluster (it has critical/high findings)", async () => {
    const r = await day2(["report", "--kubeconfig", C.kubeconfig, "--fail-on", "high", "-o", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const rep = parseReport(r);
    assert.ok(rep.findingCounts.critical + rep.findingCounts.high > 0);
  });
});

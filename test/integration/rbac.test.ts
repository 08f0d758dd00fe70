/**
 * A read-only user (ClusterRoleBinding to the built-in `view` ClusterRole): what it cannot
 * list is reported as "not-permitted" with the apiserver's reason, every rule reading such a
 * kind is "not-evaluated" and says why, the rest is judged as usual; exit 0, --strict exit 4.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { RULES } from "../../src/checks/index.js";
import { absentAddOn, type Report } from "../../src/report/report.js";
import { KINDS } from "../../src/state/kinds.js";
import { cluster, day2, parseReport, type Run } from "./env.js";

const C = cluster();

/**
 * What `view` does not grant: Secrets (by design), RBAC objects, Leases, and every
 * cluster-scoped kind day2 reads except Namespaces.
 */
const FORBIDDEN_FOR_VIEW = [
  "Secret",
  "Role",
  "RoleBinding",
  "Lease",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
].sort();

void describe("day2 report as a read-only (view) user", () => {
  let run: Run;
  let report: Report;

  before(async () => {
    run = await day2(["report", "--kubeconfig", C.readOnlyKubeconfig, "-o", "json"]);
    report = parseReport(run);
  });

  void it("completes with exit 0", () => {
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /^error:/m);
  });

  void it("reports exactly the kinds `view` cannot list as not-permitted, naming the user", () => {
    const notPermitted = report.coverage.filter((c) => c.status === "not-permitted");
    assert.deepEqual(notPermitted.map((c) => c.kind).sort(), FORBIDDEN_FOR_VIEW);
    for (const c of notPermitted) {
      assert.equal(c.count, 0);
      // The permission preflight's reason (RBAC: cannot list ...), or the 403's (forbidden).
      assert.match(c.reason ?? "", /forbidden|^RBAC: cannot list /, c.kind);
      assert.ok(c.reason?.includes(`"${C.viewerUser}"`), `${c.kind}: ${c.reason}`);
      const plural = KINDS.find((k) => k.kind === c.kind)!.plural;
      assert.ok(c.reason?.includes(plural), `${c.kind}: ${c.reason}`);
    }
    // An add-on that is not installed (Trivy Operator) is that, not forbidden: discovery tells.
    assert.equal(report.coverage.find((c) => c.kind === "VulnerabilityReport")?.status, "not-installed");
    const rest = report.coverage.filter((c) => !FORBIDDEN_FOR_VIEW.includes(c.kind) && !absentAddOn(c));
    for (const c of rest) assert.equal(c.status, "collected", `${c.kind}: ${c.reason ?? ""}`);
    assert.ok(report.coverage.find((c) => c.kind === "Pod")!.count > 0);
  });

  void it("marks every rule that reads a forbidden kind not-evaluated, with the reason", () => {
    const outcomes = new Map(report.rules.map((r) => [r.rule, r]));
    let skipped = 0;
    for (const rule of RULES) {
      const o = outcomes.get(rule.id);
      assert.ok(o, `no outcome for ${rule.id}`);
      const missing = rule.kinds.filter((k) => FORBIDDEN_FOR_VIEW.includes(k));
      if (missing.length > 0) {
        skipped++;
        assert.equal(o.status, "not-evaluated", rule.id);
        assert.equal(o.findings, 0);
        for (const k of missing)
          assert.match(o.reason ?? "", new RegExp(`${k}: not-permitted`), `${rule.id}: ${o.reason}`);
        assert.equal(
          report.findings.filter((f) => f.rule === rule.id).length,
          0,
          `${rule.id} must not report findings it could not evaluate`,
        );
      } else {
        assert.equal(o.status, "evaluated", `${rule.id}: ${o.reason ?? ""}`);
      }
    }
    assert.ok(skipped > 0, "node-not-ready at least reads Nodes");
    assert.equal(outcomes.get("node-not-ready")?.status, "not-evaluated");
  });

  void it("still finds what it can see (namespaced health problems)", () => {
    const ns = C.scenarios.crashloop!;
    assert.ok(report.findings.some((f) => f.rule === "pod-crash-loop" && f.object.namespace === ns));
    assert.ok(!report.findings.some((f) => f.rule === "node-not-ready"));
  });

  void it("--strict exits 4 (incomplete) and says why on stderr", async () => {
    const r = await day2(["report", "--kubeconfig", C.readOnlyKubeconfig, "-o", "json", "--strict"]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /coverage is incomplete/);
    parseReport(r); // the report is still printed
  });

  void it("--strict with the admin exits 0 (nothing missing)", async () => {
    const r = await day2([
      "report",
      "--kubeconfig",
      C.kubeconfig,
      "-o",
      "json",
      "--strict",
      "-n",
      C.scenarios.healthy!,
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
});

/**
 * Permissions, on the real cluster: deploy/rbac/day2-reader.yaml applied as is, a token for
 * its ServiceAccount (TokenRequest), and `day2 report` under exactly that role has full
 * coverage with every rule evaluated. The `view` user's run shows what the preflight found
 * missing (RBAC reason, the skipped rules naming `list secrets` etc.), and a user with no
 * permissions at all gets every kind not-permitted by the preflight: exit 0, --strict 4.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAllDocuments, stringify } from "yaml";
import { RULES } from "../../src/checks/index.js";
import { listPath, KINDS, kindInfo } from "../../src/state/kinds.js";
import type { Report } from "../../src/report/report.js";
import { waitFor } from "../cluster/harness.js";
import {
  api,
  closeApi,
  cluster,
  day2,
  deleteNamespace,
  parseReport,
  ROOT,
  tempDir,
  type Run,
} from "./env.js";

const C = cluster();
const ROLE_FILE = join(ROOT, "deploy", "rbac", "day2-reader.yaml");

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** The collection URL of a manifest's kind (all four kinds of the file are in KINDS). */
function collectionPath(m: Manifest): string {
  const info = kindInfo(m.kind);
  if (!info) throw new Error(`${m.kind} is not in KINDS`);
  return listPath(info, m.metadata.namespace);
}

/** Kinds an add-on brings that may be absent from the test cluster: "not-installed" is no gap. */
const OPTIONAL = new Set(KINDS.filter((k) => k.optional).map((k) => k.kind));

/** Coverage that is neither collected nor an absent add-on. */
function gaps(r: Report) {
  return r.coverage.filter(
    (c) => c.status !== "collected" && !(OPTIONAL.has(c.kind) && c.status === "not-installed"),
  );
}

void describe("the day2-reader role (deploy/rbac/day2-reader.yaml)", () => {
  const tmp = tempDir("permissions");
  const manifests = parseAllDocuments(readFileSync(ROLE_FILE, "utf8")).map((d) => d.toJS() as Manifest);
  let kubeconfig: string;
  let run: Run;
  let report: Report;

  before(async () => {
    for (const m of manifests) {
      const r = await api("POST", collectionPath(m), m);
      if (r.status !== 201 && r.status !== 409)
        throw new Error(`applying ${m.kind}/${m.metadata.name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    }
    const sa = manifests.find((m) => m.kind === "ServiceAccount")!;
    const tr = await api<{ status?: { token?: string } }>(
      "POST",
      `/api/v1/namespaces/${sa.metadata.namespace}/serviceaccounts/${sa.metadata.name}/token`,
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
    );
    const token = tr.body.status?.token;
    if (tr.status !== 201 || !token)
      throw new Error(`TokenRequest: HTTP ${tr.status} ${JSON.stringify(tr.body)}`);
    kubeconfig = join(tmp.dir, "day2-reader.kubeconfig");
    const user = `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`;
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "day2-test", cluster: { server: C.server, "certificate-authority": C.caCertPath } },
        ],
        users: [{ name: user, user: { token } }],
        contexts: [{ name: "day2-reader", context: { cluster: "day2-test", user } }],
        "current-context": "day2-reader",
      }),
      { mode: 0o600 },
    );
    // The RBAC authorizer learns of new bindings through its informers: wait until it has.
    await waitFor(
      async () => {
        const r = await api<{ status?: { allowed?: boolean } }>(
          "POST",
          "/apis/authorization.k8s.io/v1/subjectaccessreviews",
          {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SubjectAccessReview",
            spec: { user, resourceAttributes: { verb: "list", resource: "secrets" } },
          },
        );
        return r.body.status?.allowed === true;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: "day2-reader binding in effect" },
    );
    run = await day2(["report", "--kubeconfig", kubeconfig, "-o", "json"]);
    report = parseReport(run);
  });

  after(async () => {
    for (const m of [...manifests].reverse().filter((x) => x.kind.startsWith("Cluster"))) {
      await api("DELETE", `${collectionPath(m)}/${m.metadata.name}`);
    }
    const ns = manifests.find((m) => m.kind === "Namespace");
    if (ns) await deleteNamespace(ns.metadata.name);
    closeApi();
    tmp.cleanup();
  });

  void it("a scan under exactly that role: exit 0, every kind collected, every rule evaluated", () => {
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(gaps(report), []);
    assert.equal(
      report.coverage.find((c) => c.kind === "Secret")?.status,
      "collected",
      "secrets listed (metadata only)",
    );
    for (const o of report.rules) assert.equal(o.status, "evaluated", `${o.rule}: ${o.reason ?? ""}`);
    assert.equal(report.rules.length, RULES.length);
    assert.doesNotMatch(run.stderr, /permission preflight/, "the preflight found nothing missing");
  });

  void it("--strict exits 0 under the role (nothing missing)", async () => {
    const r = await day2([
      "report",
      "--kubeconfig",
      kubeconfig,
      "-o",
      "json",
      "--strict",
      "-n",
      C.scenarios.healthy!,
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
});

/** What `view` may not list (see rbac.test.ts). */
const FORBIDDEN_FOR_VIEW: Record<string, string> = {
  Secret: "list secrets",
  Role: "list rbac.authorization.k8s.io/roles",
  RoleBinding: "list rbac.authorization.k8s.io/rolebindings",
  Lease: "list coordination.k8s.io/leases",
  Node: "list nodes",
  PersistentVolume: "list persistentvolumes",
  StorageClass: "list storage.k8s.io/storageclasses",
  ClusterRole: "list rbac.authorization.k8s.io/clusterroles",
  ClusterRoleBinding: "list rbac.authorization.k8s.io/clusterrolebindings",
  CustomResourceDefinition: "list apiextensions.k8s.io/customresourcedefinitions",
};

void describe("the preflight for the read-only (view) user", () => {
  let run: Run;
  let report: Report;

  before(async () => {
    run = await day2(["report", "--kubeconfig", C.readOnlyKubeconfig, "-o", "json"]);
    report = parseReport(run);
  });

  void it("the kinds `view` cannot list are not-permitted by the preflight, with the RBAC reason", () => {
    assert.equal(run.code, 0, run.stderr);
    const notPermitted = report.coverage.filter((c) => c.status === "not-permitted");
    assert.deepEqual(notPermitted.map((c) => c.kind).sort(), Object.keys(FORBIDDEN_FOR_VIEW).sort());
    for (const c of notPermitted) {
      assert.equal(
        c.reason,
        `RBAC: cannot ${FORBIDDEN_FOR_VIEW[c.kind]} (preflight; user "${C.viewerUser}")`,
        c.kind,
      );
    }
    assert.match(run.stderr, /permission preflight as "day2-viewer": missing .*list secrets/);
  });

  void it("every skipped rule names the verb and resource that were missing", () => {
    let skipped = 0;
    for (const rule of RULES) {
      const o = report.rules.find((x) => x.rule === rule.id)!;
      const missing = rule.kinds.filter((k) => k in FORBIDDEN_FOR_VIEW).map((k) => FORBIDDEN_FOR_VIEW[k]!);
      if (missing.length === 0) continue;
      skipped++;
      assert.equal(o.status, "not-evaluated", rule.id);
      assert.deepEqual(o.missing, missing, rule.id);
      for (const m of missing) assert.ok(o.reason?.includes(m), `${rule.id}: ${o.reason}`);
    }
    assert.ok(skipped > 0);
    assert.deepEqual(report.rules.find((x) => x.rule === "pod-missing-secret")?.missing, ["list secrets"]);
  });

  void it("the table output has the Permissions line", async () => {
    const r = await day2(["report", "--kubeconfig", C.readOnlyKubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    const skippedRules = report.rules.filter((o) => o.missing?.length).length;
    assert.match(
      r.stdout,
      new RegExp(
        `PERMISSIONS  missing: list nodes, list secrets, list persistentvolumes, .* \\(${skippedRules} rules not evaluated\\)`,
      ),
    );
  });

  void it("with -n: the same verdicts for that namespace (rules review + access reviews)", async () => {
    const ns = C.scenarios.healthy!;
    const r = await day2(["report", "--kubeconfig", C.readOnlyKubeconfig, "-o", "json", "-n", ns]);
    assert.equal(r.code, 0, r.stderr);
    const rep = parseReport(r);
    const secret = rep.coverage.find((c) => c.kind === "Secret")!;
    assert.equal(secret.status, "not-permitted");
    assert.equal(
      secret.reason,
      `RBAC: cannot list secrets in namespace "${ns}" (preflight; user "${C.viewerUser}")`,
    );
    assert.equal(rep.coverage.find((c) => c.kind === "Pod")?.status, "collected");
    assert.equal(rep.coverage.find((c) => c.kind === "Node")?.status, "not-permitted");
  });

  void it("--no-preflight: the same kinds not-permitted, from the 403s", async () => {
    const r = await day2(["report", "--kubeconfig", C.readOnlyKubeconfig, "-o", "json", "--no-preflight"]);
    assert.equal(r.code, 0, r.stderr);
    const rep = parseReport(r);
    const notPermitted = rep.coverage.filter((c) => c.status === "not-permitted");
    assert.deepEqual(notPermitted.map((c) => c.kind).sort(), Object.keys(FORBIDDEN_FOR_VIEW).sort());
    for (const c of notPermitted) assert.match(c.reason ?? "", /forbidden/, c.kind);
    assert.doesNotMatch(r.stderr, /permission preflight/);
  });
});

void describe("the preflight for a user with no permissions at all (--as as admin)", () => {
  const args = ["report", "--kubeconfig", C.kubeconfig, "--as", "day2-nobody", "-o", "json"];

  void it("every kind not-permitted by the preflight, every rule not evaluated, exit 0", async () => {
    const r = await day2(args);
    assert.equal(r.code, 0, r.stderr);
    const rep = parseReport(r);
    for (const c of rep.coverage) {
      if (OPTIONAL.has(c.kind) && c.status === "not-installed") continue;
      assert.equal(c.status, "not-permitted", c.kind);
      assert.match(c.reason ?? "", /^RBAC: cannot list \S+ \(preflight; user "day2-nobody"\)$/, c.kind);
    }
    for (const rule of RULES.filter((x) => x.kinds.some((k) => !OPTIONAL.has(k)))) {
      assert.equal(rep.rules.find((o) => o.rule === rule.id)?.status, "not-evaluated", rule.id);
    }
    assert.equal(rep.findings.length, 0);
  });

  void it("--strict exits 4", async () => {
    const r = await day2([...args, "--strict"]);
    assert.equal(r.code, 4, r.stderr);
    parseReport(r);
  });
});

/**
 * Trivy Operator's VulnerabilityReports on the real control plane: without the CRD the CVE
 * summary is "no data: Trivy Operator not installed" (no coverage gap, `--strict` still 0);
 * with the CRD (test/fixtures/trivy/crd.yaml, Established) and the sample reports applied in
 * this file's own namespace, `day2 scan -o json` counts distinct critical and high CVEs by image
 * and workload; the read-only user, who may not list the reports, gets "no data" with why.
 * The namespace and the CRD are deleted at the end (waiting until the API no longer serves
 * the group), so the other files never see them; the rule outcomes are the same with and
 * without the CRD.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import type { Report } from "../../src/report/report.js";
import { waitFor } from "../cluster/harness.js";
import { ROOT, api, closeApi, cluster, createNamespace, day2, deleteNamespace, parseReport } from "./env.js";

const C = cluster();
const CRD_NAME = "vulnerabilityreports.aquasecurity.github.io";
const GROUP_PATH = "/apis/aquasecurity.github.io/v1alpha1";

function docs(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(join(ROOT, "test", "fixtures", "trivy", file), "utf8"))
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);
}

async function scan(args: string[]): Promise<Report> {
  const r = await day2(["scan", ...args, "-o", "json"]);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return parseReport(r);
}

async function deleteCrd(): Promise<void> {
  const r = await api("DELETE", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`);
  if (r.status !== 200 && r.status !== 202 && r.status !== 404)
    throw new Error(`deleting the CRD: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  await waitFor(
    async () =>
      (await api("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`)).status ===
      404,
    { timeoutMs: 60_000, intervalMs: 250, description: "CRD deleted" },
  );
  await waitFor(async () => (await api("GET", GROUP_PATH)).status === 404, {
    timeoutMs: 60_000,
    intervalMs: 250,
    description: `${GROUP_PATH} no longer served`,
  });
}

void describe("Trivy Operator VulnerabilityReports", () => {
  let ns: string;
  let without: Report;

  before(async () => {
    ns = await createNamespace("trivy");
    without = await scan(["--kubeconfig", C.kubeconfig]);
  });
  after(async () => {
    try {
      if (ns) await deleteNamespace(ns);
    } finally {
      await deleteCrd();
      closeApi();
    }
  });

  void it("without the CRD: no data, Trivy Operator not installed; no gap, --strict exits 0", async () => {
    const cov = without.coverage.find((c) => c.kind === "VulnerabilityReport")!;
    assert.equal(cov.status, "not-installed", cov.reason);
    const v = without.vulnerabilities!;
    assert.deepEqual(
      [v.status, v.reason, v.critical, v.high],
      ["no data", "Trivy Operator not installed", null, null],
    );
    // No rule reads the add-on's kind: its absence makes nothing not-evaluated.
    assert.ok(!without.rules.some((o) => (o.reason ?? "").includes("VulnerabilityReport")));
    const strict = await day2(["scan", "--kubeconfig", C.kubeconfig, "--strict", "-o", "json"]);
    assert.equal(strict.code, 0, strict.stderr);
    // The read-only user cannot list the kind (403), but discovery says it is not installed.
    const viewer = await scan(["--kubeconfig", C.readOnlyKubeconfig]);
    assert.equal(viewer.coverage.find((c) => c.kind === "VulnerabilityReport")?.status, "not-installed");
    assert.equal(viewer.vulnerabilities!.reason, "Trivy Operator not installed");
  });

  void it("with the CRD and the sample reports: distinct critical and high CVEs by image and workload", async () => {
    const [crd] = docs("crd.yaml");
    const created = await api("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await waitFor(
      async () => {
        const r = await api<{ status?: { conditions?: { type: string; status: string }[] } }>(
          "GET",
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`,
        );
        return r.body.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
      },
      { timeoutMs: 60_000, intervalMs: 200, description: "CRD Established" },
    );
    const reports = docs("reports.yaml");
    for (const doc of reports) {
      const body = { ...doc, metadata: { ...(doc.metadata as object), namespace: ns } };
      // Established can precede the handler by a moment: retry a 404 until the resource is served.
      await waitFor(
        async () => {
          const r = await api("POST", `${GROUP_PATH}/namespaces/${ns}/vulnerabilityreports`, body);
          if (r.status === 404) return false;
          assert.equal(r.status, 201, JSON.stringify(r.body));
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 200, description: "VulnerabilityReport created" },
      );
    }

    const rep = await scan(["--kubeconfig", C.kubeconfig]);
    const cov = rep.coverage.find((c) => c.kind === "VulnerabilityReport")!;
    assert.deepEqual([cov.status, cov.count], ["collected", reports.length]);
    const v = rep.vulnerabilities!;
    assert.equal(v.status, "ok", v.reason);
    assert.equal(v.critical, 3);
    assert.equal(v.high, 4);
    assert.equal(v.reports, 5);
    assert.equal(v.images, 4);
    assert.deepEqual(
      v.byImage.map((i) => `${i.image} ${i.critical}/${i.high} x${i.workloads}`),
      [
        "registry.example.com/shop/api:2.14.0 2/2 x1",
        "library/nginx:1.25.3 2/1 x2",
        "library/redis:7.2.4 1/2 x1",
      ],
    );
    assert.ok(v.byWorkload.every((w) => w.namespace === ns));
    assert.deepEqual(
      v.byWorkload.map((w) => `${w.kind}/${w.name}`),
      [
        "ReplicaSet/api-5f7d9b8c6",
        "ReplicaSet/web-6d4cf56db6",
        "ReplicaSet/web-canary-7b9f8c5d4",
        "StatefulSet/cache",
      ],
    );
    // The CRD changes no rule outcome and no finding of the cluster.
    assert.deepEqual(
      rep.rules.map((o) => `${o.rule} ${o.status}`),
      without.rules.map((o) => `${o.rule} ${o.status}`),
    );
    // -n: the namespace's reports only (the same here).
    const scoped = await scan(["--kubeconfig", C.kubeconfig, "-n", ns]);
    assert.deepEqual([scoped.vulnerabilities!.critical, scoped.vulnerabilities!.high], [3, 4]);

    // The read-only (view) user may not list the reports now that they exist: no data, and why.
    const viewer = await scan(["--kubeconfig", C.readOnlyKubeconfig]);
    assert.equal(viewer.coverage.find((c) => c.kind === "VulnerabilityReport")?.status, "not-permitted");
    assert.equal(viewer.vulnerabilities!.status, "no data");
    assert.match(viewer.vulnerabilities!.reason!, /VulnerabilityReports not readable/);

    // Table output: the section with the counts.
    const table = await day2(["scan", "--kubeconfig", C.kubeconfig, "-n", ns]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /\nVULNERABILITIES {2}Trivy Operator · 3 critical · 4 high distinct CVEs in 4 images \(5 reports\)/,
    );
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeObject } from "../state/raw.js";
import { readInputs } from "../snapshot/read.js";
import { TRIVY_NOT_INSTALLED, cveSummary } from "./vulnerabilities.js";

const REPORTS = fileURLToPath(new URL("../../test/fixtures/trivy/reports.yaml", import.meta.url));

async function state(
  opts: {
    reports?: boolean;
    extra?: KubeObject[];
    coverage?: ["not-installed" | "not-permitted", string];
  } = {},
): Promise<ClusterState> {
  const b = new ClusterStateBuilder({ source: "snapshot", sourceDetail: "test", collectedAt: 0 });
  if (opts.reports !== false)
    await readInputs([REPORTS], (o) => {
      o.metadata = { ...o.metadata, namespace: "shop" };
      b.add(o);
    });
  for (const o of opts.extra ?? []) b.add(o);
  if (opts.coverage) b.setCoverage("VulnerabilityReport", opts.coverage[0], opts.coverage[1]);
  return b.build({ complete: true });
}

test("distinct critical and high CVE ids across reports, images and workloads", async () => {
  const rs = (name: string, deployment: string): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: "shop",
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: deployment,
          uid: `u-${deployment}`,
          controller: true,
        },
      ],
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: deployment } },
      template: {
        metadata: { labels: { app: deployment } },
        spec: { containers: [{ name: "c", image: "x" }] },
      },
    },
  });
  const s = await state({ extra: [rs("web-6d4cf56db6", "web")] });
  const v = cveSummary(s);
  assert.equal(v.status, "ok");
  assert.equal(v.critical, 3); // CVE-2024-0001 in three images counts once
  assert.equal(v.high, 4); // CVE-2024-1003 twice in redis and in api counts once
  assert.equal(v.reports, 5);
  assert.equal(v.images, 4);
  assert.deepEqual(
    v.byImage.map((i) => [i.image, i.critical, i.high, i.workloads]),
    [
      ["registry.example.com/shop/api:2.14.0", 2, 2, 1],
      ["library/nginx:1.25.3", 2, 1, 2],
      ["library/redis:7.2.4", 1, 2, 1],
    ],
  );
  // The ReplicaSet the state knows is shown as its Deployment; the busybox image (no CVEs) is left out.
  assert.deepEqual(
    v.byWorkload.map((w) => `${w.kind}/${w.name} ${w.critical}/${w.high}`),
    [
      "ReplicaSet/api-5f7d9b8c6 2/2",
      "Deployment/web 2/1",
      "ReplicaSet/web-canary-7b9f8c5d4 2/1",
      "StatefulSet/cache 1/2",
    ],
  );
});

test("the projection keeps counts and critical/high ids only", async () => {
  const s = await state();
  const r = s.list("VulnerabilityReport").find((x) => x.name === "statefulset-cache-redis")!;
  assert.deepEqual({ ...r.counts }, { critical: 1, high: 3, medium: 0, low: 1, unknown: 1 });
  assert.deepEqual(r.criticalIds, ["CVE-2024-0001"]);
  assert.deepEqual(r.highIds, ["CVE-2024-1002", "CVE-2024-1003"]);
  assert.equal(r.container, "redis");
  assert.equal(r.digest.startsWith("sha256:2222"), true);
  assert.equal("vulnerabilities" in r, false);
});

test("without the CRD: no data, Trivy Operator not installed (never 0)", async () => {
  const v = cveSummary(
    await state({ reports: false, coverage: ["not-installed", "vulnerabilityreports not found"] }),
  );
  assert.deepEqual([v.status, v.reason, v.critical, v.high], ["no data", TRIVY_NOT_INSTALLED, null, null]);
  // A complete source (the demo) without any report: not installed either.
  const demoLike = cveSummary(await state({ reports: false }));
  assert.equal(demoLike.reason, TRIVY_NOT_INSTALLED);
});

test("not permitted, not in the input, installed without reports: no data with the reason", async () => {
  const forbidden = cveSummary(
    await state({ reports: false, coverage: ["not-permitted", "list vulnerabilityreports: forbidden"] }),
  );
  assert.equal(forbidden.status, "no data");
  assert.match(forbidden.reason!, /not readable: list vulnerabilityreports: forbidden/);
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "t", collectedAt: 0 });
  assert.match(cveSummary(b.build({ complete: false })).reason!, /no VulnerabilityReports in the input/);
  const installed = new ClusterStateBuilder({ source: "live", sourceDetail: "t", collectedAt: 0 });
  installed.setCoverage("VulnerabilityReport", "collected");
  assert.match(
    cveSummary(installed.build({ complete: true })).reason!,
    /installed but there is no VulnerabilityReport yet/,
  );
});

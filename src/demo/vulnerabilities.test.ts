/** The demo's Trivy Operator VulnerabilityReports: deterministic, tied to real workloads, a believable mix. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cveSummary } from "../score/vulnerabilities.js";
import { ClusterStateBuilder } from "../state/builder.js";
import type { KubeObject } from "../state/raw.js";
import { generateDemo } from "./generate.js";
import { artifactOf, imageProfile } from "./vulnerabilities.js";

const objects = [...generateDemo({ seed: 42 })];
const reports = objects.filter((o) => o.kind === "VulnerabilityReport");

test("one report per container of about a fifth of the long-running workloads, each naming a real owner", () => {
  assert.equal(reports.length, 122);
  const byKey = new Map(
    objects.map((o) => [`${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`, o]),
  );
  const owners = new Set<string>();
  for (const r of reports) {
    const md = r.metadata!;
    const labels = md.labels!;
    const kind = labels["trivy-operator.resource.kind"]!;
    const name = labels["trivy-operator.resource.name"]!;
    assert.ok(["ReplicaSet", "StatefulSet", "DaemonSet"].includes(kind), kind);
    const owner = byKey.get(`${kind}/${md.namespace}/${name}`) as KubeObject | undefined;
    assert.ok(owner, `${md.namespace}/${md.name}: no ${kind}/${name}`);
    assert.equal(md.ownerReferences?.[0]?.uid, owner.metadata?.uid);
    assert.equal(md.name, `${kind.toLowerCase()}-${name}-${labels["trivy-operator.container.name"]}`);
    // The report's image is the image the owner's template runs in that container.
    const spec = (
      owner as { spec: { template: { spec: { containers: { name: string; image: string }[] } } } }
    ).spec.template.spec;
    const c = spec.containers.find((x) => x.name === labels["trivy-operator.container.name"]);
    assert.ok(c, `${md.name}: container in the template`);
    const a = (r as { report: { artifact: { repository: string } } }).report.artifact;
    assert.equal(a.repository, artifactOf(c.image).repository);
    owners.add(`${kind}/${md.namespace}/${name}`);
  }
  const longRunning = objects.filter((o) =>
    ["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind ?? ""),
  ).length;
  assert.ok(
    owners.size > longRunning / 8 && owners.size < longRunning / 3,
    `${owners.size} of ${longRunning}`,
  );
  assert.deepEqual(
    [...generateDemo({ seed: 42 })].filter((o) => o.kind === "VulnerabilityReport"),
    reports,
  );
});

test("the scanner's figures: a few critical, more high, medium and low in every report", () => {
  const b = new ClusterStateBuilder({ source: "demo", sourceDetail: "test", collectedAt: 0 });
  for (const o of objects) b.add(o);
  const s = cveSummary(b.build({ complete: true }));
  assert.equal(s.status, "ok");
  assert.deepEqual([s.critical, s.high, s.reports, s.images], [2, 18, 122, 64]);
  for (const r of reports) {
    const sum = (r as { report: { summary: Record<string, number> } }).report.summary;
    assert.ok(sum.mediumCount! >= 2 && sum.lowCount! >= 8, JSON.stringify(sum));
  }
  const withCritical = reports.filter(
    (r) => (r as { report: { summary: { criticalCount: number } } }).report.summary.criticalCount > 0,
  );
  assert.ok(withCritical.length > 0 && withCritical.length < reports.length / 5, `${withCritical.length}`);
});

test("an image's CVEs are a function of the image; references parse as Trivy reports them", () => {
  assert.deepEqual(imageProfile("ghcr.io/acme/api:1.2.3"), imageProfile("ghcr.io/acme/api:1.2.3"));
  assert.deepEqual(artifactOf("docker.io/library/postgres:16.4"), {
    server: "index.docker.io",
    repository: "library/postgres",
    tag: "16.4",
    digest: "",
  });
  assert.deepEqual(artifactOf("nginx"), {
    server: "index.docker.io",
    repository: "library/nginx",
    tag: "latest",
    digest: "",
  });
  assert.deepEqual(artifactOf("123.dkr.ecr.us-east-1.amazonaws.com/a/b@sha256:ab"), {
    server: "123.dkr.ecr.us-east-1.amazonaws.com",
    repository: "a/b",
    tag: "",
    digest: "sha256:ab",
  });
  assert.deepEqual(artifactOf("localhost:5000/x:1"), {
    server: "localhost:5000",
    repository: "x",
    tag: "1",
    digest: "",
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeObject } from "../state/raw.js";
import { readInputs } from "../snapshot/read.js";
import { RULES, runRules } from "../checks/index.js";
import { PSS_CONTROLS } from "../checks/pss.js";
import { clusterCompliance, compliancePercent, computeCompliance, levelControls } from "./compliance.js";

const MANIFESTS = fileURLToPath(new URL("../../test/fixtures/manifests/helm-template.yaml", import.meta.url));

function deployment(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec },
    },
  };
}

const RESTRICTED = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "c",
      image: "x:1",
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    },
  ],
};

function build(objects: KubeObject[], cov?: [string, "not-permitted"]): ClusterState {
  const b = new ClusterStateBuilder({ source: "snapshot", sourceDetail: "t", collectedAt: 0 });
  for (const o of objects) b.add(o);
  if (cov) b.setCoverage(cov[0], cov[1], "forbidden");
  return b.build({ complete: true });
}

function compliance(state: ClusterState) {
  const run = runRules(state, RULES, { now: 0 });
  return computeCompliance({ state, rules: RULES, outcomes: run.outcomes, findings: run.findings });
}

test("levels: baseline has 11 controls, restricted 15, judged by the tighter rule", () => {
  assert.equal(levelControls("baseline").length, 11);
  assert.equal(levelControls("restricted").length, 15);
  const caps = levelControls("restricted").find((c) => c.control === "Capabilities")!;
  assert.equal(caps.rule, PSS_CONTROLS.Capabilities!.restricted);
});

test("per namespace passed / applicable; the cluster fails a control any namespace fails", () => {
  const s = build([
    deployment("good", "a", RESTRICTED),
    deployment("bad", "b", {
      hostNetwork: true,
      containers: [{ name: "c", image: "x:1", securityContext: { privileged: true } }],
    }),
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "empty" } },
  ]);
  const c = compliance(s);
  const ns = new Map(c.namespaces.map((n) => [n.name, n]));
  assert.deepEqual([ns.get("good")!.baseline.passed, ns.get("good")!.baseline.applicable], [11, 11]);
  assert.equal(ns.get("good")!.restricted.percent, 100);
  const bad = ns.get("bad")!;
  assert.deepEqual([...bad.baseline.failed].sort(), ["Host Namespaces", "Privileged Containers"]);
  assert.equal(bad.baseline.passed, 9);
  assert.equal(bad.restricted.applicable, 15);
  // An empty namespace has nothing applicable: no percentage, never 100.
  assert.deepEqual([ns.get("empty")!.restricted.applicable, ns.get("empty")!.restricted.percent], [0, null]);
  assert.equal(c.cluster.baseline.passed, 9);
  assert.equal(c.cluster.baseline.applicable, 11);
  assert.equal(compliancePercent(c, "baseline").percent, 81.8);
  const hn = c.controls.find((x) => x.level === "baseline" && x.control === "Host Namespaces")!;
  assert.deepEqual([hn.status, hn.failing, hn.workloads, hn.failingNamespaces], ["failed", 1, 2, ["bad"]]);
});

test("a control whose rule was not evaluated is not evaluated, never passed", () => {
  // Secrets forbidden touch no PSS rule; make the templates' kind unreadable instead.
  const s = build([deployment("good", "a", RESTRICTED)], ["DaemonSet", "not-permitted"]);
  const c = compliance(s);
  assert.equal(c.cluster.baseline.applicable, 0);
  assert.equal(c.cluster.baseline.notEvaluated, 11);
  assert.equal(c.cluster.baseline.percent, null);
  assert.ok(
    c.controls.every((x) => x.status === "not-evaluated" && /DaemonSet: not-permitted/.test(x.reason ?? "")),
  );
  const kpi = compliancePercent(c);
  assert.equal(kpi.status, "no data");
  assert.match(kpi.reason!, /not evaluated/);
});

test("clusterCompliance: the KPI straight from a state", async () => {
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "t", collectedAt: 0 });
  await readInputs([MANIFESTS], (o) => b.add(o));
  const kpi = clusterCompliance(b.build({ complete: false }));
  assert.equal(kpi.status, "ok");
  assert.equal(kpi.level, "restricted");
  assert.deepEqual([kpi.passed, kpi.applicable], [8, 15]);
  assert.equal(kpi.percent, 53.3);
});

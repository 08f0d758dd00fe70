/**
 * The whole pipeline on the demo cluster: every planted problem that a current rule covers is
 * found with that rule, and the healthy namespace stays free of findings as rules are added
 * (when it is not, fix the demo, not the rule).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { HEALTHY_NAMESPACE, PLANTED_PROBLEMS, demoState } from "../demo/index.js";
import { RULES } from "../checks/index.js";
import { absentAddOn, buildReport } from "./report.js";

const state = demoState();
const report = buildReport(state, { rules: RULES });

/** Planted problem id -> the rule that must find it (problems later rules will cover are absent). */
const EXPECTED: Record<string, string> = {
  "crash-loop": "pod-crash-loop",
  "oom-killed": "pod-oom-killed",
  "high-restarts": "pod-high-restarts",
  "deployment-unavailable": "workload-unavailable-replicas",
  "rollout-stuck": "deployment-rollout-stuck",
  "image-pull-backoff": "pod-image-pull-error",
  "err-image-pull": "pod-image-pull-error",
  "lb-no-endpoints": "service-no-endpoints",
  "pdb-blocks-eviction": "pdb-blocks-eviction",
  "single-replica-no-pdb": "single-replica-no-pdb",
  "service-no-pods": "service-no-endpoints",
  "latest-tag": "image-latest-tag",
  "no-probes": "container-probes-missing",
  "no-run-as-non-root": "container-run-as-root",
  "untagged-image": "image-latest-tag",
  "no-resources": "container-resources-missing",
  "privileged-container": "container-privileged",
  "run-as-root": "container-run-as-root",
  "host-path": "pod-host-path",
  "host-network": "pss-host-namespaces",
  "no-network-policy": "namespace-no-network-policy",
  "rolebinding-missing-sa": "rbac-binding-missing-service-account",
  "pvc-unbound": "pvc-unbound",
  "pending-unschedulable": "pod-pending",
  "node-not-ready": "node-not-ready",
  "node-pressure": "node-pressure",
  "daemonset-unavailable": "workload-unavailable-replicas",
  "job-failed": "job-failed",
  "failed-container": "job-failed",
  "job-no-ttl": "job-no-ttl",
  "pvc-unused": "pvc-unused",
  "orphan-configmap": "configmap-unused",
  "old-replicasets": "deployment-old-replicasets",
  "missing-configmap-ref": "pod-missing-configmap",
  "ingress-missing-service": "ingress-missing-service",
  "deprecated-api-version": "deprecated-api-version",
  "deprecated-api-managed": "deprecated-api-managed",
  "kubelet-version-skew": "node-kubelet-version-skew",
  "hpa-at-max": "hpa-at-max",
  "namespace-missing-labels": "namespace-missing-owner-labels",
};

test("every planted problem a rule covers is found by that rule, on that object", () => {
  for (const p of PLANTED_PROBLEMS) {
    const rule = EXPECTED[p.id];
    if (!rule) continue;
    // A problem judged on its owner (a Job's failed pod, a Deployment's old ReplicaSet) is found
    // when the owner's finding names the object in its evidence.
    const hit = report.findings.find(
      (f) =>
        f.rule === rule &&
        f.object.namespace === (p.kind === "Node" ? "" : p.namespace) &&
        (f.object.name === p.name ||
          f.object.name.startsWith(`${p.name}-`) ||
          Object.values(f.evidence).includes(p.name)),
    );
    assert.ok(hit, `${p.id}: expected ${rule} on ${p.kind} ${p.namespace}/${p.name}`);
  }
});

test(`the healthy namespace (${HEALTHY_NAMESPACE}) has no findings`, () => {
  const noisy = report.findings.filter((f) => f.object.namespace === HEALTHY_NAMESPACE);
  assert.deepEqual(
    noisy.map((f) => `${f.rule} ${f.object.kind}/${f.object.name}`),
    [],
  );
});

test("every rule is evaluated on the demo cluster (it collects every kind)", () => {
  assert.deepEqual(
    report.rules.filter((r) => r.status !== "evaluated"),
    [],
  );
  // Every kind but the add-ons the demo does not install (Trivy Operator).
  assert.ok(report.coverage.every((c) => c.status === "collected" || absentAddOn(c)));
});

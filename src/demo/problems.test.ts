import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HEALTHY_NAMESPACE, PLANTED_PROBLEMS, generateDemo } from "./index.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- tests read deep API fields */
type Any = any;

const objs = [...generateDemo()] as Any[];
const byKey = new Map<string, Any>();
for (const o of objs) byKey.set(`${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`, o);
const get = (kind: string, ns: string, name: string): Any => byKey.get(`${kind}/${ns}/${name}`);
const cond = (o: Any, type: string): Any => (o.status?.conditions ?? []).find((c: Any) => c.type === type);
const main = (pod: Any): Any => pod.status.containerStatuses[0];
const containersOf = (o: Any): Any[] =>
  o.kind === "Pod" ? o.spec.containers : o.spec.template.spec.containers;

/** One assertion per problem id: the object shows the problem the way a real cluster would. */
const CHECKS: Record<string, (o: Any) => void> = {
  "crash-loop": (o) => {
    assert.equal(main(o).state.waiting.reason, "CrashLoopBackOff");
    assert.ok(main(o).restartCount > 10);
    assert.equal(main(o).lastState.terminated.exitCode, 1);
  },
  "deployment-unavailable": (o) => {
    assert.ok(o.status.unavailableReplicas > 0);
    assert.equal(cond(o, "Available").status, "False");
  },
  "oom-killed": (o) => assert.equal(main(o).lastState.terminated.reason, "OOMKilled"),
  "memory-leak": () => {},
  "high-restarts": (o) => {
    assert.equal(o.status.phase, "Running");
    assert.equal(main(o).ready, true);
    assert.ok(main(o).restartCount >= 10);
  },
  "old-replicasets": (o) => {
    assert.equal(o.spec.replicas, 0);
    assert.ok(Number(o.metadata.annotations["deployment.kubernetes.io/revision"]) > 0);
  },
  "rollout-stuck": (o) => {
    assert.equal(cond(o, "Progressing").status, "False");
    assert.equal(cond(o, "Progressing").reason, "ProgressDeadlineExceeded");
  },
  "image-pull-backoff": (o) => assert.equal(main(o).state.waiting.reason, "ImagePullBackOff"),
  "err-image-pull": (o) => assert.equal(main(o).state.waiting.reason, "ErrImagePull"),
  "hpa-at-max": (o) => {
    assert.equal(o.status.currentReplicas, o.spec.maxReplicas);
    assert.equal(cond(o, "ScalingLimited").status, "True");
  },
  "cpu-near-limit": () => {},
  "lb-no-endpoints": (o) => {
    assert.equal(o.spec.type, "LoadBalancer");
    const slices = objs.filter(
      (s) =>
        s.kind === "EndpointSlice" && s.metadata.labels["kubernetes.io/service-name"] === o.metadata.name,
    );
    assert.ok(slices.length > 0 && slices.every((s) => s.endpoints.length === 0));
  },
  "pdb-blocks-eviction": (o) => {
    assert.equal(o.spec.minAvailable, o.status.expectedPods);
    assert.equal(o.status.disruptionsAllowed, 0);
  },
  "single-replica-no-pdb": (o) => {
    assert.equal(o.spec.replicas, 1);
    assert.equal(get("PodDisruptionBudget", o.metadata.namespace, o.metadata.name), undefined);
  },
  "service-no-pods": (o) => {
    const [k, v] = Object.entries(o.spec.selector)[0] as [string, string];
    assert.equal(
      objs.filter(
        (p) =>
          p.kind === "Pod" && p.metadata.namespace === o.metadata.namespace && p.metadata.labels?.[k] === v,
      ).length,
      0,
    );
  },
  "latest-tag": (o) => assert.ok(containersOf(o)[0].image.endsWith(":latest")),
  "untagged-image": (o) => assert.ok(!/[:@]/.test(containersOf(o)[0].image)),
  "no-probes": (o) => assert.ok(containersOf(o).every((c: Any) => !c.livenessProbe && !c.readinessProbe)),
  "no-resources": (o) => assert.deepEqual(containersOf(o)[0].resources, {}),
  "privileged-container": (o) => assert.equal(containersOf(o)[0].securityContext.privileged, true),
  "run-as-root": (o) => assert.equal(containersOf(o)[0].securityContext.runAsUser, 0),
  "no-run-as-non-root": (o) => {
    assert.equal(containersOf(o)[0].securityContext, undefined);
    assert.equal(o.spec.template.spec.securityContext.runAsNonRoot, undefined);
  },
  "host-path": (o) => assert.ok(o.spec.template.spec.volumes.some((v: Any) => v.hostPath)),
  "host-network": (o) => assert.equal(o.spec.template.spec.hostNetwork, true),
  "orphan-configmap": (o) => {
    const name = o.metadata.name;
    const text = JSON.stringify(
      objs.filter((x) => x.metadata?.namespace === o.metadata.namespace && x.kind !== "ConfigMap"),
    );
    assert.equal(text.includes(`"${name}"`), false);
  },
  "namespace-missing-labels": (o) => {
    assert.equal(o.metadata.labels.team, undefined);
    assert.equal(o.metadata.labels["cost-center"], undefined);
  },
  "no-network-policy": (o) =>
    assert.equal(
      objs.filter((x) => x.kind === "NetworkPolicy" && x.metadata.namespace === o.metadata.name).length,
      0,
    ),
  "deprecated-api-managed": (o) => assert.ok(o.metadata.managedApiVersions.includes("extensions/v1beta1")),
  "deprecated-api-version": (o) =>
    assert.ok(["policy/v1beta1", "autoscaling/v2beta2"].includes(o.apiVersion)),
  "pvc-unbound": (o) => assert.equal(o.status.phase, "Pending"),
  "pvc-unused": (o) => {
    assert.equal(o.status.phase, "Bound");
    const mounted = objs.some(
      (p) =>
        p.kind === "Pod" &&
        p.metadata.namespace === o.metadata.namespace &&
        p.spec.volumes?.some((v: Any) => v.persistentVolumeClaim?.claimName === o.metadata.name),
    );
    assert.equal(mounted, false);
  },
  overprovisioned: () => {},
  "failed-container": (o) => {
    assert.equal(o.status.phase, "Failed");
    assert.notEqual(main(o).state.terminated.exitCode, 0);
  },
  "job-failed": (o) => assert.equal(cond(o, "Failed").reason, "BackoffLimitExceeded"),
  "job-no-ttl": (o) => {
    assert.equal(cond(o, "Complete").status, "True");
    assert.equal(o.spec.ttlSecondsAfterFinished, undefined);
  },
  "pending-unschedulable": (o) => {
    const c = cond(o, "PodScheduled");
    assert.equal(c.status, "False");
    assert.equal(c.reason, "Unschedulable");
    assert.match(c.message, /^0\/40 nodes are available: /);
  },
  "missing-configmap-ref": (o) => {
    assert.ok(o.spec.volumes.some((v: Any) => v.configMap?.name === "email-templates"));
    assert.equal(get("ConfigMap", o.metadata.namespace, "email-templates"), undefined);
  },
  "ingress-missing-service": (o) =>
    assert.equal(
      get("Service", o.metadata.namespace, o.spec.rules[0].http.paths[0].backend.service.name),
      undefined,
    ),
  "rolebinding-missing-sa": (o) =>
    assert.equal(get("ServiceAccount", o.metadata.namespace, o.subjects[0].name), undefined),
  "node-not-ready": (o) => {
    assert.notEqual(cond(o, "Ready").status, "True");
    assert.ok(o.spec.taints.some((t: Any) => t.key === "node.kubernetes.io/unreachable"));
  },
  "node-pressure": (o) => {
    assert.equal(cond(o, "MemoryPressure").status, "True");
    assert.equal(cond(o, "DiskPressure").status, "True");
  },
  "kubelet-version-skew": (o) => assert.match(o.status.nodeInfo.kubeletVersion, /^v1\.33\./),
  "daemonset-unavailable": (o) => assert.ok(o.status.numberUnavailable > 0),
};

describe("planted problems", () => {
  for (const p of PLANTED_PROBLEMS) {
    it(`${p.id}: ${p.kind} ${p.namespace}/${p.name}`, () => {
      const o = get(p.kind, p.namespace, p.name);
      assert.ok(o, "object not emitted");
      const check = CHECKS[p.id];
      assert.ok(check, `no check for ${p.id}`);
      check(o);
    });
  }

  it("keep their names across seeds and sizes", () => {
    const keys = new Set<string>();
    for (const o of generateDemo({ seed: 1234, nodes: 60 }))
      keys.add(`${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`);
    for (const p of PLANTED_PROBLEMS)
      assert.ok(keys.has(`${p.kind}/${p.namespace}/${p.name}`), `${p.id} missing`);
  });

  it("emit the Warning events of the planted problems", () => {
    const reasons = new Set(
      objs.filter((o) => o.kind === "Event" && o.type === "Warning").map((o) => o.reason),
    );
    for (const r of [
      "BackOff",
      "Failed",
      "FailedScheduling",
      "OOMKilling",
      "Unhealthy",
      "FailedMount",
      "ProvisioningFailed",
      "BackoffLimitExceeded",
    ]) {
      assert.ok(reasons.has(r), `no ${r} event`);
    }
  });

  it("leave the healthy namespace with nothing wrong", () => {
    const ns = HEALTHY_NAMESPACE;
    const inNs = objs.filter((o) => o.metadata?.namespace === ns);
    assert.ok(get("Namespace", "", ns).metadata.labels.team);
    assert.ok(inNs.some((o) => o.kind === "NetworkPolicy"));
    assert.equal(inNs.filter((o) => o.kind === "Event" && o.type === "Warning").length, 0);
    for (const pod of inNs.filter((o) => o.kind === "Pod" && o.status.phase !== "Succeeded")) {
      assert.equal(pod.status.phase, "Running");
      assert.equal(cond(pod, "Ready").status, "True");
      for (const s of pod.status.containerStatuses) assert.equal(s.restartCount, 0, pod.metadata.name);
    }
    for (const d of inNs.filter((o) => o.kind === "Deployment")) {
      const spec = d.spec.template.spec;
      assert.ok(d.spec.replicas >= 2);
      assert.ok(spec.affinity?.podAntiAffinity && spec.topologySpreadConstraints);
      assert.equal(spec.securityContext.runAsNonRoot, true);
      for (const c of spec.containers) {
        assert.ok(c.livenessProbe && c.readinessProbe, c.name);
        assert.ok(c.resources.requests && c.resources.limits, c.name);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.match(c.image, /:\d+\.\d+\.\d+$/);
      }
      const pdb = get("PodDisruptionBudget", ns, d.metadata.name);
      assert.ok(pdb && pdb.status.disruptionsAllowed > 0, `${d.metadata.name} PDB`);
    }
  });
});

/**
 * Integration test of the test bed itself: one real control plane, every scenario fixture in
 * its own namespace, each checked for the state it is meant to reach, plus the four ways to
 * authenticate. Run: node --import tsx --test test/cluster/cluster.test.ts
 * Skips when the binaries are not built (bash test/cluster/build.sh), unless
 * DAY2_TESTBED_REQUIRED=1.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { binariesPresent, startCluster, DEFAULT_VERSION } from "./harness.js";
import type { TestCluster } from "./harness.js";
import { applyScenarios, breakDoomedNode, DOOMED_NODE } from "./scenarios.js";

interface Condition {
  type: string;
  status: string;
  reason?: string;
}
interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: {
    waiting?: { reason?: string };
    running?: object;
    terminated?: { exitCode: number; reason?: string };
  };
  lastState?: { terminated?: { exitCode: number; reason?: string } };
}
interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[]; podIP?: string };
}
interface List<T> {
  items: T[];
}

const version = process.env.DAY2_TESTBED_VERSION ?? DEFAULT_VERSION;
const present = binariesPresent(version);
const skip =
  !present && process.env.DAY2_TESTBED_REQUIRED !== "1"
    ? `test cluster binaries not built: bash test/cluster/build.sh ${version}`
    : false;

void describe("test cluster", { skip, timeout: 240_000 }, () => {
  let c: TestCluster;
  const ns: Record<string, string> = {};
  const pods = async (scenario: string) =>
    (await c.getJson<List<Pod>>(["get", "pods", "-n", ns[scenario]!])).items;
  const onePod = (scenario: string, pred: (p: Pod) => boolean) =>
    c.waitFor(async () => (await pods(scenario)).find(pred), {
      timeoutMs: 60_000,
      description: `${scenario} pod state`,
    });

  before(async () => {
    c = await startCluster({ version });
    Object.assign(ns, await applyScenarios(c));
  });

  after(async () => {
    await c?.stop();
  });

  void it("reports its version", async () => {
    const r = await c.api<{ gitVersion: string }>("GET", "/version");
    assert.equal(r.body.gitVersion, version);
  });

  void it("healthy: 2 ready replicas, PDB allows 1 disruption, service has endpoints", async () => {
    await c.waitFor(
      async () => {
        const d = await c.getJson<{ status: { readyReplicas?: number } }>([
          "get",
          "deployment",
          "web",
          "-n",
          ns.healthy!,
        ]);
        return d.status.readyReplicas === 2;
      },
      { timeoutMs: 60_000, description: "web ready" },
    );
    await c.waitFor(
      async () => {
        const p = await c.getJson<{ status: { disruptionsAllowed?: number } }>([
          "get",
          "pdb",
          "web",
          "-n",
          ns.healthy!,
        ]);
        return p.status.disruptionsAllowed === 1;
      },
      { description: "web PDB allows 1" },
    );
    await c.waitFor(
      async () => {
        const l = await c.getJson<List<{ endpoints?: { addresses: string[] }[] }>>([
          "get",
          "endpointslices",
          "-n",
          ns.healthy!,
          "-l",
          "kubernetes.io/service-name=web",
        ]);
        return l.items.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0) === 2;
      },
      { description: "web endpoints" },
    );
  });

  void it("crashloop: CrashLoopBackOff, restarts, lastState exit 1", async () => {
    const p = await onePod(
      "crashloop",
      (p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff",
    );
    const cs = p.status.containerStatuses![0]!;
    assert.ok(cs.restartCount > 0);
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
  });

  void it("oomkilled: lastState OOMKilled", async () => {
    const p = await onePod(
      "oomkilled",
      (p) => p.status.containerStatuses?.[0]?.lastState?.terminated?.reason === "OOMKilled",
    );
    assert.equal(p.status.containerStatuses![0]!.lastState!.terminated!.exitCode, 137);
  });

  void it("imagepullbackoff: waiting ImagePullBackOff, pod Pending", async () => {
    const p = await onePod(
      "imagepullbackoff",
      (p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === "ImagePullBackOff",
    );
    assert.equal(p.status.phase, "Pending");
  });

  void it("failed: phase Failed, terminated non-zero, no restarts", async () => {
    const p = await onePod("failed", (p) => p.status.phase === "Failed");
    const cs = p.status.containerStatuses![0]!;
    assert.equal(cs.state?.terminated?.exitCode, 2);
    assert.equal(cs.restartCount, 0);
  });

  void it("unschedulable: PodScheduled=False reason Unschedulable", async () => {
    await onePod(
      "unschedulable",
      (p) =>
        p.status.conditions?.some(
          (c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable",
        ) ?? false,
    );
  });

  void it("pdb-blocking: disruptionsAllowed 0 and eviction refused with 429", async () => {
    await c.waitFor(
      async () => {
        const p = await c.getJson<{ status: { disruptionsAllowed?: number; currentHealthy?: number } }>([
          "get",
          "pdb",
          "ledger",
          "-n",
          ns["pdb-blocking"]!,
        ]);
        return p.status.currentHealthy === 2 && p.status.disruptionsAllowed === 0;
      },
      { timeoutMs: 60_000, description: "ledger PDB healthy 2, allowed 0" },
    );
    const victim = (await pods("pdb-blocking"))[0]!;
    const r = await c.api(
      "POST",
      `/api/v1/namespaces/${ns["pdb-blocking"]}/pods/${victim.metadata.name}/eviction`,
      {
        apiVersion: "policy/v1",
        kind: "Eviction",
        metadata: { name: victim.metadata.name, namespace: ns["pdb-blocking"] },
      },
    );
    assert.equal(r.status, 429);
  });

  void it("pvc-unbound: claim Pending, pod not scheduled", async () => {
    await c.waitFor(
      async () => {
        const pvc = await c.getJson<{ status: { phase?: string } }>([
          "get",
          "pvc",
          "data",
          "-n",
          ns["pvc-unbound"]!,
        ]);
        return pvc.status.phase === "Pending";
      },
      { description: "pvc Pending" },
    );
    await onePod(
      "pvc-unbound",
      (p) => p.status.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False") ?? false,
    );
  });

  void it("service-no-endpoints: no endpoint addresses", async () => {
    await new Promise((r) => setTimeout(r, 2000));
    const l = await c.getJson<List<{ endpoints?: unknown[] }>>([
      "get",
      "endpointslices",
      "-n",
      ns["service-no-endpoints"]!,
      "-l",
      "kubernetes.io/service-name=orphan",
    ]);
    assert.equal(
      l.items.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0),
      0,
    );
  });

  void it("rollout-stuck: Progressing=False ProgressDeadlineExceeded", async () => {
    await c.waitFor(
      async () => {
        const d = await c.getJson<{ status: { conditions?: Condition[] } }>([
          "get",
          "deployment",
          "checkout",
          "-n",
          ns["rollout-stuck"]!,
        ]);
        return d.status.conditions?.some(
          (x) => x.type === "Progressing" && x.status === "False" && x.reason === "ProgressDeadlineExceeded",
        );
      },
      { timeoutMs: 90_000, intervalMs: 1000, description: "ProgressDeadlineExceeded" },
    );
  });

  void it("node-notready: heartbeat stops, node-lifecycle marks it NotReady and taints it", async (t) => {
    await breakDoomedNode(c, ns["node-notready"]!);
    const t0 = Date.now();
    await c.waitFor(
      async () => {
        const n = await c.getJson<{
          spec: { taints?: { key: string }[] };
          status: { conditions: Condition[] };
        }>(["get", "node", DOOMED_NODE.name]);
        const ready = n.status.conditions.find((x) => x.type === "Ready");
        return (
          ready?.status === "Unknown" &&
          (n.spec.taints ?? []).some((t) => t.key === "node.kubernetes.io/unreachable")
        );
      },
      { timeoutMs: 90_000, intervalMs: 1000, description: "doomed node NotReady" },
    );
    t.diagnostic(`node NotReady ${((Date.now() - t0) / 1000).toFixed(1)} s after its heartbeat stopped`);
  });

  void it("the other nodes never went NotReady (leases keep them alive)", async () => {
    const ev = await c.getJson<List<{ involvedObject: { kind: string; name: string } }>>([
      "get",
      "events",
      "-A",
      "--field-selector",
      "reason=NodeNotReady",
    ]);
    const wrong = ev.items.filter((e) =>
      e.involvedObject.kind === "Node" ? e.involvedObject.name !== DOOMED_NODE.name : false,
    );
    assert.deepEqual(wrong, []);
    const nodes = await c.getJson<List<{ metadata: { name: string }; status: { conditions: Condition[] } }>>([
      "get",
      "nodes",
    ]);
    for (const n of nodes.items.filter((x) => x.metadata.name !== DOOMED_NODE.name)) {
      assert.equal(n.status.conditions.find((x) => x.type === "Ready")?.status, "True", n.metadata.name);
    }
    const healthyEvents = await c.getJson<List<unknown>>([
      "get",
      "events",
      "-n",
      ns.healthy!,
      "--field-selector",
      "reason=NodeNotReady",
    ]);
    assert.equal(healthyEvents.items.length, 0);
  });

  void it("read-only user: can list pods, cannot list secrets or change anything", async () => {
    const ro = { kubeconfig: c.readOnlyKubeconfigPath, allowFailure: true };
    assert.equal((await c.kubectl(["get", "pods", "-A"], ro)).code, 0);
    assert.notEqual((await c.kubectl(["get", "secrets", "-A"], ro)).code, 0);
    assert.equal((await c.kubectl(["auth", "can-i", "delete", "pods"], ro)).stdout.trim(), "no");
  });

  void it("client certificate and exec plugin users authenticate", async () => {
    for (const kubeconfig of [c.certKubeconfigPath, c.execKubeconfigPath]) {
      const r = await c.kubectl(["auth", "whoami", "-o", "json"], { kubeconfig });
      const who = JSON.parse(r.stdout) as { status: { userInfo: { username: string; groups: string[] } } };
      assert.ok(who.status.userInfo.groups.includes("system:masters"), r.stdout);
    }
  });
});

/**
 * The scenario fixtures (fixtures/scenarios/*.yaml), what each is meant to reach, and helpers
 * to apply them to a TestCluster, each in its own namespace.
 */
import type { NodeSpec, TestCluster } from "./harness.js";

export interface Scenario {
  name: string;
  /** File under fixtures/scenarios/. */
  file: string;
  /** Value of the day2.test/scenario label on its objects (pods may carry a stage label instead). */
  label: string;
  expect: string;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "healthy",
    file: "healthy.yaml",
    label: "healthy",
    expect: "Deployment web 2/2 ready, PDB web allows 1 disruption, Service web has 2 endpoints",
  },
  {
    name: "crashloop",
    file: "crashloop.yaml",
    label: "crashloop",
    expect:
      "pod Running, container waiting CrashLoopBackOff, restartCount 5, lastState terminated exit 1 (Error)",
  },
  {
    name: "oomkilled",
    file: "oomkilled.yaml",
    label: "oomkilled",
    expect:
      "pod Running, container waiting CrashLoopBackOff, restartCount 3, lastState terminated OOMKilled exit 137",
  },
  {
    name: "imagepullbackoff",
    file: "imagepullbackoff.yaml",
    label: "imagepullbackoff",
    expect: "pod Pending, container waiting ImagePullBackOff",
  },
  {
    name: "failed",
    file: "failed.yaml",
    label: "failed",
    expect:
      "pod migrate-db (restartPolicy Never) phase Failed, terminated exit 2 reason Error, restartCount 0",
  },
  {
    name: "unschedulable",
    file: "unschedulable.yaml",
    label: "unschedulable",
    expect: "pod Pending, PodScheduled=False reason Unschedulable (Insufficient cpu/memory)",
  },
  {
    name: "pdb-blocking",
    file: "pdb-blocking.yaml",
    label: "pdb-blocking",
    expect: "PDB ledger minAvailable 2 of 2: disruptionsAllowed 0, eviction answers 429",
  },
  {
    name: "pvc-unbound",
    file: "pvc-unbound.yaml",
    label: "pvc-unbound",
    expect: "PVC data Pending (StorageClass missing, ProvisioningFailed); pod uses-data unschedulable",
  },
  {
    name: "service-no-endpoints",
    file: "service-no-endpoints.yaml",
    label: "service-no-endpoints",
    expect: "Service orphan: EndpointSlice with no endpoints",
  },
  {
    name: "rollout-stuck",
    file: "rollout-stuck.yaml",
    label: "rollout-stuck",
    expect: "Deployment checkout 0/2 ready, Progressing=False reason ProgressDeadlineExceeded after ~10 s",
  },
  {
    name: "node-notready",
    file: "node-notready.yaml",
    label: "node-notready",
    expect:
      "node doomed-a-1 Ready=Unknown (NotReady), tainted unreachable, its pod evicted and left Terminating",
  },
];

/** The node the node-notready scenario kills (tainted so nothing else lands there). */
export const DOOMED_NODE: NodeSpec = {
  name: "doomed-a-1",
  pool: "batch",
  zone: "us-east-1a",
  cpu: "2",
  memory: "8Gi",
  instanceType: "m5.large",
  labels: { "day2.test/node-scenario": "notready" },
  taints: [{ key: "day2.test/doomed", effect: "NoSchedule" }],
};

/**
 * Applies scenarios (default: all), each in its own namespace: `scenario-<name>` when
 * fixedNamespaces, else a random `<name>-xxxxxxxx`. Adds DOOMED_NODE when node-notready is
 * among them and the node is missing. Returns scenario name -> namespace.
 */
export async function applyScenarios(
  c: TestCluster,
  opts: { only?: string[]; fixedNamespaces?: boolean } = {},
): Promise<Record<string, string>> {
  const chosen = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s.name));
  if (chosen.some((s) => s.name === "node-notready") && !c.nodes.some((n) => n.name === DOOMED_NODE.name)) {
    await c.addNodes([DOOMED_NODE]);
  }
  const out: Record<string, string> = {};
  for (const s of chosen) {
    let ns: string;
    if (opts.fixedNamespaces) {
      ns = `scenario-${s.name}`;
      await c.apply({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: ns, labels: { "day2.test/scenario": s.label } },
      });
      await c.waitFor(
        async () => (await c.api("GET", `/api/v1/namespaces/${ns}/serviceaccounts/default`)).status === 200,
        {
          description: `default ServiceAccount in ${ns}`,
        },
      );
    } else {
      ns = await c.createNamespace(s.name, { "day2.test/scenario": s.label });
    }
    await c.applyFixture(`scenarios/${s.file}`, { namespace: ns });
    out[s.name] = ns;
  }
  return out;
}

interface PodList {
  items: { spec: { nodeName?: string }; status: { phase?: string } }[];
}

/** Waits until the node-notready workload runs on DOOMED_NODE, then stops that node's heartbeat. */
export async function breakDoomedNode(c: TestCluster, namespace: string): Promise<void> {
  await c.waitFor(
    async () => {
      const l = await c.getJson<PodList>(["get", "pods", "-n", namespace, "-l", "app=on-doomed-node"]);
      return l.items.some((p) => p.spec.nodeName === DOOMED_NODE.name && p.status.phase === "Running");
    },
    { timeoutMs: 60_000, description: `pod running on ${DOOMED_NODE.name}` },
  );
  await c.stopNodeHeartbeat(DOOMED_NODE.name);
}

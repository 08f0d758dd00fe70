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

// ---------------------------------------------------------------------------------------
// Waiting until scenarios reached their state (shared by cluster.test.ts-style checks and the
// integration suite's global setup, test/integration/run.ts). Raw API GETs, no kubectl spawns.

/** What the waits need of a cluster. */
export type ScenarioCluster = Pick<TestCluster, "api" | "waitFor">;

interface Cond {
  type: string;
  status: string;
  reason?: string;
}
interface WaitPod {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    conditions?: Cond[];
    containerStatuses?: {
      restartCount: number;
      state?: { waiting?: { reason?: string }; terminated?: { exitCode: number; reason?: string } };
      lastState?: { terminated?: { exitCode: number; reason?: string } };
    }[];
  };
}

async function get<T>(c: ScenarioCluster, path: string): Promise<T | undefined> {
  const r = await c.api<T>("GET", path);
  return r.status === 200 ? r.body : undefined;
}

async function podsIn(c: ScenarioCluster, ns: string): Promise<WaitPod[]> {
  return (await get<{ items: WaitPod[] }>(c, `/api/v1/namespaces/${ns}/pods`))?.items ?? [];
}

async function somePod(c: ScenarioCluster, ns: string, pred: (p: WaitPod) => boolean): Promise<boolean> {
  return (await podsIn(c, ns)).some(pred);
}

const firstContainer = (p: WaitPod) => p.status.containerStatuses?.[0];

/** Per scenario: true once the namespace shows the state the scenario is meant to reach. */
export const SCENARIO_READY: Readonly<Record<string, (c: ScenarioCluster, ns: string) => Promise<boolean>>> =
  {
    async healthy(c, ns) {
      const d = await get<{ status: { readyReplicas?: number } }>(
        c,
        `/apis/apps/v1/namespaces/${ns}/deployments/web`,
      );
      const pdb = await get<{ status: { disruptionsAllowed?: number } }>(
        c,
        `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/web`,
      );
      const slices = await get<{ items: { endpoints?: unknown[] }[] }>(
        c,
        `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb`,
      );
      const endpoints = slices?.items.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0) ?? 0;
      return d?.status.readyReplicas === 2 && pdb?.status.disruptionsAllowed === 1 && endpoints === 2;
    },
    crashloop: (c, ns) =>
      somePod(
        c,
        ns,
        (p) =>
          firstContainer(p)?.state?.waiting?.reason === "CrashLoopBackOff" &&
          (firstContainer(p)?.restartCount ?? 0) > 0 &&
          firstContainer(p)?.lastState?.terminated?.exitCode === 1,
      ),
    oomkilled: (c, ns) =>
      somePod(c, ns, (p) => firstContainer(p)?.lastState?.terminated?.reason === "OOMKilled"),
    imagepullbackoff: (c, ns) =>
      somePod(
        c,
        ns,
        (p) =>
          p.status.phase === "Pending" && firstContainer(p)?.state?.waiting?.reason === "ImagePullBackOff",
      ),
    failed: (c, ns) =>
      somePod(
        c,
        ns,
        (p) => p.status.phase === "Failed" && firstContainer(p)?.state?.terminated?.exitCode === 2,
      ),
    unschedulable: (c, ns) =>
      somePod(
        c,
        ns,
        (p) =>
          p.status.conditions?.some(
            (x) => x.type === "PodScheduled" && x.status === "False" && x.reason === "Unschedulable",
          ) ?? false,
      ),
    async "pdb-blocking"(c, ns) {
      const p = await get<{ status: { disruptionsAllowed?: number; currentHealthy?: number } }>(
        c,
        `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/ledger`,
      );
      return p?.status.currentHealthy === 2 && p.status.disruptionsAllowed === 0;
    },
    async "pvc-unbound"(c, ns) {
      const pvc = await get<{ status: { phase?: string } }>(
        c,
        `/api/v1/namespaces/${ns}/persistentvolumeclaims/data`,
      );
      return (
        pvc?.status.phase === "Pending" &&
        (await somePod(
          c,
          ns,
          (p) => p.status.conditions?.some((x) => x.type === "PodScheduled" && x.status === "False") ?? false,
        ))
      );
    },
    async "service-no-endpoints"(c, ns) {
      const slices = await get<{ items: { endpoints?: unknown[] | null }[] }>(
        c,
        `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dorphan`,
      );
      return (slices?.items.length ?? 0) > 0 && slices!.items.every((s) => (s.endpoints?.length ?? 0) === 0);
    },
    async "rollout-stuck"(c, ns) {
      const d = await get<{ status: { conditions?: Cond[] } }>(
        c,
        `/apis/apps/v1/namespaces/${ns}/deployments/checkout`,
      );
      return (
        d?.status.conditions?.some(
          (x) => x.type === "Progressing" && x.status === "False" && x.reason === "ProgressDeadlineExceeded",
        ) ?? false
      );
    },
    /** The final, stable state: node Unknown + tainted, its pod evicted (Terminating) and replaced (Pending). */
    async "node-notready"(c, ns) {
      const n = await get<{ spec: { taints?: { key: string }[] }; status: { conditions?: Cond[] } }>(
        c,
        `/api/v1/nodes/${DOOMED_NODE.name}`,
      );
      const down =
        n?.status.conditions?.find((x) => x.type === "Ready")?.status === "Unknown" &&
        (n.spec.taints ?? []).some((t) => t.key === "node.kubernetes.io/unreachable");
      if (!down) return false;
      const pods = await podsIn(c, ns);
      // The evicted pod usually stays Terminating (no kubelet confirms its deletion), but if kwok
      // still finalised it before it let go of the node, it is simply gone: both end states are
      // stable, and what the tests need is the node down and the replacement Pending.
      const leftOnDoomed = pods.filter((p) => p.spec.nodeName === DOOMED_NODE.name);
      const evicted =
        leftOnDoomed.length === 0 || leftOnDoomed.every((p) => p.metadata.deletionTimestamp !== undefined);
      return (
        evicted &&
        pods.some((p) => p.metadata.deletionTimestamp === undefined && p.status.phase === "Pending")
      );
    },
  };

/** One line of the namespace's pods (and the doomed node), for timeout messages. */
async function describeState(c: ScenarioCluster, ns: string): Promise<string> {
  const pods = await podsIn(c, ns).catch(() => []);
  const node = await get<{ spec: { taints?: { key: string }[] }; status: { conditions?: Cond[] } }>(
    c,
    `/api/v1/nodes/${DOOMED_NODE.name}`,
  ).catch(() => undefined);
  const ready = node?.status.conditions?.find((x) => x.type === "Ready");
  const podText = pods
    .map(
      (p) =>
        `${p.metadata.name}@${p.spec.nodeName ?? "-"}:${p.status.phase ?? "?"}${p.metadata.deletionTimestamp ? "(terminating)" : ""}`,
    )
    .join(", ");
  return `pods [${podText}]; ${DOOMED_NODE.name} Ready=${ready?.status ?? "?"} taints=[${(node?.spec.taints ?? []).map((t) => t.key).join(",")}]`;
}

/**
 * Waits (in parallel) until every scenario in `namespaces` (scenario -> namespace) reached its
 * state; node-notready only after breakDoomedNode(), and it takes ~65 s from there (NotReady
 * ~35 s, then the 30 s unreachable toleration until the eviction). Returns ms per scenario.
 */
export async function waitForScenarios(
  c: ScenarioCluster,
  namespaces: Record<string, string>,
  opts: { timeoutMs?: number } = {},
): Promise<Record<string, number>> {
  const t0 = Date.now();
  const took: Record<string, number> = {};
  await Promise.all(
    Object.entries(namespaces).map(async ([scenario, ns]) => {
      const ready = SCENARIO_READY[scenario];
      if (!ready) throw new Error(`no wait defined for scenario ${scenario}`);
      try {
        await c.waitFor(() => ready(c, ns), {
          timeoutMs: opts.timeoutMs ?? (scenario === "node-notready" ? 180_000 : 90_000),
          intervalMs: 1000,
          description: `scenario ${scenario} (namespace ${ns}) to reach its state`,
        });
      } catch (err) {
        // Say what the state was, so a timeout in CI can be understood from its log alone.
        throw new Error(`${(err as Error).message}; now: ${await describeState(c, ns)}`, { cause: err });
      }
      took[scenario] = Date.now() - t0;
    }),
  );
  return took;
}

/**
 * The measured side of `npm run bench:rightsize` (bench/rightsize.ts), and the synthetic
 * fleet both sides share.
 *
 * Run as its own process with bench/rss-hook.mjs preloaded:
 *   node --import tsx --import bench/rss-hook.mjs bench/rightsize-driver.ts <prometheus-url> <layout-json>
 * it builds the ClusterState of the layout (Deployments, ReplicaSets, pods), reads the usage
 * with fetchUsage (range queries batched by namespace) through a PromClient, runs recommend()
 * and prints one JSON line: queries, seconds, recommendations and a check of the known answers.
 */
import { ClusterStateBuilder } from "../src/state/builder.js";
import type { ClusterState } from "../src/state/cluster-state.js";
import type { KubeObject } from "../src/state/raw.js";
import { PromClient } from "../src/prom/client.js";
import { fetchUsage } from "../src/cost/usage/prometheus.js";
import { recommend } from "../src/cost/rightsize.js";
import type { UsageWindow } from "../src/cost/types.js";
import { shapes, type SyntheticContainer } from "../test/support/prometheus.js";

const Mi = 1024 * 1024;

/** The fleet: namespaces x Deployments x replicas x containers ("app" and "sidecar"). */
export interface Layout {
  namespaces: number;
  workloadsPerNamespace: number;
  replicas: number;
  days: number;
  stepSeconds: number;
  /** Epoch seconds of sample 0; a UTC midnight. */
  startS: number;
}

export const CONTAINER_NAMES = ["app", "sidecar"] as const;
/** Bump when the shapes or names change: it is part of the cache key. */
export const DATA_VERSION = 1;

export function containerCount(l: Layout): number {
  return l.namespaces * l.workloadsPerNamespace * l.replicas * CONTAINER_NAMES.length;
}

export function samplesPerDay(l: Layout): number {
  return Math.round(86_400 / l.stepSeconds);
}

/** Samples 0 .. days x perDay inclusive: the window covers whole days with both ends. */
export function sampleCount(l: Layout): number {
  return l.days * samplesPerDay(l) + 1;
}

export function windowOf(l: Layout): UsageWindow {
  const endS = l.startS + (sampleCount(l) - 1) * l.stepSeconds;
  return { start: new Date(l.startS * 1000), end: new Date(endS * 1000), stepSeconds: l.stepSeconds };
}

const ns = (n: number) => `team-${String(n).padStart(3, "0")}`;
const dep = (w: number) => `svc-${String(w).padStart(3, "0")}`;
const rsName = (w: number) => `${dep(w)}-6b8f9d7c4d`;
const podName = (w: number, r: number) => `${rsName(w)}-${(36 ** 4 + w * 7 + r).toString(36)}`;

/** Known shapes per container: a pure function of (workload, replica, container). */
function shapeOf(l: Layout, w: number, r: number, c: (typeof CONTAINER_NAMES)[number]) {
  const perDay = samplesPerDay(l);
  const scale = 1 + 0.1 * r;
  if (c === "sidecar")
    return {
      cpu: shapes.spikes(0.005 * scale, 0.05, 37 + (w % 11)),
      memory: shapes.constant((48 + (w % 5) * 8) * Mi),
    };
  const lo = (0.05 + 0.01 * (w % 10)) * scale;
  const memLo = (200 + 10 * (w % 20)) * Mi;
  const memHi = memLo + (100 + 25 * r) * Mi;
  switch (w % 3) {
    case 0:
      return { cpu: shapes.daily(lo, 4 * lo, perDay), memory: shapes.daily(memLo, memHi, perDay) };
    case 1:
      return { cpu: shapes.spikes(lo, 8 * lo, 29), memory: shapes.sawtooth(memLo, memHi, 3 * perDay) };
    default:
      return { cpu: shapes.constant(lo), memory: shapes.constant(memHi) };
  }
}

/** Every container of the layout with its shapes, in namespace, workload, replica, container order. */
export function* containers(l: Layout): Generator<SyntheticContainer> {
  for (let n = 0; n < l.namespaces; n++)
    for (let w = 0; w < l.workloadsPerNamespace; w++)
      for (let r = 0; r < l.replicas; r++)
        for (const c of CONTAINER_NAMES)
          yield { namespace: ns(n), pod: podName(w, r), container: c, ...shapeOf(l, w, r, c) };
}

/** Memory samples are whole bytes; the expected recommendation is the peak x 1.15 rounded up to 1Mi, at least 100Mi. */
function expectedMemory(l: Layout, w: number, c: (typeof CONTAINER_NAMES)[number]): number {
  let peak = 0;
  for (let r = 0; r < l.replicas; r++) {
    const m = shapeOf(l, w, r, c).memory;
    for (let i = 0; i < sampleCount(l); i++) peak = Math.max(peak, Math.round(m(i)));
  }
  return Math.max(100 * Mi, Math.ceil((peak * 1.15) / Mi) * Mi);
}

function deployment(n: number, w: number, replicas: number): KubeObject[] {
  const namespace = ns(n);
  const name = dep(w);
  const template = {
    metadata: { labels: { app: name } },
    spec: {
      containers: CONTAINER_NAMES.map((c) => ({
        name: c,
        image: `registry.example.com/${c}:1.0`,
        resources: {
          requests: c === "app" ? { cpu: "500m", memory: "1Gi" } : { cpu: "100m", memory: "128Mi" },
          limits: c === "app" ? { memory: "1Gi" } : { memory: "128Mi" },
        },
      })),
    },
  };
  const owner = (kind: string, nm: string, uid: string) => [
    { apiVersion: "apps/v1", kind, name: nm, uid, controller: true },
  ];
  const out: KubeObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, uid: `d-${namespace}-${name}` },
      spec: { replicas, selector: { matchLabels: { app: name } }, template },
    },
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: rsName(w),
        namespace,
        uid: `rs-${namespace}-${name}`,
        ownerReferences: owner("Deployment", name, `d-${namespace}-${name}`),
      },
      spec: { replicas, selector: { matchLabels: { app: name } }, template },
    },
  ];
  for (let r = 0; r < replicas; r++)
    out.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: podName(w, r),
        namespace,
        uid: `p-${namespace}-${podName(w, r)}`,
        labels: { app: name },
        ownerReferences: owner("ReplicaSet", rsName(w), `rs-${namespace}-${name}`),
      },
      spec: { ...template.spec, nodeName: `node-${(n * 31 + w) % 200}` },
      status: { phase: "Running" },
    });
  return out;
}

/** The ClusterState of a layout: Namespaces, Deployments, their ReplicaSets and Running pods. */
export function buildState(l: Layout): ClusterState {
  const end = windowOf(l).end.getTime();
  const b = new ClusterStateBuilder({ source: "snapshot", sourceDetail: "bench", collectedAt: end });
  for (let n = 0; n < l.namespaces; n++) {
    b.add({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns(n), uid: `ns-${n}` } });
    for (let w = 0; w < l.workloadsPerNamespace; w++) for (const o of deployment(n, w, l.replicas)) b.add(o);
  }
  return b.build({ complete: true });
}

export interface DriverOutput {
  queries: number;
  attempts: number;
  failedQueries: number;
  responseMB: number;
  /** fetchUsage, recommend, and both (state building excluded). */
  fetchSeconds: number;
  recommendSeconds: number;
  seconds: number;
  stateSeconds: number;
  containersWithUsage: number;
  workloads: number;
  /** Container recommendations with status ok for both CPU and memory. */
  recommendations: number;
  /** Memory recommendations that differ from the value known from the shapes. */
  memoryMismatches: number;
  partial: boolean;
  problems: string[];
}

async function main(url: string, layout: Layout): Promise<void> {
  const t0 = performance.now();
  const state = buildState(layout);
  const t1 = performance.now();
  const client = new PromClient({ url, timeoutMs: 120_000 });
  const usage = await fetchUsage(client, state, windowOf(layout), { rateWindowSteps: 2 });
  const t2 = performance.now();
  const result = recommend(state, usage);
  const t3 = performance.now();
  let recommendations = 0;
  let memoryMismatches = 0;
  for (const wl of result.workloads) {
    const w = Number(wl.name.slice(4));
    for (const c of wl.containers) {
      if (c.cpu.status === "ok" && c.memory.status === "ok") recommendations++;
      const want = expectedMemory(layout, w, c.container as (typeof CONTAINER_NAMES)[number]);
      if (c.memory.recommended?.request !== want) memoryMismatches++;
    }
  }
  const st = client.stats();
  const out: DriverOutput = {
    queries: st.queries,
    attempts: st.attempts,
    failedQueries: st.failed,
    responseMB: st.bytes / 1048576,
    fetchSeconds: (t2 - t1) / 1000,
    recommendSeconds: (t3 - t2) / 1000,
    seconds: (t3 - t1) / 1000,
    stateSeconds: (t1 - t0) / 1000,
    containersWithUsage: usage.containers.size,
    workloads: result.workloads.length,
    recommendations,
    memoryMismatches,
    partial: usage.partial,
    problems: usage.problems.slice(0, 5),
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

if (process.argv[1]?.endsWith("rightsize-driver.ts")) {
  const [url, layoutJson] = process.argv.slice(2);
  if (!url || !layoutJson) {
    process.stderr.write("usage: rightsize-driver.ts <prometheus-url> <layout-json>\n");
    process.exit(2);
  }
  main(url, JSON.parse(layoutJson) as Layout).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}

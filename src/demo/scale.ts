/** Demo options, the scale presets and the derived sizing every builder reads. */
import { DAY, DEMO_NOW_MS, at } from "./format.js";

export interface DemoOptions {
  /** PRNG seed; the same seed always yields the same cluster. Default 42. */
  seed?: number;
  /** Number of nodes; everything else scales with it. Default 40, minimum 20. */
  nodes?: number;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_NODES = 40;
export const LARGE_NODES = 5000;
/** Below this the fixed, planted namespaces would not fit; smaller requests are raised to it. */
export const MIN_NODES = 20;

export type DemoScale = "small" | "large" | number;

/**
 * small: ~40 nodes, ~30 namespaces, ~300 workloads, ~1,500 pods.
 * large: 5,000 nodes, ~150,000 pods, ~300,000 containers (the scale benchmark).
 * a number: that many nodes, everything else proportional.
 */
export function demoOptionsFromScale(scale: DemoScale, seed: number = DEFAULT_SEED): DemoOptions {
  if (scale === "small") return { seed, nodes: DEFAULT_NODES };
  if (scale === "large") return { seed, nodes: LARGE_NODES };
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`demo scale must be a positive node count, got ${scale}`);
  return { seed, nodes: Math.max(MIN_NODES, Math.round(scale)) };
}

/** Sizing derived from the options; pure, cheap, cached per (seed, nodes). */
export interface DemoSizing {
  readonly seed: number;
  readonly nodes: number;
  /** Target pods per node, 37.5 at 40 nodes easing to 30 at 5,000. */
  readonly podsPerNode: number;
  /** Namespaces generated from the team catalogue (beyond the fixed ones). */
  readonly appNamespaces: number;
  /** Workloads (Deployments, StatefulSets, CronJobs, Jobs) across the generated namespaces. */
  readonly appWorkloads: number;
  /** Pods those workloads should run in total. */
  readonly appPods: number;
}

/** Namespaces, workloads and pods of the fixed part (system add-ons and planted namespaces). */
export const FIXED_NAMESPACES_APPROX = 19;
const FIXED_WORKLOADS_APPROX = 60;
const FIXED_PODS_APPROX = 165;
/** Pods per node run by the system DaemonSets. */
export const DAEMON_PODS_PER_NODE = 5;

const cache = new Map<string, DemoSizing>();

export function resolveSizing(opts: DemoOptions = {}): DemoSizing {
  const seed = (opts.seed ?? DEFAULT_SEED) >>> 0;
  const nodes = Math.max(MIN_NODES, Math.round(opts.nodes ?? DEFAULT_NODES));
  const key = `${seed}/${nodes}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const t = Math.min(
    1,
    Math.max(
      0,
      (Math.log(LARGE_NODES) - Math.log(nodes)) / (Math.log(LARGE_NODES) - Math.log(DEFAULT_NODES)),
    ),
  );
  const podsPerNode = 30 + 7.5 * t;
  const totalPods = nodes * podsPerNode;
  const appNamespaces = Math.max(4, Math.round(nodes * 0.75) - FIXED_NAMESPACES_APPROX);
  const appWorkloads = Math.max(40, Math.round(nodes * 7.5) - FIXED_WORKLOADS_APPROX);
  const appPods = Math.max(
    appWorkloads,
    Math.round(totalPods - nodes * DAEMON_PODS_PER_NODE - FIXED_PODS_APPROX),
  );
  const sizing: DemoSizing = { seed, nodes, podsPerNode, appNamespaces, appWorkloads, appPods };
  if (cache.size > 32) cache.clear();
  cache.set(key, sizing);
  return sizing;
}

export interface DemoClusterInfo {
  name: "demo";
  version: { gitVersion: string; major: string; minor: string; platform: string };
  /** When the demo cluster was created (RFC 3339); the control plane's age. */
  createdAt: string;
}

export const DEMO_KUBERNETES_VERSION = "v1.34.2";
/** The cluster's age at DEMO_NOW. */
export const CLUSTER_AGE_DAYS = 412;

export function demoClusterInfo(_opts: DemoOptions = {}): DemoClusterInfo {
  return {
    name: "demo",
    version: { gitVersion: DEMO_KUBERNETES_VERSION, major: "1", minor: "34", platform: "linux/amd64" },
    createdAt: at(DEMO_NOW_MS - CLUSTER_AGE_DAYS * DAY),
  };
}

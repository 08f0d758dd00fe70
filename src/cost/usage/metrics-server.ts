/**
 * Current usage from the resource metrics API (metrics.k8s.io, served by metrics-server):
 * one GET of PodMetrics, one point per container. It has no history, so the result is a
 * one-point window with confidence "low" and the note "current usage only"; right-sizing
 * from it is a hint, not a recommendation.
 */
import { KubeApiError } from "../../kube/errors.js";
import type { KubeClient } from "../../kube/http.js";
import type { ClusterState } from "../../state/cluster-state.js";
import { parseQuantity } from "../../state/quantity.js";
import { containerKey, type ContainerSeries, type UsageData } from "../types.js";

export const METRICS_API = "/apis/metrics.k8s.io/v1beta1";
export const CURRENT_ONLY_NOTE = "metrics-server: current usage only (no history), low confidence";

/** One container's current usage: CPU in cores, memory in bytes (NaN when missing). */
export interface CurrentUsage {
  namespace: string;
  pod: string;
  container: string;
  cpu: number;
  memory: number;
  /** Epoch ms of the measurement and the window it averages, in seconds. */
  timestamp: number;
  windowSeconds: number;
}

export interface ParsedPodMetrics {
  usage: CurrentUsage[];
  /** Items or containers skipped for being malformed, with why. */
  skipped: string[];
}

/** "30s", "1m0s", "1.5s" (a Go duration) in seconds; undefined when not one. */
export function parseGoDuration(s: unknown): number | undefined {
  if (typeof s !== "string" || s === "") return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (unit[m[2]!] ?? 0);
    pos = re.lastIndex;
  }
  return pos === s.length ? total : undefined;
}

const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9 };

/**
 * A quantity in base units, decimal suffixes applied as exponents ("1234n" is exactly
 * 1.234e-6, not 1234 * 1e-9), binary ones through parseQuantity.
 */
export function quantityValue(q: unknown): number | undefined {
  if (typeof q === "string") {
    const m = /^(\d+(?:\.\d+)?)([numkMG])$/.exec(q.trim());
    if (m) return Number(`${m[1]}e${DECIMAL_EXP[m[2]!]}`);
  }
  return parseQuantity(q);
}

interface PodMetricsItem {
  metadata?: { name?: unknown; namespace?: unknown };
  timestamp?: unknown;
  window?: unknown;
  containers?: unknown;
}

function containerUsage(
  raw: unknown,
  at: { ns: string; pod: string; ts: number; windowSeconds: number },
  skipped: string[],
): CurrentUsage | undefined {
  const c = raw as { name?: unknown; usage?: { cpu?: unknown; memory?: unknown } } | null;
  if (typeof c?.name !== "string") {
    skipped.push(`${at.ns}/${at.pod}: a container without a name`);
    return undefined;
  }
  const cpu = quantityValue(c.usage?.cpu);
  const mem = quantityValue(c.usage?.memory);
  if (cpu === undefined && mem === undefined) {
    skipped.push(`${at.ns}/${at.pod}/${c.name}: no usable cpu or memory quantity`);
    return undefined;
  }
  return {
    namespace: at.ns,
    pod: at.pod,
    container: c.name,
    cpu: cpu ?? Number.NaN,
    memory: mem === undefined ? Number.NaN : Math.round(mem),
    timestamp: at.ts,
    windowSeconds: at.windowSeconds,
  };
}

/** Parses a PodMetricsList (metrics.k8s.io/v1beta1) into per-container current usage. */
export function parsePodMetricsList(doc: unknown): ParsedPodMetrics {
  const d = doc as { kind?: unknown; items?: unknown } | null;
  if (!d || typeof d !== "object" || !(Array.isArray(d.items) || d.items === null))
    throw new Error(
      `not a PodMetricsList: expected an object with "items", got ${JSON.stringify(doc)?.slice(0, 120)}`,
    );
  const usage: CurrentUsage[] = [];
  const skipped: string[] = [];
  for (const raw of (d.items ?? []) as PodMetricsItem[]) {
    const ns = raw?.metadata?.namespace;
    const pod = raw?.metadata?.name;
    if (typeof ns !== "string" || typeof pod !== "string" || !Array.isArray(raw.containers)) {
      skipped.push(
        `item without metadata.namespace/name or containers: ${JSON.stringify(raw)?.slice(0, 80)}`,
      );
      continue;
    }
    const ts = typeof raw.timestamp === "string" ? Date.parse(raw.timestamp) : Number.NaN;
    const windowSeconds = parseGoDuration(raw.window) ?? Number.NaN;
    for (const c of raw.containers as unknown[]) {
      const u = containerUsage(c, { ns, pod, ts, windowSeconds }, skipped);
      if (u) usage.push(u);
    }
  }
  return { usage, skipped };
}

export interface MetricsServerOptions {
  /** Only this namespace (GET .../namespaces/<ns>/pods). */
  namespace?: string;
  /** Keep containers not in `state` too. */
  allContainers?: boolean;
  signal?: AbortSignal;
  /** "Now" when no item has a timestamp (tests); default Date.now(). */
  now?: number;
}

function unavailable(problem: string, now: number): UsageData {
  const t = new Date(now);
  return {
    source: "none",
    confidence: "none",
    window: { start: t, end: t, stepSeconds: 60 },
    containers: new Map(),
    partial: true,
    problems: [problem],
    notes: [],
  };
}

/** Current usage as UsageData: a one-point window at the newest measurement. */
export function currentUsageData(
  parsed: ParsedPodMetrics,
  state: ClusterState | undefined,
  opts: Pick<MetricsServerOptions, "allContainers" | "now"> = {},
): UsageData {
  const wanted =
    state && !opts.allContainers
      ? new Set(
          state
            .list("Pod")
            .flatMap((p) => p.containers.map((c) => containerKey(p.namespace, p.name, c.name))),
        )
      : undefined;
  const kept = parsed.usage.filter(
    (u) => !wanted || wanted.has(containerKey(u.namespace, u.pod, u.container)),
  );
  let at = Number.NEGATIVE_INFINITY;
  let windowSeconds = Number.NaN;
  for (const u of kept) {
    if (u.timestamp > at) at = u.timestamp;
    if (Number.isNaN(windowSeconds) && u.windowSeconds > 0) windowSeconds = u.windowSeconds;
  }
  const t = new Date(Number.isFinite(at) ? at : (opts.now ?? Date.now()));
  const containers = new Map<string, ContainerSeries>();
  for (const u of kept) {
    containers.set(containerKey(u.namespace, u.pod, u.container), {
      namespace: u.namespace,
      pod: u.pod,
      container: u.container,
      cpu: Float64Array.of(u.cpu),
      memory: Float64Array.of(u.memory),
    });
  }
  const notes = [CURRENT_ONLY_NOTE];
  if (parsed.skipped.length > 0)
    notes.push(`metrics-server: ${parsed.skipped.length} malformed entries skipped`);
  return {
    source: "metrics-server",
    confidence: "low",
    window: { start: t, end: t, stepSeconds: Math.max(1, Math.round(windowSeconds) || 60) },
    containers,
    partial: false,
    problems: [],
    notes,
  };
}

/**
 * GET PodMetrics from metrics.k8s.io through the API server. Not served (404), forbidden
 * (403) or failing (503 from an unavailable APIService, after retries) -> source "none"
 * with the problem; a connection or credential failure of the API server itself is thrown.
 */
export async function fetchMetricsServerUsage(
  kube: KubeClient,
  state: ClusterState | undefined,
  opts: MetricsServerOptions = {},
): Promise<UsageData> {
  const now = opts.now ?? Date.now();
  const path = opts.namespace
    ? `${METRICS_API}/namespaces/${encodeURIComponent(opts.namespace)}/pods`
    : `${METRICS_API}/pods`;
  let res;
  try {
    res = await kube.get(path, { signal: opts.signal });
  } catch (e) {
    if (e instanceof KubeApiError) return unavailable(`metrics.k8s.io: ${e.message}`, now);
    throw e;
  }
  if (res.type === "not-found")
    return unavailable(
      `metrics.k8s.io is not served by ${kube.conn.server} (is metrics-server installed?)`,
      now,
    );
  if (res.type !== "ok") return unavailable(`metrics.k8s.io: ${res.type}: ${res.message}`, now);
  let doc: unknown;
  try {
    doc = JSON.parse(res.body.toString("utf8"));
  } catch {
    return unavailable(`metrics.k8s.io: GET ${path} did not return JSON`, now);
  }
  try {
    return currentUsageData(parsePodMetricsList(doc), state, { allContainers: opts.allContainers, now });
  } catch (e) {
    return unavailable(`metrics.k8s.io: GET ${path}: ${(e as Error).message}`, now);
  }
}

/**
 * Usage history from Prometheus: per-container CPU (rate of container_cpu_usage_seconds_total)
 * and working-set memory (container_memory_working_set_bytes) as range queries batched BY
 * NAMESPACE, so the number of queries grows with namespaces, not containers. A namespace
 * whose estimated samples (containers x points) exceed query.max-samples is split by pod
 * regex (pods from ClusterState), and a pod too big on its own by time; a batch Prometheus
 * still refuses for too many samples is halved and tried again. A failed batch makes the
 * result partial (its problem listed); the other batches are still returned.
 *
 * Also: request history from kube-state-metrics (kube_pod_container_resource_requests) and
 * OOM kills from kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}.
 */
import type { ClusterState } from "../../state/cluster-state.js";
import {
  chunksForSeries,
  DEFAULT_MAX_SAMPLES,
  estimateSamples,
  groupUnderLimits,
  labelValue,
  rangePoints,
  regexEscape,
  sampleBudget,
  splitRange,
  type BatchLimits,
} from "../../prom/batch.js";
import type { PromClient, PromSeries } from "../../prom/client.js";
import { PromError } from "../../prom/errors.js";
import {
  containerKey,
  windowSteps,
  type ContainerSeries,
  type UsageData,
  type UsageWindow,
} from "../types.js";

export interface PrometheusUsageOptions {
  /** Keep every container Prometheus returns for the namespaces queried, not only those in `state`. */
  allContainers?: boolean;
  /** Namespaces to query; default every namespace of `state` that has pods. */
  namespaces?: readonly string[];
  /** The server's --query.max-samples; default 50,000,000. */
  maxSamples?: number;
  /** Fraction of maxSamples a query may plan for; default 0.8. */
  headroom?: number;
  /** Longest query text (pod regexes); default 64 KiB. */
  maxQueryBytes?: number;
  /** rate() window in steps, at least 2 (default 2). */
  rateWindowSteps?: number;
  /** Lower bound for the rate() window in seconds, e.g. 4 x the scrape interval (default 0). */
  minRateWindowSeconds?: number;
  /** Extra label matchers added to every selector, e.g. `cluster="prod"`. */
  extraMatchers?: string;
  /** How many times a batch refused for too many samples is halved again (default 4). */
  maxSplits?: number;
  /**
   * When no query at all succeeded, throw the first PromError (default true): there is no
   * usage to call partial, and the caller can fall back to another source.
   */
  throwWhenNothing?: boolean;
  signal?: AbortSignal;
}

/** One query's scope: a namespace, optionally some of its pods, over part of the window. */
interface Batch {
  namespace: string;
  pods: string[] | undefined;
  startS: number;
  endS: number;
  /** Estimated series (containers). */
  series: number;
  depth: number;
}

interface Grid {
  t0: number;
  step: number;
  n: number;
}

interface Plan {
  grid: Grid;
  batches: Batch[];
  wanted: Set<string> | undefined;
  limits: BatchLimits;
  selectorPoints: number;
}

interface BatchResult {
  series: PromSeries[];
  problems: string[];
  failures: PromError[];
  ok: number;
}

function gridOf(window: UsageWindow): Grid {
  if (!(window.stepSeconds > 0))
    throw new Error(`usage window step must be positive, got ${window.stepSeconds}`);
  return { t0: Math.floor(window.start.getTime() / 1000), step: window.stepSeconds, n: windowSteps(window) };
}

/** Containers of state's pods, per namespace: pod -> container names. */
function podsByNamespace(
  state: ClusterState,
  namespaces: readonly string[],
): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  for (const ns of namespaces) {
    const pods = new Map<string, string[]>();
    for (const p of state.podsInNamespace(ns))
      pods.set(
        p.name,
        p.containers.map((c) => c.name),
      );
    out.set(ns, pods);
  }
  return out;
}

/** Our queries aggregate (max by) over a selector or rate(): twice the points at peak. */
const AGG_FACTOR = 2;

function selector(b: Batch, extra: string | undefined, more = ""): string {
  const parts = [`namespace=${labelValue(b.namespace)}`, `container!=""`, `container!="POD"`];
  if (b.pods) parts.push(`pod=~"${b.pods.map(regexEscape).join("|")}"`);
  if (more) parts.push(more);
  if (extra) parts.push(extra);
  return parts.join(",");
}

interface NamespaceScope {
  ns: string;
  pods: Map<string, string[]>;
  /** Split by pod regex (else by time only: with allContainers, unknown pods must not be cut). */
  byPod: boolean;
}

/** Batches for one namespace: the whole of it when it fits, else pod groups, else time chunks. */
function namespaceBatches(
  scope: NamespaceScope,
  grid: Grid,
  limits: BatchLimits,
  selectorPoints: number,
): Batch[] {
  const { ns, pods, byPod } = scope;
  const range = { startS: grid.t0, endS: grid.t0 + (grid.n - 1) * grid.step, stepS: grid.step };
  const { startS, endS } = range;
  let total = 0;
  for (const cs of pods.values()) total += Math.max(1, cs.length);
  const series = Math.max(1, total);
  if (estimateSamples(series, grid.n, selectorPoints, AGG_FACTOR) <= sampleBudget(limits))
    return [{ namespace: ns, pods: undefined, startS, endS, series, depth: 0 }];
  const out: Batch[] = [];
  const podSeries = (p: string) => Math.max(1, pods.get(p)?.length ?? 1);
  if (byPod && pods.size > 1) {
    const measure = { series: podSeries, textBytes: (p: string) => regexEscape(p).length + 1 };
    const per = AGG_FACTOR * grid.n + selectorPoints;
    for (const g of groupUnderLimits([...pods.keys()].sort(), measure, per, limits, 200 + ns.length)) {
      const s = g.reduce((a, p) => a + podSeries(p), 0);
      for (const c of chunksForSeries(range, s, selectorPoints, limits, AGG_FACTOR))
        out.push({ namespace: ns, pods: g, startS: c.startS, endS: c.endS, series: s, depth: 0 });
    }
    return out;
  }
  for (const c of chunksForSeries(range, series, selectorPoints, limits, AGG_FACTOR))
    out.push({ namespace: ns, pods: undefined, startS: c.startS, endS: c.endS, series, depth: 0 });
  return out;
}

function planFor(state: ClusterState, window: UsageWindow, opts: PrometheusUsageOptions): Plan {
  const grid = gridOf(window);
  const limits: BatchLimits = {
    maxSamples: opts.maxSamples ?? DEFAULT_MAX_SAMPLES,
    headroom: opts.headroom,
    maxQueryBytes: opts.maxQueryBytes,
  };
  const all = opts.allContainers === true;
  const namespaces = opts.namespaces ?? state.namespaceNames();
  const pods = podsByNamespace(state, namespaces);
  const wanted = all ? undefined : new Set<string>();
  const selectorPoints = rateSteps(opts);
  const batches: Batch[] = [];
  for (const ns of namespaces) {
    const p = pods.get(ns) ?? new Map<string, string[]>();
    if (wanted) for (const [pod, cs] of p) for (const c of cs) wanted.add(containerKey(ns, pod, c));
    if (!all && p.size === 0) continue; // nothing of this namespace is wanted
    if (grid.n === 0) continue;
    // With allContainers, pods Prometheus knows but state does not must not be cut by a regex.
    batches.push(...namespaceBatches({ ns, pods: p, byPod: !all }, grid, limits, selectorPoints));
  }
  return { grid, batches, wanted, limits, selectorPoints };
}

function rateSteps(opts: PrometheusUsageOptions): number {
  return Math.max(2, Math.floor(opts.rateWindowSteps ?? 2));
}

function rateWindowSeconds(step: number, opts: PrometheusUsageOptions): number {
  return Math.max(rateSteps(opts) * step, Math.ceil(opts.minRateWindowSeconds ?? 0));
}

/** Halves a batch refused for too many samples: by pods when it has several, else by time. */
function split(b: Batch, pods: Map<string, string[]> | undefined, step: number): Batch[] {
  const list = b.pods ?? (pods ? [...pods.keys()].sort() : []);
  if (list.length > 1) {
    const mid = Math.ceil(list.length / 2);
    return [list.slice(0, mid), list.slice(mid)].map((g) => ({
      ...b,
      pods: g,
      series: Math.max(1, Math.ceil((b.series * g.length) / list.length)),
      depth: b.depth + 1,
    }));
  }
  const points = rangePoints(b.startS, b.endS, step);
  if (points < 2) return [];
  return splitRange(b.startS, b.endS, step, Math.ceil(points / 2)).map((c) => ({
    ...b,
    startS: c.startS,
    endS: c.endS,
    depth: b.depth + 1,
  }));
}

async function runBatch(
  client: PromClient,
  b: Batch,
  build: (b: Batch) => string,
  step: number,
  ctx: {
    /** State's pods per namespace, to split a whole-namespace batch by pod; empty with allContainers. */
    pods: Map<string, Map<string, string[]>>;
    maxSplits: number;
    signal?: AbortSignal;
    what: string;
  },
): Promise<BatchResult> {
  const r = await client.queryRange(
    build(b),
    { start: b.startS, end: b.endS, stepSeconds: step },
    { signal: ctx.signal },
  );
  if (r.ok)
    return {
      series: r.data,
      problems: r.warnings.map((w) => `Prometheus warning: ${w}`),
      failures: [],
      ok: 1,
    };
  const parts =
    r.error.tooManySamples && b.depth < ctx.maxSplits
      ? split(b, b.pods ? undefined : ctx.pods.get(b.namespace), step)
      : [];
  if (parts.length === 0) {
    const scope = `${ctx.what} for namespace ${b.namespace}${b.pods ? ` (${b.pods.length} pods)` : ""}`;
    return { series: [], problems: [`${scope}: ${r.error.message}`], failures: [r.error], ok: 0 };
  }
  const sub = await Promise.all(parts.map((p) => runBatch(client, p, build, step, ctx)));
  return {
    series: sub.flatMap((s) => s.series),
    problems: sub.flatMap((s) => s.problems),
    failures: sub.flatMap((s) => s.failures),
    ok: sub.reduce((a, s) => a + s.ok, 0),
  };
}

function fill(target: Float64Array, s: PromSeries, grid: Grid): void {
  for (let i = 0; i < s.t.length; i++) {
    const idx = Math.round((s.t[i]! - grid.t0) / grid.step);
    if (idx >= 0 && idx < grid.n) target[idx] = s.v[i]!;
  }
}

function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(Number.NaN);
}

function seriesFor(
  out: Map<string, ContainerSeries>,
  m: Record<string, string>,
  grid: Grid,
  wanted: Set<string> | undefined,
): ContainerSeries | undefined {
  const ns = m["namespace"] ?? "";
  const pod = m["pod"] ?? "";
  const container = m["container"] ?? "";
  const key = containerKey(ns, pod, container);
  if (wanted && !wanted.has(key)) return undefined;
  let cs = out.get(key);
  if (!cs) {
    cs = { namespace: ns, pod, container, cpu: nanArray(grid.n), memory: nanArray(grid.n) };
    out.set(key, cs);
  }
  return cs;
}

/** Dedupes problems that say the same thing for many batches ("cannot reach ..." once per URL). */
function dedupe(problems: string[]): string[] {
  return [...new Set(problems)];
}

function noteMissing(containers: Map<string, ContainerSeries>, wanted: Set<string> | undefined): string[] {
  if (!wanted) return [];
  let missing = 0;
  for (const k of wanted) if (!containers.has(k)) missing++;
  return missing > 0 ? [`prometheus: no usage series for ${missing} of ${wanted.size} containers`] : [];
}

/**
 * Usage of the containers in `state` (or, with allContainers, of every container Prometheus
 * has in the namespaces queried) over `window`: CPU in cores, memory in bytes, one value per
 * window step (NaN where Prometheus had none). Two range queries per namespace when each fits
 * under query.max-samples. Failed batches -> partial with their problems listed.
 */
export async function fetchUsage(
  client: PromClient,
  state: ClusterState,
  window: UsageWindow,
  opts: PrometheusUsageOptions = {},
): Promise<UsageData> {
  const plan = planFor(state, window, opts);
  const { grid } = plan;
  const rw = rateWindowSeconds(grid.step, opts);
  const extra = opts.extraMatchers;
  const cpuQ = (b: Batch) =>
    `max by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${selector(b, extra)}}[${rw}s]))`;
  const memQ = (b: Batch) =>
    `max by (namespace, pod, container) (container_memory_working_set_bytes{${selector(b, extra)}})`;
  const ctx = {
    pods: opts.allContainers ? new Map() : podsByNamespace(state, opts.namespaces ?? state.namespaceNames()),
    maxSplits: opts.maxSplits ?? 4,
    signal: opts.signal,
  };
  const containers = new Map<string, ContainerSeries>();
  let ok = 0;
  // Problems kept in query order (CPU then memory, batch by batch), whatever order answers come in.
  const problemsAt: string[][] = [];
  const failuresAt: PromError[][] = [];
  // Each answer is folded into the per-container arrays as soon as it arrives, so its parsed
  // series (timestamps and values: ~650 MB for 10,000 containers over 14 days) can be
  // collected while other batches are still in flight.
  const fold = (r: Awaited<ReturnType<typeof runBatch>>, cpu: boolean, at: number): void => {
    ok += r.ok;
    problemsAt[at] = r.problems;
    failuresAt[at] = r.failures;
    for (const s of r.series) {
      const cs = seriesFor(containers, s.metric, grid, plan.wanted);
      if (cs) fill(cpu ? cs.cpu : cs.memory, s, grid);
    }
    r.series.length = 0;
  };
  await Promise.all(
    plan.batches.flatMap((b, i) => [
      runBatch(client, b, cpuQ, grid.step, { ...ctx, what: "CPU usage" }).then((r) => fold(r, true, 2 * i)),
      runBatch(client, b, memQ, grid.step, { ...ctx, what: "memory usage" }).then((r) =>
        fold(r, false, 2 * i + 1),
      ),
    ]),
  );
  const problems = problemsAt.flat();
  const failures = failuresAt.flat();
  if (ok === 0 && failures.length > 0 && opts.throwWhenNothing !== false) throw nothingError(failures);
  const partial = failures.length > 0;
  const notes = [
    `prometheus ${client.url}: ${plan.batches.length * 2} range queries for ${new Set(plan.batches.map((b) => b.namespace)).size} namespaces, rate window ${rw}s`,
    ...noteMissing(containers, plan.wanted),
  ];
  return {
    source: "prometheus",
    confidence: partial ? "medium" : "high",
    window,
    containers,
    partial,
    problems: dedupe(problems),
    notes,
  };
}

function nothingError(failures: PromError[]): PromError {
  const first = failures[0]!;
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more queries failed)` : "";
  return new PromError(first.kind, first.url, first.query, `${first.message}${more}`, {
    status: first.status,
    errorType: first.errorType,
    cause: first,
  });
}

// ---------------------------------------------------------------------------------------
// request history (kube-state-metrics)

/** Requests over a window: CPU in cores, memory in bytes, per container (NaN where unknown). */
export interface RequestHistory {
  window: UsageWindow;
  containers: Map<string, ContainerSeries>;
  partial: boolean;
  problems: string[];
}

/**
 * Request history from kube-state-metrics' kube_pod_container_resource_requests
 * (resource="cpu" in cores, resource="memory" in bytes): one range query per namespace (both
 * resources at once), batched like fetchUsage. Containers of `state` only unless allContainers.
 */
export async function fetchRequestHistory(
  client: PromClient,
  state: ClusterState,
  window: UsageWindow,
  opts: PrometheusUsageOptions = {},
): Promise<RequestHistory> {
  // Two series (cpu, memory) per container: plan as if each container were two.
  const plan = planFor(state, window, { ...opts, maxSamples: (opts.maxSamples ?? DEFAULT_MAX_SAMPLES) / 2 });
  const { grid } = plan;
  const q = (b: Batch) =>
    `max by (namespace, pod, container, resource) (kube_pod_container_resource_requests{${selector(b, opts.extraMatchers, 'resource=~"cpu|memory"')}})`;
  const ctx = {
    pods: opts.allContainers ? new Map() : podsByNamespace(state, opts.namespaces ?? state.namespaceNames()),
    maxSplits: opts.maxSplits ?? 4,
    signal: opts.signal,
    what: "requests",
  };
  const results = await Promise.all(plan.batches.map((b) => runBatch(client, b, q, grid.step, ctx)));
  const containers = new Map<string, ContainerSeries>();
  const failures = results.flatMap((r) => r.failures);
  for (const r of results)
    for (const s of r.series) {
      const cs = seriesFor(containers, s.metric, grid, plan.wanted);
      const res = s.metric["resource"];
      if (cs && (res === "cpu" || res === "memory")) fill(res === "cpu" ? cs.cpu : cs.memory, s, grid);
    }
  if (results.every((r) => r.ok === 0) && failures.length > 0 && opts.throwWhenNothing !== false)
    throw nothingError(failures);
  return {
    window,
    containers,
    partial: failures.length > 0,
    problems: dedupe(results.flatMap((r) => r.problems)),
  };
}

// ---------------------------------------------------------------------------------------
// OOM kills

export interface OomKill {
  namespace: string;
  pod: string;
  container: string;
  /** First and last window step at which the last termination reason was OOMKilled. */
  firstSeen: Date;
  lastSeen: Date;
  /** True when already so at the window's first step (the kill may predate the window). */
  beforeWindow: boolean;
}

export interface OomHistory {
  kills: OomKill[];
  partial: boolean;
  problems: string[];
}

/**
 * Containers whose last termination was OOMKilled at some point in the window, from
 * kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}: one range query for
 * the whole cluster (only OOM-killed containers have the series, so it is small). Containers
 * of `state` only unless allContainers. A failure is returned as partial, never thrown.
 */
export async function fetchOomKills(
  client: PromClient,
  state: ClusterState | undefined,
  window: UsageWindow,
  opts: Pick<PrometheusUsageOptions, "allContainers" | "extraMatchers" | "signal"> = {},
): Promise<OomHistory> {
  const grid = gridOf(window);
  if (grid.n === 0) return { kills: [], partial: false, problems: [] };
  const sel = ['reason="OOMKilled"', ...(opts.extraMatchers ? [opts.extraMatchers] : [])].join(",");
  const q = `max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{${sel}} == 1)`;
  const r = await client.queryRange(
    q,
    { start: grid.t0, end: grid.t0 + (grid.n - 1) * grid.step, stepSeconds: grid.step },
    { signal: opts.signal },
  );
  if (!r.ok) return { kills: [], partial: true, problems: [`OOM kills: ${r.error.message}`] };
  const known =
    state && !opts.allContainers
      ? new Set(
          state
            .list("Pod")
            .flatMap((p) => p.containers.map((c) => containerKey(p.namespace, p.name, c.name))),
        )
      : undefined;
  const kills: OomKill[] = [];
  for (const s of r.data) {
    const m = s.metric;
    const key = containerKey(m["namespace"] ?? "", m["pod"] ?? "", m["container"] ?? "");
    if ((known && !known.has(key)) || s.t.length === 0) continue;
    const first = s.t[0]!;
    kills.push({
      namespace: m["namespace"] ?? "",
      pod: m["pod"] ?? "",
      container: m["container"] ?? "",
      firstSeen: new Date(first * 1000),
      lastSeen: new Date(s.t[s.t.length - 1]! * 1000),
      beforeWindow: first <= grid.t0,
    });
  }
  kills.sort((a, b) =>
    containerKey(a.namespace, a.pod, a.container).localeCompare(
      containerKey(b.namespace, b.pod, b.container),
    ),
  );
  return { kills, partial: false, problems: r.warnings.map((w) => `Prometheus warning: ${w}`) };
}

/**
 * A real Prometheus for tests: OpenMetrics text with KNOWN shapes (so every value a query
 * returns, and with it p95 and max, is known exactly), backfilled with
 * `promtool tsdb create-blocks-from openmetrics` into a temp dir, then `prometheus` serving
 * those blocks on a free 127.0.0.1 port with no scrape targets. Binaries: /usr/bin/prometheus
 * and /usr/bin/promtool (Debian), or PROMETHEUS_BIN / PROMTOOL_BIN.
 *
 * Stop kills the pid that was started and removes the temp dir.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterStateBuilder } from "../../src/state/builder.js";
import type { ClusterState } from "../../src/state/cluster-state.js";
import { freePort, waitHttpReady, stopChild } from "./net.js";

export { freePort };

export const PROMETHEUS_BIN = process.env["PROMETHEUS_BIN"] || "/usr/bin/prometheus";
export const PROMTOOL_BIN = process.env["PROMTOOL_BIN"] || "/usr/bin/promtool";

// ---------------------------------------------------------------------------------------
// synthetic history

/**
 * One container's history. `cpu(i)` is the CPU rate in cores during interval i, the step
 * ending at sample i (the counter grows by cpu(i) * step between samples i-1 and i);
 * `memory(i)` is the working set in bytes at sample i. Sample i is at `start + i * step`.
 */
export interface SyntheticContainer {
  namespace: string;
  pod: string;
  container: string;
  cpu: (i: number) => number;
  memory: (i: number) => number;
  /** kube-state-metrics requests (cores, bytes); a function of the sample index or a constant. */
  requests?: { cpu?: number | ((i: number) => number); memory?: number | ((i: number) => number) };
  /** Sample index from which kube_pod_container_status_last_terminated_reason{reason="OOMKilled"} is 1. */
  oomKilledFrom?: number;
}

export interface SyntheticHistory {
  /** Time of sample 0; a multiple of the step is best (queries align to it). */
  start: Date;
  stepSeconds: number;
  /** Number of samples per series. */
  samples: number;
  containers: SyntheticContainer[];
  /** Counter value at sample 0 (CPU seconds), so rate() never extrapolates to zero. Default 1000. */
  counterStart?: number;
}

/** Epoch seconds of sample i. */
export function sampleTime(h: SyntheticHistory, i: number): number {
  return Math.floor(h.start.getTime() / 1000) + i * h.stepSeconds;
}

/** Time of the last sample. */
export function historyEnd(h: SyntheticHistory): Date {
  return new Date(sampleTime(h, h.samples - 1) * 1000);
}

function labels(c: SyntheticContainer, extra: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    namespace: c.namespace,
    pod: c.pod,
    container: c.container,
    ...extra,
  };
  return Object.entries(all)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`)
    .join(",");
}

/** Numbers as OpenMetrics text: shortest round-trip form, so the TSDB stores exactly this double. */
function num(v: number): string {
  return String(v);
}

function valueOf(v: number | ((i: number) => number), i: number): number {
  return typeof v === "function" ? v(i) : v;
}

/**
 * The OpenMetrics text of a history: container_cpu_usage_seconds_total (counter),
 * container_memory_working_set_bytes (gauge), kube_pod_container_resource_requests (gauge,
 * resource="cpu" unit="core" / resource="memory" unit="byte") and, for containers with
 * `oomKilledFrom`, kube_pod_container_status_last_terminated_reason{reason="OOMKilled"}.
 * Each family's samples are contiguous, each series in time order; ends with `# EOF`.
 */
export function openMetricsText(h: SyntheticHistory): string {
  const out: string[] = [];
  const t = (i: number) => sampleTime(h, i);
  out.push("# TYPE container_cpu_usage_seconds counter");
  for (const c of h.containers) {
    const l = labels(c);
    let total = h.counterStart ?? 1000;
    for (let i = 0; i < h.samples; i++) {
      if (i > 0) total += c.cpu(i) * h.stepSeconds;
      out.push(`container_cpu_usage_seconds_total{${l}} ${num(total)} ${t(i)}`);
    }
  }
  out.push("# TYPE container_memory_working_set_bytes gauge");
  for (const c of h.containers) {
    const l = labels(c);
    for (let i = 0; i < h.samples; i++)
      out.push(`container_memory_working_set_bytes{${l}} ${num(c.memory(i))} ${t(i)}`);
  }
  out.push("# TYPE kube_pod_container_resource_requests gauge");
  for (const c of h.containers) {
    for (const [resource, unit] of [
      ["cpu", "core"],
      ["memory", "byte"],
    ] as const) {
      const v = c.requests?.[resource];
      if (v === undefined) continue;
      const l = labels(c, { resource, unit });
      for (let i = 0; i < h.samples; i++)
        out.push(`kube_pod_container_resource_requests{${l}} ${num(valueOf(v, i))} ${t(i)}`);
    }
  }
  out.push("# TYPE kube_pod_container_status_last_terminated_reason gauge");
  for (const c of h.containers) {
    if (c.oomKilledFrom === undefined) continue;
    const l = labels(c, { reason: "OOMKilled" });
    for (let i = Math.max(0, c.oomKilledFrom); i < h.samples; i++)
      out.push(`kube_pod_container_status_last_terminated_reason{${l}} 1 ${t(i)}`);
  }
  out.push("# EOF", "");
  return out.join("\n");
}

/**
 * What Prometheus 2.x answers for `rate(container_cpu_usage_seconds_total[w * step])` and for
 * the working set at sample `i` (a query step equal to the sample step, aligned to the
 * samples): the mean of the last `w` interval rates (range selectors include both ends, so
 * the window holds exactly w + 1 samples and rate() does not extrapolate), and the gauge
 * sample itself. NaN where the window lacks its first sample (i < w).
 */
export function expectedAt(
  c: SyntheticContainer,
  i: number,
  rateWindowSteps: number,
): { cpu: number; memory: number } {
  let cpu = Number.NaN;
  if (i >= rateWindowSteps) {
    let s = 0;
    for (let j = i - rateWindowSteps + 1; j <= i; j++) s += c.cpu(j);
    cpu = s / rateWindowSteps;
  }
  return { cpu, memory: c.memory(i) };
}

/** Expected CPU and memory for samples [from, to] inclusive. */
export function expectedSeries(
  c: SyntheticContainer,
  from: number,
  to: number,
  rateWindowSteps: number,
): { cpu: Float64Array; memory: Float64Array } {
  const n = Math.max(0, to - from + 1);
  const cpu = new Float64Array(n);
  const memory = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const e = expectedAt(c, from + k, rateWindowSteps);
    cpu[k] = e.cpu;
    memory[k] = e.memory;
  }
  return { cpu, memory };
}

/** Known shapes (pure functions of the sample index) for generated containers. */
export const shapes = {
  constant: (v: number) => (_i: number) => v,
  /** A daily cycle at `perDay` samples a day: `lo` at night rising linearly to `hi` at midday. */
  daily: (lo: number, hi: number, perDay: number) => (i: number) => {
    const p = i % perDay;
    const half = perDay / 2;
    return lo + ((hi - lo) * (p < half ? p : perDay - p)) / half;
  },
  /** Sawtooth from `lo` to `hi` over `period` samples (a leak reset by restarts). */
  sawtooth: (lo: number, hi: number, period: number) => (i: number) =>
    lo + ((hi - lo) * (i % period)) / (period - 1),
  /** `base`, with `peak` at every `every`-th sample. */
  spikes: (base: number, peak: number, every: number) => (i: number) => (i % every === 0 ? peak : base),
};

/** Nearest-rank percentile (0..1) of the non-NaN values; NaN when there are none. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const s: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) s.push(values[i]!);
  if (s.length === 0) return Number.NaN;
  s.sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export function maxOf(values: ArrayLike<number>): number {
  let m = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v) && !(v <= m)) m = v;
  }
  return m;
}

/** A ClusterState holding one Running pod per distinct namespace/pod, with the given containers. */
export function stateWith(
  containers: readonly { namespace: string; pod: string; container: string }[],
): ClusterState {
  const b = new ClusterStateBuilder({ source: "snapshot", sourceDetail: "test", collectedAt: Date.now() });
  const pods = new Map<string, { namespace: string; pod: string; names: string[] }>();
  for (const c of containers) {
    const k = `${c.namespace}/${c.pod}`;
    const p = pods.get(k) ?? { namespace: c.namespace, pod: c.pod, names: [] };
    p.names.push(c.container);
    pods.set(k, p);
  }
  for (const ns of new Set(containers.map((c) => c.namespace)))
    b.add({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, uid: `ns-${ns}` } });
  for (const p of pods.values())
    b.add({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: p.pod, namespace: p.namespace, uid: `${p.namespace}-${p.pod}` },
      spec: { nodeName: "node-1", containers: p.names.map((name) => ({ name, image: "app:1" })) },
      status: { phase: "Running" },
    });
  return b.build({ complete: true });
}

// ---------------------------------------------------------------------------------------
// running Prometheus

export interface TestPrometheus {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  pid: number;
  dir: string;
  /** Milliseconds spent in promtool's backfill, and from spawn to /-/ready. */
  backfillMs: number;
  startMs: number;
  /** Size of the OpenMetrics text that was backfilled. */
  textBytes: number;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes the temp dir. */
  stop(): Promise<void>;
  /** The last lines of Prometheus' log (for failure messages). */
  logTail(lines?: number): string;
}

export interface StartPrometheusOptions {
  /** OpenMetrics text (must end with `# EOF`), or a history to render with openMetricsText(). */
  data?: string | SyntheticHistory;
  /**
   * An existing TSDB directory to serve as it is instead of `data` (nothing is backfilled, and
   * stop() leaves it in place; Prometheus adds its wal/ and lock files to it).
   */
  dataDir?: string;
  /** More Prometheus flags, e.g. `--storage.tsdb.max-block-duration=2h` to keep blocks as they are. */
  extraArgs?: string[];
  /** --query.max-samples (Prometheus' default 50,000,000). */
  maxSamples?: number;
  /** --query.timeout, e.g. "2m". */
  queryTimeout?: string;
  /** --storage.tsdb.retention.time; default 3650d (longer than any test data's age). */
  retention?: string;
  readyTimeoutMs?: number;
}

/** Span of an OpenMetrics text in hours, from its first and last timestamps (cheap scan). */
function spanHours(text: string): number {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const ts = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(ts)) {
      if (ts < min) min = ts;
      if (ts > max) max = ts;
    }
  }
  return max >= min ? (max - min) / 3600 : 0;
}

/** Backfills `text` into `<dir>/data` with one block covering the whole span. */
export function backfill(text: string, dir: string): number {
  const file = join(dir, "data.om");
  writeFileSync(file, text);
  // One block for the whole span: promtool re-reads the input once per block otherwise.
  const hours = Math.max(2, 2 * Math.ceil((spanHours(text) + 2) / 2));
  const t0 = Date.now();
  const r = spawnSync(
    PROMTOOL_BIN,
    ["tsdb", "create-blocks-from", "openmetrics", `--max-block-duration=${hours}h`, file, join(dir, "data")],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.error) throw new Error(`promtool (${PROMTOOL_BIN}) failed to run: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`promtool backfill exited ${r.status}: ${(r.stderr || r.stdout).slice(-2000)}`);
  rmSync(file, { force: true });
  return Date.now() - t0;
}

/** Backfills the data and starts Prometheus on it; resolves once /-/ready answers 200. */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<TestPrometheus> {
  if (opts.data === undefined && opts.dataDir === undefined)
    throw new Error("startPrometheus needs data or dataDir");
  const text =
    opts.data === undefined ? "" : typeof opts.data === "string" ? opts.data : openMetricsText(opts.data);
  if (opts.dataDir === undefined && !text.trimEnd().endsWith("# EOF"))
    throw new Error("OpenMetrics text must end with # EOF");
  const dir = mkdtempSync(join(tmpdir(), "day2-prom-"));
  let proc: ChildProcess | undefined;
  const logLines: string[] = [];
  const logTail = (n = 20) => logLines.slice(-n).join("\n");
  const stop = async (): Promise<void> => {
    await stopChild(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const backfillMs = opts.dataDir === undefined ? backfill(text, dir) : 0;
    const dataDir = opts.dataDir ?? join(dir, "data");
    const config = join(dir, "prometheus.yml");
    writeFileSync(config, "global:\n  scrape_interval: 1m\nscrape_configs: []\n");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const args = [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      `--storage.tsdb.retention.time=${opts.retention ?? "3650d"}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--query.max-samples=${opts.maxSamples ?? 50_000_000}`,
      `--query.timeout=${opts.queryTimeout ?? "2m"}`,
      "--log.level=warn",
      ...(opts.extraArgs ?? []),
    ];
    const t0 = Date.now();
    proc = spawn(PROMETHEUS_BIN, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (c: string) => {
      logLines.push(...c.split("\n").filter(Boolean));
      if (logLines.length > 200) logLines.splice(0, logLines.length - 200);
    });
    const spawned = proc;
    await new Promise<void>((resolve, reject) => {
      spawned.once("spawn", () => resolve());
      spawned.once("error", (e) => reject(new Error(`cannot start ${PROMETHEUS_BIN}: ${e.message}`)));
    });
    await waitHttpReady("prometheus", `${url}/-/ready`, spawned, opts.readyTimeoutMs ?? 30_000, logTail);
    return {
      url,
      port,
      pid: spawned.pid!,
      dir,
      backfillMs,
      startMs: Date.now() - t0,
      textBytes: Buffer.byteLength(text),
      stop,
      logTail,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

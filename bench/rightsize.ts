/**
 * `npm run bench:rightsize`: right-sizing 10,000 containers from 14 days of Prometheus data at
 * a 10-minute step (issue #6).
 *
 * 1. Data, once per layout: known shapes per container (bench/rightsize-driver.ts) written as
 *    OpenMetrics, one file per day, each backfilled with `promtool tsdb create-blocks-from
 *    openmetrics --max-block-duration=54h` into one TSDB. promtool rounds the flag down to
 *    its block ranges (2h, 6h, 18h, 54h, 162h, ...), so 24h or 25h would give 18h blocks and
 *    two passes over each file; 54h covers a day, and a day file becomes one block, or two
 *    when a 54h boundary falls inside it (blocks are aligned to multiples of their range).
 *    The TSDB is cached under ~/.cache/day2-bench/prom-<hash of the parameters> (or
 *    DAY2_BENCH_CACHE) with the generation times, so reruns skip this step.
 * 2. Per run: a fresh Prometheus on that TSDB (127.0.0.1, free port; compaction off by
 *    --storage.tsdb.min/max-block-duration=2h, so the blocks stay as backfilled), then the
 *    driver as a child process with bench/rss-hook.mjs: ClusterState, fetchUsage (range
 *    queries batched by namespace), recommend(). Measured: queries (PromClient.stats()),
 *    time, the driver's peak RSS, Prometheus' VmHWM after the run. Prometheus is stopped by
 *    pid after each run, also on failure.
 * 3. Scaling: 5,000 containers in 50 namespaces and 10,000 containers in 50 namespaces (twice
 *    the workloads per namespace), to show that queries follow namespaces, not containers.
 *
 * Medians of DAY2_BENCH_RUNS runs (default 3; DAY2_BENCH_SCALING_RUNS, default 1, for the two
 * scaling layouts), written at the top of bench/RESULTS.md. Every child has a timeout, and the
 * whole bench stops after DAY2_BENCH_TIMEOUT_MIN minutes (default 90). DAY2_BENCH_SMOKE=1 runs
 * 1/25 of the namespaces and writes nothing.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { cpus, homedir, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROMTOOL_BIN, startPrometheus, type TestPrometheus } from "../test/support/prometheus.js";
import {
  containerCount,
  containers,
  DATA_VERSION,
  sampleCount,
  samplesPerDay,
  type DriverOutput,
  type Layout,
} from "./rightsize-driver.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
const HOOK = join(ROOT, "bench", "rss-hook.mjs");
const DRIVER = join(ROOT, "bench", "rightsize-driver.ts");
const RUNS = Math.max(1, Number(process.env.DAY2_BENCH_RUNS ?? 3));
const SCALING_RUNS = Math.max(0, Number(process.env.DAY2_BENCH_SCALING_RUNS ?? 1));
const CACHE = process.env.DAY2_BENCH_CACHE || join(homedir(), ".cache", "day2-bench");
const TIMEOUT_MIN = Number(process.env.DAY2_BENCH_TIMEOUT_MIN ?? 90);
const MAX_BLOCK = "54h";
const DRIVER_TIMEOUT_MS = 15 * 60_000;
const PROMTOOL_TIMEOUT_MS = 15 * 60_000;

/** 2026-01-05T00:00:00Z: a UTC midnight, so every file is one calendar day. */
const START_S = Date.UTC(2026, 0, 5) / 1000;
/** DAY2_BENCH_SMOKE=1: 1/25 of the namespaces, nothing written to RESULTS.md (to try the bench). */
const SMOKE = process.env.DAY2_BENCH_SMOKE === "1";
const NS = (n: number) => (SMOKE ? n / 25 : n);
const base = { replicas: 2, days: 14, stepSeconds: 600, startS: START_S };
const LAYOUTS = {
  main: { ...base, namespaces: NS(100), workloadsPerNamespace: 25 },
  half: { ...base, namespaces: NS(50), workloadsPerNamespace: 25 },
  wide: { ...base, namespaces: NS(50), workloadsPerNamespace: 50 },
} satisfies Record<string, Layout>;

/** Children still running, killed by pid if the bench times out. */
const live = new Set<number>();
let currentProm: TestPrometheus | undefined;

interface Ran {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(cmd: string, args: string[], timeoutMs: number, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    p.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    p.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr = (stderr + c).slice(-20_000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (p.pid !== undefined) process.kill(p.pid, "SIGKILL");
    }, timeoutMs);
    p.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    if (p.pid !== undefined) live.add(p.pid);
    p.once("close", (code, signal) => {
      clearTimeout(timer);
      if (p.pid !== undefined) live.delete(p.pid);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------------------------------
// data: OpenMetrics per day, backfilled with promtool, cached

interface DataMeta {
  layout: Layout;
  containers: number;
  series: number;
  samples: number;
  textBytes: number;
  /** Seconds writing the text, in promtool, and promtool's largest peak RSS (KB, when measured). */
  writeSeconds: number;
  backfillSeconds: number;
  promtoolMaxRssKb: number | undefined;
  blocks: number;
  tsdbBytes: number;
  generatedAt: string;
}

class LineWriter {
  private buf: string[] = [];
  private size = 0;
  bytes = 0;
  constructor(private readonly fd: number) {}
  line(s: string): void {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0) return;
    const chunk = this.buf.join("\n") + "\n";
    this.bytes += Buffer.byteLength(chunk);
    writeSync(this.fd, chunk);
    this.buf = [];
    this.size = 0;
  }
}

/** Day `d`'s samples as OpenMetrics; `totals` carries each CPU counter across days. */
function writeDay(file: string, l: Layout, d: number, totals: Float64Array): number {
  const perDay = samplesPerDay(l);
  const from = d * perDay;
  const to = d === l.days - 1 ? sampleCount(l) - 1 : from + perDay - 1;
  const fd = openSync(file, "w");
  const w = new LineWriter(fd);
  try {
    const list = [...containers(l)];
    const labels = list.map((c) => `{namespace="${c.namespace}",pod="${c.pod}",container="${c.container}"}`);
    w.line("# TYPE container_cpu_usage_seconds counter");
    list.forEach((c, k) => {
      let total = totals[k]!;
      for (let i = from; i <= to; i++) {
        if (i > 0) total += c.cpu(i) * l.stepSeconds;
        w.line(`container_cpu_usage_seconds_total${labels[k]} ${total} ${l.startS + i * l.stepSeconds}`);
      }
      totals[k] = total;
    });
    w.line("# TYPE container_memory_working_set_bytes gauge");
    list.forEach((c, k) => {
      for (let i = from; i <= to; i++)
        w.line(
          `container_memory_working_set_bytes${labels[k]} ${Math.round(c.memory(i))} ${l.startS + i * l.stepSeconds}`,
        );
    });
    w.line("# EOF");
    w.flush();
  } finally {
    closeSync(fd);
  }
  return w.bytes;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

function blockCount(dataDir: string): number {
  return readdirSync(dataDir).filter((e) => existsSync(join(dataDir, e, "meta.json"))).length;
}

async function promtoolVersion(): Promise<string> {
  const r = await run(PROMTOOL_BIN, ["--version"], 30_000);
  return (r.stdout + r.stderr).split("\n")[0] ?? "";
}

async function backfillDay(file: string, dataDir: string): Promise<number | undefined> {
  const args = [
    "tsdb",
    "create-blocks-from",
    "openmetrics",
    `--max-block-duration=${MAX_BLOCK}`,
    file,
    dataDir,
  ];
  const timed = existsSync("/usr/bin/time");
  const r = timed
    ? await run("/usr/bin/time", ["-f", "%M", PROMTOOL_BIN, ...args], PROMTOOL_TIMEOUT_MS)
    : await run(PROMTOOL_BIN, args, PROMTOOL_TIMEOUT_MS);
  if (r.code !== 0)
    throw new Error(
      `promtool backfill of ${file} ${r.timedOut ? "timed out" : `exited ${r.code ?? r.signal}`}: ${r.stderr.slice(-2000)}`,
    );
  return timed ? Number(r.stderr.trim().split("\n").pop()) : undefined;
}

/** The cached TSDB of a layout, generated first when missing. */
async function dataFor(
  name: string,
  l: Layout,
): Promise<{ dataDir: string; meta: DataMeta; cached: boolean }> {
  const key = createHash("sha256")
    .update(JSON.stringify({ l, DATA_VERSION, MAX_BLOCK, promtool: await promtoolVersion() }))
    .digest("hex")
    .slice(0, 16);
  const dir = join(CACHE, `prom-${key}`);
  const metaFile = join(dir, "meta.json");
  if (existsSync(metaFile))
    return {
      dataDir: join(dir, "data"),
      meta: JSON.parse(readFileSync(metaFile, "utf8")) as DataMeta,
      cached: true,
    };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, "data"), { recursive: true });
  try {
    const n = containerCount(l);
    const totals = new Float64Array(n).fill(1000);
    let writeMs = 0;
    let backfillMs = 0;
    let textBytes = 0;
    let maxRss: number | undefined;
    for (let d = 0; d < l.days; d++) {
      const file = join(tmp, `day-${String(d).padStart(2, "0")}.om`);
      const t0 = Date.now();
      textBytes += writeDay(file, l, d, totals);
      const t1 = Date.now();
      const rss = await backfillDay(file, join(tmp, "data"));
      backfillMs += Date.now() - t1;
      writeMs += t1 - t0;
      if (rss !== undefined) maxRss = Math.max(maxRss ?? 0, rss);
      rmSync(file, { force: true });
      process.stderr.write(
        `[data ${name}] day ${d + 1}/${l.days}: text ${((t1 - t0) / 1000).toFixed(1)} s, promtool ${((Date.now() - t1) / 1000).toFixed(1)} s\n`,
      );
    }
    const meta: DataMeta = {
      layout: l,
      containers: n,
      series: 2 * n,
      samples: 2 * n * sampleCount(l),
      textBytes,
      writeSeconds: writeMs / 1000,
      backfillSeconds: backfillMs / 1000,
      promtoolMaxRssKb: maxRss,
      blocks: blockCount(join(tmp, "data")),
      tsdbBytes: dirBytes(join(tmp, "data")),
      generatedAt: new Date().toISOString(),
    };
    writeFileSync(join(tmp, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return { dataDir: join(dir, "data"), meta, cached: false };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// runs

interface Sample {
  out: DriverOutput;
  /** The driver process: wall time from start to exit (tsx, state, queries, recommend) and peak RSS. */
  wallMs: number;
  maxRssKb: number;
  promIdleKb: number;
  promHwmKb: number;
}

function procStatusKb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

async function once(label: string, l: Layout, dataDir: string): Promise<Sample> {
  const prom = await startPrometheus({
    dataDir,
    // Compaction off: the blocks stay as backfilled, and no compaction runs during the measurement.
    extraArgs: ["--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h"],
    queryTimeout: "2m",
    readyTimeoutMs: 120_000,
  });
  currentProm = prom;
  try {
    const promIdleKb = procStatusKb(prom.pid, "VmRSS");
    const file = join(OUT, `rightsize-${label}.sample`);
    rmSync(file, { force: true });
    const r = await run(
      process.execPath,
      ["--import", "tsx", "--import", HOOK, DRIVER, prom.url, JSON.stringify(l)],
      DRIVER_TIMEOUT_MS,
      { DAY2_BENCH_OUT: file },
    );
    if (r.code !== 0)
      throw new Error(
        `driver ${r.timedOut ? `timed out after ${DRIVER_TIMEOUT_MS / 1000} s` : `exited ${r.code ?? r.signal}`}: ${r.stderr.slice(-2000)}\n${prom.logTail()}`,
      );
    const promHwmKb = procStatusKb(prom.pid, "VmHWM");
    const hook = JSON.parse(readFileSync(file, "utf8").trim()) as { wallMs: number; maxRssKb: number };
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as DriverOutput;
    if (out.partial || out.failedQueries > 0) throw new Error(`usage is partial: ${out.problems.join("; ")}`);
    return { out, ...hook, promIdleKb, promHwmKb };
  } finally {
    currentProm = undefined;
    await prom.stop();
  }
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const secs = (s: number) => `${s.toFixed(2)} s`;
const fmt = (n: number) => n.toLocaleString("en-US");

interface Row {
  name: string;
  layout: Layout;
  samples: Sample[];
}

function scalingRow(r: Row): string {
  const l = r.layout;
  const s = r.samples;
  const queries = [...new Set(s.map((x) => x.out.queries))].join(" / ");
  return `| ${r.name} | ${l.namespaces} | ${fmt(l.namespaces * l.workloadsPerNamespace)} | ${fmt(containerCount(l))} | ${queries} | ${secs(median(s.map((x) => x.out.seconds)))} | ${mb(median(s.map((x) => x.maxRssKb)))} | ${mb(median(s.map((x) => x.promHwmKb)))} | ${s.length} |`;
}

function section(
  main: Row,
  scaling: Row[],
  data: { meta: DataMeta; cached: boolean; blocksAfter: number },
  load: { start: number[]; end: number[] },
): string {
  const l = main.layout;
  const s = main.samples;
  const o = s[0]!.out;
  const m = data.meta;
  const col = (f: (x: Sample) => number, show: (n: number) => string) =>
    `| ${show(median(s.map(f)))} | ${s.map((x) => show(f(x))).join(", ")} |`;
  const cpu = cpus();
  const machine = `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const la = (x: number[]) => x.map((v) => v.toFixed(2)).join(" / ");
  const shared = Math.max(load.start[0]!, load.end[0]!) > 0.5;
  return [
    `## Right-sizing from Prometheus: ${fmt(containerCount(l))} containers, ${l.days} days at a ${l.stepSeconds / 60}-minute step (issue #6)`,
    "",
    `Machine: ${machine}; Prometheus 2.42 (Debian) and day2 share its ${cpu.length} cores. Load average (1/5/15 min) ${la(load.start)} at the start and ${la(load.end)} at the end${shared ? ": the machine was shared with other jobs, so times are upper bounds" : ""}. ${s.length === 1 ? "One run" : `Medians of ${s.length} runs`}.`,
    "",
    `What it does (\`npm run bench:rightsize\`): ${l.namespaces} namespaces x ${l.workloadsPerNamespace} Deployments x ${l.replicas} replicas x 2 containers (app and sidecar) = ${fmt(containerCount(l))} containers, each with a known CPU and memory shape (daily cycle, spikes, sawtooth or constant), ${fmt(sampleCount(l))} samples per series (${l.days} days at ${l.stepSeconds} s, ${fmt(m.samples)} samples in ${fmt(m.series)} series). The OpenMetrics text (${(m.textBytes / 1e9).toFixed(2)} GB in all) is written one file per day and each file backfilled with \`promtool tsdb create-blocks-from openmetrics --max-block-duration=${MAX_BLOCK}\` (promtool rounds the flag down to its ranges 2h, 6h, 18h, 54h, ...: 24h would mean 18h blocks and two passes per file) into one TSDB of ${m.blocks} non-overlapping blocks, ${(m.tsdbBytes / 1048576).toFixed(0)} MB; that took ${m.writeSeconds.toFixed(0)} s of text writing and ${m.backfillSeconds.toFixed(0)} s of promtool${m.promtoolMaxRssKb ? ` (peak RSS ${mb(m.promtoolMaxRssKb)})` : ""}, once, on ${m.generatedAt.slice(0, 10)}, and is cached outside the repository${data.cached ? " (this run used the cache)" : ""}. Each run starts a fresh Prometheus on the TSDB (compaction off, ${data.blocksAfter} blocks after the last run), then a separate Node process builds the ClusterState (Deployments, ReplicaSets, pods), calls \`fetchUsage\` (CPU as \`rate(...[${2 * l.stepSeconds}s])\`, two steps, and working set; range queries at the data's step, batched by namespace, PromClient's default concurrency of 4) and \`recommend()\` (KRR simple), checks every memory recommendation against the value known from the shapes, and reports the PromClient's query count. day2's peak RSS is that process's (rss-hook), Prometheus' is VmHWM of its process after the run.`,
    "",
    "| what | median | runs |",
    "|---|---|---|",
    `| fetchUsage + recommend (in the process, state built) ${col((x) => x.out.seconds, secs)}`,
    `| of which fetchUsage (${fmt(o.queries)} range queries, ${o.responseMB.toFixed(0)} MB of JSON) ${col((x) => x.out.fetchSeconds, secs)}`,
    `| of which recommend() (${fmt(o.workloads)} workloads, ${fmt(o.recommendations)} container recommendations, ${o.memoryMismatches} memory values off the known answer) ${col((x) => x.out.recommendSeconds, secs)}`,
    `| day2 process wall time (Node + tsx start, state, queries, recommend) ${col((x) => x.wallMs / 1000, secs)}`,
    `| day2 peak RSS ${col((x) => x.maxRssKb, mb)}`,
    `| Prometheus peak RSS (VmHWM) ${col((x) => x.promHwmKb, mb)}`,
    `| Prometheus RSS when ready, before the queries ${col((x) => x.promIdleKb, mb)}`,
    "",
    "Queries against the fleet's shape: two range queries (CPU, memory) per namespace while a namespace fits under query.max-samples, so the count follows namespaces; twice the containers in the same namespaces leaves it unchanged.",
    "",
    "| layout | namespaces | workloads | containers | queries | median time (fetch + recommend) | day2 peak RSS | Prometheus peak RSS | runs |",
    "|---|---|---|---|---|---|---|---|---|",
    scalingRow(main),
    ...scaling.map(scalingRow),
    "",
  ].join("\n");
}

function appendResults(text: string): void {
  const resultsFile = join(ROOT, "bench", "RESULTS.md");
  const previous = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "# Benchmark results\n\n";
  const [head, ...rest] = previous.split(/\n(?=## )/);
  writeFileSync(
    resultsFile,
    [head!.trimEnd(), "", `<!-- ${new Date().toISOString()} -->`, text, ...rest].join("\n"),
  );
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  mkdirSync(CACHE, { recursive: true });
  const loadStart = loadavg();
  const rows: Row[] = [];
  let mainData: { meta: DataMeta; cached: boolean; dataDir: string } | undefined;
  const plan: [keyof typeof LAYOUTS, string, number][] = [
    ["main", `${LAYOUTS.main.namespaces} namespaces x ${LAYOUTS.main.workloadsPerNamespace} workloads`, RUNS],
    ["half", "half the namespaces", SCALING_RUNS],
    ["wide", "half the namespaces, twice the workloads each", SCALING_RUNS],
  ];
  for (const [key, name, runs] of plan) {
    if (runs === 0) continue;
    const l = LAYOUTS[key];
    const d = await dataFor(key, l);
    if (key === "main") mainData = d;
    process.stderr.write(
      `[${key}] ${fmt(containerCount(l))} containers; TSDB ${d.cached ? "cached" : "generated"} (${d.meta.blocks} blocks)\n`,
    );
    const row: Row = { name, layout: l, samples: [] };
    for (let i = 0; i < runs; i++) {
      const s = await once(key, l, d.dataDir);
      row.samples.push(s);
      process.stderr.write(
        `[${key}] run ${i + 1}/${runs}: ${s.out.queries} queries, ${secs(s.out.seconds)} (fetch ${secs(s.out.fetchSeconds)}), day2 ${mb(s.maxRssKb)}, Prometheus ${mb(s.promHwmKb)}, ${s.out.recommendations} recommendations, ${s.out.memoryMismatches} memory mismatches\n`,
      );
    }
    rows.push(row);
  }
  const [main, ...scaling] = rows;
  if (!main || !mainData) throw new Error("no main runs");
  const text = section(
    main,
    scaling,
    { ...mainData, blocksAfter: blockCount(mainData.dataDir) },
    { start: loadStart, end: loadavg() },
  );
  if (!SMOKE) appendResults(text);
  process.stdout.write(text + "\n");
}

const watchdog = setTimeout(() => {
  process.stderr.write(`bench:rightsize: stopped after ${TIMEOUT_MIN} minutes\n`);
  for (const pid of live) process.kill(pid, "SIGKILL");
  const p = currentProm;
  if (p) process.kill(p.pid, "SIGKILL");
  process.exit(1);
}, TIMEOUT_MIN * 60_000);

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:rightsize failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => clearTimeout(watchdog));

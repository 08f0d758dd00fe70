/**
 * `npm run bench:storm`: the alert-storm benchmark of issue #7. Per run, each part with a
 * fresh SQLite file in a temporary directory, the sender (bench/storm-sender.ts) always a
 * separate process with the same seed:
 *
 * 1. Ceiling: bench/storm-bare.ts, a bare Fastify route doing one better-sqlite3 INSERT per
 *    request with the store's PRAGMAs (WAL, synchronous=FULL), hammered by the sender (the
 *    payload is parsed and ignored: one row per request); requests/s. Once more at
 *    synchronous=NORMAL, the route without an fsync per commit, for comparison.
 * 2. day2: `day2 token create --role admin`, `day2 serve --port 0 --db FILE`, the storm (N
 *    alerts in Alertmanager v4 payloads of 1-20 alerts, mean 5, from C concurrent senders),
 *    SIGTERM, then the alerts in the file are counted with better-sqlite3: every fingerprint
 *    sent must be there, once.
 * 3. The same with SIGKILL: once the sender reports ~40 % of the alerts accepted, the server
 *    is killed with SIGKILL and restarted at once on the same port and file; the senders keep
 *    retrying as Alertmanager does. Every fingerprint must be there, once, and one incident per
 *    group key (a re-delivery after the restart must not open a second one).
 *
 * day2 runs as one file bundled from the working tree with esbuild (bench/out/storm/main.js,
 * packages external), which starts like the built CLI; without esbuild, through tsx.
 *
 * Medians of DAY2_BENCH_RUNS runs (default 3) go to the top of bench/RESULTS.md with the
 * machine and its load average. Options (env): DAY2_BENCH_STORM_ALERTS (default 100000; below
 * that nothing is written to RESULTS.md, a smoke run), DAY2_BENCH_STORM_CONCURRENCY (8),
 * DAY2_BENCH_STORM_KILL_AT (0.4), DAY2_BENCH_STORM_DEADLINE_S (the senders' global deadline,
 * 900), DAY2_BENCH_TIMEOUT_MIN (the whole bench, 120). Every child has a timeout and is killed
 * by pid at the end, also on failure; only 127.0.0.1 is used.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Sqlite from "better-sqlite3";
import { SQLITE_DEFAULTS } from "../src/store/db.js";
import type { SenderResult } from "./storm-sender.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out", "storm");
const SENDER = join(ROOT, "bench", "storm-sender.ts");
const BARE = join(ROOT, "bench", "storm-bare.ts");
const ALERTS = Number(process.env.DAY2_BENCH_STORM_ALERTS ?? 100_000);
const CONCURRENCY = Number(process.env.DAY2_BENCH_STORM_CONCURRENCY ?? 8);
const KILL_AT = Number(process.env.DAY2_BENCH_STORM_KILL_AT ?? 0.4);
const DEADLINE_S = Number(process.env.DAY2_BENCH_STORM_DEADLINE_S ?? 900);
const RUNS = Math.max(1, Number(process.env.DAY2_BENCH_RUNS ?? 3));
const TIMEOUT_MIN = Number(process.env.DAY2_BENCH_TIMEOUT_MIN ?? 120);
const SMOKE = ALERTS < 100_000;
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------
// children: every one with a timeout, tracked by pid, killed at the end

const live = new Set<number>();

interface Ran {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

interface Child {
  proc: ChildProcess;
  pid: number;
  exited: Promise<Ran>;
}

type LineHook = (stream: "out" | "err", line: string) => void;

function killPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function lineSplitter(stream: "out" | "err", hook: LineHook | undefined): (chunk: string) => void {
  let rest = "";
  return (chunk) => {
    if (!hook) return;
    rest += chunk;
    const parts = rest.split("\n");
    rest = parts.pop()!;
    for (const line of parts) hook(stream, line);
  };
}

function start(cmd: string, args: string[], timeoutMs: number, hook?: LineHook): Child {
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (proc.pid === undefined) throw new Error(`cannot start ${cmd} ${args.join(" ")}`);
  const pid = proc.pid;
  live.add(pid);
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  const out = lineSplitter("out", hook);
  const err = lineSplitter("err", hook);
  proc.stdout!.setEncoding("utf8").on("data", (c: string) => {
    stdout = (stdout + c).slice(-200_000);
    out(c);
  });
  proc.stderr!.setEncoding("utf8").on("data", (c: string) => {
    stderr = (stderr + c).slice(-20_000);
    err(c);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    killPid(pid, "SIGKILL");
  }, timeoutMs);
  const exited = new Promise<Ran>((resolve, reject) => {
    proc.once("error", (e) => {
      clearTimeout(timer);
      live.delete(pid);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    proc.once("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(pid);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return { proc, pid, exited };
}

async function runOnce(cmd: string, args: string[], timeoutMs: number): Promise<Ran> {
  const r = await start(cmd, args, timeoutMs).exited;
  if (r.code !== 0)
    throw new Error(
      `${args.slice(0, 3).join(" ")} failed (${r.code ?? r.signal}${r.timedOut ? ", timed out" : ""}): ${r.stderr.slice(-2000)}`,
    );
  return r;
}

interface Server {
  child: Child;
  url: string;
  /** stdout lines after the "listening on" line. */
  lines: string[];
  /** The process's CPU seconds when it printed "listening on" (start-up, migrations). */
  cpuAtListen: number;
}

/** User + system CPU seconds of a live process, from /proc (Linux; 0 elsewhere). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of proc(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds the server spent since it was listening: the storm, without start-up. */
const stormCpu = (s: Server): number => cpuSeconds(s.child.pid) - s.cpuAtListen;

function startServer(label: string, cmd: string, args: string[], lifetimeMs: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let url: string | undefined;
    const child = start(cmd, args, lifetimeMs, (stream, line) => {
      const m = /^listening on (http:\/\/\S+)/.exec(line);
      if (stream === "out" && m && !url) {
        url = m[1]!;
        clearTimeout(timer);
        resolve({ child, url, lines, cpuAtListen: cpuSeconds(child.pid) });
      } else if (stream === "out") lines.push(line);
    });
    const timer = setTimeout(() => {
      killPid(child.pid, "SIGKILL");
      reject(new Error(`${label}: not listening after ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.exited.then(
      (r) => {
        clearTimeout(timer);
        if (!url)
          reject(
            new Error(`${label} exited (${r.code ?? r.signal}) before listening: ${r.stderr.slice(-2000)}`),
          );
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e as Error);
      },
    );
  });
}

/** SIGTERM (graceful: in-flight requests and the intake queue finish), SIGKILL after a minute. */
async function stopServer(s: Server): Promise<Ran> {
  killPid(s.child.pid, "SIGTERM");
  const timer = setTimeout(() => killPid(s.child.pid, "SIGKILL"), STOP_TIMEOUT_MS);
  try {
    return await s.child.exited;
  } finally {
    clearTimeout(timer);
  }
}

async function runSender(url: string, token: string, onProgress?: (accepted: number) => void) {
  const args = [
    ...["--import", "tsx", SENDER, "--url", url, "--token", token],
    ...["--alerts", String(ALERTS), "--concurrency", String(CONCURRENCY), "--deadline-s", String(DEADLINE_S)],
  ];
  const child = start(process.execPath, args, (DEADLINE_S + 180) * 1000, (stream, line) => {
    const m = stream === "err" ? /^progress (\d+) (\d+)$/.exec(line) : null;
    if (m) onProgress?.(Number(m[1]));
  });
  const r = await child.exited;
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.code !== 0 || !last.startsWith("{"))
    throw new Error(`sender failed (${r.code ?? r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(last) as SenderResult;
}

// ---------------------------------------------------------------------------------------
// the parts

interface BareRun {
  sender: SenderResult;
  /** Server CPU seconds during the storm. */
  cpu: number;
  rows: number;
  pragmas: Record<string, unknown>;
}

async function bare(dir: string, run: number, synchronous: "FULL" | "NORMAL"): Promise<BareRun> {
  const file = join(dir, `bare-${synchronous}-${run}.db`);
  const lifetime = (DEADLINE_S + 300) * 1000;
  const server = await startServer(
    "bare route",
    process.execPath,
    ["--import", "tsx", BARE, file, synchronous],
    lifetime,
  );
  let sender: SenderResult;
  let cpu: number;
  try {
    sender = await runSender(server.url, "bare");
    cpu = stormCpu(server);
  } finally {
    await stopServer(server);
  }
  const db = new Sqlite(file);
  try {
    const rows = (db.prepare("select count(*) as n from hits").get() as { n: number }).n;
    return { sender, cpu, rows, pragmas: JSON.parse(server.lines[0] ?? "{}") as Record<string, unknown> };
  } finally {
    db.close();
  }
}

interface StoreCount {
  alerts: number;
  distinctFingerprints: number;
  ours: number;
  groupKeys: number;
  incidents: number;
  groupKeysWithTwoIncidents: number;
  journalMode: string;
}

function countStore(file: string, prefix: string): StoreCount {
  const db = new Sqlite(file);
  try {
    const one = (q: string, ...p: unknown[]) => (db.prepare(q).get(...p) as { n: number }).n;
    return {
      alerts: one("select count(*) as n from alerts"),
      distinctFingerprints: one("select count(distinct fingerprint) as n from alerts"),
      ours: one("select count(*) as n from alerts where fingerprint like ? || '%'", prefix),
      groupKeys: one("select count(distinct group_key) as n from alerts"),
      incidents: one("select count(*) as n from incidents"),
      groupKeysWithTwoIncidents: one(
        "select count(*) as n from (select group_key from incidents group by group_key having count(*) > 1)",
      ),
      journalMode: String(db.pragma("journal_mode", { simple: true })),
    };
  } finally {
    db.close();
  }
}

interface Day2Run {
  sender: SenderResult;
  /** Server CPU seconds during the storm (both processes in a SIGKILL run). */
  cpu: number;
  count: StoreCount;
  lost: number;
  /** SIGKILL run: alerts the sender had accepted when the server was killed, and the time to listening again. */
  kill?: { acceptedAtKill: number; restartMs: number };
}

async function day2(dir: string, run: number, cli: string[], withKill: boolean): Promise<Day2Run> {
  const file = join(dir, `day2-${withKill ? "kill" : "clean"}-${run}.db`);
  const [cmd, ...pre] = cli as [string, ...string[]];
  const created = await runOnce(
    cmd,
    [...pre, "token", "create", "--role", "admin", "--name", "storm-bench", "--db", file],
    START_TIMEOUT_MS,
  );
  const token = created.stdout.trim().split("\n").pop()!.trim();
  const lifetime = (DEADLINE_S + 300) * 1000;
  let server = await startServer("day2 serve", cmd, [...pre, "serve", "--port", "0", "--db", file], lifetime);
  const port = new URL(server.url).port;
  let kill: Day2Run["kill"];
  let killing: Promise<void> | undefined;
  let cpu = 0;
  const killAndRestart = async (acceptedAtKill: number): Promise<void> => {
    const t0 = performance.now();
    cpu += stormCpu(server);
    killPid(server.child.pid, "SIGKILL");
    await server.child.exited;
    server = await startServer(
      "day2 serve (restart)",
      cmd,
      [...pre, "serve", "--port", port, "--db", file],
      lifetime,
    );
    kill = { acceptedAtKill, restartMs: Math.round(performance.now() - t0) };
    process.stderr.write(
      `  killed at ${acceptedAtKill} accepted; listening again after ${kill.restartMs} ms\n`,
    );
  };
  let sender: SenderResult;
  try {
    sender = await runSender(server.url, token, (accepted) => {
      if (withKill && !killing && accepted >= KILL_AT * ALERTS) killing = killAndRestart(accepted);
    });
    await killing;
    cpu += stormCpu(server);
  } finally {
    await killing?.catch(() => undefined);
    await stopServer(server);
  }
  if (withKill && !kill)
    throw new Error("the server was not killed: the sender never reported the kill point");
  const count = countStore(file, sender.fingerprintPrefix);
  return { sender, cpu, count, lost: sender.sent - count.ours, ...(kill ? { kill } : {}) };
}

// ---------------------------------------------------------------------------------------
// day2 as one file, as the built CLI starts (a restart within about a second)

async function day2Command(): Promise<{ cli: string[]; how: string }> {
  const esbuild = join(ROOT, "node_modules", ".bin", "esbuild");
  const outfile = join(OUT, "main.js");
  mkdirSync(OUT, { recursive: true });
  if (existsSync(esbuild)) {
    const r = await start(
      esbuild,
      [
        join(ROOT, "src", "cli", "main.ts"),
        ...["--bundle", "--platform=node", "--format=esm", "--packages=external", "--target=node20"],
        `--outfile=${outfile}`,
        "--log-level=warning",
      ],
      120_000,
    ).exited;
    if (r.code === 0)
      return { cli: [process.execPath, outfile], how: "bundled from the working tree with esbuild" };
    process.stderr.write(`esbuild failed, running day2 through tsx: ${r.stderr.slice(-500)}\n`);
  }
  return {
    cli: [process.execPath, "--import", "tsx", join(ROOT, "src", "cli", "main.ts")],
    how: "run from source through tsx",
  };
}

// ---------------------------------------------------------------------------------------
// RESULTS.md

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms`;

const FS_TYPES: Record<number, string> = {
  0xef53: "ext4",
  0x01021994: "tmpfs",
  0x58465342: "xfs",
  0x9123683e: "btrfs",
  0x794c7630: "overlayfs",
};

interface Results {
  bareFull: BareRun[];
  bareNormal: BareRun[];
  clean: Day2Run[];
  killed: Day2Run[];
}

function senderCells(s: SenderResult[]): string {
  const m = (f: (x: SenderResult) => number) => median(s.map(f));
  return `${ms(m((x) => x.p50))} | ${ms(m((x) => x.p99))} | ${ms(m((x) => x.maxLatency))} | ${fmt(m((x) => x.retries))}`;
}

/** Server CPU during the storm: median seconds and per 1,000 alerts or requests. */
function cpuCell(runs: { cpu: number; per: number }[], unit: string): string {
  const cpu = median(runs.map((r) => r.cpu));
  const per = median(runs.map((r) => (r.per > 0 ? (1000 * r.cpu) / r.per : 0)));
  return `${cpu.toFixed(1)} s (${(per * 1000).toFixed(0)} ms per 1,000 ${unit})`;
}

function bareRow(name: string, runs: BareRun[]): string {
  const s = runs.map((r) => r.sender);
  const rows = runs.map((r) => `${fmt(r.rows)} rows for ${fmt(r.sender.statuses["200"] ?? 0)} answers`);
  const cpu = cpuCell(
    runs.map((r) => ({ cpu: r.cpu, per: r.sender.statuses["200"] ?? 0 })),
    "requests",
  );
  return `| ${name} | - | ${fmt(median(s.map((x) => x.requestsPerSecond)))} | ${senderCells(s)} | ${cpu} | ${rows[0]} | - | ${s.map((x) => `${fmt(x.requestsPerSecond)} req/s`).join(", ")} |`;
}

function day2Row(name: string, runs: Day2Run[]): string {
  const s = runs.map((r) => r.sender);
  const stored = runs.map((r) => fmt(r.count.ours)).join(", ");
  const lost = runs.map((r) => fmt(r.lost)).join(", ");
  const cpu = cpuCell(
    runs.map((r) => ({ cpu: r.cpu, per: r.sender.accepted })),
    "alerts",
  );
  return `| ${name} | ${fmt(median(s.map((x) => x.alertsPerSecond)))} | ${fmt(median(s.map((x) => x.requestsPerSecond)))} | ${senderCells(s)} | ${cpu} | ${stored} | ${lost} | ${s.map((x) => `${fmt(x.alertsPerSecond)} alerts/s, p99 ${ms(x.p99)}`).join("; ")} |`;
}

function reasons(runs: Day2Run[]): string {
  const all: Record<string, number> = {};
  for (const r of runs)
    for (const [k, v] of Object.entries(r.sender.retryReasons)) all[k] = (all[k] ?? 0) + v;
  const list = Object.entries(all).sort((a, b) => b[1] - a[1]);
  return list.length ? list.map(([k, v]) => `${k} ${fmt(v)}`).join(", ") : "none";
}

function section(
  r: Results,
  how: string,
  dir: string,
  load: { start: number[]; end: number[] },
  wallSeconds: number,
): string {
  const cpu = cpus();
  const machine = `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const la = (x: number[]) => x.map((v) => v.toFixed(2)).join(" / ");
  const shared = Math.max(load.start[0]!, load.end[0]!) > 0.5;
  const fsType =
    FS_TYPES[Number(statfsSync(dir).type)] ??
    `filesystem type 0x${Number(statfsSync(dir).type).toString(16)}`;
  const first = r.clean[0]!.sender;
  const c0 = r.clean[0]!.count;
  const k0 = r.killed[0]!.count;
  const fullPragmas = JSON.stringify(r.bareFull[0]!.pragmas);
  const alertsPerS = median(r.clean.map((x) => x.sender.alertsPerSecond));
  const p99 = median(r.clean.map((x) => x.sender.p99));
  const lostAll = [...r.clean, ...r.killed].reduce((n, x) => n + x.lost, 0);
  const dupAll = [...r.clean, ...r.killed].reduce(
    (n, x) => n + (x.count.alerts - x.count.distinctFingerprints) + x.count.groupKeysWithTwoIncidents,
    0,
  );
  const kills = r.killed.map((x) => x.kill!);
  const met = alertsPerS >= 5000 && p99 < 50;
  return [
    `## Alert storm: ${fmt(ALERTS)} Alertmanager alerts into \`day2 serve\` on SQLite (issue #7)`,
    "",
    `Machine: ${machine}; the sender, the server and other jobs share its ${cpu.length} cores. Load average (1/5/15 min) ${la(load.start)} at the start and ${la(load.end)} at the end${shared ? ": the machine was shared with other jobs, so rates are lower bounds and latencies upper bounds" : ""}. ${RUNS === 1 ? "One run" : `Medians of ${RUNS} runs`}; the bench took ${(wallSeconds / 60).toFixed(1)} min.`,
    "",
    `What it does (\`npm run bench:storm\`): a separate sender process (bench/storm-sender.ts) posts ${fmt(ALERTS)} alerts in ${fmt(first.payloads)} Alertmanager v4 webhook payloads of 1-20 alerts (mean 5, truncated geometric, seeded; ${(first.bodyBytes / 1e6).toFixed(0)} MB of JSON built before the clock starts) from ${CONCURRENCY} concurrent senders over keep-alive HTTP to 127.0.0.1, as fast as the server answers. Each alert has a unique fingerprint and one of ${fmt(first.groups)} group keys (20 alertnames x 50 namespaces). The senders retry as Alertmanager does: on connection errors, timeouts and 5xx after an exponential backoff (500 ms, x1.5, +-50 % jitter, capped at 5 s), after Retry-After on a 503 that has one, until delivered (global deadline ${fmt(DEADLINE_S)} s). Latency is per successful attempt. day2 is ${how} and started as \`day2 serve --port 0 --db FILE\` with its defaults (intake queue 1,000 deliveries); the alerts are counted in the SQLite file with better-sqlite3 after the server stops (SIGTERM). SIGKILL run: once the sender reports ${Math.round(KILL_AT * 100)} % of the alerts accepted, \`kill -9\` the server, restart it at once on the same port and file, senders retrying throughout.`,
    "",
    `SQLite durability: journal_mode=WAL (read back from the day2 files: ${c0.journalMode}), synchronous=${SQLITE_DEFAULTS.synchronous} (src/store/db.ts; \`day2 serve\` has no option to change it), busy_timeout=${SQLITE_DEFAULTS.busyTimeoutMs} ms: every commit fsyncs the WAL, so an alert answered 2xx survives a process kill and a power loss. The files are on ${fsType} in the system's temporary directory. The bare route uses the same PRAGMAs (read back: ${fullPragmas}; synchronous 2 = FULL), one autocommit INSERT (one fsync) per request; Fastify's JSON parser runs, the body is not used.`,
    "",
    "| what | accepted alerts/s | requests/s | p50 | p99 | max | retries | server CPU in the storm | in the store | lost | runs |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    bareRow("bare Fastify route, one SQLite INSERT per request, synchronous=FULL (the ceiling)", r.bareFull),
    bareRow("the same route at synchronous=NORMAL (no fsync per commit)", r.bareNormal),
    day2Row(`\`day2 serve\`, ${fmt(ALERTS)} alerts`, r.clean),
    day2Row(`\`day2 serve\`, SIGKILL at ${Math.round(KILL_AT * 100)} % and restarted`, r.killed),
    "",
    `SIGKILL runs: killed with ${kills.map((k) => fmt(k.acceptedAtKill)).join(", ")} alerts accepted; listening again ${kills.map((k) => fmt(k.restartMs)).join(", ")} ms after the kill (process start, store open, migrations). Retries by cause: ${reasons(r.killed)}${r.clean.some((x) => x.sender.retries > 0) ? `; in the runs without a kill: ${reasons(r.clean)}` : ""}. The rate of a SIGKILL run includes the restart.`,
    "",
    `Store after each run: ${fmt(c0.alerts)} alerts (${fmt(c0.distinctFingerprints)} distinct fingerprints), ${fmt(c0.incidents)} incidents for ${fmt(c0.groupKeys)} group keys; after the SIGKILL run ${fmt(k0.alerts)} alerts, ${fmt(k0.incidents)} incidents for ${fmt(k0.groupKeys)} group keys. Lost in all runs: ${fmt(lostAll)}; duplicates (alerts, or a second incident for a group key): ${fmt(dupAll)}.`,
    "",
    `Target: >= 5,000 alerts/s and p99 < 50 ms on SQLite: ${met ? "met" : `not met (${fmt(alertsPerS)} alerts/s, p99 ${ms(p99)})`}.`,
    "",
  ].join("\n");
}

function appendResults(text: string): void {
  const resultsFile = join(ROOT, "bench", "RESULTS.md");
  const previous = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "# Benchmark results\n\n";
  // Split before each section, keeping the timestamp comment that precedes it with it.
  const [head, ...rest] = previous.split(/\n(?=(?:<!-- [^\n]* -->\n)?## )/);
  writeFileSync(
    resultsFile,
    [head!.trimEnd(), "", `<!-- ${new Date().toISOString()} -->`, text, ...rest].join("\n"),
  );
}

// ---------------------------------------------------------------------------------------

function logSender(label: string, s: SenderResult, extra = ""): void {
  process.stderr.write(
    `  ${label}: ${fmt(s.accepted)}/${fmt(s.sent)} alerts in ${s.seconds.toFixed(1)} s, ${fmt(s.alertsPerSecond)} alerts/s, ${fmt(s.requestsPerSecond)} req/s, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.maxLatency)}, ${fmt(s.retries)} retries${extra}\n`,
  );
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const loadStart = loadavg();
  const dir = mkdtempSync(join(tmpdir(), "day2-storm-"));
  const results: Results = { bareFull: [], bareNormal: [], clean: [], killed: [] };
  let how: string;
  try {
    const day2Cli = await day2Command();
    const cli = day2Cli.cli;
    how = day2Cli.how;
    process.stderr.write(`day2 ${how}; ${fmt(ALERTS)} alerts, ${CONCURRENCY} senders, ${RUNS} run(s)\n`);
    for (let run = 1; run <= RUNS; run++) {
      process.stderr.write(`run ${run}/${RUNS}\n`);
      for (const sync of ["FULL", "NORMAL"] as const) {
        const b = await bare(dir, run, sync);
        (sync === "FULL" ? results.bareFull : results.bareNormal).push(b);
        logSender(`bare route ${sync}`, b.sender, `, ${fmt(b.rows)} rows`);
      }
      for (const withKill of [false, true]) {
        const d = await day2(dir, run, cli, withKill);
        (withKill ? results.killed : results.clean).push(d);
        logSender(
          withKill ? "day2 + SIGKILL" : "day2",
          d.sender,
          `; store ${fmt(d.count.ours)} alerts, ${fmt(d.count.incidents)} incidents / ${fmt(d.count.groupKeys)} group keys, lost ${fmt(d.lost)}`,
        );
      }
    }
  } finally {
    if (!process.env.DAY2_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
  const text = section(
    results,
    how,
    tmpdir(),
    { start: loadStart, end: loadavg() },
    (performance.now() - t0) / 1000,
  );
  if (!SMOKE) appendResults(text);
  process.stdout.write(text + "\n");
  const lost = [...results.clean, ...results.killed].some((x) => x.lost !== 0);
  if (lost) process.exitCode = 1;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`bench:storm: stopped after ${TIMEOUT_MIN} minutes\n`);
  for (const pid of live) killPid(pid, "SIGKILL");
  process.exit(1);
}, TIMEOUT_MIN * 60_000);

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench:storm failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    clearTimeout(watchdog);
    for (const pid of live) killPid(pid, "SIGKILL");
  });

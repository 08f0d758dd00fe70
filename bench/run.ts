/**
 * `npm run bench`: the scale benchmark of issue #3. Generates the 5,000-node demo cluster in
 * day2's snapshot format and as a kubectl List, then times `day2 report --snapshot ... -o
 * json` end to end (load + index + judge + render) and its peak RSS over several runs, and
 * beside it a bare JSON.parse of the List (the floor any tool pays). Medians go to
 * bench/RESULTS.md with the machine they were measured on.
 *
 * Options (env): DAY2_BENCH_RUNS (default 3), DAY2_BENCH_SCALE (default large).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeDay2Snapshot, writeKubectlList } from "./generate.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "bench", "out");
const RUNS = Number(process.env.DAY2_BENCH_RUNS ?? 3);
const SCALE = (process.env.DAY2_BENCH_SCALE ?? "large") as "large" | "small";
const CLI = join(ROOT, "dist", "src", "cli", "main.js");
const HOOK = join(ROOT, "bench", "rss-hook.mjs");

interface Sample {
  wallMs: number;
  maxRssKb: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function measure(label: string, args: string[]): Sample[] {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const file = join(OUT, `${label}.samples`);
    rmSync(file, { force: true });
    const r = spawnSync(process.execPath, ["--import", HOOK, ...args], {
      env: { ...process.env, DAY2_BENCH_OUT: file, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
      maxBuffer: 64 << 20,
      timeout: 300_000,
    });
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`${label} failed (${r.status}): ${r.stderr.toString().slice(-2000)}`);
    const sample = JSON.parse(readFileSync(file, "utf8").trim()) as Sample;
    samples.push(sample);
    process.stderr.write(
      `  ${label} run ${i + 1}/${RUNS}: ${(sample.wallMs / 1000).toFixed(2)} s, ${(sample.maxRssKb / 1024).toFixed(0)} MB peak RSS\n`,
    );
  }
  return samples;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  mkdirSync(OUT, { recursive: true });
  const snap = join(OUT, `${SCALE}.ndjson.gz`);
  const list = join(OUT, `${SCALE}-list.json`);
  let t = Date.now();
  const objects = await writeDay2Snapshot(snap, SCALE);
  const genSnapMs = Date.now() - t;
  t = Date.now();
  await writeKubectlList(list, SCALE);
  const genListMs = Date.now() - t;
  const snapMb = statSync(snap).size / 1048576;
  const listMb = statSync(list).size / 1048576;
  process.stderr.write(
    `generated ${objects.toLocaleString("en-US")} objects: snapshot ${snapMb.toFixed(0)} MB (${genSnapMs} ms), List ${listMb.toFixed(0)} MB (${genListMs} ms)\n`,
  );

  const report = measure("report-snapshot", [CLI, "report", "--snapshot", snap, "-o", "json"]);
  // The target is a scan: the report plus suppressions, the score and compliance.
  const scanJson = measure("scan-snapshot-json", [CLI, "scan", "--snapshot", snap, "-o", "json"]);
  const scanTable = measure("scan-snapshot-table", [CLI, "scan", "--snapshot", snap]);
  const snapFloor = measure("snapshot-parse-floor", [join(ROOT, "bench", "snapshot-parse-floor.mjs"), snap]);
  const reportList = measure("report-list", [CLI, "report", "--snapshot", list, "-o", "json"]);
  // V8 cannot hold a string longer than 2^29 - 24 characters: past that a bare JSON.parse
  // of the List is not slow but impossible, which is the point of streaming it.
  const V8_MAX_STRING = 2 ** 29 - 24;
  const floor =
    statSync(list).size < V8_MAX_STRING
      ? measure("json-parse-floor", [join(ROOT, "bench", "json-parse-floor.mjs"), list])
      : undefined;

  const row = (name: string, s: Sample[]): string =>
    `| ${name} | ${(median(s.map((x) => x.wallMs)) / 1000).toFixed(2)} s | ${(median(s.map((x) => x.maxRssKb)) / 1024).toFixed(0)} MB | ${s.map((x) => (x.wallMs / 1000).toFixed(2)).join(", ")} |`;
  const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  const section = [
    `## Scale: ${SCALE} demo cluster (${objects.toLocaleString("en-US")} objects)`,
    "",
    `Machine: ${machine}. Medians of ${RUNS} runs. Snapshot ${snapMb.toFixed(0)} MB gzipped NDJSON; kubectl List ${listMb.toFixed(0)} MB.`,
    "",
    "| what | median time | median peak RSS | runs |",
    "|---|---|---|---|",
    row("`day2 report --snapshot S.ndjson.gz -o json` (load + index + judge + render)", report),
    row("`day2 scan --snapshot S.ndjson.gz -o json` (report + score + compliance)", scanJson),
    row("`day2 scan --snapshot S.ndjson.gz` (the same as a table)", scanTable),
    row("floor for the same file: gunzip + `JSON.parse` of every line, nothing kept", snapFloor),
    row("`day2 report --snapshot S-list.json -o json` (kubectl List, streamed)", reportList),
    floor
      ? row("bare `JSON.parse` of the kubectl List (the floor any tool pays)", floor)
      : `| bare \`JSON.parse\` of the kubectl List | impossible: ${listMb.toFixed(0)} MB is past V8's 512 MiB string limit | | |`,
    "",
    `Target: <= 5 s and <= 1 GB peak RSS from day2's snapshot.`,
    "",
  ].join("\n");
  const resultsFile = join(ROOT, "bench", "RESULTS.md");
  const previous = existsSync(resultsFile)
    ? readFileSync(resultsFile, "utf8")
    : "# Benchmark results\n\nRecorded by `npm run bench`; newest first.\n\n";
  const [head, ...rest] = previous.split(/\n(?=## )/);
  writeFileSync(
    resultsFile,
    [head!.trimEnd(), "", `<!-- ${new Date().toISOString()} -->`, section, ...rest].join("\n"),
  );
  process.stdout.write(section + "\n");
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});

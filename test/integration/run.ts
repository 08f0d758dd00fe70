/**
 * The integration suite's global setup and runner (npm run test:integration):
 *
 *   node --import tsx test/integration/run.ts [test files...]
 *
 * Starts ONE real control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok;
 * test/cluster/harness.ts) with nodes in named pools and zones, applies every scenario
 * (test/cluster/scenarios.ts) in its own namespace, breaks the doomed node, waits until every
 * scenario reached its state, writes a JSON description of the cluster (env.ts
 * ItClusterInfo) to a temp file, and runs the test files in one `node --test` child with
 * DAY2_IT_CLUSTER pointing at it. The child's TAP goes to stdout (ending with node's
 * `# pass N` / `# fail N`); this process exits with the child's code. The cluster is stopped
 * in a finally and on SIGINT/SIGTERM. If the setup fails, a one-test TAP document saying so
 * is printed instead, so a summary line is always there.
 *
 * test/cluster/cluster.test.ts is not run here: it starts a control plane of its own, and a
 * run has one. Its scenario checks are the waits of waitForScenarios(), which this setup
 * passes before any test starts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  binariesPresent,
  DEFAULT_VERSION,
  defaultNodes,
  startCluster,
  type TestCluster,
} from "../cluster/harness.js";
import {
  applyScenarios,
  breakDoomedNode,
  DOOMED_NODE,
  SCENARIOS,
  waitForScenarios,
} from "../cluster/scenarios.js";
import { CLUSTER_ENV, type ItClusterInfo } from "./env.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");

/**
 * One file at a time (--test-concurrency=1); node's runner orders them by path. Order does
 * not matter: the files that create objects (faults: ConfigMaps; pagination: 1,000+ pods) do
 * so in namespaces of their own and delete them, waiting until they are gone, so the findings
 * that report/snapshot compare never see another test's objects.
 */
const FILES = [
  "errors.test.ts",
  "auth.test.ts",
  "rbac.test.ts",
  "permissions.test.ts",
  "report.test.ts",
  "snapshot.test.ts",
  "faults.test.ts",
  "pagination.test.ts",
  "trivy.test.ts",
  "metrics-server.test.ts",
  "lease.test.ts",
  "collect.test.ts",
  "dashboard.test.ts",
];

/** Upper bound for the test child; the suite takes ~1.5 min here. */
const CHILD_TIMEOUT_MS = 12 * 60_000;

const log = (msg: string) => process.stderr.write(`[it] ${msg}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A TAP document with one failing test: keeps `# pass` / `# fail` lines in every outcome. */
function tapSetupFailure(err: unknown): string {
  const msg = (err instanceof Error ? (err.stack ?? err.message) : String(err)).split("\n");
  return [
    "TAP version 13",
    "# Subtest: integration setup",
    "not ok 1 - integration setup",
    "  ---",
    "  error: |-",
    ...msg.map((l) => `    ${l}`),
    "  ...",
    "1..1",
    "# tests 1",
    "# suites 0",
    "# pass 0",
    "# fail 1",
    "# cancelled 0",
    "# skipped 0",
    "# todo 0",
    "",
  ].join("\n");
}

async function setup(version: string): Promise<{ cluster: TestCluster; info: ItClusterInfo }> {
  const t0 = Date.now();
  const cluster = await startCluster({ version, nodes: defaultNodes(), log: (m) => log(m) });
  try {
    // The doomed node first: it takes ~65 s from here to NotReady plus eviction, the longest wait.
    const doomed = await applyScenarios(cluster, { only: ["node-notready"] });
    await breakDoomedNode(cluster, doomed["node-notready"]!);
    log(`heartbeat of ${DOOMED_NODE.name} stopped after ${secs(Date.now() - t0)}`);
    const rest = await applyScenarios(cluster, {
      only: SCENARIOS.filter((s) => s.name !== "node-notready").map((s) => s.name),
    });
    const scenarios: Record<string, string> = {};
    for (const s of SCENARIOS) scenarios[s.name] = rest[s.name] ?? doomed[s.name]!;
    log(`${SCENARIOS.length} scenarios applied after ${secs(Date.now() - t0)}; waiting for their states`);
    const took = await waitForScenarios(cluster, scenarios);
    log(
      `scenarios reached their states: ${Object.entries(took)
        .sort((a, b) => a[1] - b[1])
        .map(([s, ms]) => `${s} ${secs(ms)}`)
        .join(", ")}`,
    );
    log(`setup done after ${secs(Date.now() - t0)}`);
    const info: ItClusterInfo = {
      version: cluster.version,
      server: cluster.server,
      binDir: cluster.binDir,
      dir: cluster.dir,
      kubeconfig: cluster.kubeconfigPath,
      readOnlyKubeconfig: cluster.readOnlyKubeconfigPath,
      certKubeconfig: cluster.certKubeconfigPath,
      execKubeconfig: cluster.execKubeconfigPath,
      adminToken: cluster.adminToken,
      viewerToken: cluster.viewerToken,
      viewerUser: "day2-viewer",
      caCertPath: cluster.caCertPath,
      frontProxyCaCertPath: cluster.frontProxyCaCertPath,
      etcdUrl: cluster.etcdUrl,
      scenarios,
      nodes: cluster.nodes.map((n) => ({ name: n.name, pool: n.pool, zone: n.zone })),
      doomedNode: DOOMED_NODE.name,
    };
    return { cluster, info };
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

function runTests(
  files: string[],
  infoPath: string,
  tmp: string,
): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--test", "--test-reporter=tap", "--test-concurrency=1", ...files],
    {
      cwd: ROOT,
      // TMPDIR inside our temp dir: whatever the tests leave behind (even when killed) goes with it.
      env: { ...process.env, [CLUSTER_ENV]: infoPath, TMPDIR: tmp },
      stdio: ["ignore", "pipe", "inherit"],
      // Its own process group, so a signal to us can stop the runner and its per-file children.
      detached: true,
    },
  );
  child.stdout!.pipe(process.stdout);
  const done = new Promise<number>((resolve) => {
    const timer = setTimeout(() => {
      log(`tests still running after ${secs(CHILD_TIMEOUT_MS)}: stopping them`);
      killGroup(child, "SIGKILL");
    }, CHILD_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      log(`cannot run the tests: ${e.message}`);
      resolve(1);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
  return { child, done };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the group we created (detached), led by our child
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
  }
}

async function main(): Promise<number> {
  const version = process.env.DAY2_TESTBED_VERSION ?? DEFAULT_VERSION;
  const args = process.argv.slice(2);
  const files = (args.length > 0 ? args : FILES.map((f) => join(HERE, f))).map((f) => relative(ROOT, f) || f);
  const infoDir = mkdtempSync(join(tmpdir(), "day2-it-"));
  const infoPath = join(infoDir, "cluster.json");
  let child: ChildProcess | undefined;

  // Registered before startCluster installs the harness's handlers (which exit at once and
  // SIGKILL the cluster by pid): ours run first and stop the test runner's process group.
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the tests and the cluster`);
      if (child) killGroup(child, "SIGTERM");
      rmSync(infoDir, { recursive: true, force: true });
    });
  }

  let cluster: TestCluster | undefined;
  try {
    if (!binariesPresent(version)) {
      throw new Error(
        `test cluster binaries for ${version} are not built: run bash test/cluster/build.sh ${version}`,
      );
    }
    let info: ItClusterInfo;
    try {
      ({ cluster, info } = await setup(version));
    } catch (e) {
      process.stdout.write(tapSetupFailure(e));
      return 1;
    }
    writeFileSync(infoPath, JSON.stringify(info, null, 2), { mode: 0o600 });
    const t0 = Date.now();
    const testTmp = join(infoDir, "tmp");
    mkdirSync(testTmp);
    const run = runTests(files, infoPath, testTmp);
    child = run.child;
    const code = await run.done;
    log(`tests finished in ${secs(Date.now() - t0)} with exit code ${code}`);
    if (code !== 0) {
      for (const comp of ["kube-apiserver", "kube-controller-manager", "kwok"]) {
        log(`last lines of ${comp}.log:\n${cluster.logTail(comp, 15)}`);
      }
    }
    return code;
  } catch (e) {
    process.stdout.write(tapSetupFailure(e));
    return 1;
  } finally {
    const t0 = Date.now();
    await cluster?.stop();
    if (cluster) log(`cluster stopped in ${secs(Date.now() - t0)}`);
    rmSync(infoDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`run.ts: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);

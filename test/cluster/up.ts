/**
 * `npm run cluster:up [-- --version v1.37.2] [-- --no-scenarios]`: builds the binaries if
 * needed (test/cluster/build.sh, seconds when warm), starts a detached test cluster with the
 * default nodes, applies every scenario (scenarios.ts) into namespace scenario-<name>, stops
 * the heartbeat of the doomed node (NotReady ~20-30 s later), writes
 * the state file and prints how to use it. `npm run cluster:down` stops it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_VERSION, cacheRoot, startCluster } from "./harness.js";
import { applyScenarios, breakDoomedNode } from "./scenarios.js";
import type { ClusterState } from "./harness.js";

export function stateFilePath(): string {
  return process.env.DAY2_TESTBED_STATE ?? join(cacheRoot(), "cluster-up.json");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const vIdx = args.indexOf("--version");
  const version =
    vIdx >= 0 ? (args[vIdx + 1] ?? DEFAULT_VERSION) : (process.env.DAY2_TESTBED_VERSION ?? DEFAULT_VERSION);
  const withScenarios = !args.includes("--no-scenarios");
  const statePath = stateFilePath();

  if (existsSync(statePath)) {
    const old = JSON.parse(readFileSync(statePath, "utf8")) as ClusterState;
    const alive = old.processes.some((p) => {
      try {
        process.kill(p.pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    if (alive) {
      console.error(`a test cluster is already up (state ${statePath}); run: npm run cluster:down`);
      process.exit(1);
    }
  }

  if (!process.env.DAY2_TESTBED_BIN) {
    const here = dirname(fileURLToPath(import.meta.url));
    execFileSync("bash", [resolve(here, "build.sh"), version], { stdio: ["ignore", "ignore", "inherit"] });
  }

  const t0 = Date.now();
  const cluster = await startCluster({
    version,
    detached: true,
    log: (m) => console.error(`[cluster] ${m}`),
  });
  mkdirSync(dirname(statePath), { recursive: true });
  writeFileSync(statePath, JSON.stringify(cluster.state, null, 2));
  try {
    if (withScenarios) {
      const ns = await applyScenarios(cluster, { fixedNamespaces: true });
      await breakDoomedNode(cluster, ns["node-notready"]!);
      console.error(`[cluster] scenarios applied: ${Object.values(ns).join(" ")}`);
    }
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  console.error(`[cluster] up in ${((Date.now() - t0) / 1000).toFixed(1)} s; state in ${statePath}`);
  // A stable path, so the README's two commands work without copying a temp path.
  const stable = join(cacheRoot(), "kubeconfig");
  copyFileSync(cluster.kubeconfigPath, stable);
  console.log(`export KUBECONFIG=${stable}`);
  console.log(`# read-only: ${cluster.readOnlyKubeconfigPath}`);
  console.log(`# kubectl:   ${join(cluster.binDir, "kubectl")}`);
  console.log(`day2 report --kubeconfig ${stable}`);
  console.log("# stop with: npm run cluster:down");
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`cluster:up failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

/** `npm run cluster:down`: stops the cluster started by up.ts (by pid, from its state file) and removes its dirs. */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot, stopFromState } from "./harness.js";
import type { ClusterState } from "./harness.js";

const statePath = process.env.DAY2_TESTBED_STATE ?? join(cacheRoot(), "cluster-up.json");

async function main(): Promise<void> {
  if (!existsSync(statePath)) {
    console.error(`no test cluster is up (no ${statePath})`);
    return;
  }
  const state = JSON.parse(readFileSync(statePath, "utf8")) as ClusterState;
  await stopFromState(state);
  rmSync(statePath, { force: true });
  rmSync(join(cacheRoot(), "kubeconfig"), { force: true });
  console.error(
    `stopped ${state.processes.map((p) => `${p.name}(${p.pid})`).join(" ")}; removed ${state.dir}`,
  );
}

main().catch((e: unknown) => {
  console.error(`cluster:down failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

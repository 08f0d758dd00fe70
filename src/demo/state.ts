/** The demo cluster as a ClusterState: what `--demo` judges, and what tests build on. */
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import { DEMO_NOW_MS } from "./format.js";
import { generateDemo } from "./generate.js";
import type { DemoScale } from "./scale.js";
import { DEFAULT_SEED, demoClusterInfo, demoOptionsFromScale } from "./scale.js";

export function demoState(scale: DemoScale = "small", seed: number = DEFAULT_SEED): ClusterState {
  const opts = demoOptionsFromScale(scale, seed);
  const builder = new ClusterStateBuilder({
    source: "demo",
    sourceDetail: `seed ${seed}, scale ${scale}`,
    version: demoClusterInfo(opts).version,
    collectedAt: DEMO_NOW_MS,
    context: "demo",
  });
  for (const o of generateDemo(opts)) builder.add(o);
  return builder.build({ complete: true });
}

/**
 * The demo source: a seeded generator of a realistic Kubernetes cluster (and its usage
 * history), the third producer of ClusterState besides the live API and snapshots.
 */
export type { DemoOptions, DemoScale, DemoSizing, DemoClusterInfo } from "./scale.js";
export {
  demoOptionsFromScale,
  demoClusterInfo,
  resolveSizing,
  DEFAULT_SEED,
  DEFAULT_NODES,
  LARGE_NODES,
  MIN_NODES,
} from "./scale.js";
export { DEMO_NOW, DEMO_NOW_MS } from "./format.js";
export { generateDemo } from "./generate.js";
export { demoState } from "./state.js";
export type { ContainerRef, SeriesRange, UsageResource, UsageProfile } from "./usage.js";
export { usageSeries, containerProfile } from "./usage.js";
export type { PlantedProblem } from "./problems.js";
export { PLANTED_PROBLEMS, BROKEN_REFERENCES } from "./problems.js";
export { HEALTHY_NAMESPACE } from "./fixed.js";
export type { UsageClass } from "./plan.js";

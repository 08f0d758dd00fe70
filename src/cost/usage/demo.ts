/**
 * Usage from the demo cluster's generated history (src/demo/usage.ts): every container of
 * the state's pods, computed on demand from the seed, so the default run has weeks of
 * realistic usage without a Prometheus. Complete by construction: confidence "high".
 */
import type { DemoOptions } from "../../demo/index.js";
import { DEFAULT_SEED, usageSeries } from "../../demo/index.js";
import type { ClusterState } from "../../state/cluster-state.js";
import {
  containerKey,
  windowSteps,
  type ContainerSeries,
  type UsageData,
  type UsageWindow,
} from "../types.js";

export function demoUsage(opts: DemoOptions, state: ClusterState, window: UsageWindow): UsageData {
  const containers = new Map<string, ContainerSeries>();
  const n = windowSteps(window);
  for (const pod of state.list("Pod")) {
    for (const c of pod.containers) {
      const ref = { namespace: pod.namespace, pod: pod.name, container: c.name };
      containers.set(containerKey(pod.namespace, pod.name, c.name), {
        ...ref,
        cpu: n > 0 ? usageSeries(opts, ref, "cpu", window) : new Float64Array(0),
        memory: n > 0 ? usageSeries(opts, ref, "memory", window) : new Float64Array(0),
      });
    }
  }
  return {
    source: "demo",
    confidence: "high",
    window,
    containers,
    partial: false,
    problems: [],
    notes: [`demo: generated usage history (seed ${opts.seed ?? DEFAULT_SEED})`],
  };
}

/**
 * The data the cost module judges, shared by usage sources (Prometheus, metrics-server, the
 * demo's generated history), allocation, right-sizing, what-if and forecasting. Plain data:
 * every judgement in src/cost is a pure function of ClusterState, a PriceSheet and UsageData.
 */

/** A sampling window: values are at start, start+step, ... up to end inclusive. */
export interface UsageWindow {
  start: Date;
  end: Date;
  stepSeconds: number;
}

/** Where usage came from, and how far to trust it. */
export type UsageSource = "prometheus" | "metrics-server" | "demo" | "none";
export type Confidence = "high" | "medium" | "low" | "none";

/**
 * One container's usage over the window, one value per step (NaN where no sample): CPU in
 * cores, memory (working set) in bytes. `points` counts the non-NaN samples of each.
 */
export interface ContainerSeries {
  namespace: string;
  pod: string;
  container: string;
  cpu: Float64Array;
  memory: Float64Array;
}

/** Usage for a set of containers, with its provenance and anything that is missing. */
export interface UsageData {
  source: UsageSource;
  confidence: Confidence;
  window: UsageWindow;
  /** Keyed by `${namespace}/${pod}/${container}` (containerKey()). */
  containers: Map<string, ContainerSeries>;
  /** True when some queries failed or were cut by the budget; `problems` says which. */
  partial: boolean;
  problems: string[];
  /** Human notes on the source, e.g. "metrics-server: current usage only". */
  notes: string[];
}

export function containerKey(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}

/** Number of steps in a window (inclusive of both ends). */
export function windowSteps(w: UsageWindow): number {
  const t0 = Math.floor(w.start.getTime() / 1000);
  const t1 = Math.floor(w.end.getTime() / 1000);
  return t1 >= t0 ? Math.floor((t1 - t0) / w.stepSeconds) + 1 : 0;
}

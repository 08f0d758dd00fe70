/**
 * The numeric core of right-sizing, compatible with KRR's `simple` strategy: CPU request at a
 * percentile of usage (no CPU limit), memory request = limit = peak x (1 + buffer), a minimum
 * number of samples, floors, and rounding up to whole units. Pure functions of sample arrays.
 *
 * Percentiles interpolate linearly between closest ranks (rank = q x (n - 1)), which is what
 * Prometheus' quantile_over_time and numpy's default percentile compute, so a recommendation
 * made from raw samples equals one made from a Prometheus quantile over the same samples.
 */

const Mi = 1024 * 1024;

export interface RightsizeSettings {
  /** Percentile of CPU usage that becomes the CPU request (KRR simple: 95). */
  readonly cpuPercentile: number;
  /** Buffer over peak memory for the memory request and limit, in percent (KRR simple: 15). */
  readonly memoryBufferPercent: number;
  /** Samples needed (pooled over the workload's pods) before recommending (KRR: 100). */
  readonly pointsRequired: number;
  /** Floors, as KRR: 10m CPU and 100Mi memory. */
  readonly cpuFloorMillis: number;
  readonly memoryFloorBytes: number;
  /** Recommendations are rounded up to multiples of these (1m, 1Mi). */
  readonly cpuRoundMillis: number;
  readonly memoryRoundBytes: number;
  /** Buffer over the memory limit a container was OOMKilled at, in percent (KRR: 25). */
  readonly oomBufferPercent: number;
  /**
   * "pooled": the percentile of all samples of all the workload's pods together (KRR's
   * original simple strategy, and what the issue asks for); "max-of-pods": the percentile of
   * each pod, then the largest (KRR's newer PercentileCPULoader).
   */
  readonly cpuAggregation: "pooled" | "max-of-pods";
  /** HPA-aware sizing: the range a recommended target utilisation is kept in, in percent. */
  readonly hpaMinTarget: number;
  readonly hpaMaxTarget: number;
  /**
   * Target utilisation assumed for an HPA Resource metric when neither `hpaTargets` nor the
   * HPA's own spec.metrics (averageUtilization) says: 80, the Kubernetes default for
   * autoscaling/v1.
   */
  readonly hpaDefaultTarget: number;
  /** Overrides the HPA's averageUtilization per resource (e.g. a planned target); wins over the HPA object. */
  readonly hpaTargets?: (hpa: {
    namespace: string;
    name: string;
  }) => { cpu?: number; memory?: number } | undefined;
}

export const DEFAULT_RIGHTSIZE_SETTINGS: RightsizeSettings = Object.freeze({
  cpuPercentile: 95,
  memoryBufferPercent: 15,
  pointsRequired: 100,
  cpuFloorMillis: 10,
  memoryFloorBytes: 100 * Mi,
  cpuRoundMillis: 1,
  memoryRoundBytes: Mi,
  oomBufferPercent: 25,
  cpuAggregation: "pooled",
  hpaMinTarget: 50,
  hpaMaxTarget: 85,
  hpaDefaultTarget: 80,
});

/** Finite samples of several series, pooled into one sorted array. */
export function pooledSorted(series: readonly Float64Array[]): Float64Array {
  let n = 0;
  for (const s of series) for (const v of s) if (Number.isFinite(v)) n++;
  const out = new Float64Array(n);
  let i = 0;
  for (const s of series) for (const v of s) if (Number.isFinite(v)) out[i++] = v;
  return out.sort();
}

/** The q-th percentile (0..100) of ascending samples, linear between closest ranks; NaN when empty. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = (Math.min(100, Math.max(0, q)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo]!;
  return a + (sorted[hi]! - a) * (rank - lo);
}

/** Percentile of the finite samples of one array. */
export function percentile(values: Float64Array, q: number): number {
  return percentileSorted(pooledSorted([values]), q);
}

/** Largest finite sample of several series; NaN when there is none. */
export function maxOf(series: readonly Float64Array[]): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const s of series) for (const v of s) if (Number.isFinite(v) && v > m) m = v;
  return m === Number.NEGATIVE_INFINITY ? Number.NaN : m;
}

export function countPoints(series: readonly Float64Array[]): number {
  let n = 0;
  for (const s of series) for (const v of s) if (Number.isFinite(v)) n++;
  return n;
}

/** Rounds up to a multiple of `unit`, tolerating float noise (0.95 x 1000 is 950, not 951). */
export function roundUp(value: number, unit: number): number {
  if (!(unit > 0)) return value;
  return Math.ceil(value / unit - 1e-9) * unit;
}

/** CPU percentile in cores over the series, per the aggregation setting; NaN without samples. */
export function cpuProposalCores(series: readonly Float64Array[], s: RightsizeSettings): number {
  if (s.cpuAggregation === "max-of-pods") {
    let best = Number.NaN;
    for (const one of series) {
      const p = percentile(one, s.cpuPercentile);
      if (Number.isFinite(p) && !(p <= best)) best = p;
    }
    return best;
  }
  return percentileSorted(pooledSorted(series), s.cpuPercentile);
}

/** Per-step sum over series of equal length (NaN-free steps count their finite members only). */
export function stepTotals(series: readonly Float64Array[]): { totals: Float64Array; counts: Uint32Array } {
  const n = series.reduce((m, s) => Math.max(m, s.length), 0);
  const totals = new Float64Array(n);
  const counts = new Uint32Array(n);
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i]!;
      if (!Number.isFinite(v)) continue;
      totals[i]! += v;
      counts[i]!++;
    }
  }
  return { totals, counts };
}

/** "250m", "2" (whole cores): a Kubernetes CPU quantity from millicores. */
export function cpuQuantity(millis: number): string {
  const m = Math.round(millis);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** "512Mi", "2Gi", or plain bytes: a Kubernetes memory quantity that parses back exactly. */
export function memoryQuantity(bytes: number): string {
  const b = Math.round(bytes);
  if (b !== 0 && b % (1024 * Mi) === 0) return `${b / (1024 * Mi)}Gi`;
  if (b !== 0 && b % Mi === 0) return `${b / Mi}Mi`;
  if (b !== 0 && b % 1024 === 0) return `${b / 1024}Ki`;
  return String(b);
}

/**
 * Sizing queries under Prometheus' limits. A range query materialises series x points
 * samples (plus the samples each step's range selector reads), and Prometheus refuses a query
 * above `--query.max-samples` (default 50,000,000). POST bodies have no URL limit, but
 * proxies and Go's form parser do cap them, so selector text (pod regexes) is bounded too.
 * Pure functions: unit-tested without a server.
 */

export const DEFAULT_MAX_SAMPLES = 50_000_000;
/** Upper bound for one query's text (a POST form value); proxies commonly allow far more. */
export const DEFAULT_MAX_QUERY_BYTES = 64 * 1024;

export interface BatchLimits {
  /** Prometheus' query.max-samples. */
  maxSamples: number;
  /** Fraction of maxSamples to plan for (estimates are estimates); default 0.8. */
  headroom?: number;
  /** Longest query text; default DEFAULT_MAX_QUERY_BYTES. */
  maxQueryBytes?: number;
}

/** Points a range query returns per series: start..end inclusive at `step`. */
export function rangePoints(startS: number, endS: number, stepS: number): number {
  return endS >= startS ? Math.floor((endS - startS) / stepS) + 1 : 0;
}

/**
 * Samples one range query of `series` series is estimated to hold at its peak: its points
 * `factor` times plus the samples one step's range selector reads (`selectorPoints`, e.g.
 * rate window / scrape interval), per series. Factor 2 for an aggregation over a selector or
 * function (`max by (...) (rate(x[w]))`): Prometheus holds the inner result for every step
 * while it builds the output, measured with 2.42's query.max-samples.
 */
export function estimateSamples(series: number, points: number, selectorPoints = 0, factor = 1): number {
  return series * (factor * points + selectorPoints);
}

/** The sample budget one query may plan for. */
export function sampleBudget(limits: BatchLimits): number {
  return Math.max(1, Math.floor(limits.maxSamples * (limits.headroom ?? 0.8)));
}

/**
 * Groups items (e.g. the pods of a namespace) so each group's estimated samples stay within
 * the budget and its selector text within maxQueryBytes. `measure.series(item)` is the series
 * an item brings, `measure.textBytes(item)` what it adds to the query (e.g. an escaped pod name plus "|").
 * Order is kept; an item too big on its own is a group of its own (split it by time).
 */
export function groupUnderLimits<T>(
  items: readonly T[],
  measure: { series: (item: T) => number; textBytes: (item: T) => number },
  samplesPerSeries: number,
  limits: BatchLimits,
  baseTextBytes = 0,
): T[][] {
  const { series, textBytes } = measure;
  const budget = sampleBudget(limits);
  const maxText = (limits.maxQueryBytes ?? DEFAULT_MAX_QUERY_BYTES) - baseTextBytes;
  const groups: T[][] = [];
  let cur: T[] = [];
  let samples = 0;
  let text = 0;
  for (const item of items) {
    const s = series(item) * samplesPerSeries;
    const b = textBytes(item);
    if (cur.length > 0 && (samples + s > budget || text + b > maxText)) {
      groups.push(cur);
      cur = [];
      samples = 0;
      text = 0;
    }
    cur.push(item);
    samples += s;
    text += b;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

export interface TimeChunk {
  /** Epoch seconds, both on the window's step grid, inclusive. */
  startS: number;
  endS: number;
}

/**
 * Splits [startS, endS] on its step grid into consecutive chunks of at most `maxPoints`
 * points each, without overlap (chunk k+1 starts one step after chunk k ends).
 */
export function splitRange(startS: number, endS: number, stepS: number, maxPoints: number): TimeChunk[] {
  const total = rangePoints(startS, endS, stepS);
  const per = Math.max(1, Math.floor(maxPoints));
  const out: TimeChunk[] = [];
  for (let i = 0; i < total; i += per) {
    const last = Math.min(total - 1, i + per - 1);
    out.push({ startS: startS + i * stepS, endS: startS + last * stepS });
  }
  return out;
}

/**
 * Time chunks for a query of `series` series so each chunk's samples fit the budget:
 * the whole range when it fits, else as many chunks as needed.
 */
export function chunksForSeries(
  range: TimeChunk & { stepS: number },
  series: number,
  selectorPoints: number,
  limits: BatchLimits,
  factor = 1,
): TimeChunk[] {
  const { startS, endS, stepS } = range;
  const budget = sampleBudget(limits);
  const maxPoints = Math.floor((Math.floor(budget / Math.max(1, series)) - selectorPoints) / factor);
  if (maxPoints < 1)
    throw new Error(
      `a query of ${series} series cannot fit query.max-samples ${limits.maxSamples} even one point at a time`,
    );
  return splitRange(startS, endS, stepS, maxPoints);
}

/** Escapes a string for a PromQL regex matcher inside a double-quoted string (RE2 syntax). */
export function regexEscape(s: string): string {
  return s
    .replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"');
}

/** Escapes a string for a PromQL double-quoted label value. */
export function labelValue(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

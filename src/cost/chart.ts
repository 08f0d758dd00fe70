/**
 * SVG line charts as strings, built with d3-scale and d3-shape: no DOM, so the same module
 * renders in Node (the html report) and in the browser (the dashboard). A chart shows a
 * history line, a dashed forecast line, a dotted threshold line, a "now" marker, axes with
 * ticks and labels, and a legend; it has a fixed viewBox (it scales with its container), an
 * accessible title and description, and no external fonts. Colours come from the html
 * report's CSS variables when the SVG is inlined there, with fallbacks otherwise; text and
 * axes use currentColor, so the chart follows light and dark themes.
 */
import { scaleLinear, scaleUtc } from "d3-scale";
import { line } from "d3-shape";

export interface ChartSeries {
  /** Epoch ms of the first value. */
  readonly start: number;
  readonly stepSeconds: number;
  /** NaN where there is no value (the line breaks). */
  readonly values: Float64Array;
}

export interface LineChartOptions {
  readonly title: string;
  /** Longer text for screen readers; default a summary generated from the data. */
  readonly description?: string;
  readonly history: ChartSeries;
  readonly forecast?: ChartSeries;
  readonly threshold?: { readonly value: number; readonly label: string };
  /** Formats y values for ticks and the description; default d3's tick format. */
  readonly yFormat?: (value: number) => string;
  readonly yLabel?: string;
  /** A prefix for element ids, unique within the page. Default "chart". */
  readonly id?: string;
  readonly width?: number;
  readonly height?: number;
}

const FONT = "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif";
const HISTORY = "var(--low,#1c7ed6)";
const FORECAST = "var(--high,#d9480f)";
const THRESHOLD = "var(--critical,#b3122e)";
const MARGIN = { top: 34, right: 16, bottom: 30, left: 56 };
/** Points per series beyond which values are bucketed (max per bucket, so peaks survive). */
const MAX_POINTS_PER_PX = 1;

export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

type Point = readonly [number, number];

/** [time, value] points, reduced to at most `maxPoints` by taking each bucket's maximum. */
export function seriesPoints(s: ChartSeries, maxPoints: number): Point[] {
  const n = s.values.length;
  const stepMs = s.stepSeconds * 1000;
  const bucket = Math.max(1, Math.ceil(n / Math.max(1, maxPoints)));
  const out: Point[] = [];
  for (let i = 0; i < n; i += bucket) {
    let best = Number.NaN;
    for (let j = i; j < Math.min(n, i + bucket); j++) {
      const v = s.values[j]!;
      if (!Number.isNaN(v) && !(v <= best)) best = v;
    }
    out.push([s.start + i * stepMs, best]);
  }
  return out;
}

function extent(points: readonly Point[][], extra: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of points)
    for (const [, v] of list) {
      if (Number.isNaN(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  for (const v of extra) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return [Math.min(0, lo), hi > Math.min(0, lo) ? hi : Math.min(0, lo) + 1];
}

function seriesEnd(s: ChartSeries): number {
  return s.start + Math.max(0, s.values.length - 1) * s.stepSeconds * 1000;
}

function fmtNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

function defaultDescription(o: LineChartOptions, format: (v: number) => string): string {
  const fmt = (v: number): string => format(Number(v.toPrecision(3)));
  const parts: string[] = [];
  const h = o.history.values;
  let last = Number.NaN;
  for (let i = h.length - 1; i >= 0 && Number.isNaN(last); i--) last = h[i]!;
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
  parts.push(`History from ${day(o.history.start)} to ${day(seriesEnd(o.history))}`);
  if (!Number.isNaN(last)) parts.push(`last value ${fmt(last)}`);
  if (o.forecast && o.forecast.values.length > 0) {
    const f = o.forecast.values;
    parts.push(`forecast to ${day(seriesEnd(o.forecast))} ending at ${fmt(f[f.length - 1]!)}`);
  }
  if (o.threshold) parts.push(`threshold ${o.threshold.label} at ${fmt(o.threshold.value)}`);
  return `${parts.join("; ")}.`;
}

function legendItems(o: LineChartOptions): [string, string, string][] {
  const items: [string, string, string][] = [["History", HISTORY, ""]];
  if (o.forecast) items.push(["Forecast", FORECAST, ' stroke-dasharray="6 4"']);
  if (o.threshold) items.push([o.threshold.label, THRESHOLD, ' stroke-dasharray="2 3"']);
  return items;
}

/** Approximate widths (no font metrics without a DOM): legend entries and the title. */
function legendWidth(o: LineChartOptions): number {
  return legendItems(o).reduce((w, [label]) => w + 28 + label.length * 6.2, 0);
}

/** The legend, right-aligned on the title's row, or on a row of its own when they would meet. */
function legend(o: LineChartOptions, width: number, y: number): string {
  const items = legendItems(o);
  let x = width - MARGIN.right;
  const out: string[] = [];
  for (const [label, colour, dash] of [...items].reverse()) {
    const w = 28 + label.length * 6.2;
    x -= w;
    out.push(
      `<g transform="translate(${x.toFixed(1)},${y})"><line x1="0" x2="18" y1="0" y2="0" style="stroke:${colour}" stroke-width="2"${dash}/><text x="22" y="4">${escapeXml(label)}</text></g>`,
    );
  }
  return `<g class="legend">${out.join("")}</g>`;
}

/** An SVG line chart: history, forecast (dashed) and threshold (dotted) with axes. */
export function lineChartSvg(o: LineChartOptions): string {
  const width = o.width ?? 720;
  const height = o.height ?? 260;
  const id = o.id ?? "chart";
  const twoRows = MARGIN.left + o.title.length * 7.2 + 16 > width - MARGIN.right - legendWidth(o);
  const top = twoRows ? MARGIN.top + 16 : MARGIN.top;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - top - MARGIN.bottom;
  const maxPoints = Math.max(2, Math.floor(plotW * MAX_POINTS_PER_PX));
  const hist = seriesPoints(o.history, maxPoints);
  const fc = o.forecast ? seriesPoints(o.forecast, maxPoints) : [];
  const t0 = o.history.start;
  const t1 = o.forecast && o.forecast.values.length > 0 ? seriesEnd(o.forecast) : seriesEnd(o.history);
  const x = scaleUtc()
    .domain([new Date(t0), new Date(Math.max(t1, t0 + 1))])
    .range([MARGIN.left, width - MARGIN.right]);
  const [lo, hi] = extent([hist, fc], o.threshold ? [o.threshold.value] : []);
  const y = scaleLinear()
    .domain([lo, hi * 1.05])
    .nice(5)
    .range([height - MARGIN.bottom, top]);
  const yTickFormat = y.tickFormat(5);
  const fmt = o.yFormat ?? ((v: number) => fmtNumber(v));
  const yTicks = y.ticks(5);
  const xTicks = x.ticks(Math.max(2, Math.floor(plotW / 110)));
  const xFormat = x.tickFormat();
  const path = line<Point>()
    .defined((p) => !Number.isNaN(p[1]))
    .x((p) => x(p[0]))
    .y((p) => y(p[1]))
    .digits(1);
  // The forecast starts where history ends, so the two lines join.
  const lastHist = [...hist].reverse().find((p) => !Number.isNaN(p[1]));
  const fcPath = fc.length > 0 ? path(lastHist ? [lastHist, ...fc] : fc) : null;
  const desc = o.description ?? defaultDescription(o, fmt);
  const nowX = x(new Date(seriesEnd(o.history)));
  const grid = yTicks
    .map(
      (t) =>
        `<g transform="translate(0,${y(t).toFixed(1)})"><line x1="${MARGIN.left}" x2="${width - MARGIN.right}" stroke="currentColor" stroke-opacity="0.12"/><text x="${MARGIN.left - 6}" dy="0.32em" text-anchor="end">${escapeXml(o.yFormat ? fmt(t) : yTickFormat(t))}</text></g>`,
    )
    .join("");
  const xAxis = xTicks
    .map(
      (t) =>
        `<g transform="translate(${x(t).toFixed(1)},${height - MARGIN.bottom})"><line y2="5" stroke="currentColor" stroke-opacity="0.5"/><text y="17" text-anchor="middle">${escapeXml(xFormat(t))}</text></g>`,
    )
    .join("");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="${FONT}" font-size="11" fill="currentColor">`,
    `<title id="${id}-title">${escapeXml(o.title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(desc)}</desc>`,
    `<text class="chart-title" x="${MARGIN.left}" y="18" font-size="13" font-weight="600">${escapeXml(o.title)}</text>`,
    legend(o, width, twoRows ? 32 : 14),
    `<g class="y-axis">${grid}</g>`,
    o.yLabel
      ? `<text class="y-label" transform="translate(12,${(top + plotH / 2).toFixed(1)}) rotate(-90)" text-anchor="middle" fill-opacity="0.75">${escapeXml(o.yLabel)}</text>`
      : "",
    `<g class="x-axis"><line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${height - MARGIN.bottom}" y2="${height - MARGIN.bottom}" stroke="currentColor" stroke-opacity="0.5"/>${xAxis}</g>`,
    fc.length > 0
      ? `<line class="now" x1="${nowX.toFixed(1)}" x2="${nowX.toFixed(1)}" y1="${top}" y2="${height - MARGIN.bottom}" stroke="currentColor" stroke-opacity="0.35" stroke-dasharray="1 3"/>`
      : "",
    o.threshold
      ? `<line class="threshold" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y(o.threshold.value).toFixed(1)}" y2="${y(o.threshold.value).toFixed(1)}" style="stroke:${THRESHOLD}" stroke-width="1.5" stroke-dasharray="2 3"/>`
      : "",
    `<path class="history" d="${path(hist) ?? ""}" fill="none" style="stroke:${HISTORY}" stroke-width="1.75" stroke-linejoin="round" stroke-linecap="round"/>`,
    fcPath
      ? `<path class="forecast" d="${fcPath}" fill="none" style="stroke:${FORECAST}" stroke-width="1.75" stroke-dasharray="6 4" stroke-linejoin="round"/>`
      : "",
    `</svg>`,
  ];
  return parts.filter(Boolean).join("");
}

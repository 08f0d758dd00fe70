/** `day2 cost capacity` output: per pool forecasts and headroom crossings; html with SVG charts. */
import type { MetricForecast, PoolForecast } from "../forecast.js";
import { describeCrossing } from "../forecast.js";
import { lineChartSvg } from "../chart.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import { API_VERSION, docWriters, partialLines, sourceText, textHead, type DocHeader } from "./format.js";
import { escapeHtml, htmlSection, pageHtml, tableHtml } from "./html.js";

export interface CapacityMetric {
  metric: string;
  label: string;
  unit: string;
  now: number | null;
  threshold: number;
  crossing: { status: string; at?: string; text: string };
  method: string;
  explanation: string;
  historyDays: number;
  historyPoints: number;
  trendPerDay: number;
}

export interface CapacityPool {
  pool: string;
  allocatable: { cpu: number; memory: number; pods: number };
  metrics: CapacityMetric[];
}

export interface CapacityDoc extends DocHeader {
  apiVersion: string;
  kind: "CapacityForecast";
  headroom: number;
  horizonDays: number;
  requestsFrom: string;
  usageFrom: string;
  pools: CapacityPool[];
}

function lastValue(v: Float64Array): number | null {
  for (let i = v.length - 1; i >= 0; i--) if (!Number.isNaN(v[i]!)) return v[i]!;
  return null;
}

function metricDoc(m: MetricForecast, horizonDays: number): CapacityMetric {
  const c = m.crossing;
  return {
    metric: m.metric,
    label: m.label,
    unit: m.unit,
    now: lastValue(m.history.values),
    threshold: m.threshold,
    crossing: {
      status: c.status,
      ...(c.status === "not-within-horizon" ? {} : { at: c.at.toISOString() }),
      text: describeCrossing(c, horizonDays),
    },
    method: m.forecast.method,
    explanation: m.forecast.explanation,
    historyDays: Number(m.forecast.historyDays.toFixed(2)),
    historyPoints: m.forecast.historyPoints,
    trendPerDay: m.forecast.trendPerDay,
  };
}

export function capacityDoc(
  forecasts: readonly (PoolForecast & { allocatable: CapacityPool["allocatable"] })[],
  base: Omit<CapacityDoc, "apiVersion" | "kind" | "pools">,
): CapacityDoc {
  return {
    apiVersion: API_VERSION,
    kind: "CapacityForecast",
    ...base,
    pools: forecasts.map((f) => ({
      pool: f.pool,
      allocatable: f.allocatable,
      metrics: f.metrics.map((m) => metricDoc(m, f.horizonDays)),
    })),
  };
}

export const { json: capacityJson, yaml: capacityYaml } = docWriters<CapacityDoc>();

export function formatValue(unit: string, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "-";
  if (unit === "bytes") return `${Number((v / 2 ** 30).toFixed(1))}Gi`;
  if (unit === "cores") return `${Number(v.toFixed(v >= 100 ? 0 : 1))}`;
  return String(Math.round(v));
}

function trend(unit: string, perDay: number): string {
  if (!Number.isFinite(perDay)) return "-";
  const v = unit === "bytes" ? perDay / 2 ** 30 : perDay;
  const text = Math.abs(v).toFixed(unit === "pods" ? 1 : 2);
  if (Number(text) === 0) return "flat";
  return `${v < 0 ? "-" : "+"}${text}${unit === "bytes" ? "Gi" : ""}/d`;
}

function rows(d: CapacityDoc): string[][] {
  return d.pools.flatMap((p) =>
    p.metrics.map((m) => [
      p.pool,
      m.label,
      formatValue(m.unit, m.now),
      formatValue(m.unit, m.threshold),
      trend(m.unit, m.trendPerDay),
      m.crossing.text,
      m.method,
      `${Number(m.historyDays.toFixed(1))}d`,
    ]),
  );
}

const HEAD_PCT = (d: CapacityDoc): string[] => [
  "POOL",
  "METRIC",
  "NOW",
  `${Math.round(d.headroom * 100)}% OF ALLOC`,
  "TREND",
  "CROSSES",
  "METHOD",
  "HISTORY",
];

export function capacityTable(d: CapacityDoc, style: Style): string {
  const out = [
    ...textHead(
      style,
      `day2 cost capacity · ${sourceText(d, "history")}`,
      [`requests: ${d.requestsFrom}`, `usage: ${d.usageFrom}`],
      d,
    ),
    "",
    columns(HEAD_PCT(d), rows(d)),
    "",
    `headroom ${Math.round(d.headroom * 100)}% of allocatable; forecast ${d.horizonDays} days ahead. Methods: weekly seasonality from 14 days of history, daily from 2, else a linear trend.`,
  ];
  const methods = new Set(d.pools.flatMap((p) => p.metrics.map((m) => m.explanation)));
  for (const m of methods) out.push(style.dim(`method: ${m}`));
  return out.join("\n") + "\n";
}

export function capacityHtml(d: CapacityDoc, forecasts: readonly PoolForecast[]): string {
  const body: string[] = [
    `<p>requests: ${escapeHtml(d.requestsFrom)}<br>usage: ${escapeHtml(d.usageFrom)}</p>`,
    ...htmlSection("Forecasts", tableHtml(HEAD_PCT(d), rows(d), [2, 3, 4])),
  ];
  forecasts.forEach((f, pi) => {
    body.push(...htmlSection(`Pool ${f.pool}`, `<div class="charts">`));
    for (const m of f.metrics) {
      const svg = lineChartSvg({
        title: `${f.pool}: ${m.label}`,
        history: m.history,
        forecast: m.forecast,
        threshold: { value: m.threshold, label: `${Math.round(f.headroom * 100)}% of allocatable` },
        yFormat: (v) => formatValue(m.unit, v),
        yLabel: m.unit === "bytes" ? "GiB" : m.unit,
        id: `p${pi}-${m.metric}`,
      });
      body.push(
        `<figure class="chart">${svg}<figcaption class="muted">${escapeHtml(m.forecast.explanation)} · crosses: ${escapeHtml(describeCrossing(m.crossing, f.horizonDays))}</figcaption></figure>`,
      );
    }
    body.push("</div>");
  });
  return pageHtml({
    title: "day2 cost capacity",
    subtitle: `${sourceText(d, "history")} · headroom ${Math.round(d.headroom * 100)}% · ${d.horizonDays} days ahead`,
    partial: partialLines(d),
    body: body.join("\n"),
  });
}

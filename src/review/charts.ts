/** The monthly review's charts: SVG strings from src/cost/chart.ts (d3-scale, d3-shape). */
import { lineChartSvg } from "../cost/chart.js";
import type { MonthlyReview } from "./types.js";

export interface Chart {
  /** A file-name-safe name: "daily-cost". */
  name: string;
  title: string;
  svg: string;
}

const usd = (v: number): string => `$${v.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;

function series(
  start: string,
  values: readonly (number | null)[],
): { start: number; stepSeconds: number; values: Float64Array } {
  return {
    start: Date.parse(start),
    stepSeconds: 86_400,
    values: Float64Array.from(values, (v) => (v === null ? Number.NaN : v)),
  };
}

export function reviewCharts(doc: MonthlyReview): Chart[] {
  const charts: Chart[] = [];
  const c = doc.cost;
  if (c.perDay.some((d) => d.cost !== null)) {
    const title = `Daily cost ${doc.month}${c.forecast ? ` and forecast ${c.forecast.month}` : ""} (USD)`;
    charts.push({
      name: "daily-cost",
      title,
      svg: lineChartSvg({
        id: "daily-cost",
        title,
        history: series(
          doc.period.start,
          c.perDay.map((d) => d.cost),
        ),
        ...(c.forecast ? { forecast: series(doc.period.end, c.forecast.perDay) } : {}),
        yFormat: usd,
        yLabel: "USD/day",
      }),
    });
  }
  const title = `Incidents per day ${doc.month}`;
  charts.push({
    name: "incidents-per-day",
    title,
    svg: lineChartSvg({
      id: "incidents-per-day",
      title,
      history: series(
        doc.period.start,
        doc.incidents.perDay.map((d) => d.count),
      ),
      yFormat: (v) => String(Math.round(v)),
      yLabel: "incidents",
    }),
  });
  return charts;
}

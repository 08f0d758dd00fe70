/** A small line of a KPI's stored values (oldest first); gaps where there was no value. */
import { scaleLinear } from "d3-scale";
import { line } from "d3-shape";
import { formatTime, timeUnitFor } from "../charts/axes.js";

export interface SparkPoint {
  at: string;
  value: number | null;
}

export function Sparkline({
  points,
  label,
  width = 120,
  height = 32,
}: {
  points: SparkPoint[];
  label: string;
  width?: number;
  height?: number;
}) {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  // Stored runs without a value: the tile says "no data" and why; a line would say nothing.
  if (points.length >= 2 && values.length === 0) return null;
  if (values.length < 2)
    return (
      <span className="spark-empty" title="fewer than two stored values">
        not enough history
      </span>
    );
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = min === max ? Math.abs(min) * 0.1 || 1 : 0;
  const x = scaleLinear()
    .domain([0, points.length - 1])
    .range([2, width - 2]);
  const y = scaleLinear()
    .domain([min - pad, max + pad])
    .range([height - 3, 3]);
  const path =
    line<SparkPoint>()
      .defined((p) => p.value !== null)
      .x((_p, i) => x(i))
      .y((p) => y(p.value ?? 0))(points) ?? "";
  const lastIndex = points.map((p) => p.value !== null).lastIndexOf(true);
  const last = points[lastIndex]!;
  // No axes: the span goes in the tooltip, in the charts' time format.
  const from = Date.parse(points[0]!.at);
  const to = Date.parse(points[points.length - 1]!.at);
  const unit = timeUnitFor(to - from);
  const title = `${label} (${formatTime(from, unit)} – ${formatTime(to, unit)})`;
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={title}
    >
      <title>{title}</title>
      <path
        className="spark-line"
        d={path}
        fill="none"
        stroke="currentColor"
        strokeWidth={1.5}
        strokeLinejoin="round"
        strokeLinecap="round"
      />
      <circle cx={x(lastIndex)} cy={y(last.value ?? 0)} r={2.5} fill="currentColor" />
    </svg>
  );
}

/**
 * A time chart in SVG with d3-scale and d3-shape (as the cost reports' charts): a history
 * line, a dashed forecast line with its low-high band, axes with ticks, and a legend. It
 * scales with its container (viewBox); text and axes use currentColor, so it follows the theme.
 */
import { scaleLinear, scaleUtc } from "d3-scale";
import { area, line } from "d3-shape";

export interface TimePoint {
  t: number;
  v: number;
}
export interface BandPoint {
  t: number;
  v: number;
  low: number;
  high: number;
}

interface Props {
  title: string;
  history: TimePoint[];
  forecast?: BandPoint[];
  format: (v: number) => string;
  width?: number;
  height?: number;
}

const M = { top: 12, right: 16, bottom: 28, left: 64 };

export function LineChart({ title, history, forecast = [], format, width = 720, height = 260 }: Props) {
  const all = [...history.map((p) => p.t), ...forecast.map((p) => p.t)];
  if (all.length < 2) return <p className="muted">Not enough history for a chart yet.</p>;
  const values = [...history.map((p) => p.v), ...forecast.flatMap((p) => [p.low, p.high, p.v])];
  const x = scaleUtc()
    .domain([new Date(Math.min(...all)), new Date(Math.max(...all))])
    .range([M.left, width - M.right]);
  const y = scaleLinear()
    .domain([Math.min(0, ...values), Math.max(...values) * 1.05 || 1])
    .nice()
    .range([height - M.bottom, M.top]);
  const histPath = line<TimePoint>()
    .x((p) => x(p.t))
    .y((p) => y(p.v))(history);
  // The forecast starts where history ends, so the two lines join.
  const lastHist = history[history.length - 1];
  const fc = lastHist
    ? [{ t: lastHist.t, v: lastHist.v, low: lastHist.v, high: lastHist.v }, ...forecast]
    : forecast;
  const fcPath = line<BandPoint>()
    .x((p) => x(p.t))
    .y((p) => y(p.v))(fc);
  const band = area<BandPoint>()
    .x((p) => x(p.t))
    .y0((p) => y(p.low))
    .y1((p) => y(p.high))(fc);
  const xTicks = x.ticks(width < 500 ? 4 : 6);
  // Within two days the hours tell the points apart; beyond, the dates.
  const short = Math.max(...all) - Math.min(...all) < 2 * 86_400_000;
  const tickText = (t: Date) =>
    short
      ? t.toLocaleTimeString("en-US", { hour: "2-digit", minute: "2-digit", hour12: false })
      : t.toLocaleDateString("en-US", { month: "short", day: "numeric" });
  const yTicks = y.ticks(5);
  const desc =
    `${title}: ${history.length} stored values` +
    (lastHist ? `, latest ${format(lastHist.v)}` : "") +
    (forecast.length ? `; forecast to ${format(forecast[forecast.length - 1]!.v)}` : "");
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={desc}>
        <title>{desc}</title>
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={M.left} x2={width - M.right} y1={y(t)} y2={y(t)} className="grid" />
            <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className="tick">
              {format(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text key={`x${t.getTime()}`} x={x(t)} y={height - 8} textAnchor="middle" className="tick">
            {tickText(t)}
          </text>
        ))}
        {forecast.length ? <path d={band ?? ""} className="band" /> : null}
        {forecast.length ? <path d={fcPath ?? ""} className="line-forecast" fill="none" /> : null}
        <path d={histPath ?? ""} className="line-history" fill="none" />
      </svg>
      <figcaption className="legend">
        <span className="key key-history">history</span>
        {forecast.length ? (
          <>
            <span className="key key-forecast">forecast</span>
            <span className="key key-band">low–high range</span>
          </>
        ) : null}
      </figcaption>
    </figure>
  );
}

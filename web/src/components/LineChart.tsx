/**
 * A time chart in SVG with d3-scale and d3-shape (as the cost reports' charts): a history
 * line, a dashed forecast line with its low-high band (labelled at its end), a "now" marker
 * between them, axes with ticks, and a legend. It is drawn at its container's pixel width, so
 * tick text stays readable on a phone; text and axes use currentColor and follow the theme.
 */
import { useLayoutEffect, useState } from "react";
import { scaleLinear, scaleTime } from "d3-scale";
import { area, line } from "d3-shape";
import { formatTime, timeTicks, valueDomain } from "../charts/axes.js";

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
  /** The largest value the axis may show (a score's 100). */
  cap?: number;
  height?: number;
  /** What the history line is called in the legend. */
  historyLabel?: string;
}

const M = { top: 14, bottom: 28, left: 60 };

/**
 * The container's width in px (720 until measured, and in tests without layout). A callback
 * ref: the figure appears only once there is data, after the first render.
 */
function useWidth(): [(el: HTMLElement | null) => void, number] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [width, setWidth] = useState(720);
  useLayoutEffect(() => {
    if (!el || typeof ResizeObserver === "undefined") return;
    const measure = () => {
      // The figure's padding (0.5rem each side) is not the chart's.
      const w = Math.floor(el.clientWidth - 16);
      if (w > 0) setWidth((old) => (Math.abs(old - w) > 1 ? w : old));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [setEl, width];
}

export function LineChart({
  title,
  history,
  forecast = [],
  format,
  cap,
  height = 260,
  historyLabel = "history",
}: Props) {
  const [ref, width] = useWidth();
  const all = [...history.map((p) => p.t), ...forecast.map((p) => p.t)];
  if (all.length < 2 || Math.min(...all) === Math.max(...all))
    return <p className="muted">Not enough history for a chart yet.</p>;
  const narrow = width < 500;
  // Room on the right for the band's end labels.
  const right = forecast.length ? (narrow ? 52 : 64) : 16;
  const x = scaleTime()
    .domain([new Date(Math.min(...all)), new Date(Math.max(...all))])
    .range([M.left, width - right]);
  const values = [...history.map((p) => p.v), ...forecast.flatMap((p) => [p.low, p.high, p.v])];
  const y = scaleLinear()
    .domain(valueDomain(values, cap))
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
  const xt = timeTicks(Math.min(...all), Math.max(...all), narrow ? 3 : 6);
  const yTicks = y.ticks(narrow ? 4 : 5);
  const end = forecast[forecast.length - 1];
  // The band's end labels, pushed apart when the band is too narrow for both.
  let [yHigh, yLow] = end ? [y(end.high), y(end.low)] : [0, 0];
  if (yLow - yHigh < 13) [yHigh, yLow] = [(yHigh + yLow) / 2 - 6.5, (yHigh + yLow) / 2 + 6.5];
  const desc =
    `${title}: ${history.length} stored values` +
    (history.length
      ? ` from ${formatTime(history[0]!.t, xt.unit)} to ${formatTime(lastHist!.t, xt.unit)}, latest ${format(lastHist!.v)}`
      : "") +
    (end
      ? `; forecast to ${formatTime(end.t, xt.unit)}: ${format(end.v)} (likely between ${format(end.low)} and ${format(end.high)})`
      : "");
  return (
    <figure className="chart" ref={ref}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={desc}>
        <title>{desc}</title>
        <g className="y-axis">
          {yTicks.map((t) => (
            <g key={`y${t}`}>
              <line x1={M.left} x2={width - right} y1={y(t)} y2={y(t)} className="grid" />
              <text x={M.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className="tick">
                {format(t)}
              </text>
            </g>
          ))}
        </g>
        <g className="x-axis">
          {xt.ticks.map((t, i) => (
            <text
              key={`x${t.getTime()}`}
              x={x(t)}
              y={height - 8}
              textAnchor={i === 0 && x(t) < M.left + 24 ? "start" : "middle"}
              className="tick"
            >
              {xt.labels[i]}
            </text>
          ))}
        </g>
        {forecast.length && lastHist ? (
          <g className="now-marker">
            <line x1={x(lastHist.t)} x2={x(lastHist.t)} y1={M.top} y2={height - M.bottom} />
            <text x={x(lastHist.t) - 4} y={M.top + 2} dy="0.7em" textAnchor="end" className="tick">
              now
            </text>
          </g>
        ) : null}
        {forecast.length ? <path d={band ?? ""} className="band" data-series="band" /> : null}
        {forecast.length ? (
          <path d={fcPath ?? ""} className="line-forecast" fill="none" data-series="forecast" />
        ) : null}
        <path d={histPath ?? ""} className="line-history" fill="none" data-series="history" />
        {end ? (
          <g className="band-labels" aria-hidden="true">
            <text x={x(end.t) + 4} y={yHigh} dy="0.32em" className="tick band-label">
              {format(end.high)}
            </text>
            <text x={x(end.t) + 4} y={yLow} dy="0.32em" className="tick band-label">
              {format(end.low)}
            </text>
          </g>
        ) : null}
      </svg>
      <figcaption className="legend">
        <span className="key key-history">{historyLabel}</span>
        {forecast.length ? (
          <>
            <span className="key key-forecast">forecast</span>
            <span className="key key-band">likely range (low–high)</span>
          </>
        ) : null}
      </figcaption>
    </figure>
  );
}

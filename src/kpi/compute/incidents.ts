/**
 * KPIs from incident history: MTTR, MTBF, security incidents, and uptime's fallback (1 - P0
 * outage time / window). Pure: incidents and a window in, measurements out. `history`
 * undefined means there is no incident store, which is "no data", never 0.
 */
import { downtimeMs, figureSet, mtbf } from "../../incident/figures.js";
import type { FigureWindow } from "../../incident/figures.js";
import type { Incident } from "../../incident/types.js";
import type { Measurement } from "../types.js";
import { measured, noData } from "../types.js";

export const NO_STORE = "no data: no incident store (--server or --db)";

export interface IncidentHistory {
  incidents: readonly Incident[];
  window: FigureWindow;
  /** Where they came from, e.g. "day2.db" or "http://127.0.0.1:8080". */
  source?: string;
}

const MIN = 60_000;
const HOUR = 3_600_000;

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export function isSecurityIncident(i: Incident): boolean {
  return (i.labels.category ?? "").toLowerCase() === "security";
}

export function mttrKpi(h: IncidentHistory | undefined): Measurement {
  if (!h) return noData("min", NO_STORE);
  const f = figureSet(h.incidents, h.window);
  if (!f.mttr.ok) return noData("min", `no data: ${f.mttr.reason}`, { incidents: f.incidents, open: f.open });
  return measured(
    round(f.mttr.meanMs / MIN),
    "min",
    { resolved: f.mttr.count, open: f.open, p90Min: round(f.mttr.p90Ms / MIN) },
    "incident history",
  );
}

/**
 * MTBF: window uptime / the P0+P1 incidents in the window (the handbook's window / count, less
 * their downtime). One failure gives a value; none gives the window itself as a lower bound
 * (detail.lowerBound: true): MTBF is at least that long, met when the window alone meets the
 * target, and the reason says so.
 */
export function mtbfKpi(h: IncidentHistory | undefined): Measurement {
  if (!h) return noData("h", NO_STORE);
  const major = h.incidents.filter((i) => i.priority === "P0" || i.priority === "P1");
  const f = mtbf(major, h.window);
  const detail = {
    failures: f.failures,
    windowH: round(f.windowMs / HOUR),
    downtimeH: round(f.downtimeMs / HOUR),
  };
  if (!(f.windowMs > 0)) return noData("h", "no data: empty window", detail);
  if (f.failures === 0)
    return {
      ...measured(round(f.windowMs / HOUR), "h", { ...detail, lowerBound: true }, "incident history"),
      reason: `no P0/P1 incident in the ${round(f.windowMs / HOUR)} h window: MTBF is at least the window`,
    };
  return measured(round(f.uptimeMs / f.failures / HOUR), "h", detail, "incident history");
}

export function securityIncidentsKpi(h: IncidentHistory | undefined): Measurement {
  if (!h) return noData("incidents", NO_STORE);
  const inWindow = h.incidents.filter((i) => i.createdAt >= h.window.from && i.createdAt < h.window.to);
  const security = inWindow.filter(isSecurityIncident);
  return measured(
    security.length,
    "incidents",
    { incidents: inWindow.length, open: security.filter((i) => i.resolvedAt === undefined).length },
    "incident history",
  );
}

/** Uptime from incident history: 1 - (union of P0 incident time) / window, in %. */
export function uptimeFromIncidents(h: IncidentHistory | undefined): Measurement {
  if (!h) return noData("%", NO_STORE);
  const windowMs = h.window.to - h.window.from;
  if (!(windowMs > 0)) return noData("%", "no data: empty window");
  const down = downtimeMs(
    h.incidents.filter((i) => i.priority === "P0"),
    h.window,
  );
  return measured(
    round((1 - down / windowMs) * 100, 4),
    "%",
    { p0DowntimeMin: round(down / MIN), windowH: round(windowMs / HOUR) },
    "incident history (P0 outage time)",
  );
}

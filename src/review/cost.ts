/**
 * The cost review of a monthly review: what the month cost per day (the spending trend), the
 * costliest namespaces and their change against the month before, the optimisation
 * opportunities in dollars (quick wins, waste, right-sizing) and a forecast of next month.
 * Pure: the figures src/cost computed in, plain data out.
 *
 * Change: (this month - last month) / last month, null when last month cost nothing or is
 * unknown. Trend: the mean daily cost of the month's last 7 days against its first 7 days.
 * Forecast: src/cost/forecast.ts over the daily costs (weekly seasonality when there are two
 * whole weeks), summed over next month's days; days without a cost are not forecast from.
 */
import { forecastSeries } from "../cost/forecast.js";
import type { Month } from "./month.js";

export interface CostSectionInput {
  month: Month;
  nextMonth: Month;
  /** USD per day of the month, NaN where unknown. */
  daily: readonly number[];
  /** USD per namespace over the month and over the month before (absent: unknown). */
  namespaces: readonly { name: string; cost: number; previous?: number }[];
  quickWins: readonly { title: string; category: string; monthly: number }[];
  waste: readonly { kind: string; monthly: number }[];
  rightsizing: readonly { namespace: string; workload: string; monthly: number }[];
  /** Why a part is missing (no usage history, ...). */
  notes?: readonly string[];
  top?: number;
}

export interface NamespaceChange {
  name: string;
  cost: number;
  previous: number | null;
  change: number | null;
  changePct: number | null;
}

export interface CostSection {
  total: number;
  perDay: { day: string; cost: number | null }[];
  averageDaily: number | null;
  /** Mean of the last 7 days against the first 7, in %. */
  trendPct: number | null;
  namespaces: NamespaceChange[];
  opportunities: {
    totalMonthly: number;
    quickWins: {
      count: number;
      monthly: number;
      top: { title: string; category: string; monthly: number }[];
    };
    waste: { count: number; monthly: number; byKind: { kind: string; count: number; monthly: number }[] };
    rightsizing: {
      count: number;
      monthly: number;
      top: { namespace: string; workload: string; monthly: number }[];
    };
  };
  forecast: { month: string; total: number; method: string; explanation: string; perDay: number[] } | null;
  notes: string[];
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

function mean(xs: readonly number[]): number | null {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length ? sum(ok) / ok.length : null;
}

function trendPct(daily: readonly number[]): number | null {
  if (daily.length < 14) return null;
  const first = mean(daily.slice(0, 7));
  const last = mean(daily.slice(-7));
  return first === null || last === null || first <= 0 ? null : round2(((last - first) / first) * 100);
}

function forecastOf(i: CostSectionInput): CostSection["forecast"] {
  const known = i.daily.filter((x) => Number.isFinite(x)).length;
  if (known < 7) return null;
  const f = forecastSeries(
    { start: i.month.start, stepSeconds: 86_400, values: Float64Array.from(i.daily) },
    i.nextMonth.days,
  );
  if (f.method === "none") return null;
  const perDay = [...f.values].map((v) => round2(Math.max(0, v)));
  return {
    month: i.nextMonth.label,
    total: round2(sum(perDay)),
    method: f.method,
    explanation: f.explanation,
    perDay,
  };
}

function byKind(waste: CostSectionInput["waste"]): { kind: string; count: number; monthly: number }[] {
  const m = new Map<string, { count: number; monthly: number }>();
  for (const w of waste) {
    const e = m.get(w.kind) ?? { count: 0, monthly: 0 };
    e.count++;
    e.monthly += w.monthly;
    m.set(w.kind, e);
  }
  return [...m]
    .map(([kind, e]) => ({ kind, count: e.count, monthly: round2(e.monthly) }))
    .sort((a, b) => b.monthly - a.monthly || a.kind.localeCompare(b.kind));
}

export function buildCostSection(i: CostSectionInput): CostSection {
  const top = i.top ?? 10;
  const perDay = i.daily.map((c, d) => ({
    day: new Date(i.month.start + d * 86_400_000).toISOString().slice(0, 10),
    cost: Number.isFinite(c) ? round2(c) : null,
  }));
  const namespaces = [...i.namespaces]
    .sort((a, b) => b.cost - a.cost || a.name.localeCompare(b.name))
    .slice(0, top)
    .map((n) => {
      const previous = n.previous === undefined ? null : round2(n.previous);
      const change = previous === null ? null : round2(n.cost - previous);
      return {
        name: n.name,
        cost: round2(n.cost),
        previous,
        change,
        changePct: previous === null || previous <= 0 ? null : round2(((n.cost - previous) / previous) * 100),
      };
    });
  const wins = [...i.quickWins].sort((a, b) => b.monthly - a.monthly);
  const savings = i.rightsizing.filter((r) => r.monthly > 0).sort((a, b) => b.monthly - a.monthly);
  const qwMonthly = round2(sum(wins.map((w) => w.monthly)));
  const wasteMonthly = round2(sum(i.waste.map((w) => w.monthly)));
  const rsMonthly = round2(sum(savings.map((r) => r.monthly)));
  const avg = mean(i.daily);
  return {
    total: round2(sum(i.daily.filter((x) => Number.isFinite(x)))),
    perDay,
    averageDaily: avg === null ? null : round2(avg),
    trendPct: trendPct(i.daily),
    namespaces,
    opportunities: {
      // Quick wins already include waste and right-sizing of far-overprovisioned workloads: the
      // total is the quick wins', the other two are views of where the money is.
      totalMonthly: qwMonthly,
      quickWins: {
        count: wins.length,
        monthly: qwMonthly,
        top: wins
          .slice(0, 5)
          .map((w) => ({ title: w.title, category: w.category, monthly: round2(w.monthly) })),
      },
      waste: { count: i.waste.length, monthly: wasteMonthly, byKind: byKind(i.waste) },
      rightsizing: {
        count: savings.length,
        monthly: rsMonthly,
        top: savings
          .slice(0, 5)
          .map((r) => ({ namespace: r.namespace, workload: r.workload, monthly: round2(r.monthly) })),
      },
    },
    forecast: forecastOf(i),
    notes: [...(i.notes ?? [])],
  };
}

/**
 * The cost summary a collection stores and GET /api/v1/cost serves: allocation by namespace
 * and label, idle, overhead, and the savings (quick wins, which fold in waste and right-sizing)
 * as plain data. The history and forecast are added at read time from the stored runs.
 */
import type { AllocationResult } from "../cost/allocation.js";
import { forecastSeries } from "../cost/forecast.js";
import type { QuickWin, QuickWinCategory, QuickWinsResult } from "../cost/quick-wins.js";
import { idleOfAllocatable } from "../kpi/compute/cost.js";

export type SavingKind = "quick-win" | "waste" | "rightsize";

export interface CostSnapshot {
  currency: "USD";
  monthlyTotal: number;
  byNamespace: { name: string; monthly: number; idleMonthly: number }[];
  byLabel: { label: string; rows: { value: string; monthly: number }[] }[];
  idle: { monthly: number; pct: number };
  overhead: { monthly: number };
  savings: {
    monthlyTotal: number;
    items: { kind: SavingKind; target: string; monthly: number; action: string }[];
  };
}

const TOP_SAVINGS = 20;

const KIND: Record<QuickWinCategory, SavingKind> = {
  "unused-volume": "waste",
  "unused-load-balancer": "waste",
  "overprovisioned-requests": "rightsize",
  "missing-hpa": "quick-win",
  spot: "quick-win",
  "committed-use": "quick-win",
  "storage-class": "quick-win",
  "quota-limitrange": "quick-win",
};

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function targetOf(w: QuickWin): string {
  const o = w.objects[0];
  if (!o) return w.title;
  const name = `${o.kind}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
  return w.objects.length > 1 ? `${name} (+${w.objects.length - 1})` : name;
}

export function costSnapshot(a: AllocationResult, wins: QuickWinsResult): CostSnapshot {
  const perMonth = a.window.hours > 0 ? 730 / a.window.hours : 0;
  const total = a.cluster.monthly;
  const idle = Math.max(0, a.idle.monthly);
  return {
    currency: "USD",
    monthlyTotal: round(total),
    byNamespace: [...a.namespaces]
      .sort((x, y) => y.monthly - x.monthly)
      .map((n) => ({
        name: n.name,
        monthly: round(n.monthly),
        idleMonthly: round(n.workloadIdle * perMonth),
      })),
    byLabel: Object.entries(a.labels).map(([label, groups]) => ({
      label,
      rows: [...groups]
        .sort((x, y) => y.monthly - x.monthly)
        .map((g) => ({ value: g.name, monthly: round(g.monthly) })),
    })),
    // The idle % of the handbook and the Idle resource KPI: idle / allocatable node cost (not / total).
    idle: { monthly: round(idle), pct: idleOfAllocatable(a) ?? 0 },
    overhead: { monthly: round(a.overhead.monthly) },
    savings: {
      monthlyTotal: round(wins.monthly),
      items: [...wins.wins]
        .filter((w) => w.monthly > 0)
        .sort((x, y) => y.monthly - x.monthly)
        .slice(0, TOP_SAVINGS)
        .map((w) => ({
          kind: KIND[w.category],
          target: targetOf(w),
          monthly: round(w.monthly),
          action: w.action,
        })),
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * The monthly cost for the next `days` days from the stored history: one point per day (the
 * day's mean), forecast by src/cost/forecast.ts, with a band of two residual RMS. Empty with
 * fewer than two days of history: no forecast rather than a made-up line.
 */
export function costForecast(
  history: readonly { at: number; monthly: number }[],
  days = 30,
): { at: number; monthly: number; low: number; high: number }[] {
  if (!history.length) return [];
  const first = Math.floor(history[0]!.at / DAY_MS);
  const last = Math.floor(history.at(-1)!.at / DAY_MS);
  if (last - first < 1) return [];
  const sum = new Float64Array(last - first + 1);
  const count = new Float64Array(last - first + 1);
  for (const h of history) {
    const i = Math.floor(h.at / DAY_MS) - first;
    sum[i]! += h.monthly;
    count[i]! += 1;
  }
  const values = sum.map((s, i) => (count[i]! > 0 ? s / count[i]! : Number.NaN));
  const f = forecastSeries({ start: first * DAY_MS, stepSeconds: 86_400, values }, days);
  if (f.method === "none") return [];
  const band = 2 * f.residualRms;
  return [...f.values].map((v, i) => ({
    at: f.start + i * DAY_MS,
    monthly: round(Math.max(0, v)),
    low: round(Math.max(0, v - band)),
    high: round(Math.max(0, v + band)),
  }));
}

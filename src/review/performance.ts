/**
 * The performance analysis of a monthly review: SLO attainment (the uptime KPI over the month
 * against its target, and the error budget that leaves), the latency KPIs, the worst
 * bottlenecks the data shows (containers whose usage runs furthest above their requests:
 * throttled CPU, memory at risk of OOM) and the planned improvements (open action items,
 * request increases). Pure.
 *
 * Error budget over the month: allowed = (100 - target) % of the month's minutes; spent =
 * (100 - uptime) % of them; remaining = allowed - spent (not below 0).
 */
import type { KpiResult } from "../kpi/types.js";
import type { ActionItemRow } from "./incidents.js";
import type { Month } from "./month.js";

export interface Bottleneck {
  namespace: string;
  workload: string;
  container: string;
  resource: "cpu" | "memory";
  /** Millicores or bytes. */
  request: number;
  recommended: number;
  /** (recommended - request) / request, in %. */
  overPct: number;
}

export interface PerformanceSectionInput {
  month: Month;
  uptime: KpiResult | undefined;
  latency: readonly KpiResult[];
  /** Request increases from right-sizing (recommended above the current request). */
  increases: readonly Bottleneck[];
  openActionItems: readonly ActionItemRow[];
  top?: number;
}

export interface KpiLine {
  id: string;
  name: string;
  value: number | null;
  unit: string;
  target: string;
  status: string;
  reason: string | null;
}

export interface PerformanceSection {
  slo: {
    targetPct: number | null;
    uptimePct: number | null;
    attained: boolean | null;
    source: string | null;
    reason: string | null;
    errorBudget: { allowedMin: number; spentMin: number; remainingMin: number; spentPct: number } | null;
  };
  latency: KpiLine[];
  bottlenecks: Bottleneck[];
  planned: { actionItems: ActionItemRow[]; increases: Bottleneck[] };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

function line(k: KpiResult): KpiLine {
  return {
    id: k.id,
    name: k.name,
    value: k.value,
    unit: k.unit,
    target: k.targetText,
    status: k.status,
    reason: k.reason,
  };
}

export function errorBudget(
  targetPct: number,
  uptimePct: number,
  minutes: number,
): PerformanceSection["slo"]["errorBudget"] {
  const allowed = ((100 - targetPct) / 100) * minutes;
  const spent = ((100 - uptimePct) / 100) * minutes;
  return {
    allowedMin: round2(allowed),
    spentMin: round2(spent),
    remainingMin: round2(Math.max(0, allowed - spent)),
    spentPct: allowed > 0 ? round2((spent / allowed) * 100) : spent > 0 ? Infinity : 0,
  };
}

function slo(i: PerformanceSectionInput): PerformanceSection["slo"] {
  const u = i.uptime;
  const targetPct = u && u.target.kind === "min" ? u.target.value : null;
  if (!u || u.value === null || targetPct === null)
    return {
      targetPct,
      uptimePct: null,
      attained: null,
      source: u?.source ?? null,
      reason: u?.reason ?? "uptime not measured",
      errorBudget: null,
    };
  return {
    targetPct,
    uptimePct: u.value,
    attained: u.value >= targetPct,
    source: u.source,
    reason: null,
    errorBudget: errorBudget(targetPct, u.value, (i.month.end - i.month.start) / 60_000),
  };
}

export function buildPerformanceSection(i: PerformanceSectionInput): PerformanceSection {
  const top = i.top ?? 5;
  const worst = [...i.increases].filter((b) => b.overPct > 0).sort((a, b) => b.overPct - a.overPct);
  return {
    slo: slo(i),
    latency: i.latency.map(line),
    bottlenecks: worst.slice(0, top),
    planned: {
      actionItems: i.openActionItems.filter((a) => a.state !== "done"),
      increases: worst.slice(0, top * 2),
    },
  };
}

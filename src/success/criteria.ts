/**
 * The handbook's "excelling at Day 2" list, judged: four criteria from the KPIs (src/kpi) and
 * three only a person can judge, as tracked sign-offs (stored with the rhythm sign-offs, see
 * signoffs.ts). Pure: KPI results and sign-offs in, one row per criterion out.
 *
 * Combining the KPIs of a criterion (each KPI's own status comes from src/kpi/status.ts):
 * - KPIs without data are left out and named in the evidence; none with data -> no-data.
 * - any KPI missed -> missed; else any at risk -> at-risk; else met.
 * - for the criteria about direction (costs trending down, performance improving) only KPIs
 *   with a trend count: a KPI without one (no previous value) is left out and named, and when
 *   none has a trend the criterion is no-data ("no previous value (give --previous, or a store
 *   with KPI history)"): today's status alone cannot say that anything is improving. A KPI that
 *   meets its target but whose trend went the wrong way counts as at risk: met today, not
 *   improving.
 * A sign-off criterion is signed when its latest sign-off is at most a quarter (91 days) old,
 * else open (a stale sign-off is still returned, so the reader sees who signed it last).
 */
import { NO_PREVIOUS, trendIsBetter } from "../kpi/status.js";
import type { KpiResult, KpiStatus } from "../kpi/types.js";
import { SUCCESS_SIGNOFF_ITEMS } from "./items.js";

export interface SuccessCriterion {
  id: string;
  title: string;
  judgedBy: "kpi" | "signoff";
  status: "met" | "at-risk" | "missed" | "no-data" | "open" | "signed";
  /** One sentence with the figures behind the status. */
  evidence: string;
  /** The KPI ids the criterion is judged from (empty for sign-offs). */
  kpis: string[];
  /** The latest sign-off (a stale one too), for sign-off criteria. */
  signoff: { by: string; at: string; note: string | null } | null;
}

export interface SuccessSignoff {
  itemId: string;
  by: string;
  /** ISO 8601. */
  at: string;
  note: string | null;
}

/** How long a sign-off counts: a quarter of 13 weeks. */
export const SIGNOFF_VALID_MS = 91 * 86_400_000;

interface KpiCriterionDef {
  readonly id: string;
  readonly title: string;
  readonly kpis: readonly string[];
  /** Judge the trend too (a met KPI moving the wrong way is at risk). */
  readonly trend: boolean;
}

export const KPI_CRITERIA: readonly KpiCriterionDef[] = [
  {
    id: "success.incidents",
    title: "Incidents are rare and quickly resolved",
    kpis: ["mtbf", "mttr", "security-incidents"],
    trend: false,
  },
  {
    id: "success.costs",
    title: "Costs are trending down",
    kpis: ["cost-per-request", "compute-cost-efficiency", "idle-resource-pct"],
    trend: true,
  },
  {
    id: "success.performance",
    title: "Performance is improving",
    kpis: ["p95-latency", "api-response-time", "pod-startup-time"],
    trend: true,
  },
  {
    id: "success.security",
    title: "Security posture is strong",
    kpis: ["critical-cves", "high-cves", "compliance-score"],
    trend: false,
  },
];

/** A KPI's status within a criterion: its own, demoted to at-risk when met but getting worse. */
export function kpiVerdict(k: KpiResult, judgeTrend: boolean): KpiStatus {
  if (!judgeTrend || k.status !== "met") return k.status;
  return trendIsBetter(k) === false ? "at-risk" : "met";
}

/** The combination rule: no data on all -> no-data; any missed -> missed; any at risk -> at-risk; else met. */
export function combine(verdicts: readonly KpiStatus[]): "met" | "at-risk" | "missed" | "no-data" {
  const judged = verdicts.filter((v) => v !== "no-data");
  if (judged.length === 0) return "no-data";
  if (judged.includes("missed")) return "missed";
  if (judged.includes("at-risk")) return "at-risk";
  return "met";
}

function num(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return Number(n.toFixed(digits)).toLocaleString("en-US", { maximumFractionDigits: digits });
}

function withUnit(n: number, unit: string): string {
  return unit === "%" ? `${num(n)}%` : `${num(n)} ${unit}`;
}

function trendPhrase(k: KpiResult): string {
  if (!k.trend) return "";
  if (k.trend.direction === "flat") return `, flat against ${withUnit(k.trend.previous, k.unit)}`;
  return `, ${k.trend.direction} from ${withUnit(k.trend.previous, k.unit)}`;
}

/** "MTTR 42 min (target < 60 min, missed)" or "MTBF no data (no incident store)". */
export function kpiPhrase(k: KpiResult, verdict: KpiStatus): string {
  if (k.value === null) return `${k.name} no data (${(k.reason ?? "no data").replace(/^no data: /, "")})`;
  const note = verdict !== k.status ? `${verdict}: ${k.status} but getting worse` : k.status;
  return `${k.name} ${withUnit(k.value, k.unit)} (target ${k.targetText}, ${note}${trendPhrase(k)})`;
}

function judgeKpiCriterion(def: KpiCriterionDef, byId: ReadonlyMap<string, KpiResult>): SuccessCriterion {
  const parts: string[] = [];
  const verdicts: KpiStatus[] = [];
  // The reason for a missing trend is said once: up front when no KPI has one, else per KPI.
  const trended = def.kpis.some((id) => byId.get(id)?.trend);
  for (const id of def.kpis) {
    const k = byId.get(id);
    if (!k) {
      parts.push(`${id} not measured`);
      verdicts.push("no-data");
      continue;
    }
    if (def.trend && k.value !== null && !k.trend) {
      verdicts.push("no-data");
      parts.push(`${k.name} ${withUnit(k.value, k.unit)} (no trend${trended ? `: ${NO_PREVIOUS}` : ""})`);
      continue;
    }
    const v = kpiVerdict(k, def.trend);
    verdicts.push(v);
    parts.push(kpiPhrase(k, v));
  }
  const status = combine(verdicts);
  const why = def.trend && !trended ? `${NO_PREVIOUS}: ` : "";
  return {
    id: def.id,
    title: def.title,
    judgedBy: "kpi",
    status,
    evidence: why + parts.join(", "),
    kpis: [...def.kpis],
    signoff: null,
  };
}

function latestSignoff(
  itemId: string,
  signoffs: readonly SuccessSignoff[],
): { s: SuccessSignoff; at: number } | undefined {
  let best: { s: SuccessSignoff; at: number } | undefined;
  for (const s of signoffs) {
    const at = Date.parse(s.at);
    if (s.itemId !== itemId || !Number.isFinite(at)) continue;
    if (!best || at > best.at) best = { s, at };
  }
  return best;
}

function judgeSignoff(
  item: (typeof SUCCESS_SIGNOFF_ITEMS)[number],
  signoffs: readonly SuccessSignoff[],
  now: number,
): SuccessCriterion {
  const last = latestSignoff(item.id, signoffs);
  const how = `day2 rhythm signoff ${item.id} --by NAME`;
  const base = { id: item.id, title: item.title, judgedBy: "signoff" as const, kpis: [] };
  if (!last) return { ...base, status: "open", evidence: `never signed off (${how})`, signoff: null };
  const signoff = { by: last.s.by, at: new Date(last.at).toISOString(), note: last.s.note };
  const day = signoff.at.slice(0, 10);
  const note = last.s.note ? `: ${last.s.note}` : "";
  if (now - last.at > SIGNOFF_VALID_MS)
    return {
      ...base,
      status: "open",
      evidence: `last signed off by ${signoff.by} on ${day}, more than a quarter ago${note} (${how})`,
      signoff,
    };
  return { ...base, status: "signed", evidence: `signed off by ${signoff.by} on ${day}${note}`, signoff };
}

/**
 * The success criteria in the handbook's order: the four judged from `kpis` (as `day2 kpi -o
 * json` prints them), then the three sign-offs, each from its latest entry in `signoffs`.
 */
export function judgeSuccess(
  kpis: readonly KpiResult[],
  signoffs: readonly { itemId: string; by: string; at: string; note: string | null }[],
  now: Date = new Date(),
): SuccessCriterion[] {
  const byId = new Map<string, KpiResult>(kpis.map((k) => [k.id, k]));
  return [
    ...KPI_CRITERIA.map((d) => judgeKpiCriterion(d, byId)),
    ...SUCCESS_SIGNOFF_ITEMS.map((i) => judgeSignoff(i, signoffs, now.getTime())),
  ];
}

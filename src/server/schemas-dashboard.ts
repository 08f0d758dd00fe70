/**
 * The dashboard API's shapes (GET /api/v1/overview, findings, scores, kpis, cost, rhythm), as
 * zod schemas: the routes validate queries with them, answers are serialized through them, the
 * OpenAPI document is generated from them, and the dashboard (web/) imports their `z.infer`
 * types with `import type`. Times in these answers are ISO 8601 strings.
 *
 * Severities are the scanner's own five (src/checks/types.ts): critical, high, medium, low and
 * info; finding counts carry all five.
 */
import { z } from "zod";
import { SEVERITIES } from "../checks/types.js";
import { CATEGORIES } from "../checks/types.js";
import { KPI_IDS } from "../kpi/types.js";
import { CADENCES } from "../rhythm/checklists.js";

/** ISO 8601 time, e.g. 2026-05-01T09:00:00.000Z. */
const isoTime = z.string().meta({ description: "ISO 8601 time" });

/** A query parameter that is an integer in [min, max]; garbage names the parameter (400). */
function intParam(min: number, max: number, fallback: number) {
  return z.coerce
    .number({ error: `expected an integer from ${min} to ${max}` })
    .int({ error: `expected an integer from ${min} to ${max}` })
    .min(min, { error: `expected an integer from ${min} to ${max}` })
    .max(max, { error: `expected an integer from ${min} to ${max}` })
    .default(fallback);
}

export const severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severity>;

/** Findings by severity: every one of the scanner's severities, 0 when none. */
export const severityCounts = z.object({
  critical: z.number().int(),
  high: z.number().int(),
  medium: z.number().int(),
  low: z.number().int(),
  info: z.number().int(),
});
export type SeverityCounts = z.infer<typeof severityCounts>;

// ---- KPIs ------------------------------------------------------------------------------------

export const kpiStatus = z.enum(["met", "at-risk", "missed", "no-data"]);

const kpiTarget = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("max"),
    value: z.number(),
    strict: z.boolean().optional(),
    atRisk: z.number().optional(),
  }),
  z.object({
    kind: z.literal("min"),
    value: z.number(),
    strict: z.boolean().optional(),
    atRisk: z.number().optional(),
  }),
  z.object({ kind: z.literal("range"), min: z.number(), max: z.number(), atRisk: z.number().optional() }),
  z.object({ kind: z.literal("trend"), direction: z.enum(["down", "up"]), atRisk: z.number().optional() }),
]);

/** One KPI as `day2 kpi -o json` prints it (src/kpi/types.ts KpiResult). */
export const kpiResult = z.object({
  id: z.enum(KPI_IDS),
  name: z.string(),
  family: z.enum(["incidents", "prometheus", "cluster", "cost", "security"]),
  definition: z.string(),
  value: z.number().nullable(),
  unit: z.string(),
  target: kpiTarget,
  targetText: z.string(),
  status: kpiStatus,
  reason: z.string().nullable(),
  trend: z
    .object({ previous: z.number(), delta: z.number(), direction: z.enum(["up", "down", "flat"]) })
    .nullable(),
  sources: z.array(z.string()),
  source: z.string().nullable(),
  detail: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
});

/** A KPI tile: the KPI plus its stored values, oldest first (up to 30 points). */
export const kpiTile = kpiResult.extend({
  history: z.array(z.object({ at: isoTime, value: z.number().nullable() })),
});
export type KpiTile = z.infer<typeof kpiTile>;

export const kpisPage = z.object({ items: z.array(kpiTile) });
export type KpisPage = z.infer<typeof kpisPage>;

export const kpiHistoryParams = z.object({ id: z.enum(KPI_IDS) });
export const daysQuery = z.object({ days: intParam(1, 3650, 30) });

export const kpiHistory = z.object({
  id: z.enum(KPI_IDS),
  items: z.array(z.object({ at: isoTime, value: z.number().nullable(), status: kpiStatus })),
});
export type KpiHistory = z.infer<typeof kpiHistory>;

// ---- Overview --------------------------------------------------------------------------------

/** One "excelling at Day 2" criterion (src/success/criteria.ts judgeSuccess). */
export const successCriterion = z.object({
  id: z.string(),
  title: z.string(),
  judgedBy: z.enum(["kpi", "signoff"]),
  status: z.enum(["met", "at-risk", "missed", "no-data", "open", "signed"]),
  evidence: z.string(),
  kpis: z.array(z.string()),
  signoff: z.object({ by: z.string(), at: isoTime, note: z.string().nullable() }).nullable(),
});
export type SuccessCriterion = z.infer<typeof successCriterion>;

export const overview = z.object({
  cluster: z
    .object({
      name: z.string(),
      source: z.string().meta({ description: "live, snapshot or demo" }),
      collectedAt: isoTime,
    })
    .nullable()
    .meta({ description: "the cluster of the latest successful collection; null before the first" }),
  lastCollection: z
    .object({ at: isoTime, durationMs: z.number(), ok: z.boolean(), error: z.string().nullable() })
    .nullable(),
  score: z
    .object({
      value: z.number().nullable().meta({ description: "0-100; null when nothing could be scored" }),
      coverage: z.number().nullable().meta({ description: "share of checks evaluated, 0-1" }),
    })
    .nullable(),
  findingCounts: severityCounts.meta({ description: "open findings by severity" }),
  openIncidents: z.object({
    total: z.number().int(),
    byPriority: z.object({
      P0: z.number().int(),
      P1: z.number().int(),
      P2: z.number().int(),
      P3: z.number().int(),
    }),
  }),
  kpis: z.array(kpiTile),
  success: z.array(successCriterion),
});
export type Overview = z.infer<typeof overview>;

// ---- Findings --------------------------------------------------------------------------------

export const findingStatus = z.enum(["open", "fixed", "all"]);
export const findingSort = z.enum(["severity", "rule", "namespace", "firstSeen", "lastSeen"]);

export const findingsQuery = z.object({
  severity: severity.optional(),
  namespace: z.string().min(1).optional(),
  rule: z.string().min(1).optional(),
  status: findingStatus.default("open"),
  sort: findingSort.default("severity"),
  order: z
    .enum(["asc", "desc"])
    .optional()
    .meta({ description: "default: desc for severity and times, else asc" }),
  limit: intParam(1, 1000, 100),
  offset: intParam(0, Number.MAX_SAFE_INTEGER, 0),
});
export type FindingsQuery = z.infer<typeof findingsQuery>;

export const findingRow = z.object({
  key: z.string().meta({ description: "stable across runs: rule|kind|namespace|name|container" }),
  ruleId: z.string(),
  title: z.string(),
  severity,
  category: z.enum(CATEGORIES),
  namespace: z.string().nullable().meta({ description: "null for cluster-scoped objects" }),
  kind: z.string(),
  name: z.string(),
  message: z.string(),
  runbook: z.string().nullable().meta({ description: "repository path or URL of the runbook" }),
  firstSeen: isoTime,
  lastSeen: isoTime,
  fixedAt: isoTime.nullable(),
});
export type FindingRow = z.infer<typeof findingRow>;

export const findingsPage = z.object({ items: z.array(findingRow), total: z.number().int() });
export type FindingsPage = z.infer<typeof findingsPage>;

export const findingGroupsQuery = z.object({
  by: z.enum(["namespace", "rule"]).default("namespace"),
  status: findingStatus.default("open"),
});

export const findingGroups = z.object({
  items: z.array(
    z.object({
      key: z.string().meta({ description: 'the namespace ("" for cluster-scoped) or the rule id' }),
      count: z.number().int(),
      bySeverity: severityCounts,
    }),
  ),
});
export type FindingGroups = z.infer<typeof findingGroups>;

// ---- Scores ----------------------------------------------------------------------------------

export const scoresPage = z.object({
  items: z.array(
    z.object({
      at: isoTime,
      score: z.number().nullable(),
      coverage: z.number().nullable(),
      counts: severityCounts,
    }),
  ),
});
export type ScoresPage = z.infer<typeof scoresPage>;

// ---- Cost ------------------------------------------------------------------------------------

export const costSavingKind = z.enum(["quick-win", "waste", "rightsize"]);

export const costSummary = z.object({
  at: isoTime,
  currency: z.literal("USD"),
  monthlyTotal: z.number(),
  byNamespace: z.array(z.object({ name: z.string(), monthly: z.number(), idleMonthly: z.number() })),
  byLabel: z.array(
    z.object({ label: z.string(), rows: z.array(z.object({ value: z.string(), monthly: z.number() })) }),
  ),
  idle: z.object({ monthly: z.number(), pct: z.number().meta({ description: "0-100" }) }),
  overhead: z.object({ monthly: z.number() }),
  savings: z.object({
    monthlyTotal: z.number(),
    items: z
      .array(z.object({ kind: costSavingKind, target: z.string(), monthly: z.number(), action: z.string() }))
      .meta({ description: "the 20 largest" }),
  }),
  history: z.array(z.object({ at: isoTime, monthly: z.number() })).meta({ description: "oldest first" }),
  forecast: z.array(z.object({ at: isoTime, monthly: z.number(), low: z.number(), high: z.number() })),
});
export type CostSummary = z.infer<typeof costSummary>;

// ---- Rhythm ----------------------------------------------------------------------------------

export const rhythmParams = z.object({ cadence: z.enum(CADENCES) });

const rhythmSignoff = z.object({
  cadence: z.enum(CADENCES),
  item: z.string(),
  period: z.string(),
  who: z.string(),
  at: z.number().int().meta({ description: "epoch ms" }),
  note: z.string().optional(),
});

const rhythmItem = z.object({
  id: z.string(),
  cadence: z.enum(CADENCES),
  title: z.string(),
  handbook: z.string(),
  kind: z.enum(["evaluated", "manual"]),
  status: z.enum(["ok", "attention", "manual-open", "manual-done", "not-available"]),
  evidence: z.array(z.string()),
  command: z.string().optional(),
  signoff: rhythmSignoff.optional(),
});

/** `day2 rhythm <cadence> -o json` (src/rhythm/render.ts RhythmDoc). */
export const rhythmDoc = z.object({
  apiVersion: z.literal("day2.dev/v1alpha1"),
  kind: z.literal("RhythmReport"),
  cadence: z.enum(CADENCES),
  period: z.string(),
  generatedAt: isoTime,
  items: z.array(rhythmItem),
  counts: z.record(z.string(), z.number().int()),
  source: z.string(),
  notes: z.array(z.string()),
});
export type RhythmDocBody = z.infer<typeof rhythmDoc>;

export const signoffBody = z.object({
  itemId: z.string().min(1).max(200).meta({
    description: "a checklist item id (e.g. team-training) or a success criterion sign-off item id",
  }),
  note: z.string().max(4000).optional(),
});

export const signoffRecord = z.object({
  id: z.string(),
  cadence: z
    .enum([...CADENCES, "success"])
    .meta({ description: "the item's checklist, or success for a success criterion sign-off" }),
  itemId: z.string(),
  period: z.string(),
  who: z.string(),
  at: isoTime,
  note: z.string().nullable(),
});
export type SignoffRecord = z.infer<typeof signoffRecord>;

export const signoffsQuery = z.object({ limit: intParam(1, 1000, 100) });
export const signoffsPage = z.object({ items: z.array(signoffRecord) });
export type SignoffsPage = z.infer<typeof signoffsPage>;

export const rhythmReportsQuery = z.object({
  cadence: z.enum(CADENCES).optional().meta({ description: "one cadence; default all" }),
  limit: intParam(1, 400, 30),
});

/** A scheduled report the server sent (table rhythm_reports) and its delivery per notifier. */
export const rhythmReportRow = z.object({
  cadence: z.enum(CADENCES),
  period: z.string(),
  scheduledAt: isoTime,
  sentAt: isoTime,
  collectedAt: isoTime.meta({ description: "the collection it was evaluated on" }),
  counts: z.object({
    ok: z.number().int(),
    attention: z.number().int(),
    open: z.number().int().meta({ description: "manual items not signed off" }),
    done: z.number().int().meta({ description: "manual items signed off" }),
    noData: z.number().int(),
  }),
  delivery: z.object({
    state: z
      .enum(["delivered", "pending", "failed", "partial", "unknown"])
      .meta({ description: "delivered: every notifier; failed: none (dead letters); partial: some" }),
    targets: z.array(
      z.object({
        target: z.string(),
        status: z.enum(["pending", "sent", "dead", "unknown"]),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
      }),
    ),
  }),
  items: z.array(rhythmItem),
});
export type RhythmReportRow = z.infer<typeof rhythmReportRow>;
export const rhythmReportsPage = z.object({ items: z.array(rhythmReportRow) });
export type RhythmReportsPage = z.infer<typeof rhythmReportsPage>;

/**
 * One collection: the cluster (state), the scanner's report and score, the cost model and the
 * 16 KPIs, turned into what the store keeps (src/store/collections.ts). Orchestration only:
 * every judgement is the existing module's (report/scan, cost/*, kpi/engine, score/*), and
 * every source comes in through `CollectSources`, so a test can hand in a state.
 */
import { RULES } from "../checks/index.js";
import { findingKey } from "../config/baseline.js";
import type { Day2Config } from "../config/config.js";
import type { AllocationResult } from "../cost/allocation.js";
import { buildPriceSheet } from "../cost/pricing.js";
import type { UsageData } from "../cost/types.js";
import type { IncidentHistory } from "../kpi/compute/incidents.js";
import type { KpiQueries } from "../kpi/compute/prometheus.js";
import { evaluate as evaluateKpis, measureAll, previousValues } from "../kpi/engine.js";
import {
  DEFAULT_KPI_WINDOW_S,
  kpiInputs,
  kpiWindows,
  queryKpiAnswers,
  securityInputs,
} from "../kpi/inputs.js";
import type { KpiDefinition, KpiId, KpiResult } from "../kpi/types.js";
import type { PromClient } from "../prom/client.js";
import type { Report } from "../report/report.js";
import { buildScan } from "../report/scan.js";
import { costModel, rhythmContext } from "../rhythm/inputs.js";
import type { CostModel, RhythmContext } from "../rhythm/inputs.js";
import type { ClusterState } from "../state/cluster-state.js";
import { kpiValuesNear } from "../store/collections.js";
import type { CollectionInput, FindingInput } from "../store/collections.js";
import type { StoreDb } from "../store/db.js";
import { costSnapshot } from "./cost.js";
import type { CostSnapshot } from "./cost.js";

/** Where a collection's inputs come from (`day2 serve` wires the CLI's sources in). */
export interface CollectSources {
  /** The cluster: live, a snapshot or the demo. */
  loadState(): Promise<ClusterState>;
  /**
   * Usage history for the state over the KPI window (`windowSeconds`): Prometheus,
   * metrics-server, the demo's, or none. The cost allocation and the KPIs read it.
   */
  usage(state: ClusterState, windowSeconds: number): Promise<{ usage: UsageData; prom?: PromClient }>;
  /**
   * Incidents for the KPI window, from the server's own store: at least those created since
   * one window before it (an incident started then may still be down inside it).
   */
  incidents(window: { from: number; to: number }): Promise<IncidentHistory | undefined>;
  /** The stored KPI values one KPI window before `at` (trends over the window; see previousFromStore). */
  previousKpis(at: number, windowMs: number): Promise<Partial<Record<KpiId, number | null>>>;
}

/**
 * The previous KPI values for a trend over the window: the stored values of the run closest to
 * one window before `at`, and at least half a window old (so a server started minutes ago does
 * not call 15 minutes of noise a trend); {} when the store has none that old.
 */
export async function previousFromStore(
  db: StoreDb,
  at: number,
  windowMs: number,
): Promise<Partial<Record<KpiId, number | null>>> {
  const near = await kpiValuesNear(db, at - windowMs, at - windowMs / 2);
  if (!near) return {};
  return previousValues(Object.entries(near.values).map(([id, value]) => ({ id, value })));
}

export interface CollectSettings {
  config?: Day2Config;
  catalog: readonly KpiDefinition[];
  queries: KpiQueries;
  /** The KPI window in seconds (default 30 days): usage, cost allocation, queries, incidents, trends. */
  kpiWindowSeconds?: number;
}

/** What the rhythm checklists read from a run (stored as the run's context). */
export type { RhythmContext } from "../rhythm/inputs.js";

export interface Collected {
  input: CollectionInput;
  kpis: KpiResult[];
  cost?: CostSnapshot;
  notes: string[];
}

function findingsOf(report: Report): FindingInput[] {
  return report.findings.map((f) => ({
    key: findingKey(f),
    rule: f.rule,
    severity: f.severity,
    category: f.category,
    title: f.title,
    namespace: f.object.namespace,
    kind: f.object.kind,
    name: f.object.name,
    container: f.container ?? "",
    message: f.message,
    runbook: f.runbook,
  }));
}

/** Share of the rules that could apply which were evaluated, 0-1; null when none could. */
export function coverageOf(report: Report): number | null {
  const r = report.score?.rules;
  if (!r) return null;
  const applicable = r.total - r.notApplicable.length;
  return applicable > 0 ? Math.round((r.evaluated / applicable) * 10_000) / 10_000 : null;
}

interface CostParts {
  allocation?: AllocationResult;
  snapshot?: CostSnapshot;
  model?: CostModel;
}

function costParts(
  state: ClusterState,
  usage: UsageData,
  config: Day2Config | undefined,
  notes: string[],
): CostParts {
  try {
    const sheet = buildPriceSheet(config?.cost?.pricing);
    const model = costModel(state, sheet, usage, config?.cost?.costLabels);
    return { allocation: model.allocation, snapshot: costSnapshot(model.allocation, model.wins), model };
  } catch (e) {
    // A cost failure leaves the cost KPIs without data; the scan and the rest still count.
    notes.push(`cost model failed: ${(e as Error).message}`);
    return {};
  }
}

/** Collects and judges once; `at` is the run's start (epoch ms). Throws when the cluster cannot be read. */
export async function collectOnce(
  sources: CollectSources,
  settings: CollectSettings,
  at: number,
): Promise<Collected> {
  const notes: string[] = [];
  const state = await sources.loadState();
  const report = buildScan(state, {
    rules: settings.config?.customRules.length ? [...RULES, ...settings.config.customRules] : RULES,
    config: settings.config,
    today: at,
  });
  const windowS = settings.kpiWindowSeconds ?? DEFAULT_KPI_WINDOW_S;
  const { usage, prom } = await sources.usage(state, windowS);
  const parts = costParts(state, usage, settings.config, notes);

  // The one way `day2 kpi` builds them too (src/kpi/inputs.ts): one window for everything.
  const windows = kpiWindows(state, windowS, at);
  const collectedAt = windows.cluster.to;
  const history = await sources.incidents(windows.incidents);
  const answers = prom
    ? await queryKpiAnswers(prom, settings.queries, windowS, collectedAt, usage)
    : undefined;
  const inputs = kpiInputs({
    state,
    windows,
    usage,
    ...(parts.allocation ? { allocation: parts.allocation } : {}),
    security: securityInputs(state, {
      report,
      ...(settings.config ? { config: settings.config } : {}),
      now: at,
    }),
    ...(history
      ? { incidents: { items: history.incidents, source: history.source ?? "the day2 store" } }
      : {}),
    ...(answers ? { prom: answers } : {}),
  });
  const measurements = measureAll(inputs, settings.catalog);
  const kpis = evaluateKpis(settings.catalog, measurements, await sources.previousKpis(at, windowS * 1000));

  // The same inputs `day2 rhythm` builds (src/rhythm/inputs.ts): the checklists read them.
  const context: RhythmContext = rhythmContext(state, report, parts.model);
  const score = report.score!.cluster;
  const notEvaluated = report.rules.filter((o) => o.status !== "evaluated").map((o) => o.rule);
  return {
    input: {
      at,
      durationMs: 0,
      ok: true,
      cluster: {
        name: state.info.context ?? state.info.sourceDetail,
        source: state.info.source,
        collectedAt,
      },
      score: score.score,
      coverage: coverageOf(report),
      counts: { ...report.findingCounts },
      findings: findingsOf(report),
      notEvaluated,
      kpis: kpis.map((k) => ({ id: k.id, value: k.value, status: k.status, payload: k })),
      ...(parts.snapshot ? { cost: { monthly: parts.snapshot.monthlyTotal, payload: parts.snapshot } } : {}),
      context,
    },
    kpis,
    ...(parts.snapshot ? { cost: parts.snapshot } : {}),
    notes,
  };
}

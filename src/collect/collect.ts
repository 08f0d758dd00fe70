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
import { evaluate as evaluateKpis, measureAll } from "../kpi/engine.js";
import type { PromAnswers } from "../kpi/engine.js";
import { queryKpis } from "../kpi/prom.js";
import type { KpiDefinition, KpiId, KpiResult } from "../kpi/types.js";
import type { PromClient } from "../prom/client.js";
import type { Report } from "../report/report.js";
import { buildScan } from "../report/scan.js";
import { costModel, rhythmContext } from "../rhythm/inputs.js";
import type { CostModel, RhythmContext } from "../rhythm/inputs.js";
import { compliancePercent } from "../score/compliance.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { CollectionInput, FindingInput } from "../store/collections.js";
import { costSnapshot } from "./cost.js";
import type { CostSnapshot } from "./cost.js";

/** Where a collection's inputs come from (`day2 serve` wires the CLI's sources in). */
export interface CollectSources {
  /** The cluster: live, a snapshot or the demo. */
  loadState(): Promise<ClusterState>;
  /** Usage history for the state (Prometheus, metrics-server, the demo's, or none). */
  usage(state: ClusterState): Promise<{ usage: UsageData; prom?: PromClient }>;
  /** Incidents for the KPI window, from the server's own store. */
  incidents(window: { from: number; to: number }): Promise<IncidentHistory | undefined>;
  /** The latest stored KPI values, for trends. */
  previousKpis(): Promise<Partial<Record<KpiId, number | null>>>;
}

export interface CollectSettings {
  config?: Day2Config;
  catalog: readonly KpiDefinition[];
  queries: KpiQueries;
  /** The KPI window in seconds (default 30 days). */
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

const DAY_S = 86_400;

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
  const { usage, prom } = await sources.usage(state);
  const parts = costParts(state, usage, settings.config, notes);

  const windowS = settings.kpiWindowSeconds ?? 30 * DAY_S;
  const collectedAt = state.info.collectedAt > 0 ? state.info.collectedAt : at;
  // Incident history is real time: its window ends now, whatever the cluster's collection time.
  const incidents = await sources.incidents({ from: at - windowS * 1000, to: at });
  let answers: PromAnswers | undefined;
  if (prom)
    answers = await queryKpis(prom, settings.queries, `${windowS}s`, new Date(usage.window.end.getTime()));
  const c = report.compliance ? compliancePercent(report.compliance) : undefined;
  const measurements = measureAll(
    {
      state,
      window: { from: collectedAt - windowS * 1000, to: collectedAt },
      usage,
      ...(parts.allocation ? { allocation: parts.allocation } : {}),
      cves: report.vulnerabilities!,
      compliance: c!,
      ...(incidents ? { incidents } : {}),
      ...(answers ? { prom: answers } : {}),
    },
    settings.catalog,
  );
  const kpis = evaluateKpis(settings.catalog, measurements, await sources.previousKpis());

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

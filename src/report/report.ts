/**
 * The report model shared by every renderer (and later the HTTP API): plain data built by
 * pure functions from a ClusterState and the rule registry.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { KindCoverage } from "../state/raw.js";
import type { Selector } from "../state/selector.js";
import { matches } from "../state/selector.js";
import { isOptionalKind } from "../state/kinds.js";
import type { ProjectedKind } from "../state/types.js";
import type { Finding, Rule, RuleOutcome, Severity } from "../checks/index.js";
import { SEVERITIES, runRules, severityRank } from "../checks/index.js";
import type { ScoreReport } from "../score/score.js";
import type { ComplianceReport } from "../score/compliance.js";
import type { CveSummary } from "../score/vulnerabilities.js";
import type { SuppressedFinding } from "../config/suppress.js";
import type { BaselineSummary } from "../config/baseline.js";
import type { ClusterSummary } from "./summary.js";
import { summarize } from "./summary.js";

export interface Report {
  apiVersion: "day2.dev/v1alpha1";
  kind: "Report";
  generatedAt: string;
  source: {
    kind: string;
    detail: string;
    server?: string;
    context?: string;
    collectedAt: string;
    namespace?: string;
  };
  summary: ClusterSummary;
  coverage: KindCoverage[];
  unknownKinds: { kind: string; count: number }[];
  findingCounts: Record<Severity, number>;
  findings: Finding[];
  rules: RuleOutcome[];
  /** `day2 scan`: the score, per cluster, namespace and category, with its account. */
  score?: ScoreReport;
  /** `day2 scan`: Pod Security Standards compliance, passed / applicable controls per namespace. */
  compliance?: ComplianceReport;
  /** `day2 scan`: critical and high CVEs from Trivy Operator's VulnerabilityReports, or "no data" and why. */
  vulnerabilities?: CveSummary;
  /** `day2 scan`: findings a day2.yaml entry or an annotation suppressed, and by what. */
  suppressed?: SuppressedFinding[];
  /** `day2 scan --baseline`: `findings` holds only new findings; this says what else changed. */
  baseline?: BaselineSummary;
  /** `day2 scan`: the day2.yaml in effect. */
  config?: {
    file: string;
    disabled: string[];
    severityOverrides: { rule: string; from: Severity; to: Severity }[];
    suppressions: number;
  };
}

export interface ReportOptions {
  rules: readonly Rule[];
  /** Only findings in this namespace (cluster-scoped findings are left out). */
  namespace?: string;
  /** Only findings about objects whose labels match. */
  selector?: Selector;
  now?: number;
}

function keep(state: ClusterState, f: Finding, opts: ReportOptions): boolean {
  if (opts.namespace !== undefined && f.object.namespace !== opts.namespace) return false;
  if (opts.selector) {
    const o = state.get(f.object.kind as ProjectedKind, f.object.namespace, f.object.name);
    if (!o || !matches(opts.selector, o.labels)) return false;
  }
  return true;
}

/** Code-point order: the same on every machine and locale, and no collator cost per comparison. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Report order: most severe first, then rule, namespace, name. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.rule, b.rule) ||
    compareText(a.object.namespace, b.object.namespace) ||
    compareText(a.object.name, b.object.name)
  );
}

function compareObjects(a: Finding, b: Finding): number {
  return compareText(a.object.namespace, b.object.namespace) || compareText(a.object.name, b.object.name);
}

/**
 * Findings in report order (compareFindings, stable). The runner returns them grouped by
 * rule, so the groups are ordered once and each group is sorted by object: the same order as
 * one sort of everything, at a fraction of the comparisons. Findings not grouped so (a rule
 * twice) get the one sort.
 */
export function sortFindings(findings: Finding[]): Finding[] {
  const groups: Finding[][] = [];
  const seen = new Set<string>();
  let group: Finding[] = [];
  for (const f of findings) {
    if (group.length === 0 || f.rule !== group[0]!.rule) {
      if (seen.has(f.rule)) return findings.sort(compareFindings);
      seen.add(f.rule);
      group = [];
      groups.push(group);
    }
    group.push(f);
  }
  groups.sort((a, b) => compareFindings(a[0]!, b[0]!));
  const out: Finding[] = [];
  for (const g of groups) {
    g.sort(compareObjects);
    for (const f of g) out.push(f);
  }
  return out;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/**
 * Findings on objects read from manifest files, with the file and line of the object; the
 * same array when the state has no locations (live, snapshot, stdin: outputs unchanged).
 */
export function locateFindings(state: ClusterState, findings: Finding[]): Finding[] {
  if (state.info.source !== "manifests") return findings;
  return findings.map((f) => {
    const location = state.sourceOf(f.object);
    return location ? { ...f, location } : f;
  });
}

export function buildReport(state: ClusterState, opts: ReportOptions): Report {
  const now = opts.now ?? state.info.collectedAt;
  const run = runRules(state, opts.rules, { now });
  const findings = locateFindings(state, sortFindings(run.findings.filter((f) => keep(state, f, opts))));
  const findingCounts = countBySeverity(findings);
  const perRule = new Map<string, number>();
  for (const f of findings) perRule.set(f.rule, (perRule.get(f.rule) ?? 0) + 1);
  return {
    apiVersion: "day2.dev/v1alpha1",
    kind: "Report",
    generatedAt: new Date(now).toISOString(),
    source: {
      kind: state.info.source,
      detail: state.info.sourceDetail,
      server: state.info.server,
      context: state.info.context,
      collectedAt: new Date(state.info.collectedAt).toISOString(),
      namespace: opts.namespace ?? state.info.namespace,
    },
    summary: summarize(state),
    coverage: [...state.coverage.values()],
    unknownKinds: [...state.unknownKinds].map(([kind, count]) => ({ kind, count })),
    findingCounts,
    findings,
    rules: run.outcomes.map((o) =>
      o.status === "evaluated" ? { ...o, findings: perRule.get(o.rule) ?? 0 } : o,
    ),
  };
}

/**
 * Coverage entries that are not fully collected: what the report could not see. An add-on's
 * kind that is not installed (no Trivy Operator) is no gap: there was nothing to see.
 */
export function gaps(report: Report): KindCoverage[] {
  return report.coverage.filter((c) => c.status !== "collected" && !absentAddOn(c));
}

/** An optional kind (an add-on's CRD) that is not installed. */
export function absentAddOn(c: KindCoverage): boolean {
  return c.status === "not-installed" && isOptionalKind(c.kind);
}

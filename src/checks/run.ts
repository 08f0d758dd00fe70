/**
 * Runs rules over a ClusterState. A rule whose kinds were not all collected is "not
 * evaluated" with the reason (never counted as passed); a rule that throws becomes an error
 * outcome and the run goes on (Popeye's lesson: one broken linter must not end the scan).
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta } from "../state/types.js";
import type { Finding, Rule, RuleContext } from "./types.js";

export interface RuleOutcome {
  readonly rule: string;
  readonly title: string;
  readonly status: "evaluated" | "not-evaluated" | "error";
  readonly findings: number;
  /** Evaluated (rule, object) checks: how many objects the rule judged (its targets). */
  readonly checks?: number;
  readonly reason?: string;
}

/** The objects a rule judges: its `targets`, else every object of its first kind. */
export function ruleTargets(rule: Rule, state: ClusterState): readonly Meta[] {
  if (rule.targets) return rule.targets(state);
  const first = rule.kinds[0];
  return first === undefined ? [] : state.list(first);
}

export interface RuleRun {
  readonly findings: Finding[];
  readonly outcomes: RuleOutcome[];
}

export function runRules(state: ClusterState, rules: readonly Rule[], ctx: RuleContext): RuleRun {
  const findings: Finding[] = [];
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    const required = new Set(rule.requires ?? []);
    const missing = rule.kinds
      .map((k) => state.coverage.get(k))
      .filter((c) => c !== undefined && c.status !== "collected" && (c.status !== "not-collected" || required.has(c.kind as never)));
    if (missing.length > 0) {
      outcomes.push({
        rule: rule.id,
        title: rule.title,
        status: "not-evaluated",
        findings: 0,
        reason: missing.map((c) => `${c!.kind}: ${c!.status}${c!.reason ? ` (${c!.reason})` : ""}`).join("; "),
      });
      continue;
    }
    try {
      // Collected apart so a rule that throws midway leaves no partial findings behind its error outcome.
      const mine: Finding[] = [];
      for (const draft of rule.evaluate(state, ctx)) {
        mine.push({ ...draft, rule: rule.id, severity: rule.severity, category: rule.category, title: rule.title, runbook: rule.runbook });
      }
      for (const f of mine) findings.push(f); // not push(...mine): spread overflows the stack on huge arrays
      outcomes.push({ rule: rule.id, title: rule.title, status: "evaluated", findings: mine.length, checks: ruleTargets(rule, state).length });
    } catch (err) {
      outcomes.push({ rule: rule.id, title: rule.title, status: "error", findings: 0, reason: (err as Error).message });
    }
  }
  return { findings, outcomes };
}

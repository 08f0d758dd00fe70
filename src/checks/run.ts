/**
 * Runs rules over a ClusterState. A rule whose kinds were not all collected is "not
 * evaluated" with the reason (never counted as passed); a rule that throws becomes an error
 * outcome and the run goes on (Popeye's lesson: one broken linter must not end the scan).
 */
import type { ClusterState } from "../state/cluster-state.js";
import { kindInfo } from "../state/kinds.js";
import type { KindCoverage } from "../state/raw.js";
import type { Meta } from "../state/types.js";
import type { Finding, FindingDraft, Rule, RuleContext } from "./types.js";

export interface RuleOutcome {
  readonly rule: string;
  readonly title: string;
  /**
   * "not-applicable": the rule cannot apply to this input at all (a runtime rule on static
   * manifests); like "not-evaluated" it is in no denominator, but it is no coverage gap either.
   */
  readonly status: "evaluated" | "not-evaluated" | "not-applicable" | "error";
  readonly findings: number;
  /** Evaluated (rule, object) checks: how many objects the rule judged (its targets). */
  readonly checks?: number;
  readonly reason?: string;
  /**
   * Not evaluated because kinds were not permitted: the permissions that were missing, e.g.
   * ["list secrets", "list rbac.authorization.k8s.io/roles"].
   */
  readonly missing?: readonly string[];
}

/** "list secrets", "list apps/deployments": the permission a kind's collection needs. */
export function listPermission(kind: string): string {
  const info = kindInfo(kind);
  if (!info) return `list ${kind}`;
  return `list ${info.group === "" ? info.plural : `${info.group}/${info.plural}`}`;
}

/** One kind's part of a not-evaluated reason; a not-permitted kind always names the missing permission. */
function missingReason(c: KindCoverage): string {
  if (c.status !== "not-permitted") return `${c.kind}: ${c.status}${c.reason ? ` (${c.reason})` : ""}`;
  const perm = listPermission(c.kind);
  const why = c.reason ?? "";
  return `${c.kind}: not-permitted (${why.includes(perm) ? why : [`missing ${perm}`, why].filter(Boolean).join(": ")})`;
}

/** The objects a rule judges: its `targets`, else every object of its first kind. */
export function ruleTargets(rule: Rule, state: ClusterState): readonly Meta[] {
  if (rule.targets) return rule.targets(state);
  const first = rule.kinds[0];
  return first === undefined ? [] : state.list(first);
}

/** Why a runtime rule did not run on manifests. */
export const RUNTIME_ON_MANIFESTS = "runtime rule on static manifests";

/**
 * A draft with the rule's fields added. Built as a literal of one of two fixed shapes, not by
 * `{ ...draft }`: drafts of a hundred rules make the spread's clone megamorphic, which cost
 * microseconds per finding at 150,000 findings. Keys keep the drafts' order (object,
 * container, message, evidence), so serialized findings do not change.
 */
function toFinding(draft: FindingDraft, rule: Rule): Finding {
  return draft.container === undefined
    ? {
        object: draft.object,
        message: draft.message,
        evidence: draft.evidence,
        rule: rule.id,
        severity: rule.severity,
        category: rule.category,
        title: rule.title,
        runbook: rule.runbook,
      }
    : {
        object: draft.object,
        container: draft.container,
        message: draft.message,
        evidence: draft.evidence,
        rule: rule.id,
        severity: rule.severity,
        category: rule.category,
        title: rule.title,
        runbook: rule.runbook,
      };
}

export interface RuleRun {
  readonly findings: Finding[];
  readonly outcomes: RuleOutcome[];
}

export function runRules(state: ClusterState, rules: readonly Rule[], ctx: RuleContext): RuleRun {
  const findings: Finding[] = [];
  const outcomes: RuleOutcome[] = [];
  const staticInput = state.info.source === "manifests";
  for (const rule of rules) {
    if (staticInput && rule.runtime) {
      outcomes.push({
        rule: rule.id,
        title: rule.title,
        status: "not-applicable",
        findings: 0,
        reason: RUNTIME_ON_MANIFESTS,
      });
      continue;
    }
    const required = new Set(rule.requires ?? []);
    const missing = rule.kinds
      .map((k) => state.coverage.get(k))
      .filter(
        (c) =>
          c !== undefined &&
          c.status !== "collected" &&
          (c.status !== "not-collected" || required.has(c.kind as never)),
      );
    if (missing.length > 0) {
      const perms = missing.filter((c) => c!.status === "not-permitted").map((c) => listPermission(c!.kind));
      outcomes.push({
        rule: rule.id,
        title: rule.title,
        status: "not-evaluated",
        findings: 0,
        reason: missing.map((c) => missingReason(c!)).join("; "),
        ...(perms.length ? { missing: perms } : {}),
      });
      continue;
    }
    try {
      // A rule that throws returns nothing, so no partial findings are left behind its error outcome.
      const drafts = rule.evaluate(state, ctx);
      // not push(...drafts): spread overflows the stack on huge arrays
      for (let i = 0; i < drafts.length; i++) findings.push(toFinding(drafts[i]!, rule));
      outcomes.push({
        rule: rule.id,
        title: rule.title,
        status: "evaluated",
        findings: drafts.length,
        checks: ruleTargets(rule, state).length,
      });
    } catch (err) {
      outcomes.push({
        rule: rule.id,
        title: rule.title,
        status: "error",
        findings: 0,
        reason: (err as Error).message,
      });
    }
  }
  return { findings, outcomes };
}

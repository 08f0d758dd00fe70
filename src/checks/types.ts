/**
 * The rule shape every check follows: a plain frozen object with a stable id, its metadata,
 * the kinds it reads, a runbook, and a pure `evaluate` over ClusterState. Rules never call
 * the API, log, or keep state; "cannot say" is decided by the runner from coverage.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { SourceLocation } from "../state/raw.js";
import type { Meta, ProjectedKind } from "../state/types.js";

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = ["health", "reliability", "security", "efficiency", "configuration"] as const;
export type Category = (typeof CATEGORIES)[number];

export type Evidence = Readonly<Record<string, string | number | boolean>>;

export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** What a rule returns; the runner adds the rule's id, severity and category. */
export interface FindingDraft {
  readonly object: ObjectRef;
  readonly message: string;
  readonly evidence: Evidence;
  /** Container name, when the finding is about one container. */
  readonly container?: string;
}

export interface Finding extends FindingDraft {
  readonly rule: string;
  readonly severity: Severity;
  readonly category: Category;
  readonly title: string;
  readonly runbook: string;
  /**
   * Manifest files only: where the object is defined (set by the report from the input, not
   * by rules). Absent for live clusters, snapshots and stdin, so their outputs do not change.
   */
  readonly location?: SourceLocation;
}

export interface RuleContext {
  /** Epoch ms the evaluation treats as "now" (the collection time, so snapshots judge as of then). */
  readonly now: number;
}

export interface Rule {
  /** Stable, never reused. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: Category;
  /** Why it matters, one or two sentences. */
  readonly rationale: string;
  /** How to fix it, one or two sentences. */
  readonly fix: string;
  /**
   * Kinds the rule reads. When one could not be read from a live cluster (not permitted,
   * not installed, failed) the rule is "not evaluated": it might have missed objects.
   */
  readonly kinds: readonly ProjectedKind[];
  /**
   * Kinds whose absence would make a finding wrong, not just incomplete (a Service "without
   * pods" when pods were never read). When one is missing from the input — say manifests
   * without Pods — the rule is "not evaluated". Kinds the rule only judges are not listed.
   */
  readonly requires?: readonly ProjectedKind[];
  /** Path of the runbook in the built-in library. */
  readonly runbook: string;
  /**
   * The objects the rule judges: one (rule, object) check each, the score's denominator.
   * Default: every object of the rule's first kind. Return `state.list(...)` or a
   * `state.derive(...)` value (the same array on every call), so the score counts each list
   * once however many rules share it (see docs/adr/0001-score.md).
   */
  readonly targets?: (state: ClusterState) => readonly Meta[];
  /**
   * "config": the rule judges day2's own configuration (day2.yaml), not the cluster. Its
   * findings are produced by src/config, its `evaluate` yields nothing, it is not scored, and
   * cluster fixtures cannot express a failing case.
   * "custom": a user's rule loaded from YAML with CEL expressions (src/checks/custom); not in
   * RULES and has no runbook file of its own (its runbook is the user's link or its file).
   */
  readonly origin?: "config" | "custom";
  /**
   * true: the rule judges runtime state (status: phases, conditions, restarts, ready counts,
   * bound claims, placements), which static manifests (`helm template`, kustomize output) do
   * not have. On a "manifests" source the rule is "not-applicable": not run, not scored, never
   * counted as passed.
   */
  readonly runtime?: true;
  /**
   * The rule's findings. A plain function filling an array, not a generator: V8 does not
   * optimise a loop inside a generator while it runs (no on-stack replacement), and a rule's
   * loop over 150,000 pods runs once, so as a generator it ran 2-3x slower (issue #5).
   */
  evaluate(state: ClusterState, ctx: RuleContext): FindingDraft[];
}

const SEVERITY_RANKS: Readonly<Record<Severity, number>> = Object.freeze(
  Object.fromEntries(SEVERITIES.map((s, i) => [s, SEVERITIES.length - i])) as Record<Severity, number>,
);

/** critical 5 ... info 1 (a lookup: sorting 167,000 findings calls it millions of times). */
export function severityRank(s: Severity): number {
  return SEVERITY_RANKS[s];
}

export function atLeast(s: Severity, threshold: Severity): boolean {
  return severityRank(s) >= severityRank(threshold);
}

export function ref(o: { kind: string; namespace: string; name: string }): ObjectRef {
  return { kind: o.kind, namespace: o.namespace, name: o.name };
}

/** Defines a rule; freezing keeps registries honest. */
export function defineRule(rule: Omit<Rule, "runbook"> & { runbook?: string }): Rule {
  return Object.freeze({ runbook: `runbooks/${rule.id}.md`, ...rule });
}

/**
 * What a report could not read for lack of permissions, for the "Permissions" line of the
 * table, Markdown and HTML outputs: the missing `list` permissions (from not-permitted
 * coverage, whether the live preflight or a 403 decided) and the rules left unevaluated.
 */
import { listPermission } from "../checks/run.js";
import type { RuleOutcome } from "../checks/index.js";
import type { KindCoverage } from "../state/raw.js";

export interface PermissionGap {
  /** "list secrets", "list rbac.authorization.k8s.io/roles", in coverage order. */
  readonly missing: readonly string[];
  /** Rules not evaluated because of them. */
  readonly rules: readonly string[];
}

/** Undefined when every kind could be read as far as permissions go. */
export function permissionGap(r: {
  coverage: readonly KindCoverage[];
  rules: readonly RuleOutcome[];
}): PermissionGap | undefined {
  const missing = [
    ...new Set(r.coverage.filter((c) => c.status === "not-permitted").map((c) => listPermission(c.kind))),
  ];
  if (missing.length === 0) return undefined;
  const rules = r.rules
    .filter((o) => o.status === "not-evaluated" && (o.missing?.length ?? 0) > 0)
    .map((o) => o.rule);
  return { missing, rules };
}

/** "missing: list secrets, list nodes (8 rules not evaluated)". */
export function permissionLine(g: PermissionGap): string {
  const n = g.rules.length;
  return `missing: ${g.missing.join(", ")} (${n} ${n === 1 ? "rule" : "rules"} not evaluated)`;
}

/** Where the fix is. */
export const PERMISSION_HINT =
  "the day2-reader ClusterRole (deploy/rbac/day2-reader.yaml) grants what a full scan reads";

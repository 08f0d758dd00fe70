/**
 * The security audit of a monthly review: vulnerabilities (critical and high CVEs from the
 * Trivy Operator's reports), policy changes (findings opened and fixed during the month, from
 * the store's findings history when there is one) and control test results (the scanner's
 * rules passed, failed and not evaluated per category; the Pod Security Standards controls).
 * Pure.
 *
 * A rule passed when it was evaluated with no finding, failed with at least one; rules that
 * were not evaluated, not applicable or errored are counted apart, never as passed.
 */
import type { Month } from "./month.js";

export interface SecuritySectionInput {
  month: Month;
  cves: { critical: number | null; high: number | null; reason?: string };
  /** Security-category findings by severity. */
  securityFindings: { critical: number; high: number; medium: number; low: number };
  rules: readonly { rule: string; category: string; status: string; findings: number }[];
  controls: readonly { control: string; level: string; status: string; failing: number }[];
  compliance: { percent: number | null; level: string; reason?: string };
  /** The store's findings history, or why there is none. */
  history:
    readonly { rule: string; objectKey: string; firstSeen: number; fixedAt?: number }[] | { reason: string };
  /** Rule id -> category, to tell security findings apart in the history. */
  categories: ReadonlyMap<string, string>;
}

export interface CategoryResult {
  category: string;
  passed: number;
  failed: number;
  notEvaluated: number;
  failedRules: string[];
}

export interface SecuritySection {
  cves: SecuritySectionInput["cves"];
  securityFindings: SecuritySectionInput["securityFindings"];
  compliance: SecuritySectionInput["compliance"];
  policyChanges:
    | {
        available: true;
        opened: number;
        fixed: number;
        byRule: { rule: string; opened: number; fixed: number }[];
      }
    | { available: false; reason: string };
  controls: {
    byCategory: CategoryResult[];
    pss: { level: string; passed: number; failed: number; failedControls: string[] }[];
  };
}

function policyChanges(i: SecuritySectionInput): SecuritySection["policyChanges"] {
  if ("reason" in i.history) return { available: false, reason: i.history.reason };
  const per = new Map<string, { opened: number; fixed: number }>();
  const inMonth = (t: number | undefined): boolean =>
    t !== undefined && t >= i.month.start && t < i.month.end;
  for (const f of i.history) {
    if (i.categories.get(f.rule) !== "security") continue;
    const e = per.get(f.rule) ?? { opened: 0, fixed: 0 };
    if (inMonth(f.firstSeen)) e.opened++;
    if (inMonth(f.fixedAt)) e.fixed++;
    if (e.opened || e.fixed) per.set(f.rule, e);
  }
  const byRule = [...per]
    .map(([rule, e]) => ({ rule, ...e }))
    .sort((a, b) => b.opened + b.fixed - (a.opened + a.fixed) || a.rule.localeCompare(b.rule));
  return {
    available: true,
    opened: byRule.reduce((s, r) => s + r.opened, 0),
    fixed: byRule.reduce((s, r) => s + r.fixed, 0),
    byRule,
  };
}

function byCategory(rules: SecuritySectionInput["rules"]): CategoryResult[] {
  const m = new Map<string, CategoryResult>();
  for (const r of rules) {
    const c = m.get(r.category) ?? {
      category: r.category,
      passed: 0,
      failed: 0,
      notEvaluated: 0,
      failedRules: [],
    };
    if (r.status !== "evaluated") c.notEvaluated++;
    else if (r.findings > 0) {
      c.failed++;
      c.failedRules.push(r.rule);
    } else c.passed++;
    m.set(r.category, c);
  }
  return [...m.values()];
}

function pss(controls: SecuritySectionInput["controls"]): SecuritySection["controls"]["pss"] {
  const levels = [...new Set(controls.map((c) => c.level))];
  return levels.map((level) => {
    const mine = controls.filter((c) => c.level === level);
    return {
      level,
      passed: mine.filter((c) => c.status === "passed").length,
      failed: mine.filter((c) => c.status === "failed").length,
      failedControls: mine.filter((c) => c.status === "failed").map((c) => c.control),
    };
  });
}

export function buildSecuritySection(i: SecuritySectionInput): SecuritySection {
  return {
    cves: i.cves,
    securityFindings: i.securityFindings,
    compliance: i.compliance,
    policyChanges: policyChanges(i),
    controls: { byCategory: byCategory(i.rules), pss: pss(i.controls) },
  };
}

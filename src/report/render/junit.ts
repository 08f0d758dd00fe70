/**
 * JUnit XML rendering of a report, for CI test-result views (Jenkins, GitLab, Azure DevOps,
 * GitHub test-report actions). Shape, checked against the Jenkins xUnit plugin's junit-10.xsd:
 *
 *   testsuites
 *     testsuite "day2.<category>"            one per rule category (health, security, ...)
 *       testcase classname "day2.<category>.<rule>"
 *         - a rule with findings: one failing testcase per finding, named after the object
 *           (`Kind/namespace/name`, plus the container), with one <failure> each;
 *         - a rule evaluated without findings: one passing testcase named after the rule;
 *         - a rule not evaluated: one testcase with <skipped message="reason">;
 *         - a rule that failed: one testcase with <error message="reason">.
 *
 * Why a testcase per finding rather than several <failure> elements in one testcase per rule:
 * Jenkins, Azure DevOps and most report viewers show only the first <failure> of a testcase,
 * and some parsers reject a second one, so all but one finding per rule would be lost.
 * Why a suite per category: five stable groups that match the report's categories; the
 * classname gives CI views the category > rule > object tree.
 */
import type { Category, Finding, Rule } from "../../checks/index.js";
import { CATEGORIES, RULES } from "../../checks/index.js";
import type { RuleOutcome } from "../../checks/index.js";
import type { Report } from "../report.js";
import { objectPath } from "./sarif.js";

/** Characters XML 1.0 cannot carry at all (not even as references): C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF. */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function stripInvalidXml(s: string): string {
  return s.replace(INVALID_XML, "");
}

/** Text content: markup characters escaped; CR kept as a reference so parsers do not fold it into LF. */
export function xmlText(s: string): string {
  return stripInvalidXml(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r/g, "&#13;");
}

/** Attribute values: also quotes, and whitespace as references so attribute normalization keeps it. */
export function xmlAttr(s: string | number): string {
  return xmlText(String(s))
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;");
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(v!)}"`)
    .join("");
}

interface Case {
  classname: string;
  name: string;
  body: string;
  kind: "passed" | "failure" | "skipped" | "error";
}

interface Suite {
  category: string;
  cases: Case[];
}

function findingText(f: Finding, rule: Rule | undefined): string {
  const lines = [
    `${objectPath(f.object)}${f.container !== undefined ? ` container ${f.container}` : ""}`,
    `rule: ${f.rule} (${f.title}), severity ${f.severity}, category ${f.category}`,
    f.message,
  ];
  const evidence = Object.entries(f.evidence);
  if (evidence.length) lines.push("evidence:", ...evidence.map(([k, v]) => `  ${k}: ${String(v)}`));
  if (rule?.fix) lines.push(`fix: ${rule.fix}`);
  lines.push(`runbook: ${f.runbook}`);
  return lines.join("\n");
}

function findingCase(f: Finding, rule: Rule | undefined, name: string): Case {
  return {
    classname: `day2.${f.category}.${f.rule}`,
    name,
    kind: "failure",
    body: `<failure${attrs({ message: f.message, type: f.severity })}>${xmlText(findingText(f, rule))}</failure>`,
  };
}

function suites(report: Report, registry: readonly Rule[]): Suite[] {
  const known = new Map(registry.map((r) => [r.id, r]));
  const byRule = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byRule.get(f.rule);
    if (list) list.push(f);
    else byRule.set(f.rule, [f]);
  }
  const categoryOf = (rule: string): string =>
    known.get(rule)?.category ?? byRule.get(rule)?.[0]?.category ?? "other";
  const byCategory = new Map<string, Case[]>();
  const add = (category: string, c: Case): void => {
    const list = byCategory.get(category);
    if (list) list.push(c);
    else byCategory.set(category, [c]);
  };
  const seen = new Set<string>();
  const outcomes: RuleOutcome[] = [...report.rules];
  // Findings of a rule the outcomes do not list still become testcases.
  for (const rule of byRule.keys()) {
    if (!outcomes.some((o) => o.rule === rule))
      outcomes.push({
        rule,
        title: byRule.get(rule)![0]!.title,
        status: "evaluated",
        findings: byRule.get(rule)!.length,
      });
  }
  for (const o of outcomes) {
    if (seen.has(o.rule)) continue;
    seen.add(o.rule);
    const category = categoryOf(o.rule);
    const classname = `day2.${category}.${o.rule}`;
    if (o.status === "not-evaluated" || o.status === "not-applicable") {
      add(category, {
        classname,
        name: o.rule,
        kind: "skipped",
        body: `<skipped${attrs({ message: `${o.status === "not-applicable" ? "not applicable" : "not evaluated"}: ${o.reason ?? "no reason given"}` })}/>`,
      });
      continue;
    }
    if (o.status === "error") {
      add(category, {
        classname,
        name: o.rule,
        kind: "error",
        body: `<error${attrs({ message: o.reason ?? "rule failed", type: "rule-error" })}/>`,
      });
      continue;
    }
    const findings = byRule.get(o.rule) ?? [];
    if (findings.length === 0) {
      add(category, { classname, name: o.rule, kind: "passed", body: "" });
      continue;
    }
    // Names unique within the rule: a second finding on the same object (and container) gets a number.
    const names = new Map<string, number>();
    for (const f of findings) {
      const base = `${objectPath(f.object)}${f.container !== undefined ? ` [${f.container}]` : ""}`;
      const n = (names.get(base) ?? 0) + 1;
      names.set(base, n);
      add(category, findingCase(f, known.get(o.rule), n === 1 ? base : `${base} #${n}`));
    }
  }
  const order = [...CATEGORIES, "other"] as readonly string[];
  return [...byCategory.entries()]
    .sort(([a], [b]) => order.indexOf(a as Category) - order.indexOf(b as Category))
    .map(([category, cases]) => ({ category, cases }));
}

function count(cases: Case[], kind: Case["kind"]): number {
  return cases.reduce((n, c) => n + (c.kind === kind ? 1 : 0), 0);
}

export function renderJunit(report: Report, registry: readonly Rule[] = RULES): string {
  const all = suites(report, registry);
  const cases = all.flatMap((s) => s.cases);
  const s = report.source;
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites${attrs({ name: "day2 report", tests: cases.length, failures: count(cases, "failure"), errors: count(cases, "error"), time: "0" })}>`,
  ];
  for (const suite of all) {
    const c = suite.cases;
    out.push(
      `  <testsuite${attrs({
        name: `day2.${suite.category}`,
        tests: c.length,
        failures: count(c, "failure"),
        errors: count(c, "error"),
        skipped: count(c, "skipped"),
        time: "0",
        timestamp: report.generatedAt,
      })}>`,
      `    <properties>`,
      `      <property${attrs({ name: "source", value: s.kind })}/>`,
      `      <property${attrs({ name: "source.detail", value: s.detail })}/>`,
      ...(s.context ? [`      <property${attrs({ name: "context", value: s.context })}/>`] : []),
      ...(s.namespace ? [`      <property${attrs({ name: "namespace", value: s.namespace })}/>`] : []),
      `      <property${attrs({ name: "kubernetes.version", value: report.summary.version })}/>`,
      `      <property${attrs({ name: "collectedAt", value: s.collectedAt })}/>`,
      `    </properties>`,
    );
    for (const tc of c) {
      const open = `    <testcase${attrs({ classname: tc.classname, name: tc.name, time: "0" })}`;
      out.push(tc.body ? `${open}>\n      ${tc.body}\n    </testcase>` : `${open}/>`);
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`, "");
  return out.join("\n");
}

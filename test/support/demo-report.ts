/**
 * Shared by renderer tests: the demo cluster's report (optionally with Pods not permitted, so
 * "not evaluated" shows), and a rule that throws (so "error" outcomes show).
 */
import { ClusterStateBuilder } from "../../src/state/builder.js";
import { DEMO_NOW_MS, demoOptionsFromScale, generateDemo } from "../../src/demo/index.js";
import type { Rule } from "../../src/checks/index.js";
import { RULES, defineRule } from "../../src/checks/index.js";
import type { Report } from "../../src/report/report.js";
import { buildReport } from "../../src/report/report.js";

export function demoReport(opts: { withoutPods?: boolean; rules?: readonly Rule[] } = {}): Report {
  const builder = new ClusterStateBuilder({ source: "demo", sourceDetail: "test", collectedAt: DEMO_NOW_MS });
  for (const o of generateDemo(demoOptionsFromScale("small", 42)))
    if (!(opts.withoutPods && o.kind === "Pod")) builder.add(o);
  if (opts.withoutPods) builder.setCoverage("Pod", "not-permitted", 'list pods: forbidden for user "viewer"');
  return buildReport(builder.build({ complete: true }), { rules: opts.rules ?? RULES });
}

export const brokenRule = defineRule({
  id: "test-broken",
  title: "Broken rule",
  severity: "low",
  category: "configuration",
  rationale: "Exists to throw.",
  fix: "None.",
  kinds: ["Node"],
  evaluate() {
    throw new Error('boom: <unexpected> & "field"');
  },
});

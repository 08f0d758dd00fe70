/** Report order: sortFindings gives exactly one stable sort by compareFindings, faster. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Finding, Severity } from "../checks/index.js";
import { compareFindings, sortFindings } from "./report.js";

function finding(
  rule: string,
  severity: Severity,
  namespace: string,
  name: string,
  container?: string,
): Finding {
  return {
    object: { kind: "Pod", namespace, name },
    ...(container ? { container } : {}),
    message: `${rule} ${namespace}/${name} ${container ?? ""}`,
    evidence: {},
    rule,
    severity,
    category: "health",
    title: rule,
    runbook: `runbooks/${rule}.md`,
  };
}

test("findings grouped by rule come out as one stable sort would order them", () => {
  const findings = [
    finding("b-rule", "low", "ns2", "x"),
    finding("b-rule", "low", "ns1", "y", "c2"),
    finding("b-rule", "low", "ns1", "y", "c1"), // a tie with the one before: input order kept
    finding("a-rule", "critical", "ns3", "z"),
    finding("a-rule", "critical", "ns1", "z"),
    finding("c-rule", "low", "ns0", "a"),
    finding("d-rule", "critical", "ns9", "q"),
  ];
  const expected = findings.slice().sort(compareFindings);
  const got = sortFindings(findings.slice());
  assert.deepEqual(
    got.map((f) => f.message),
    expected.map((f) => f.message),
  );
  assert.equal(got[0]!.rule, "a-rule");
  assert.deepEqual(
    got.filter((f) => f.rule === "b-rule").map((f) => f.container ?? ""),
    ["c2", "c1", ""],
  );
});

test("a rule whose findings are not together still sorts correctly", () => {
  const findings = [
    finding("b-rule", "low", "ns2", "x"),
    finding("a-rule", "low", "ns1", "y"),
    finding("b-rule", "low", "ns1", "x"),
  ];
  assert.deepEqual(
    sortFindings(findings.slice()).map((f) => f.message),
    findings
      .slice()
      .sort(compareFindings)
      .map((f) => f.message),
  );
});

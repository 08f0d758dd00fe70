/**
 * JUnit XML output checked with xmllint against the Jenkins xUnit plugin's junit-10.xsd
 * (stored in test/fixtures/schemas with its source): the demo cluster, rules not evaluated
 * and failed, hostile text, and counts that add up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { brokenRule as broken, demoReport } from "../../../test/support/demo-report.js";
import { CATEGORIES, RULES } from "../../checks/index.js";
import { renderJunit, stripInvalidXml, xmlAttr, xmlText } from "./junit.js";
import { renderReport, PLAIN } from "./index.js";
import { objectPath } from "./sarif.js";

const XSD = fileURLToPath(new URL("../../../test/fixtures/schemas/junit-10.xsd", import.meta.url));

function xmllint(args: string[], input: string): { code: number | null; out: string; err: string } {
  const r = spawnSync("xmllint", [...args, "-"], { input, encoding: "utf8", timeout: 30_000 });
  if (r.error)
    throw new Error(`xmllint is needed for these tests (Debian: libxml2-utils): ${r.error.message}`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function assertValid(xml: string): void {
  const r = xmllint(["--noout", "--schema", XSD], xml);
  assert.equal(r.code, 0, r.err);
}

/** XPath over the document, through xmllint (no XML parser among the dependencies). */
function xpath(xml: string, expr: string): string {
  const r = xmllint(["--xpath", expr], xml);
  assert.equal(r.code, 0, `${expr}: ${r.err}`);
  return r.out;
}
const num = (xml: string, expr: string): number => Number(xpath(xml, expr));
/** A string() result; xmllint ends its output with a newline of its own. */
const str = (xml: string, expr: string): string => xpath(xml, `string(${expr})`).replace(/\n$/, "");

const demo = demoReport();

/** Every count attribute equals the elements it counts, per suite and in total. */
function assertCounts(xml: string): void {
  const suites = num(xml, "count(/testsuites/testsuite)");
  for (let i = 1; i <= suites; i++) {
    const s = `/testsuites/testsuite[${i}]`;
    assert.equal(num(xml, `number(${s}/@tests)`), num(xml, `count(${s}/testcase)`), `${s} tests`);
    assert.equal(
      num(xml, `number(${s}/@failures)`),
      num(xml, `count(${s}/testcase[failure])`),
      `${s} failures`,
    );
    assert.equal(num(xml, `number(${s}/@errors)`), num(xml, `count(${s}/testcase[error])`), `${s} errors`);
    assert.equal(
      num(xml, `number(${s}/@skipped)`),
      num(xml, `count(${s}/testcase[skipped])`),
      `${s} skipped`,
    );
  }
  assert.equal(num(xml, "number(/testsuites/@tests)"), num(xml, "count(//testcase)"));
  assert.equal(num(xml, "number(/testsuites/@failures)"), num(xml, "count(//testcase[failure])"));
  assert.equal(num(xml, "number(/testsuites/@errors)"), num(xml, "count(//testcase[error])"));
  assert.equal(
    num(xml, "count(//testcase[count(failure | error | skipped) > 1])"),
    0,
    "at most one result element per testcase",
  );
}

test("the demo cluster report is valid JUnit XML: a suite per category, a failing testcase per finding", () => {
  const xml = renderReport(demo, "junit", PLAIN);
  assertValid(xml);
  assertCounts(xml);
  const categories = [...new Set(RULES.map((r) => r.category))];
  assert.deepEqual(
    xpath(xml, "/testsuites/testsuite/@name")
      .trim()
      .split(/\s+/)
      .map((a) => a.replace(/^name="(.*)"$/, "$1")),
    CATEGORIES.filter((c) => categories.includes(c)).map((c) => `day2.${c}`),
  );
  assert.equal(num(xml, "count(//failure)"), demo.findings.length);
  const passing = demo.rules.filter((o) => o.status === "evaluated" && o.findings === 0).length;
  assert.equal(num(xml, "count(//testcase)"), demo.findings.length + passing);
  assert.equal(num(xml, "count(//skipped | //error)"), 0);
  for (const sev of ["critical", "high", "medium", "low", "info"] as const) {
    assert.equal(num(xml, `count(//failure[@type="${sev}"])`), demo.findingCounts[sev], sev);
  }
  // Every rule shows up, as its passing testcase or its findings.
  for (const r of RULES)
    assert.ok(num(xml, `count(//testcase[@classname="day2.${r.category}.${r.id}"])`) > 0, r.id);
  const f = demo.findings[0]!;
  const body = str(xml, `//testcase[@classname="day2.${f.category}.${f.rule}"][1]/failure`);
  assert.ok(body.startsWith(objectPath(f.object)), body);
  for (const [k, v] of Object.entries(f.evidence)) assert.ok(body.includes(`  ${k}: ${String(v)}`), k);
  assert.ok(body.includes(`runbook: ${f.runbook}`));
});

test("rules not evaluated are skipped with the reason; a failed rule is an error", () => {
  const report = demoReport({ withoutPods: true, rules: [...RULES, broken] });
  const skipped = report.rules.filter((o) => o.status === "not-evaluated");
  assert.ok(skipped.length > 0);
  const xml = renderJunit(report, [...RULES, broken]);
  assertValid(xml);
  assertCounts(xml);
  assert.equal(num(xml, "count(//skipped)"), skipped.length);
  assert.equal(num(xml, "sum(/testsuites/testsuite/@skipped)"), skipped.length);
  for (const o of skipped) {
    const msg = str(xml, `//testcase[@name="${o.rule}"]/skipped/@message`);
    assert.equal(msg, `not evaluated: ${o.reason}`);
    assert.match(msg, /Pod: not-permitted \(list pods: forbidden for user "viewer"\)/);
  }
  assert.equal(num(xml, "count(//error)"), 1);
  assert.equal(
    str(xml, '//testcase[@classname="day2.configuration.test-broken"]/error/@message'),
    'boom: <unexpected> & "field"',
  );
  assert.equal(num(xml, "number(/testsuites/@errors)"), 1);
});

const HOSTILE = "a <b> & \"c\" 'd' ]]> \u0000\u0007\u001b[31m \uFFFE \uD800 \r\n\t end 🚢";
const CLEAN = "a <b> & \"c\" 'd' ]]> [31m   \r\n\t end 🚢";

test("escaping: markup, quotes and whitespace survive; characters XML cannot carry are dropped", () => {
  assert.equal(stripInvalidXml(HOSTILE), CLEAN);
  assert.equal(xmlText("<&>\r"), "&lt;&amp;&gt;&#13;");
  assert.equal(xmlAttr(`"'\t\n`), "&quot;&apos;&#9;&#10;");

  const report = structuredClone(demo);
  const f = report.findings[0]!;
  report.findings[0] = {
    ...f,
    message: HOSTILE,
    evidence: { [HOSTILE]: HOSTILE },
    object: { ...f.object, name: HOSTILE },
    container: HOSTILE,
  };
  report.source.detail = HOSTILE;
  const target = report.rules.findIndex((o) => o.rule !== f.rule);
  report.rules[target] = { ...report.rules[target]!, status: "not-evaluated", findings: 0, reason: HOSTILE };
  const xml = renderJunit(report);
  assertValid(xml);
  assertCounts(xml);
  const tc = `//testcase[@classname="day2.${f.category}.${f.rule}"][1]`;
  // Attribute values keep tabs, newlines and carriage returns (written as references).
  assert.equal(str(xml, `${tc}/failure/@message`), CLEAN);
  assert.equal(str(xml, `${tc}/@name`), `${objectPath({ ...f.object, name: CLEAN })} [${CLEAN}]`);
  assert.ok(str(xml, `${tc}/failure`).includes(`  ${CLEAN}: ${CLEAN}`));
  assert.equal(str(xml, '//property[@name="source.detail"][1]/@value'), CLEAN);
  assert.equal(
    str(xml, `//testcase[@name="${report.rules[target]!.rule}"]/skipped/@message`),
    `not evaluated: ${CLEAN}`,
  );
});

test("two findings of one rule on one object get distinct testcase names", () => {
  const report = structuredClone(demo);
  const f = report.findings[0]!;
  report.findings.splice(1, 0, { ...f, message: "a second problem on the same object" });
  const xml = renderJunit(report);
  assertValid(xml);
  assertCounts(xml);
  const names = xpath(xml, `//testcase[@classname="day2.${f.category}.${f.rule}"]/@name`)
    .trim()
    .split("\n")
    .map((l) => l.trim());
  assert.equal(new Set(names).size, names.length);
  assert.ok(
    names.some((n) => / #2"$/.test(n)),
    names.join(", "),
  );
});

test("the schema check has teeth: a suite without counts or a raw control character is rejected", () => {
  const xml = renderJunit(demo);
  assert.notEqual(
    xmllint(["--noout", "--schema", XSD], xml.replace(/(<testsuite [^>]*?) tests="\d+"/, "$1")).code,
    0,
  );
  assert.notEqual(
    xmllint(["--noout", "--schema", XSD], xml.replace("</failure>", "\u0001</failure>")).code,
    0,
  );
});

/**
 * Data-driven rule tests (Polaris-style): one directory per rule under test/fixtures/checks/,
 * holding `pass.<case>.yaml` (the rule must stay silent) and `fail.<case>.yaml` (the rule
 * must flag exactly the objects named by its `# expect:` lines). Adding a case needs no code;
 * the convention is described in test/fixtures/checks/README.md.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import { readInputs } from "../snapshot/read.js";
import { RULES, runRules } from "./index.js";
import type { Finding, Rule } from "./index.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/checks/", import.meta.url));
const COLLECTED_AT = Date.parse("2026-11-20T12:00:00Z");
const FILE_NAME = /^(pass|fail)\.([a-z0-9]+(?:-[a-z0-9]+)*)\.ya?ml$/;

/** One `# expect:` line: the object (and container) a finding must name, plus evidence it must carry. */
interface Expectation {
  readonly key: string;
  readonly evidence: Readonly<Record<string, string>>;
  readonly line: string;
}

interface Fixture {
  readonly rule: string;
  readonly file: string;
  readonly path: string;
  readonly kind: "pass" | "fail";
  readonly expect: readonly Expectation[];
}

/** `Kind/namespace/name` for namespaced objects, `Kind/name` for cluster-scoped ones, plus ` container=<c>`. */
function findingKey(f: Pick<Finding, "object" | "container">): string {
  const o = f.object;
  const id = o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
  return f.container === undefined ? id : `${id} container=${f.container}`;
}

/**
 * Reads `# expect: Kind/ns/name [container=c] [key=value ...]` lines from the leading comment
 * block (everything before the first line that is neither blank nor a comment).
 */
function parseExpectations(text: string, file: string): Expectation[] {
  const out: Expectation[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (!line.startsWith("#")) break;
    const m = /^#\s*expect:\s*(.+)$/.exec(line);
    if (!m) continue;
    const [object, ...pairs] = m[1]!.trim().split(/\s+/);
    const parts = object!.split("/");
    assert.ok(
      parts.length === 2 || parts.length === 3,
      `${file}: bad expect target "${object}" (want Kind/namespace/name or Kind/name)`,
    );
    let container: string | undefined;
    const evidence: Record<string, string> = {};
    for (const p of pairs) {
      const eq = p.indexOf("=");
      assert.ok(eq > 0, `${file}: bad expect qualifier "${p}" (want key=value)`);
      const k = p.slice(0, eq);
      const v = p.slice(eq + 1);
      if (k === "container") container = v;
      else evidence[k] = v;
    }
    out.push({ key: container === undefined ? object! : `${object} container=${container}`, evidence, line });
  }
  return out;
}

function loadFixtures(): { dirs: string[]; fixtures: Fixture[] } {
  const dirs = readdirSync(FIXTURES)
    .filter((d) => statSync(join(FIXTURES, d)).isDirectory())
    .sort();
  const fixtures: Fixture[] = [];
  for (const rule of dirs) {
    for (const file of readdirSync(join(FIXTURES, rule)).sort()) {
      const path = join(FIXTURES, rule, file);
      const m = FILE_NAME.exec(file);
      assert.ok(
        m,
        `${rule}/${file}: fixture names are pass.<case>.yaml or fail.<case>.yaml (case in kebab-case)`,
      );
      const kind = m[1] as "pass" | "fail";
      fixtures.push({
        rule,
        file,
        path,
        kind,
        expect: parseExpectations(readFileSync(path, "utf8"), `${rule}/${file}`),
      });
    }
  }
  return { dirs, fixtures };
}

async function stateOf(path: string): Promise<ClusterState> {
  // Fixtures are cluster objects with their status (a snapshot in YAML), not static manifests:
  // on a "manifests" source the runtime rules would be not-applicable.
  const builder = new ClusterStateBuilder({
    source: "snapshot",
    sourceDetail: "test",
    collectedAt: COLLECTED_AT,
  });
  // `# cluster-version: v1.34.2` in the leading comments sets the control plane's version.
  const version = /^#\s*cluster-version:\s*(\S+)/m.exec(readFileSync(path, "utf8"))?.[1];
  if (version) builder.updateInfo({ version: { gitVersion: version } });
  await readInputs([path], (o) => builder.add(o));
  return builder.build({ complete: true });
}

function evaluate(rule: Rule, state: ClusterState): Finding[] {
  const run = runRules(state, [rule], { now: state.info.collectedAt });
  const outcome = run.outcomes[0];
  assert.equal(
    outcome?.status,
    "evaluated",
    `rule did not evaluate: ${outcome?.status} ${outcome?.reason ?? ""}`,
  );
  assert.equal(outcome.findings, run.findings.length);
  return run.findings.filter((f) => f.rule === rule.id);
}

const { dirs, fixtures } = loadFixtures();

test("every fixture directory names a rule in RULES (no orphans)", () => {
  const ids = new Set(RULES.map((r) => r.id));
  const orphans = dirs.filter((d) => !ids.has(d));
  assert.deepEqual(orphans, [], `fixture directories without a rule: ${orphans.join(", ")}`);
});

test("every rule has at least one pass and one fail fixture", () => {
  const missing: string[] = [];
  for (const r of RULES) {
    const mine = fixtures.filter((f) => f.rule === r.id);
    if (!mine.some((f) => f.kind === "pass")) missing.push(`${r.id}: no pass.*.yaml`);
    // A rule that judges day2.yaml (origin "config") cannot fail on cluster objects; its
    // failing cases are unit tests beside src/config (see its pass fixture).
    if (r.origin !== "config" && !mine.some((f) => f.kind === "fail"))
      missing.push(`${r.id}: no fail.*.yaml`);
  }
  assert.deepEqual(missing, []);
});

for (const fx of fixtures) {
  const rule = RULES.find((r) => r.id === fx.rule);
  if (!rule) continue; // reported by the orphan test
  test(`${fx.rule}: ${fx.file}`, async () => {
    const findings = evaluate(rule, await stateOf(fx.path));
    if (fx.kind === "pass") {
      assert.equal(fx.expect.length, 0, "a pass fixture must not carry # expect: lines");
      assert.deepEqual(
        findings.map((f) => `${findingKey(f)}: ${f.message}`),
        [],
        "a pass fixture must produce no findings",
      );
      return;
    }
    assert.ok(fx.expect.length > 0, "a fail fixture needs at least one # expect: line");
    assert.deepEqual(
      findings.map(findingKey).sort(),
      fx.expect.map((e) => e.key).sort(),
      "flagged objects differ from the # expect: lines",
    );
    for (const f of findings) {
      assert.ok(f.message.trim().length > 0, `${findingKey(f)}: empty message`);
      assert.ok(Object.keys(f.evidence).length > 0, `${findingKey(f)}: no evidence`);
    }
    for (const e of fx.expect) {
      const pairs = Object.entries(e.evidence);
      if (pairs.length === 0) continue;
      const ok = findings.some(
        (f) => findingKey(f) === e.key && pairs.every(([k, v]) => String(f.evidence[k]) === v),
      );
      assert.ok(
        ok,
        `no finding matches "${e.line}"; evidence seen: ${JSON.stringify(findings.filter((f) => findingKey(f) === e.key).map((f) => f.evidence))}`,
      );
    }
  });
}

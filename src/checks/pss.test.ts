/**
 * The Pod Security Standards table the compliance score counts: every control maps to a rule
 * in RULES, every PSS rule is in the table, and every finding of a table rule names its level
 * and control as the table does (checked on the rules' fail fixtures).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ClusterStateBuilder } from "../state/builder.js";
import { readInputs } from "../snapshot/read.js";
import { RULES, runRules } from "./index.js";
import { PSS_CONTROLS, PSS_RULES } from "./pss.js";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/checks/", import.meta.url));

/** rule id -> "level/control" pairs the table assigns to it. */
const byRule = new Map<string, Set<string>>();
for (const [control, levels] of Object.entries(PSS_CONTROLS)) {
  for (const [level, id] of Object.entries(levels)) {
    byRule.set(id, (byRule.get(id) ?? new Set()).add(`${level}/${control}`));
  }
}

test("every PSS control maps to a registered rule, and every PSS rule to a control", () => {
  const ids = new Set(RULES.map((r) => r.id));
  assert.deepEqual(
    [...byRule.keys()].filter((id) => !ids.has(id)),
    [],
  );
  assert.deepEqual(
    PSS_RULES.map((r) => r.id).filter((id) => !byRule.has(id)),
    [],
  );
  // The standard's 11 baseline and 6 restricted controls (two share a name across levels).
  const levels = Object.values(PSS_CONTROLS).flatMap((l) => Object.keys(l));
  assert.equal(levels.filter((l) => l === "baseline").length, 11);
  assert.equal(levels.filter((l) => l === "restricted").length, 6);
});

test("findings of PSS rules carry the level and control the table names", async () => {
  for (const [id, pairs] of byRule) {
    const rule = RULES.find((r) => r.id === id)!;
    const files = readdirSync(join(FIXTURES, id)).filter((f) => f.startsWith("fail."));
    for (const file of files) {
      const builder = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: 0 });
      await readInputs([join(FIXTURES, id, file)], (o) => builder.add(o));
      const { findings } = runRules(builder.build({ complete: true }), [rule], { now: 0 });
      assert.ok(findings.length > 0, `${id}/${file}: no findings`);
      for (const f of findings) {
        const controls = String(f.evidence.control).split(",");
        for (const c of controls)
          assert.ok(
            pairs.has(`${f.evidence.pss}/${c}`),
            `${id}/${file}: ${f.evidence.pss}/${c} not in PSS_CONTROLS`,
          );
      }
    }
  }
});

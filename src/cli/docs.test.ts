/** Code and docs kept in step both ways: rules, error codes, exit codes, output formats. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RULES } from "../checks/index.js";
import { withRulesTable } from "../../scripts/gen-docs.js";
import { ERROR_CODES } from "./errors.js";
import { OUTPUT_FORMATS } from "../report/render/index.js";

const README = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

function tableIds(section: string, pattern: RegExp): string[] {
  const start = README.indexOf(section);
  assert.ok(start >= 0, `README has a "${section}" section`);
  const body = README.slice(start, README.indexOf("\n## ", start + 1));
  return [...body.matchAll(pattern)].map((m) => m[1]!);
}

test("README's rule table is the generated one (run `npm run docs` after changing rules)", () => {
  assert.equal(withRulesTable(README), README);
  const rows = tableIds("## Rules", /^\| `([a-z0-9-]+)` \|/gm);
  assert.deepEqual(
    rows,
    RULES.map((r) => r.id),
  );
});

test("README documents every error code with its exit code, and nothing else", () => {
  const rows = tableIds("## Exit codes", /^\| `(D2_ERR_[A-Z_]+)` \|/gm);
  assert.deepEqual(rows.sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, { exit }] of Object.entries(ERROR_CODES)) {
    assert.match(README, new RegExp(`\\| \`${code}\` \\| ${exit} \\|`), code);
    assert.match(README, new RegExp(`^\\| ${exit} \\|`, "m"), `exit ${exit} is in the exit code table`);
  }
});

test("README names every output format", () => {
  for (const f of OUTPUT_FORMATS) assert.ok(README.includes(`\`${f}\``), f);
});

/**
 * `npm run docs`: regenerates the generated parts of README.md (the rule reference table)
 * from the rule registry, between the `<!-- rules:begin -->` / `<!-- rules:end -->` markers,
 * and deploy/rbac/day2-reader.yaml from the permission table (scripts/gen-rbac.ts), and the
 * projection code's fingerprint (scripts/projection-fingerprint.ts).
 * src/cli/docs.test.ts fails when README is out of date, so a new rule cannot land
 * undocumented; src/kube/permissions.test.ts does the same for the role.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { RULES } from "../src/checks/index.js";
import { writeReaderRole } from "./gen-rbac.js";
import { writeProjectionFingerprint } from "./projection-fingerprint.js";

const README = fileURLToPath(new URL("../README.md", import.meta.url));

export function rulesTable(): string {
  // runtime: judges status, so "not applicable" on static manifests (helm template output).
  const rows = RULES.map(
    (r) =>
      `| \`${r.id}\` | ${r.severity} | ${r.category} | ${r.title.replace(/\|/g, "\\|")} | ${r.runtime ? "runtime" : ""} | [runbook](${r.runbook}) |`,
  );
  return [
    "| id | severity | category | title | input | runbook |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export function withRulesTable(readme: string): string {
  const begin = "<!-- rules:begin -->";
  const end = "<!-- rules:end -->";
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error("README.md has no <!-- rules:begin --> / <!-- rules:end --> markers");
  return `${readme.slice(0, a + begin.length)}\n${rulesTable()}\n${readme.slice(b)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(README, withRulesTable(readFileSync(README, "utf8")));
  process.stdout.write(`README.md: ${RULES.length} rules\n`);
  process.stdout.write(`${writeReaderRole()}\n`); // the reader ClusterRole, from the same kind catalogue
  process.stdout.write(`${writeProjectionFingerprint()}\n`); // guards snapshots' stored projections
}

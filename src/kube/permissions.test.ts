/**
 * The permission table and the file generated from it: deploy/rbac/day2-reader.yaml must be
 * what scripts/gen-rbac.ts writes today (run `node --import tsx scripts/gen-rbac.ts`, or
 * `npm run docs`, after changing KINDS).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { KINDS } from "../state/kinds.js";
import { PERMISSIONS, permissionText, readerRules, readerYaml } from "./permissions.js";

const FILE = fileURLToPath(new URL("../../deploy/rbac/day2-reader.yaml", import.meta.url));

test("deploy/rbac/day2-reader.yaml is up to date (node --import tsx scripts/gen-rbac.ts)", () => {
  assert.equal(readFileSync(FILE, "utf8"), readerYaml());
});

test("one row per kind in KINDS; every kind needs list and nothing else (secrets too: metadata-only is an Accept header)", () => {
  assert.deepEqual(
    PERMISSIONS.map((p) => p.kind),
    KINDS.map((k) => k.kind),
  );
  for (const p of PERMISSIONS) assert.deepEqual(p.verbs, ["list"], p.kind);
  assert.equal(permissionText("list", "", "secrets"), "list secrets");
  assert.equal(permissionText("list", "apps", "deployments"), "list apps/deployments");
});

test("the ClusterRole grants exactly list on every kind's resource, one rule per group, sorted", () => {
  const docs = parseAllDocuments(readFileSync(FILE, "utf8")).map((d) => d.toJS() as Record<string, unknown>);
  assert.deepEqual(
    docs.map((d) => d.kind),
    ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"],
  );
  const role = docs[2] as {
    metadata: { name: string };
    rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  };
  assert.equal(role.metadata.name, "day2-reader");
  assert.deepEqual(role.rules, readerRules());
  const groups = role.rules.map((r) => r.apiGroups[0]!);
  assert.deepEqual(groups, [...groups].sort());
  assert.equal(new Set(groups).size, groups.length, "one rule per group");
  const granted = role.rules.flatMap((r) => {
    assert.deepEqual(r.verbs, ["list"]);
    assert.deepEqual(r.resources, [...r.resources].sort());
    return r.resources.map((res) => `${r.apiGroups[0]}/${res}`);
  });
  assert.deepEqual(granted.sort(), KINDS.map((k) => `${k.group}/${k.plural}`).sort());
  const binding = docs[3] as {
    roleRef: { name: string };
    subjects: { kind: string; name: string; namespace: string }[];
  };
  assert.equal(binding.roleRef.name, "day2-reader");
  assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "day2", namespace: "day2" }]);
});

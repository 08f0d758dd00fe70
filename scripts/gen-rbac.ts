/**
 * Writes deploy/rbac/day2-reader.yaml (the read-only ClusterRole a full scan needs, a
 * ServiceAccount `day2` in namespace `day2` and the binding) from the permission table in
 * src/kube/permissions.ts, which the live preflight reads too. `npm run docs` runs it as well;
 * src/kube/permissions.test.ts fails when the file is out of date.
 *
 *   node --import tsx scripts/gen-rbac.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSIONS, readerYaml } from "../src/kube/permissions.js";

export const READER_FILE = fileURLToPath(new URL("../deploy/rbac/day2-reader.yaml", import.meta.url));

export function writeReaderRole(): string {
  mkdirSync(dirname(READER_FILE), { recursive: true });
  writeFileSync(READER_FILE, readerYaml());
  return `deploy/rbac/day2-reader.yaml: list on ${PERMISSIONS.length} resources`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${writeReaderRole()}\n`);
}

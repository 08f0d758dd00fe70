import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ClusterStateBuilder } from "../../state/builder.js";
import { readInputs } from "../../snapshot/read.js";
import { RULES } from "../../checks/index.js";
import { buildReport } from "../report.js";
import { renderJsonChunks } from "./index.js";

const FIXTURE = fileURLToPath(new URL("../../../test/fixtures/state/small-cluster.yaml", import.meta.url));

test("streamed -o json is byte for byte JSON.stringify(report, null, 2)", async () => {
  const b = new ClusterStateBuilder({
    source: "manifests",
    sourceDetail: "t",
    collectedAt: Date.parse("2026-11-20T12:00:00Z"),
  });
  await readInputs([FIXTURE], (o) => b.add(o));
  const report = buildReport(b.build({ complete: false }), { rules: RULES });
  assert.ok(report.findings.length > 1);
  assert.equal([...renderJsonChunks(report)].join(""), JSON.stringify(report, null, 2) + "\n");
  const empty = { ...report, findings: [] };
  assert.equal([...renderJsonChunks(empty)].join(""), JSON.stringify(empty, null, 2) + "\n");
  // Batches of 1,000: one short of, exactly at, and past the boundaries.
  for (const n of [999, 1000, 1001, 2500]) {
    const many = {
      ...report,
      findings: Array.from({ length: n }, (_, i) => report.findings[i % report.findings.length]!),
    };
    assert.equal([...renderJsonChunks(many)].join(""), JSON.stringify(many, null, 2) + "\n", `${n} findings`);
  }
});

/** `day2 kpi` as a user runs it: a separate process on the demo cluster, with and without a store. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { seedDemo } from "../incident/demo-seed.js";
import { KPI_IDS } from "../kpi/types.js";
import { Store } from "../store/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const TMP = mkdtempSync(join(tmpdir(), "day2-kpi-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

function day2(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const { KUBECONFIG: _k, DAY2_SERVER: _s, DAY2_TOKEN: _t, ...rest } = process.env;
  const r = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: ROOT,
    env: { ...rest, HOME: TMP, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Row {
  id: string;
  name: string;
  value: number | null;
  unit: string;
  target: unknown;
  status: string;
  reason: string | null;
  source?: string | null;
}

test("day2 kpi -o json on the demo: the 16, cluster/cost/security values, no-data reasons", () => {
  const r = day2(["kpi", "--demo", "--window", "7d", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Row[];
  assert.deepEqual(
    rows.map((x) => x.id),
    [...KPI_IDS],
  );
  for (const x of rows) {
    for (const k of ["id", "name", "value", "unit", "target", "status", "reason"])
      assert.ok(k in x, `${x.id}.${k}`);
    assert.ok(["met", "at-risk", "missed", "no-data"].includes(x.status));
  }
  const by = Object.fromEntries(rows.map((x) => [x.id, x]));
  // The demo cluster brings its 90-day demo incident history (as `day2 serve --demo` seeds it).
  for (const id of ["mttr", "mtbf", "security-incidents"]) {
    assert.equal(typeof by[id]!.value, "number", id);
    assert.equal(by[id]!.source, "incident history", id);
  }
  for (const id of ["p95-latency", "api-response-time", "cost-per-request"])
    assert.equal(by[id]!.reason, "no data: no Prometheus (--prometheus)");
  for (const id of [
    "failed-deployments",
    "pod-startup-time",
    "resource-utilization",
    "compute-cost-efficiency",
    "storage-cost-per-tb",
    "idle-resource-pct",
    "compliance-score",
  ])
    assert.equal(typeof by[id]!.value, "number", id);
});

test("day2 kpi --db of a demo store: incident KPIs get values", async () => {
  const db = join(TMP, "demo.db");
  const store = await Store.open(db);
  await seedDemo(store, { seed: 42, now: Date.now() });
  await store.close();
  const r = day2(["kpi", "--demo", "--window", "7d", "--db", db, "-o", "yaml"]);
  assert.equal(r.code, 0, r.stderr);
  const by = Object.fromEntries((parse(r.stdout) as Row[]).map((x) => [x.id, x]));
  assert.equal(typeof by.mttr!.value, "number");
  assert.equal(typeof by.uptime!.value, "number");
  assert.equal(typeof by["security-incidents"]!.value, "number");
});

test("day2 kpi slo-rules writes a PrometheusRule; bad flags are usage errors", () => {
  const r = day2(["kpi", "slo-rules", "--target", "99.9"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = parse(r.stdout) as { kind: string };
  assert.equal(doc.kind, "PrometheusRule");
  assert.match(r.stdout, /14\.4 \* 0\.001/);
  assert.equal(day2(["kpi", "slo-rules", "--target", "120"]).code, 2);
  assert.equal(day2(["kpi", "--demo", "-o", "markdown"]).code, 2);
});

/** `day2 kpi` as a user runs it: a separate process on the demo cluster, with and without a store. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { seedDemo } from "../incident/demo-seed.js";
import { KPI_IDS } from "../kpi/types.js";
import { Store } from "../store/index.js";
import { recordCollection } from "../store/collections.js";
import { writeFileSync } from "node:fs";

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

test("day2 kpi --db with KPI history: trends against the values one window back; --previous overrides", async () => {
  const db = join(TMP, "history.db");
  const store = await Store.open(db);
  const DAY = 86_400_000;
  const now = Date.now();
  const kpis = (fd: number, idle: number) => [
    { id: "failed-deployments", value: fd, status: "missed", payload: {} },
    { id: "idle-resource-pct", value: idle, status: "met", payload: {} },
  ];
  const base = { durationMs: 1, ok: true, findings: [] };
  // Daily history 40 days back to 1 day back; the one 30 days back is the one to compare with.
  for (let d = 40; d >= 1; d--)
    await recordCollection(store.raw, { ...base, at: now - d * DAY, kpis: kpis(d === 30 ? 80 : 90, d) });
  // The latest run, minutes ago: not a trend over the window.
  await recordCollection(store.raw, { ...base, at: now - 15 * 60_000, kpis: kpis(1, 1) });
  await store.close();
  const r = day2(["kpi", "--demo", "--db", db, "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const by = Object.fromEntries(
    (JSON.parse(r.stdout) as (Row & { trend: { previous: number } | null })[]).map((x) => [x.id, x]),
  );
  assert.equal(by["failed-deployments"]!.trend?.previous, 80);
  assert.equal(by["idle-resource-pct"]!.trend?.previous, 30);
  assert.match(r.stderr, /trends against .*history\.db's KPI history one window \(30d\) back/);
  const table = day2(["kpi", "--demo", "--db", db]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Failed deployments .*[↑↓→] [+-]?\d/);
  // --previous FILE wins over the store.
  const file = join(TMP, "previous.json");
  writeFileSync(file, JSON.stringify([{ id: "failed-deployments", value: 12 }]));
  const p = day2(["kpi", "--demo", "--db", db, "--previous", file, "-o", "json"]);
  assert.equal(p.code, 0, p.stderr);
  const pby = Object.fromEntries(
    (JSON.parse(p.stdout) as (Row & { trend: { previous: number } | null })[]).map((x) => [x.id, x]),
  );
  assert.equal(pby["failed-deployments"]!.trend?.previous, 12);
  assert.equal(pby["idle-resource-pct"]!.trend, null);
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

test("day2 kpi --server: trends against the server's stored KPI values one window back", async () => {
  const db = join(TMP, "server-history.db");
  const store = await Store.open(db);
  const DAY = 86_400_000;
  const now = Date.now();
  const base = { durationMs: 1, ok: true, findings: [] };
  // Stored runs carry whole KPI results, as the server's collections store them.
  const current = day2(["kpi", "--demo", "-o", "json"]);
  assert.equal(current.code, 0, current.stderr);
  const results = JSON.parse(current.stdout) as (Row & { id: string })[];
  // Around one window (30 days) back the value is 80; elsewhere 90; minutes ago 1 (no trend).
  const run = (at: number, fd: number) =>
    recordCollection(store.raw, {
      ...base,
      at,
      kpis: results.map((k) => {
        const value = k.id === "failed-deployments" ? fd : k.value;
        return { id: k.id, value, status: k.status, payload: { ...k, value } };
      }),
    });
  for (let d = 40; d >= 1; d--) await run(now - d * DAY, d >= 20 && d <= 35 ? 80 : 90);
  await run(now - 15 * 60_000, 1);
  await store.close();
  const token = day2(["token", "create", "--role", "viewer", "--name", "kpi", "--db", db]);
  assert.equal(token.code, 0, token.stderr);
  const proc = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "serve", "--port", "0", "--db", db, "--collect-interval", "0"],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`day2 serve did not start: ${out}`)), 60_000);
      proc.stdout.setEncoding("utf8").on("data", (c: string) => {
        out += c;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc.on("exit", (code) => reject(new Error(`day2 serve exited ${code}`)));
    });
    const r = day2(["kpi", "--demo", "--server", url, "--token", token.stdout.trim(), "-o", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const by = Object.fromEntries(
      (JSON.parse(r.stdout) as (Row & { trend: { previous: number } | null })[]).map((x) => [x.id, x]),
    );
    assert.equal(by["failed-deployments"]!.trend?.previous, 80);
    assert.match(r.stderr, /trends against http:\/\/127\.0\.0\.1:\d+'s KPI history one window \(30d\) back/);
  } finally {
    const exited = new Promise((resolve) => proc.on("exit", resolve));
    proc.kill("SIGTERM");
    await exited;
  }
});

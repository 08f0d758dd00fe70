/**
 * Continuous collection in the real `day2 serve` process: the demo cluster every 2 s into a
 * temp SQLite store, read back through /api/v1/overview, findings, cost and /metrics; and a
 * --snapshot whose file is replaced between runs, so the fixed finding gets its fixedAt.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import { KPI_IDS } from "../../src/kpi/types.js";
import { Store } from "../../src/store/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const tmp = mkdtempSync(join(tmpdir(), "day2-collect-"));
const children: ChildProcess[] = [];

after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(tmp, { recursive: true, force: true });
});

interface Served {
  url: string;
  token: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `day2 serve --port 0 ...` with a fresh db and an admin token; resolves once it listens. */
async function serve(name: string, args: string[]): Promise<Served> {
  const db = join(tmp, `${name}.db`);
  const store = await Store.open(db);
  const { token } = await store.createToken({ name: "it", role: "admin" });
  await store.close();
  const home = mkdtempSync(join(tmp, "home-"));
  const { KUBECONFIG: _k, ...env } = process.env;
  const p = spawn(process.execPath, ["--import", "tsx", MAIN, "serve", "--port", "0", "--db", db, ...args], {
    cwd: ROOT,
    env: { ...env, HOME: home, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(p);
  let out = "";
  let err = "";
  p.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line; stderr:\n${err}`)), 60_000);
    p.stdout!.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    p.on("exit", (code) => reject(new Error(`day2 serve exited ${code}; stderr:\n${err}`)));
  });
  return {
    url,
    token,
    stderr: () => err,
    stop: () =>
      new Promise<void>((resolve) => {
        if (p.exitCode !== null) return resolve();
        p.once("exit", () => resolve());
        p.kill("SIGTERM");
      }),
  };
}

// JSON answers are checked field by field; their schemas are tested in src/server/routes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function getJson(s: Served, path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${s.token}` } });
  return { status: r.status, body: await r.json() };
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const DEPLOYMENT = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: ${image}
`;

describe("day2 serve: continuous collection", () => {
  test("--demo --collect-interval 2s: overview, findings, cost and /metrics from the stored runs", async () => {
    const s = await serve("demo", ["--demo", "--collect-interval", "2s"]);
    try {
      const overview = await until("a collection", 90_000, async () => {
        const o = await getJson(s, "/api/v1/overview");
        return o.body.lastCollection?.ok ? o.body : undefined;
      });
      assert.equal(overview.cluster.source, "demo");
      assert.equal(typeof overview.score.value, "number");
      assert.equal(overview.kpis.length, 16);
      assert.ok(overview.openIncidents.total > 0, "the demo's seeded incidents");

      const findings = await getJson(s, "/api/v1/findings?limit=10");
      assert.equal(findings.status, 200);
      assert.equal(findings.body.items.length, 10);
      assert.ok(findings.body.total > 10);
      const bad = await getJson(s, "/api/v1/findings?limit=abc");
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /querystring\.limit/);

      const cost = await getJson(s, "/api/v1/cost");
      assert.equal(cost.status, 200);
      assert.ok(cost.body.monthlyTotal > 0);

      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /^day2_scan_score \d+(\.\d+)?$/m);
      assert.match(metrics, /^day2_kpi_value\{kpi="[a-z-]+"\} /m);
      assert.match(metrics, /^day2_collection_last_success_timestamp_seconds \d/m);
      // Every KPI of issue 8 with exactly one of its four statuses at 1; every severity counted.
      const status = new Map<string, Map<string, number>>();
      for (const m of metrics.matchAll(/^day2_kpi_status\{kpi="([^"]+)",status="([^"]+)"\} (\S+)$/gm)) {
        const byStatus = status.get(m[1]!) ?? new Map<string, number>();
        byStatus.set(m[2]!, Number(m[3]));
        status.set(m[1]!, byStatus);
      }
      assert.deepEqual([...status.keys()].sort(), [...KPI_IDS].sort());
      for (const [kpi, byStatus] of status) {
        assert.deepEqual([...byStatus.keys()].sort(), ["at-risk", "met", "missed", "no-data"], kpi);
        assert.deepEqual(
          [...byStatus.values()].sort(),
          [0, 0, 0, 1],
          `${kpi}: ${JSON.stringify([...byStatus])}`,
        );
      }
      for (const severity of ["critical", "high", "medium", "low", "info"])
        assert.match(metrics, new RegExp(`^day2_findings\\{severity="${severity}"\\} \\d+$`, "m"), severity);
    } finally {
      await s.stop();
    }
  });

  test("--snapshot replaced between runs: the finding that went away gets fixedAt", async () => {
    const file = join(tmp, "cluster.yaml");
    writeFileSync(file, DEPLOYMENT("nginx:latest"));
    const s = await serve("snapshot", ["--snapshot", file, "--collect-interval", "2s"]);
    try {
      const open = await until("the latest-tag finding", 60_000, async () => {
        const r = await getJson(s, "/api/v1/findings?rule=image-latest-tag");
        return r.body.total === 1 ? r.body.items[0] : undefined;
      });
      assert.equal(open.fixedAt, null);
      assert.equal(open.namespace, "shop");
      writeFileSync(file, DEPLOYMENT("nginx:1.27.3"));
      const fixed = await until("fixedAt", 60_000, async () => {
        const r = await getJson(s, "/api/v1/findings?rule=image-latest-tag&status=fixed");
        return r.body.total === 1 ? r.body.items[0] : undefined;
      });
      assert.equal(fixed.key, open.key);
      assert.ok(Date.parse(fixed.fixedAt) > Date.parse(fixed.lastSeen));
      // The other findings of the same Deployment are still open.
      const still = await getJson(s, "/api/v1/findings?namespace=shop");
      assert.ok(still.body.total > 0);
    } finally {
      await s.stop();
    }
  });

  test("no cluster source: collection is off with one line saying why; the API still answers", async () => {
    const s = await serve("off", []);
    try {
      await until("the off line", 10_000, async () =>
        /collection: off \(/.test(s.stderr()) ? true : undefined,
      );
      const o = await getJson(s, "/api/v1/overview");
      assert.equal(o.status, 200);
      assert.equal(o.body.lastCollection, null);
    } finally {
      await s.stop();
    }
  });
});

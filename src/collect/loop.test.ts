import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CATALOG } from "../kpi/catalog.js";
import { DEFAULT_QUERIES } from "../kpi/compute/prometheus.js";
import { Store } from "../store/index.js";
import { latestRun, listRuns } from "../store/collections.js";
import type { CollectSources } from "./collect.js";
import { Collector } from "./loop.js";

const dir = mkdtempSync(join(tmpdir(), "day2-collect-loop-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function failing(calls: { n: number }): CollectSources {
  return {
    loadState: async () => {
      calls.n++;
      await new Promise((r) => setTimeout(r, 20));
      throw new Error("connect ECONNREFUSED 10.0.0.1:6443");
    },
    usage: async () => {
      throw new Error("unreachable");
    },
    incidents: async () => undefined,
    previousKpis: async () => ({}),
  };
}

test("a failed collection is stored with its error and logged; runs never overlap", async () => {
  const store = await Store.open(join(dir, "a.db"));
  const calls = { n: 0 };
  const warnings: string[] = [];
  const c = new Collector({
    store: store.raw,
    sources: failing(calls),
    settings: { catalog: CATALOG, queries: DEFAULT_QUERIES },
    intervalMs: 60_000,
    isLeader: () => true,
    log: { info: () => undefined, warn: (m) => warnings.push(m) },
  });
  const [a, b] = await Promise.all([c.runOnce(), c.runOnce()]);
  assert.equal(a, b, "the second call gets the run in progress");
  assert.equal(calls.n, 1);
  assert.equal(a.ok, false);
  const run = await latestRun(store.raw);
  assert.equal(run?.ok, false);
  assert.equal(run?.error, "connect ECONNREFUSED 10.0.0.1:6443");
  assert.ok(warnings.some((w) => /collection failed: connect ECONNREFUSED/.test(w)));
  // The latest run is less than an interval old: nothing is due.
  assert.equal(await c.check(), undefined);
  assert.equal(calls.n, 1);
  await store.close();
});

test("only the leader collects, and it follows the stored schedule", async () => {
  const store = await Store.open(join(dir, "b.db"));
  const calls = { n: 0 };
  let leader = false;
  let now = Date.UTC(2026, 4, 1);
  const c = new Collector({
    store: store.raw,
    sources: failing(calls),
    settings: { catalog: CATALOG, queries: DEFAULT_QUERIES },
    intervalMs: 60_000,
    isLeader: () => leader,
    log: { info: () => undefined, warn: () => undefined },
    now: () => now,
  });
  assert.equal(await c.check(), undefined);
  assert.equal(calls.n, 0, "a follower never collects");
  leader = true;
  assert.equal((await c.check())?.ok, false);
  now += 30_000;
  assert.equal(await c.check(), undefined, "not due yet");
  now += 30_000;
  assert.notEqual(await c.check(), undefined, "due after one interval");
  assert.equal((await listRuns(store.raw)).length, 2);
  await c.stop();
  await store.close();
});

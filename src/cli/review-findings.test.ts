/**
 * `day2 review monthly --db` on a store filled by real collections of the demo cluster: the
 * security audit's policy changes are the security findings first seen, fixed or reopened in
 * the month, read from the collection tables `day2 serve` writes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { day2Async } from "../../test/support/day2-cli.js";
import { collectOnce, type CollectSources } from "../collect/collect.js";
import { usageWindow } from "./cost/shared.js";
import { demoUsage } from "../cost/usage/demo.js";
import { demoOptionsFromScale } from "../demo/scale.js";
import { CATALOG } from "../kpi/catalog.js";
import { DEFAULT_QUERIES } from "../kpi/compute/prometheus.js";
import { Store } from "../store/index.js";
import { recordCollection, type CollectionInput, type FindingInput } from "../store/collections.js";
import type { GlobalOptions } from "./options.js";
import { loadDemo } from "./source.js";

const TMP = mkdtempSync(join(tmpdir(), "day2-review-findings-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

const SEED = 42;
const at = (iso: string) => Date.parse(iso);

/** The demo cluster as `day2 serve --demo` collects it (no incidents: none are needed here). */
function demoSources(): CollectSources {
  const state = loadDemo({ seed: SEED, scale: "small" } as GlobalOptions);
  return {
    loadState: async () => state,
    usage: async (s) => ({
      usage: demoUsage(demoOptionsFromScale("small", SEED), s, usageWindow(s, 14 * 86_400, 3600)),
    }),
    incidents: async (window) => ({ incidents: [], window }),
    previousKpis: async () => ({}),
  };
}

type Sets = Record<"opened" | "fixed" | "reopened" | "fixedAfter" | "otherFixed", FindingInput[]>;
let db: string;
let sets: Sets;

before(async () => {
  db = join(TMP, "day2.db");
  const collected = await collectOnce(
    demoSources(),
    { catalog: CATALOG, queries: DEFAULT_QUERIES },
    at("2026-09-25T06:00:00Z"),
  );
  const all = collected.input.findings ?? [];
  const security = all.filter((f) => f.category === "security");
  const other = all.filter((f) => f.category !== "security");
  assert.ok(security.length >= 8 && other.length >= 1, `${security.length} security findings`);
  sets = {
    opened: security.slice(0, 2),
    fixed: security.slice(2, 4),
    reopened: security.slice(4, 6),
    fixedAfter: security.slice(6, 8),
    otherFixed: other.slice(0, 1),
  };
  const without = (...out: FindingInput[][]) => {
    const gone = new Set(out.flat().map((f) => f.key));
    return all.filter((f) => !gone.has(f.key));
  };
  const run = (iso: string, findings: FindingInput[]): CollectionInput => ({
    ...collected.input,
    at: at(iso),
    durationMs: 1000,
    findings,
  });
  const store = await Store.open(db);
  try {
    // September: everything but the findings that open in October.
    await recordCollection(store.raw, run("2026-09-25T06:00:00Z", without(sets.opened)));
    // October 5: those open; some are fixed (a security pair, a reopening pair, one other).
    await recordCollection(
      store.raw,
      run("2026-10-05T06:00:00Z", without(sets.fixed, sets.reopened, sets.otherFixed)),
    );
    // October 20: the reopening pair is back.
    await recordCollection(store.raw, run("2026-10-20T06:00:00Z", without(sets.fixed, sets.otherFixed)));
    // November: another pair fixed, after the month.
    await recordCollection(
      store.raw,
      run("2026-11-05T06:00:00Z", without(sets.fixed, sets.otherFixed, sets.fixedAfter)),
    );
  } finally {
    await store.close();
  }
});

interface PolicyChanges {
  available: boolean;
  opened: number;
  fixed: number;
  byRule: { rule: string; opened: number; fixed: number }[];
}

test("review monthly --db: October's security findings opened, fixed and reopened, by rule", async () => {
  const r = await day2Async(
    ["review", "monthly", "--demo", "--month", "2026-10", "--db", db, "-o", "json"],
    {},
    TMP,
  );
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { security: { policyChanges: PolicyChanges } };
  const pc = doc.security.policyChanges;
  assert.equal(pc.available, true, JSON.stringify(pc));
  // Opened: the two first seen in October and the two reopened in it; fixed: the pair fixed on
  // October 5 (the reopened pair's fix was cleared by the reopen; the November fixes and the
  // non-security finding are not counted).
  assert.equal(pc.opened, 4);
  assert.equal(pc.fixed, 2);
  const expected = new Map<string, { opened: number; fixed: number }>();
  const add = (fs: FindingInput[], k: "opened" | "fixed") => {
    for (const f of fs) {
      const e = expected.get(f.rule) ?? { opened: 0, fixed: 0 };
      e[k]++;
      expected.set(f.rule, e);
    }
  };
  add([...sets.opened, ...sets.reopened], "opened");
  add(sets.fixed, "fixed");
  assert.deepEqual(new Map(pc.byRule.map((b) => [b.rule, { opened: b.opened, fixed: b.fixed }])), expected);

  // November: the pair fixed then; nothing opened.
  const nov = await day2Async(
    ["review", "monthly", "--demo", "--month", "2026-11", "--db", db, "-o", "json"],
    {},
    TMP,
  );
  assert.equal(nov.code, 0, nov.stderr);
  const n = (JSON.parse(nov.stdout) as { security: { policyChanges: PolicyChanges } }).security.policyChanges;
  assert.deepEqual([n.opened, n.fixed], [0, 2]);
});

test("review monthly --db on a store without collections says why there is no history", async () => {
  const empty = join(TMP, "empty.db");
  await (await Store.open(empty)).close();
  const r = await day2Async(
    ["review", "monthly", "--demo", "--month", "2026-10", "--db", empty, "-o", "markdown"],
    {},
    TMP,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /No findings history: the store holds no collection yet/);
});

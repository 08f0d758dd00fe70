import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { day2Async } from "../../test/support/day2-cli.js";
import { seedDemo } from "../incident/demo-seed.js";
import { DEMO_NOW, DEMO_NOW_MS } from "../demo/index.js";
import { recordCollection } from "../store/collections.js";
import { Store } from "../store/index.js";

const tmp = mkdtempSync(join(tmpdir(), "day2-rhythm-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const AT = "2026-11-25T09:00:00Z";

test("daily on the demo cluster: evaluated items with evidence, incidents from the demo history without a store", async () => {
  const r = await day2Async(["rhythm", "daily", "--demo", "--at", AT, "-o", "json"], {}, tmp);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    period: string;
    items: { id: string; status: string; evidence: string[]; command?: string }[];
  };
  assert.equal(doc.period, "2026-11-25");
  const by = new Map(doc.items.map((i) => [i.id, i]));
  assert.match(by.get("security-scan")!.evidence.join("\n"), /critical findings in all categories: \d+/);
  assert.match(by.get("cost-trends")!.evidence.join("\n"), /monthly cost \$[\d,]+\.\d\d/);
  assert.match(by.get("cluster-health")!.evidence.join("\n"), /score \d+\.\d/);
  assert.equal(by.get("cluster-health")!.command, "day2 scan");
  // No store: the demo cluster's own incident history, ending at --at.
  assert.match(by.get("overnight-alerts")!.evidence[0]!, /^\d+ incidents? in the last 24h/);
  assert.match(by.get("critical-incidents")!.evidence[0]!, /^\d+ open P0\/P1 incidents? \(\d+ open in all\)/);
});

test("daily and quarterly with the demo incident history: incident evidence from the store", async () => {
  const db = join(tmp, "demo.db");
  const store = await Store.open(db);
  try {
    await seedDemo(store, { seed: 42, now: DEMO_NOW_MS });
  } finally {
    await store.close();
  }
  const r = await day2Async(
    ["rhythm", "daily", "--demo", "--db", db, "--at", DEMO_NOW, "-o", "json"],
    {},
    tmp,
  );
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { items: { id: string; status: string; evidence: string[] }[] };
  const by = new Map(doc.items.map((i) => [i.id, i]));
  assert.notEqual(by.get("overnight-alerts")!.status, "not-available");
  assert.match(by.get("overnight-alerts")!.evidence[0]!, /^\d+ incidents? in the last 24h/);
  assert.match(by.get("critical-incidents")!.evidence[0]!, /^\d+ open P0\/P1 incidents? \(\d+ open in all\)/);
  const q = await day2Async(["rhythm", "quarterly", "--demo", "--db", db, "--at", DEMO_NOW], {}, tmp);
  assert.equal(q.code, 0, q.stderr);
  assert.match(
    q.stdout,
    /Incident retrospectives[\s\S]*\d+ incidents? resolved this quarter, \d+ P0\/P1, \d+ without a review/,
  );
  assert.match(q.stdout, /TO DO\s+Architecture review/);
});

test("monthly: DR and chaos say their module does not exist; a sign-off shows as done for the period", async () => {
  const db = join(tmp, "day2.db");
  const before = await day2Async(["rhythm", "monthly", "--demo", "--db", db, "--at", AT], {}, tmp);
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, /TO DO\s+DR testing[\s\S]*DR drills module does not exist in day2 yet/);
  assert.match(before.stdout, /chaos experiments module does not exist in day2 yet/);
  const s = await day2Async(
    [
      "rhythm",
      "signoff",
      "monthly",
      "dr-testing",
      "--by",
      "ana",
      "--note",
      "restore drill ok",
      "--db",
      db,
      "--at",
      AT,
    ],
    {},
    tmp,
  );
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /signed off monthly dr-testing .* for 2026-11 by ana/);
  const md = await day2Async(
    ["rhythm", "monthly", "--demo", "--db", db, "--at", AT, "-o", "markdown"],
    {},
    tmp,
  );
  assert.equal(md.code, 0, md.stderr);
  assert.match(
    md.stdout,
    /\| DONE \| DR testing .*signed off by ana at 2026-11-25T09:00:00.000Z: restore drill ok/,
  );
  const next = await day2Async(
    ["rhythm", "monthly", "--demo", "--db", db, "--at", "2026-12-02T09:00:00Z"],
    {},
    tmp,
  );
  assert.match(next.stdout, /TO DO\s+DR testing/);
  const html = await day2Async(
    ["rhythm", "quarterly", "--demo", "--db", db, "--at", AT, "-o", "html"],
    {},
    tmp,
  );
  assert.equal(html.code, 0, html.stderr);
  assert.match(html.stdout, /<!doctype html>[\s\S]*upgrades module does not exist/);
});

test("garbage exits 2 naming it", async () => {
  const db = join(tmp, "bad.db");
  const cad = await day2Async(["rhythm", "signoff", "hourly", "x", "--by", "a", "--db", db], {}, tmp);
  assert.equal(cad.code, 2);
  assert.match(cad.stderr, /unknown cadence "hourly"/);
  const item = await day2Async(["rhythm", "signoff", "daily", "nap", "--by", "a", "--db", db], {}, tmp);
  assert.equal(item.code, 2);
  assert.match(item.stderr, /unknown daily item "nap": expected overnight-alerts/);
  const sub = await day2Async(["rhythm", "hourly"], {}, tmp);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /hourly/);
  const fmt = await day2Async(["rhythm", "daily", "--demo", "-o", "sarif"], {}, tmp);
  assert.equal(fmt.code, 2);
  assert.match(fmt.stderr, /-o sarif/);
});

test("--config rhythm.timeZone: a sign-off in Tokyo's morning counts for Tokyo's day; --db cost summaries give the 7-day trend", async () => {
  const db = join(tmp, "tokyo.db");
  const config = join(tmp, "tokyo.yaml");
  writeFileSync(
    config,
    `incidents:
  notifications:
    webhooks: [{ name: pager, url: "https://pager.example/hook" }]
rhythm:
  timeZone: Asia/Tokyo
  daily: "08:00"
  notify: [pager]
`,
  );
  const store = await Store.open(db);
  try {
    await recordCollection(store.raw, {
      at: Date.parse("2026-11-02T23:00:00Z"),
      durationMs: 10,
      ok: true,
      cost: { monthly: 1000, payload: {} },
    });
  } finally {
    await store.close();
  }
  // 07:40 on the 11th in Tokyo; 22:40 on the 10th in UTC.
  const s = await day2Async(
    ["rhythm", "signoff", "daily", "critical-incidents", "--by", "yuki", "--db", db].concat([
      "--config",
      config,
      "--at",
      "2026-11-10T22:40:00Z",
    ]),
    {},
    tmp,
  );
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /signed off daily critical-incidents .* for 2026-11-11 by yuki/);
  const report = async (...extra: string[]) => {
    const r = await day2Async(
      ["rhythm", "daily", "--demo", "--db", db, "--at", "2026-11-10T23:05:00Z", "-o", "json", ...extra],
      {},
      tmp,
    );
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as {
      period: string;
      items: { id: string; evidence: string[]; signoff?: { who: string } }[];
    };
  };
  const tokyo = await report("--config", config);
  assert.equal(tokyo.period, "2026-11-11");
  const item = (doc: typeof tokyo, id: string) => doc.items.find((i) => i.id === id)!;
  assert.equal(item(tokyo, "critical-incidents").signoff?.who, "yuki");
  assert.match(
    item(tokyo, "cost-trends").evidence[1]!,
    /^7-day trend: \$[\d,]+\/month, [+-]\d+\.\d% over 8 days \(\$1,000\/month on 2026-11-02\)/,
  );
  // Without the config: UTC's 10th, which the Tokyo sign-off is not for.
  const utc = await report();
  assert.equal(utc.period, "2026-11-10");
  assert.equal(item(utc, "critical-incidents").signoff, undefined);
});

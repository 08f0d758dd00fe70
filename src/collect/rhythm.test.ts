/**
 * The scheduled rhythm reports on real stores (SQLite and PostgreSQL), delivered by the
 * incident engine's real outbox worker to a webhook and a Slack incoming webhook on a loopback
 * HTTP server: due once per period, nothing twice, a failed delivery retried with the same id.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startWebhookReceiver } from "../../test/support/webhook-receiver.js";
import type { WebhookReceiver } from "../../test/support/webhook-receiver.js";
import { forEachBackend } from "../../test/support/store-matrix.js";
import { RULES } from "../checks/index.js";
import { parseConfig } from "../config/config.js";
import { DEMO_NOW_MS, demoState } from "../demo/index.js";
import { IncidentEngine } from "../incident/engine.js";
import { verifySignature } from "../incident/notify-sign.js";
import { buildScan } from "../report/scan.js";
import { periodOf } from "../rhythm/checklists.js";
import { rhythmContext } from "../rhythm/inputs.js";
import type { RhythmContext } from "../rhythm/inputs.js";
import { recordCollection } from "../store/collections.js";
import { latestRhythmReport, listRhythmReports } from "../store/rhythm-reports.js";
import { addRhythmSignoff } from "../store/rhythm.js";
import type { RunOutcome } from "./loop.js";
import { dueReports, sendDueReports } from "./rhythm.js";

const state = demoState();
const CONTEXT: RhythmContext = rhythmContext(state, buildScan(state, { rules: RULES, today: DEMO_NOW_MS }));

let recv: WebhookReceiver;
/** How many of the next /hook requests answer 500. */
let failHooks = 0;
before(async () => {
  recv = await startWebhookReceiver((r) => (r.url === "/hook" && failHooks-- > 0 ? 500 : 200));
});
after(() => recv.close());

function config(rhythm: string) {
  return parseConfig(
    `incidents:
  notifications:
    webhooks: [{ name: pager, url: "${recv.url}/hook", secret: s3cret }]
    slackWebhooks: [{ name: slack-platform, url: "${recv.url}/slack" }]
rhythm:
${rhythm}`,
    "day2.yaml",
  );
}

/** The demo's scan with a cost summary of $1,234.50/month (8% idle). */
const WITH_COST: RhythmContext = {
  ...CONTEXT,
  cost: {
    monthly: 1234.5,
    idleMonthly: 100,
    idleShare: 0.081,
    window: "the last 14d (usage: demo)",
    topNamespaces: [],
    quickWins: { count: 0, monthly: 0, top: [] },
    waste: { count: 0, monthly: 0 },
  },
};

function run(at: number, ok = true, context: RhythmContext = CONTEXT): RunOutcome {
  return ok
    ? {
        at,
        ok,
        durationMs: 10,
        collected: { input: { at, durationMs: 10, ok: true, context }, kpis: [], notes: [] },
      }
    : { at, ok, durationMs: 10, error: "cluster unreachable" };
}

const WED_0905 = Date.parse("2026-11-25T09:05:00Z");

test("due reports: each configured cadence once its time in the current period has passed", () => {
  const cfg = config('  daily: "09:00"\n  weekly: "thu 09:00"\n  monthly: "1 09:00"\n  notify: [pager]\n');
  assert.deepEqual(
    dueReports(cfg.rhythm!, WED_0905).map((o) => [o.cadence, o.period]),
    [
      ["daily", "2026-11-25"],
      ["monthly", "2026-11"],
    ],
  );
  assert.deepEqual(
    dueReports(cfg.rhythm!, Date.parse("2026-11-25T08:59:00Z")).map((o) => o.cadence),
    ["monthly"],
  );
});

forEachBackend("scheduled rhythm reports", (b) => {
  test("sent once per period through the outbox to a signed webhook and Slack; a restart sends nothing more", async () => {
    const store = await b.open();
    const cfg = config(
      '  timeZone: Europe/Berlin\n  daily: "09:00"\n  weekly: "wed 09:00"\n  notify: [pager, slack-platform]\n  link: https://day2.example/\n',
    );
    let clock = Date.parse("2026-11-25T07:59:00Z"); // 08:59 in Berlin
    const engine = new IncidentEngine({
      store,
      config: cfg.incidents!,
      delivery: { attempts: 1, timeoutMs: 5000 },
      now: () => clock,
    });
    const logs: string[] = [];
    const opts = {
      store,
      schedule: cfg.rhythm!,
      log: { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(`warn: ${m}`) },
      now: () => clock,
    };
    const seen = recv.requests.length;
    assert.deepEqual(await sendDueReports(opts, run(clock)), [], "not due before 09:00 Berlin");

    await addRhythmSignoff(store.raw, {
      cadence: "weekly",
      item: "performance-optimisation",
      period: "2026-W48",
      who: "ana",
      at: clock,
      note: "p95 fine",
    });
    clock = WED_0905;
    const queued = await sendDueReports(opts, run(clock - 60_000));
    assert.deepEqual(
      queued.map((q) => [q.cadence, q.period]),
      [
        ["daily", "2026-11-25"],
        ["weekly", "2026-W48"],
      ],
    );
    assert.match(
      logs.join("\n"),
      /rhythm: the daily report for 2026-11-25 \(\d+ need attention\) queued for pager, slack-platform/,
    );
    assert.equal(await engine.notificationTick(), 4);
    const got = recv.requests.slice(seen);
    assert.equal(got.length, 4);

    const hooks = got.filter((r) => r.url === "/hook").map((r) => ({ r, body: JSON.parse(r.body) }));
    const daily = hooks.find((h) => h.body.rhythm.cadence === "daily")!;
    assert.equal(daily.r.headers["x-day2-event"], "rhythm.report");
    assert.equal(daily.r.headers["x-day2-delivery"], "rhythm:daily:2026-11-25");
    assert.deepEqual(
      verifySignature({
        secret: "s3cret",
        body: daily.r.body,
        timestamp: daily.r.headers["x-day2-timestamp"] as string,
        signature: daily.r.headers["x-day2-signature"] as string,
        // Signed with the sender's real clock (the engine's `now` only schedules).
        nowMs: daily.r.at,
      }),
      { ok: true },
    );
    const body = daily.body;
    assert.equal(body.version, "1");
    assert.equal(body.id, "rhythm:daily:2026-11-25");
    assert.equal(body.rhythm.period, "2026-11-25");
    assert.deepEqual(body.rhythm.schedule, {
      period: "2026-11-25",
      at: "2026-11-25T08:00:00.000Z",
      timeZone: "Europe/Berlin",
      time: "09:00",
    });
    assert.match(body.summary, /^Daily rhythm 2026-11-25: \d+ ok, \d+ need attention/);
    const health = body.rhythm.items.find((i: { id: string }) => i.id === "cluster-health");
    assert.equal(health.kind, "evaluated");
    assert.match(health.evidence.join("\n"), /score \d+\.\d \([A-F]\)[\s\S]*findings: \d+ critical/);
    // The store's incidents (none here) are evaluated, not "no data".
    const alerts = body.rhythm.items.find((i: { id: string }) => i.id === "overnight-alerts");
    assert.equal(alerts.evidence[0], "0 incidents in the last 24h");
    assert.equal(body.report.format, "markdown");
    assert.match(body.report.text, /^# day2 rhythm daily: 2026-11-25/);
    assert.equal(body.link, "https://day2.example/#/rhythm");
    const weekly = hooks.find((h) => h.body.rhythm.cadence === "weekly")!.body;
    const perf = weekly.rhythm.items.find((i: { id: string }) => i.id === "performance-optimisation");
    assert.equal(perf.status, "manual-done", "the week's sign-off counts");

    const slack = got.filter((r) => r.url === "/slack").map((r) => JSON.parse(r.body));
    const slackDaily = slack.find((m) => m.blocks[0].text.text === "Daily rhythm 2026-11-25");
    assert.ok(slackDaily, JSON.stringify(slack.map((m) => m.blocks[0])));
    assert.match(slackDaily.text, /^Daily rhythm 2026-11-25: .* https:\/\/day2\.example\/#\/rhythm$/);
    assert.ok(
      slackDaily.blocks.some((x: { text?: { text: string } }) =>
        /\*(OK|ATTENTION)\* · Check cluster health metrics\n• score/.test(x.text?.text ?? ""),
      ),
    );

    const stored = await latestRhythmReport(store.raw, "daily");
    assert.equal(stored?.period, "2026-11-25");
    assert.deepEqual(stored?.targets, ["pager", "slack-platform"]);
    assert.equal((stored?.report as { kind: string }).kind, "RhythmReport");

    // Later runs, and a new sender (a restart or another leader), send nothing more this period.
    clock += 3_600_000;
    assert.deepEqual(
      await sendDueReports({ ...opts, log: { info: () => {}, warn: () => {} } }, run(clock)),
      [],
    );
    assert.equal(await engine.notificationTick(), 0);
    assert.equal(recv.requests.length, seen + 4);

    // The next day: the daily again; the weekly waits for next week.
    clock = Date.parse("2026-11-26T08:30:00Z");
    assert.deepEqual(
      (await sendDueReports(opts, run(clock))).map((q) => [q.cadence, q.period]),
      [["daily", "2026-11-26"]],
    );
  });

  test("a failed run waits for a successful one; a failed delivery is retried with the same id", async () => {
    const store = await b.open();
    const cfg = config('  daily: "09:00"\n  notify: [pager]\n');
    let clock = WED_0905;
    const engine = new IncidentEngine({
      store,
      config: cfg.incidents!,
      delivery: { attempts: 1, timeoutMs: 5000 },
      retryDelayMs: 1000,
      now: () => clock,
    });
    const warnings: string[] = [];
    const opts = {
      store,
      schedule: cfg.rhythm!,
      log: { info: () => {}, warn: (m: string) => warnings.push(m) },
      now: () => clock,
    };
    assert.deepEqual(await sendDueReports(opts, run(clock, false)), []);
    assert.deepEqual(warnings, ["rhythm: the daily report for 2026-11-25 waits for a successful collection"]);
    assert.equal(await latestRhythmReport(store.raw, "daily"), undefined);

    failHooks = 1;
    try {
      const seen = recv.requests.filter((r) => r.url === "/hook").length;
      assert.equal((await sendDueReports(opts, run(clock))).length, 1);
      assert.equal(await engine.notificationTick(), 0, "the receiver answered 500");
      assert.equal(await engine.notificationTick(), 0, "not again before the back-off");
      clock += 1000;
      assert.equal(await engine.notificationTick(), 1, "retried after the back-off");
      const hooks = recv.requests.filter((r) => r.url === "/hook").slice(seen);
      assert.equal(hooks.length, 2);
      assert.deepEqual(
        hooks.map((h) => h.headers["x-day2-delivery"]),
        ["rhythm:daily:2026-11-25", "rhythm:daily:2026-11-25"],
      );
    } finally {
      failHooks = 0;
    }
  });

  test("Tokyo: the report for the local day carries that day's period and a sign-off made that local morning", async () => {
    const store = await b.open();
    const cfg = config('  timeZone: Asia/Tokyo\n  daily: "08:00"\n  notify: [pager]\n');
    const opts = { store, schedule: cfg.rhythm!, log: { info: () => {}, warn: () => {} } };
    // 07:40 on the 11th in Tokyo is 22:40 UTC on the 10th: the period a sign-off gets is the 11th.
    const signedAt = Date.parse("2026-11-10T22:40:00Z");
    const local = periodOf("daily", signedAt, "Asia/Tokyo");
    assert.equal(local, "2026-11-11");
    await addRhythmSignoff(store.raw, {
      cadence: "daily",
      item: "critical-incidents",
      period: local,
      who: "yuki",
      at: signedAt,
    });
    // A sign-off filed under the UTC date (the old split) must not count for the 11th.
    await addRhythmSignoff(store.raw, {
      cadence: "daily",
      item: "overnight-alerts",
      period: periodOf("daily", signedAt, "UTC"),
      who: "utc-clock",
      at: signedAt,
    });
    const before8 = Date.parse("2026-11-10T22:59:00Z");
    assert.deepEqual(
      await sendDueReports({ ...opts, now: () => before8 }, run(before8)),
      [],
      "07:59 in Tokyo",
    );
    const at = Date.parse("2026-11-10T23:05:00Z"); // 08:05 on the 11th in Tokyo
    const queued = await sendDueReports({ ...opts, now: () => at }, run(at));
    assert.deepEqual(
      queued.map((q) => [q.cadence, q.period]),
      [["daily", "2026-11-11"]],
    );
    const stored = await latestRhythmReport(store.raw, "daily");
    const doc = stored?.report as {
      period: string;
      items: { id: string; signoff?: { who: string }; evidence: string[] }[];
    };
    assert.equal(stored?.period, "2026-11-11");
    assert.equal(doc.period, "2026-11-11", "the checklist's period is the schedule's");
    const item = (id: string) => doc.items.find((i) => i.id === id)!;
    assert.equal(item("critical-incidents").signoff?.who, "yuki");
    assert.match(
      item("critical-incidents").evidence.join("\n"),
      /signed off by yuki at 2026-11-10T22:40:00\.000Z/,
    );
    assert.equal(item("overnight-alerts").signoff, undefined, "the UTC-dated sign-off is another day's");
  });

  test("cost trends from the stored cost summaries: the 7-day change, attention on a rise above 10%", async () => {
    const store = await b.open();
    const cfg = config('  daily: "09:00"\n  notify: [pager]\n');
    const DAY = 86_400_000;
    const at = WED_0905;
    // A week ago the cluster cost $1,100/month: $1,234.50 now is +12.2%.
    for (const [daysAgo, monthly] of [
      [9, 1050],
      [7.5, 1100],
      [2, 1200],
    ] as const)
      await recordCollection(store.raw, {
        at: at - daysAgo * DAY,
        durationMs: 10,
        ok: true,
        cost: { monthly, payload: { monthlyTotal: monthly } },
      });
    const opts = { store, schedule: cfg.rhythm!, log: { info: () => {}, warn: () => {} }, now: () => at };
    assert.equal((await sendDueReports(opts, run(at, true, WITH_COST))).length, 1);
    const doc = (await latestRhythmReport(store.raw, "daily"))?.report as {
      items: { id: string; status: string; evidence: string[] }[];
    };
    const cost = doc.items.find((i) => i.id === "cost-trends")!;
    assert.equal(cost.status, "attention");
    assert.equal(
      cost.evidence[1],
      "7-day trend: $1,235/month, +12.2% over 8 days ($1,100/month on 2026-11-17): a rise above 10%",
    );
    assert.ok(!cost.evidence.some((e) => /needs stored cost snapshots/.test(e)), cost.evidence.join("\n"));
  });

  test("sent reports are listed newest first with counts, items and each notifier's delivery", async () => {
    const store = await b.open();
    const cfg = config('  daily: "09:00"\n  weekly: "wed 09:00"\n  notify: [pager, slack-platform]\n');
    let clock = WED_0905;
    const engine = new IncidentEngine({
      store,
      config: cfg.incidents!,
      delivery: { attempts: 1, timeoutMs: 5000 },
      now: () => clock,
    });
    const opts = { store, schedule: cfg.rhythm!, log: { info: () => {}, warn: () => {} }, now: () => clock };
    assert.equal((await sendDueReports(opts, run(clock))).length, 2);
    let list = await listRhythmReports(store.raw, { cadence: "daily", limit: 10 });
    assert.deepEqual(
      list.map((r) => [r.period, r.deliveries.map((d) => `${d.target}:${d.status}`)]),
      [["2026-11-25", ["pager:pending", "slack-platform:pending"]]],
    );
    assert.equal(await engine.notificationTick(), 4);
    clock = Date.parse("2026-11-26T09:30:00Z");
    assert.equal((await sendDueReports(opts, run(clock))).length, 1);
    list = await listRhythmReports(store.raw, { cadence: "daily", limit: 10 });
    assert.deepEqual(
      list.map((r) => [r.period, r.deliveries.map((d) => `${d.target}:${d.status}`).join(",")]),
      [
        ["2026-11-26", "pager:pending,slack-platform:pending"],
        ["2026-11-25", "pager:sent,slack-platform:sent"],
      ],
    );
    const report = list[1]!.report as { counts: Record<string, number>; items: unknown[] };
    assert.equal(report.items.length, 5);
    assert.equal(
      Object.values(report.counts).reduce((a, n) => a + n, 0),
      5,
    );
    const all = await listRhythmReports(store.raw, { limit: 10 });
    assert.deepEqual(
      all.map((r) => `${r.cadence} ${r.period}`),
      ["daily 2026-11-26", "daily 2026-11-25", "weekly 2026-W48"],
    );
    assert.equal((await listRhythmReports(store.raw, { limit: 1 })).length, 1);
    assert.deepEqual(await listRhythmReports(store.raw, { cadence: "monthly", limit: 10 }), []);
  });
});

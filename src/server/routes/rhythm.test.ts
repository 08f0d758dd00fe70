/**
 * The rhythm routes on real stores (SQLite and PostgreSQL): the sent reports' history with
 * counts, items and delivery (GET /api/v1/rhythm/reports), roles and garbage queries; the
 * checklist and its sign-offs in day2.yaml's rhythm.timeZone; "Monitor cost trends" from the
 * stored cost summaries.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { forEachBackend } from "../../../test/support/store-matrix.js";
import { RULES } from "../../checks/index.js";
import { sendDueReports } from "../../collect/rhythm.js";
import type { RunOutcome } from "../../collect/loop.js";
import { parseConfig } from "../../config/config.js";
import { DEMO_NOW_MS, demoState } from "../../demo/index.js";
import { buildScan } from "../../report/scan.js";
import { periodOf } from "../../rhythm/checklists.js";
import { rhythmContext } from "../../rhythm/inputs.js";
import type { RhythmContext } from "../../rhythm/inputs.js";
import { recordCollection } from "../../store/collections.js";
import type { Store } from "../../store/index.js";
import { buildServer } from "../app.js";
import type { Day2Server } from "../app.js";
import { adaptCollections, adaptStore } from "../store-adapter.js";

const state = demoState();
const CONTEXT: RhythmContext = {
  ...rhythmContext(state, buildScan(state, { rules: RULES, today: DEMO_NOW_MS })),
  cost: {
    monthly: 2000,
    idleMonthly: 100,
    idleShare: 0.05,
    window: "the last 14d (usage: demo)",
    topNamespaces: [],
    quickWins: { count: 0, monthly: 0, top: [] },
    waste: { count: 0, monthly: 0 },
  },
};
const DAY = 86_400_000;

function run(at: number): RunOutcome {
  return {
    at,
    ok: true,
    durationMs: 10,
    collected: { input: { at, durationMs: 10, ok: true, context: CONTEXT }, kpis: [], notes: [] },
  };
}

/** A zone whose date differs from UTC's at `now`: +14 late in the UTC day, -11 early in it. */
function zoneOffDate(now: number): string {
  for (const zone of ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
    if (periodOf("daily", now, zone) !== periodOf("daily", now, "UTC")) return zone;
  throw new Error("every instant has a zone in one of them on another date");
}

async function server(store: Store, rhythmTimeZone?: string) {
  const adapted = adaptStore(store);
  const tokens: Record<string, string> = {};
  for (const role of ["viewer", "responder"] as const)
    tokens[role] = (await adapted.createToken(`${role}-user`, role)).token;
  const app: Day2Server = buildServer(
    { store: adapted, collections: adaptCollections(store, rhythmTimeZone ? { rhythmTimeZone } : {}) },
    { tokenCacheMs: 0 },
  );
  await app.ready();
  const call = (method: "GET" | "POST", url: string, role?: string, payload?: Record<string, unknown>) =>
    app.inject({
      method,
      url,
      headers: role ? { authorization: `Bearer ${tokens[role]}` } : {},
      ...(payload ? { payload } : {}),
    });
  return { app, call };
}

forEachBackend("rhythm routes", (b) => {
  test("GET /api/v1/rhythm/reports: newest first, counts, items, delivery; by cadence; roles; garbage", async () => {
    const store = await b.open();
    const cfg = parseConfig(
      `incidents:
  notifications:
    webhooks: [{ name: pager, url: "http://127.0.0.1:9/hook" }]
rhythm:
  daily: "09:00"
  weekly: "wed 09:00"
  notify: [pager]
`,
      "day2.yaml",
    );
    const log = { info: () => {}, warn: () => {} };
    for (const at of [Date.parse("2026-11-25T09:05:00Z"), Date.parse("2026-11-26T09:05:00Z")])
      await sendDueReports({ store, schedule: cfg.rhythm!, log, now: () => at }, run(at));
    // The 25th's message was given up on: a dead letter, the report's delivery failed.
    await store.raw.db
      .updateTable("notifications")
      .set({ status: "dead", attempts: 5, last_error: "connect ECONNREFUSED" })
      .where("created_at", "=", Date.parse("2026-11-25T09:05:00Z"))
      .execute();
    const { app, call } = await server(store);
    try {
      const r = await call("GET", "/api/v1/rhythm/reports?cadence=daily", "viewer");
      assert.equal(r.statusCode, 200, r.body);
      const items = r.json().items as {
        cadence: string;
        period: string;
        scheduledAt: string;
        sentAt: string;
        counts: Record<string, number>;
        delivery: { state: string; targets: { target: string; status: string; lastError: string | null }[] };
        items: { id: string; status: string; evidence: string[] }[];
      }[];
      assert.deepEqual(
        items.map((i) => [i.period, i.scheduledAt, i.sentAt, i.delivery.state]),
        [
          ["2026-11-26", "2026-11-26T09:00:00.000Z", "2026-11-26T09:05:00.000Z", "pending"],
          ["2026-11-25", "2026-11-25T09:00:00.000Z", "2026-11-25T09:05:00.000Z", "failed"],
        ],
      );
      const [, first] = items;
      assert.deepEqual(first!.delivery.targets, [
        { target: "pager", status: "dead", attempts: 5, lastError: "connect ECONNREFUSED" },
      ]);
      assert.equal(first!.items.length, 5);
      assert.deepEqual(Object.keys(first!.counts), ["ok", "attention", "open", "done", "noData"]);
      const tally = (st: string) => first!.items.filter((i) => i.status === st).length;
      assert.equal(first!.counts.ok, tally("ok"));
      assert.equal(first!.counts.attention, tally("attention"));
      const c = first!.counts as {
        ok: number;
        attention: number;
        open: number;
        done: number;
        noData: number;
      };
      assert.equal(c.ok + c.attention + c.open + c.done + c.noData, 5);
      assert.match(
        first!.items.find((i) => i.id === "cluster-health")!.evidence.join("\n"),
        /score \d+\.\d \([A-F]\)/,
      );

      const all = (await call("GET", "/api/v1/rhythm/reports", "viewer")).json().items as {
        cadence: string;
        period: string;
      }[];
      assert.deepEqual(
        all.map((i) => `${i.cadence} ${i.period}`),
        ["daily 2026-11-26", "daily 2026-11-25", "weekly 2026-W48"],
      );
      const one = (await call("GET", "/api/v1/rhythm/reports?limit=1", "responder")).json().items;
      assert.equal(one.length, 1);
      assert.deepEqual((await call("GET", "/api/v1/rhythm/reports?cadence=monthly", "viewer")).json(), {
        items: [],
      });

      assert.equal((await call("GET", "/api/v1/rhythm/reports")).statusCode, 401);
      for (const [query, field] of [
        ["cadence=hourly", /querystring\.cadence/],
        ["limit=abc", /querystring\.limit/],
        ["limit=0", /querystring\.limit/],
        ["limit=401", /querystring\.limit/],
        ["limit=2.5", /querystring\.limit/],
      ] as const) {
        const g = await call("GET", `/api/v1/rhythm/reports?${query}`, "viewer");
        assert.equal(g.statusCode, 400, `${query}: ${g.body}`);
        assert.equal(g.json().code, "D2_HTTP_BAD_REQUEST");
        assert.match(g.json().message, field);
      }
    } finally {
      await app.close();
    }
  });

  test("the checklist and its sign-offs use rhythm.timeZone; cost trends from the stored summaries", async () => {
    const store = await b.open();
    const now = Date.now();
    const zone = zoneOffDate(now);
    const local = periodOf("daily", now, zone);
    // Cost summaries a week apart: $1,600/month 8 days ago, $2,000 now (+25%).
    await recordCollection(store.raw, {
      at: now - 8 * DAY,
      durationMs: 10,
      ok: true,
      cost: { monthly: 1600, payload: {} },
    });
    await recordCollection(store.raw, {
      at: now - 60_000,
      durationMs: 10,
      ok: true,
      cost: { monthly: 2000, payload: {} },
      context: CONTEXT,
    });
    const { app, call } = await server(store, zone);
    try {
      const signed = await call("POST", "/api/v1/rhythm/signoffs", "responder", {
        itemId: "critical-incidents",
        note: "none open",
      });
      assert.equal(signed.statusCode, 201, signed.body);
      // Asserted against the wall clock: a sign-off across the zone's midnight would be the next day.
      if (periodOf("daily", Date.now(), zone) === local) {
        assert.equal(signed.json().period, local, `the ${zone} date, not UTC's`);
        const daily = (await call("GET", "/api/v1/rhythm/daily", "viewer")).json();
        assert.equal(daily.period, local);
        const item = daily.items.find((i: { id: string }) => i.id === "critical-incidents");
        assert.equal(item.signoff?.who, "responder-user");
        const cost = daily.items.find((i: { id: string }) => i.id === "cost-trends");
        assert.equal(cost.status, "attention");
        assert.match(
          cost.evidence[1],
          /^7-day trend: \$2,000\/month, \+25\.0% over 8 days \(\$1,600\/month on /,
        );
      }
      // Without a zone the server names periods in UTC.
      const utc = await server(store);
      try {
        const d = (await utc.call("GET", "/api/v1/rhythm/daily", "viewer")).json();
        assert.equal(d.period, periodOf("daily", Date.now(), "UTC"));
        assert.notEqual(d.period, periodOf("daily", Date.now(), zone));
      } finally {
        await utc.app.close();
      }
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});

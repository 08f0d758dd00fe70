/**
 * The lifecycle engine end to end: alerts through the HTTP API on a real store, escalation
 * timers in seconds, notifications delivered to a real local HTTP receiver (generic webhook,
 * Slack webhook and Slack Web API stand-ins), acknowledgement, a restart mid-way, two engines
 * on one PostgreSQL, maintenance windows with an Alertmanager silence, config errors, and the
 * oncall command.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildServer } from "../server/app.js";
import type { Day2Server } from "../server/app.js";
import { adaptStore } from "../server/store-adapter.js";
import { Store } from "../store/index.js";
import { validateConfig } from "../config/config.js";
import { amAlert, amPayload, bearer } from "../../test/support/server.js";
import { startPostgres } from "../../test/support/postgres.js";
import { day2Async } from "../../test/support/day2-cli.js";
import { IncidentEngine } from "./engine.js";
import { engineHooks, engineOps } from "./engine-ops.js";
import { PgAdvisoryLeader } from "./engine-leader.js";
import { parseIncidents } from "./policy-config.js";
import type { IncidentsConfig } from "./policy-config.js";

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

/** A real HTTP receiver on 127.0.0.1: webhooks, Slack stand-ins, Alertmanager's silences API. */
async function receiver(): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.setEncoding("utf8").on("data", (c: string) => (text += c));
    req.on("end", () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      got.push({ path: req.url ?? "", headers: req.headers, body });
      res.setHeader("content-type", "application/json");
      if (req.url === "/slack-api/conversations.create")
        return res.end(JSON.stringify({ ok: true, channel: { id: "C123", name: body.name } }));
      if (req.url === "/slack-api/chat.postMessage") return res.end(JSON.stringify({ ok: true, ts: "1.2" }));
      if (req.url === "/am/api/v2/silences") return res.end(JSON.stringify({ silenceID: "sil-1" }));
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    got,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function config(recv: string, over: Record<string, unknown> = {}): IncidentsConfig {
  return parseIncidents({
    policy: { ackDeadlines: { P0: "2s", P1: "2s" } },
    schedules: [
      { id: "primary", layers: [{ users: ["alice"], rotation: "1w", start: "2024-01-01" }] },
      { id: "secondary", layers: [{ users: ["carol"], rotation: "1w", start: "2024-01-01" }] },
    ],
    escalationPolicies: [
      {
        id: "default",
        levels: [
          { targets: [{ schedule: "primary" }], timeout: "2s" },
          { targets: [{ schedule: "secondary" }], timeout: "2s" },
        ],
      },
    ],
    notifications: {
      link: "https://day2.example/incidents",
      webhooks: [{ name: "hook", url: `${recv}/hook`, secret: "s3cret" }],
      slackWebhooks: [{ name: "slack", url: `${recv}/slack` }],
      slack: { botToken: "xoxb-test", apiBaseUrl: `${recv}/slack-api` },
    },
    ...over,
  });
}

interface Running {
  app: Day2Server;
  engine: IncidentEngine;
  store: Store;
  admin: string;
}

async function start(
  target: string,
  cfg: IncidentsConfig,
  opts: { alertmanagerUrl?: string } = {},
): Promise<Running> {
  const store = await Store.open(target);
  const engine = new IncidentEngine({
    store,
    config: cfg,
    tickMs: 100,
    delivery: { attempts: 1, timeoutMs: 2000 },
  });
  await engine.seedSchedules();
  const adapted = adaptStore(store, cfg.policy, engineHooks(engine));
  const admin = (await store.createToken({ name: `admin-${Math.random()}`, role: "admin" })).token;
  const app = buildServer(
    { store: adapted, ops: engineOps(engine, opts), workers: engine },
    { tokenCacheMs: 0 },
  );
  await app.ready();
  await engine.start();
  return { app, engine, store, admin };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function alert(r: Running, group: string, labels: Record<string, string> = {}): Promise<string> {
  const res = await r.app.inject({
    method: "POST",
    url: "/api/v1/alerts/alertmanager",
    headers: bearer(r.admin),
    payload: amPayload({ groupKey: group }, [
      amAlert({
        fingerprint: `fp-${group}`,
        startsAt: new Date().toISOString(),
        labels: {
          alertname: "HighErrorRate",
          severity: "critical",
          service: "checkout",
          namespace: "shop",
          ...labels,
        },
      }),
    ]),
  });
  assert.equal(res.statusCode, 200, res.body);
  const page = await r.store.listIncidents({}, { limit: 50, offset: 0 });
  return page.items.find((i) => i.groupKey === group)?.id ?? "";
}

async function escalations(store: Store, id: string): Promise<{ level: number; users: string[] }[]> {
  const tl = await store.listTimeline(id);
  return tl
    .filter((e) => e.kind === "escalated")
    .map((e) => ({ level: e.data?.["level"] as number, users: e.data?.["users"] as string[] }));
}

describe("lifecycle engine on SQLite", () => {
  let dir: string;
  let recv: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "day2-engine-"));
    recv = await receiver();
  });
  after(async () => {
    await recv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("P1 unacknowledged: commander, war room, level 1 then 2, delivered; ack stops another", async () => {
    const r = await start(join(dir, "a.db"), config(recv.url));
    try {
      const id = await alert(r, "g-esc");
      const acked = await alert(r, "g-ack");
      const opened = (await r.store.getIncident(id))!.incident;
      assert.equal(opened.priority, "P1");
      assert.equal(opened.commander, "alice");
      assert.match(opened.warRoom ?? "", /^inc-/);
      assert.equal(opened.escalationLevel, 1);
      assert.ok(opened.escalationDueAt! <= opened.createdAt + 2000 + 50);
      const tl = await r.store.listTimeline(id);
      assert.ok(tl.some((e) => e.kind === "assigned" && /incident commander: alice/.test(e.text)));
      assert.ok(tl.some((e) => e.kind === "notification" && /war-room message queued/.test(e.text)));
      assert.deepEqual(await escalations(r.store, id), [{ level: 1, users: ["alice"] }]);

      const ack = await r.app.inject({
        method: "POST",
        url: `/api/v1/incidents/${acked}/ack`,
        headers: bearer(r.admin),
        payload: { note: "on it" },
      });
      assert.equal(ack.statusCode, 200, ack.body);

      await until("level 2", async () => (await escalations(r.store, id)).length === 2);
      assert.deepEqual((await escalations(r.store, id))[1], { level: 2, users: ["carol"] });
      const inc = (await r.store.getIncident(id))!.incident;
      assert.equal(inc.escalationLevel, 2);

      // Delivered to the real receiver: war room (both targets + Slack channel), escalations, the ack.
      await until("deliveries", async () =>
        recv.got.some(
          (g) => g.path === "/hook" && (g.body["escalation"] as { level?: number } | undefined)?.level === 2,
        ),
      );
      const hook = recv.got.filter(
        (g) => g.path === "/hook" && (g.body["incident"] as { id: string }).id === id,
      );
      assert.deepEqual(hook.map((g) => g.body["event"]).sort(), [
        "incident.escalated",
        "incident.escalated",
        "incident.war_room",
      ]);
      assert.ok(hook.some((g) => g.body["event"] === "incident.war_room"));
      assert.ok(hook.every((g) => typeof g.headers["x-day2-signature"] === "string"));
      assert.ok(recv.got.some((g) => g.path === "/slack" && /incident/.test(String(g.body["text"]))));
      assert.ok(recv.got.some((g) => g.path === "/slack-api/conversations.create"));
      await until("slack channel recorded", async () =>
        ((await r.store.getIncident(id))!.incident.warRoom ?? "").startsWith("#"),
      );
      assert.ok(
        recv.got.some(
          (g) =>
            g.path === "/hook" &&
            g.body["event"] === "incident.status_changed" &&
            (g.body["incident"] as { id: string }).id === acked,
        ),
      );
      // The acknowledged incident never went past level 1, and its timers are cancelled.
      await sleep(300);
      assert.deepEqual(await escalations(r.store, acked), [{ level: 1, users: ["alice"] }]);
      assert.ok(
        (await r.store.listTimers(acked)).every(
          (t) => t.cancelledAt !== undefined || t.firedAt !== undefined,
        ),
      );

      // Review: the draft as JSON and Markdown, then stored; runbook action items tracked.
      const draft = await r.app.inject({
        method: "GET",
        url: `/api/v1/incidents/${id}/review`,
        headers: bearer(r.admin),
      });
      assert.equal(draft.statusCode, 200, draft.body);
      assert.equal((draft.json() as { incidentId: string }).incidentId, id);
      const md = await r.app.inject({
        method: "GET",
        url: `/api/v1/incidents/${id}/review?format=markdown`,
        headers: bearer(r.admin),
      });
      assert.match(md.headers["content-type"] as string, /markdown/);
      assert.match(md.body, /#/);
      for (const step of ["ack", "resolve"])
        assert.equal(
          (
            await r.app.inject({
              method: "POST",
              url: `/api/v1/incidents/${id}/${step}`,
              headers: bearer(r.admin),
              payload: {},
            })
          ).statusCode,
          200,
        );
      const saved = await r.app.inject({
        method: "POST",
        url: `/api/v1/incidents/${id}/review`,
        headers: bearer(r.admin),
        payload: {
          summary: "checkout failed",
          actionItems: [{ title: "fix the runbook", runbook: "runbooks/checkout.md" }],
        },
      });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal((saved.json() as { status: string }).status, "reviewed");
      assert.match((await r.store.getReview(id))!.body, /checkout failed/);
      const items = await r.app.inject({
        method: "GET",
        url: "/api/v1/action-items",
        headers: bearer(r.admin),
      });
      assert.deepEqual(
        (items.json() as { items: { runbook: string }[] }).items.map((i) => i.runbook),
        ["runbooks/checkout.md"],
      );
      const oncall = await r.app.inject({ method: "GET", url: "/api/v1/oncall", headers: bearer(r.admin) });
      assert.deepEqual(
        (oncall.json() as { items: { schedule: string; when: string; user: string }[] }).items
          .filter((i) => i.when === "now")
          .map((i) => [i.schedule, i.user]),
        [
          ["primary", "alice"],
          ["secondary", "carol"],
        ],
      );
    } finally {
      await r.app.close();
    }
  });

  test("a restart mid-way: the timer in the store still fires, once", async () => {
    const file = join(dir, "restart.db");
    const cfg = config(recv.url);
    const first = await start(file, cfg);
    const id = await alert(first, "g-restart");
    await first.app.close();
    assert.deepEqual(await escalations((await reopen(file)).store, id), [{ level: 1, users: ["alice"] }]);
    const second = await start(file, cfg);
    try {
      await until("level 2 after restart", async () => (await escalations(second.store, id)).length === 2);
      await sleep(2500); // level 2's timeout passes too: exhausted, nothing more
      assert.deepEqual(
        (await escalations(second.store, id)).map((e) => e.level),
        [1, 2],
      );
      const timers = await second.store.listTimers(id);
      assert.equal(timers.filter((t) => t.level === 2 && t.firedAt !== undefined).length, 1);
    } finally {
      await second.app.close();
    }
  });

  test("maintenance: the window is stored, a silence created, matching alerts page nobody", async () => {
    const r = await start(join(dir, "mw.db"), config(recv.url), { alertmanagerUrl: `${recv.url}/am` });
    try {
      const bad = await r.app.inject({
        method: "POST",
        url: "/api/v1/maintenance",
        headers: bearer(r.admin),
        payload: {
          matchers: ['namespace="shop"'],
          startsAt: "2030-01-02T00:00:00Z",
          endsAt: "2030-01-01T00:00:00Z",
          comment: "x",
        },
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /endsAt: must be after startsAt/);
      const now = Date.now();
      const res = await r.app.inject({
        method: "POST",
        url: "/api/v1/maintenance",
        headers: bearer(r.admin),
        payload: {
          matchers: ['namespace="shop"'],
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 3_600_000).toISOString(),
          comment: "database upgrade",
        },
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json() as { window: { silenceId: string }; silence: { id: string } };
      assert.equal(body.silence.id, "sil-1");
      const sil = recv.got.find((g) => g.path === "/am/api/v2/silences")!;
      assert.deepEqual(sil.body["matchers"], [
        { name: "namespace", value: "shop", isRegex: false, isEqual: true },
      ]);
      const list = await r.app.inject({
        method: "GET",
        url: "/api/v1/maintenance",
        headers: bearer(r.admin),
      });
      assert.equal((list.json() as { items: { silenceId: string }[] }).items[0]!.silenceId, "sil-1");

      const before = recv.got.length;
      const id = await alert(r, "g-maint");
      assert.equal(id, "", "no incident opened");
      const stored = await r.store.raw.db
        .selectFrom("alerts")
        .select("suppressed")
        .where("fingerprint", "=", "fp-g-maint")
        .executeTakeFirstOrThrow();
      assert.equal(stored.suppressed, 1);
      const other = await alert(r, "g-other", { namespace: "other" });
      assert.ok(other, "an alert outside the window opens an incident");
      await sleep(400);
      assert.ok(
        recv.got.slice(before).every((g) => (g.body["incident"] as { id?: string } | undefined)?.id !== id),
      );
    } finally {
      await r.app.close();
    }
  });
});

async function reopen(file: string): Promise<{ store: Store }> {
  const store = await Store.open(file);
  after(() => store.close());
  return { store };
}

describe("two engines on one PostgreSQL", () => {
  test("only the advisory-lock leader works; each timer fires exactly once; the other takes over", async () => {
    const pg = await startPostgres();
    const recv = await receiver();
    try {
      const url = await pg.createDatabase();
      const cfg = config(recv.url);
      const engines: IncidentEngine[] = [];
      const stores: Store[] = [];
      for (let i = 0; i < 2; i++) {
        const store = await Store.open(url);
        stores.push(store);
        engines.push(
          new IncidentEngine({
            store,
            config: cfg,
            id: `replica-${i}`,
            tickMs: 100,
            leader: new PgAdvisoryLeader(url, { retryMs: 200 }),
            delivery: { attempts: 1, timeoutMs: 2000 },
          }),
        );
      }
      for (const e of engines) await e.start();
      const leaders = engines.filter((e) => e.leader.isLeader());
      assert.equal(leaders.length, 1, "exactly one leader");
      const adapted = adaptStore(stores[1]!, cfg.policy, engineHooks(engines[1]!));
      const ids: string[] = [];
      for (const g of ["pg-a", "pg-b", "pg-c"]) {
        await adapted.ingest([
          {
            source: "alertmanager",
            groupKey: g,
            alerts: [
              {
                fingerprint: `fp-${g}`,
                status: "firing",
                labels: { alertname: "Down", severity: "critical", service: g },
                annotations: {},
                startsAt: Date.now(),
                source: "alertmanager",
                groupKey: g,
                receivedAt: Date.now(),
              },
            ],
          },
        ]);
        ids.push((await stores[0]!.listIncidents({ service: g }, { limit: 1, offset: 0 })).items[0]!.id);
      }
      for (const id of ids)
        await until(`level 2 of ${id}`, async () => (await escalations(stores[0]!, id)).length === 2);
      const leader = leaders[0]!;
      for (const id of ids) {
        const fired = (await stores[0]!.listTimers(id)).filter((t) => t.firedAt !== undefined);
        assert.ok(fired.length >= 1);
        assert.ok(
          fired.every((t) => t.claimedBy === leader.id),
          "only the leader fired timers",
        );
        assert.equal(fired.filter((t) => t.level === 2).length, 1);
      }
      // The leader stops: the other replica takes the lock.
      const other = engines.find((e) => e !== leader)!;
      await leader.stop();
      await until("takeover", async () => other.leader.isLeader(), 5000);
      await other.stop();
    } finally {
      await recv.close();
      await pg.stop();
    }
  });
});

describe("configuration and the oncall command", () => {
  test("garbage in incidents.notifications and retention: errors name the field", () => {
    const bad = [
      [
        { notifications: { webhooks: [{ name: "x", url: "ftp://x" }] } },
        /incidents\.notifications\.webhooks\[0\]\.url: expected an http/,
      ],
      [{ notifications: { slack: { botToken: 3 } } }, /incidents\.notifications\.slack\.botToken/],
      [
        {
          notifications: {
            slackWebhooks: [{ name: "a", url: "http://x" }],
            webhooks: [{ name: "a", url: "http://y" }],
          },
        },
        /incidents\.notifications\.webhooks\[0\]\.name: duplicate target name "a"/,
      ],
      [{ notifications: { pager: {} } }, /incidents\.notifications: unknown field "pager"/],
      [{ retention: { incidents: "forever" } }, /incidents\.retention\.incidents: expected a duration/],
    ] as const;
    for (const [incidents, re] of bad)
      assert.throws(
        () => validateConfig({ incidents }, "day2.yaml"),
        (e: Error) => re.test(e.message) && /day2\.yaml/.test(e.message),
      );
    const ok = validateConfig(
      {
        incidents: {
          notifications: { webhooks: [{ name: "a", url: "http://x/" }] },
          retention: { alerts: "7d" },
        },
      },
      "day2.yaml",
    );
    assert.equal(ok.incidents?.notifications?.targets[0]?.kind, "webhook");
    assert.equal(ok.incidents?.retention?.ages.alerts, 7 * 86_400_000);
  });

  test("day2 oncall: now and next per schedule, as a table and JSON; a bad file names the field", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "day2-oncall-"));
    try {
      const file = join(tmp, "day2.yaml");
      writeFileSync(
        file,
        `incidents:
  schedules:
    - id: primary
      layers:
        - users: [alice, bob]
          rotation: 1w
          start: "2026-01-05"
          handoff: "09:00"
`,
      );
      const at = "2026-01-06T12:00:00Z";
      const table = await day2Async(["oncall", "--config", file, "--at", at], {}, tmp);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /primary\s+now\s+alice/);
      assert.match(table.stdout, /primary\s+next\s+bob\s+.*2026-01-12T09:00Z/);
      const json = await day2Async(["oncall", "--config", file, "--at", at, "-o", "json"], {}, tmp);
      const data = JSON.parse(json.stdout) as { items: { when: string; user: string; until?: string }[] };
      assert.deepEqual(
        data.items.map((i) => [i.when, i.user]),
        [
          ["now", "alice"],
          ["next", "bob"],
        ],
      );
      writeFileSync(file, "incidents:\n  notifications:\n    webhooks: [{ name: x, url: nope }]\n");
      const bad = await day2Async(["oncall", "--config", file], {}, tmp);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /incidents\.notifications\.webhooks\[0\]\.url/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

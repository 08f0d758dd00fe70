/**
 * Delivery against a real HTTP receiver on 127.0.0.1 (node:http, free port, stopped after each
 * test): success, retries on 500/503/429 with Retry-After, giving up -> dead letter, 400 -> dead
 * letter without retries, timeouts, refused connections, signatures, and the Slack Web API
 * channel + post flow against a local fake of Slack's endpoints.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ReceivedRequest, Reply, WebhookReceiver } from "../../test/support/webhook-receiver.js";
import { startWebhookReceiver } from "../../test/support/webhook-receiver.js";
import { warRoomNotification, webhookPayload } from "./notify.js";
import { backoffDelay, parseRetryAfter } from "./notify-retry.js";
import type { NotificationTarget } from "./notify-send.js";
import { deliverNotification, redactUrl, redeliver } from "./notify-send.js";
import { signPayload, verifySignature } from "./notify-sign.js";
import { openSlackWarRoom, slackChannelName } from "./notify-slack.js";
import type { Incident } from "./types.js";

/** Runs `fn` with a receiver and always stops it. */
async function withReceiver(
  reply: (req: ReceivedRequest, all: readonly ReceivedRequest[]) => Reply,
  fn: (r: WebhookReceiver) => Promise<void>,
): Promise<void> {
  const r = await startWebhookReceiver(reply);
  try {
    await fn(r);
  } finally {
    await r.close();
  }
}

const T0 = Date.parse("2026-03-01T10:00:00Z");
const INCIDENT: Incident = {
  id: "42",
  title: "Checkout API down",
  priority: "P0",
  priorityOverridden: false,
  status: "triggered",
  groupKey: "g",
  service: "checkout",
  labels: {},
  createdAt: T0,
  commander: "alice",
  escalationLevel: 0,
};
const N = warRoomNotification(INCIDENT, "https://day2.example/incidents/42", T0);
/** Fast retries for tests. */
const FAST = { baseDelayMs: 5, maxDelayMs: 2000, timeoutMs: 2000 };

function webhook(url: string, extra: Partial<NotificationTarget> = {}): NotificationTarget {
  return { name: "ops-webhook", kind: "webhook", url: `${url}/hook?token=abc`, ...extra };
}

test("delivers a generic webhook once on 200, with event headers", async () => {
  await withReceiver(
    () => ({ status: 200, body: "ok" }),
    async (r) => {
      const result = await deliverNotification(webhook(r.url), N, FAST);
      assert.equal(result.ok, true);
      assert.equal(result.attempts, 1);
      assert.equal(r.requests.length, 1);
      const req = r.requests[0]!;
      assert.equal(req.method, "POST");
      assert.equal(req.url, "/hook?token=abc");
      assert.equal(req.headers["content-type"], "application/json; charset=utf-8");
      assert.equal(req.headers["x-day2-event"], "incident.war_room");
      assert.equal(req.headers["x-day2-delivery"], `42:incident.war_room:${T0}`);
      assert.match(String(req.headers["x-day2-timestamp"]), /^\d+$/);
      assert.equal(req.headers["x-day2-signature"], undefined);
      assert.deepEqual(JSON.parse(req.body), webhookPayload(N));
    },
  );
});

test("retries 500 and 503, then succeeds", async () => {
  await withReceiver(
    (_req, all) =>
      all.length === 1 ? { status: 500 } : all.length === 2 ? { status: 503 } : { status: 204 },
    async (r) => {
      const result = await deliverNotification(webhook(r.url), N, FAST);
      assert.equal(result.ok, true);
      assert.equal(result.attempts, 3);
      assert.deepEqual(
        result.log.map((a) => a.status),
        [500, 503, 204],
      );
      // Same delivery id on every attempt: receivers can deduplicate.
      assert.equal(new Set(r.requests.map((q) => q.headers["x-day2-delivery"])).size, 1);
    },
  );
});

test("429 with Retry-After: waits as told", async () => {
  await withReceiver(
    (_req, all) => (all.length === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 }),
    async (r) => {
      const result = await deliverNotification(webhook(r.url), N, FAST);
      assert.equal(result.ok, true);
      assert.equal(result.attempts, 2);
      assert.equal(result.log[0]!.waitMs, 1000);
      const gap = r.requests[1]!.at - r.requests[0]!.at;
      assert.ok(gap >= 950, `second attempt ${gap} ms after the first`);
    },
  );
});

test("a Retry-After beyond the limit ends the delivery with a dead letter", async () => {
  await withReceiver(
    () => ({ status: 503, headers: { "retry-after": "3600" } }),
    async (r) => {
      const result = await deliverNotification(webhook(r.url), N, FAST);
      assert.equal(result.ok, false);
      assert.equal(r.requests.length, 1);
      if (result.ok) return;
      assert.equal(result.deadLetter.lastError, "HTTP 503 (Retry-After 3600 s exceeds the 2 s limit)");
    },
  );
});

test("gives up after N attempts: dead letter with target, payload, attempts, last error", async () => {
  await withReceiver(
    () => ({ status: 502, body: "bad gateway" }),
    async (r) => {
      const result = await deliverNotification(webhook(r.url, { secret: "s3cret" }), N, {
        ...FAST,
        attempts: 3,
        now: () => T0 + 60_000,
      });
      assert.equal(r.requests.length, 3);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.deepEqual(result.deadLetter, {
        target: { name: "ops-webhook", kind: "webhook", url: `${r.url}/hook` },
        event: "incident.war_room",
        notificationId: `42:incident.war_room:${T0}`,
        incidentId: "42",
        payload: webhookPayload(N),
        attempts: 3,
        lastError: "HTTP 502: bad gateway",
        lastStatus: 502,
        firstAttemptAt: T0 + 60_000,
        at: T0 + 60_000,
      });
      // Plain data: survives a JSON round trip (the store keeps it as JSON).
      assert.deepEqual(JSON.parse(JSON.stringify(result.deadLetter)), result.deadLetter);
      assert.ok(!JSON.stringify(result.deadLetter).includes("s3cret"));
    },
  );
});

test("400 is a dead letter at once, no retries", async () => {
  await withReceiver(
    () => ({ status: 400, body: "invalid_payload" }),
    async (r) => {
      const result = await deliverNotification(
        { name: "slack", kind: "slack-webhook", url: `${r.url}/services/T0/B0/XYZsecret` },
        N,
        FAST,
      );
      assert.equal(r.requests.length, 1);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.deadLetter.attempts, 1);
      assert.equal(result.deadLetter.lastError, "HTTP 400: invalid_payload");
      assert.equal(result.deadLetter.target.url, `${r.url}/services/T0/B0/***`);
      // Slack webhooks get the Block Kit body, not the generic one.
      assert.ok(Array.isArray((JSON.parse(r.requests[0]!.body) as { blocks: unknown }).blocks));
    },
  );
});

test("a slow receiver times out per attempt, and is retried", async () => {
  await withReceiver(
    (_req, all) => (all.length === 1 ? { status: 200, delayMs: 1000 } : { status: 200 }),
    async (r) => {
      const result = await deliverNotification(webhook(r.url), N, { ...FAST, timeoutMs: 150 });
      assert.equal(result.ok, true);
      assert.equal(result.attempts, 2);
      assert.equal(result.log[0]!.error, "timed out after 150 ms");
    },
  );
  await withReceiver(
    () => ({ status: 200, delayMs: 1000 }),
    async (r) => {
      const result = await deliverNotification(webhook(r.url), N, { ...FAST, timeoutMs: 100, attempts: 2 });
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.deadLetter.lastError, "timed out after 100 ms");
      assert.equal(result.deadLetter?.lastStatus, undefined);
    },
  );
});

test("connection refused is retried, then dead-lettered", async () => {
  const r = await startWebhookReceiver(() => ({ status: 200 }));
  await r.close(); // nothing listens on this port any more
  const result = await deliverNotification(webhook(r.url), N, { ...FAST, attempts: 3 });
  assert.equal(result.ok, false);
  assert.equal(result.attempts, 3);
  if (!result.ok) assert.match(result.deadLetter.lastError, /ECONNREFUSED/);
});

test("signed webhooks verify with the secret, and only with it", async () => {
  const secret = "correct horse battery staple";
  await withReceiver(
    (req) => {
      const check = verifySignature({
        secret,
        body: req.body,
        timestamp: req.headers["x-day2-timestamp"] as string,
        signature: req.headers["x-day2-signature"] as string,
      });
      return check.ok ? { status: 200 } : { status: 401, body: check.reason };
    },
    async (r) => {
      const good = await deliverNotification(webhook(r.url, { secret }), N, FAST);
      assert.equal(good.ok, true);
      const bad = await deliverNotification(webhook(r.url, { secret: "wrong" }), N, FAST);
      assert.equal(bad.ok, false);
      if (!bad.ok) assert.equal(bad.deadLetter.lastError, "HTTP 401: signature mismatch");

      const req = r.requests[0]!;
      const ts = req.headers["x-day2-timestamp"] as string;
      assert.equal(req.headers["x-day2-signature"], signPayload(secret, Number(ts), req.body));
      // A tampered body, or the same request replayed 10 minutes later, is rejected.
      const base = { secret, timestamp: ts, signature: req.headers["x-day2-signature"] as string };
      assert.deepEqual(verifySignature({ ...base, body: req.body.replace("P0", "P3") }), {
        ok: false,
        reason: "signature mismatch",
      });
      assert.deepEqual(verifySignature({ ...base, body: req.body, nowMs: Number(ts) * 1000 + 600_000 }), {
        ok: false,
        reason: "timestamp outside tolerance",
      });
    },
  );
});

test("a dead letter can be redelivered with the same event id", async () => {
  await withReceiver(
    (_req, all) => (all.length === 1 ? { status: 404 } : { status: 200 }),
    async (r) => {
      const target = webhook(r.url);
      const first = await deliverNotification(target, N, FAST);
      assert.equal(first.ok, false);
      if (first.ok) return;
      const again = await redeliver(target, first.deadLetter, FAST);
      assert.equal(again.ok, true);
      assert.equal(r.requests[1]!.body, r.requests[0]!.body);
      assert.equal(r.requests[1]!.headers["x-day2-delivery"], r.requests[0]!.headers["x-day2-delivery"]);
    },
  );
});

test("backoff, Retry-After parsing and URL redaction", () => {
  const opts = { baseDelayMs: 1000, maxDelayMs: 10_000 };
  assert.equal(backoffDelay(1, { ...opts, random: () => 0 }), 500);
  assert.equal(backoffDelay(1, { ...opts, random: () => 1 }), 1000);
  assert.equal(backoffDelay(3, { ...opts, random: () => 0.5 }), 3000);
  assert.equal(backoffDelay(10, { ...opts, random: () => 1 }), 10_000);
  assert.equal(parseRetryAfter("7", 0), 7000);
  assert.equal(parseRetryAfter("Sun, 01 Mar 2026 10:00:30 GMT", T0), 30_000);
  assert.equal(parseRetryAfter("Sun, 01 Mar 2026 09:00:00 GMT", T0), 0);
  assert.equal(parseRetryAfter("soon", 0), undefined);
  assert.equal(parseRetryAfter(null, 0), undefined);
  assert.equal(redactUrl("https://user:pw@hooks.example/x?token=1#f", "webhook"), "https://hooks.example/x");
});

// ---------------------------------------------------------------------------------------------
// Slack Web API: a local fake answering like Slack (HTTP 200 + {ok, error}, 429 + Retry-After).

interface FakeSlack {
  taken: Set<string>;
  calls: { method: string; auth: string | undefined; args: Record<string, unknown> }[];
  /** Per method: scripted answers consumed before the normal behaviour. */
  script: Record<string, Reply[]>;
}

function fakeSlack(state: FakeSlack): (req: ReceivedRequest) => Reply {
  return (req) => {
    const method = req.url.replace(/^\/api\//, "");
    const args = JSON.parse(req.body || "{}") as Record<string, unknown>;
    state.calls.push({ method, auth: req.headers.authorization, args });
    const json = (body: unknown): Reply => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const scripted = state.script[method]?.shift();
    if (scripted) return scripted;
    if (req.headers.authorization !== "Bearer xoxb-test") return json({ ok: false, error: "invalid_auth" });
    if (method === "conversations.create") {
      const name = String(args.name);
      if (!/^[a-z0-9_-]{1,80}$/.test(name)) return json({ ok: false, error: "invalid_name_specials" });
      if (state.taken.has(name)) return json({ ok: false, error: "name_taken" });
      state.taken.add(name);
      return json({ ok: true, channel: { id: `C${state.taken.size}`, name, is_member: true } });
    }
    if (method === "chat.postMessage") {
      if (!args.channel) return json({ ok: false, error: "channel_not_found" });
      return json({ ok: true, channel: args.channel, ts: "1772359200.000100" });
    }
    return json({ ok: false, error: "unknown_method" });
  };
}

test("Slack: creates the incident channel (through 429 and name_taken) and posts the war-room message", async () => {
  const state: FakeSlack = {
    taken: new Set(["inc-42-checkout-api-down"]),
    calls: [],
    script: {
      "conversations.create": [{ status: 429, headers: { "retry-after": "0" } }],
      "chat.postMessage": [
        {
          status: 200,
          headers: { "content-type": "application/json" },
          body: '{"ok":false,"error":"internal_error"}',
        },
      ],
    },
  };
  await withReceiver(fakeSlack(state), async (r) => {
    const result = await openSlackWarRoom({ token: "xoxb-test", baseUrl: `${r.url}/api/` }, N, FAST);
    assert.deepEqual(
      state.calls.map((c) => [c.method, c.args.name ?? c.args.channel]),
      [
        ["conversations.create", "inc-42-checkout-api-down"], // 429, retried
        ["conversations.create", "inc-42-checkout-api-down"], // name_taken
        ["conversations.create", "inc-42-checkout-api-down-2"],
        ["chat.postMessage", "C2"], // internal_error, retried
        ["chat.postMessage", "C2"],
      ],
    );
    assert.ok(state.calls.every((c) => c.auth === "Bearer xoxb-test"));
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.deepEqual(result.channel, { id: "C2", name: "inc-42-checkout-api-down-2" });
    assert.equal(result.ts, "1772359200.000100");
    const posted = state.calls[4]!.args as { text: string; blocks: { type: string }[]; is_private?: boolean };
    assert.deepEqual(
      posted.blocks.map((b) => b.type),
      ["header", "section", "context", "actions"],
    );
    assert.equal(state.calls[2]!.args.is_private, false);
  });
});

test("Slack: a permanent API error is a dead letter without retries, and without the token", async () => {
  const state: FakeSlack = {
    taken: new Set(),
    calls: [],
    script: {
      "conversations.create": [
        {
          status: 200,
          headers: { "content-type": "application/json" },
          body: '{"ok":false,"error":"restricted_action"}',
        },
      ],
    },
  };
  await withReceiver(fakeSlack(state), async (r) => {
    const result = await openSlackWarRoom({ token: "xoxb-test", baseUrl: `${r.url}/api` }, N, FAST);
    assert.equal(state.calls.length, 1);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.step, "create");
    assert.equal(result.deadLetter.lastError, "Slack error restricted_action");
    assert.equal(result.deadLetter.attempts, 1);
    assert.deepEqual(result.deadLetter.target, {
      name: "slack",
      kind: "slack-api",
      url: `${r.url}/api/conversations.create`,
    });
    assert.deepEqual(result.deadLetter.payload, { name: "inc-42-checkout-api-down", is_private: false });
    assert.ok(!JSON.stringify(result.deadLetter).includes("xoxb"));
  });
});

test("Slack channel names: lowercase, allowed characters only, at most 80", () => {
  assert.equal(slackChannelName({ id: "42", title: "Checkout API down!" }), "inc-42-checkout-api-down");
  assert.equal(
    slackChannelName({ id: "INC_7", title: "Café  überlastet / 500s" }),
    "inc-inc_7-cafe-uberlastet-500s",
  );
  assert.equal(slackChannelName({ id: "inc-0mh3k2", title: "Disk full" }), "inc-0mh3k2-disk-full");
  const long = slackChannelName({ id: "0194f3a2-7c1e-7b66-9f0a-2f4f1c9d8e11", title: "word ".repeat(40) });
  assert.ok(long.length <= 80);
  assert.match(long, /^[a-z0-9_-]+$/);
  assert.ok(!long.endsWith("-"));
});

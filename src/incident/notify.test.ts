/**
 * Message builders: exact Slack Block Kit and generic webhook bodies for a hand-built incident.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  escalationNotification,
  escapeMrkdwn,
  formatDuration,
  notificationSummary,
  resolvedNotification,
  slackMessage,
  statusChangeNotification,
  warRoomNotification,
  webhookPayload,
} from "./notify.js";
import type { Incident } from "./types.js";

const T0 = Date.parse("2026-03-01T10:00:00Z");
const MIN = 60_000;
const LINK = "https://day2.example/incidents/42";

const INCIDENT: Incident = {
  id: "42",
  title: "Checkout API error rate above 5%",
  priority: "P1",
  priorityOverridden: false,
  status: "triggered",
  groupKey: '{}:{alertname="CheckoutErrors"}',
  service: "checkout",
  namespace: "shop",
  labels: { alertname: "CheckoutErrors", severity: "critical" },
  createdAt: T0,
  commander: "alice",
  assignee: "bob",
  escalationLevel: 0,
};

test("war-room message: header, fields, context, danger button for P0/P1, fallback text", () => {
  const msg = slackMessage(warRoomNotification(INCIDENT, LINK, T0));
  assert.deepEqual(msg, {
    text: "[P1] Checkout API error rate above 5% (service checkout): war room opened, commander alice https://day2.example/incidents/42",
    blocks: [
      { type: "header", text: { type: "plain_text", text: "P1 incident: Checkout API error rate above 5%" } },
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: "*Priority*\nP1" },
          { type: "mrkdwn", text: "*Status*\ntriggered" },
          { type: "mrkdwn", text: "*Service*\ncheckout" },
          { type: "mrkdwn", text: "*Namespace*\nshop" },
          { type: "mrkdwn", text: "*Commander*\nalice" },
          { type: "mrkdwn", text: "*Assignee*\nbob" },
        ],
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: "Incident 42 · opened <!date^1772359200^{date_short_pretty} {time}|2026-03-01 10:00 UTC> · day2",
          },
        ],
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open incident" },
            url: LINK,
            action_id: "open_incident",
            style: "danger",
          },
        ],
      },
    ],
  });
});

test("escalation, status change and resolved messages", () => {
  const esc = escalationNotification(INCIDENT, LINK, T0 + 15 * MIN, {
    level: 2,
    target: "platform-secondary",
    reason: "not acknowledged within 15 min",
  });
  assert.equal(
    notificationSummary(esc),
    "[P1] Checkout API error rate above 5% (service checkout): escalated to level 2, paging platform-secondary: not acknowledged within 15 min",
  );
  const escMsg = slackMessage(esc);
  assert.deepEqual(escMsg.blocks[0], {
    type: "header",
    text: { type: "plain_text", text: "Escalated to level 2: Checkout API error rate above 5%" },
  });
  assert.deepEqual(escMsg.blocks[1], {
    type: "section",
    fields: [
      { type: "mrkdwn", text: "*Priority*\nP1" },
      { type: "mrkdwn", text: "*Status*\ntriggered" },
      { type: "mrkdwn", text: "*Service*\ncheckout" },
      { type: "mrkdwn", text: "*Namespace*\nshop" },
      { type: "mrkdwn", text: "*Commander*\nalice" },
      { type: "mrkdwn", text: "*Assignee*\nbob" },
      { type: "mrkdwn", text: "*Escalation*\nlevel 2: platform-secondary" },
      { type: "mrkdwn", text: "*Reason*\nnot acknowledged within 15 min" },
    ],
  });
  assert.deepEqual(escMsg.blocks[2], {
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text:
          "Incident 42 · opened <!date^1772359200^{date_short_pretty} {time}|2026-03-01 10:00 UTC>" +
          " · updated <!date^1772360100^{date_short_pretty} {time}|2026-03-01 10:15 UTC> · day2",
      },
    ],
  });
  // No danger style outside the war-room opening.
  assert.equal("style" in (escMsg.blocks[3] as { elements: object[] }).elements[0]!, false);

  const change = statusChangeNotification(INCIDENT, LINK, T0 + 20 * MIN, {
    from: "acknowledged",
    to: "mitigated",
    actor: "bob",
    text: "rolled back to v1.4.2",
  });
  assert.equal(slackMessage(change).blocks[0]!.type, "header");
  assert.equal(
    slackMessage(change).text,
    "[P1] Checkout API error rate above 5% (service checkout): acknowledged -> mitigated by bob: rolled back to v1.4.2 https://day2.example/incidents/42",
  );

  const resolved = resolvedNotification({ ...INCIDENT, status: "resolved" }, LINK, T0 + 65 * MIN, {
    actor: "bob",
  });
  assert.equal(
    notificationSummary(resolved),
    "[P1] Checkout API error rate above 5% (service checkout): resolved by bob after 1 h 5 min",
  );
  assert.deepEqual((slackMessage(resolved).blocks[1] as { fields: unknown[] }).fields.slice(-2), [
    { type: "mrkdwn", text: "*Resolved by*\nbob" },
    { type: "mrkdwn", text: "*Duration*\n1 h 5 min" },
  ]);
});

test("generic webhook payload, version 1", () => {
  const acked = { ...INCIDENT, status: "acknowledged" as const, acknowledgedAt: T0 + 3 * MIN };
  const payload = webhookPayload(
    statusChangeNotification(acked, LINK, T0 + 3 * MIN, {
      from: "triggered",
      to: "acknowledged",
      actor: "bob",
    }),
  );
  assert.deepEqual(payload, {
    version: "1",
    event: "incident.status_changed",
    id: `42:incident.status_changed:${T0 + 3 * MIN}`,
    at: "2026-03-01T10:03:00.000Z",
    summary: "[P1] Checkout API error rate above 5% (service checkout): triggered -> acknowledged by bob",
    incident: {
      id: "42",
      title: "Checkout API error rate above 5%",
      priority: "P1",
      status: "acknowledged",
      escalationLevel: 0,
      labels: { alertname: "CheckoutErrors", severity: "critical" },
      createdAt: "2026-03-01T10:00:00.000Z",
      service: "checkout",
      namespace: "shop",
      commander: "alice",
      assignee: "bob",
      acknowledgedAt: "2026-03-01T10:03:00.000Z",
    },
    link: LINK,
    change: { from: "triggered", to: "acknowledged", actor: "bob" },
  });
  const resolved = webhookPayload(
    resolvedNotification(INCIDENT, LINK, T0 + 30 * MIN, { actor: "bob", text: "fixed" }),
  );
  assert.deepEqual(resolved.resolution, { actor: "bob", durationMs: 30 * MIN, text: "fixed" });
  assert.equal(resolved.escalation, undefined);
});

test("mrkdwn escaping and Slack's length limits", () => {
  assert.equal(escapeMrkdwn("a <b> & c"), "a &lt;b&gt; &amp; c");
  const long = { ...INCIDENT, title: "x".repeat(300), service: "<svc>" };
  const msg = slackMessage(warRoomNotification(long, LINK, T0));
  const header = msg.blocks[0] as { text: { text: string } };
  assert.equal(header.text.text.length, 150);
  assert.ok(header.text.text.endsWith("…"));
  assert.deepEqual((msg.blocks[1] as { fields: unknown[] }).fields[2], {
    type: "mrkdwn",
    text: "*Service*\n&lt;svc&gt;",
  });
});

test("formatDuration", () => {
  assert.equal(formatDuration(45_000), "45 s");
  assert.equal(formatDuration(12 * MIN), "12 min");
  assert.equal(formatDuration(60 * MIN), "1 h");
  assert.equal(formatDuration(65 * MIN), "1 h 5 min");
  assert.equal(formatDuration(51 * 60 * MIN), "2 d 3 h");
});

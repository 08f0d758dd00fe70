/** The rhythm report as Slack Block Kit and as the generic webhook's JSON (pure renderers). */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RhythmNotification } from "./notify-rhythm.js";
import {
  rhythmNotificationId,
  rhythmSlackMessage,
  rhythmSummary,
  rhythmWebhookPayload,
} from "./notify-rhythm.js";
import { payloadFor } from "./notify-send.js";

const N: RhythmNotification = {
  event: "rhythm.report",
  cadence: "weekly",
  period: "2026-W48",
  schedule: {
    period: "2026-W48",
    at: Date.parse("2026-11-23T08:00:00Z"),
    timeZone: "Europe/Berlin",
    time: "mon 09:00",
  },
  at: Date.parse("2026-11-23T08:00:05Z"),
  source: "live (prod <eu>)",
  counts: { ok: 1, attention: 1, "manual-open": 1, "manual-done": 0, "not-available": 0 },
  items: [
    {
      id: "vulnerabilities",
      title: "Security vulnerability remediation",
      kind: "evaluated",
      status: "attention",
      evidence: ["CVEs: 2 critical", "a", "b", "c", "d <script>"],
      command: "day2 scan --category security",
    },
    {
      id: "capacity",
      title: "Capacity planning review",
      kind: "evaluated",
      status: "ok",
      evidence: ["3 pools"],
    },
    {
      id: "runbooks",
      title: "Runbook updates & reviews",
      kind: "manual",
      status: "manual-open",
      evidence: [],
    },
  ],
  report: { format: "markdown", text: "# day2 rhythm weekly: 2026-W48\n" },
};

test("the webhook payload: version 1, an id per cadence and scheduled period, times in ISO 8601", () => {
  const p = rhythmWebhookPayload(N);
  assert.equal(p.id, "rhythm:weekly:2026-W48");
  assert.equal(rhythmNotificationId(N), p.id);
  assert.equal(p.at, "2026-11-23T08:00:05.000Z");
  assert.equal(
    p.summary,
    "Weekly rhythm 2026-W48: 1 ok, 1 need attention, 1 to sign off, 0 signed off, 0 without data",
  );
  assert.deepEqual(p.rhythm.schedule, {
    period: "2026-W48",
    at: "2026-11-23T08:00:00.000Z",
    timeZone: "Europe/Berlin",
    time: "mon 09:00",
  });
  assert.equal(p.rhythm.items.length, 3);
  assert.deepEqual(p.report, N.report);
  assert.equal("link" in p, false, "no link when none is known");
  assert.deepEqual(payloadFor("webhook", N), p);
});

test("Slack: header, counts, one escaped section per item (4 evidence lines, then a count), link button", () => {
  const m = rhythmSlackMessage({ ...N, link: "https://day2.example/#/rhythm" });
  assert.equal(m.text, `${rhythmSummary(N)} https://day2.example/#/rhythm`);
  assert.deepEqual(m.blocks[0], {
    type: "header",
    text: { type: "plain_text", text: "Weekly rhythm 2026-W48" },
  });
  const sections = m.blocks
    .filter((b) => b.type === "section")
    .map((b) => (b as { text: { text: string } }).text.text);
  assert.equal(sections[0], "1 ok, 1 need attention, 1 to sign off, 0 signed off, 0 without data");
  assert.equal(
    sections[1],
    "*ATTENTION* · Security vulnerability remediation\n• CVEs: 2 critical\n• a\n• b\n• c\n• … 1 more\nmore: `day2 scan --category security`",
  );
  assert.equal(sections[3], "*TO DO* · Runbook updates &amp; reviews");
  const context = m.blocks.find((b) => b.type === "context") as { elements: { text: string }[] };
  assert.match(
    context.elements[0]!.text,
    /^live \(prod &lt;eu&gt;\) · evaluated 2026-11-23 08:00 UTC · scheduled mon 09:00 Europe\/Berlin/,
  );
  assert.deepEqual(m.blocks.at(-1), {
    type: "actions",
    elements: [
      {
        type: "button",
        text: { type: "plain_text", text: "Open checklist" },
        url: "https://day2.example/#/rhythm",
        action_id: "open_rhythm",
      },
    ],
  });
  assert.equal(
    rhythmSlackMessage(N).blocks.some((b) => b.type === "actions"),
    false,
  );
  assert.deepEqual(payloadFor("slack-webhook", N), rhythmSlackMessage(N));
});

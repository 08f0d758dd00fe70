/**
 * The scheduled rhythm report as a message (not an incident): what `day2 serve` sends through
 * the notifiers when a daily, weekly, monthly or quarterly checklist is due (src/collect/rhythm.ts).
 * It travels through the same outbox, delivery, signatures and retries as incident
 * notifications (notify-send.ts); {@link rhythmSlackMessage} renders it as Block Kit and
 * {@link rhythmWebhookPayload} as generic webhook JSON, version "1":
 *
 * ```json
 * {
 *   "version": "1",
 *   "event": "rhythm.report",
 *   "id": "rhythm:daily:2026-11-25",               // cadence and scheduled period: dedupe on it
 *   "at": "2026-11-25T09:00:04.000Z",              // when the report was evaluated
 *   "summary": "Daily rhythm 2026-11-25: 3 ok, 2 need attention, ...",
 *   "rhythm": {
 *     "cadence": "daily", "period": "2026-11-25",  // the checklist's period (as day2 rhythm)
 *     "schedule": { "period", "at", "timeZone", "time" },   // the send this is
 *     "source", "counts": { "ok", "attention", "manual-open", "manual-done", "not-available" },
 *     "items": [{ "id", "title", "kind", "status", "evidence": [...], "command"? }]
 *   },
 *   "report": { "format": "markdown" | "table" | "html", "text": "..." },
 *   "link"?: "https://day2.example/#/rhythm"
 * }
 * ```
 */
import type { Cadence } from "../rhythm/checklists.js";
import type { ItemStatus } from "../rhythm/evaluate.js";
import { STATUS_LABELS } from "../rhythm/evaluate.js";
import type { SlackBlock, SlackMessage } from "./notify.js";
import { WEBHOOK_PAYLOAD_VERSION, escapeMrkdwn, formatUtc } from "./notify.js";

export const RHYTHM_EVENT = "rhythm.report";

export interface RhythmItemMessage {
  id: string;
  title: string;
  kind: "evaluated" | "manual";
  status: ItemStatus;
  evidence: string[];
  command?: string;
}

/** One scheduled report: plain data, stored as the outbox row's payload. */
export interface RhythmNotification {
  event: typeof RHYTHM_EVENT;
  cadence: Cadence;
  /** The checklist's period (sign-offs count for it). */
  period: string;
  /** The send this is: the schedule's period in its zone, and when it was due (epoch ms). */
  schedule: { period: string; at: number; timeZone: string; time: string };
  /** When the report was evaluated, epoch ms. */
  at: number;
  /** Which cluster reading it was evaluated on. */
  source: string;
  counts: Record<ItemStatus, number>;
  items: RhythmItemMessage[];
  /** The rendered report a webhook carries. */
  report: { format: string; text: string };
  link?: string;
}

export interface RhythmWebhookPayload {
  version: typeof WEBHOOK_PAYLOAD_VERSION;
  event: typeof RHYTHM_EVENT;
  id: string;
  at: string;
  summary: string;
  rhythm: {
    cadence: Cadence;
    period: string;
    schedule: { period: string; at: string; timeZone: string; time: string };
    source: string;
    counts: Record<ItemStatus, number>;
    items: RhythmItemMessage[];
  };
  report: { format: string; text: string };
  link?: string;
}

/** Tells a rhythm report from an incident notification (both live in the outbox). */
export function isRhythmNotification(n: { event: string }): n is RhythmNotification {
  return n.event === RHYTHM_EVENT;
}

/** The event id: one per cadence and scheduled period, the same on every retry. */
export function rhythmNotificationId(n: RhythmNotification): string {
  return `rhythm:${n.cadence}:${n.schedule.period}`;
}

function title(n: RhythmNotification): string {
  return `${n.cadence.charAt(0).toUpperCase()}${n.cadence.slice(1)} rhythm ${n.period}`;
}

/** The one-line summary: Slack's `text` fallback and the webhook's `summary`. */
export function rhythmSummary(n: RhythmNotification): string {
  return `${title(n)}: ${countsText(n.counts)}`;
}

function countsText(c: Record<ItemStatus, number>): string {
  return `${c.ok} ok, ${c.attention} need attention, ${c["manual-open"]} to sign off, ${c["manual-done"]} signed off, ${c["not-available"]} without data`;
}

export function rhythmWebhookPayload(n: RhythmNotification): RhythmWebhookPayload {
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    event: RHYTHM_EVENT,
    id: rhythmNotificationId(n),
    at: new Date(n.at).toISOString(),
    summary: rhythmSummary(n),
    rhythm: {
      cadence: n.cadence,
      period: n.period,
      schedule: { ...n.schedule, at: new Date(n.schedule.at).toISOString() },
      source: n.source,
      counts: n.counts,
      items: n.items,
    },
    report: n.report,
    ...(n.link ? { link: n.link } : {}),
  };
}

/** Slack's limits (characters): header 150, section text 3000, fallback text kept short. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FALLBACK_MAX = 3000;
/** Evidence lines per item in Slack: the rest is one click away. */
const SLACK_EVIDENCE = 4;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function itemBlock(it: RhythmItemMessage): SlackBlock {
  const lines = [
    `*${STATUS_LABELS[it.status]}* · ${escapeMrkdwn(it.title)}`,
    ...it.evidence.slice(0, SLACK_EVIDENCE).map((e) => `• ${escapeMrkdwn(e)}`),
    ...(it.evidence.length > SLACK_EVIDENCE ? [`• … ${it.evidence.length - SLACK_EVIDENCE} more`] : []),
    ...(it.command ? [`more: \`${escapeMrkdwn(it.command)}\``] : []),
  ];
  return { type: "section", text: { type: "mrkdwn", text: truncate(lines.join("\n"), SECTION_MAX) } };
}

/** The Block Kit message (incoming webhook body): a header, the counts, one section per item, a link. */
export function rhythmSlackMessage(n: RhythmNotification): SlackMessage {
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: truncate(title(n), HEADER_MAX) } },
    { type: "section", text: { type: "mrkdwn", text: countsText(n.counts) } },
    // In the checklist's order; Slack shows at most 50 blocks.
    ...n.items.slice(0, 45).map(itemBlock),
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `${escapeMrkdwn(n.source)} · evaluated ${formatUtc(n.at)} · scheduled ${escapeMrkdwn(n.schedule.time)} ${escapeMrkdwn(n.schedule.timeZone)} · day2`,
        },
      ],
    },
  ];
  if (n.link)
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          text: { type: "plain_text", text: "Open checklist" },
          url: n.link,
          action_id: "open_rhythm",
        },
      ],
    });
  return { text: truncate(`${rhythmSummary(n)}${n.link ? ` ${n.link}` : ""}`, FALLBACK_MAX), blocks };
}

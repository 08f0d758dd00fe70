/**
 * Incident notifications: what day2 tells a war room, as plain data.
 *
 * A {@link Notification} is one event (war room opened, escalation, status change, resolved);
 * {@link slackMessage} renders it as a Slack incoming-webhook / `chat.postMessage` body (Block
 * Kit: a header, section fields, a context line and a link button, plus the `text` fallback
 * Slack shows in notifications), and {@link webhookPayload} as the generic webhook JSON.
 *
 * Generic webhook payload, version "1" (additive changes only within a version; a breaking
 * change bumps `version`):
 *
 * ```json
 * {
 *   "version": "1",
 *   "event": "incident.war_room" | "incident.escalated" | "incident.status_changed" | "incident.resolved",
 *   "id": "<incident id>:<event>:<epoch ms>",     // the same on every retry: dedupe on it
 *   "at": "2026-03-01T10:00:00.000Z",             // when the event happened (ISO 8601, UTC)
 *   "summary": "one-line text, as in Slack's fallback",
 *   "incident": { "id", "title", "priority", "status", "service"?, "namespace"?, "commander"?,
 *                 "assignee"?, "warRoom"?, "escalationLevel", "labels", "createdAt",
 *                 "acknowledgedAt"?, "mitigatedAt"?, "resolvedAt"? },   // times ISO 8601
 *   "link": "https://day2.example/incidents/42",
 *   "escalation"?: { "level", "target", "reason"? },         // incident.escalated
 *   "change"?: { "from", "to", "actor", "text"? },          // incident.status_changed
 *   "resolution"?: { "actor", "durationMs", "text"? }       // incident.resolved
 * }
 * ```
 *
 * Delivery (retries, signatures, dead letters) is in notify-send.ts; the Slack Web API (a
 * dedicated channel per incident) in notify-slack.ts.
 */
import type { Incident, IncidentStatus, Priority } from "./types.js";

export const WEBHOOK_PAYLOAD_VERSION = "1";

export const NOTIFICATION_EVENTS = [
  "incident.war_room",
  "incident.escalated",
  "incident.status_changed",
  "incident.resolved",
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

interface NotificationBase {
  incident: Incident;
  /** The incident's page in day2 (or wherever responders should go). */
  link: string;
  /** When the event happened, epoch ms. */
  at: number;
}

export interface WarRoomNotification extends NotificationBase {
  event: "incident.war_room";
}

export interface EscalationNotification extends NotificationBase {
  event: "incident.escalated";
  level: number;
  /** Who is paged now: a person, a schedule or a team name. */
  target: string;
  reason?: string;
}

export interface StatusChangeNotification extends NotificationBase {
  event: "incident.status_changed";
  from: IncidentStatus;
  to: IncidentStatus;
  actor: string;
  text?: string;
}

export interface ResolvedNotification extends NotificationBase {
  event: "incident.resolved";
  actor: string;
  text?: string;
}

export type Notification =
  WarRoomNotification | EscalationNotification | StatusChangeNotification | ResolvedNotification;

export function warRoomNotification(incident: Incident, link: string, at: number): WarRoomNotification {
  return { event: "incident.war_room", incident, link, at };
}

export function escalationNotification(
  incident: Incident,
  link: string,
  at: number,
  escalation: { level: number; target: string; reason?: string },
): EscalationNotification {
  return { event: "incident.escalated", incident, link, at, ...escalation };
}

export function statusChangeNotification(
  incident: Incident,
  link: string,
  at: number,
  change: { from: IncidentStatus; to: IncidentStatus; actor: string; text?: string },
): StatusChangeNotification {
  return { event: "incident.status_changed", incident, link, at, ...change };
}

export function resolvedNotification(
  incident: Incident,
  link: string,
  at: number,
  resolution: { actor: string; text?: string },
): ResolvedNotification {
  return { event: "incident.resolved", incident, link, at, ...resolution };
}

// ---------------------------------------------------------------------------------------------
// Slack (Block Kit)

export interface SlackText {
  type: "plain_text" | "mrkdwn";
  text: string;
}
export type SlackBlock =
  | { type: "header"; text: SlackText }
  | { type: "section"; text?: SlackText; fields?: SlackText[] }
  | { type: "context"; elements: SlackText[] }
  | {
      type: "actions";
      elements: {
        type: "button";
        text: SlackText;
        url: string;
        action_id: string;
        style?: "primary" | "danger";
      }[];
    };

/** An incoming-webhook body; `chat.postMessage` takes the same plus `channel`. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's limits (characters): header text 150, a section field 2000, button text 75, url 3000. */
const HEADER_MAX = 150;
const FIELD_MAX = 2000;
const FALLBACK_MAX = 3000;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Slack's mrkdwn needs &, < and > escaped; everything else is literal. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** "2026-03-01 10:00 UTC" */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "45 s", "12 min", "1 h 5 min", "2 d 3 h": coarse, for people. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

function headline(n: Notification): string {
  const { priority, title } = n.incident;
  switch (n.event) {
    case "incident.war_room":
      return `${priority} incident: ${title}`;
    case "incident.escalated":
      return `Escalated to level ${n.level}: ${title}`;
    case "incident.status_changed":
      return `${capitalize(n.to)}: ${title}`;
    case "incident.resolved":
      return `Resolved: ${title}`;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The one-line summary: Slack's `text` fallback and the webhook's `summary`. */
export function notificationSummary(n: Notification): string {
  const i = n.incident;
  const where = i.service ? ` (service ${i.service})` : "";
  let detail: string;
  switch (n.event) {
    case "incident.war_room":
      detail = `war room opened${i.commander ? `, commander ${i.commander}` : ""}`;
      break;
    case "incident.escalated":
      detail = `escalated to level ${n.level}, paging ${n.target}${n.reason ? `: ${n.reason}` : ""}`;
      break;
    case "incident.status_changed":
      detail = `${n.from} -> ${n.to} by ${n.actor}${n.text ? `: ${n.text}` : ""}`;
      break;
    case "incident.resolved":
      detail = `resolved by ${n.actor} after ${formatDuration(n.at - i.createdAt)}${n.text ? `: ${n.text}` : ""}`;
      break;
  }
  return `[${i.priority}] ${i.title}${where}: ${detail}`;
}

function field(label: string, value: string): SlackText {
  return { type: "mrkdwn", text: truncate(`*${label}*\n${escapeMrkdwn(value)}`, FIELD_MAX) };
}

function slackFields(n: Notification): SlackText[] {
  const i = n.incident;
  const fields = [
    field("Priority", i.priority),
    field("Status", n.event === "incident.status_changed" ? n.to : i.status),
  ];
  if (i.service) fields.push(field("Service", i.service));
  if (i.namespace) fields.push(field("Namespace", i.namespace));
  if (i.commander) fields.push(field("Commander", i.commander));
  if (i.assignee && i.assignee !== i.commander) fields.push(field("Assignee", i.assignee));
  switch (n.event) {
    case "incident.escalated":
      fields.push(field("Escalation", `level ${n.level}: ${n.target}`));
      if (n.reason) fields.push(field("Reason", n.reason));
      break;
    case "incident.status_changed":
      fields.push(field("Changed by", n.actor));
      if (n.text) fields.push(field("Note", n.text));
      break;
    case "incident.resolved":
      fields.push(field("Resolved by", n.actor), field("Duration", formatDuration(n.at - i.createdAt)));
      if (n.text) fields.push(field("Note", n.text));
      break;
    case "incident.war_room":
      break;
  }
  return fields.slice(0, 10);
}

/** Slack date token: rendered in each reader's time zone, with the UTC text as fallback. */
function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${formatUtc(ms)}>`;
}

/** The Block Kit message for one notification (incoming webhook body). */
export function slackMessage(n: Notification): SlackMessage {
  const i = n.incident;
  return {
    text: truncate(`${notificationSummary(n)} ${n.link}`, FALLBACK_MAX),
    blocks: [
      { type: "header", text: { type: "plain_text", text: truncate(headline(n), HEADER_MAX) } },
      { type: "section", fields: slackFields(n) },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: [
              `Incident ${escapeMrkdwn(i.id)}`,
              `opened ${slackDate(i.createdAt)}`,
              ...(n.at !== i.createdAt ? [`updated ${slackDate(n.at)}`] : []),
              "day2",
            ].join(" · "),
          },
        ],
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open incident" },
            url: n.link,
            action_id: "open_incident",
            ...(n.event === "incident.war_room" && isUrgent(i.priority) ? { style: "danger" as const } : {}),
          },
        ],
      },
    ],
  };
}

function isUrgent(p: Priority): boolean {
  return p === "P0" || p === "P1";
}

// ---------------------------------------------------------------------------------------------
// Generic webhook (version "1")

export interface WebhookIncident {
  id: string;
  title: string;
  priority: Priority;
  status: IncidentStatus;
  service?: string;
  namespace?: string;
  commander?: string;
  assignee?: string;
  warRoom?: string;
  escalationLevel: number;
  labels: Record<string, string>;
  createdAt: string;
  acknowledgedAt?: string;
  mitigatedAt?: string;
  resolvedAt?: string;
}

export interface WebhookPayload {
  version: typeof WEBHOOK_PAYLOAD_VERSION;
  event: NotificationEvent;
  id: string;
  at: string;
  summary: string;
  incident: WebhookIncident;
  link: string;
  escalation?: { level: number; target: string; reason?: string };
  change?: { from: IncidentStatus; to: IncidentStatus; actor: string; text?: string };
  resolution?: { actor: string; durationMs: number; text?: string };
}

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

function webhookIncident(i: Incident): WebhookIncident {
  const out: WebhookIncident = {
    id: i.id,
    title: i.title,
    priority: i.priority,
    status: i.status,
    escalationLevel: i.escalationLevel,
    labels: { ...i.labels },
    createdAt: new Date(i.createdAt).toISOString(),
  };
  const optional = {
    service: i.service,
    namespace: i.namespace,
    commander: i.commander,
    assignee: i.assignee,
    warRoom: i.warRoom,
    acknowledgedAt: iso(i.acknowledgedAt),
    mitigatedAt: iso(i.mitigatedAt),
    resolvedAt: iso(i.resolvedAt),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(out, { [k]: v });
  return out;
}

/** The event id: stable across retries and re-deliveries, so receivers can deduplicate. */
export function notificationId(n: Notification): string {
  return `${n.incident.id}:${n.event}:${n.at}`;
}

/** The generic webhook body (version "1", documented at the top of this file). */
export function webhookPayload(n: Notification): WebhookPayload {
  const payload: WebhookPayload = {
    version: WEBHOOK_PAYLOAD_VERSION,
    event: n.event,
    id: notificationId(n),
    at: new Date(n.at).toISOString(),
    summary: notificationSummary(n),
    incident: webhookIncident(n.incident),
    link: n.link,
  };
  switch (n.event) {
    case "incident.escalated":
      payload.escalation = { level: n.level, target: n.target, ...(n.reason ? { reason: n.reason } : {}) };
      break;
    case "incident.status_changed":
      payload.change = { from: n.from, to: n.to, actor: n.actor, ...(n.text ? { text: n.text } : {}) };
      break;
    case "incident.resolved":
      payload.resolution = {
        actor: n.actor,
        durationMs: n.at - n.incident.createdAt,
        ...(n.text ? { text: n.text } : {}),
      };
      break;
    case "incident.war_room":
      break;
  }
  return payload;
}

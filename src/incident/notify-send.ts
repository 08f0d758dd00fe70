/**
 * Delivering notifications to war-room targets: Slack incoming webhooks and generic webhooks.
 * Retries are in notify-retry.ts, signatures in notify-sign.ts. Delivery never throws: it
 * returns a {@link DeliveryResult}, and when it gives up, a {@link DeadLetter} for the store
 * to keep (and for an operator to replay with {@link redeliver}).
 *
 * Generic webhook requests carry:
 *   Content-Type: application/json
 *   X-Day2-Event: <event>            e.g. incident.escalated, rhythm.report
 *   X-Day2-Delivery: <event id>      the same on every retry and re-delivery
 *   X-Day2-Timestamp: <unix seconds> per attempt
 *   X-Day2-Signature: sha256=<hex>   only when the target has a secret (see notify-sign.ts)
 */
import type { Notification, SlackMessage, WebhookPayload } from "./notify.js";
import { notificationId, slackMessage, webhookPayload } from "./notify.js";
import type { RhythmNotification, RhythmWebhookPayload } from "./notify-rhythm.js";
import {
  isRhythmNotification,
  rhythmNotificationId,
  rhythmSlackMessage,
  rhythmWebhookPayload,
} from "./notify-rhythm.js";
import type { DeliveryAttempt, PostOutcome, RetryOptions } from "./notify-retry.js";
import { postWithRetry } from "./notify-retry.js";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from "./notify-sign.js";

export type TargetKind = "slack-webhook" | "webhook" | "slack-api";

/** A configured war-room channel. */
export interface NotificationTarget {
  /** The configuration key; dead letters name the target by it. */
  name: string;
  kind: "slack-webhook" | "webhook";
  url: string;
  /** Generic webhooks only: signs each request (X-Day2-Signature). */
  secret?: string;
  /** Extra request headers (e.g. an Authorization the receiver wants). */
  headers?: Record<string, string>;
}

/** What the store keeps about a delivery day2 gave up on. Plain data, JSON-serialisable. */
export interface DeadLetter {
  target: {
    name: string;
    kind: TargetKind;
    /** Credentials removed: no query string or user info, Slack webhook and API secrets masked. */
    url: string;
  };
  event: string;
  /** The event id (X-Day2-Delivery). */
  notificationId: string;
  incidentId?: string;
  /** The JSON body as sent. */
  payload: unknown;
  attempts: number;
  lastError: string;
  lastStatus?: number;
  firstAttemptAt: number;
  /** When day2 gave up, epoch ms. */
  at: number;
}

export type DeliveryResult =
  | {
      ok: true;
      target: string;
      notificationId: string;
      attempts: number;
      status: number;
      deliveredAt: number;
      log: DeliveryAttempt[];
    }
  | {
      ok: false;
      target: string;
      notificationId: string;
      attempts: number;
      deadLetter: DeadLetter;
      log: DeliveryAttempt[];
    };

export type DeliveryOptions = RetryOptions;

/** Masks the secret parts of a target URL for storage and logs. */
export function redactUrl(raw: string, kind: TargetKind): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "(invalid url)";
  }
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  if (kind === "slack-webhook") {
    // /services/T.../B.../<secret>: the last segment is the credential.
    const parts = url.pathname.split("/");
    if (parts.length > 2) parts[parts.length - 1] = "***";
    url.pathname = parts.join("/");
  }
  return url.toString();
}

/** What the outbox delivers: an incident notification, or a scheduled rhythm report (notify-rhythm.ts). */
export type OutboxMessage = Notification | RhythmNotification;

/** The body a target gets for a message. */
export function payloadFor(
  kind: NotificationTarget["kind"],
  n: OutboxMessage,
): SlackMessage | WebhookPayload | RhythmWebhookPayload {
  if (isRhythmNotification(n))
    return kind === "slack-webhook" ? rhythmSlackMessage(n) : rhythmWebhookPayload(n);
  return kind === "slack-webhook" ? slackMessage(n) : webhookPayload(n);
}

/** Delivery headers and dead letters name the message by these (no incident for a rhythm report). */
export function messageMeta(n: OutboxMessage): DeliveryMeta {
  return isRhythmNotification(n)
    ? { event: n.event, notificationId: rhythmNotificationId(n) }
    : { event: n.event, notificationId: notificationId(n), incidentId: n.incident.id };
}

function requestHeaders(
  target: NotificationTarget,
  body: string,
  meta: { event: string; id: string },
): (nowMs: number) => Record<string, string> {
  return (nowMs) => {
    const headers: Record<string, string> = {
      ...target.headers,
      "Content-Type": "application/json; charset=utf-8",
      "User-Agent": "day2-notify/1",
    };
    if (target.kind === "webhook") {
      const ts = Math.floor(nowMs / 1000);
      headers["X-Day2-Event"] = meta.event;
      headers["X-Day2-Delivery"] = meta.id;
      headers[TIMESTAMP_HEADER] = String(ts);
      if (target.secret) headers[SIGNATURE_HEADER] = signPayload(target.secret, ts, body);
    }
    return headers;
  };
}

export interface DeliveryMeta {
  event: string;
  notificationId: string;
  incidentId?: string;
}

/** Builds the result (and the dead letter) from a finished POST. */
export function deliveryResult(
  target: { name: string; kind: TargetKind; url: string },
  meta: DeliveryMeta,
  payload: unknown,
  outcome: PostOutcome,
  at: number,
): DeliveryResult {
  const common = { target: target.name, notificationId: meta.notificationId, attempts: outcome.attempts };
  if (outcome.ok)
    return { ok: true, ...common, status: outcome.status ?? 0, deliveredAt: at, log: outcome.log };
  const deadLetter: DeadLetter = {
    target: { name: target.name, kind: target.kind, url: redactUrl(target.url, target.kind) },
    event: meta.event,
    notificationId: meta.notificationId,
    payload,
    attempts: outcome.attempts,
    lastError: outcome.error ?? "unknown error",
    firstAttemptAt: outcome.firstAttemptAt,
    at,
  };
  if (meta.incidentId !== undefined) deadLetter.incidentId = meta.incidentId;
  if (outcome.status !== undefined) deadLetter.lastStatus = outcome.status;
  return { ok: false, ...common, deadLetter, log: outcome.log };
}

/** Sends an already-built body (a notification's payload, or a dead letter's on replay). */
export async function deliverPayload(
  target: NotificationTarget,
  meta: DeliveryMeta,
  payload: unknown,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const body = JSON.stringify(payload);
  const outcome = await postWithRetry(
    {
      url: target.url,
      body,
      headers: requestHeaders(target, body, { event: meta.event, id: meta.notificationId }),
    },
    options,
  );
  return deliveryResult(target, meta, payload, outcome, (options.now ?? Date.now)());
}

/** Renders `n` for the target's kind and delivers it. */
export function deliverNotification(
  target: NotificationTarget,
  n: OutboxMessage,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  return deliverPayload(target, messageMeta(n), payloadFor(target.kind, n), options);
}

/**
 * Replays a dead letter to `target` (looked up again by `deadLetter.target.name`, since the
 * stored URL is redacted). Same event id, so receivers that deduplicate see it once.
 */
export function redeliver(
  target: NotificationTarget,
  deadLetter: DeadLetter,
  options: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const meta: DeliveryMeta = { event: deadLetter.event, notificationId: deadLetter.notificationId };
  if (deadLetter.incidentId !== undefined) meta.incidentId = deadLetter.incidentId;
  return deliverPayload(target, meta, deadLetter.payload, options);
}

/** Delivers to every target concurrently; one result per target, in order. */
export function deliverToAll(
  targets: readonly NotificationTarget[],
  n: OutboxMessage,
  options: DeliveryOptions = {},
): Promise<DeliveryResult[]> {
  return Promise.all(targets.map((t) => deliverNotification(t, n, options)));
}

/**
 * The Slack Web API side of war rooms: with a bot token configured, day2 creates a dedicated
 * channel per incident (`conversations.create`) and posts the war-room message into it
 * (`chat.postMessage`).
 *
 * Web API calls are POSTs of JSON to `<baseUrl>/<method>` with `Authorization: Bearer <token>`.
 * Slack answers HTTP 200 with `{"ok": true, ...}` or `{"ok": false, "error": "<code>"}`, and
 * HTTP 429 with Retry-After when rate limited. Retried: network errors, timeouts, 429, 5xx and
 * the transient codes internal_error, fatal_error, service_unavailable, request_timeout,
 * ratelimited. Any other error code is permanent. `name_taken` on create makes day2 try the
 * name with a suffix (-2, -3, ...).
 *
 * Channel names: lowercase letters, digits, hyphens and underscores, at most 80 characters.
 * The bot that creates a channel is a member of it, so it can post there without an invite.
 * Bot token scopes: channels:manage (or groups:write for private channels) and chat:write.
 */
import { withoutPrefix } from "./escalation.js";
import type { Notification, WarRoomNotification } from "./notify.js";
import { notificationId, slackMessage } from "./notify.js";
import type { AttemptVerdict, HttpResponseData, PostOutcome, RetryOptions } from "./notify-retry.js";
import { isRetryableStatus, postWithRetry } from "./notify-retry.js";
import type { DeadLetter, DeliveryMeta, DeliveryResult } from "./notify-send.js";
import { deliveryResult } from "./notify-send.js";
import type { Incident } from "./types.js";

export const SLACK_API_BASE_URL = "https://slack.com/api";
export const SLACK_CHANNEL_NAME_MAX = 80;

const TRANSIENT_SLACK_ERRORS = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
]);

export interface SlackApiConfig {
  /** A bot token (xoxb-...). */
  token: string;
  /** Default https://slack.com/api; tests point it at a local fake. */
  baseUrl?: string;
  /** Name in dead letters (default "slack"). */
  name?: string;
}

export type SlackApiResult =
  | { ok: true; data: Record<string, unknown>; outcome: PostOutcome }
  | { ok: false; error: string; code?: string; outcome: PostOutcome };

export function classifySlackResponse(res: HttpResponseData): AttemptVerdict {
  if (res.status < 200 || res.status >= 300) {
    const error = `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ""}`;
    return isRetryableStatus(res.status) ? { kind: "retry", error } : { kind: "fail", error };
  }
  let data: unknown;
  try {
    data = JSON.parse(res.body);
  } catch {
    return { kind: "fail", error: "Slack answered with a body that is not JSON" };
  }
  const reply = (data ?? {}) as { ok?: unknown; error?: unknown };
  if (reply.ok === true) return { kind: "ok" };
  const code = typeof reply.error === "string" ? reply.error : "unknown_error";
  const error = `Slack error ${code}`;
  return TRANSIENT_SLACK_ERRORS.has(code) ? { kind: "retry", error } : { kind: "fail", error, code };
}

function methodUrl(config: SlackApiConfig, method: string): string {
  return `${(config.baseUrl ?? SLACK_API_BASE_URL).replace(/\/+$/, "")}/${method}`;
}

/** One Web API method call with retries. Never throws. */
export async function slackApiCall(
  config: SlackApiConfig,
  method: string,
  args: Record<string, unknown>,
  options: RetryOptions = {},
): Promise<SlackApiResult> {
  const body = JSON.stringify(args);
  const outcome = await postWithRetry(
    {
      url: methodUrl(config, method),
      body,
      headers: () => ({
        "Content-Type": "application/json; charset=utf-8",
        Authorization: `Bearer ${config.token}`,
        "User-Agent": "day2-notify/1",
      }),
      classify: classifySlackResponse,
    },
    options,
  );
  if (!outcome.ok) {
    const failed: SlackApiResult = { ok: false, error: outcome.error ?? "unknown error", outcome };
    if (outcome.code) failed.code = outcome.code;
    return failed;
  }
  return { ok: true, data: JSON.parse(outcome.response?.body ?? "{}") as Record<string, unknown>, outcome };
}

/**
 * A channel name for an incident: "inc-<id>-<title words>", lowercased, anything other than
 * a-z, 0-9, "-" and "_" turned into "-", accents dropped, at most 80 characters.
 */
export function slackChannelName(incident: Pick<Incident, "id" | "title">, prefix = "inc"): string {
  const slug = (s: string): string =>
    s
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^-+|-+$/g, "");
  const id = withoutPrefix(incident.id, prefix);
  const name = [slug(prefix), slug(id), slug(incident.title)].filter(Boolean).join("-");
  return name.slice(0, SLACK_CHANNEL_NAME_MAX).replace(/-+$/g, "") || "incident";
}

function withSuffix(name: string, n: number): string {
  if (n <= 1) return name;
  const suffix = `-${n}`;
  return `${name.slice(0, SLACK_CHANNEL_NAME_MAX - suffix.length).replace(/-+$/g, "")}${suffix}`;
}

function apiTarget(config: SlackApiConfig, method: string): { name: string; kind: "slack-api"; url: string } {
  return { name: config.name ?? "slack", kind: "slack-api", url: methodUrl(config, method) };
}

/** Posts a notification into a channel (the incident's own, once created). */
export async function postSlackNotification(
  config: SlackApiConfig,
  channel: string,
  n: Notification,
  options: RetryOptions = {},
): Promise<DeliveryResult & { ts?: string }> {
  const payload = { channel, ...slackMessage(n) };
  const call = await slackApiCall(config, "chat.postMessage", payload, options);
  const meta: DeliveryMeta = { event: n.event, notificationId: notificationId(n), incidentId: n.incident.id };
  const result = deliveryResult(
    apiTarget(config, "chat.postMessage"),
    meta,
    payload,
    call.outcome,
    (options.now ?? Date.now)(),
  );
  return call.ok && typeof call.data.ts === "string" ? { ...result, ts: call.data.ts } : result;
}

export interface SlackWarRoomOptions extends RetryOptions {
  /** Create a private channel (default false). */
  isPrivate?: boolean;
  /** Channel name prefix (default "inc"). */
  prefix?: string;
  /** Names tried when Slack says name_taken (default 5). */
  nameAttempts?: number;
}

export type SlackWarRoomResult =
  | { ok: true; channel: { id: string; name: string }; ts?: string; message: DeliveryResult }
  | { ok: false; step: "create"; deadLetter: DeadLetter }
  | { ok: false; step: "post"; channel: { id: string; name: string }; deadLetter: DeadLetter };

async function createChannel(
  config: SlackApiConfig,
  n: WarRoomNotification,
  options: SlackWarRoomOptions,
): Promise<{ ok: true; id: string; name: string } | { ok: false; deadLetter: DeadLetter }> {
  const base = slackChannelName(n.incident, options.prefix);
  const tries = Math.max(1, options.nameAttempts ?? 5);
  let args: Record<string, unknown> = {};
  let call: SlackApiResult | undefined;
  for (let i = 1; i <= tries; i++) {
    args = { name: withSuffix(base, i), is_private: options.isPrivate ?? false };
    call = await slackApiCall(config, "conversations.create", args, options);
    if (call.ok || call.code !== "name_taken") break;
  }
  if (call?.ok) {
    const channel = (call.data.channel ?? {}) as { id?: unknown; name?: unknown };
    if (typeof channel.id === "string") {
      return {
        ok: true,
        id: channel.id,
        name: typeof channel.name === "string" ? channel.name : String(args.name),
      };
    }
  }
  const meta: DeliveryMeta = { event: "slack.conversations.create", notificationId: notificationId(n) };
  meta.incidentId = n.incident.id;
  const outcome: PostOutcome = call?.ok
    ? { ...call.outcome, ok: false, error: "Slack returned no channel id" }
    : (call?.outcome ?? { ok: false, attempts: 0, firstAttemptAt: 0, log: [], error: "not attempted" });
  const failed = deliveryResult(
    apiTarget(config, "conversations.create"),
    meta,
    args,
    outcome,
    (options.now ?? Date.now)(),
  );
  return { ok: false, deadLetter: (failed as Extract<DeliveryResult, { ok: false }>).deadLetter };
}

/**
 * Creates the incident's own channel and posts the war-room message into it. The caller
 * records `channel` as the incident's war room (e.g. "#inc-42-checkout-down").
 */
export async function openSlackWarRoom(
  config: SlackApiConfig,
  n: WarRoomNotification,
  options: SlackWarRoomOptions = {},
): Promise<SlackWarRoomResult> {
  const created = await createChannel(config, n, options);
  if (!created.ok) return { ok: false, step: "create", deadLetter: created.deadLetter };
  const channel = { id: created.id, name: created.name };
  const message = await postSlackNotification(config, channel.id, n, options);
  if (!message.ok) return { ok: false, step: "post", channel, deadLetter: message.deadLetter };
  return message.ts ? { ok: true, channel, ts: message.ts, message } : { ok: true, channel, message };
}

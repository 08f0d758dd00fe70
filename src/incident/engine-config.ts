/**
 * The `notifications:` and `retention:` parts of the `incidents:` section of day2.yaml: where
 * war-room messages, escalations and status changes go, and how long `day2 serve` keeps
 * incidents, alerts and snapshots. Every problem names its field path, e.g.
 * `notifications.webhooks[0].url: expected an http:// or https:// URL, got "ftp://x"`.
 *
 * ```yaml
 * incidents:
 *   notifications:
 *     link: https://day2.example/incidents   # incident links: <link>/<id>
 *     slackWebhooks:
 *       - { name: ops-slack, url: https://hooks.slack.com/services/T/B/secret }
 *     webhooks:
 *       - { name: pager, url: https://pager.example/hook, secret: s3cret, headers: { X-Team: ops } }
 *     slack: { botToken: xoxb-..., apiBaseUrl: https://slack.com/api, private: false }
 *   retention: { incidents: 400d, alerts: 90d, kpiSnapshots: 400d, notifications: 30d, every: 1d }
 * ```
 *
 * The snapshot and findings keys age `day2 serve`'s collection tables (src/store/retention.ts):
 * scanSnapshots the collection runs (score, coverage, counts; a run goes with its KPI values and
 * cost summary), kpiSnapshots the KPI values, costSnapshots the cost summaries, findings the
 * fixed findings (open ones are kept). The latest successful run is always kept.
 */
import { z } from "zod";
import { required } from "../config/messages.js";
import type { NotificationTarget } from "./notify-send.js";
import type { SlackApiConfig } from "./notify-slack.js";
import { DAY, parseDuration } from "./policy-time.js";

const httpUrl = z
  .string({ error: required("an http:// or https:// URL") })
  .refine((s) => /^https?:\/\/[^/\s]+/.test(s) && URL.canParse(s), {
    error: (iss) => `expected an http:// or https:// URL, got ${JSON.stringify(iss.input)}`,
  });

const targetName = z
  .string({ error: required("a target name") })
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "expected a name (letters, digits, . _ -)")
  .refine((s) => s !== SLACK_API_TARGET, `"${"slack-api"}" is reserved for the Slack bot`);

const nonEmpty = (what: string) =>
  z.string({ error: required(what) }).refine((s) => s.trim() !== "", `must not be empty: ${what}`);

const slackWebhook = z.strictObject(
  { name: targetName, url: httpUrl },
  { error: required("a mapping (name, url)") },
);

const webhook = z.strictObject(
  {
    name: targetName,
    url: httpUrl,
    secret: nonEmpty("a signing secret").optional(),
    headers: z
      .record(z.string(), z.string({ error: required("a header value (string)") }), {
        error: required("a mapping of header name to value"),
      })
      .optional(),
  },
  { error: required("a mapping (name, url, secret, headers)") },
);

const slackBot = z.strictObject(
  {
    botToken: nonEmpty("a Slack bot token (xoxb-...)"),
    apiBaseUrl: httpUrl.optional(),
    private: z.boolean({ error: required("true or false") }).optional(),
  },
  { error: required("a mapping (botToken, apiBaseUrl, private)") },
);

export const notificationsSchema = z
  .strictObject(
    {
      link: httpUrl.optional(),
      slackWebhooks: z.array(slackWebhook, { error: required("a list of { name, url }") }).optional(),
      webhooks: z.array(webhook, { error: required("a list of { name, url, secret }") }).optional(),
      slack: slackBot.optional(),
    },
    { error: required("a mapping (link, slackWebhooks, webhooks, slack)") },
  )
  .superRefine((n, ctx) => {
    const seen = new Set<string>();
    for (const [list, items] of [
      ["slackWebhooks", n.slackWebhooks ?? []],
      ["webhooks", n.webhooks ?? []],
    ] as const)
      items.forEach((t, i) => {
        if (seen.has(t.name))
          ctx.addIssue({
            code: "custom",
            path: [list, i, "name"],
            message: `duplicate target name ${JSON.stringify(t.name)}`,
          });
        seen.add(t.name);
      });
  });

const age = z.string({ error: required("a duration like 30d, 12h") }).refine((s) => parseDuration(s) > 0, {
  error: (iss) => `expected a duration like 30d, 12h, got ${JSON.stringify(iss.input)}`,
});

export const retentionSchema = z.strictObject(
  {
    incidents: age.optional(),
    alerts: age.optional(),
    kpiSnapshots: age.optional(),
    scanSnapshots: age.optional(),
    costSnapshots: age.optional(),
    notifications: age.optional(),
    findings: age.optional(),
    every: age.optional(),
  },
  { error: required("a mapping of table to age, e.g. { incidents: 400d, alerts: 90d }") },
);

/** The outbox target name of the Slack bot (dedicated war-room channels). */
export const SLACK_API_TARGET = "slack-api";

export interface NotificationsConfig {
  /** Incident links: `<link>/<id>`; default a path on the server. */
  readonly link?: string;
  readonly targets: readonly NotificationTarget[];
  readonly slack?: SlackApiConfig & { readonly private: boolean };
}

export interface RetentionConfig {
  /** Ages in ms; absent: not pruned. */
  readonly ages: {
    readonly incidents?: number;
    readonly alerts?: number;
    /** collection_kpis: the KPI values of each collection run. */
    readonly kpiSnapshots?: number;
    /** collection_runs: runs with their score, coverage and counts (and their KPI and cost rows). */
    readonly scanSnapshots?: number;
    /** collection_costs: the cost summary of each collection run. */
    readonly costSnapshots?: number;
    readonly notifications?: number;
    /** collection_findings: findings fixed longer ago than this (open ones are kept). */
    readonly findings?: number;
  };
  /** How often the prune runs (default daily). */
  readonly every: number;
}

export const DEFAULT_RETENTION: RetentionConfig = {
  ages: {
    incidents: 400 * DAY,
    alerts: 90 * DAY,
    // The collection tables' own defaults (src/store/collections.ts), so one prune agrees with the other.
    kpiSnapshots: 400 * DAY,
    scanSnapshots: 400 * DAY,
    costSnapshots: 400 * DAY,
    notifications: 30 * DAY,
    findings: 90 * DAY,
  },
  every: DAY,
};

export function resolveNotifications(
  n: z.output<typeof notificationsSchema> | undefined,
): NotificationsConfig {
  const targets: NotificationTarget[] = [
    ...(n?.slackWebhooks ?? []).map((t) => ({ name: t.name, kind: "slack-webhook" as const, url: t.url })),
    ...(n?.webhooks ?? []).map((t) => ({
      name: t.name,
      kind: "webhook" as const,
      url: t.url,
      ...(t.secret !== undefined ? { secret: t.secret } : {}),
      ...(t.headers !== undefined ? { headers: t.headers } : {}),
    })),
  ];
  return {
    ...(n?.link !== undefined ? { link: n.link.replace(/\/+$/, "") } : {}),
    targets,
    ...(n?.slack
      ? {
          slack: {
            token: n.slack.botToken,
            name: SLACK_API_TARGET,
            private: n.slack.private ?? false,
            ...(n.slack.apiBaseUrl !== undefined ? { baseUrl: n.slack.apiBaseUrl.replace(/\/+$/, "") } : {}),
          },
        }
      : {}),
  };
}

export function resolveRetention(r: z.output<typeof retentionSchema> | undefined): RetentionConfig {
  if (!r) return DEFAULT_RETENTION;
  const ages: Record<string, number> = { ...DEFAULT_RETENTION.ages };
  for (const [k, v] of Object.entries(r)) if (k !== "every" && v !== undefined) ages[k] = parseDuration(v);
  return { ages, every: r.every !== undefined ? parseDuration(r.every) : DAY };
}

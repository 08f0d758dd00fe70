/**
 * The `rhythm:` section of day2.yaml: when `day2 serve` sends each checklist, in which time
 * zone, through which notifiers (names of `incidents.notifications` targets), and what the
 * message carries. Every problem names its field, e.g. `rhythm.daily: expected "HH:MM", got "9am"`.
 *
 * ```yaml
 * rhythm:
 *   timeZone: Europe/Berlin      # IANA zone (as business hours and schedules); default UTC
 *   daily: "09:00"
 *   weekly: "mon 09:00"          # day of the ISO week
 *   monthly: "1 09:00"           # day of the month (29-31: the last day of a shorter month)
 *   quarterly: "1 09:00"         # day of the quarter's first month
 *   notify: [slack-platform]     # incidents.notifications slackWebhooks / webhooks names
 *   format: markdown             # the report a webhook carries: markdown (default), table, html
 *   link: https://day2.example   # the dashboard the message links to (default: the server's address)
 * ```
 */
import { z } from "zod";
import { describeValue, required } from "../config/messages.js";
import { isTimeZone } from "../incident/policy-time.js";
import type { Cadence } from "./checklists.js";
import { CADENCES } from "./checklists.js";
import type { CadenceTime } from "./schedule.js";
import { expectedTime, parseCadenceTime } from "./schedule.js";

/** What a webhook's `report.text` is rendered as (Slack always gets Block Kit). */
export const RHYTHM_FORMATS = ["markdown", "table", "html"] as const;
export type RhythmFormat = (typeof RHYTHM_FORMATS)[number];

export interface RhythmScheduleConfig {
  readonly timeZone: string;
  /** The configured cadences, in CADENCES order. */
  readonly times: readonly CadenceTime[];
  /** Notification target names. */
  readonly notify: readonly string[];
  readonly format: RhythmFormat;
  /** The dashboard's base URL for the message's link. */
  readonly link?: string;
}

function cadenceTime(cadence: Cadence) {
  const what = expectedTime(cadence);
  return z
    .string({
      // An unquoted YAML time can arrive as a number: say to quote it.
      error: (iss) => `expected ${what} (quoted), got ${describeValue(iss.input)}`,
    })
    .refine((s) => parseCadenceTime(cadence, s) !== undefined, {
      error: (iss) => `expected ${what}, got ${JSON.stringify(iss.input)}`,
    });
}

export const rhythmScheduleSchema = z
  .strictObject(
    {
      timeZone: z
        .string({ error: required("an IANA time zone, e.g. Europe/Berlin") })
        .refine(isTimeZone, { error: (iss) => `unknown time zone ${JSON.stringify(iss.input)}` })
        .optional(),
      daily: cadenceTime("daily").optional(),
      weekly: cadenceTime("weekly").optional(),
      monthly: cadenceTime("monthly").optional(),
      quarterly: cadenceTime("quarterly").optional(),
      notify: z
        .array(z.string({ error: required("a notifier name") }), {
          error: required("a list of notifier names (incidents.notifications targets)"),
        })
        .min(1, "must name at least one notifier (incidents.notifications targets)"),
      format: z
        .enum(RHYTHM_FORMATS, {
          error: (iss) => `expected one of ${RHYTHM_FORMATS.join("|")}, got ${describeValue(iss.input)}`,
        })
        .optional(),
      link: z
        .string({ error: required("an http:// or https:// URL") })
        .refine((s) => /^https?:\/\/[^/\s]+/.test(s) && URL.canParse(s), {
          error: (iss) => `expected an http:// or https:// URL, got ${JSON.stringify(iss.input)}`,
        })
        .optional(),
    },
    { error: required("a mapping (timeZone, daily, weekly, monthly, quarterly, notify, format)") },
  )
  .superRefine((r, ctx) => {
    if (!CADENCES.some((c) => r[c] !== undefined))
      ctx.addIssue({
        code: "custom",
        message: `name at least one of ${CADENCES.join(", ")} (when to send it)`,
      });
  });

/**
 * The validated section with its defaults. `targets` are the configured notifier names: a
 * name that is not one of them is a problem naming its place (`rhythm.notify[0]: ...`).
 */
export function resolveRhythmSchedule(
  r: z.output<typeof rhythmScheduleSchema>,
  targets: readonly string[],
): { config: RhythmScheduleConfig; problems: string[] } {
  const problems: string[] = [];
  r.notify.forEach((name, i) => {
    if (!targets.includes(name))
      problems.push(
        `rhythm.notify[${i}]: unknown notifier ${JSON.stringify(name)}: ${
          targets.length
            ? `expected one of ${targets.join(", ")}`
            : "no incidents.notifications slackWebhooks or webhooks are configured"
        }`,
      );
  });
  const times = CADENCES.flatMap((c) => {
    const text = r[c];
    return text === undefined ? [] : [parseCadenceTime(c, text)!];
  });
  return {
    config: {
      timeZone: r.timeZone ?? "UTC",
      times,
      notify: [...new Set(r.notify)],
      format: r.format ?? "markdown",
      ...(r.link !== undefined ? { link: r.link.replace(/\/+$/, "") } : {}),
    },
    problems,
  };
}

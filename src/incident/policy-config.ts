/**
 * The `incidents:` section of day2.yaml: severity policy, business hours, on-call schedules,
 * escalation policies and maintenance windows. Validated with zod; every problem names its
 * field path (`policy.severityMap[2].match.severity: expected a string, got number 3`), and
 * config.ts prefixes the file and `incidents.`.
 *
 * Defaults (see DEFAULT_SEVERITY_MAP and resolveIncidents):
 * - severity map, first match wins: severity critical|page with tier=critical -> P0; critical|page
 *   with service in `criticalServices` -> P0; critical|page -> P1; warning|warn|error|high|major
 *   -> P2; info|low|minor -> P3; no rule matches -> `defaultPriority` (P3). A severityMap given
 *   in the file replaces the built-in one.
 * - acknowledgement deadlines P0 5m, P1 15m, P2 1h, P3 next-business-day (per priority; a
 *   partial mapping keeps the others).
 * - business hours Monday-Friday 09:00-17:00 UTC, no holidays.
 * - P0 and P1 page at any time (`pageAnytime`); the others only in business hours.
 * - an incident resolves when all its alerts have resolved; a resolved incident reopens when
 *   one of its alerts fires again within 1 h (`reopenWindow`).
 * - P0 and P1 get an incident commander and a war room (`majorPriorities`), named
 *   `inc-<id>-<service>` (`warRoomPrefix`).
 */
import { z } from "zod";
import { describeValue, required } from "../config/messages.js";
import type { Priority } from "./types.js";
import { PRIORITIES } from "./types.js";
import type { CompiledMatcher, LabelMatcher, MatchOp } from "./policy-match.js";
import { compileMatcher, isLabelName, parseMatcher, regexError } from "./policy-match.js";
import type { NotificationsConfig, RetentionConfig } from "./engine-config.js";
import {
  notificationsSchema,
  resolveNotifications,
  resolveRetention,
  retentionSchema,
} from "./engine-config.js";
import {
  DAY,
  HOUR,
  MINUTE,
  isTimeZone,
  parseClock,
  parseDuration,
  parseLocalDate,
  zonedTime,
} from "./policy-time.js";

// ---------------------------------------------------------------------------------------------
// Normalised model (what the pure functions take)

export type AckDeadline =
  { readonly kind: "duration"; readonly ms: number } | { readonly kind: "next-business-day" };

export interface SeverityRule {
  readonly name: string;
  readonly priority: Priority;
  /** All must match; built from `match` (exact, or any of a list) and `matchRe` (anchored). */
  readonly matchers: readonly CompiledMatcher[];
}

export interface BusinessHours {
  /** 0 = Sunday ... 6 = Saturday. */
  readonly days: readonly number[];
  /** Seconds after local midnight; end may be 86400 (24:00). */
  readonly start: number;
  readonly end: number;
  readonly timeZone: string;
  /** Local dates (YYYY-MM-DD) that are not business days. */
  readonly holidays: readonly string[];
}

export interface Policy {
  readonly severityMap: readonly SeverityRule[];
  readonly defaultPriority: Priority;
  readonly ackDeadlines: Readonly<Record<Priority, AckDeadline>>;
  readonly businessHours: BusinessHours;
  /** Priorities that page at any hour; the others page in business hours only. */
  readonly pageAnytime: readonly Priority[];
  readonly resolveWhenAllAlertsResolved: boolean;
  /** ms after resolution during which a re-firing alert reopens the incident. */
  readonly reopenWindow: number;
  /** Priorities that get an incident commander and a war room at once. */
  readonly majorPriorities: readonly Priority[];
  readonly warRoomPrefix: string;
}

export interface RotationLayer {
  readonly name: string;
  readonly users: readonly string[];
  /** Rotation length in ms. */
  readonly rotation: number;
  /** The first handoff (users[0] starts), epoch ms. */
  readonly startAt: number;
  readonly endAt?: number;
  /** Handoffs of whole-day rotations keep the local wall clock of startAt in this zone. */
  readonly timeZone: string;
}

export interface Override {
  readonly user: string;
  readonly from: number;
  readonly to: number;
}

export interface Schedule {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  /** Later layers take precedence where they are active. */
  readonly layers: readonly RotationLayer[];
  /** Later overrides take precedence over earlier ones and over every layer. */
  readonly overrides: readonly Override[];
}

export type EscalationTarget = { readonly schedule: string } | { readonly user: string };

export interface EscalationLevel {
  readonly targets: readonly EscalationTarget[];
  /** ms this level has to acknowledge before the next is paged; undefined = default. */
  readonly timeout?: number;
}

export interface EscalationPolicy {
  readonly id: string;
  readonly name: string;
  /** Which incidents use it (labels); empty matches all. The first matching policy wins. */
  readonly matchers: readonly CompiledMatcher[];
  /** Schedule id of the incident commander rota; else the level-1 on-call. */
  readonly commander?: string;
  readonly levels: readonly EscalationLevel[];
  /** Extra passes through all levels after the last one times out. */
  readonly repeat: number;
}

export interface MaintenanceWindow {
  readonly id?: string;
  readonly matchers: readonly CompiledMatcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  /** Recurs every this many ms (startsAt/endsAt are the first occurrence); absent: once. */
  readonly every?: number;
}

export interface IncidentsConfig {
  readonly policy: Policy;
  readonly schedules: readonly Schedule[];
  readonly escalationPolicies: readonly EscalationPolicy[];
  readonly maintenance: readonly MaintenanceWindow[];
  /** War-room targets and the Slack bot (engine-config.ts); absent in hand-built configs. */
  readonly notifications?: NotificationsConfig;
  /** How long `day2 serve` keeps what it stores (engine-config.ts). */
  readonly retention?: RetentionConfig;
}

// ---------------------------------------------------------------------------------------------
// Schema (what day2.yaml holds)

const text = (what: string) => z.string({ error: required(what) });
const nonEmpty = (what: string) => text(what).refine((s) => s.trim() !== "", `must not be empty: ${what}`);
const priority = z.enum(PRIORITIES, { error: () => `expected one of ${PRIORITIES.join("|")}` });
const priorities = z.array(priority, { error: required(`a list of priorities, e.g. [P0, P1]`) });

const duration = z
  .string({ error: required("a duration like 30s, 5m, 1h, 1d, 1w") })
  .refine((s) => parseDuration(s) > 0, {
    error: (iss) => `expected a duration like 30s, 5m, 1h, 1d, 1w, got ${JSON.stringify(iss.input)}`,
  });

const clock = z
  .string({ error: required("a time of day (HH:MM)") })
  .refine((s) => !Number.isNaN(parseClock(s)), {
    error: (iss) => `expected a time of day (HH:MM), got ${JSON.stringify(iss.input)}`,
  });

const timeZone = z
  .string({ error: required("an IANA time zone, e.g. Europe/Berlin") })
  .refine(isTimeZone, { error: (iss) => `unknown time zone ${JSON.stringify(iss.input)}` });

/** YAML 1.1 readers may hand us Date objects for unquoted dates; both are accepted. */
const dateText = z
  .union([z.string(), z.date()], { error: required("a date (YYYY-MM-DD)") })
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .refine((v) => parseLocalDate(v) !== undefined, {
    error: (iss) => `expected a date (YYYY-MM-DD), got ${JSON.stringify(iss.input)}`,
  });

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const timestamp = z
  .union([z.string(), z.date()], { error: required("a timestamp (RFC 3339, e.g. 2025-03-01T09:00:00Z)") })
  .transform((v) => (v instanceof Date ? v.toISOString() : v))
  .refine((v) => TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v)), {
    error: (iss) =>
      `expected a timestamp (RFC 3339, e.g. 2025-03-01T09:00:00Z), got ${JSON.stringify(iss.input)}`,
  });

/** A date (the handoff time applies) or a full timestamp. */
const dateOrTimestamp = z
  .union([z.string(), z.date()], { error: required("a date (YYYY-MM-DD) or an RFC 3339 timestamp") })
  .transform((v) => (v instanceof Date ? v.toISOString() : v))
  .refine((v) => parseLocalDate(v) !== undefined || (TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v))), {
    error: (iss) => `expected a date (YYYY-MM-DD) or an RFC 3339 timestamp, got ${JSON.stringify(iss.input)}`,
  });

const labelName = z
  .string()
  .refine(isLabelName, { error: (iss) => `not a label name: ${JSON.stringify(iss.input)}` });

/** Keys must be label names; each bad key is reported at its own path. */
function labelKeys(r: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const k of Object.keys(r))
    if (!isLabelName(k))
      ctx.addIssue({ code: "custom", path: [k], message: `not a label name: ${JSON.stringify(k)}` });
}

const exactMatch = z
  .record(
    z.string(),
    z.union([text("a string"), z.array(text("a string"), { error: required("a string") }).min(1)], {
      error: required("a string or a list of strings"),
    }),
    { error: required("a mapping of label to value, e.g. { severity: critical }") },
  )
  .superRefine(labelKeys);

const regexMatch = z
  .record(
    z.string(),
    text("a regular expression").superRefine((s, ctx) => {
      const err = regexError(s);
      if (err) ctx.addIssue({ code: "custom", message: err });
    }),
    { error: required("a mapping of label to regular expression") },
  )
  .superRefine(labelKeys);

const severityRule = z.strictObject(
  {
    name: text("a rule name").optional(),
    match: exactMatch.optional(),
    matchRe: regexMatch.optional(),
    priority,
  },
  { error: required("a mapping with match and/or matchRe, and priority") },
);

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const dayName = z
  .string({ error: required(`a day (${DAY_NAMES.join("|")})`) })
  .transform((s) => s.toLowerCase().slice(0, 3))
  .refine((s) => (DAY_NAMES as readonly string[]).includes(s), {
    error: (iss) => `expected a day (${DAY_NAMES.join("|")}), got ${JSON.stringify(iss.input)}`,
  });

const businessHours = z
  .strictObject(
    {
      days: z
        .array(dayName, { error: required("a list of days, e.g. [mon, tue, wed, thu, fri]") })
        .min(1)
        .optional(),
      start: clock.optional(),
      end: clock.optional(),
      timeZone: timeZone.optional(),
      holidays: z.array(dateText, { error: required("a list of dates (YYYY-MM-DD)") }).optional(),
    },
    { error: required("a mapping (days, start, end, timeZone, holidays)") },
  )
  .superRefine((b, ctx) => {
    const start = parseClock(b.start ?? "09:00");
    const end = parseClock(b.end ?? "17:00");
    if (end <= start)
      ctx.addIssue({
        code: "custom",
        path: ["end"],
        message: "must be after start (hours crossing midnight are not supported)",
      });
  });

const ackDeadline = z
  .string({ error: required("a duration like 5m, or next-business-day") })
  .refine((s) => s === "next-business-day" || parseDuration(s) > 0, {
    error: (iss) => `expected a duration like 5m, or next-business-day, got ${JSON.stringify(iss.input)}`,
  });

const policySchema = z.strictObject(
  {
    severityMap: z.array(severityRule, { error: required("a list of rules") }).optional(),
    criticalServices: z
      .array(text("a service name"), { error: required("a list of service names") })
      .optional(),
    defaultPriority: priority.optional(),
    ackDeadlines: z
      .strictObject(
        {
          P0: ackDeadline.optional(),
          P1: ackDeadline.optional(),
          P2: ackDeadline.optional(),
          P3: ackDeadline.optional(),
        },
        { error: required("a mapping of priority to duration, e.g. { P0: 5m }") },
      )
      .optional(),
    businessHours: businessHours.optional(),
    pageAnytime: priorities.optional(),
    resolveWhenAllAlertsResolved: z.boolean({ error: required("true or false") }).optional(),
    reopenWindow: duration.optional(),
    majorPriorities: priorities.optional(),
    warRoomPrefix: z
      .string({ error: required("a channel name prefix") })
      .regex(/^[a-z0-9][a-z0-9_-]*$/, "expected lowercase letters, digits, - and _ (a channel name prefix)")
      .optional(),
  },
  { error: required("a mapping (severityMap, ackDeadlines, businessHours, ...)") },
);

const layerSchema = z.strictObject(
  {
    name: text("a layer name").optional(),
    users: z
      .array(nonEmpty("a user"), { error: required("a list of users") })
      .min(1, "must name at least one user"),
    rotation: duration,
    handoff: clock.optional(),
    start: dateOrTimestamp,
    end: dateOrTimestamp.optional(),
    timeZone: timeZone.optional(),
  },
  { error: required("a mapping (users, rotation, handoff, start)") },
);

const overrideSchema = z
  .strictObject(
    { user: nonEmpty("a user"), from: timestamp, to: timestamp },
    { error: required("a mapping (user, from, to)") },
  )
  .refine((o) => Date.parse(o.to) > Date.parse(o.from), { path: ["to"], message: "must be after from" });

const ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
const id = z.string({ error: required("an id") }).regex(ID, "expected an id (letters, digits, . _ -)");

const scheduleSchema = z.strictObject(
  {
    id,
    name: text("a name").optional(),
    timeZone: timeZone.optional(),
    layers: z
      .array(layerSchema, { error: required("a list of layers") })
      .min(1, "must have at least one layer"),
    overrides: z.array(overrideSchema, { error: required("a list of overrides") }).optional(),
  },
  { error: required("a mapping (id, layers, overrides)") },
);

const targetSchema = z.union(
  [z.strictObject({ schedule: text("a schedule id") }), z.strictObject({ user: nonEmpty("a user") })],
  { error: (iss) => `expected { schedule: <id> } or { user: <name> }, got ${describeValue(iss.input)}` },
);

const levelSchema = z.strictObject(
  {
    targets: z
      .array(targetSchema, { error: required("a list of targets") })
      .min(1, "must name at least one target"),
    timeout: duration.optional(),
  },
  { error: required("a mapping (targets, timeout)") },
);

const escalationSchema = z.strictObject(
  {
    id,
    name: text("a name").optional(),
    match: exactMatch.optional(),
    matchRe: regexMatch.optional(),
    commander: text("a schedule id").optional(),
    levels: z
      .array(levelSchema, { error: required("a list of levels") })
      .min(1, "must have at least one level"),
    repeat: z
      .number({ error: required("a number") })
      .int("expected a whole number")
      .min(0, "must be 0 to 10")
      .max(10, "must be 0 to 10")
      .optional(),
  },
  { error: required("a mapping (id, levels, commander, repeat)") },
);

const OPS = ["=", "!=", "=~", "!~"] as const;
const matcherSchema = z
  .union(
    [
      z.string(),
      z.strictObject({
        name: labelName,
        op: z.enum(OPS, { error: () => `expected one of ${OPS.join(" ")}` }).optional(),
        value: text("a string"),
      }),
    ],
    {
      error: (iss) =>
        `expected a matcher like service="api" or { name, op, value }, got ${describeValue(iss.input)}`,
    },
  )
  .transform((m, ctx): { name: string; op?: MatchOp; value: string } => {
    if (typeof m !== "string") return m;
    try {
      return parseMatcher(m);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });

/** One maintenance window, as day2.yaml or the HTTP API takes it. */
export const maintenanceWindowSchema = z
  .strictObject(
    {
      id: text("an id").optional(),
      matchers: z
        .array(matcherSchema, { error: required('a list of matchers, e.g. [namespace="payments"]') })
        .min(1, "must have at least one matcher"),
      startsAt: timestamp,
      endsAt: timestamp,
      createdBy: nonEmpty("who created it"),
      comment: nonEmpty("a comment: say why"),
      every: duration.optional(),
    },
    { error: required("a mapping (matchers, startsAt, endsAt, createdBy, comment, every)") },
  )
  .superRefine((w, ctx) => {
    if (Date.parse(w.endsAt) <= Date.parse(w.startsAt))
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after startsAt" });
    else if (w.every !== undefined && parseDuration(w.every) < Date.parse(w.endsAt) - Date.parse(w.startsAt))
      ctx.addIssue({ code: "custom", path: ["every"], message: "must not be shorter than the window" });
    w.matchers.forEach((m, i) => {
      const op = "op" in m && m.op ? m.op : "=";
      const err = op === "=~" || op === "!~" ? regexError(m.value) : undefined;
      if (err) ctx.addIssue({ code: "custom", path: ["matchers", i], message: err });
    });
    // Alertmanager refuses a silence that would match every alert.
    const compiled = w.matchers.map((m) => safeCompile(toMatcher(m)));
    if (compiled.length && compiled.every((m) => m?.test({}) === true))
      ctx.addIssue({
        code: "custom",
        path: ["matchers"],
        message: "at least one matcher must not match the empty string (the window would match every alert)",
      });
  });

export type MaintenanceWindowInput = z.input<typeof maintenanceWindowSchema>;

function toMatcher(m: { name: string; op?: MatchOp; value: string }): LabelMatcher {
  return { name: m.name, op: m.op ?? "=", value: m.value };
}

function safeCompile(m: LabelMatcher): CompiledMatcher | undefined {
  try {
    return compileMatcher(m);
  } catch {
    return undefined;
  }
}

export const incidentsSchema = z
  .strictObject(
    {
      policy: policySchema.optional(),
      schedules: z.array(scheduleSchema, { error: required("a list of schedules") }).optional(),
      escalationPolicies: z
        .array(escalationSchema, { error: required("a list of escalation policies") })
        .optional(),
      maintenance: z
        .array(maintenanceWindowSchema, { error: required("a list of maintenance windows") })
        .optional(),
      notifications: notificationsSchema.optional(),
      retention: retentionSchema.optional(),
    },
    { error: required("a mapping (policy, schedules, escalationPolicies, maintenance)") },
  )
  .superRefine((cfg, ctx) => {
    const scheduleIds = new Set<string>();
    (cfg.schedules ?? []).forEach((s, i) => {
      if (scheduleIds.has(s.id))
        ctx.addIssue({
          code: "custom",
          path: ["schedules", i, "id"],
          message: `duplicate schedule id ${JSON.stringify(s.id)}`,
        });
      scheduleIds.add(s.id);
    });
    const unknown = (sid: string) =>
      `unknown schedule ${JSON.stringify(sid)}${scheduleIds.size ? ` (schedules: ${[...scheduleIds].join(", ")})` : " (no schedules defined)"}`;
    const policyIds = new Set<string>();
    (cfg.escalationPolicies ?? []).forEach((p, i) => {
      if (policyIds.has(p.id))
        ctx.addIssue({
          code: "custom",
          path: ["escalationPolicies", i, "id"],
          message: `duplicate escalation policy id ${JSON.stringify(p.id)}`,
        });
      policyIds.add(p.id);
      if (p.commander !== undefined && !scheduleIds.has(p.commander))
        ctx.addIssue({
          code: "custom",
          path: ["escalationPolicies", i, "commander"],
          message: unknown(p.commander),
        });
      p.levels.forEach((l, j) =>
        l.targets.forEach((t, k) => {
          if ("schedule" in t && !scheduleIds.has(t.schedule))
            ctx.addIssue({
              code: "custom",
              path: ["escalationPolicies", i, "levels", j, "targets", k, "schedule"],
              message: unknown(t.schedule),
            });
        }),
      );
    });
  });

export type IncidentsInput = z.input<typeof incidentsSchema>;
type IncidentsParsed = z.output<typeof incidentsSchema>;

// ---------------------------------------------------------------------------------------------
// Defaults and normalisation

export const DEFAULT_ACK_DEADLINES: Readonly<Record<Priority, string>> = {
  P0: "5m",
  P1: "15m",
  P2: "1h",
  P3: "next-business-day",
};

/** The built-in severity map, before `criticalServices` is filled in. */
export function defaultSeverityMap(criticalServices: readonly string[] = []): z.input<typeof severityRule>[] {
  return [
    {
      name: "critical-tier",
      match: { tier: "critical" },
      matchRe: { severity: "critical|page" },
      priority: "P0",
    },
    ...(criticalServices.length
      ? [
          {
            name: "critical-service",
            match: { service: [...criticalServices] },
            matchRe: { severity: "critical|page" },
            priority: "P0" as const,
          },
        ]
      : []),
    { name: "critical", matchRe: { severity: "critical|page" }, priority: "P1" },
    { name: "warning", matchRe: { severity: "warning|warn|error|high|major" }, priority: "P2" },
    { name: "info", matchRe: { severity: "info|low|minor" }, priority: "P3" },
  ];
}

function ruleMatchers(
  match: Record<string, string | string[]> = {},
  matchRe: Record<string, string> = {},
): CompiledMatcher[] {
  const out: CompiledMatcher[] = [];
  for (const [name, v] of Object.entries(match)) {
    if (typeof v === "string") out.push(compileMatcher({ name, op: "=", value: v }));
    else out.push(compileMatcher({ name, op: "=~", value: v.map(escapeRegex).join("|") }));
  }
  for (const [name, v] of Object.entries(matchRe)) out.push(compileMatcher({ name, op: "=~", value: v }));
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function toAck(v: string): AckDeadline {
  return v === "next-business-day"
    ? { kind: "next-business-day" }
    : { kind: "duration", ms: parseDuration(v) };
}

type PolicyParsed = NonNullable<IncidentsParsed["policy"]>;

function normalizePolicy(p: PolicyParsed = {}): Policy {
  const map = p.severityMap ?? defaultSeverityMap(p.criticalServices);
  const acks = { ...DEFAULT_ACK_DEADLINES, ...p.ackDeadlines };
  const bh = p.businessHours ?? {};
  return {
    severityMap: map.map((r, i) => ({
      name: r.name ?? `rule-${i + 1}`,
      priority: r.priority,
      matchers: ruleMatchers(r.match, r.matchRe),
    })),
    defaultPriority: p.defaultPriority ?? "P3",
    ackDeadlines: {
      P0: toAck(acks.P0),
      P1: toAck(acks.P1),
      P2: toAck(acks.P2),
      P3: toAck(acks.P3),
    },
    businessHours: {
      days: [
        ...new Set(
          (bh.days ?? ["mon", "tue", "wed", "thu", "fri"]).map((d) => DAY_NAMES.indexOf(d as "mon")),
        ),
      ].sort(),
      start: parseClock(bh.start ?? "09:00"),
      end: parseClock(bh.end ?? "17:00"),
      timeZone: bh.timeZone ?? "UTC",
      holidays: bh.holidays ?? [],
    },
    pageAnytime: p.pageAnytime ?? ["P0", "P1"],
    resolveWhenAllAlertsResolved: p.resolveWhenAllAlertsResolved ?? true,
    reopenWindow: p.reopenWindow !== undefined ? parseDuration(p.reopenWindow) : HOUR,
    majorPriorities: p.majorPriorities ?? ["P0", "P1"],
    warRoomPrefix: p.warRoomPrefix ?? "inc",
  };
}

/** A date or timestamp; a date takes the handoff clock in the zone. */
function instant(v: string, handoff: number, zone: string): number {
  const d = parseLocalDate(v);
  return d ? zonedTime(d, handoff, zone) : Date.parse(v);
}

function normalizeSchedule(
  s: IncidentsParsed["schedules"] extends (infer T)[] | undefined ? T : never,
): Schedule {
  const zone = s.timeZone ?? "UTC";
  return {
    id: s.id,
    name: s.name ?? s.id,
    timeZone: zone,
    layers: s.layers.map((l, i) => {
      const lz = l.timeZone ?? zone;
      const handoff = parseClock(l.handoff ?? "09:00");
      const end = l.end !== undefined ? instant(l.end, handoff, lz) : undefined;
      return {
        name: l.name ?? `layer-${i + 1}`,
        users: l.users,
        rotation: parseDuration(l.rotation),
        startAt: instant(l.start, handoff, lz),
        ...(end !== undefined ? { endAt: end } : {}),
        timeZone: lz,
      };
    }),
    overrides: (s.overrides ?? []).map((o) => ({
      user: o.user,
      from: Date.parse(o.from),
      to: Date.parse(o.to),
    })),
  };
}

function normalizeEscalation(
  p: IncidentsParsed["escalationPolicies"] extends (infer T)[] | undefined ? T : never,
): EscalationPolicy {
  return {
    id: p.id,
    name: p.name ?? p.id,
    matchers: ruleMatchers(p.match, p.matchRe),
    ...(p.commander !== undefined ? { commander: p.commander } : {}),
    levels: p.levels.map((l) => ({
      targets: l.targets,
      ...(l.timeout !== undefined ? { timeout: parseDuration(l.timeout) } : {}),
    })),
    repeat: p.repeat ?? 0,
  };
}

/** A validated window (maintenanceWindowSchema's output) in the model's shape. */
export function normalizeMaintenanceWindow(w: z.output<typeof maintenanceWindowSchema>): MaintenanceWindow {
  return {
    ...(w.id !== undefined ? { id: w.id } : {}),
    matchers: w.matchers.map((m) => compileMatcher(toMatcher(m))),
    startsAt: Date.parse(w.startsAt),
    endsAt: Date.parse(w.endsAt),
    createdBy: w.createdBy.trim(),
    comment: w.comment.trim(),
    ...(w.every !== undefined ? { every: parseDuration(w.every) } : {}),
  };
}

/** The section as validated by incidentsSchema (or absent) -> the model, defaults filled in. */
export function resolveIncidents(parsed: IncidentsParsed | undefined): IncidentsConfig {
  return {
    policy: normalizePolicy(parsed?.policy),
    schedules: (parsed?.schedules ?? []).map(normalizeSchedule),
    escalationPolicies: (parsed?.escalationPolicies ?? []).map(normalizeEscalation),
    maintenance: (parsed?.maintenance ?? []).map(normalizeMaintenanceWindow),
    notifications: resolveNotifications(parsed?.notifications),
    retention: resolveRetention(parsed?.retention),
  };
}

/** The policy with every default: what day2 uses without an `incidents:` section. */
export const DEFAULT_POLICY: Policy = normalizePolicy();

/** `a.b[2].c` */
export function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/** zod issues as lines: `policy.severityMap[2].match.severity: expected a string, got number 3`. */
export function issueLines(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.map((i) => {
    const where = pathText([...prefix, ...i.path]);
    const msg =
      i.code === "unrecognized_keys"
        ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`
        : i.message;
    return where ? `${where}: ${msg}` : msg;
  });
}

/** Thrown by parseIncidents; `problems` holds one line per field. */
export class PolicyConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("; "));
    this.name = "PolicyConfigError";
  }
}

/** Validates and resolves an `incidents:` document (e.g. from the HTTP API or a test). */
export function parseIncidents(doc: unknown): IncidentsConfig {
  const parsed = incidentsSchema.safeParse(doc ?? {});
  if (!parsed.success) throw new PolicyConfigError(issueLines(parsed.error));
  return resolveIncidents(parsed.data);
}

/** Validates one maintenance window (e.g. an API request body). */
export function parseMaintenanceWindow(doc: unknown): MaintenanceWindow {
  const parsed = maintenanceWindowSchema.safeParse(doc);
  if (!parsed.success) throw new PolicyConfigError(issueLines(parsed.error));
  return normalizeMaintenanceWindow(parsed.data);
}

/** Used by escalation when a level names no timeout. */
export const DEFAULT_LEVEL_TIMEOUT = 15 * MINUTE;
/** How far ahead the on-call and business-hours searches look before giving up. */
export const SEARCH_HORIZON = 400 * DAY;

/**
 * One demo incident's life as a script of timeline steps (paging and escalation through the
 * real policy, acknowledgement, notes, mitigation, resolution, reopening), then cut at `now`
 * and replayed into the Incident, so its fields always agree with its timeline.
 */
import type { IncidentsConfig } from "./policy-config.js";
import type { EscalationPolicy } from "./policy-config.js";
import { escalationPolicyFor, majorIncidentRoles, nextEscalation } from "./escalation.js";
import { isMajor, pagesAnytime } from "./policy.js";
import { whoIsOnCall } from "./oncall.js";
import type { LocalDate } from "./policy-time.js";
import { MINUTE, addDays, formatLocalDate, localDate, weekday, zonedTime } from "./policy-time.js";
import type { Policy } from "./policy-config.js";
import type { Rng } from "../demo/random.js";
import type { Incident, IncidentStatus, Priority, TimelineKind } from "./types.js";
import type { AlertRule } from "./demo-catalog.js";
import { FIXES, MITIGATIONS, NOTES, STATUS_UPDATES } from "./demo-text.js";
import { formatDuration } from "./notify.js";

export interface Step {
  at: number;
  kind: TimelineKind;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

/** One alert's firings: [start, end) intervals; the last may be open. */
export interface AlertLife {
  fingerprint: string;
  labels: Record<string, string>;
  fires: { start: number; end?: number }[];
}

export interface Plan {
  id: string;
  rule: AlertRule;
  title: string;
  priority: Priority;
  groupKey: string;
  labels: Record<string, string>;
  alerts: AlertLife[];
  createdAt: number;
  /** 0..1 through the history: the trend. */
  progress: number;
  /** Forced values for the planted incidents. */
  ackDelayMs?: number;
  workMs?: number;
  mitigate?: boolean;
}

export interface Lived {
  steps: Step[];
  /** Alerts with their final firings. */
  alerts: AlertLife[];
  /** When paging starts (for an unpaged triggered incident's escalationDueAt). */
  pageAt: number;
  escalation?: EscalationPolicy;
}

const lognormal = (rng: Rng, median: number, sigma: number): number => {
  // Box-Muller from two uniforms.
  const u = Math.max(1e-9, rng.next());
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
  return median * Math.exp(sigma * z);
};

/** Minutes from paging to acknowledgement, per priority. */
const ACK_MEDIAN_MIN: Record<Priority, [number, number]> = {
  P0: [2.5, 0.5],
  P1: [6, 0.6],
  P2: [18, 0.7],
  P3: [120, 0.8],
};
/** Minutes of work from acknowledgement to resolution, before the trend. */
const WORK_MEDIAN_MIN: Record<Priority, [number, number]> = {
  P0: [40, 0.5],
  P1: [95, 0.55],
  P2: [200, 0.75],
  P3: [1100, 0.6],
};
const MITIGATE_P: Record<Priority, number> = { P0: 1, P1: 1, P2: 0.5, P3: 0.15 };

export interface LifeContext {
  readonly rng: Rng;
  readonly config: IncidentsConfig;
  readonly now: number;
  readonly clock: BusinessClock;
}

/**
 * policy.ts's business-hours answers (isBusinessHours, nextBusinessStart, pagingStart) with each
 * local day's opening and closing computed once: the same zonedTime arithmetic, cached, because
 * the history asks thousands of times. demo.test.ts checks it against policy.ts.
 */
export class BusinessClock {
  private readonly days = new Map<string, readonly [number, number] | null>();

  constructor(readonly policy: Policy) {}

  private hours(d: LocalDate): readonly [number, number] | null {
    const key = formatLocalDate(d);
    let h = this.days.get(key);
    if (h === undefined) {
      const bh = this.policy.businessHours;
      const open = bh.days.includes(weekday(d)) && !bh.holidays.includes(key);
      h = open ? [zonedTime(d, bh.start, bh.timeZone), zonedTime(d, bh.end, bh.timeZone)] : null;
      this.days.set(key, h);
    }
    return h;
  }

  isBusinessHours(at: number): boolean {
    const h = this.hours(localDate(at, this.policy.businessHours.timeZone));
    return h !== null && at >= h[0] && at < h[1];
  }

  nextBusinessStart(at: number): number {
    const first = localDate(at, this.policy.businessHours.timeZone);
    for (let i = 0; i < 400; i++) {
      const h = this.hours(addDays(first, i));
      if (!h) continue;
      if (at < h[0]) return h[0];
      if (at < h[1]) return at;
    }
    throw new Error("no business hours within a year");
  }

  pagingStart(priority: Priority, at: number): number {
    return pagesAnytime(priority, this.policy) ? at : this.nextBusinessStart(at);
  }

  /** policy.ts's ackDeadline. */
  ackDeadline(priority: Priority, at: number): number {
    const d = this.policy.ackDeadlines[priority];
    if (d.kind === "duration") return this.pagingStart(priority, at) + d.ms;
    const first = localDate(at, this.policy.businessHours.timeZone);
    for (let i = 1; i < 400; i++) {
      const h = this.hours(addDays(first, i));
      if (h) return h[0];
    }
    throw new Error("no business day within a year");
  }
}

function ackTime(ctx: LifeContext, plan: Plan, pageAt: number): number {
  const { rng, clock } = ctx;
  if (plan.ackDelayMs !== undefined) return pageAt + plan.ackDelayMs;
  const [median, sigma] = ACK_MEDIAN_MIN[plan.priority];
  let delay = Math.max(0.4, lognormal(rng, median, sigma)) * MINUTE;
  // A page that went unnoticed now and then.
  if (plan.priority !== "P3" && rng.chance(0.04)) delay *= rng.range(2.5, 5);
  let at = pageAt + delay;
  if (plan.priority === "P3") {
    // Minor issues wait for someone to look at the queue: the next business morning at worst.
    const opening = pageAt - plan.createdAt > MINUTE;
    if (opening) at = pageAt + Math.max(1, lognormal(rng, 8, 0.5)) * MINUTE;
    else if (!clock.isBusinessHours(at))
      // Picked up the next morning, often just before the deadline (the opening).
      at = Math.max(pageAt + MINUTE, clock.nextBusinessStart(at) + (lognormal(rng, 15, 0.8) - 30) * MINUTE);
  }
  return Math.round(at);
}

function pageText(users: readonly string[], level: number, policy: EscalationPolicy): string {
  return `paged ${users.length ? users.join(", ") : "nobody (no one on call)"} (level ${level} of ${policy.name})`;
}

/** Pages and escalations until acknowledged (or now); returns who was paged last. */
function escalate(
  ctx: LifeContext,
  plan: Plan,
  esc: EscalationPolicy,
  times: { pageAt: number; stop: number },
  steps: Step[],
): { first: readonly string[]; last: readonly string[]; escalated: boolean } {
  const { stop } = times;
  const state = {
    status: "triggered" as IncidentStatus,
    priority: plan.priority,
    createdAt: plan.createdAt,
    escalationLevel: 0,
    escalationDueAt: undefined as number | undefined,
  };
  let t = Math.max(plan.createdAt, times.pageAt);
  let first: readonly string[] = [];
  let last: readonly string[] = [];
  for (let i = 0; i < 16; i++) {
    const d = nextEscalation(state, esc, t, ctx.config);
    if (d.kind === "done") break;
    if (d.kind === "wait") {
      if (d.until >= stop) break;
      t = d.until;
      continue;
    }
    const data = { step: d.step, level: d.level, users: d.users, dueAt: d.dueAt };
    if (d.step === 1) {
      first = d.users;
      steps.push({ at: t, kind: "notification", actor: "day2", text: pageText(d.users, d.level, esc), data });
    } else {
      steps.push({
        at: t,
        kind: "escalated",
        actor: "policy",
        text: `not acknowledged after ${formatDuration(t - plan.createdAt)}: escalated to level ${d.level} (${d.users.join(", ") || "nobody"})`,
        data,
      });
    }
    last = d.users;
    state.escalationLevel = d.step;
    state.escalationDueAt = d.dueAt;
    t = d.dueAt;
    if (t >= stop) break;
  }
  return { first, last, escalated: state.escalationLevel > 1 };
}

function onCallFallback(ctx: LifeContext, esc: EscalationPolicy, at: number): string {
  const target = esc.levels[0]?.targets[0];
  if (target && "user" in target) return target.user;
  const s = ctx.config.schedules.find((x) => target && "schedule" in target && x.id === target.schedule);
  return (s && whoIsOnCall(s, at)?.user) ?? "on-call";
}

function majorSteps(
  ctx: LifeContext,
  plan: Plan,
  esc: EscalationPolicy,
  at: number,
  steps: Step[],
): string | undefined {
  const roles = majorIncidentRoles(
    { id: plan.id, service: plan.labels.service, priority: plan.priority },
    esc,
    at,
    ctx.config,
  );
  if (!roles) return undefined;
  if (roles.commander)
    steps.push({
      at,
      kind: "assigned",
      actor: "policy",
      text: `incident commander: ${roles.commander}`,
      data: { field: "commander", value: roles.commander },
    });
  steps.push({
    at,
    kind: "assigned",
    actor: "policy",
    text: `war room: #${roles.warRoom}`,
    data: { field: "warRoom", value: roles.warRoom },
  });
  steps.push({
    at,
    kind: "notification",
    actor: "day2",
    text: `war room message posted to #${roles.warRoom}`,
    data: { target: "war-room" },
  });
  return roles.commander;
}

function alertSteps(alerts: readonly AlertLife[], steps: Step[], after: number): void {
  for (const a of alerts) {
    const name = a.labels.alertname ?? "alert";
    a.fires.forEach((f, i) => {
      steps.push({
        at: Math.max(after, f.start + 30_000 + (i > 0 ? 1000 : 0)),
        kind: "alert",
        actor: "alertmanager",
        text: `${name} ${i === 0 ? "firing" : "firing again"}`,
        data: { status: "firing" },
      });
      if (f.end !== undefined)
        steps.push({
          at: f.end,
          kind: "alert",
          actor: "alertmanager",
          text: `${name} resolved`,
          data: { status: "resolved" },
        });
    });
  }
}

interface Work {
  ackAt: number;
  acker: string;
  commander?: string;
  mitigatedAt?: number;
  resolvedAt: number;
  auto: boolean;
}

function workSteps(ctx: LifeContext, plan: Plan, w: Work, steps: Step[]): void {
  const { rng } = ctx;
  const family = plan.rule.family;
  steps.push({
    at: w.ackAt,
    kind: "acknowledged",
    actor: w.acker,
    text: `acknowledged by ${w.acker}`,
    data: { from: "triggered", to: "acknowledged" },
  });
  steps.push({
    at: w.ackAt,
    kind: "assigned",
    actor: w.acker,
    text: `assignee: ${w.acker}`,
    data: { field: "assignee", value: w.acker },
  });
  const span = w.resolvedAt - w.ackAt;
  const notes = rng.int(plan.priority === "P3" ? 0 : 1, 3);
  for (let i = 0; i < notes; i++) {
    const at = w.ackAt + Math.round(span * rng.range(0.05, 0.6));
    steps.push({ at, kind: "note", actor: w.acker, text: rng.pick(NOTES[family]) });
  }
  if (w.commander) {
    // Updates follow the incident: investigating, identified, mitigating, recovering.
    for (let at = w.ackAt + 20 * MINUTE; at < w.resolvedAt - 5 * MINUTE; at += rng.int(25, 50) * MINUTE) {
      const phase = Math.floor(((at - w.ackAt) / (w.resolvedAt - w.ackAt)) * (STATUS_UPDATES.length - 1));
      steps.push({
        at,
        kind: "status-update",
        actor: w.commander,
        text: STATUS_UPDATES[phase] ?? STATUS_UPDATES[0]!,
      });
    }
  }
  if (w.mitigatedAt !== undefined)
    steps.push({
      at: w.mitigatedAt,
      kind: "mitigated",
      actor: w.acker,
      text: `mitigated: ${rng.pick(MITIGATIONS[family])}`,
      data: { from: "acknowledged", to: "mitigated" },
    });
  steps.push(
    w.auto
      ? {
          at: w.resolvedAt,
          kind: "resolved",
          actor: "day2",
          text: "all alerts resolved",
          data: { to: "resolved" },
        }
      : {
          at: w.resolvedAt,
          kind: "resolved",
          actor: w.acker,
          text: `resolved by ${w.acker}: ${rng.pick(FIXES[family])}`,
          data: { to: "resolved" },
        },
  );
}

/** When the alerts stop: the last one at resolution (auto) or just after (manual). */
function endAlerts(
  ctx: LifeContext,
  alerts: AlertLife[],
  resolvedAt: number,
  auto: boolean,
  ackAt: number,
): void {
  const { rng } = ctx;
  alerts.forEach((a, i) => {
    const f = a.fires[0]!;
    const last = i === alerts.length - 1;
    const lo = Math.max(f.start + 2 * MINUTE, ackAt);
    f.end = last
      ? auto
        ? resolvedAt
        : resolvedAt + rng.int(1, 20) * MINUTE
      : Math.round(lo + rng.next() * Math.max(0, resolvedAt - lo));
    if (f.end > resolvedAt && auto) f.end = resolvedAt;
  });
}

function reopenSteps(ctx: LifeContext, plan: Plan, w: Work, steps: Step[]): number {
  const { rng } = ctx;
  const alert = plan.alerts[plan.alerts.length - 1]!;
  const refire = w.resolvedAt + rng.int(4, 50) * MINUTE;
  const end = refire + rng.int(8, 60) * MINUTE;
  alert.fires.push({ start: refire - 30_000, end });
  const name = plan.rule.alertname;
  steps.push({
    at: refire,
    kind: "reopened",
    actor: "alertmanager",
    text: `reopened: ${name} fired again`,
    data: { from: "resolved", to: "triggered" },
  });
  if (rng.chance(0.6))
    steps.push({
      at: refire + rng.int(2, 6) * MINUTE,
      kind: "note",
      actor: w.acker,
      text: "Flapped after the fix; watching it.",
    });
  steps.push({
    at: end,
    kind: "resolved",
    actor: "day2",
    text: "all alerts resolved",
    data: { to: "resolved" },
  });
  return end;
}

/** A P2/P3 that a person bumps to a higher priority after looking at it. */
function maybeBump(ctx: LifeContext, plan: Plan, at: number, actor: string, steps: Step[]): boolean {
  if ((plan.priority !== "P2" && plan.priority !== "P3") || plan.ackDelayMs !== undefined) return false;
  if (!ctx.clock.isBusinessHours(plan.createdAt) || !ctx.rng.chance(0.03)) return false;
  const to: Priority = plan.priority === "P2" ? "P1" : "P2";
  steps.push({
    at,
    kind: "priority",
    actor,
    text: `priority ${plan.priority} -> ${to}`,
    data: { from: plan.priority, to },
  });
  steps.push({
    at,
    kind: "note",
    actor,
    text: "Customer impact is larger than the alert suggests; raising priority.",
  });
  plan.priority = to;
  return true;
}

/** The whole script of one incident (not yet cut at now). */
export function live(ctx: LifeContext, plan: Plan): Lived {
  const { rng, config } = ctx;
  const policy = config.policy;
  const head: Step = {
    at: plan.createdAt,
    kind: "triggered",
    actor: "alertmanager",
    text: `${plan.priority} ${plan.title}`,
    data: { groupKey: plan.groupKey },
  };
  const steps: Step[] = [];
  const esc = escalationPolicyFor(plan.labels, config.escalationPolicies);
  const pageAt = ctx.clock.pagingStart(plan.priority, plan.createdAt);
  const ackAt = ackTime(ctx, plan, pageAt);
  if (!esc) return { steps: [head], alerts: plan.alerts, pageAt };
  const commander = majorSteps(ctx, plan, esc, plan.createdAt, steps);
  const paged = escalate(ctx, plan, esc, { pageAt, stop: Math.min(ackAt, ctx.now + 1) }, steps);
  // Escalation usually brings in someone new; a minor one is mostly taken by the first responder, late.
  const pool =
    paged.escalated && rng.chance(isMajor(plan.priority, policy) ? 0.55 : 0.25) ? paged.last : paged.first;
  const acker = pool.length ? rng.pick(pool) : onCallFallback(ctx, esc, ackAt);
  const bumped = maybeBump(ctx, plan, ackAt + rng.int(3, 20) * MINUTE, acker, steps);
  const lateCommander =
    bumped && isMajor(plan.priority, policy)
      ? majorSteps(ctx, plan, esc, ackAt + 20 * MINUTE, steps)
      : undefined;
  const trend = 1.35 - 0.7 * plan.progress;
  const [wm, ws] = WORK_MEDIAN_MIN[plan.priority];
  const workMs = plan.workMs ?? Math.max(10, lognormal(rng, wm, ws) * trend) * MINUTE;
  let resolvedAt = Math.round(ackAt + workMs);
  const auto = plan.workMs !== undefined || isMajor(plan.priority, policy) || rng.chance(0.55);
  if (!auto && !isMajor(plan.priority, policy) && !ctx.clock.isBusinessHours(resolvedAt))
    resolvedAt = ctx.clock.nextBusinessStart(resolvedAt) + rng.int(10, 120) * MINUTE;
  const mitigate = plan.mitigate ?? rng.chance(MITIGATE_P[plan.priority]);
  const mitigatedAt = mitigate ? Math.round(ackAt + (resolvedAt - ackAt) * rng.range(0.25, 0.7)) : undefined;
  const work: Work = {
    ackAt,
    acker,
    resolvedAt,
    auto,
    ...(mitigatedAt !== undefined ? { mitigatedAt } : {}),
  };
  const cmd = commander ?? lateCommander;
  if (cmd) work.commander = cmd;
  workSteps(ctx, plan, work, steps);
  endAlerts(ctx, plan.alerts, resolvedAt, auto, ackAt);
  if (auto && !isMajor(plan.priority, policy) && plan.workMs === undefined && rng.chance(0.07))
    reopenSteps(ctx, plan, work, steps);
  const alertEntries: Step[] = [];
  alertSteps(plan.alerts, alertEntries, plan.createdAt);
  return { steps: [head, ...alertEntries, ...steps], alerts: plan.alerts, pageAt, escalation: esc };
}

/** Stable sort by time (ties keep script order) and cut at now. */
export function cut(steps: readonly Step[], now: number): Step[] {
  return steps
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.at <= now)
    .sort((a, b) => a.s.at - b.s.at || a.i - b.i)
    .map(({ s }) => s);
}

/** The incident as its (cut) timeline leaves it. */
export function replay(plan: Plan, steps: readonly Step[], initial: Priority, pageAt: number): Incident {
  const inc: Incident = {
    id: plan.id,
    title: plan.title,
    priority: initial,
    priorityOverridden: false,
    status: "triggered",
    groupKey: plan.groupKey,
    labels: plan.labels,
    createdAt: plan.createdAt,
    escalationLevel: 0,
  };
  if (plan.labels.service) inc.service = plan.labels.service;
  if (plan.labels.namespace) inc.namespace = plan.labels.namespace;
  for (const s of steps) apply(inc, s);
  if (inc.status === "triggered" && inc.escalationLevel === 0 && pageAt > plan.createdAt)
    inc.escalationDueAt = pageAt;
  if (inc.status !== "triggered") delete inc.escalationDueAt;
  return inc;
}

function apply(inc: Incident, s: Step): void {
  const d = s.data ?? {};
  switch (s.kind) {
    case "acknowledged":
      inc.status = "acknowledged";
      inc.acknowledgedAt = s.at;
      break;
    case "mitigated":
      inc.status = "mitigated";
      inc.mitigatedAt = s.at;
      break;
    case "resolved":
      inc.status = "resolved";
      inc.resolvedAt = s.at;
      break;
    case "reopened":
      inc.status = "triggered";
      delete inc.resolvedAt;
      break;
    case "reviewed":
      inc.status = "reviewed";
      inc.reviewedAt = s.at;
      break;
    case "priority":
      inc.priority = d.to as Priority;
      inc.priorityOverridden = true;
      break;
    case "assigned":
      (inc as unknown as Record<string, unknown>)[d.field as string] = d.value;
      break;
    case "notification":
    case "escalated":
      if (typeof d.step === "number") {
        inc.escalationLevel = d.step;
        inc.escalationDueAt = d.dueAt as number;
      }
      break;
    default:
      break;
  }
}

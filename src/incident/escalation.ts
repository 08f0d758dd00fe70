/**
 * Escalation as pure functions. An escalation policy has levels (targets: schedules resolved
 * to whoever is on call, or users), each with a timeout, and a repeat count. The incident's
 * `escalationLevel` counts steps: 0 = nobody paged yet, 1 = level 1 paged, and with repeats it
 * keeps counting (step s pages level ((s - 1) mod levels) + 1 on pass floor((s - 1) / levels)).
 *
 * Level 1 is paged when paging may start (at once for P0/P1, else in business hours) and is due
 * at the priority's acknowledgement deadline, or earlier when level 1 names a shorter timeout;
 * a level always gets some time after it is paged. Later levels are due their own timeout after
 * they are paged (DEFAULT_LEVEL_TIMEOUT when they name none).
 */
import type { Incident } from "./types.js";
import type {
  EscalationPolicy,
  EscalationTarget,
  IncidentsConfig,
  Policy,
  Schedule,
} from "./policy-config.js";
import { DEFAULT_LEVEL_TIMEOUT } from "./policy-config.js";
import { matchesAll } from "./policy-match.js";
import { ackDeadline, isMajor, pagingStart } from "./policy.js";
import { whoIsOnCall } from "./oncall.js";

export interface ResolvedTargets {
  /** Users to page, in target order, without repeats. */
  readonly users: readonly string[];
  /** Schedules nobody covers at that instant. */
  readonly uncovered: readonly string[];
}

/** Targets -> users: a schedule becomes whoever is on call at `at`. */
export function resolveTargets(
  targets: readonly EscalationTarget[],
  schedules: readonly Schedule[],
  at: number,
): ResolvedTargets {
  const users: string[] = [];
  const uncovered: string[] = [];
  for (const t of targets) {
    let user: string | undefined;
    if ("user" in t) user = t.user;
    else {
      const s = schedules.find((x) => x.id === t.schedule);
      user = s ? whoIsOnCall(s, at)?.user : undefined;
      if (user === undefined) uncovered.push(t.schedule);
    }
    if (user !== undefined && !users.includes(user)) users.push(user);
  }
  return { users, uncovered };
}

export interface EscalationStepResult extends ResolvedTargets {
  /** 1-based level. */
  readonly level: number;
  /** When this level times out if nobody acknowledges. */
  readonly dueAt: number;
}

/** Level `level` (1-based) paged at `at`: its users and when it times out. */
export function escalationStep(
  policy: EscalationPolicy,
  level: number,
  at: number,
  schedules: readonly Schedule[],
): EscalationStepResult {
  const l = policy.levels[level - 1];
  if (!l)
    throw new RangeError(`escalation policy ${policy.id} has no level ${level} (1-${policy.levels.length})`);
  return {
    level,
    ...resolveTargets(l.targets, schedules, at),
    dueAt: at + (l.timeout ?? DEFAULT_LEVEL_TIMEOUT),
  };
}

export type EscalationDecision =
  | {
      readonly kind: "page";
      /** Store as the incident's escalationLevel. */
      readonly step: number;
      readonly level: number;
      /** 0 on the first pass, 1 on the first repeat, ... */
      readonly pass: number;
      readonly users: readonly string[];
      readonly uncovered: readonly string[];
      /** Store as the incident's escalationDueAt. */
      readonly dueAt: number;
    }
  | { readonly kind: "wait"; readonly until: number; readonly reason: string }
  | { readonly kind: "done"; readonly reason: string };

/** What to do for an incident at `now`: page the next step, wait, or nothing more. */
export function nextEscalation(
  incident: Pick<Incident, "status" | "priority" | "createdAt" | "escalationLevel" | "escalationDueAt">,
  escalation: EscalationPolicy,
  now: number,
  config: Pick<IncidentsConfig, "policy" | "schedules">,
): EscalationDecision {
  if (incident.status !== "triggered") return { kind: "done", reason: `incident is ${incident.status}` };
  const { policy, schedules } = config;
  const step = incident.escalationLevel;
  if (step <= 0) {
    const pageAt = pagingStart(incident.priority, incident.createdAt, policy);
    if (now < pageAt)
      return { kind: "wait", until: pageAt, reason: `${incident.priority} pages in business hours only` };
    const s = escalationStep(escalation, 1, now, schedules);
    const timeout = escalation.levels[0]!.timeout;
    let dueAt = ackDeadline(incident.priority, incident.createdAt, policy);
    if (timeout !== undefined) dueAt = Math.min(dueAt, now + timeout);
    if (dueAt <= now) dueAt = now + (timeout ?? DEFAULT_LEVEL_TIMEOUT);
    return { kind: "page", step: 1, level: 1, pass: 0, users: s.users, uncovered: s.uncovered, dueAt };
  }
  if (incident.escalationDueAt !== undefined && now < incident.escalationDueAt)
    return {
      kind: "wait",
      until: incident.escalationDueAt,
      reason: `level ${levelOf(escalation, step)} has until then`,
    };
  const n = escalation.levels.length;
  if (step >= n * (escalation.repeat + 1))
    return { kind: "done", reason: `escalation policy ${escalation.id} exhausted after ${step} steps` };
  const level = levelOf(escalation, step + 1);
  const s = escalationStep(escalation, level, now, schedules);
  return {
    kind: "page",
    step: step + 1,
    level,
    pass: Math.floor(step / n),
    users: s.users,
    uncovered: s.uncovered,
    dueAt: s.dueAt,
  };
}

function levelOf(p: EscalationPolicy, step: number): number {
  return ((step - 1) % p.levels.length) + 1;
}

/** The first escalation policy whose matchers match the labels (a policy without any matches all). */
export function escalationPolicyFor(
  labels: Readonly<Record<string, string>>,
  policies: readonly EscalationPolicy[],
): EscalationPolicy | undefined {
  return policies.find((p) => matchesAll(p.matchers, labels));
}

/**
 * `inc-42-payments-api`: lowercase, [a-z0-9_-], at most 80 characters (Slack's limit). Store
 * ids already start with `inc-`; the prefix is not repeated then (`inc-01j…`, not `inc-inc-01j…`).
 */
export function warRoomName(incident: Pick<Incident, "id" | "service">, prefix = "inc"): string {
  const id = withoutPrefix(incident.id, prefix);
  const raw = [prefix, id, incident.service].filter((x) => x !== undefined && x !== "").join("-");
  const slug = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug.slice(0, 80).replace(/-+$/, "");
}

/** `id` without a leading `<prefix>-` (any case), so a name built as prefix + id says it once. */
export function withoutPrefix(id: string, prefix: string): string {
  const p = `${prefix}-`.toLowerCase();
  return prefix !== "" && id.toLowerCase().startsWith(p) ? id.slice(p.length) : id;
}

export interface MajorIncidentRoles {
  /** The commander schedule's on-call, else level 1's first user; undefined when nobody is on call. */
  readonly commander?: string;
  readonly warRoom: string;
}

/**
 * P0/P1 (the policy's majorPriorities): an incident commander and a war room at once.
 * Undefined for other priorities.
 */
export function majorIncidentRoles(
  incident: Pick<Incident, "id" | "service" | "priority">,
  escalation: EscalationPolicy | undefined,
  at: number,
  config: { readonly policy: Policy; readonly schedules: readonly Schedule[] },
): MajorIncidentRoles | undefined {
  if (!isMajor(incident.priority, config.policy)) return undefined;
  const warRoom = warRoomName(incident, config.policy.warRoomPrefix);
  let commander: string | undefined;
  const ic = escalation?.commander && config.schedules.find((s) => s.id === escalation.commander);
  if (ic) commander = whoIsOnCall(ic, at)?.user;
  if (commander === undefined && escalation)
    commander = resolveTargets(escalation.levels[0]!.targets, config.schedules, at).users[0];
  return { ...(commander !== undefined ? { commander } : {}), warRoom };
}

/**
 * The severity policy as pure functions: labels -> priority, business hours in the policy's
 * time zone (weekends, holidays, DST), when paging may start and when acknowledgement is due.
 */
import type { Incident, Priority } from "./types.js";
import type { BusinessHours, Policy } from "./policy-config.js";
import { SEARCH_HORIZON } from "./policy-config.js";
import { matchesAll } from "./policy-match.js";
import type { LocalDate } from "./policy-time.js";
import { addDays, formatLocalDate, localDate, weekday, zonedTime } from "./policy-time.js";

export interface PriorityResult {
  readonly priority: Priority;
  /** The name of the severity-map rule that matched, or "default". */
  readonly rule: string;
}

/** The first severity-map rule whose matchers all match wins; else the default priority. */
export function priorityFor(labels: Readonly<Record<string, string>>, policy: Policy): PriorityResult {
  for (const r of policy.severityMap) {
    if (matchesAll(r.matchers, labels)) return { priority: r.priority, rule: r.name };
  }
  return { priority: policy.defaultPriority, rule: "default" };
}

/**
 * The priority an incident should have now: a person's override stands, else the highest
 * priority among its firing alerts' labels (P0 beats P1).
 */
export function assessPriority(
  incident: Pick<Incident, "priority" | "priorityOverridden">,
  alertLabels: readonly Readonly<Record<string, string>>[],
  policy: Policy,
): PriorityResult {
  if (incident.priorityOverridden) return { priority: incident.priority, rule: "override" };
  let best: PriorityResult | undefined;
  for (const labels of alertLabels) {
    const r = priorityFor(labels, policy);
    if (!best || r.priority < best.priority) best = r;
  }
  return best ?? { priority: incident.priority, rule: "unchanged" };
}

function isBusinessDay(d: LocalDate, bh: BusinessHours): boolean {
  return bh.days.includes(weekday(d)) && !bh.holidays.includes(formatLocalDate(d));
}

/** The open and close instants of a business day's hours. */
function hoursOf(d: LocalDate, bh: BusinessHours): [number, number] {
  return [zonedTime(d, bh.start, bh.timeZone), zonedTime(d, bh.end, bh.timeZone)];
}

/** True when `at` falls within business hours (open inclusive, close exclusive). */
export function isBusinessHours(at: number, policy: Policy): boolean {
  const bh = policy.businessHours;
  const d = localDate(at, bh.timeZone);
  if (!isBusinessDay(d, bh)) return false;
  const [open, close] = hoursOf(d, bh);
  return at >= open && at < close;
}

/**
 * The earliest instant at or after `at` inside business hours: `at` itself during business
 * hours, else the next opening (Friday 17:30 -> Monday 09:00, skipping holidays).
 */
export function nextBusinessStart(at: number, policy: Policy): number {
  const bh = policy.businessHours;
  const first = localDate(at, bh.timeZone);
  for (let i = 0; i * 86_400_000 <= SEARCH_HORIZON; i++) {
    const d = addDays(first, i);
    if (!isBusinessDay(d, bh)) continue;
    const [open, close] = hoursOf(d, bh);
    if (at < open) return open;
    if (at < close) return at;
  }
  throw new Error("no business hours within a year: check businessHours.days and holidays");
}

/**
 * The opening of the first business day after the local date of `at`: "next business day".
 * Tuesday 10:00 -> Wednesday 09:00; Friday 17:30 -> Monday 09:00.
 */
export function nextBusinessDayStart(at: number, policy: Policy): number {
  const bh = policy.businessHours;
  const first = localDate(at, bh.timeZone);
  for (let i = 1; i * 86_400_000 <= SEARCH_HORIZON; i++) {
    const d = addDays(first, i);
    if (isBusinessDay(d, bh)) return hoursOf(d, bh)[0];
  }
  throw new Error("no business day within a year: check businessHours.days and holidays");
}

/** Whether this priority may page at any hour (P0/P1 by default) or only in business hours. */
export function pagesAnytime(priority: Priority, policy: Policy): boolean {
  return policy.pageAnytime.includes(priority);
}

/** When paging for an incident raised at `at` may start: at once, or at the next business start. */
export function pagingStart(priority: Priority, at: number, policy: Policy): number {
  return pagesAnytime(priority, policy) ? at : nextBusinessStart(at, policy);
}

/**
 * When acknowledgement is due for an incident of `priority` raised at `at`, epoch ms.
 * A duration counts from when paging may start (a P2 at 22:00 is due an hour after the next
 * opening); next-business-day is the opening of the first business day after the local date
 * of `at` (a P3 at Friday 17:30 Europe/Berlin is due Monday 09:00 Berlin).
 */
export function ackDeadline(priority: Priority, at: number, policy: Policy): number {
  const d = policy.ackDeadlines[priority];
  if (d.kind === "next-business-day") return nextBusinessDayStart(at, policy);
  return pagingStart(priority, at, policy) + d.ms;
}

/** P0/P1 by default: an incident commander and a war room at once. */
export function isMajor(priority: Priority, policy: Policy): boolean {
  return policy.majorPriorities.includes(priority);
}

/** A resolved (not yet reviewed) incident reopens when an alert fires again within the window. */
export function shouldReopen(
  incident: Pick<Incident, "status" | "resolvedAt">,
  at: number,
  policy: Policy,
): boolean {
  return (
    incident.status === "resolved" &&
    incident.resolvedAt !== undefined &&
    at >= incident.resolvedAt &&
    at - incident.resolvedAt <= policy.reopenWindow
  );
}

/** Whether the incident should resolve now that `firing` of its alerts are still firing. */
export function shouldAutoResolve(firing: number, policy: Policy): boolean {
  return policy.resolveWhenAllAlertsResolved && firing === 0;
}

/**
 * Post-incident review drafts, generated from the incident, its timeline and its alerts. The
 * draft is a starting point for people: the facts (impact, timeline, what the data says went
 * well or badly) are filled in, the root cause is left as prompts. Render it with
 * renderReviewMarkdown (review-markdown.ts).
 *
 * Definitions:
 * - Impact starts at the earliest of the incident's creation and its alerts' startsAt (alerts
 *   fire before Alertmanager's group_wait lets the incident open), and ends at resolvedAt; an
 *   unresolved incident is "ongoing" and its duration runs to the draft's `now`.
 * - Time to acknowledge / mitigate / resolve are measured from the incident's createdAt (the
 *   same origin as MTTA and MTTR in figures.ts), using the first acknowledgement and first
 *   mitigation in the timeline (a reopened incident keeps its first response) and the final
 *   resolution.
 * - The acknowledgement deadline is `options.ackDeadlineMs` when given (the policy's, e.g. the
 *   next business day for P3), else the handbook's: P0 5 min, P1 15 min, P2 1 h; P3 has none
 *   without a business-hours calendar, so no judgement is made.
 * - Key timeline entries: everything except per-alert and notification entries.
 * - Action items naming a runbook stay tracked until closed (see trackedActionItems). When the
 *   caller passes no action items, the draft suggests some (update each linked runbook, write
 *   the missing ones), owned by the commander (else the assignee), due `actionItemDueMs` after
 *   the draft.
 */
import { formatDuration, formatUtc } from "./notify.js";
import type {
  ActionItem,
  Alert,
  Incident,
  IncidentStatus,
  Priority,
  TimelineEntry,
  TimelineKind,
} from "./types.js";

const MIN = 60_000;
export const HANDBOOK_ACK_DEADLINE_MS: Partial<Record<Priority, number>> = {
  P0: 5 * MIN,
  P1: 15 * MIN,
  P2: 60 * MIN,
};
export const DEFAULT_ACTION_ITEM_DUE_MS = 7 * 24 * 60 * MIN;

const KEY_KINDS: ReadonlySet<TimelineKind> = new Set<TimelineKind>([
  "triggered",
  "acknowledged",
  "mitigated",
  "resolved",
  "reopened",
  "reviewed",
  "escalated",
  "priority",
  "assigned",
  "note",
  "status-update",
]);

export interface ReviewOptions {
  /** When the draft is generated (default Date.now()). */
  now?: number;
  /** The acknowledgement deadline for this incident, ms after createdAt (default: handbook). */
  ackDeadlineMs?: number;
  /** Suggested action items are due this long after `now` (default 7 days). */
  actionItemDueMs?: number;
}

export interface ReviewImpact {
  startedAt: number;
  endedAt?: number;
  ongoing: boolean;
  durationMs: number;
  timeToAcknowledgeMs?: number;
  timeToMitigateMs?: number;
  timeToResolveMs?: number;
  ackDeadlineMs?: number;
  services: string[];
  namespaces: string[];
  alertCount: number;
  suppressedAlertCount: number;
}

export interface ReviewTimelineEntry {
  at: number;
  kind: TimelineKind;
  actor: string;
  text: string;
}

export interface ReviewAlert {
  name: string;
  count: number;
  summary?: string;
  description?: string;
  runbook?: string;
}

export interface ReviewRootCause {
  /** Questions for the authors; the root cause itself is theirs to write. */
  prompts: string[];
  alerts: ReviewAlert[];
  runbooks: string[];
}

export interface ReviewActionItem {
  /** Set for stored items; suggested ones have none until saved. */
  id?: string;
  title: string;
  owner?: string;
  dueAt?: number;
  runbook?: string;
  status: "open" | "closed";
  closedAt?: number;
  /** Names a runbook and is not closed: tracked until it is. */
  tracked: boolean;
  suggested: boolean;
}

export interface ReviewDraft {
  incidentId: string;
  title: string;
  priority: Priority;
  status: IncidentStatus;
  commander?: string;
  generatedAt: number;
  summary: string;
  impact: ReviewImpact;
  timeline: ReviewTimelineEntry[];
  rootCause: ReviewRootCause;
  wentWell: string[];
  wentBadly: string[];
  actionItems: ReviewActionItem[];
}

/** Open action items that name a runbook: the ones tracked until closed. */
export function trackedActionItems(items: readonly ActionItem[]): ActionItem[] {
  return items.filter(isTrackedActionItem);
}

export function isTrackedActionItem(item: ActionItem): boolean {
  return Boolean(item.runbook) && item.closedAt === undefined;
}

function sortedTimeline(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  return timeline
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at - b.e.at || a.i - b.i)
    .map(({ e }) => e);
}

function firstOf(timeline: readonly TimelineEntry[], kind: TimelineKind): TimelineEntry | undefined {
  return timeline.find((e) => e.kind === kind);
}

function countOf(timeline: readonly TimelineEntry[], kind: TimelineKind): number {
  return timeline.filter((e) => e.kind === kind).length;
}

const uniqSorted = (xs: (string | undefined)[]): string[] =>
  [...new Set(xs.filter((x): x is string => Boolean(x)))].sort();

/** The runbook an alert links: Prometheus' runbook_url annotation, or runbook. */
export function alertRunbook(alert: Pick<Alert, "annotations">): string | undefined {
  return alert.annotations.runbook_url || alert.annotations.runbook || undefined;
}

interface Milestones {
  ack?: TimelineEntry | undefined;
  ackAt?: number | undefined;
  mitigatedAt?: number | undefined;
  resolvedAt?: number | undefined;
}

function milestones(incident: Incident, timeline: TimelineEntry[]): Milestones {
  const ack = firstOf(timeline, "acknowledged");
  const lastResolved = timeline.filter((e) => e.kind === "resolved").at(-1);
  return {
    ack,
    ackAt: ack?.at ?? incident.acknowledgedAt,
    mitigatedAt: firstOf(timeline, "mitigated")?.at ?? incident.mitigatedAt,
    resolvedAt: incident.resolvedAt ?? lastResolved?.at,
  };
}

function impactOf(
  incident: Incident,
  alerts: readonly Alert[],
  m: Milestones,
  now: number,
  ackDeadlineMs: number | undefined,
): ReviewImpact {
  const startedAt = Math.min(incident.createdAt, ...alerts.map((a) => a.startsAt));
  const since = (t: number | undefined): number | undefined =>
    t === undefined ? undefined : t - incident.createdAt;
  const impact: ReviewImpact = {
    startedAt,
    ongoing: m.resolvedAt === undefined,
    durationMs: (m.resolvedAt ?? now) - startedAt,
    services: uniqSorted([incident.service, ...alerts.map((a) => a.labels.service)]),
    namespaces: uniqSorted([incident.namespace, ...alerts.map((a) => a.labels.namespace)]),
    alertCount: alerts.length,
    suppressedAlertCount: alerts.filter((a) => a.suppressed).length,
  };
  const optional = {
    endedAt: m.resolvedAt,
    timeToAcknowledgeMs: since(m.ackAt),
    timeToMitigateMs: since(m.mitigatedAt),
    timeToResolveMs: since(m.resolvedAt),
    ackDeadlineMs,
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(impact, { [k]: v });
  return impact;
}

function reviewAlerts(alerts: readonly Alert[]): ReviewAlert[] {
  const byName = new Map<string, ReviewAlert>();
  for (const a of [...alerts].sort((x, y) => x.startsAt - y.startsAt)) {
    const name = a.labels.alertname ?? a.fingerprint;
    const seen = byName.get(name);
    if (seen) {
      seen.count++;
      seen.runbook ??= alertRunbook(a);
      continue;
    }
    const entry: ReviewAlert = { name, count: 1 };
    if (a.annotations.summary) entry.summary = a.annotations.summary;
    if (a.annotations.description) entry.description = a.annotations.description;
    const runbook = alertRunbook(a);
    if (runbook) entry.runbook = runbook;
    byName.set(name, entry);
  }
  return [...byName.values()];
}

function rootCauseOf(alerts: readonly Alert[], startedAt: number): ReviewRootCause {
  const grouped = reviewAlerts(alerts);
  const runbooks = uniqSorted(grouped.map((a) => a.runbook));
  const prompts = [
    `What changed shortly before ${formatUtc(startedAt)}? (deploys, configuration, traffic, dependencies)`,
    ...grouped.map((a) => `Why did ${a.name} fire${a.summary ? ` ("${a.summary}")` : ""}, and why then?`),
    ...runbooks.map((r) => `Did ${r} lead to the fix? What was missing or wrong in it?`),
    "Could this have been detected earlier, or prevented?",
  ];
  return { prompts, alerts: grouped, runbooks };
}

const times = (n: number): string => (n === 1 ? "once" : `${n} times`);

interface Judgement {
  incident: Incident;
  m: Milestones;
  impact: ReviewImpact;
  escalations: number;
  reopened: number;
  priorityChanges: number;
  rootCause: ReviewRootCause;
}

function acknowledgementVerdicts(j: Judgement, well: string[], badly: string[]): void {
  const { impact } = j;
  const tta = impact.timeToAcknowledgeMs;
  const deadline = impact.ackDeadlineMs;
  const label = `${j.incident.priority}`;
  if (tta === undefined) {
    badly.push("Never acknowledged.");
  } else if (deadline !== undefined && tta <= deadline) {
    well.push(
      `Acknowledged in ${formatDuration(tta)}, within the ${formatDuration(deadline)} deadline for ${label}.`,
    );
  } else if (deadline !== undefined) {
    badly.push(
      `Acknowledged after the deadline: ${formatDuration(tta)} against ${formatDuration(deadline)} for ${label}.`,
    );
  }
  if (j.escalations > 0) badly.push(`Escalated ${times(j.escalations)}.`);
  else if (tta !== undefined) well.push("No escalation needed: the first responder took it.");
}

function judge(j: Judgement): { wentWell: string[]; wentBadly: string[] } {
  const well: string[] = [];
  const badly: string[] = [];
  acknowledgementVerdicts(j, well, badly);
  const { incident, impact } = j;
  const urgent = incident.priority === "P0" || incident.priority === "P1";
  if (urgent && incident.commander) well.push(`Incident commander assigned: ${incident.commander}.`);
  if (urgent && !incident.commander) badly.push(`No incident commander on a ${incident.priority}.`);
  if (
    impact.timeToMitigateMs !== undefined &&
    (impact.timeToResolveMs ?? Infinity) > impact.timeToMitigateMs
  ) {
    well.push(`Impact mitigated ${formatDuration(impact.timeToMitigateMs)} after the incident opened.`);
  }
  if (j.rootCause.runbooks.length) well.push(`Alerts linked a runbook: ${j.rootCause.runbooks.join(", ")}.`);
  const missing = j.rootCause.alerts.filter((a) => !a.runbook).map((a) => a.name);
  if (missing.length) badly.push(`No runbook linked from ${missing.join(", ")}.`);
  if (j.priorityChanges > 0) badly.push(`Priority changed ${times(j.priorityChanges)} during the incident.`);
  if (j.reopened > 0) badly.push(`Reopened ${times(j.reopened)}.`);
  else if (!impact.ongoing) well.push("Resolved without reopening.");
  if (impact.ongoing) badly.push("Not resolved when this draft was generated.");
  return { wentWell: well, wentBadly: badly };
}

function fromStored(item: ActionItem): ReviewActionItem {
  const out: ReviewActionItem = {
    id: item.id,
    title: item.title,
    status: item.closedAt === undefined ? "open" : "closed",
    tracked: isTrackedActionItem(item),
    suggested: false,
  };
  if (item.owner) out.owner = item.owner;
  if (item.dueAt !== undefined) out.dueAt = item.dueAt;
  if (item.runbook) out.runbook = item.runbook;
  if (item.closedAt !== undefined) out.closedAt = item.closedAt;
  return out;
}

function suggestedItems(incident: Incident, rootCause: ReviewRootCause, dueAt: number): ReviewActionItem[] {
  const owner = incident.commander ?? incident.assignee;
  const item = (title: string, runbook?: string): ReviewActionItem => ({
    title,
    ...(owner ? { owner } : {}),
    dueAt,
    ...(runbook ? { runbook } : {}),
    status: "open",
    tracked: Boolean(runbook),
    suggested: true,
  });
  return [
    ...rootCause.runbooks.map((r) => item(`Update ${r} with what this incident taught`, r)),
    ...rootCause.alerts
      .filter((a) => !a.runbook)
      .map((a) => item(`Write a runbook for ${a.name} and link it from the alert`)),
  ];
}

function summaryOf(incident: Incident, m: Milestones, impact: ReviewImpact, escalations: number): string {
  const where = [
    incident.service ? `service ${incident.service}` : undefined,
    incident.namespace ? `namespace ${incident.namespace}` : undefined,
  ].filter(Boolean);
  const parts = [`opened ${formatUtc(incident.createdAt)}`];
  if (impact.timeToAcknowledgeMs !== undefined) {
    parts.push(
      `acknowledged after ${formatDuration(impact.timeToAcknowledgeMs)}${m.ack ? ` by ${m.ack.actor}` : ""}`,
    );
  }
  if (impact.timeToMitigateMs !== undefined)
    parts.push(`mitigated after ${formatDuration(impact.timeToMitigateMs)}`);
  parts.push(
    impact.timeToResolveMs !== undefined
      ? `resolved after ${formatDuration(impact.timeToResolveMs)}`
      : "not resolved yet",
  );
  const alerts = `${impact.alertCount} alert${impact.alertCount === 1 ? "" : "s"}`;
  const esc = escalations ? `, escalated ${times(escalations)}` : "";
  return (
    `${incident.priority} incident "${incident.title}"${where.length ? ` on ${where.join(", ")}` : ""}: ` +
    `${parts.join(", ")}. ${alerts}${esc}.`
  );
}

/** A review draft from what day2 recorded. Pure: the same input gives the same draft. */
export function reviewDraft(
  incident: Incident,
  timeline: readonly TimelineEntry[],
  alerts: readonly Alert[],
  actionItems?: readonly ActionItem[],
  options: ReviewOptions = {},
): ReviewDraft {
  const now = options.now ?? Date.now();
  const entries = sortedTimeline(timeline.filter((e) => e.incidentId === incident.id));
  const m = milestones(incident, entries);
  const ackDeadlineMs = options.ackDeadlineMs ?? HANDBOOK_ACK_DEADLINE_MS[incident.priority];
  const impact = impactOf(incident, alerts, m, now, ackDeadlineMs);
  const rootCause = rootCauseOf(alerts, impact.startedAt);
  const escalations = countOf(entries, "escalated");
  const { wentWell, wentBadly } = judge({
    incident,
    m,
    impact,
    escalations,
    reopened: countOf(entries, "reopened"),
    priorityChanges: countOf(entries, "priority"),
    rootCause,
  });
  const draft: ReviewDraft = {
    incidentId: incident.id,
    title: incident.title,
    priority: incident.priority,
    status: incident.status,
    generatedAt: now,
    summary: summaryOf(incident, m, impact, escalations),
    impact,
    timeline: entries
      .filter((e) => KEY_KINDS.has(e.kind))
      .map((e) => ({ at: e.at, kind: e.kind, actor: e.actor, text: e.text })),
    rootCause,
    wentWell,
    wentBadly,
    actionItems: actionItems
      ? actionItems.map(fromStored)
      : suggestedItems(incident, rootCause, now + (options.actionItemDueMs ?? DEFAULT_ACTION_ITEM_DUE_MS)),
  };
  if (incident.commander) draft.commander = incident.commander;
  return draft;
}

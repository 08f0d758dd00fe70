/** Ids, errors, and the mapping between table rows and the plain model of src/incident/types.ts. */
import { randomBytes } from "node:crypto";
import type {
  Alert,
  AlertStatus,
  Incident,
  IncidentStatus,
  Priority,
  TimelineEntry,
  TimelineKind,
  ActionItem,
} from "../incident/types.js";
import type { ActionItemsTable, AlertsTable, IncidentsTable, TimelineTable } from "./schema.js";

let lastMs = 0;
let counter = 0;

/**
 * A new id: prefix, time (base36), a per-process counter and randomness. Ids made by one
 * process sort in creation order; ids from several replicas never collide.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  const time = now.toString(36).padStart(9, "0");
  const seq = counter.toString(36).padStart(4, "0");
  return `${prefix}-${time}${seq}${randomBytes(5).toString("hex")}`;
}

/** Input that the store refuses; `field` names the offending field, e.g. `alerts[2].labels.team`. */
export class StoreValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "StoreValidationError";
  }
}

/** A lifecycle change the incident's current status does not allow. Nothing was changed. */
export class InvalidTransitionError extends Error {
  constructor(
    readonly incidentId: string,
    readonly from: IncidentStatus,
    readonly to: IncidentStatus,
    readonly allowed: readonly IncidentStatus[],
  ) {
    super(
      `incident ${incidentId} cannot move from ${from} to ${to}` +
        ` (allowed from ${from}: ${allowed.length ? allowed.join(", ") : "nothing"})`,
    );
    this.name = "InvalidTransitionError";
  }
}

/** The id names no stored incident. */
export class NotFoundError extends Error {
  constructor(what: string, id: string) {
    super(`no ${what} ${id}`);
    this.name = "NotFoundError";
  }
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  return JSON.parse(text) as T;
}

export function alertFromRow(r: AlertsTable): Alert {
  const a: Alert = {
    fingerprint: r.fingerprint,
    status: r.status as AlertStatus,
    labels: parseJson(r.labels, {}),
    annotations: parseJson(r.annotations, {}),
    startsAt: r.starts_at,
    source: r.source,
    groupKey: r.group_key,
    receivedAt: r.received_at,
  };
  if (r.ends_at !== null) a.endsAt = r.ends_at;
  if (r.generator_url !== null) a.generatorURL = r.generator_url;
  if (r.incident_id !== null) a.incidentId = r.incident_id;
  if (r.suppressed) a.suppressed = true;
  return a;
}

export function incidentFromRow(r: IncidentsTable): Incident {
  const i: Incident = {
    id: r.id,
    title: r.title,
    priority: r.priority as Priority,
    priorityOverridden: r.priority_overridden === 1,
    status: r.status as IncidentStatus,
    groupKey: r.group_key,
    labels: parseJson(r.labels, {}),
    createdAt: r.created_at,
    escalationLevel: r.escalation_level,
  };
  const optional: [keyof Incident, string | number | null][] = [
    ["service", r.service],
    ["namespace", r.namespace],
    ["acknowledgedAt", r.acknowledged_at],
    ["mitigatedAt", r.mitigated_at],
    ["resolvedAt", r.resolved_at],
    ["reviewedAt", r.reviewed_at],
    ["assignee", r.assignee],
    ["commander", r.commander],
    ["warRoom", r.war_room],
    ["escalationDueAt", r.escalation_due_at],
  ];
  for (const [k, v] of optional) if (v !== null) (i as unknown as Record<string, unknown>)[k] = v;
  return i;
}

export function timelineFromRow(r: TimelineTable): TimelineEntry {
  const e: TimelineEntry = {
    id: r.id,
    incidentId: r.incident_id,
    at: r.at,
    kind: r.kind as TimelineKind,
    actor: r.actor,
    text: r.text,
  };
  const data = parseJson<Record<string, unknown> | undefined>(r.data, undefined);
  if (data !== undefined) e.data = data;
  return e;
}

export function actionItemFromRow(r: ActionItemsTable): ActionItem {
  const a: ActionItem = { id: r.id, incidentId: r.incident_id, title: r.title };
  if (r.owner !== null) a.owner = r.owner;
  if (r.due_at !== null) a.dueAt = r.due_at;
  if (r.runbook !== null) a.runbook = r.runbook;
  if (r.closed_at !== null) a.closedAt = r.closed_at;
  return a;
}

export { opt };

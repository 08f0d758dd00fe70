/**
 * Bulk import of a history (the demo's, or one moved from another day2): incidents, alerts,
 * timeline entries, action items, reviews, on-call schedules and overrides, maintenance
 * windows, all with the ids and times they were given, in one transaction. Nothing goes
 * through the lifecycle: the rows are written as they are (the timeline's trigger refuses
 * UPDATE only, so inserting old entries is fine). An id that is already stored fails the
 * whole import (a primary-key violation) and nothing is written.
 */
import { sql, type Kysely } from "kysely";
import {
  INCIDENT_STATUSES,
  type ActionItem,
  type Alert,
  type Incident,
  type TimelineEntry,
} from "../incident/types.js";
import { writeTx, type StoreDb } from "./db.js";
import { TIMELINE_KINDS_CHECK } from "./kinds.js";
import { StoreValidationError } from "./rows.js";
import type {
  ActionItemsTable,
  AlertsTable,
  Database,
  IncidentsTable,
  MaintenanceWindowsTable,
  OncallOverridesTable,
  OncallSchedulesTable,
  ReviewsTable,
  TimelineTable,
} from "./schema.js";
import { validatePriority } from "./validate.js";

export interface HistoryActionItem extends ActionItem {
  createdAt: number;
}

export interface HistoryReview {
  incidentId: string;
  body: string;
  data?: unknown;
  createdAt: number;
  /** Default createdAt. */
  updatedAt?: number;
}

export interface HistorySchedule {
  id: string;
  /** The name the engine looks schedules up by (the config's schedule id). */
  name: string;
  config: unknown;
  updatedAt: number;
}

export interface HistoryOverride {
  id: string;
  /** A HistorySchedule id (of this import or already stored). */
  scheduleId: string;
  person: string;
  startsAt: number;
  endsAt: number;
  createdBy?: string;
  createdAt: number;
}

export interface HistoryMaintenanceWindow {
  id: string;
  name: string;
  matchers: unknown;
  startsAt: number;
  endsAt: number;
  createdBy?: string;
  silenceId?: string;
  createdAt: number;
}

/** What importHistory writes; every list is optional. */
export interface HistoryImport {
  incidents?: readonly Incident[];
  alerts?: readonly Alert[];
  timeline?: readonly TimelineEntry[];
  actionItems?: readonly HistoryActionItem[];
  reviews?: readonly HistoryReview[];
  schedules?: readonly HistorySchedule[];
  overrides?: readonly HistoryOverride[];
  maintenance?: readonly HistoryMaintenanceWindow[];
}

export interface HistoryImportOptions {
  /**
   * Import only when the store holds no incident yet (checked inside the transaction; on
   * PostgreSQL concurrent imports serialise on an advisory lock). Otherwise nothing is written
   * and `imported` is false.
   */
  ifEmpty?: boolean;
}

export interface HistoryCounts {
  incidents: number;
  alerts: number;
  timeline: number;
  actionItems: number;
  reviews: number;
  schedules: number;
  overrides: number;
  maintenance: number;
}

export interface HistoryImportResult {
  imported: boolean;
  counts: HistoryCounts;
}

/** Rows per INSERT: well under both dialects' bound-parameter limits. */
const CHUNK = 200;

const time = (v: unknown, field: string): number => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
    throw new StoreValidationError(field, "must be epoch milliseconds");
  return v;
};
const optTime = (v: unknown, field: string): number | null => (v === undefined ? null : time(v, field));
const id = (v: unknown, field: string): string => {
  if (typeof v !== "string" || !v) throw new StoreValidationError(field, "must be a non-empty string");
  return v;
};
const optText = (v: unknown, field: string): string | null => {
  if (v === undefined) return null;
  if (typeof v !== "string") throw new StoreValidationError(field, "must be a string");
  return v;
};

function incidentRow(i: Incident, f: string): IncidentsTable {
  if (!INCIDENT_STATUSES.includes(i.status))
    throw new StoreValidationError(`${f}.status`, `unknown status ${String(i.status)}`);
  const stamps = {
    created_at: time(i.createdAt, `${f}.createdAt`),
    acknowledged_at: optTime(i.acknowledgedAt, `${f}.acknowledgedAt`),
    mitigated_at: optTime(i.mitigatedAt, `${f}.mitigatedAt`),
    resolved_at: optTime(i.resolvedAt, `${f}.resolvedAt`),
    reviewed_at: optTime(i.reviewedAt, `${f}.reviewedAt`),
  };
  return {
    id: id(i.id, `${f}.id`),
    title: optText(i.title, `${f}.title`) ?? "",
    priority: validatePriority(i.priority, `${f}.priority`),
    priority_overridden: i.priorityOverridden ? 1 : 0,
    status: i.status,
    group_key: id(i.groupKey, `${f}.groupKey`),
    service: optText(i.service, `${f}.service`),
    namespace: optText(i.namespace, `${f}.namespace`),
    labels: JSON.stringify(i.labels ?? {}),
    ...stamps,
    assignee: optText(i.assignee, `${f}.assignee`),
    commander: optText(i.commander, `${f}.commander`),
    war_room: optText(i.warRoom, `${f}.warRoom`),
    escalation_due_at: optTime(i.escalationDueAt, `${f}.escalationDueAt`),
    escalation_level: i.escalationLevel ?? 0,
    // The last change the incident saw.
    updated_at: Math.max(...Object.values(stamps).filter((v): v is number => v !== null)),
  };
}

function alertRow(a: Alert, f: string): AlertsTable {
  if (a.status !== "firing" && a.status !== "resolved")
    throw new StoreValidationError(`${f}.status`, `expected firing or resolved, got ${String(a.status)}`);
  const received = time(a.receivedAt, `${f}.receivedAt`);
  return {
    fingerprint: id(a.fingerprint, `${f}.fingerprint`),
    status: a.status,
    labels: JSON.stringify(a.labels ?? {}),
    annotations: JSON.stringify(a.annotations ?? {}),
    starts_at: time(a.startsAt, `${f}.startsAt`),
    ends_at: optTime(a.endsAt, `${f}.endsAt`),
    generator_url: optText(a.generatorURL, `${f}.generatorURL`),
    source: id(a.source, `${f}.source`),
    group_key: id(a.groupKey, `${f}.groupKey`),
    incident_id: optText(a.incidentId, `${f}.incidentId`),
    suppressed: a.suppressed ? 1 : 0,
    received_at: received,
    updated_at: received,
  };
}

function timelineRow(e: TimelineEntry, f: string): TimelineTable {
  if (!TIMELINE_KINDS_CHECK.has(e.kind))
    throw new StoreValidationError(`${f}.kind`, `unknown timeline kind ${String(e.kind)}`);
  return {
    id: id(e.id, `${f}.id`),
    incident_id: id(e.incidentId, `${f}.incidentId`),
    at: time(e.at, `${f}.at`),
    kind: e.kind,
    actor: id(e.actor, `${f}.actor`),
    text: optText(e.text, `${f}.text`) ?? "",
    data: e.data === undefined ? null : JSON.stringify(e.data),
  };
}

function actionItemRow(a: HistoryActionItem, f: string): ActionItemsTable {
  return {
    id: id(a.id, `${f}.id`),
    incident_id: id(a.incidentId, `${f}.incidentId`),
    title: id(a.title, `${f}.title`),
    owner: optText(a.owner, `${f}.owner`),
    due_at: optTime(a.dueAt, `${f}.dueAt`),
    runbook: optText(a.runbook, `${f}.runbook`),
    created_at: time(a.createdAt, `${f}.createdAt`),
    closed_at: optTime(a.closedAt, `${f}.closedAt`),
  };
}

function reviewRow(r: HistoryReview, f: string): ReviewsTable {
  const created = time(r.createdAt, `${f}.createdAt`);
  return {
    incident_id: id(r.incidentId, `${f}.incidentId`),
    body: optText(r.body, `${f}.body`) ?? "",
    data: r.data === undefined ? null : JSON.stringify(r.data),
    created_at: created,
    updated_at: optTime(r.updatedAt, `${f}.updatedAt`) ?? created,
  };
}

function scheduleRow(s: HistorySchedule, f: string): OncallSchedulesTable {
  return {
    id: id(s.id, `${f}.id`),
    name: id(s.name, `${f}.name`),
    config: JSON.stringify(s.config ?? null),
    updated_at: time(s.updatedAt, `${f}.updatedAt`),
  };
}

function overrideRow(o: HistoryOverride, f: string): OncallOverridesTable {
  const starts = time(o.startsAt, `${f}.startsAt`);
  const ends = time(o.endsAt, `${f}.endsAt`);
  if (!(ends > starts)) throw new StoreValidationError(`${f}.endsAt`, "must be after startsAt");
  return {
    id: id(o.id, `${f}.id`),
    schedule_id: id(o.scheduleId, `${f}.scheduleId`),
    person: id(o.person, `${f}.person`),
    starts_at: starts,
    ends_at: ends,
    created_by: optText(o.createdBy, `${f}.createdBy`),
    created_at: time(o.createdAt, `${f}.createdAt`),
  };
}

function maintenanceRow(w: HistoryMaintenanceWindow, f: string): MaintenanceWindowsTable {
  const starts = time(w.startsAt, `${f}.startsAt`);
  const ends = time(w.endsAt, `${f}.endsAt`);
  if (!(ends > starts)) throw new StoreValidationError(`${f}.endsAt`, "must be after startsAt");
  return {
    id: id(w.id, `${f}.id`),
    name: id(w.name, `${f}.name`),
    matchers: JSON.stringify(w.matchers ?? []),
    starts_at: starts,
    ends_at: ends,
    created_by: optText(w.createdBy, `${f}.createdBy`),
    silence_id: optText(w.silenceId, `${f}.silenceId`),
    created_at: time(w.createdAt, `${f}.createdAt`),
  };
}

function rows<I, R>(list: readonly I[] | undefined, field: string, toRow: (v: I, f: string) => R): R[] {
  return (list ?? []).map((v, i) => toRow(v, `${field}[${i}]`));
}

async function insertAll<T extends keyof Database>(
  trx: Kysely<Database>,
  table: T,
  values: readonly Database[T][],
): Promise<void> {
  for (let i = 0; i < values.length; i += CHUNK)
    await trx
      .insertInto(table)
      .values(values.slice(i, i + CHUNK) as never)
      .execute();
}

/**
 * Writes `data` as given (ids and times kept) in one transaction, parents before children.
 * Validates every row first (a StoreValidationError names the field, e.g. `timeline[12].kind`;
 * nothing is written). Unknown incident ids in children fail on the foreign keys.
 */
export async function importHistory(
  store: StoreDb,
  data: HistoryImport,
  options: HistoryImportOptions = {},
): Promise<HistoryImportResult> {
  const incidents = rows(data.incidents, "incidents", incidentRow);
  const alerts = rows(data.alerts, "alerts", alertRow);
  const timeline = rows(data.timeline, "timeline", timelineRow);
  const actionItems = rows(data.actionItems, "actionItems", actionItemRow);
  const reviews = rows(data.reviews, "reviews", reviewRow);
  const schedules = rows(data.schedules, "schedules", scheduleRow);
  const overrides = rows(data.overrides, "overrides", overrideRow);
  const maintenance = rows(data.maintenance, "maintenance", maintenanceRow);
  const counts: HistoryCounts = {
    incidents: incidents.length,
    alerts: alerts.length,
    timeline: timeline.length,
    actionItems: actionItems.length,
    reviews: reviews.length,
    schedules: schedules.length,
    overrides: overrides.length,
    maintenance: maintenance.length,
  };
  return writeTx(store, async (trx) => {
    if (options.ifEmpty) {
      if (store.dialect === "postgres")
        await sql`select pg_advisory_xact_lock(hashtext(${"day2.importHistory"}))`.execute(trx);
      const any = await trx.selectFrom("incidents").select("id").limit(1).executeTakeFirst();
      if (any) return { imported: false, counts };
    }
    await insertAll(trx, "incidents", incidents);
    await insertAll(trx, "alerts", alerts);
    await insertAll(trx, "timeline", timeline);
    await insertAll(trx, "action_items", actionItems);
    await insertAll(trx, "reviews", reviews);
    await insertAll(trx, "oncall_schedules", schedules);
    await insertAll(trx, "oncall_overrides", overrides);
    await insertAll(trx, "maintenance_windows", maintenance);
    return { imported: true, counts };
  });
}

/**
 * Incidents: listing, one incident with its timeline, the lifecycle
 * (triggered -> acknowledged -> mitigated -> resolved -> reviewed; resolve from any open
 * status) and the fields people and the policy set (priority, assignee, commander, war room,
 * escalation). Every change writes a timeline entry in the same transaction.
 */
import type { Kysely } from "kysely";
import {
  INCIDENT_STATUSES,
  type ActionItem,
  type Alert,
  type Incident,
  type IncidentStatus,
  type Priority,
  type TimelineEntry,
  type TimelineKind,
} from "../incident/types.js";
import { writeTx, type StoreDb } from "./db.js";
import {
  InvalidTransitionError,
  NotFoundError,
  StoreValidationError,
  actionItemFromRow,
  alertFromRow,
  incidentFromRow,
  newId,
} from "./rows.js";
import type { Database, IncidentsTable } from "./schema.js";
import { appendTimelineIn, listTimeline } from "./timeline.js";
import { cancelTimersIn } from "./timers.js";
import { validatePriority } from "./validate.js";

/** Which statuses a person may move an incident to, from each status. */
export const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  triggered: ["acknowledged", "resolved"],
  acknowledged: ["mitigated", "resolved"],
  mitigated: ["resolved"],
  resolved: ["reviewed"],
  reviewed: [],
};

const STAMP: Partial<Record<IncidentStatus, keyof IncidentsTable>> = {
  acknowledged: "acknowledged_at",
  mitigated: "mitigated_at",
  resolved: "resolved_at",
  reviewed: "reviewed_at",
};

export interface IncidentFilter {
  status?: IncidentStatus[];
  priority?: Priority[];
  service?: string;
  groupKey?: string;
  /** created_at >= since (epoch ms). */
  since?: number;
  /** created_at < until (epoch ms). */
  until?: number;
}

export interface Paging {
  /** Default 50, at most 1000. */
  limit?: number;
  offset?: number;
}

export interface IncidentPage {
  items: Incident[];
  total: number;
}

/** Incidents matching the filter, newest first, with the total count. */
export async function listIncidents(
  store: StoreDb,
  filter: IncidentFilter = {},
  paging: Paging = {},
): Promise<IncidentPage> {
  const limit = Math.min(Math.max(1, Math.floor(paging.limit ?? 50)), 1000);
  const offset = Math.max(0, Math.floor(paging.offset ?? 0));
  let q = store.db.selectFrom("incidents");
  if (filter.status?.length) q = q.where("status", "in", filter.status);
  if (filter.priority?.length) q = q.where("priority", "in", filter.priority);
  if (filter.service !== undefined) q = q.where("service", "=", filter.service);
  if (filter.groupKey !== undefined) q = q.where("group_key", "=", filter.groupKey);
  if (filter.since !== undefined) q = q.where("created_at", ">=", filter.since);
  if (filter.until !== undefined) q = q.where("created_at", "<", filter.until);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).offset(offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(incidentFromRow), total: Number(count.n) };
}

export interface IncidentDetail {
  incident: Incident;
  /** Oldest first. */
  timeline: TimelineEntry[];
  alerts: Alert[];
  actionItems: ActionItem[];
}

export async function getIncident(store: StoreDb, id: string): Promise<IncidentDetail | undefined> {
  const row = await store.db.selectFrom("incidents").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return undefined;
  const [timeline, alerts, items] = await Promise.all([
    listTimeline(store, id),
    store.db.selectFrom("alerts").selectAll().where("incident_id", "=", id).orderBy("starts_at").execute(),
    store.db
      .selectFrom("action_items")
      .selectAll()
      .where("incident_id", "=", id)
      .orderBy("created_at")
      .execute(),
  ]);
  return {
    incident: incidentFromRow(row),
    timeline,
    alerts: alerts.map(alertFromRow),
    actionItems: items.map(actionItemFromRow),
  };
}

async function load(trx: Kysely<Database>, id: string): Promise<IncidentsTable> {
  const row = await trx.selectFrom("incidents").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError("incident", id);
  return row;
}

export interface TransitionOptions {
  now?: number;
  /** Text of the timeline entry (a note on why). */
  text?: string;
}

/**
 * Moves the incident to `to` for `actor`. Throws InvalidTransitionError (nothing changed)
 * when the lifecycle does not allow it, NotFoundError when there is no such incident.
 * Resolving cancels pending escalation timers.
 */
export async function transition(
  store: StoreDb,
  id: string,
  to: IncidentStatus,
  actor: string,
  options: TransitionOptions = {},
): Promise<Incident> {
  if (!INCIDENT_STATUSES.includes(to))
    throw new StoreValidationError("status", `unknown status ${String(to)}`);
  if (typeof actor !== "string" || !actor)
    throw new StoreValidationError("actor", "must be a non-empty string");
  const now = options.now ?? Date.now();
  return writeTx(store, async (trx) => {
    const row = await load(trx, id);
    const from = row.status as IncidentStatus;
    const allowed = TRANSITIONS[from];
    if (!allowed.includes(to)) throw new InvalidTransitionError(id, from, to, allowed);
    const stamp = STAMP[to];
    const set: Partial<IncidentsTable> = { status: to, updated_at: now };
    if (stamp) (set as Record<string, unknown>)[stamp] = now;
    if (to === "resolved") set.escalation_due_at = null;
    const r = await trx
      .updateTable("incidents")
      .set(set)
      .where("id", "=", id)
      .where("status", "=", from)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new InvalidTransitionError(id, from, to, allowed);
    if (to === "resolved") await cancelTimersIn(trx, id, now);
    await appendTimelineIn(trx, {
      incidentId: id,
      at: now,
      kind: to as TimelineKind,
      actor,
      text: options.text ?? `${to} by ${actor}`,
      data: { from, to },
    });
    return incidentFromRow({ ...row, ...set } as IncidentsTable);
  });
}

/** The fields people and the policy change outside the lifecycle. */
export interface IncidentPatch {
  title?: string;
  priority?: Priority;
  /** Default true when `priority` is set by a person; the policy passes false. */
  priorityOverridden?: boolean;
  assignee?: string | null;
  commander?: string | null;
  warRoom?: string | null;
  escalationLevel?: number;
  escalationDueAt?: number | null;
}

function patchSet(
  row: IncidentsTable,
  p: IncidentPatch,
): { set: Partial<IncidentsTable>; entries: [TimelineKind, string][] } {
  const set: Partial<IncidentsTable> = {};
  const entries: [TimelineKind, string][] = [];
  if (p.title !== undefined && p.title !== row.title) set.title = p.title;
  if (p.priority !== undefined) {
    validatePriority(p.priority, "priority");
    if (p.priority !== row.priority) entries.push(["priority", `priority ${row.priority} -> ${p.priority}`]);
    set.priority = p.priority;
    set.priority_overridden = (p.priorityOverridden ?? true) ? 1 : 0;
  }
  const people: [keyof IncidentPatch, keyof IncidentsTable, string][] = [
    ["assignee", "assignee", "assignee"],
    ["commander", "commander", "incident commander"],
    ["warRoom", "war_room", "war room"],
  ];
  for (const [k, col, label] of people) {
    const v = p[k] as string | null | undefined;
    if (v === undefined || v === row[col]) continue;
    (set as Record<string, unknown>)[col] = v;
    entries.push(["assigned", v === null ? `${label} cleared` : `${label}: ${v}`]);
  }
  if (p.escalationLevel !== undefined && p.escalationLevel !== row.escalation_level) {
    set.escalation_level = p.escalationLevel;
    if (p.escalationLevel > row.escalation_level)
      entries.push(["escalated", `escalated to level ${p.escalationLevel}`]);
  }
  if (p.escalationDueAt !== undefined) set.escalation_due_at = p.escalationDueAt;
  return { set, entries };
}

/** Applies a patch and writes a timeline entry per visible change; returns the incident after. */
export async function updateIncident(
  store: StoreDb,
  id: string,
  patch: IncidentPatch,
  actor: string,
  options: { now?: number } = {},
): Promise<Incident> {
  const now = options.now ?? Date.now();
  return writeTx(store, async (trx) => {
    const row = await load(trx, id);
    const { set, entries } = patchSet(row, patch);
    if (Object.keys(set).length === 0) return incidentFromRow(row);
    set.updated_at = now;
    await trx.updateTable("incidents").set(set).where("id", "=", id).execute();
    for (const [kind, text] of entries)
      await appendTimelineIn(trx, { incidentId: id, at: now, kind, actor, text });
    return incidentFromRow({ ...row, ...set });
  });
}

export interface ActionItemInput {
  incidentId: string;
  title: string;
  owner?: string;
  dueAt?: number;
  runbook?: string;
}

export async function addActionItem(
  store: StoreDb,
  item: ActionItemInput,
  now = Date.now(),
): Promise<ActionItem> {
  if (typeof item.title !== "string" || !item.title)
    throw new StoreValidationError("title", "must be a non-empty string");
  const row = {
    id: newId("ai"),
    incident_id: item.incidentId,
    title: item.title,
    owner: item.owner ?? null,
    due_at: item.dueAt ?? null,
    runbook: item.runbook ?? null,
    created_at: now,
    closed_at: null,
  };
  await writeTx(store, async (trx) => {
    await load(trx, item.incidentId);
    await trx.insertInto("action_items").values(row).execute();
  });
  return actionItemFromRow(row);
}

export async function closeActionItem(store: StoreDb, id: string, now = Date.now()): Promise<boolean> {
  const r = await store.db
    .updateTable("action_items")
    .set({ closed_at: now })
    .where("id", "=", id)
    .where("closed_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Open action items (all, or those naming a runbook), oldest first. */
export async function listOpenActionItems(
  store: StoreDb,
  options: { runbookOnly?: boolean } = {},
): Promise<ActionItem[]> {
  let q = store.db.selectFrom("action_items").selectAll().where("closed_at", "is", null);
  if (options.runbookOnly) q = q.where("runbook", "is not", null);
  const rows = await q.orderBy("created_at").execute();
  return rows.map(actionItemFromRow);
}

export interface Review {
  incidentId: string;
  body: string;
  data?: unknown;
  createdAt: number;
  updatedAt: number;
}

/** Stores (or replaces) the review document of an incident. */
export async function saveReview(
  store: StoreDb,
  r: { incidentId: string; body: string; data?: unknown },
  now = Date.now(),
): Promise<Review> {
  return writeTx(store, async (trx) => {
    await load(trx, r.incidentId);
    const data = r.data === undefined ? null : JSON.stringify(r.data);
    const existing = await trx
      .selectFrom("reviews")
      .select("created_at")
      .where("incident_id", "=", r.incidentId)
      .executeTakeFirst();
    if (existing)
      await trx
        .updateTable("reviews")
        .set({ body: r.body, data, updated_at: now })
        .where("incident_id", "=", r.incidentId)
        .execute();
    else
      await trx
        .insertInto("reviews")
        .values({ incident_id: r.incidentId, body: r.body, data, created_at: now, updated_at: now })
        .execute();
    const out: Review = {
      incidentId: r.incidentId,
      body: r.body,
      createdAt: existing?.created_at ?? now,
      updatedAt: now,
    };
    if (r.data !== undefined) out.data = r.data;
    return out;
  });
}

export async function getReview(store: StoreDb, incidentId: string): Promise<Review | undefined> {
  const row = await store.db
    .selectFrom("reviews")
    .selectAll()
    .where("incident_id", "=", incidentId)
    .executeTakeFirst();
  if (!row) return undefined;
  const out: Review = {
    incidentId: row.incident_id,
    body: row.body,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.data !== null) out.data = JSON.parse(row.data) as unknown;
  return out;
}

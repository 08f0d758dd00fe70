/**
 * Alert intake: one batch, ONE transaction. Alerts are deduplicated by fingerprint, firing
 * alerts open (or join) the open incident of their group key, resolved alerts resolve the
 * incident once none of its alerts fires (by policy flag), and a re-delivered payload changes
 * nothing. The caller answers the sender only after this resolves (the commit happened).
 */
import { sql, type Kysely } from "kysely";
import { PRIORITIES, type Incident, type Priority } from "../incident/types.js";
import { writeTx, type StoreDb } from "./db.js";
import { OPEN_STATUSES } from "./migrations.js";
import { incidentFromRow, newId } from "./rows.js";
import type { AlertsTable, Database, IncidentsTable, TimelineTable } from "./schema.js";
import { timelineRow, type TimelineInput } from "./timeline.js";
import { cancelTimersIn } from "./timers.js";
import { validateAlerts, type AlertInput } from "./validate.js";

/** What a new incident looks like; the policy decides it from the group's alerts. */
export interface IncidentDraft {
  title: string;
  priority: Priority;
  service?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export interface IngestOptions {
  /** Epoch ms of the ingest (tests set it). Default Date.now(). */
  now?: number;
  /** Resolve an incident when none of its alerts fires any more. Default true. */
  resolveWhenAllAlertsResolved?: boolean;
  /**
   * Reopen a resolved (not yet reviewed) incident of the same group when an alert of the group
   * fires again within this many ms of its resolution. Default: never (a new incident opens).
   */
  reopenWithinMs?: number;
  /** Builds a new incident from the firing alerts of its group. Default: {@link defaultDraft}. */
  draft?: (group: { groupKey: string; alerts: AlertInput[] }) => IncidentDraft;
  /** The actor of timeline entries. Default: the alert's source. */
  actor?: string;
}

export interface IngestResult {
  /** Fingerprints, by what happened to them. */
  alerts: { created: string[]; updated: string[]; resolved: string[]; unchanged: string[] };
  /** Incidents as they are after the commit. */
  incidents: { opened: Incident[]; reopened: Incident[]; updated: Incident[]; resolved: Incident[] };
  /** False when the batch changed nothing (a re-delivery). */
  changed: boolean;
}

function severityPriority(labels: Record<string, string>): Priority {
  const p = labels["priority"]?.toUpperCase();
  if (p && (PRIORITIES as readonly string[]).includes(p)) return p as Priority;
  switch (labels["severity"]?.toLowerCase()) {
    case "critical":
    case "page":
      return "P1";
    case "error":
    case "high":
      return "P2";
    default:
      return "P3";
  }
}

/** Labels every alert of the group shares. */
function commonLabels(alerts: AlertInput[]): Record<string, string> {
  const [first, ...rest] = alerts;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first.labels)) if (rest.every((a) => a.labels[k] === v)) out[k] = v;
  return out;
}

/** The default draft: title from summary/alertname, priority from a `priority` or `severity` label. */
export function defaultDraft(group: { groupKey: string; alerts: AlertInput[] }): IncidentDraft {
  const labels = commonLabels(group.alerts);
  const first = group.alerts[0];
  const title =
    first?.annotations?.["summary"] ?? labels["alertname"] ?? first?.labels["alertname"] ?? group.groupKey;
  const d: IncidentDraft = { title, priority: severityPriority(first?.labels ?? {}), labels };
  const service = labels["service"] ?? labels["app"];
  if (service) d.service = service;
  if (labels["namespace"]) d.namespace = labels["namespace"];
  return d;
}

function sameJson(a: string, b: Record<string, string>): boolean {
  return a === JSON.stringify(b);
}

/** True when the stored row already says what `a` says, or `a` is a stale firing delivery. */
function unchanged(existing: AlertsTable, a: AlertInput, endsAt: number | null): boolean {
  // A firing delivery of an alert instance already resolved (same or older startsAt) is stale.
  if (a.status === "firing" && existing.status === "resolved" && a.startsAt <= existing.starts_at)
    return true;
  return (
    a.status === existing.status &&
    a.startsAt === existing.starts_at &&
    (a.status === "firing" || a.endsAt === undefined || endsAt === existing.ends_at) &&
    sameJson(existing.labels, a.labels) &&
    sameJson(existing.annotations, a.annotations ?? {}) &&
    (a.generatorURL ?? null) === existing.generator_url &&
    (a.suppressed ? 1 : 0) === existing.suppressed
  );
}

const CHUNK = 500;

/** Bound parameters per multi-row statement: under SQLite's historical limit of 999. */
const MAX_PARAMS = 999;

/** `rows` in slices that each fit one multi-row statement. */
function* statementChunks<T extends object>(rows: T[]): Generator<T[]> {
  if (!rows.length) return;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0] as object).length));
  for (let i = 0; i < rows.length; i += per) yield rows.slice(i, i + per);
}

class Ingestion {
  readonly result: IngestResult = {
    alerts: { created: [], updated: [], resolved: [], unchanged: [] },
    incidents: { opened: [], reopened: [], updated: [], resolved: [] },
    changed: false,
  };
  private readonly alerts = new Map<string, AlertsTable>();
  private readonly openByGroup = new Map<string, string>();
  private readonly opened = new Set<string>();
  private readonly reopened = new Set<string>();
  private readonly touched = new Set<string>();
  /**
   * Writes are buffered in the order they happen and flushed as multi-row statements before
   * anything reads them back (incidents first: alerts and timeline entries refer to them).
   * Ids are drawn when an entry is buffered, so the stored rows are the ones the old
   * statement-per-row code wrote.
   */
  private readonly newIncidents: IncidentsTable[] = [];
  private readonly newAlerts = new Map<string, AlertsTable>();
  private readonly changedAlerts = new Map<string, AlertsTable>();
  private readonly newTimeline: TimelineTable[] = [];
  private readonly now: number;

  constructor(
    private readonly trx: Kysely<Database>,
    private readonly batch: AlertInput[],
    private readonly options: IngestOptions,
  ) {
    this.now = options.now ?? Date.now();
  }

  async run(): Promise<IngestResult> {
    await this.load();
    for (const a of this.batch) await this.one(a);
    await this.flush();
    await this.resolveFinished();
    await this.flush();
    await this.collect();
    return this.result;
  }

  private async load(): Promise<void> {
    const fps = [...new Set(this.batch.map((a) => a.fingerprint))];
    for (let i = 0; i < fps.length; i += CHUNK) {
      const rows = await this.trx
        .selectFrom("alerts")
        .selectAll()
        .where("fingerprint", "in", fps.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) this.alerts.set(r.fingerprint, r);
    }
    const groups = [
      ...new Set([
        ...this.batch.map((a) => a.groupKey),
        ...[...this.alerts.values()].map((a) => a.group_key),
      ]),
    ];
    for (let i = 0; i < groups.length; i += CHUNK) {
      const rows = await this.trx
        .selectFrom("incidents")
        .select(["id", "group_key"])
        .where("group_key", "in", groups.slice(i, i + CHUNK))
        .where("status", "in", [...OPEN_STATUSES])
        .execute();
      for (const r of rows) this.openByGroup.set(r.group_key, r.id);
    }
  }

  private actor(a: AlertInput): string {
    return this.options.actor ?? a.source;
  }

  private async one(a: AlertInput): Promise<void> {
    const existing = this.alerts.get(a.fingerprint);
    if (!existing) return this.create(a);
    const endsAt = a.status === "resolved" ? (a.endsAt ?? this.now) : null;
    if (unchanged(existing, a, endsAt)) {
      this.result.alerts.unchanged.push(a.fingerprint);
      return;
    }
    const row: AlertsTable = {
      ...existing,
      status: a.status,
      labels: JSON.stringify(a.labels),
      annotations: JSON.stringify(a.annotations ?? {}),
      starts_at: a.startsAt,
      ends_at: endsAt,
      generator_url: a.generatorURL ?? null,
      suppressed: a.suppressed ? 1 : 0,
      received_at: a.receivedAt ?? this.now,
      updated_at: this.now,
    };
    const statusChanged = a.status !== existing.status;
    if (statusChanged && a.status === "firing" && !a.suppressed) {
      const current = row.incident_id && this.openByGroup.get(row.group_key) === row.incident_id;
      if (!current) row.incident_id = await this.attach(row.group_key, a);
    }
    // An alert created earlier in this batch is still to be inserted: insert its latest state.
    if (this.newAlerts.has(a.fingerprint)) this.newAlerts.set(a.fingerprint, row);
    else this.changedAlerts.set(a.fingerprint, row);
    this.alerts.set(a.fingerprint, row);
    this.result.changed = true;
    if (statusChanged && a.status === "resolved") this.result.alerts.resolved.push(a.fingerprint);
    else this.result.alerts.updated.push(a.fingerprint);
    if (statusChanged && row.incident_id) {
      this.touched.add(row.incident_id);
      this.note(row.incident_id, a, a.status === "resolved" ? "resolved" : "firing again");
    }
  }

  private async create(a: AlertInput): Promise<void> {
    let incidentId: string | null = null;
    if (!a.suppressed) {
      incidentId =
        a.status === "firing" ? await this.attach(a.groupKey, a) : (this.openByGroup.get(a.groupKey) ?? null);
    }
    const row: AlertsTable = {
      fingerprint: a.fingerprint,
      status: a.status,
      labels: JSON.stringify(a.labels),
      annotations: JSON.stringify(a.annotations ?? {}),
      starts_at: a.startsAt,
      ends_at: a.status === "resolved" ? (a.endsAt ?? this.now) : null,
      generator_url: a.generatorURL ?? null,
      source: a.source,
      group_key: a.groupKey,
      incident_id: incidentId,
      suppressed: a.suppressed ? 1 : 0,
      received_at: a.receivedAt ?? this.now,
      updated_at: this.now,
    };
    this.newAlerts.set(a.fingerprint, row);
    this.alerts.set(a.fingerprint, row);
    this.result.alerts.created.push(a.fingerprint);
    this.result.changed = true;
    if (incidentId) {
      this.touched.add(incidentId);
      this.note(incidentId, a, a.status);
    }
  }

  private note(incidentId: string, a: AlertInput, what: string): void {
    const name = a.labels["alertname"] ?? a.fingerprint;
    this.timeline({
      incidentId,
      at: this.now,
      kind: "alert",
      actor: this.actor(a),
      text: `${name} ${what}`,
      data: { fingerprint: a.fingerprint, status: a.status },
    });
  }

  /** The open incident of the group: the current one, a reopened one, or a new one. */
  private async attach(groupKey: string, a: AlertInput): Promise<string> {
    const open = this.openByGroup.get(groupKey);
    if (open) return open;
    const reopened = await this.reopen(groupKey, a);
    if (reopened) return reopened;
    const group = this.batch.filter((b) => b.groupKey === groupKey && b.status === "firing" && !b.suppressed);
    const draft = (this.options.draft ?? defaultDraft)({ groupKey, alerts: group.length ? group : [a] });
    const row: IncidentsTable = {
      id: newId("inc"),
      title: draft.title,
      priority: draft.priority,
      priority_overridden: 0,
      status: "triggered",
      group_key: groupKey,
      service: draft.service ?? null,
      namespace: draft.namespace ?? null,
      labels: JSON.stringify(draft.labels ?? {}),
      created_at: this.now,
      acknowledged_at: null,
      mitigated_at: null,
      resolved_at: null,
      reviewed_at: null,
      assignee: null,
      commander: null,
      war_room: null,
      escalation_due_at: null,
      escalation_level: 0,
      updated_at: this.now,
    };
    this.newIncidents.push(row);
    this.timeline({
      incidentId: row.id,
      at: this.now,
      kind: "triggered",
      actor: this.actor(a),
      text: `${draft.priority} ${draft.title}`,
      data: { groupKey },
    });
    this.openByGroup.set(groupKey, row.id);
    this.opened.add(row.id);
    return row.id;
  }

  private async reopen(groupKey: string, a: AlertInput): Promise<string | undefined> {
    const within = this.options.reopenWithinMs;
    if (within === undefined) return undefined;
    const last = await this.trx
      .selectFrom("incidents")
      .select(["id"])
      .where("group_key", "=", groupKey)
      .where("status", "=", "resolved")
      .where("resolved_at", ">=", this.now - within)
      .orderBy("resolved_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!last) return undefined;
    await this.trx
      .updateTable("incidents")
      .set({ status: "triggered", resolved_at: null, updated_at: this.now })
      .where("id", "=", last.id)
      .execute();
    this.timeline({
      incidentId: last.id,
      at: this.now,
      kind: "reopened",
      actor: this.actor(a),
      text: `reopened: ${a.labels["alertname"] ?? a.fingerprint} fired again`,
    });
    this.openByGroup.set(groupKey, last.id);
    this.reopened.add(last.id);
    return last.id;
  }

  private async resolveFinished(): Promise<void> {
    if (this.options.resolveWhenAllAlertsResolved === false) return;
    const touched = [...this.touched];
    // The rows of this batch's alerts are as stored now: an incident one of them fires for needs
    // no query. Only the others are counted, in one grouped query per chunk.
    const firing = new Set<string>();
    for (const row of this.alerts.values())
      if (row.status === "firing" && row.incident_id) firing.add(row.incident_id);
    const unknown = touched.filter((id) => !firing.has(id));
    for (let i = 0; i < unknown.length; i += CHUNK) {
      const rows = await this.trx
        .selectFrom("alerts")
        .select("incident_id")
        .where("incident_id", "in", unknown.slice(i, i + CHUNK))
        .where("status", "=", "firing")
        .groupBy("incident_id")
        .execute();
      for (const r of rows) if (r.incident_id) firing.add(r.incident_id);
    }
    for (const id of touched) {
      if (firing.has(id)) continue;
      const done = await this.trx
        .updateTable("incidents")
        .set({ status: "resolved", resolved_at: this.now, escalation_due_at: null, updated_at: this.now })
        .where("id", "=", id)
        .where("status", "in", [...OPEN_STATUSES])
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) continue;
      await cancelTimersIn(this.trx, id, this.now);
      this.timeline({
        incidentId: id,
        at: this.now,
        kind: "resolved",
        actor: this.options.actor ?? "day2",
        text: "all alerts resolved",
      });
      for (const [k, v] of this.openByGroup) if (v === id) this.openByGroup.delete(k);
    }
  }

  private timeline(e: TimelineInput): void {
    this.newTimeline.push(timelineRow(e));
  }

  /** Writes the buffered rows: new incidents, new alerts, changed alerts, timeline entries. */
  private async flush(): Promise<void> {
    for (const rows of statementChunks(this.newIncidents.splice(0)))
      await this.trx.insertInto("incidents").values(rows).execute();
    for (const rows of statementChunks([...this.newAlerts.values()]))
      await this.trx.insertInto("alerts").values(rows).execute();
    this.newAlerts.clear();
    // Existing alerts (locked FOR UPDATE on PostgreSQL): one upsert per chunk in which every row
    // conflicts, so each becomes an UPDATE of the columns an update rewrites (not source or
    // group_key, which stay as first stored).
    for (const rows of statementChunks([...this.changedAlerts.values()])) {
      await this.trx
        .insertInto("alerts")
        .values(rows)
        .onConflict((oc) =>
          oc.column("fingerprint").doUpdateSet((eb) => ({
            status: eb.ref("excluded.status"),
            labels: eb.ref("excluded.labels"),
            annotations: eb.ref("excluded.annotations"),
            starts_at: eb.ref("excluded.starts_at"),
            ends_at: eb.ref("excluded.ends_at"),
            generator_url: eb.ref("excluded.generator_url"),
            suppressed: eb.ref("excluded.suppressed"),
            received_at: eb.ref("excluded.received_at"),
            updated_at: eb.ref("excluded.updated_at"),
            incident_id: eb.ref("excluded.incident_id"),
          })),
        )
        .execute();
    }
    this.changedAlerts.clear();
    for (const rows of statementChunks(this.newTimeline.splice(0)))
      await this.trx.insertInto("timeline").values(rows).execute();
  }

  private async collect(): Promise<void> {
    const ids = [...new Set([...this.touched, ...this.opened, ...this.reopened])];
    if (!ids.length) return;
    const rows = await this.trx.selectFrom("incidents").selectAll().where("id", "in", ids).execute();
    for (const r of rows) {
      const inc = incidentFromRow(r);
      if (this.opened.has(r.id)) this.result.incidents.opened.push(inc);
      else if (this.reopened.has(r.id)) this.result.incidents.reopened.push(inc);
      else if (inc.status === "resolved") this.result.incidents.resolved.push(inc);
      else this.result.incidents.updated.push(inc);
    }
  }
}

/** Serialises concurrent ingests of the same groups on PostgreSQL (one open incident per group). */
async function lockGroups(trx: Kysely<Database>, batch: AlertInput[]): Promise<void> {
  const keys = [...new Set(batch.map((a) => a.groupKey))].sort();
  for (const k of keys) await sql`select pg_advisory_xact_lock(hashtext(${k}))`.execute(trx);
}

/**
 * Stores a batch of alerts in one transaction and returns what changed. Throws a
 * StoreValidationError (naming the field) before writing anything when an alert is malformed;
 * any later failure rolls the whole batch back.
 */
export async function ingestAlerts(
  store: StoreDb,
  batch: unknown,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const alerts = validateAlerts(batch);
  return writeTx(store, async (trx) => {
    if (store.dialect === "postgres") {
      await lockGroups(trx, alerts);
      // Another replica may have stored some of these fingerprints under other group keys.
      const fps = [...new Set(alerts.map((a) => a.fingerprint))].sort();
      for (let i = 0; i < fps.length; i += CHUNK) {
        await trx
          .selectFrom("alerts")
          .select("fingerprint")
          .where("fingerprint", "in", fps.slice(i, i + CHUNK))
          .forUpdate()
          .execute();
      }
    }
    return new Ingestion(trx, alerts, options).run();
  });
}

/**
 * Retention: deletes rows older than a configurable age per table, in one transaction, and
 * never anything an open incident (triggered, acknowledged, mitigated) or an open action
 * item still references. An incident goes with its timeline, closed action items, review,
 * timers, notifications and dead letters; its alerts are detached (they have their own age).
 * The snapshot and findings ages govern `day2 serve`'s collection tables (collections.ts).
 */
import type { Kysely } from "kysely";
import { writeTx, type StoreDb } from "./db.js";
import { OPEN_STATUSES } from "./migrations.js";
import { pruneCollectionTables, type CollectionRetention } from "./collections.js";
import type { Database } from "./schema.js";

/**
 * Ages in ms; a table without an age is not pruned. The names are day2.yaml's
 * `incidents.retention` keys; the last four govern the collection tables.
 */
export interface RetentionPolicy {
  incidents?: number;
  alerts?: number;
  /** KPI values per run (collection_kpis). */
  kpiSnapshots?: number;
  /** Collection runs: score, coverage, counts by severity, with their KPI values and costs (collection_runs). */
  scanSnapshots?: number;
  /** Cost summaries per run (collection_costs). */
  costSnapshots?: number;
  /** Sent notifications and dead letters not tied to an open incident. */
  notifications?: number;
  /** Fixed findings, by fixed_at (collection_findings); open findings are never pruned. */
  findings?: number;
}

/** Rows deleted per part; the snapshot and findings counts are of the collection tables. */
export type PruneCounts = Record<
  | "incidents"
  | "alerts"
  | "timeline"
  | "kpiSnapshots"
  | "scanSnapshots"
  | "costSnapshots"
  | "notifications"
  | "findings",
  number
>;

/** The collection tables' ages from the retention keys (scanSnapshots ages a run with its rows). */
export function collectionRetention(policy: RetentionPolicy): CollectionRetention {
  const out: CollectionRetention = {};
  if (policy.scanSnapshots !== undefined) out.runs = policy.scanSnapshots;
  if (policy.kpiSnapshots !== undefined) out.kpis = policy.kpiSnapshots;
  if (policy.costSnapshots !== undefined) out.costs = policy.costSnapshots;
  if (policy.findings !== undefined) out.fixedFindings = policy.findings;
  return out;
}

const CHUNK = 500;

/** Closed incidents older than the cutoff, with no open action item. */
async function prunableIncidents(trx: Kysely<Database>, cutoff: number): Promise<string[]> {
  const rows = await trx
    .selectFrom("incidents")
    .select("id")
    .where("status", "not in", [...OPEN_STATUSES])
    .where((eb) => eb(eb.fn.coalesce("resolved_at", "created_at"), "<", cutoff))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("action_items")
            .select("action_items.id")
            .whereRef("action_items.incident_id", "=", "incidents.id")
            .where("action_items.closed_at", "is", null),
        ),
      ),
    )
    .execute();
  return rows.map((r) => r.id);
}

async function deleteIncidents(trx: Kysely<Database>, ids: string[], counts: PruneCounts): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    await trx.updateTable("alerts").set({ incident_id: null }).where("incident_id", "in", chunk).execute();
    const tl = await trx.deleteFrom("timeline").where("incident_id", "in", chunk).executeTakeFirst();
    counts.timeline += Number(tl.numDeletedRows);
    for (const table of [
      "action_items",
      "reviews",
      "escalation_timers",
      "notifications",
      "dead_letters",
    ] as const)
      await trx.deleteFrom(table).where("incident_id", "in", chunk).execute();
    const inc = await trx.deleteFrom("incidents").where("id", "in", chunk).executeTakeFirst();
    counts.incidents += Number(inc.numDeletedRows);
  }
}

/** Alerts received before the cutoff that are resolved and not part of an open incident. */
async function pruneAlerts(trx: Kysely<Database>, cutoff: number): Promise<number> {
  const r = await trx
    .deleteFrom("alerts")
    .where("received_at", "<", cutoff)
    .where("status", "=", "resolved")
    .where((eb) =>
      eb.or([
        eb("incident_id", "is", null),
        eb.not(
          eb.exists(
            eb
              .selectFrom("incidents")
              .select("incidents.id")
              .whereRef("incidents.id", "=", "alerts.incident_id")
              .where((e) =>
                e.or([
                  e("incidents.status", "in", [...OPEN_STATUSES]),
                  e.exists(
                    e
                      .selectFrom("action_items")
                      .select("action_items.id")
                      .whereRef("action_items.incident_id", "=", "incidents.id")
                      .where("action_items.closed_at", "is", null),
                  ),
                ]),
              ),
          ),
        ),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

async function pruneNotifications(trx: Kysely<Database>, cutoff: number): Promise<number> {
  const openIncident = () =>
    trx
      .selectFrom("incidents")
      .select("incidents.id")
      .where("incidents.status", "in", [...OPEN_STATUSES]);
  const n = await trx
    .deleteFrom("notifications")
    .where("created_at", "<", cutoff)
    .where("status", "in", ["sent", "dead"])
    .where((eb) => eb.or([eb("incident_id", "is", null), eb("incident_id", "not in", openIncident())]))
    .executeTakeFirst();
  const d = await trx
    .deleteFrom("dead_letters")
    .where("at", "<", cutoff)
    .where((eb) => eb.or([eb("incident_id", "is", null), eb("incident_id", "not in", openIncident())]))
    .executeTakeFirst();
  return Number(n.numDeletedRows) + Number(d.numDeletedRows);
}

/** Prunes by age (ms before `now`); returns how many rows went per table. */
export async function prune(store: StoreDb, policy: RetentionPolicy, now = Date.now()): Promise<PruneCounts> {
  const counts: PruneCounts = {
    incidents: 0,
    alerts: 0,
    timeline: 0,
    kpiSnapshots: 0,
    scanSnapshots: 0,
    costSnapshots: 0,
    notifications: 0,
    findings: 0,
  };
  await writeTx(store, async (trx) => {
    if (policy.incidents !== undefined)
      await deleteIncidents(trx, await prunableIncidents(trx, now - policy.incidents), counts);
    if (policy.alerts !== undefined) counts.alerts = await pruneAlerts(trx, now - policy.alerts);
    if (policy.notifications !== undefined)
      counts.notifications = await pruneNotifications(trx, now - policy.notifications);
    const c = await pruneCollectionTables(trx, collectionRetention(policy), now);
    counts.scanSnapshots = c.runs;
    counts.kpiSnapshots = c.kpis;
    counts.costSnapshots = c.costs;
    counts.findings = c.findings;
  });
  return counts;
}

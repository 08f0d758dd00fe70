/**
 * The store: incidents, alerts, timeline, tokens, timers, notifications, on-call, maintenance,
 * rhythm sign-offs and reports, and `day2 serve`'s collections (collections.ts) on SQLite (one
 * process) or PostgreSQL (several replicas). Open it with `Store.open(target)`: migrations run
 * on open. Every method takes and returns plain data.
 * See README.md beside this file for the schema, durability settings and locking.
 */
import type { Incident, IncidentStatus, TimelineEntry, ActionItem } from "../incident/types.js";
import { openDatabase, type Dialect, type OpenOptions, type StoreDb } from "./db.js";
import * as incidents from "./incidents.js";
import * as history from "./history.js";
import { ingestAlerts, type IngestOptions, type IngestResult } from "./ingest.js";
import { appliedMigrations, knownMigrations, migrateToLatest, type MigrationOutcome } from "./migrations.js";
import * as outbox from "./outbox.js";
import * as planning from "./planning.js";
import { prune, type PruneCounts, type RetentionPolicy } from "./retention.js";
import { appendTimeline, listTimeline, type TimelineInput } from "./timeline.js";
import * as timers from "./timers.js";
import * as tokens from "./tokens.js";

export { StoreValidationError, InvalidTransitionError, NotFoundError } from "./rows.js";
export { TRANSITIONS } from "./incidents.js";
export { OPEN_STATUSES } from "./migrations.js";
export { TOKEN_ROLES, hashToken } from "./tokens.js";
export { defaultDraft } from "./ingest.js";
export { SQLITE_DEFAULTS, isPostgresUrl } from "./db.js";
export type { Dialect, OpenOptions } from "./db.js";
export type { IngestOptions, IngestResult, IncidentDraft } from "./ingest.js";
export type { AlertInput } from "./validate.js";
export type {
  IncidentFilter,
  Paging,
  IncidentPage,
  IncidentDetail,
  IncidentPatch,
  ActionItemInput,
  Review,
} from "./incidents.js";
export type { TimelineInput } from "./timeline.js";
export type { ApiToken, TokenRole } from "./tokens.js";
export type { EscalationTimer, ClaimOptions } from "./timers.js";
export type { RetentionPolicy, PruneCounts } from "./retention.js";
export type { OutboxNotification, DeadLetterInput } from "./outbox.js";
export type { StoredSchedule, OncallOverride, MaintenanceWindow } from "./planning.js";
export type { MigrationOutcome } from "./migrations.js";
export type {
  HistoryImport,
  HistoryImportOptions,
  HistoryImportResult,
  HistoryCounts,
  HistoryActionItem,
  HistoryReview,
  HistorySchedule,
  HistoryOverride,
  HistoryMaintenanceWindow,
} from "./history.js";

export interface StoreOpenOptions extends OpenOptions {
  /** Run migrations on open. Default true. */
  migrate?: boolean;
  /** Where a migration's notes go (e.g. a legacy table kept). Default: a process warning. */
  log?: (message: string) => void;
}

export class Store {
  private constructor(
    /** The database handle, for the few callers that need Kysely directly (tests, benchmarks). */
    readonly raw: StoreDb,
  ) {}

  /** Opens a SQLite file path (or ":memory:") or a postgres:// URL and migrates it to the latest schema. */
  static async open(target: string, options: StoreOpenOptions = {}): Promise<Store> {
    const raw = openDatabase(target, options);
    if (options.migrate !== false) {
      try {
        const { notes } = await migrateToLatest(raw);
        const log = options.log ?? ((m: string) => process.emitWarning(m, { code: "D2_STORE_MIGRATION" }));
        for (const note of notes) log(note);
      } catch (error) {
        await raw.close();
        throw error;
      }
    }
    return new Store(raw);
  }

  get dialect(): Dialect {
    return this.raw.dialect;
  }

  close(): Promise<void> {
    return this.raw.close();
  }

  migrate(): Promise<MigrationOutcome> {
    return migrateToLatest(this.raw);
  }

  /** Whether the database answers and every known migration is applied. */
  async readiness(): Promise<{ ready: boolean; reason?: string }> {
    try {
      const applied = await appliedMigrations(this.raw);
      const missing = knownMigrations(this.raw.dialect).filter((m) => !applied.includes(m));
      return missing.length
        ? { ready: false, reason: `migrations not applied: ${missing.join(", ")}` }
        : { ready: true };
    } catch (error) {
      return { ready: false, reason: (error as Error).message };
    }
  }

  // alerts and incidents
  ingestAlerts(batch: unknown, options?: IngestOptions): Promise<IngestResult> {
    return ingestAlerts(this.raw, batch, options);
  }
  listIncidents(
    filter?: incidents.IncidentFilter,
    paging?: incidents.Paging,
  ): Promise<incidents.IncidentPage> {
    return incidents.listIncidents(this.raw, filter, paging);
  }
  getIncident(id: string): Promise<incidents.IncidentDetail | undefined> {
    return incidents.getIncident(this.raw, id);
  }
  transition(
    id: string,
    to: IncidentStatus,
    actor: string,
    options?: incidents.TransitionOptions,
  ): Promise<Incident> {
    return incidents.transition(this.raw, id, to, actor, options);
  }
  updateIncident(
    id: string,
    patch: incidents.IncidentPatch,
    actor: string,
    options?: { now?: number },
  ): Promise<Incident> {
    return incidents.updateIncident(this.raw, id, patch, actor, options);
  }
  appendTimeline(entry: TimelineInput): Promise<TimelineEntry> {
    return appendTimeline(this.raw, entry);
  }
  listTimeline(incidentId: string): Promise<TimelineEntry[]> {
    return listTimeline(this.raw, incidentId);
  }
  addActionItem(item: incidents.ActionItemInput, now?: number): Promise<ActionItem> {
    return incidents.addActionItem(this.raw, item, now);
  }
  closeActionItem(id: string, now?: number): Promise<boolean> {
    return incidents.closeActionItem(this.raw, id, now);
  }
  listOpenActionItems(options?: { runbookOnly?: boolean }): Promise<ActionItem[]> {
    return incidents.listOpenActionItems(this.raw, options);
  }
  saveReview(
    r: { incidentId: string; body: string; data?: unknown },
    now?: number,
  ): Promise<incidents.Review> {
    return incidents.saveReview(this.raw, r, now);
  }
  getReview(incidentId: string): Promise<incidents.Review | undefined> {
    return incidents.getReview(this.raw, incidentId);
  }

  // tokens
  createToken(
    input: { name: string; role: tokens.TokenRole },
    now?: number,
  ): Promise<{ token: string; record: tokens.ApiToken }> {
    return tokens.createToken(this.raw, input, now);
  }
  verifyToken(token: string, now?: number): Promise<tokens.ApiToken | undefined> {
    return tokens.verifyToken(this.raw, token, now);
  }
  listTokens(): Promise<tokens.ApiToken[]> {
    return tokens.listTokens(this.raw);
  }
  revokeToken(id: string, now?: number): Promise<boolean> {
    return tokens.revokeToken(this.raw, id, now);
  }

  // escalation timers
  scheduleTimer(t: {
    incidentId: string;
    level: number;
    dueAt: number;
    now?: number;
  }): Promise<timers.EscalationTimer> {
    return timers.scheduleTimer(this.raw, t);
  }
  cancelTimers(incidentId: string, now?: number): Promise<number> {
    return timers.cancelTimers(this.raw, incidentId, now);
  }
  dueTimers(now?: number, limit?: number): Promise<timers.EscalationTimer[]> {
    return timers.dueTimers(this.raw, now, limit);
  }
  claimDueTimer(claimer: string, options?: timers.ClaimOptions): Promise<timers.EscalationTimer | undefined> {
    return timers.claimDueTimer(this.raw, claimer, options);
  }
  markTimerFired(id: string, claimer: string, now?: number): Promise<boolean> {
    return timers.markTimerFired(this.raw, id, claimer, now);
  }
  listTimers(incidentId: string): Promise<timers.EscalationTimer[]> {
    return timers.listTimers(this.raw, incidentId);
  }

  // notifications
  enqueueNotification(
    n: { incidentId?: string; target: string; event: string; payload: unknown },
    now?: number,
  ): Promise<outbox.OutboxNotification> {
    return outbox.enqueueNotification(this.raw, n, now);
  }
  claimNotification(
    claimer: string,
    options?: { now?: number; leaseMs?: number },
  ): Promise<outbox.OutboxNotification | undefined> {
    return outbox.claimNotification(this.raw, claimer, options);
  }
  recordNotificationAttempt(
    id: string,
    outcome: { ok: true } | { ok: false; error: string; retryAt?: number },
    now?: number,
  ): Promise<void> {
    return outbox.recordNotificationAttempt(this.raw, id, outcome, now);
  }
  recordDeadLetter(d: outbox.DeadLetterInput): Promise<string> {
    return outbox.recordDeadLetter(this.raw, d);
  }
  listDeadLetters(options?: { incidentId?: string; limit?: number }): Promise<outbox.DeadLetterInput[]> {
    return outbox.listDeadLetters(this.raw, options);
  }

  // on-call and maintenance
  putSchedule(name: string, config: unknown, now?: number): Promise<planning.StoredSchedule> {
    return planning.putSchedule(this.raw, name, config, now);
  }
  listSchedules(): Promise<planning.StoredSchedule[]> {
    return planning.listSchedules(this.raw);
  }
  addOverride(o: Omit<planning.OncallOverride, "id">, now?: number): Promise<planning.OncallOverride> {
    return planning.addOverride(this.raw, o, now);
  }
  listOverrides(scheduleId: string, from: number, to: number): Promise<planning.OncallOverride[]> {
    return planning.listOverrides(this.raw, scheduleId, from, to);
  }
  addMaintenanceWindow(
    w: Omit<planning.MaintenanceWindow, "id">,
    now?: number,
  ): Promise<planning.MaintenanceWindow> {
    return planning.addMaintenanceWindow(this.raw, w, now);
  }
  listMaintenanceWindows(at: number, until?: number): Promise<planning.MaintenanceWindow[]> {
    return planning.listMaintenanceWindows(this.raw, at, until);
  }

  // bulk import (ids and times kept, one transaction)
  importHistory(
    data: history.HistoryImport,
    options?: history.HistoryImportOptions,
  ): Promise<history.HistoryImportResult> {
    return history.importHistory(this.raw, data, options);
  }

  // retention
  prune(policy: RetentionPolicy, now?: number): Promise<PruneCounts> {
    return prune(this.raw, policy, now);
  }
}

/**
 * The server's store port (ports.ts) on the real store (src/store): names and shapes mapped,
 * store errors turned into the errors routes answer with, and the policy's decisions (priority
 * of a new incident, auto-resolve, reopen window) passed into every ingest.
 */
import type { Priority } from "../incident/types.js";
import { DEFAULT_POLICY } from "../incident/policy-config.js";
import type { Policy } from "../incident/policy-config.js";
import { priorityFor } from "../incident/policy.js";
import {
  InvalidTransitionError,
  NotFoundError,
  OPEN_STATUSES,
  Store,
  StoreValidationError,
  defaultDraft,
} from "../store/index.js";
import type { AlertInput, ApiToken, IngestOptions, IngestResult, StoreOpenOptions } from "../store/index.js";
import type { Incident, IncidentStatus } from "../incident/types.js";
import * as collections from "../store/collections.js";
import { incidentsSince } from "../incident/paging.js";
import { addRhythmSignoff } from "../store/rhythm.js";
import { listRhythmReports } from "../store/rhythm-reports.js";
import { InvalidInputError, TransitionError } from "./ports.js";
import type {
  CollectionReads,
  IncidentFilter,
  IntakeGroup,
  LifecycleAction,
  ReviewInput,
  Role,
  ServerStore,
  TokenRecord,
} from "./ports.js";

export interface AdaptedStore extends ServerStore {
  /** Alerts stored (tests and benchmarks count them). */
  countAlerts(): Promise<number>;
  /** The store itself, for what the server does not need. */
  readonly store: Store;
}

const STATUS_OF: Record<LifecycleAction, "acknowledged" | "mitigated" | "resolved"> = {
  acknowledge: "acknowledged",
  mitigate: "mitigated",
  resolve: "resolved",
};

function tokenRecord(t: ApiToken): TokenRecord {
  const r: TokenRecord = { id: t.id, name: t.name, role: t.role, createdAt: t.createdAt };
  if (t.lastUsedAt !== undefined) r.lastUsedAt = t.lastUsedAt;
  return r;
}

/** Runs a store call; a missing incident becomes undefined, a refused step a TransitionError. */
async function mapped<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    if (err instanceof InvalidTransitionError) throw new TransitionError(err.message, { cause: err });
    if (err instanceof StoreValidationError) throw new InvalidInputError(err.message, { cause: err });
    throw err;
  }
}

function reviewText(r: ReviewInput): string {
  const parts: string[] = [];
  if (r.summary) parts.push(`## Summary\n\n${r.summary}`);
  if (r.rootCause) parts.push(`## Root cause\n\n${r.rootCause}`);
  if (r.actionItems?.length)
    parts.push(
      `## Action items\n\n${r.actionItems
        .map((a) => `- ${a.title}${a.owner ? ` (${a.owner})` : ""}${a.runbook ? ` [${a.runbook}]` : ""}`)
        .join("\n")}`,
    );
  return parts.join("\n\n");
}

/** What the lifecycle engine (src/incident/engine.ts) adds around intake and status changes. */
export interface AdapterHooks {
  /** Before the intake transaction: e.g. mark alerts in a maintenance window suppressed. */
  beforeIngest?(alerts: AlertInput[]): Promise<AlertInput[]>;
  /** After the intake commit (must not throw: the data is committed). */
  afterIngest?(result: IngestResult): Promise<void>;
  /** After a status change through the API. */
  afterTransition?(
    incident: Incident,
    from: IncidentStatus | undefined,
    actor: string,
    note?: string,
  ): Promise<void>;
  /** The stored review: body, data and action items (e.g. the generated draft merged with the input). */
  review?(
    id: string,
    input: ReviewInput,
  ): Promise<{ body: string; data: unknown; actionItems: ReviewInput["actionItems"] } | undefined>;
}

export function adaptStore(
  store: Store,
  policy: Policy = DEFAULT_POLICY,
  hooks: AdapterHooks = {},
): AdaptedStore {
  const ingestOptions: IngestOptions = {
    resolveWhenAllAlertsResolved: policy.resolveWhenAllAlertsResolved,
    reopenWithinMs: policy.reopenWindow,
    draft: (group) => {
      const d = defaultDraft(group);
      // The highest priority any firing alert of the group maps to (P0 beats P1).
      let best: Priority | undefined;
      for (const a of group.alerts) {
        const p = priorityFor(a.labels, policy).priority;
        if (!best || p < best) best = p;
      }
      return { ...d, priority: best ?? d.priority };
    },
  };

  return {
    store,
    readiness: () => store.readiness(),
    async ingest(groups: IntakeGroup[]) {
      let alerts: AlertInput[] = groups.flatMap((g) => g.alerts);
      if (hooks.beforeIngest) alerts = await hooks.beforeIngest(alerts);
      const result = await mapped(() => store.ingestAlerts(alerts, ingestOptions));
      if (result?.changed && hooks.afterIngest) await hooks.afterIngest(result);
    },
    listIncidents: (f: IncidentFilter) =>
      store.listIncidents(
        { status: f.status, priority: f.priority, service: f.service },
        { limit: f.limit, offset: f.offset },
      ),
    async getIncident(id) {
      const d = await store.getIncident(id);
      return (
        d && { incident: d.incident, timeline: d.timeline, alerts: d.alerts, actionItems: d.actionItems }
      );
    },
    async transition(id, action, actor, note) {
      const from = hooks.afterTransition ? (await store.getIncident(id))?.incident.status : undefined;
      const updated = await mapped(() =>
        store.transition(id, STATUS_OF[action], actor, note ? { text: note } : {}),
      );
      if (updated && hooks.afterTransition) await hooks.afterTransition(updated, from, actor, note);
      return updated;
    },
    async addNote(id, actor, text) {
      if (!(await store.getIncident(id))) return undefined;
      return mapped(() =>
        store.appendTimeline({ incidentId: id, at: Date.now(), kind: "note", actor, text }),
      );
    },
    async review(id, actor, r) {
      const updated = await mapped(() => store.transition(id, "reviewed", actor, { text: r.summary }));
      if (!updated) return undefined;
      const drafted = hooks.review ? await hooks.review(id, r) : undefined;
      const body = drafted?.body ?? reviewText(r);
      if (body) await store.saveReview({ incidentId: id, body, data: drafted?.data ?? r });
      for (const a of drafted?.actionItems ?? r.actionItems ?? [])
        await mapped(() => store.addActionItem({ incidentId: id, ...a }));
      return updated;
    },
    async setPriority(id, priority, actor, reason) {
      const updated = await mapped(() =>
        store.updateIncident(id, { priority, priorityOverridden: true }, actor),
      );
      if (updated && reason)
        await store.appendTimeline({
          incidentId: id,
          at: Date.now(),
          kind: "note",
          actor,
          text: `priority: ${reason}`,
        });
      return updated;
    },
    async verifyToken(token) {
      const t = await store.verifyToken(token);
      return t && { tokenId: t.id, name: t.name, role: t.role };
    },
    async createToken(name: string, role: Role) {
      const created = await mapped(() => store.createToken({ name, role }));
      return { token: created!.token, record: tokenRecord(created!.record) };
    },
    listTokens: async () =>
      (await store.listTokens()).filter((t) => t.revokedAt === undefined).map(tokenRecord),
    revokeToken: (id) => store.revokeToken(id),
    async countAlerts() {
      const r = await store.raw.db
        .selectFrom("alerts")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    close: () => store.close(),
  };
}

/** Opens (and migrates) the store at a SQLite path or postgres:// URL, adapted for the server. */
export async function openServerStore(
  target: string,
  options: StoreOpenOptions & { policy?: Policy; hooks?: AdapterHooks } = {},
): Promise<AdaptedStore> {
  const { policy, hooks, ...open } = options;
  return adaptStore(await Store.open(target, open), policy, hooks);
}

/**
 * The collection reads (ports.ts CollectionReads) on the real store; `rhythmTimeZone` is
 * day2.yaml's `rhythm.timeZone`, the zone rhythm periods are named in (default UTC).
 */
export function adaptCollections(store: Store, options: { rhythmTimeZone?: string } = {}): CollectionReads {
  const db = store.raw;
  const allIncidents = (filter: Parameters<Store["listIncidents"]>[0], since: number) =>
    incidentsSince((page) => store.listIncidents(filter, page), since);
  return {
    latestRun: (okOnly) => collections.latestRun(db, okOnly),
    runs: (since) => collections.listRuns(db, { since, okOnly: true }),
    findings: (f) => collections.queryFindings(db, f),
    findingGroups: (by, status) => collections.groupFindings(db, by, status),
    latestKpis: () => collections.latestKpis(db),
    dailyKpiPoints: (since) => collections.dailyKpiPoints(db, since),
    kpiHistory: (kpi, since) => collections.kpiHistory(db, { kpi, since }),
    latestCost: () => collections.latestCost(db),
    costHistory: (since) => collections.costHistory(db, since),
    latestContext: () => collections.latestContext(db),
    async rhythmIncidents(since, now) {
      const recent = (await allIncidents({}, since)).filter((i) => i.createdAt <= now);
      const open = await allIncidents({ status: [...OPEN_STATUSES] }, 0);
      return { recent, open, openActionItems: await store.listOpenActionItems() };
    },
    async openIncidents() {
      const out = { P0: 0, P1: 0, P2: 0, P3: 0 };
      for (const p of ["P0", "P1", "P2", "P3"] as const)
        out[p] = (
          await store.listIncidents({ status: [...OPEN_STATUSES], priority: [p] }, { limit: 1, offset: 0 })
        ).total;
      return out;
    },
    addSignoff: (s) => addRhythmSignoff(db, s),
    listSignoffs: (f) => collections.recentSignoffs(db, f),
    rhythmReports: (f) => listRhythmReports(db, f),
    ...(options.rhythmTimeZone ? { rhythmTimeZone: options.rhythmTimeZone } : {}),
  };
}

/**
 * The narrow interfaces the HTTP server needs from the rest of day2. The server never imports
 * the store or the policy directly: `day2 serve` wires the real ones in (see store-adapter.ts),
 * so each route sees only the few methods it calls.
 */
import type {
  ActionItem,
  Alert,
  Incident,
  IncidentStatus,
  Priority,
  TimelineEntry,
} from "../incident/types.js";

/** viewer reads; responder also acknowledges, resolves, notes and sends alerts; admin also manages tokens. */
export const ROLES = ["viewer", "responder", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** True when `have` grants everything `need` does (admin > responder > viewer). */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who sent a request, as the token store knows them. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

/** The alerts of one group as one webhook delivered them; one transaction may hold many. */
export interface IntakeGroup {
  /** "alertmanager" or the generic source name. */
  source: string;
  groupKey: string;
  /** Alertmanager's receiver name, when there is one. */
  receiver?: string;
  /** Alertmanager's truncatedAlerts: alerts the sender dropped from this delivery. */
  truncatedAlerts?: number;
  alerts: Alert[];
}

export interface IncidentFilter {
  status?: IncidentStatus[];
  priority?: Priority[];
  service?: string;
  limit: number;
  offset: number;
}

export interface IncidentPage {
  items: Incident[];
  total: number;
}

/** A lifecycle step a person asks for through the API. */
export type LifecycleAction = "acknowledge" | "mitigate" | "resolve";

export interface ReviewInput {
  summary?: string;
  rootCause?: string;
  actionItems?: { title: string; owner?: string; dueAt?: number; runbook?: string }[];
}

/** What `/readyz` reports. */
export interface Readiness {
  ready: boolean;
  /** Why not, in one line, when not ready. */
  reason?: string;
}

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  lastUsedAt?: number;
}

/** The store as the server uses it. Every method may throw; errors become 5xx answers. */
export interface ServerStore {
  /** Whether the store answers and its migrations are applied. */
  readiness(): Promise<Readiness>;
  /**
   * Stores the alerts of several deliveries in ONE transaction: all or nothing. Idempotent:
   * an alert already stored with the same fingerprint, status and times changes nothing.
   */
  ingest(groups: IntakeGroup[]): Promise<void>;
  listIncidents(filter: IncidentFilter): Promise<IncidentPage>;
  /** The incident, its timeline (oldest first), alerts and action items, or undefined. */
  getIncident(
    id: string,
  ): Promise<
    | { incident: Incident; timeline: TimelineEntry[]; alerts?: Alert[]; actionItems?: ActionItem[] }
    | undefined
  >;
  /**
   * Applies a lifecycle step for `actor`; throws a TransitionError when the incident is not in
   * a state that allows it, and returns undefined when there is no such incident.
   */
  transition(
    id: string,
    action: LifecycleAction,
    actor: string,
    note?: string,
  ): Promise<Incident | undefined>;
  addNote(id: string, actor: string, text: string): Promise<TimelineEntry | undefined>;
  review(id: string, actor: string, review: ReviewInput): Promise<Incident | undefined>;
  setPriority(id: string, priority: Priority, actor: string, reason?: string): Promise<Incident | undefined>;
  /** The principal a plain bearer token belongs to, or undefined (unknown or revoked). */
  verifyToken(token: string): Promise<Principal | undefined>;
  createToken(name: string, role: Role): Promise<{ token: string; record: TokenRecord }>;
  listTokens(): Promise<TokenRecord[]>;
  /** False when there is no such token. */
  revokeToken(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A lifecycle step the incident's current status does not allow (answered with 409). */
export class TransitionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransitionError";
  }
}

/** Input the store refused (a field out of its bounds): answered with 400, never retried. */
export class InvalidInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InvalidInputError";
  }
}

/** One row of `GET /api/v1/oncall`: who is on call now, or next, for a schedule. */
export interface OnCallEntry {
  schedule: string;
  name: string;
  when: "now" | "next";
  user: string | null;
  layer: string | null;
  override: boolean;
  from?: number;
  until?: number;
}

/** A maintenance window as the API shows it. */
export interface MaintenanceEntry {
  id: string;
  /** Label matchers in Alertmanager's text form, e.g. `namespace="payments"`. */
  matchers: string[];
  startsAt: number;
  endsAt: number;
  createdBy?: string;
  comment: string;
  /** "config" (day2.yaml) or "api". */
  source: "config" | "api";
  silenceId?: string;
}

/**
 * What the lifecycle engine offers the API beyond the store: on-call, review drafts, tracked
 * action items and maintenance windows. Absent (routes answer 503) when the server runs
 * without an engine.
 */
export interface IncidentOps {
  oncall(at: number): Promise<OnCallEntry[]>;
  /** The review draft of an incident, as data and Markdown; undefined when there is no such incident. */
  reviewDraft(id: string): Promise<{ draft: Record<string, unknown>; markdown: string } | undefined>;
  /** Open action items (only those naming a runbook with runbookOnly). */
  actionItems(runbookOnly: boolean): Promise<ActionItem[]>;
  /** Validates (InvalidInputError naming the field), stores, and creates the Alertmanager silence. */
  addMaintenance(
    body: unknown,
    actor: string,
  ): Promise<{ window: MaintenanceEntry; silence?: { id?: string; error?: string } }>;
  listMaintenance(at: number): Promise<MaintenanceEntry[]>;
}

/** A stored collection run as the dashboard API reads it (times epoch ms). */
export interface CollectionRunView {
  at: number;
  durationMs: number;
  ok: boolean;
  error: string | null;
  cluster: { name: string; source: string; collectedAt: number } | null;
  score: number | null;
  coverage: number | null;
  counts: Record<"critical" | "high" | "medium" | "low" | "info", number>;
}

/** One row of the findings history. */
export interface FindingView {
  key: string;
  rule: string;
  severity: string;
  category: string;
  title: string;
  /** "" for cluster-scoped objects. */
  namespace: string;
  kind: string;
  name: string;
  message: string;
  runbook: string;
  firstSeen: number;
  lastSeen: number;
  fixedAt: number | null;
}

export interface FindingFilter {
  status: "open" | "fixed" | "all";
  severity?: string;
  namespace?: string;
  rule?: string;
  sort: "severity" | "rule" | "namespace" | "firstSeen" | "lastSeen";
  order?: "asc" | "desc";
  limit: number;
  offset: number;
}

export interface StoredSignoff {
  id: string;
  cadence: string;
  item: string;
  period: string;
  who: string;
  at: number;
  note?: string;
}

/** A scheduled rhythm report as stored, with each notifier's delivery from the outbox. */
export interface StoredRhythmReport {
  cadence: string;
  period: string;
  /** Epoch ms. */
  scheduledAt: number;
  sentAt: number;
  runAt: number;
  targets: string[];
  /** The evaluated RhythmReport document. */
  report: unknown;
  deliveries: {
    target: string;
    status: "pending" | "sent" | "dead" | "unknown";
    attempts: number;
    lastError?: string;
  }[];
}

/**
 * What `day2 serve`'s continuous collection stored, as the dashboard API and /metrics read it
 * (src/store/collections.ts). Every replica reads the same rows, so every replica answers alike.
 */
export interface CollectionReads {
  /** The latest run (the latest successful one with okOnly). */
  latestRun(okOnly: boolean): Promise<CollectionRunView | undefined>;
  /** Successful runs since a time, oldest first. */
  runs(since: number): Promise<CollectionRunView[]>;
  findings(filter: FindingFilter): Promise<{ items: FindingView[]; total: number }>;
  findingGroups(
    by: "namespace" | "rule",
    status: "open" | "fixed" | "all",
  ): Promise<{ key: string; count: number; bySeverity: CollectionRunView["counts"] }[]>;
  /** The KPI results (KpiResult JSON) of the latest run that stored them. */
  latestKpis(): Promise<{ at: number; items: unknown[] } | undefined>;
  /** KPI values of each UTC day's last run since `since` (epoch ms), oldest first: one point per day. */
  dailyKpiPoints(since: number): Promise<{ at: number; kpi: string; value: number | null; status: string }[]>;
  kpiHistory(kpi: string, since: number): Promise<{ at: number; value: number | null; status: string }[]>;
  /** The latest cost summary (src/collect/cost.ts CostSnapshot JSON). */
  latestCost(): Promise<{ at: number; payload: unknown } | undefined>;
  costHistory(since: number): Promise<{ at: number; monthly: number }[]>;
  /** The rhythm's inputs stored with the latest successful run. */
  latestContext(): Promise<{ at: number; context: unknown } | undefined>;
  /** Incidents the rhythm checklists read (recent since `since`, open, open action items). */
  rhythmIncidents(
    since: number,
    now: number,
  ): Promise<{ recent: Incident[]; open: Incident[]; openActionItems: ActionItem[] }>;
  /** Open incidents by priority. */
  openIncidents(): Promise<Record<Priority, number>>;
  addSignoff(s: Omit<StoredSignoff, "id">): Promise<StoredSignoff>;
  /** Sign-offs newest first (of one cadence and period when given). */
  listSignoffs(filter: { cadence?: string; period?: string; limit: number }): Promise<StoredSignoff[]>;
  /** Scheduled rhythm reports sent, newest first, with their delivery (src/store/rhythm-reports.ts). */
  rhythmReports(filter: { cadence?: string; limit: number }): Promise<StoredRhythmReport[]>;
  /** The zone rhythm periods are named in (day2.yaml `rhythm.timeZone`); UTC when absent. */
  readonly rhythmTimeZone?: string;
}

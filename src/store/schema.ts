/**
 * The store's tables as Kysely sees them. Column names are snake_case; times are epoch
 * milliseconds (bigint on PostgreSQL, integer on SQLite); booleans are 0/1 integers and JSON
 * is text on both dialects, so one set of queries serves both.
 */

export interface AlertsTable {
  fingerprint: string;
  status: string;
  labels: string;
  annotations: string;
  starts_at: number;
  ends_at: number | null;
  generator_url: string | null;
  source: string;
  group_key: string;
  incident_id: string | null;
  suppressed: number;
  received_at: number;
  updated_at: number;
}

export interface IncidentsTable {
  id: string;
  title: string;
  priority: string;
  priority_overridden: number;
  status: string;
  group_key: string;
  service: string | null;
  namespace: string | null;
  labels: string;
  created_at: number;
  acknowledged_at: number | null;
  mitigated_at: number | null;
  resolved_at: number | null;
  reviewed_at: number | null;
  assignee: string | null;
  commander: string | null;
  war_room: string | null;
  escalation_due_at: number | null;
  escalation_level: number;
  updated_at: number;
}

export interface TimelineTable {
  id: string;
  incident_id: string;
  at: number;
  kind: string;
  actor: string;
  text: string;
  data: string | null;
}

export interface ActionItemsTable {
  id: string;
  incident_id: string;
  title: string;
  owner: string | null;
  due_at: number | null;
  runbook: string | null;
  created_at: number;
  closed_at: number | null;
}

export interface ReviewsTable {
  incident_id: string;
  body: string;
  data: string | null;
  created_at: number;
  updated_at: number;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface NotificationsTable {
  id: string;
  incident_id: string | null;
  target: string;
  event: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  claimed_by: string | null;
  claimed_at: number | null;
  created_at: number;
  sent_at: number | null;
}

export interface DeadLettersTable {
  id: string;
  notification_id: string;
  incident_id: string | null;
  target: string;
  event: string;
  data: string;
  at: number;
}

export interface EscalationTimersTable {
  id: string;
  incident_id: string;
  level: number;
  due_at: number;
  created_at: number;
  claimed_by: string | null;
  claimed_at: number | null;
  fired_at: number | null;
  cancelled_at: number | null;
}

export interface OncallSchedulesTable {
  id: string;
  name: string;
  config: string;
  updated_at: number;
}

export interface OncallOverridesTable {
  id: string;
  schedule_id: string;
  person: string;
  starts_at: number;
  ends_at: number;
  created_by: string | null;
  created_at: number;
}

export interface MaintenanceWindowsTable {
  id: string;
  name: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string | null;
  silence_id: string | null;
  created_at: number;
}

/** kpi_snapshots, scan_snapshots and cost_snapshots share this shape. */
export interface SnapshotsTable {
  id: string;
  at: number;
  scope: string;
  payload: string;
}

export interface FindingsHistoryTable {
  id: string;
  rule: string;
  object_key: string;
  first_seen: number;
  last_seen: number;
  fixed_at: number | null;
}

export interface Database {
  alerts: AlertsTable;
  incidents: IncidentsTable;
  timeline: TimelineTable;
  action_items: ActionItemsTable;
  reviews: ReviewsTable;
  api_tokens: ApiTokensTable;
  notifications: NotificationsTable;
  dead_letters: DeadLettersTable;
  escalation_timers: EscalationTimersTable;
  oncall_schedules: OncallSchedulesTable;
  oncall_overrides: OncallOverridesTable;
  maintenance_windows: MaintenanceWindowsTable;
  kpi_snapshots: SnapshotsTable;
  scan_snapshots: SnapshotsTable;
  cost_snapshots: SnapshotsTable;
  findings_history: FindingsHistoryTable;
}

export type SnapshotTable = "kpi_snapshots" | "scan_snapshots" | "cost_snapshots";
export const SNAPSHOT_TABLES: readonly SnapshotTable[] = [
  "kpi_snapshots",
  "scan_snapshots",
  "cost_snapshots",
];

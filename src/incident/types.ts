/**
 * The incident model shared by the store, the Alertmanager intake, the policy, notifications,
 * reviews and the figures (MTTA, MTTR, MTBF). Plain data: times are epoch milliseconds, ids
 * are strings.
 */

/** P0 complete outage, P1 major degradation, P2 partial degradation, P3 minor issue. */
export const PRIORITIES = ["P0", "P1", "P2", "P3"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** The handbook's lifecycle, in order; every change is a timeline entry. */
export const INCIDENT_STATUSES = ["triggered", "acknowledged", "mitigated", "resolved", "reviewed"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export type AlertStatus = "firing" | "resolved";

/** One alert as Alertmanager (webhook v4) or a generic source sends it, deduplicated by fingerprint. */
export interface Alert {
  /** Alertmanager's fingerprint, or a hash of the labels for sources without one. */
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  /** Set once resolved. */
  endsAt?: number;
  generatorURL?: string;
  /** "alertmanager" or the name of a generic webhook source. */
  source: string;
  /** Alertmanager's groupKey (or the generic source's grouping key): one incident per open group. */
  groupKey: string;
  incidentId?: string;
  /** Recorded during a maintenance window: pages nobody. */
  suppressed?: boolean;
  receivedAt: number;
}

export interface Incident {
  id: string;
  title: string;
  priority: Priority;
  /** True when a person set the priority (the policy no longer changes it). */
  priorityOverridden: boolean;
  status: IncidentStatus;
  groupKey: string;
  service?: string;
  namespace?: string;
  labels: Record<string, string>;
  createdAt: number;
  acknowledgedAt?: number;
  mitigatedAt?: number;
  resolvedAt?: number;
  reviewedAt?: number;
  /** Who is working it; P0/P1 get an incident commander at once. */
  assignee?: string;
  commander?: string;
  warRoom?: string;
  /** When the current escalation level times out (acknowledgement deadline). */
  escalationDueAt?: number;
  escalationLevel: number;
}

export type TimelineKind =
  | "triggered"
  | "alert"
  | "acknowledged"
  | "mitigated"
  | "resolved"
  | "reopened"
  | "reviewed"
  | "escalated"
  | "priority"
  | "assigned"
  | "note"
  | "status-update"
  | "notification";

/** Append-only: never updated, never deleted while the incident exists. */
export interface TimelineEntry {
  id: string;
  incidentId: string;
  at: number;
  kind: TimelineKind;
  /** A person's name, "alertmanager", "policy" or "day2". */
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}

/** Action items of a post-incident review; the ones naming a runbook are tracked until closed. */
export interface ActionItem {
  id: string;
  incidentId: string;
  title: string;
  owner?: string;
  dueAt?: number;
  runbook?: string;
  closedAt?: number;
}

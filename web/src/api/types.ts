/**
 * The API's shapes, as the server declares them: type-only imports, so nothing server-side is
 * bundled. Incident answers carry epoch milliseconds; the dashboard answers ISO 8601 strings.
 */
export type {
  CostSummary,
  FindingGroups,
  FindingRow,
  FindingsPage,
  KpiTile,
  Overview,
  RhythmDocBody,
  ScoresPage,
  Severity,
  SeverityCounts,
  SignoffRecord,
  SignoffsPage,
  SuccessCriterion,
} from "../../../src/server/schemas-dashboard.js";
export type {
  ActionItem,
  Alert,
  Incident,
  IncidentStatus,
  Priority,
  TimelineEntry,
} from "../../../src/incident/types.js";
export type { Role } from "../../../src/server/ports.js";

import type { ActionItem, Alert, Incident, TimelineEntry } from "../../../src/incident/types.js";

export interface IncidentPage {
  items: Incident[];
  total: number;
  limit: number;
  offset: number;
}

export interface IncidentDetail {
  incident: Incident;
  timeline: TimelineEntry[];
  alerts?: Alert[];
  actionItems?: ActionItem[];
}

export interface WhoAmI {
  name: string;
  role: "viewer" | "responder" | "admin";
}

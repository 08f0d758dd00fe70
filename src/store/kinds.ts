import type { TimelineKind } from "../incident/types.js";

/** Every TimelineKind of src/incident/types.ts, for validating input at run time. */
const KINDS: Record<TimelineKind, true> = {
  triggered: true,
  alert: true,
  acknowledged: true,
  mitigated: true,
  resolved: true,
  reopened: true,
  reviewed: true,
  escalated: true,
  priority: true,
  assigned: true,
  note: true,
  "status-update": true,
  notification: true,
};

export const TIMELINE_KINDS_CHECK: ReadonlySet<string> = new Set(Object.keys(KINDS));

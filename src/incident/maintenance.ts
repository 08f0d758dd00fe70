/**
 * Maintenance windows: alerts whose labels match a window while it is active are recorded but
 * page nobody. A window converts to the body of Alertmanager's API v2 `POST /api/v2/silences`
 * (postableSilence), so day2 can create the matching silence.
 */
import type { MaintenanceWindow } from "./policy-config.js";
import { matchesAll } from "./policy-match.js";

/** Active from startsAt (inclusive) to endsAt (exclusive). */
export function isActive(window: MaintenanceWindow, at: number): boolean {
  return window.startsAt <= at && at < window.endsAt;
}

/** The first window active at `at` whose matchers all match the labels, or undefined. */
export function inMaintenance(
  labels: Readonly<Record<string, string>>,
  at: number,
  windows: readonly MaintenanceWindow[],
): MaintenanceWindow | undefined {
  return windows.find((w) => isActive(w, at) && matchesAll(w.matchers, labels));
}

/** Alertmanager API v2 `matcher`. */
export interface AlertmanagerMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

/** Alertmanager API v2 `postableSilence`. */
export interface AlertmanagerSilence {
  /** Only when updating an existing silence. */
  id?: string;
  matchers: AlertmanagerMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** The silence body for a window; pass the silence id to update one created before. */
export function toAlertmanagerSilence(window: MaintenanceWindow, silenceId?: string): AlertmanagerSilence {
  return {
    ...(silenceId !== undefined ? { id: silenceId } : {}),
    matchers: window.matchers.map((m) => ({
      name: m.name,
      value: m.value,
      isRegex: m.op === "=~" || m.op === "!~",
      isEqual: m.op === "=" || m.op === "=~",
    })),
    startsAt: new Date(window.startsAt).toISOString(),
    endsAt: new Date(window.endsAt).toISOString(),
    createdBy: window.createdBy,
    comment: window.comment,
  };
}

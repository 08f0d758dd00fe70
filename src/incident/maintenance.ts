/**
 * Maintenance windows: alerts whose labels match a window while it is active are recorded but
 * page nobody. A window (one occurrence of a recurring one) converts to the body of
 * Alertmanager's API v2 `POST /api/v2/silences` (postableSilence), so day2 can create the
 * matching silence. Windows from day2.yaml get theirs from the worker leader, one per
 * occurrence: each silence's comment carries a marker naming the window and the occurrence, so
 * Alertmanager itself records what was created (across restarts and replicas).
 */
import { createHash } from "node:crypto";
import type { MaintenanceWindow } from "./policy-config.js";
import { matchesAll } from "./policy-match.js";

/** One occurrence of a window: [startsAt, endsAt). A one-off window has only occurrence 0. */
export interface Occurrence {
  readonly index: number;
  readonly startsAt: number;
  readonly endsAt: number;
}

/**
 * The occurrence active at `at`, else the next one to come; undefined once a one-off window has
 * ended. Occurrence k of a window recurring `every` ms is the first shifted by k x every.
 */
export function currentOrNextOccurrence(window: MaintenanceWindow, at: number): Occurrence | undefined {
  const { startsAt, endsAt, every } = window;
  if (at < endsAt) return { index: 0, startsAt, endsAt };
  if (every === undefined || !(every > 0)) return undefined;
  const k = Math.floor((at - endsAt) / every) + 1;
  return { index: k, startsAt: startsAt + k * every, endsAt: endsAt + k * every };
}

/** Active from startsAt (inclusive) to endsAt (exclusive), in any of its occurrences. */
export function isActive(window: MaintenanceWindow, at: number): boolean {
  const o = currentOrNextOccurrence(window, at);
  return o !== undefined && o.startsAt <= at && at < o.endsAt;
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

/**
 * A config window's stable key: its id, else a hash of what defines it (so the same day2.yaml
 * gives the same key on every replica and after every restart).
 */
export function windowKey(window: MaintenanceWindow): string {
  if (window.id !== undefined) return window.id;
  const text = JSON.stringify([
    window.matchers.map((m) => [m.name, m.op, m.value]),
    window.startsAt,
    window.endsAt,
    window.every ?? null,
  ]);
  return `config-${createHash("sha256").update(text).digest("hex").slice(0, 12)}`;
}

/** The marker a config window's silence carries in its comment, one per occurrence. */
export function silenceMarker(window: MaintenanceWindow, occurrence: Occurrence): string {
  return `[day2 maintenance ${windowKey(window)} @ ${new Date(occurrence.startsAt).toISOString()}]`;
}

/** A silence day2 should make sure exists: which window, which occurrence, and the body to post. */
export interface DueSilence {
  readonly key: string;
  readonly marker: string;
  readonly occurrence: Occurrence;
  readonly silence: AlertmanagerSilence;
}

/**
 * The silences the windows need at `at`: each window's current or next occurrence (a pending
 * silence for one yet to start), unless a silence with its marker exists already (in any state:
 * one somebody expired by hand stays expired). `existingComments` are the comments of the
 * silences Alertmanager holds.
 */
export function dueSilences(
  windows: readonly MaintenanceWindow[],
  at: number,
  existingComments: readonly string[] = [],
): DueSilence[] {
  const out: DueSilence[] = [];
  for (const w of windows) {
    const occurrence = currentOrNextOccurrence(w, at);
    if (!occurrence) continue;
    const marker = silenceMarker(w, occurrence);
    if (existingComments.some((c) => c.includes(marker))) continue;
    const silence = toAlertmanagerSilence({
      ...w,
      startsAt: occurrence.startsAt,
      endsAt: occurrence.endsAt,
      comment: `${w.comment} ${marker}`,
    });
    out.push({ key: windowKey(w), marker, occurrence, silence });
  }
  return out;
}

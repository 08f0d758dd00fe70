/** Webhook payloads -> the shared alert model (pure; the routes validate before calling these). */
import { createHash } from "node:crypto";
import type { Alert } from "../incident/types.js";
import type { IntakeGroup } from "./ports.js";
import type { AlertmanagerPayload, GenericPayload } from "./schemas.js";

/** Go's zero time, which Alertmanager sends as endsAt of a firing alert without an end. */
const GO_ZERO_TIME = -62135596800000;

function time(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  // Go's zero time and anything before 1970 mean "not set".
  return Number.isNaN(ms) || ms <= GO_ZERO_TIME || ms < 0 ? undefined : ms;
}

export function fromAlertmanager(payload: AlertmanagerPayload, receivedAt: number): IntakeGroup {
  const alerts: Alert[] = payload.alerts.map((a) => ({
    fingerprint: a.fingerprint,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: time(a.startsAt) ?? receivedAt,
    // A firing alert's endsAt is only Alertmanager's guess of its expiry, not an end.
    endsAt: a.status === "resolved" ? (time(a.endsAt) ?? receivedAt) : undefined,
    generatorURL: a.generatorURL || undefined,
    source: "alertmanager",
    groupKey: payload.groupKey,
    receivedAt,
  }));
  return {
    source: "alertmanager",
    groupKey: payload.groupKey,
    receiver: payload.receiver,
    truncatedAlerts: payload.truncatedAlerts,
    alerts,
  };
}

/** A stable fingerprint for sources without one: the same source and labels give the same alert. */
export function labelFingerprint(source: string, labels: Record<string, string>): string {
  const h = createHash("sha256").update(source);
  for (const k of Object.keys(labels).sort()) h.update(`\0${k}\0${labels[k]}`);
  return h.digest("hex").slice(0, 16);
}

/** One group per groupKey (given, or source and alertname), in the order first seen. */
export function fromGeneric(source: string, payload: GenericPayload, receivedAt: number): IntakeGroup[] {
  const groups = new Map<string, IntakeGroup>();
  for (const a of payload.alerts) {
    const groupKey = payload.groupKey ?? `${source}:{alertname="${a.labels.alertname ?? ""}"}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = { source, groupKey, alerts: [] };
      groups.set(groupKey, group);
    }
    group.alerts.push({
      fingerprint: a.fingerprint ?? labelFingerprint(source, a.labels),
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: time(a.startsAt) ?? receivedAt,
      endsAt: a.status === "resolved" ? (time(a.endsAt) ?? receivedAt) : undefined,
      generatorURL: a.generatorURL || undefined,
      source,
      groupKey,
      receivedAt,
    });
  }
  return [...groups.values()];
}

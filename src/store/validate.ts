/**
 * Checks alert batches before anything is written: every problem names its field
 * (`alerts[3].labels.team`), and a batch with one bad alert stores nothing.
 */
import { PRIORITIES, type Priority } from "../incident/types.js";
import { StoreValidationError } from "./rows.js";

/** One alert as the intake hands it to the store (the Alert model without store-owned fields). */
export interface AlertInput {
  fingerprint: string;
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** Epoch ms. */
  startsAt: number;
  /** Epoch ms; kept only for resolved alerts (a firing alert's endsAt is Alertmanager's guess). */
  endsAt?: number;
  generatorURL?: string;
  source: string;
  groupKey: string;
  suppressed?: boolean;
  /** Epoch ms; default: the ingest time. */
  receivedAt?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function nonEmptyString(v: unknown, field: string, max = 4096): string {
  if (typeof v !== "string" || v.length === 0)
    throw new StoreValidationError(field, "must be a non-empty string");
  if (v.length > max) throw new StoreValidationError(field, `must be at most ${max} characters`);
  return v;
}

function time(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !Number.isInteger(v) || v < 0)
    throw new StoreValidationError(field, "must be epoch milliseconds (a non-negative integer)");
  return v;
}

function stringMap(v: unknown, field: string): Record<string, string> {
  if (!isObject(v)) throw new StoreValidationError(field, "must be an object of strings");
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== "string")
      throw new StoreValidationError(`${field}.${k}`, `must be a string, got ${typeof val}`);
    out[k] = val;
  }
  return out;
}

/** One validated alert, copied (so later changes by the caller cannot reach the store). */
export function validateAlert(v: unknown, field: string): AlertInput {
  if (!isObject(v)) throw new StoreValidationError(field, "must be an object");
  const status = v["status"];
  if (status !== "firing" && status !== "resolved")
    throw new StoreValidationError(`${field}.status`, 'must be "firing" or "resolved"');
  const a: AlertInput = {
    fingerprint: nonEmptyString(v["fingerprint"], `${field}.fingerprint`, 256),
    status,
    labels: stringMap(v["labels"], `${field}.labels`),
    annotations: v["annotations"] === undefined ? {} : stringMap(v["annotations"], `${field}.annotations`),
    startsAt: time(v["startsAt"], `${field}.startsAt`),
    source: nonEmptyString(v["source"], `${field}.source`, 256),
    groupKey: nonEmptyString(v["groupKey"], `${field}.groupKey`),
  };
  if (v["endsAt"] !== undefined) a.endsAt = time(v["endsAt"], `${field}.endsAt`);
  if (v["generatorURL"] !== undefined)
    a.generatorURL = nonEmptyString(v["generatorURL"], `${field}.generatorURL`);
  if (v["suppressed"] !== undefined) {
    if (typeof v["suppressed"] !== "boolean")
      throw new StoreValidationError(`${field}.suppressed`, "must be a boolean");
    a.suppressed = v["suppressed"];
  }
  if (v["receivedAt"] !== undefined) a.receivedAt = time(v["receivedAt"], `${field}.receivedAt`);
  return a;
}

export function validateAlerts(batch: unknown, field = "alerts"): AlertInput[] {
  if (!Array.isArray(batch)) throw new StoreValidationError(field, "must be an array of alerts");
  return batch.map((a, i) => validateAlert(a, `${field}[${i}]`));
}

export function validatePriority(v: unknown, field: string): Priority {
  if (!PRIORITIES.includes(v as Priority))
    throw new StoreValidationError(field, `must be one of ${PRIORITIES.join(", ")}`);
  return v as Priority;
}

/**
 * The API's request and response shapes, as zod schemas: the one source of truth that Fastify
 * validates requests with (validator compiler in app.ts) and that openapi.ts turns into the
 * published OpenAPI 3.1 document (z.toJSONSchema). Times in answers are epoch milliseconds,
 * as in src/incident/types.ts; times in webhook payloads are RFC 3339 strings.
 */
import { z } from "zod";
import { INCIDENT_STATUSES, PRIORITIES } from "../incident/types.js";
import { HTTP_ERRORS } from "./errors.js";
import { ROLES } from "./ports.js";

const labelMap = z.record(z.string(), z.string());
const rfc3339 = z.iso.datetime({ offset: true });

// ---- Alertmanager webhook, version 4 -------------------------------------------------------
// https://prometheus.io/docs/alerting/latest/configuration/#webhook_config

export const alertmanagerAlert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: labelMap,
  annotations: labelMap.default({}),
  startsAt: rfc3339,
  /** "0001-01-01T00:00:00Z" (Go's zero time) while firing. */
  endsAt: rfc3339.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).max(256),
});

export const alertmanagerPayload = z
  .object({
    version: z.literal("4"),
    groupKey: z.string().min(1).max(4096),
    truncatedAlerts: z.number().int().min(0).default(0),
    status: z.enum(["firing", "resolved"]),
    receiver: z.string(),
    groupLabels: labelMap.default({}),
    commonLabels: labelMap.default({}),
    commonAnnotations: labelMap.default({}),
    externalURL: z.string().optional(),
    alerts: z.array(alertmanagerAlert).min(1),
  })
  .meta({ description: "Alertmanager's webhook payload, version 4, as Alertmanager sends it" });
export type AlertmanagerPayload = z.output<typeof alertmanagerPayload>;

// ---- Generic webhook -------------------------------------------------------------------------

export const genericAlert = z.object({
  status: z.enum(["firing", "resolved"]).default("firing"),
  labels: labelMap.refine((l) => (l.alertname ?? "") !== "", { message: "labels.alertname is required" }),
  annotations: labelMap.default({}),
  /** Default: the time day2 received it. */
  startsAt: rfc3339.optional(),
  endsAt: rfc3339.optional(),
  generatorURL: z.string().optional(),
  /** Default: a hash of the source and the labels, so a re-sent alert is the same alert. */
  fingerprint: z.string().min(1).max(256).optional(),
});

export const genericPayload = z
  .object({
    /** Default: one group per source and alertname. */
    groupKey: z.string().min(1).max(4096).optional(),
    alerts: z.array(genericAlert).min(1),
  })
  .meta({ description: "Alerts from any other source: labels.alertname is required, the rest optional" });
export type GenericPayload = z.output<typeof genericPayload>;

export const sourceParams = z.object({ source: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/) });

export const intakeAnswer = z.object({
  accepted: z.number().int().meta({ description: "alerts committed to the store" }),
});

// ---- Incidents -------------------------------------------------------------------------------

const statusList = z
  .string()
  .regex(
    new RegExp(`^(open|${INCIDENT_STATUSES.join("|")})(,(open|${INCIDENT_STATUSES.join("|")}))*$`),
    `a comma-separated list of ${INCIDENT_STATUSES.join(", ")} or open`,
  );
const priorityList = z.string().regex(/^P[0-3](,P[0-3])*$/, "a comma-separated list of P0, P1, P2, P3");

export const incidentListQuery = z.object({
  status: statusList.optional(),
  priority: priorityList.optional(),
  service: z.string().max(253).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const incidentParams = z.object({ id: z.string().min(1).max(128) });

const epochMs = z.number().int();

export const incident = z.object({
  id: z.string(),
  title: z.string(),
  priority: z.enum(PRIORITIES),
  priorityOverridden: z.boolean(),
  status: z.enum(INCIDENT_STATUSES),
  groupKey: z.string(),
  service: z.string().optional(),
  namespace: z.string().optional(),
  labels: labelMap,
  createdAt: epochMs,
  acknowledgedAt: epochMs.optional(),
  mitigatedAt: epochMs.optional(),
  resolvedAt: epochMs.optional(),
  reviewedAt: epochMs.optional(),
  assignee: z.string().optional(),
  commander: z.string().optional(),
  warRoom: z.string().optional(),
  escalationDueAt: epochMs.optional(),
  escalationLevel: z.number().int(),
});

export const timelineEntry = z.object({
  id: z.string(),
  incidentId: z.string(),
  at: epochMs,
  kind: z.enum([
    "triggered",
    "alert",
    "acknowledged",
    "mitigated",
    "resolved",
    "reopened",
    "reviewed",
    "escalated",
    "priority",
    "assigned",
    "note",
    "status-update",
    "notification",
  ]),
  actor: z.string(),
  text: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const incidentPage = z.object({
  items: z.array(incident),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const storedAlert = z.object({
  fingerprint: z.string(),
  status: z.enum(["firing", "resolved"]),
  labels: labelMap,
  annotations: labelMap,
  startsAt: epochMs,
  endsAt: epochMs.optional(),
  generatorURL: z.string().optional(),
  source: z.string(),
  groupKey: z.string(),
  incidentId: z.string().optional(),
  suppressed: z.boolean().optional(),
  receivedAt: epochMs,
});

export const actionItem = z.object({
  id: z.string(),
  incidentId: z.string(),
  title: z.string(),
  owner: z.string().optional(),
  dueAt: epochMs.optional(),
  runbook: z.string().optional(),
  closedAt: epochMs.optional(),
});

export const incidentDetail = z.object({
  incident,
  timeline: z.array(timelineEntry),
  alerts: z.array(storedAlert).optional(),
  actionItems: z.array(actionItem).optional(),
});

export const stepBody = z
  .object({ note: z.string().max(10_000).optional() })
  .nullish()
  .meta({ description: "an optional note recorded with the step" });

export const noteBody = z.object({ text: z.string().min(1).max(10_000) });

export const reviewBody = z.object({
  summary: z.string().max(100_000).optional(),
  rootCause: z.string().max(100_000).optional(),
  actionItems: z
    .array(
      z.object({
        title: z.string().min(1).max(1000),
        owner: z.string().max(253).optional(),
        dueAt: rfc3339.optional(),
        runbook: z.string().max(1000).optional(),
      }),
    )
    .max(100)
    .optional(),
});

export const priorityBody = z.object({
  priority: z.enum(PRIORITIES),
  reason: z.string().max(10_000).optional(),
});

// ---- Tokens ----------------------------------------------------------------------------------

export const tokenRecord = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: epochMs,
  lastUsedAt: epochMs.optional(),
});

export const tokenCreateBody = z.object({
  name: z.string().min(1).max(253),
  role: z.enum(ROLES),
});

export const tokenCreated = z.object({
  token: z.string().meta({ description: "the bearer token: shown once, stored hashed" }),
  record: tokenRecord,
});

export const tokenParams = z.object({ id: z.string().min(1).max(128) });

// ---- Service endpoints -----------------------------------------------------------------------

export const health = z.object({ status: z.literal("ok") });
export const readiness = z.object({
  status: z.enum(["ready", "not ready"]),
  reason: z.string().optional(),
});

export const errorBody = z.object({
  statusCode: z.number().int(),
  code: z.enum(Object.keys(HTTP_ERRORS) as [keyof typeof HTTP_ERRORS, ...(keyof typeof HTTP_ERRORS)[]]),
  message: z.string(),
});

/**
 * The lifecycle engine's routes: who is on call, review drafts, tracked action items and
 * maintenance windows (with their Alertmanager silences). Answered by the IncidentOps port;
 * a server without an engine answers 503.
 */
import { z } from "zod";
import { HttpError } from "../errors.js";
import type { IncidentOps } from "../ports.js";
import type { RoutePlugin } from "../provider.js";
import { actionItem, incidentParams } from "../schemas.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";

const epochMs = z.number().int();

const onCallEntry = z.object({
  schedule: z.string(),
  name: z.string(),
  when: z.enum(["now", "next"]),
  user: z.string().nullable(),
  layer: z.string().nullable(),
  override: z.boolean(),
  from: epochMs.optional(),
  until: epochMs.optional(),
});

const oncallQuery = z.object({
  at: z.iso.datetime({ offset: true }).optional().meta({ description: "default: now (RFC 3339)" }),
});

const reviewQuery = z.object({ format: z.enum(["json", "markdown"]).default("json") });

const reviewDraft = z
  .looseObject({
    incidentId: z.string(),
    title: z.string(),
    summary: z.string(),
    generatedAt: epochMs,
    impact: z.record(z.string(), z.unknown()),
    timeline: z.array(z.record(z.string(), z.unknown())),
    rootCause: z.record(z.string(), z.unknown()),
    wentWell: z.array(z.string()),
    wentBadly: z.array(z.string()),
    actionItems: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ description: "the post-incident review draft generated from the timeline" });

const actionItemsQuery = z.object({
  runbookOnly: z
    .enum(["true", "false"])
    .default("true")
    .meta({ description: "only items naming a runbook (tracked until closed); default true" }),
});

const matcherInput = z.union([
  z.string().meta({ description: 'Alertmanager matcher text, e.g. namespace="payments"' }),
  z.object({ name: z.string(), op: z.enum(["=", "!=", "=~", "!~"]).optional(), value: z.string() }),
]);

const maintenanceBody = z
  .object({
    matchers: z.array(matcherInput).min(1),
    startsAt: z.string(),
    endsAt: z.string(),
    createdBy: z.string().optional().meta({ description: "default: the token's name" }),
    comment: z.string(),
  })
  .meta({ description: "a maintenance window: matching alerts are recorded but page nobody" });

const maintenanceEntry = z.object({
  id: z.string(),
  matchers: z.array(z.string()),
  startsAt: epochMs,
  endsAt: epochMs,
  createdBy: z.string().optional(),
  comment: z.string(),
  source: z.enum(["config", "api"]),
  silenceId: z.string().optional(),
});

const maintenanceCreated = z.object({
  window: maintenanceEntry,
  silence: z
    .object({ id: z.string().optional(), error: z.string().optional() })
    .optional()
    .meta({ description: "the Alertmanager silence, when --alertmanager-url is configured" }),
});

function ops(ctx: RouteContext): IncidentOps {
  if (!ctx.ops) throw new HttpError("D2_HTTP_UNAVAILABLE", "this server runs without the incident engine");
  return ctx.ops;
}

export const opsRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/oncall",
    {
      schema: {
        querystring: oncallQuery,
        response: {
          200: z.object({ at: epochMs, items: z.array(onCallEntry) }),
          ...errorResponses(400, ...AUTH_ERRORS, 503),
        },
      },
      config: {
        auth: "viewer",
        doc: { summary: "who is on call now and next, per schedule", tags: ["oncall"] },
      },
    },
    async (req) => {
      const at = req.query.at ? Date.parse(req.query.at) : Date.now();
      return { at, items: await ops(ctx).oncall(at) };
    },
  );

  app.get(
    "/api/v1/incidents/:id/review",
    {
      schema: {
        params: incidentParams,
        querystring: reviewQuery,
        response: {
          200: z.union([reviewDraft, z.string()]),
          ...errorResponses(400, ...AUTH_ERRORS, 404, 503),
        },
      },
      config: {
        auth: "viewer",
        doc: {
          summary: "the post-incident review draft (JSON, or Markdown with ?format=markdown)",
          tags: ["incidents"],
        },
      },
    },
    async (req, reply) => {
      const d = await ops(ctx).reviewDraft(req.params.id);
      if (!d) throw new HttpError("D2_HTTP_NOT_FOUND", `incident ${JSON.stringify(req.params.id)} not found`);
      if (req.query.format === "markdown") return reply.type("text/markdown; charset=utf-8").send(d.markdown);
      return d.draft as z.infer<typeof reviewDraft>;
    },
  );

  app.get(
    "/api/v1/action-items",
    {
      schema: {
        querystring: actionItemsQuery,
        response: {
          200: z.object({ items: z.array(actionItem) }),
          ...errorResponses(400, ...AUTH_ERRORS, 503),
        },
      },
      config: {
        auth: "viewer",
        doc: { summary: "open review action items (by default those naming a runbook)", tags: ["incidents"] },
      },
    },
    async (req) => ({ items: await ops(ctx).actionItems(req.query.runbookOnly === "true") }),
  );

  app.get(
    "/api/v1/maintenance",
    {
      schema: {
        response: {
          200: z.object({ items: z.array(maintenanceEntry) }),
          ...errorResponses(...AUTH_ERRORS, 503),
        },
      },
      config: {
        auth: "viewer",
        doc: {
          summary: "maintenance windows active now or later (day2.yaml and the API)",
          tags: ["maintenance"],
        },
      },
    },
    async () => ({ items: await ops(ctx).listMaintenance(Date.now()) }),
  );

  app.post(
    "/api/v1/maintenance",
    {
      schema: {
        body: maintenanceBody,
        response: { 201: maintenanceCreated, ...errorResponses(400, ...AUTH_ERRORS, 413, 415, 503) },
      },
      config: {
        auth: "admin",
        doc: {
          summary: "add a maintenance window (and the matching Alertmanager silence when configured)",
          tags: ["maintenance"],
        },
      },
    },
    async (req, reply) => {
      const body = { ...req.body, createdBy: req.body.createdBy ?? req.principal!.name };
      const created = await ops(ctx).addMaintenance(body, req.principal!.name);
      return reply.code(201).send(created);
    },
  );
};

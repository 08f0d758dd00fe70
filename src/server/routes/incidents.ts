/** Incidents: list, show with timeline, lifecycle steps, notes, review, priority override. */
import type { IncidentStatus, Priority } from "../../incident/types.js";
import { HttpError } from "../errors.js";
import type { LifecycleAction } from "../ports.js";
import {
  incident,
  incidentDetail,
  incidentListQuery,
  incidentPage,
  incidentParams,
  noteBody,
  priorityBody,
  reviewBody,
  stepBody,
  timelineEntry,
} from "../schemas.js";
import type { RoutePlugin } from "../provider.js";
import { AUTH_ERRORS, errorResponses } from "./common.js";
import type { RouteContext } from "./common.js";

const OPEN: IncidentStatus[] = ["triggered", "acknowledged", "mitigated"];

function statuses(text: string | undefined): IncidentStatus[] | undefined {
  if (!text) return undefined;
  const out = text.split(",").flatMap((s) => (s === "open" ? OPEN : [s as IncidentStatus]));
  return [...new Set(out)];
}

function notFound(id: string): never {
  throw new HttpError("D2_HTTP_NOT_FOUND", `incident ${JSON.stringify(id)} not found`);
}

const STEPS: { path: string; action: LifecycleAction; summary: string }[] = [
  { path: "ack", action: "acknowledge", summary: "acknowledge: someone is on it (stops escalation)" },
  { path: "mitigate", action: "mitigate", summary: "mitigated: the impact is over, the cause may remain" },
  { path: "resolve", action: "resolve", summary: "resolve the incident" },
];

export const incidentRoutes: RoutePlugin<RouteContext> = async (app, ctx) => {
  app.get(
    "/api/v1/incidents",
    {
      schema: {
        querystring: incidentListQuery,
        response: { 200: incidentPage, ...errorResponses(400, ...AUTH_ERRORS) },
      },
      config: {
        auth: "viewer",
        doc: {
          summary: "list incidents, newest first",
          description: "status takes a comma-separated list (or `open`: triggered, acknowledged, mitigated).",
          tags: ["incidents"],
        },
      },
    },
    async (req) => {
      const q = req.query;
      const page = await ctx.store.listIncidents({
        status: statuses(q.status),
        priority: q.priority ? (q.priority.split(",") as Priority[]) : undefined,
        service: q.service,
        limit: q.limit,
        offset: q.offset,
      });
      return { items: page.items, total: page.total, limit: q.limit, offset: q.offset };
    },
  );

  app.get(
    "/api/v1/incidents/:id",
    {
      schema: {
        params: incidentParams,
        response: { 200: incidentDetail, ...errorResponses(400, ...AUTH_ERRORS, 404) },
      },
      config: { auth: "viewer", doc: { summary: "one incident with its timeline", tags: ["incidents"] } },
    },
    async (req) => (await ctx.store.getIncident(req.params.id)) ?? notFound(req.params.id),
  );

  for (const step of STEPS) {
    app.post(
      `/api/v1/incidents/:id/${step.path}`,
      {
        schema: {
          params: incidentParams,
          body: stepBody,
          response: { 200: incident, ...errorResponses(400, ...AUTH_ERRORS, 404, 409, 413, 415) },
        },
        config: { auth: "responder", doc: { summary: step.summary, tags: ["incidents"] } },
      },
      async (req) => {
        const actor = req.principal!.name;
        const updated = await ctx.store.transition(req.params.id, step.action, actor, req.body?.note);
        return updated ?? notFound(req.params.id);
      },
    );
  }

  app.post(
    "/api/v1/incidents/:id/note",
    {
      schema: {
        params: incidentParams,
        body: noteBody,
        response: { 201: timelineEntry, ...errorResponses(400, ...AUTH_ERRORS, 404, 413, 415) },
      },
      config: { auth: "responder", doc: { summary: "add a note to the timeline", tags: ["incidents"] } },
    },
    async (req, reply) => {
      const entry = await ctx.store.addNote(req.params.id, req.principal!.name, req.body.text);
      return reply.code(201).send(entry ?? notFound(req.params.id));
    },
  );

  app.post(
    "/api/v1/incidents/:id/review",
    {
      schema: {
        params: incidentParams,
        body: reviewBody,
        response: { 200: incident, ...errorResponses(400, ...AUTH_ERRORS, 404, 409, 413, 415) },
      },
      config: {
        auth: "responder",
        doc: {
          summary: "record the post-incident review of a resolved incident (status reviewed)",
          description: "Action items that name a runbook are tracked until closed.",
          tags: ["incidents"],
        },
      },
    },
    async (req) => {
      const b = req.body;
      const updated = await ctx.store.review(req.params.id, req.principal!.name, {
        summary: b.summary,
        rootCause: b.rootCause,
        actionItems: b.actionItems?.map((a) => ({
          ...a,
          dueAt: a.dueAt === undefined ? undefined : Date.parse(a.dueAt),
        })),
      });
      return updated ?? notFound(req.params.id);
    },
  );

  app.patch(
    "/api/v1/incidents/:id",
    {
      schema: {
        params: incidentParams,
        body: priorityBody,
        response: { 200: incident, ...errorResponses(400, ...AUTH_ERRORS, 404, 413, 415) },
      },
      config: {
        auth: "responder",
        doc: {
          summary: "override the priority (the policy no longer changes it)",
          tags: ["incidents"],
        },
      },
    },
    async (req) => {
      const b = req.body;
      const updated = await ctx.store.setPriority(req.params.id, b.priority, req.principal!.name, b.reason);
      return updated ?? notFound(req.params.id);
    },
  );
};

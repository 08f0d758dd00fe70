/**
 * The OpenAPI 3.1 document, generated from the routes as registered: their zod schemas (through
 * z.toJSONSchema, JSON Schema 2020-12, which OpenAPI 3.1 uses as is), their auth role and doc
 * text. Nothing here is written twice: a route added with a schema is in the document.
 */
import type { RouteOptions } from "fastify";
import { z } from "zod";
import { HTTP_ERRORS } from "./errors.js";

export interface CollectedRoute {
  method: string;
  url: string;
  schema?: RouteOptions["schema"];
  config?: RouteOptions["config"];
}

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: unknown, io: "input" | "output"): JsonSchema {
  const out = z.toJSONSchema(schema as z.ZodType, { io, unrepresentable: "any" }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** `/api/v1/incidents/:id` -> `/api/v1/incidents/{id}` */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function parameters(schema: unknown, where: "path" | "query"): JsonSchema[] {
  if (!schema) return [];
  const js = jsonSchema(schema, "input");
  const props = (js.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    schema: s,
    ...(typeof s.description === "string" ? { description: s.description } : {}),
  }));
}

function responses(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, s] of Object.entries(schema)) {
    const code = Object.values(HTTP_ERRORS).find((e) => String(e.status) === status);
    const json = jsonSchema(s, "output");
    const text = typeof s === "object" && s && "type" in s && (s as z.ZodType).type === "string";
    out[status] = {
      description: (json.description as string | undefined) ?? (code ? code.summary : "success"),
      content: { [text ? "text/plain" : "application/json"]: { schema: json } },
    };
  }
  return out;
}

function operation(route: CollectedRoute): Record<string, unknown> {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const config = route.config ?? {};
  const doc = config.doc ?? { summary: `${route.method} ${route.url}`, tags: [] };
  const op: Record<string, unknown> = {
    operationId: `${route.method.toLowerCase()}${openApiPath(route.url).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags,
    parameters: [...parameters(schema.params, "path"), ...parameters(schema.querystring, "query")],
    responses: responses((schema.response ?? {}) as Record<string, unknown>),
  };
  if (schema.body) {
    const optional = (schema.body as z.ZodType).safeParse(undefined).success;
    op.requestBody = {
      required: !optional,
      content: { "application/json": { schema: jsonSchema(schema.body, "input") } },
    };
  }
  const auth = config.auth ?? "admin";
  op.security = auth === "public" ? [] : [{ bearer: [] }];
  if (auth !== "public") op["x-day2-role"] = auth;
  return op;
}

export function buildOpenApi(routes: CollectedRoute[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    if (r.method === "HEAD" || !r.config?.doc) continue;
    const p = (paths[openApiPath(r.url)] ??= {});
    p[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "day2 API",
      version: info.version,
      description:
        "Incidents from alerts: the Alertmanager and generic webhook receivers, incidents and their " +
        "timelines, API tokens. Every /api/v1 route except this document needs `Authorization: Bearer " +
        "<token>`; `x-day2-role` names the least role (viewer < responder < admin). Times in answers " +
        "are epoch milliseconds. Errors answer `{statusCode, code, message}`.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}

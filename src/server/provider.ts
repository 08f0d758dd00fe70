/**
 * zod as Fastify's schema language: a type provider (handlers see the parsed types), a
 * validator compiler (requests are parsed by the route's zod schemas, defaults applied) and a
 * serializer compiler (answers are plain JSON). The route config that auth.ts and openapi.ts
 * read is declared here too.
 */
import type {
  FastifySchemaCompiler,
  FastifyTypeProvider,
  RawServerDefault,
  FastifyPluginAsync,
} from "fastify";
import type { z } from "zod";
import type { Role } from "./ports.js";

export interface ZodProvider extends FastifyTypeProvider {
  validator: this["schema"] extends z.ZodType ? z.output<this["schema"]> : unknown;
  serializer: this["schema"] extends z.ZodType ? z.input<this["schema"]> : unknown;
}

/** A route plugin written against the zod provider. */
export type RoutePlugin<Options extends object> = FastifyPluginAsync<Options, RawServerDefault, ZodProvider>;

/** How a route is described in the OpenAPI document. */
export interface RouteDoc {
  summary: string;
  description?: string;
  tags: string[];
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** The least role allowed; "public" needs no token. API routes without one need admin. */
    auth?: Role | "public";
    doc?: RouteDoc;
  }
}

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema }) => {
  return (data: unknown) => {
    const result = schema.safeParse(data);
    // The input rides along so error messages can tell "missing" from "wrong".
    return result.success ? { value: result.data } : { error: Object.assign(result.error, { input: data }) };
  };
};

/**
 * Answers go through their route's schema, so they carry exactly the documented fields (the
 * store may know more). An answer that does not fit is sent as it is: a bug the OpenAPI test
 * catches, not a reason to fail the request.
 */
export const zodSerializerCompiler =
  ({ schema }: { schema: unknown }) =>
  (data: unknown): string => {
    const parsed = (schema as z.ZodType).safeParse(data);
    return JSON.stringify(parsed.success ? parsed.data : data);
  };

function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== "object") return true;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v === undefined;
}

/** "body.alerts[0].labels.n: expected string, received number" for each zod issue, joined. */
export function describeIssues(error: z.ZodError & { input?: unknown }, part: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      let path = part;
      for (const p of issue.path) path += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
      const message = issue.message.replace(/^Invalid input: /, "");
      const missing =
        issue.code === "invalid_type" || issue.code === "invalid_value"
          ? "input" in error
            ? isMissing(error.input, issue.path)
            : /received undefined$/.test(issue.message)
          : false;
      return missing && issue.path.length > 0 ? `${path} is required` : `${path}: ${message}`;
    })
    .join("; ");
}

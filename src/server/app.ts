/**
 * The day2 HTTP server: `buildServer(deps, opts)` returns a Fastify instance with every route
 * group registered, not yet listening (tests call `inject`; `day2 serve` calls `listen`).
 * Closing it stops accepting connections, lets in-flight requests finish, drains the intake
 * queue and then closes the store.
 */
import Fastify from "fastify";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RawServerDefault } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import { TokenVerifier, authHook } from "./auth.js";
import { HttpError, codeForStatus } from "./errors.js";
import type { ErrorBody } from "./errors.js";
import {
  DEFAULT_INTAKE,
  IntakeClosedError,
  IntakeCommitError,
  IntakeFullError,
  IntakeQueue,
} from "./intake.js";
import type { IntakeOptions } from "./intake.js";
import { createMetrics } from "./metrics.js";
import type { ServerMetrics } from "./metrics.js";
import { buildOpenApi } from "./openapi.js";
import type { CollectedRoute } from "./openapi.js";
import { InvalidInputError, TransitionError } from "./ports.js";
import type { CollectionReads, IncidentOps, ServerStore } from "./ports.js";
import { describeIssues, zodSerializerCompiler, zodValidatorCompiler } from "./provider.js";
import type { ZodProvider } from "./provider.js";
import type { RouteContext } from "./routes/common.js";
import { alertmanagerRoutes } from "./routes/alertmanager.js";
import { genericRoutes } from "./routes/generic.js";
import { healthRoutes } from "./routes/health.js";
import { incidentRoutes } from "./routes/incidents.js";
import { metricsRoutes } from "./routes/metrics.js";
import { openapiRoutes } from "./routes/openapi.js";
import { opsRoutes } from "./routes/ops.js";
import { costRoutes } from "./routes/cost.js";
import { findingRoutes } from "./routes/findings.js";
import { kpiRoutes } from "./routes/kpis.js";
import { overviewRoutes } from "./routes/overview.js";
import { rhythmRoutes } from "./routes/rhythm.js";
import { scoreRoutes } from "./routes/scores.js";
import { sessionRoutes } from "./routes/session.js";
import { tokenRoutes } from "./routes/tokens.js";
import { isPagePath, registerWeb, sendIndex } from "./routes/web.js";

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface ServerDeps {
  store: ServerStore;
  /** On-call, review drafts, action items, maintenance (the lifecycle engine); routes answer 503 without. */
  ops?: IncidentOps;
  /** The continuous collection's stored results (dashboard API, /metrics). */
  collections?: CollectionReads;
  /** Started after listen, stopped first on close (before the intake drains). */
  workers?: { stop(): Promise<void> };
  /** A registry of the caller's; default: a new one per server. */
  metrics?: ServerMetrics;
}

export interface ServerOptions {
  /** Largest request body in bytes (413 above it). Default 1 MiB. */
  bodyLimit?: number;
  intake?: Partial<IntakeOptions>;
  /** How long a verified token is remembered, ms (default 10 s; 0: verify every request). */
  tokenCacheMs?: number;
  /** Fastify's logger (pino options or false). Default: off. */
  logger?: boolean | Record<string, unknown>;
  /** The version published in the OpenAPI document. */
  version?: string;
  /** The built dashboard (dist/web): served at / without a token; absent: no dashboard. */
  webRoot?: string;
  /** The runbook library, served as text at /runbooks/ beside the dashboard (its findings link there). */
  runbooksRoot?: string;
}

export type Day2Server = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodProvider
> & {
  /** The intake queue (its depth is also a metric). */
  intake: IntakeQueue;
};

export function buildServer(deps: ServerDeps, opts: ServerOptions = {}): Day2Server {
  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logger: opts.logger ?? false,
    return503OnClosing: true,
    // Keep-alive connections that are idle are closed at once on shutdown; busy ones finish.
    forceCloseConnections: "idle",
  }).withTypeProvider<ZodProvider>();
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  // JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser("text/plain");

  const metrics = deps.metrics ?? createMetrics();
  const intake = new IntakeQueue(
    (groups) => deps.store.ingest(groups),
    { ...DEFAULT_INTAKE, ...opts.intake },
    metrics,
  );
  const verifier = new TokenVerifier(deps.store, opts.tokenCacheMs ?? 10_000);
  const routes: CollectedRoute[] = [];
  let openapi: Record<string, unknown> | undefined;
  let closing = false;
  const ctx: RouteContext = {
    store: deps.store,
    ...(deps.ops ? { ops: deps.ops } : {}),
    ...(deps.collections ? { collections: deps.collections } : {}),
    intake,
    metrics,
    verifier,
    openapi: () => (openapi ??= buildOpenApi(routes, { version: opts.version ?? "0.0.0" })),
    closing: () => closing,
  };

  app.addHook("onRoute", (r) => {
    for (const method of [r.method].flat())
      routes.push({ method, url: r.url, schema: r.schema, config: r.config });
  });
  app.addHook("onRequest", authHook(verifier));
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((err: FastifyError, req, reply) => sendError(err, req, reply, intake));
  app.setNotFoundHandler((req, reply) =>
    opts.webRoot && isPagePath(req)
      ? sendIndex(reply)
      : reply
          .code(404)
          .send(errorBody(new HttpError("D2_HTTP_NOT_FOUND", `no route ${req.method} ${req.url}`))),
  );

  app.register(healthRoutes, ctx);
  app.register(metricsRoutes, ctx);
  app.register(openapiRoutes, ctx);
  app.register(alertmanagerRoutes, ctx);
  app.register(genericRoutes, ctx);
  app.register(incidentRoutes, ctx);
  app.register(tokenRoutes, ctx);
  app.register(sessionRoutes, ctx);
  app.register(opsRoutes, ctx);
  for (const dashboard of [overviewRoutes, findingRoutes, scoreRoutes, kpiRoutes, costRoutes, rhythmRoutes])
    app.register(dashboard, ctx);
  if (opts.webRoot) registerWeb(app, opts.webRoot, opts.runbooksRoot);

  app.addHook("preClose", async () => {
    closing = true;
  });
  // onClose hooks run after the HTTP server has closed (Fastify closes it first), so no new
  // delivery can arrive: answer every accepted one, then close the store.
  app.addHook("onClose", async () => {
    await deps.workers?.stop();
    await intake.drain();
    await deps.store.close();
  });

  return Object.assign(app, { intake });
}

function errorBody(e: HttpError): ErrorBody {
  return { statusCode: e.statusCode, code: e.code, message: e.message };
}

/** Any error a request ends with -> a coded answer; the message says what to fix. */
export function toHttpError(err: unknown, intake?: IntakeQueue): HttpError {
  if (err instanceof HttpError) return err;
  const retry = { "Retry-After": String(intake?.retryAfterSeconds ?? 1) };
  if (err instanceof IntakeFullError) return new HttpError("D2_HTTP_INTAKE_FULL", err.message, retry);
  if (err instanceof IntakeClosedError) return new HttpError("D2_HTTP_UNAVAILABLE", err.message, retry);
  if (err instanceof IntakeCommitError) return new HttpError("D2_HTTP_UNAVAILABLE", err.message, retry);
  if (err instanceof TransitionError) return new HttpError("D2_HTTP_CONFLICT", err.message);
  if (err instanceof InvalidInputError) return new HttpError("D2_HTTP_BAD_REQUEST", err.message);
  const e = err as FastifyError & { validationContext?: string };
  if (err instanceof z.ZodError)
    return new HttpError("D2_HTTP_BAD_REQUEST", describeIssues(err, e.validationContext ?? "body"));
  const status = typeof e?.statusCode === "number" ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = codeForStatus(status);
    return new HttpError(code, fastifyMessage(e, status), {}, { cause: err });
  }
  return new HttpError(
    "D2_HTTP_INTERNAL",
    "internal error; the server log has the details",
    {},
    { cause: err },
  );
}

function fastifyMessage(e: FastifyError, status: number): string {
  if (status === 413) return `body too large: ${e.message}`;
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return `${e.message}; send Content-Type: application/json`;
  if (e instanceof SyntaxError || e.code === "FST_ERR_CTP_INVALID_JSON_BODY")
    return `body is not valid JSON: ${e.message}`;
  if (e.code === "FST_ERR_CTP_EMPTY_JSON_BODY") return "body is empty but Content-Type is application/json";
  return e.message;
}

function sendError(
  err: FastifyError,
  req: FastifyRequest,
  reply: FastifyReply,
  intake: IntakeQueue,
): FastifyReply {
  const e = toHttpError(err, intake);
  if (e.statusCode >= 500 && !(err instanceof IntakeFullError)) req.log.error({ err }, e.message);
  return reply.code(e.statusCode).headers(e.headers).send(errorBody(e));
}

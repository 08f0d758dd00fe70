/** What every route group receives, and the error answers routes declare in their schemas. */
import type { TokenVerifier } from "../auth.js";
import { errorBody } from "../schemas.js";
import type { IntakeQueue } from "../intake.js";
import type { ServerMetrics } from "../metrics.js";
import type { CollectionReads, IncidentOps, ServerStore } from "../ports.js";

export interface RouteContext {
  store: ServerStore;
  /** The lifecycle engine's extras (on-call, reviews, maintenance); absent without an engine. */
  ops?: IncidentOps;
  /** What the continuous collection stored (dashboard routes, /metrics); absent: those answer 503 or nothing. */
  collections?: CollectionReads;
  intake: IntakeQueue;
  metrics: ServerMetrics;
  verifier: TokenVerifier;
  /** The OpenAPI document, built once all routes are registered. */
  openapi: () => Record<string, unknown>;
  /** True once shutdown has begun. */
  closing: () => boolean;
}

/** `{ 400: errorBody, 401: errorBody, ... }` for a route's response schema. */
export function errorResponses(...statuses: number[]): Record<number, typeof errorBody> {
  return Object.fromEntries(statuses.map((s) => [s, errorBody]));
}

/** The errors every authenticated route can answer with. */
export const AUTH_ERRORS = [401, 403] as const;

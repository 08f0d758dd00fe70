/**
 * Every error the HTTP API answers with, in one table: a stable code, the HTTP status and what
 * it means. Answers carry `{ statusCode, code, message }`; the message names the field or the
 * reason, the code never changes. README's API section lists the same codes (tested).
 */
export const HTTP_ERRORS = {
  D2_HTTP_BAD_REQUEST: { status: 400, summary: "the body, query or path is malformed or fails validation" },
  D2_HTTP_UNAUTHORIZED: { status: 401, summary: "no bearer token, or one day2 does not know" },
  D2_HTTP_FORBIDDEN: { status: 403, summary: "the token's role does not allow this request" },
  D2_HTTP_NOT_FOUND: { status: 404, summary: "no such route or incident" },
  D2_HTTP_METHOD_NOT_ALLOWED: { status: 405, summary: "the route does not take this method" },
  D2_HTTP_CONFLICT: { status: 409, summary: "the incident's status does not allow this step" },
  D2_HTTP_BODY_TOO_LARGE: { status: 413, summary: "the body is larger than the configured limit" },
  D2_HTTP_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: "the body is not application/json" },
  D2_HTTP_INTAKE_FULL: { status: 503, summary: "the intake queue is full; retry after Retry-After seconds" },
  D2_HTTP_UNAVAILABLE: { status: 503, summary: "the store cannot be reached or the server is shutting down" },
  D2_HTTP_INTERNAL: { status: 500, summary: "a bug in day2" },
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** An error a route throws to answer with a coded 4xx/5xx. */
export class HttpError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HttpError";
    this.statusCode = HTTP_ERRORS[code].status;
  }
}

/** The body of every error answer. */
export interface ErrorBody {
  statusCode: number;
  code: HttpErrorCode;
  message: string;
}

/** The coded error for a status Fastify itself produced (body parsing, routing, closing). */
export function codeForStatus(status: number): HttpErrorCode {
  const hit = (Object.keys(HTTP_ERRORS) as HttpErrorCode[]).find(
    (c) => HTTP_ERRORS[c].status === status && c !== "D2_HTTP_INTAKE_FULL",
  );
  if (hit) return hit;
  return status >= 500 ? "D2_HTTP_INTERNAL" : "D2_HTTP_BAD_REQUEST";
}

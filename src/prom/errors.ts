/**
 * Errors of the Prometheus client. Each names the server URL and the query, so a line in a
 * report ("partial: ...") says which query failed where and why.
 */

export type PromErrorKind =
  /** Connection refused, DNS, reset: the server was not reachable. */
  | "connection"
  /** No answer within the timeout. */
  | "timeout"
  /** Prometheus answered with an error (its errorType/error, or an HTTP status). */
  | "api"
  /** The answer was not the JSON the API documents (a proxy's HTML page, a cut body). */
  | "bad-response"
  /** The query budget was used up before this query was sent. */
  | "budget";

export class PromError extends Error {
  readonly code = "D2_ERR_PROMETHEUS";
  readonly kind: PromErrorKind;
  /** The API endpoint, e.g. http://127.0.0.1:9090/api/v1/query_range. */
  readonly url: string;
  readonly query: string;
  /** HTTP status when there was an answer. */
  readonly status: number | undefined;
  /** Prometheus' errorType: bad_data, execution, timeout, canceled, internal, unavailable, ... */
  readonly errorType: string | undefined;
  constructor(
    kind: PromErrorKind,
    url: string,
    query: string,
    message: string,
    opts: { status?: number; errorType?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = "PromError";
    this.kind = kind;
    this.url = url;
    this.query = query;
    this.status = opts.status;
    this.errorType = opts.errorType;
  }

  /** True when Prometheus refused the query for loading too many samples (query.max-samples). */
  get tooManySamples(): boolean {
    return this.kind === "api" && /too many samples/i.test(this.message);
  }
}

/** A query shortened for messages: whitespace collapsed, long regexes cut. */
export function shortQuery(query: string, max = 160): string {
  const q = query.replace(/\s+/g, " ").trim();
  return q.length <= max ? q : `${q.slice(0, max - 1)}…`;
}

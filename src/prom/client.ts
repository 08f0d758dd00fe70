/**
 * A Prometheus HTTP API client (instant and range queries) over Node's fetch: POST form
 * bodies (no URL length limit), a timeout per request (AbortSignal, also sent as the API's
 * `timeout` parameter), retries with backoff for 429/5xx and dropped connections (honouring
 * Retry-After), bounded concurrency, and a query budget: once `maxQueries` queries were sent,
 * further ones come back as a "budget" failure instead of being sent, so callers mark their
 * results partial rather than fail. Every failure is a PromError naming the URL and query,
 * returned as data (PromOutcome), never thrown, except an abort of the caller's signal.
 */
import { isRetryableStatus, parseRetryAfter, retryDelay, sleep, type RetryPolicy } from "../kube/retry.js";
import { PromError, shortQuery } from "./errors.js";

export { PromError } from "./errors.js";

export interface PromClientOptions {
  /** Base URL of the Prometheus server (or a path prefix behind a proxy), e.g. http://127.0.0.1:9090. */
  url: string;
  /** Per request; default 60 s. Also sent as the `timeout` parameter so Prometheus stops too. */
  timeoutMs?: number;
  /** Attempts and backoff; default 4 attempts, 250 ms doubling, waits capped at 10 s. */
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  /** Most queries this client sends (retries not counted); default unlimited. */
  maxQueries?: number;
  /** Extra headers (Authorization, X-Scope-OrgID, ...). */
  headers?: Record<string, string>;
  /** Retry a request that timed out (default false: a slow query is usually slow again). */
  retryTimeouts?: boolean;
  /** Called before each retry wait. */
  onRetry?: (e: { query: string; attempt: number; delayMs: number; cause: string }) => void;
  /** Jitter source, injectable for tests. */
  random?: () => number;
}

/** One series of a range query (matrix), values as numbers (NaN, ±Inf kept). */
export interface PromSeries {
  metric: Record<string, string>;
  /** Epoch seconds. */
  t: Float64Array;
  v: Float64Array;
}

/** One sample of an instant query (vector, or a scalar with an empty metric). */
export interface PromSample {
  metric: Record<string, string>;
  t: number;
  v: number;
}

export type PromOutcome<T> = { ok: true; data: T; warnings: string[] } | { ok: false; error: PromError };

export interface QueryOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface RangeParams {
  /** Epoch seconds or a Date. */
  start: number | Date;
  end: number | Date;
  stepSeconds: number;
}

export interface PromStats {
  /** Queries sent (each counted once, however many attempts). */
  queries: number;
  attempts: number;
  retries: number;
  failed: number;
  /** Queries not sent because the budget was used up. */
  overBudget: number;
  /** Response bytes read. */
  bytes: number;
}

const DEFAULT_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 };

/** Socket-level errors worth another attempt. */
const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

function seconds(t: number | Date): number {
  return t instanceof Date ? t.getTime() / 1000 : t;
}

function parseValue(s: unknown): number {
  if (typeof s === "number") return s;
  if (typeof s !== "string") return Number.NaN;
  // Prometheus writes "NaN", "+Inf", "-Inf"; Number() does not read "+Inf".
  if (s === "+Inf" || s === "Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(s);
}

/** The code of a fetch failure's underlying socket error ("fetch failed" hides it in `cause`). */
function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorDetail(err: unknown): string {
  const code = errorCode(err);
  let e: unknown = err;
  let msg = err instanceof Error ? err.message : String(err);
  // fetch's own message is "fetch failed"; the socket's is in cause.
  while (e instanceof Error && e.cause instanceof Error) {
    e = e.cause;
    msg = (e as Error).message;
  }
  return code && !msg.includes(code) ? `${code} ${msg}` : msg;
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

interface Attempt {
  /** Attempts made for this answer (1 without retries). */
  attempts: number;
  status: number;
  retryAfter: string | null;
  text: string;
}

export class PromClient {
  readonly url: string;
  private readonly policy: RetryPolicy;
  private readonly sem: Semaphore;
  private readonly timeoutMs: number;
  private readonly maxQueries: number;
  /**
   * Whether the server ever answered: before that, a connection error is not retried (a
   * server that is down will not appear within a backoff) and every later query fails at
   * once with the same cause, so a run against a dead URL ends in milliseconds.
   */
  private answered = false;
  /** Set when first contact failed: later queries fail at once with the same cause. */
  private unreachable: PromError | undefined;
  private readonly st: PromStats = {
    queries: 0,
    attempts: 0,
    retries: 0,
    failed: 0,
    overBudget: 0,
    bytes: 0,
  };

  constructor(private readonly opts: PromClientOptions) {
    this.url = opts.url.replace(/\/+$/, "");
    if (!/^https?:\/\//.test(this.url))
      throw new Error(`Prometheus URL must be http(s)://..., got "${opts.url}"`);
    this.policy = { ...DEFAULT_POLICY, ...opts.retry };
    this.sem = new Semaphore(Math.max(1, opts.concurrency ?? 4));
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxQueries = opts.maxQueries ?? Number.POSITIVE_INFINITY;
  }

  /** Counters so far (a copy). */
  stats(): PromStats {
    return { ...this.st };
  }

  /** Queries the budget still allows. */
  get budgetLeft(): number {
    return Math.max(0, this.maxQueries - this.st.queries);
  }

  /** An instant query (POST /api/v1/query) at `time` (default: now). */
  async query(
    query: string,
    time?: number | Date,
    opts: QueryOptions = {},
  ): Promise<PromOutcome<PromSample[]>> {
    const form: Record<string, string> = { query };
    if (time !== undefined) form["time"] = String(seconds(time));
    return this.call("/api/v1/query", query, form, opts, parseInstant);
  }

  /** A range query (POST /api/v1/query_range). */
  async queryRange(
    query: string,
    range: RangeParams,
    opts: QueryOptions = {},
  ): Promise<PromOutcome<PromSeries[]>> {
    const form = {
      query,
      start: String(seconds(range.start)),
      end: String(seconds(range.end)),
      step: String(range.stepSeconds),
    };
    return this.call("/api/v1/query_range", query, form, opts, parseRange);
  }

  private async call<T>(
    path: string,
    query: string,
    form: Record<string, string>,
    opts: QueryOptions,
    parse: (data: unknown) => T | string,
  ): Promise<PromOutcome<T>> {
    const endpoint = this.url + path;
    if (this.st.queries >= this.maxQueries) {
      this.st.overBudget++;
      const msg = `query budget of ${this.maxQueries} used up; not sent to ${endpoint}: ${shortQuery(query)}`;
      return { ok: false, error: new PromError("budget", endpoint, query, msg) };
    }
    if (this.unreachable) {
      this.st.failed++;
      const u = this.unreachable;
      const msg = `${u.message.replace(/ \(query .*\)$/, "")} (query ${shortQuery(query)}: not sent)`;
      return { ok: false, error: new PromError("connection", endpoint, query, msg, { cause: u }) };
    }
    this.st.queries++;
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const body = new URLSearchParams({ ...form, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` });
    const out = await this.sem.run(() =>
      this.withRetries(endpoint, query, body.toString(), timeoutMs, opts.signal),
    );
    if (out instanceof PromError) {
      this.st.failed++;
      return { ok: false, error: out };
    }
    const res = interpret(out, endpoint, query, parse);
    if (!res.ok) this.st.failed++;
    return res;
  }

  private async withRetries(
    endpoint: string,
    query: string,
    body: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt | PromError> {
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= this.policy.maxAttempts;
      let res: Attempt;
      try {
        res = { ...(await this.once(endpoint, body, timeoutMs, signal)), attempts: attempt + 1 };
      } catch (err) {
        if (signal?.aborted) throw err;
        const timedOut = (err as Error).name === "TimeoutError";
        const code = errorCode(err);
        const firstContact = !this.answered && !timedOut;
        if (firstContact || !this.retryableFailure(timedOut, code) || last) {
          const e = networkError(err, { endpoint, query, timeoutMs, attempts: attempt + 1, timedOut });
          if (firstContact) this.unreachable = e;
          return e;
        }
        await this.wait(attempt, undefined, query, timedOut ? "timeout" : (code ?? "network"), signal);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res;
      const apiError = errorJson(res.text);
      // Prometheus' own timeouts (503, errorType timeout) and refusals are not worth repeating.
      const retryable =
        isRetryableStatus(res.status) &&
        apiError?.errorType !== "timeout" &&
        apiError?.errorType !== "execution";
      if (!retryable || last) return res;
      await this.wait(
        attempt,
        parseRetryAfter(res.retryAfter ?? undefined),
        query,
        String(res.status),
        signal,
      );
    }
  }

  private retryableFailure(timedOut: boolean, code: string | undefined): boolean {
    if (timedOut) return this.opts.retryTimeouts === true;
    return code !== undefined && RETRYABLE_CODES.has(code);
  }

  private async wait(
    attempt: number,
    retryAfterMs: number | undefined,
    query: string,
    cause: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const delayMs = retryDelay(attempt, retryAfterMs, this.policy, this.opts.random);
    this.st.retries++;
    this.opts.onRetry?.({ query, attempt: attempt + 1, delayMs, cause });
    await sleep(delayMs, signal);
  }

  private async once(
    endpoint: string,
    body: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Omit<Attempt, "attempts">> {
    this.st.attempts++;
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        ...this.opts.headers,
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
        "User-Agent": "day2",
      },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    this.answered = true;
    const text = await res.text();
    this.st.bytes += text.length;
    return { status: res.status, retryAfter: res.headers.get("retry-after"), text };
  }
}

/** A request that got no answer: timed out, or the connection failed. */
function networkError(
  err: unknown,
  r: { endpoint: string; query: string; timeoutMs: number; attempts: number; timedOut: boolean },
): PromError {
  const tries = r.attempts > 1 ? ` (after ${r.attempts} attempts)` : "";
  const q = shortQuery(r.query);
  if (r.timedOut)
    return new PromError(
      "timeout",
      r.endpoint,
      r.query,
      `Prometheus ${r.endpoint}: no answer within ${r.timeoutMs} ms${tries} for query ${q}`,
      { cause: err },
    );
  return new PromError(
    "connection",
    r.endpoint,
    r.query,
    `cannot reach Prometheus at ${r.endpoint}${tries}: ${errorDetail(err)} (query ${q})`,
    { cause: err },
  );
}

interface ApiErrorJson {
  errorType?: string;
  error?: string;
}

function errorJson(text: string): ApiErrorJson | undefined {
  if (!text.startsWith("{")) return undefined;
  try {
    const v = JSON.parse(text) as { status?: unknown; errorType?: unknown; error?: unknown };
    if (v.status !== "error") return undefined;
    return {
      errorType: typeof v.errorType === "string" ? v.errorType : undefined,
      error: typeof v.error === "string" ? v.error : undefined,
    };
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 120 ? `${t.slice(0, 119)}…` : t || "(empty body)";
}

/** A response (any status) to an outcome: parsed data, or a PromError that says what was wrong. */
function interpret<T>(
  res: Attempt,
  endpoint: string,
  query: string,
  parse: (data: unknown) => T | string,
): PromOutcome<T> {
  const q = shortQuery(query);
  const tries = res.attempts > 1 ? ` after ${res.attempts} attempts` : "";
  const fail = (kind: "api" | "bad-response", what: string, errorType?: string): PromOutcome<T> => ({
    ok: false,
    error: new PromError(kind, endpoint, query, `Prometheus ${endpoint}: ${what}${tries} (query ${q})`, {
      status: res.status,
      errorType,
    }),
  });
  let doc: unknown;
  try {
    doc = JSON.parse(res.text);
  } catch {
    if (res.status >= 400) return fail("api", `HTTP ${res.status}: ${snippet(res.text)}`);
    return fail("bad-response", `HTTP ${res.status} with a body that is not JSON: ${snippet(res.text)}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return fail("bad-response", `HTTP ${res.status}: expected a JSON object, got ${snippet(res.text)}`);
  const d = doc as {
    status?: unknown;
    data?: unknown;
    errorType?: unknown;
    error?: unknown;
    warnings?: unknown;
  };
  if (d.status === "error") {
    const type = typeof d.errorType === "string" ? d.errorType : "error";
    const msg = typeof d.error === "string" ? d.error : "(no message)";
    return fail("api", `HTTP ${res.status}: ${type}: ${msg}`, type);
  }
  if (res.status >= 300) return fail("api", `HTTP ${res.status}: ${snippet(res.text)}`);
  if (d.status !== "success")
    return fail("bad-response", `not a Prometheus API answer (no "status": "success"): ${snippet(res.text)}`);
  const data = parse(d.data);
  if (typeof data === "string") return fail("bad-response", data);
  const warnings = Array.isArray(d.warnings) ? d.warnings.map(String) : [];
  return { ok: true, data, warnings };
}

function isLabels(m: unknown): m is Record<string, string> {
  return typeof m === "object" && m !== null && !Array.isArray(m);
}

function parseRange(data: unknown): PromSeries[] | string {
  const d = data as { resultType?: unknown; result?: unknown } | null | undefined;
  if (!d || d.resultType !== "matrix" || !Array.isArray(d.result))
    return `expected data.resultType "matrix" with a result list, got ${snippet(JSON.stringify(data) ?? "nothing")}`;
  const out: PromSeries[] = [];
  for (const s of d.result as { metric?: unknown; values?: unknown }[]) {
    if (!s || !isLabels(s.metric) || !Array.isArray(s.values))
      return "a matrix series without metric or values";
    const n = s.values.length;
    const t = new Float64Array(n);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = s.values[i] as unknown;
      if (!Array.isArray(p) || typeof p[0] !== "number")
        return `a matrix value is not [time, "value"]: ${snippet(JSON.stringify(p))}`;
      t[i] = p[0];
      v[i] = parseValue(p[1]);
    }
    out.push({ metric: s.metric, t, v });
  }
  return out;
}

function parseInstant(data: unknown): PromSample[] | string {
  const d = data as { resultType?: unknown; result?: unknown } | null | undefined;
  if (d?.resultType === "scalar" && Array.isArray(d.result) && typeof d.result[0] === "number")
    return [{ metric: {}, t: d.result[0], v: parseValue(d.result[1]) }];
  if (!d || d.resultType !== "vector" || !Array.isArray(d.result))
    return `expected data.resultType "vector" with a result list, got ${snippet(JSON.stringify(data) ?? "nothing")}`;
  const out: PromSample[] = [];
  for (const s of d.result as { metric?: unknown; value?: unknown }[]) {
    const p = s?.value;
    if (!s || !isLabels(s.metric) || !Array.isArray(p) || typeof p[0] !== "number")
      return `a vector sample without metric or [time, "value"]: ${snippet(JSON.stringify(s))}`;
    out.push({ metric: s.metric, t: p[0], v: parseValue(p[1]) });
  }
  return out;
}

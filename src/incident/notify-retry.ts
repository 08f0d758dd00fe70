/**
 * One HTTP POST with a per-attempt timeout and retries: exponential backoff with jitter on
 * network errors, timeouts, 408, 429 and 5xx; `Retry-After` (seconds or HTTP date) honoured
 * when the server sends it; no retry on other 4xx. Redirects are not followed (a signed POST
 * is not re-sent elsewhere) and count as permanent failures.
 *
 * Backoff before retry k (k = 1, 2, ...): d = min(maxDelayMs, baseDelayMs * 2^(k-1)), then
 * "equal jitter": wait d/2 + random() * d/2, so the wait keeps growing while concurrent
 * senders spread out. A Retry-After replaces the computed wait; one longer than maxDelayMs
 * ends the delivery (a dead letter) rather than blocking the sender.
 */

export interface RetryOptions {
  /** Total attempts, including the first (default 5). */
  attempts?: number;
  /** Per attempt, including reading the response (default 10 s). */
  timeoutMs?: number;
  /** Default 1 s. */
  baseDelayMs?: number;
  /** Longest wait between attempts and longest Retry-After honoured (default 60 s). */
  maxDelayMs?: number;
  /** Cancels the delivery (for shutdown): no further attempts. */
  signal?: AbortSignal;
  /** Test seams. */
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  fetch?: typeof fetch;
}

/** One attempt, for logs and the dead letter. */
export interface DeliveryAttempt {
  at: number;
  durationMs: number;
  status?: number;
  error?: string;
  /** The wait before the next attempt, when there was one. */
  waitMs?: number;
}

export interface HttpResponseData {
  status: number;
  headers: Headers;
  body: string;
}

export type AttemptVerdict =
  { kind: "ok" } | { kind: "retry"; error: string } | { kind: "fail"; error: string; code?: string };

export interface PostRequest {
  url: string;
  body: string;
  /** Called per attempt (signatures carry the attempt's timestamp). */
  headers: (nowMs: number) => Record<string, string>;
  /** Default: 2xx ok, 408/429/5xx retry, anything else fail. */
  classify?: (res: HttpResponseData) => AttemptVerdict;
}

export interface PostOutcome {
  ok: boolean;
  attempts: number;
  firstAttemptAt: number;
  status?: number;
  response?: HttpResponseData;
  error?: string;
  /** A machine-readable reason from classify (e.g. a Slack error code). */
  code?: string;
  log: DeliveryAttempt[];
}

export const DEFAULT_RETRY = {
  attempts: 5,
  timeoutMs: 10_000,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
} as const;

export function defaultClassify(res: HttpResponseData): AttemptVerdict {
  if (res.status >= 200 && res.status < 300) return { kind: "ok" };
  const error = `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ""}`;
  return isRetryableStatus(res.status) ? { kind: "retry", error } : { kind: "fail", error };
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Retry-After as ms from now: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The jittered exponential wait before retry number `retry` (1-based). */
export function backoffDelay(retry: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const d = Math.min(max, base * 2 ** (retry - 1));
  const r = (options.random ?? Math.random)();
  return Math.round(d / 2 + (r * d) / 2);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError") return `timed out after ${timeoutMs} ms`;
    if (err.name === "AbortError") return "aborted";
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message;
    return detail ? `${err.message}: ${detail}` : err.message;
  }
  return String(err);
}

interface AttemptResult {
  verdict: AttemptVerdict;
  response?: HttpResponseData;
}

async function attemptOnce(req: PostRequest, options: RetryOptions, nowMs: number): Promise<AttemptResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RETRY.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const res = await (options.fetch ?? fetch)(req.url, {
      method: "POST",
      headers: req.headers(nowMs),
      body: req.body,
      redirect: "manual",
      signal,
    });
    const response = { status: res.status, headers: res.headers, body: await res.text() };
    return { verdict: (req.classify ?? defaultClassify)(response), response };
  } catch (err) {
    const error = describeError(err, timeoutMs);
    return {
      verdict: options.signal?.aborted ? { kind: "fail", error: "aborted" } : { kind: "retry", error },
    };
  }
}

/** Sends `req` until it succeeds, fails permanently, or attempts run out. Never throws. */
export async function postWithRetry(req: PostRequest, options: RetryOptions = {}): Promise<PostOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const maxAttempts = Math.max(1, options.attempts ?? DEFAULT_RETRY.attempts);
  const maxDelay = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const log: DeliveryAttempt[] = [];
  const firstAttemptAt = now();
  for (let n = 1; ; n++) {
    const at = now();
    const { verdict, response } = await attemptOnce(req, options, at);
    const entry: DeliveryAttempt = { at, durationMs: now() - at };
    if (response) entry.status = response.status;
    if (verdict.kind !== "ok") entry.error = verdict.error;
    log.push(entry);
    const outcome: PostOutcome = { ok: verdict.kind === "ok", attempts: n, firstAttemptAt, log };
    if (response) outcome.status = response.status;
    if (response) outcome.response = response;
    if (verdict.kind !== "ok") outcome.error = verdict.error;
    if (verdict.kind === "fail" && verdict.code) outcome.code = verdict.code;
    if (verdict.kind !== "retry" || n >= maxAttempts) return outcome;
    const retryAfter = response ? parseRetryAfter(response.headers.get("retry-after"), now()) : undefined;
    if (retryAfter !== undefined && retryAfter > maxDelay) {
      outcome.error = `${verdict.error} (Retry-After ${Math.ceil(retryAfter / 1000)} s exceeds the ${Math.ceil(maxDelay / 1000)} s limit)`;
      return outcome;
    }
    entry.waitMs = retryAfter ?? backoffDelay(n, options);
    await sleep(entry.waitMs, options.signal);
    if (options.signal?.aborted) return { ...outcome, error: `${verdict.error} (aborted)` };
  }
}

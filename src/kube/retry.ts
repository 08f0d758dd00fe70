/**
 * Retry policy for API requests: which failures are worth another attempt and how long to
 * wait. Pure functions, so the timing rules are unit-tested without a server.
 */

export interface RetryPolicy {
  /** Total attempts including the first; 1 disables retries. */
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles each attempt. */
  readonly baseDelayMs: number;
  /** Upper bound for any single wait, including one asked for by Retry-After. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
});

/**
 * Retry-After as milliseconds: delta-seconds ("3") or an HTTP date. Undefined when absent or
 * unparseable; never negative. The apiserver sends seconds (429 from max-in-flight: "1").
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!/[a-z]/i.test(v)) return undefined; // e.g. "-1" or "1e3": not a form RFC 9110 allows
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Exponential backoff with "equal jitter": half the exponential step is fixed, half random.
 * Spreads retries of concurrent lists apart while still growing. `attempt` counts retries
 * from 0.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Wait before retry `attempt`: Retry-After when the server gave one (capped), else backoff. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs, retryAfterMs);
  return backoffDelay(attempt, policy, random);
}

/** HTTP statuses worth retrying: throttling and server-side trouble (not 501: it never changes). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/** Socket-level failures worth retrying once the server has answered before. */
const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "ERR_STREAM_PREMATURE_CLOSE",
  "D2_REQUEST_TIMEOUT",
]);

export function isRetryableNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && RETRYABLE_CODES.has(code)) return true;
  return /socket hang up|aborted/i.test(err.message) && err.name !== "AbortError";
}

/** Abortable sleep: rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function abortReason(signal: AbortSignal | undefined): Error {
  const r: unknown = signal?.reason;
  if (r instanceof Error) return r;
  const e = new Error("the operation was aborted");
  e.name = "AbortError";
  return e;
}

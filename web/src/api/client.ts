/**
 * fetch() for the day2 API: the bearer token on every call, JSON in and out, and every way a
 * call can fail turned into an ApiError whose message says what to do about it.
 */

/** A failed API call: `status` 0 when the server could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
}

/** `{ statusCode, code, message }`, or whatever else a proxy in between answered. */
async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.message === "string")
      return new ApiError(res.status, typeof body.code === "string" ? body.code : "", body.message);
  } catch {
    // not JSON: fall through to the status text
  }
  return new ApiError(res.status, "", `${res.status} ${res.statusText || "error"}`.trim());
}

/** Calls `path` (starting with /api/) with `token`; resolves to the parsed JSON body. */
export async function apiFetch<T>(path: string, token: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? "GET",
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK", "cannot reach the day2 server; is `day2 serve` running?");
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** `?a=1&b=x` from the defined, non-empty values (empty string when there are none). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** What the reader should know about an error, in one sentence. */
export function explain(err: unknown): { title: string; detail: string } {
  if (!(err instanceof ApiError))
    return { title: "Something went wrong", detail: String((err as Error)?.message ?? err) };
  switch (err.status) {
    case 0:
      return { title: "Server unreachable", detail: err.message };
    case 401:
      return { title: "Not signed in", detail: `${err.message}. Sign in again with a valid token.` };
    case 403:
      return { title: "Not allowed", detail: `${err.message}.` };
    case 404:
      return { title: "Not found", detail: err.message };
    case 409:
      return { title: "Conflict", detail: err.message };
    case 503:
      return { title: "Server busy or not ready", detail: `${err.message}. Try again in a moment.` };
    default:
      return { title: `Error ${err.status}`, detail: err.message };
  }
}

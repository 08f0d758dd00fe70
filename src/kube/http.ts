/**
 * A small GET-only request layer for the API server over node:http(s): keep-alive agent from
 * the connection, auth and impersonation headers, gzip, an idle timeout, retries with backoff
 * for throttling, server errors and dropped connections, and typed outcomes for the statuses
 * a collector must tell apart (403, 404, 410). Everything we send is a GET, or a POST of an
 * access review (SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview), which
 * creates nothing, so every retry is safe.
 */
import http from "node:http";
import https from "node:https";
import { createGunzip } from "node:zlib";
import type { KubeConnection, RequestMaterial } from "./connection.js";
import { isAbortError, KubeApiError, KubeConnectionError, KubeUnauthorizedError } from "./errors.js";
import {
  DEFAULT_RETRY_POLICY,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
  type RetryPolicy,
  sleep,
} from "./retry.js";

/** The Kubernetes `Status` object the API returns with errors. */
export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  metadata?: { continue?: string; resourceVersion?: string };
}

/** Outcome of a GET: a body, or one of the refusals a caller handles as data. */
export type KubeResult =
  | { type: "ok"; status: number; body: Buffer }
  | { type: "forbidden"; message: string; apiStatus: ApiStatus | undefined }
  | { type: "not-found"; message: string; apiStatus: ApiStatus | undefined }
  | { type: "gone"; message: string; apiStatus: ApiStatus | undefined };

export interface GetOptions {
  query?: Record<string, string | number | undefined>;
  /** Accept header; default application/json. */
  accept?: string;
  signal?: AbortSignal;
}

interface RequestOptions extends GetOptions {
  method: "GET" | "POST" | "PUT";
  /** JSON request body (POST). */
  body?: Buffer;
}

export interface RetryEvent {
  path: string;
  attempt: number;
  delayMs: number;
  /** HTTP status, or the socket error code. */
  cause: number | string;
}

export interface KubeClientOptions {
  retry?: Partial<RetryPolicy>;
  /** Ask for gzip (the apiserver compresses large responses); default true. */
  compression?: boolean;
  /** Called before each retry wait (for logs / progress). */
  onRetry?: (event: RetryEvent) => void;
  /** Jitter source, injectable for tests. */
  random?: () => number;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/;

export class KubeClient {
  readonly conn: KubeConnection;
  private readonly policy: RetryPolicy;
  private readonly opts: KubeClientOptions;
  /** Whether the server ever answered: before that, a connection error fails fast. */
  private answered = false;

  constructor(conn: KubeConnection, opts: KubeClientOptions = {}) {
    this.conn = conn;
    this.opts = opts;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  }

  /** The full URL of an API path with its query, for requests and messages. */
  url(path: string, query?: GetOptions["query"]): URL {
    const url = new URL(this.conn.server + path);
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    return url;
  }

  /**
   * GET with retries. Returns ok/forbidden/not-found/gone; throws KubeUnauthorizedError (401
   * after one credential refresh), KubeConnectionError (unreachable, or still failing after
   * the retries), KubeApiError (other statuses, or 429/5xx after the retries), or the abort.
   */
  async get(path: string, opts: GetOptions = {}): Promise<KubeResult> {
    return this.send(path, { ...opts, method: "GET" });
  }

  /**
   * POST a JSON body with the same retries and outcomes as `get`. Only for requests that
   * change nothing on the server (access reviews), so retrying them is safe.
   */
  async post(path: string, body: unknown, opts: GetOptions = {}): Promise<KubeResult> {
    return this.send(path, { ...opts, method: "POST", body: Buffer.from(JSON.stringify(body)) });
  }

  /**
   * PUT a JSON body (an update guarded by metadata.resourceVersion, e.g. a Lease renewal): a
   * retry after a lost answer fails with 409 Conflict rather than applying twice. A 409 is
   * thrown as a KubeApiError with status 409.
   */
  async put(path: string, body: unknown, opts: GetOptions = {}): Promise<KubeResult> {
    return this.send(path, { ...opts, method: "PUT", body: Buffer.from(JSON.stringify(body)) });
  }

  private async send(path: string, opts: RequestOptions): Promise<KubeResult> {
    const url = this.url(path, opts.query);
    let refreshedAuth = false;
    let material = await this.conn.material();
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      try {
        res = await this.once(url, material, opts);
      } catch (err) {
        if (isAbortError(err) || opts.signal?.aborted) throw err;
        await this.afterNetworkError(err, path, opts.method, attempt, opts.signal);
        continue;
      }
      const { status } = res;
      if (status >= 200 && status < 300) return { type: "ok", status, body: res.body };
      const apiStatus = parseStatus(res.body);
      const message = apiStatus?.message ?? `HTTP ${status}`;
      if (status === 401) {
        if (refreshedAuth) throw this.unauthorized(`${opts.method} ${path}`, message);
        // Credentials may have expired mid-run (exec tokens): refresh once, not counted.
        refreshedAuth = true;
        material = await this.conn.material(true);
        attempt--;
        continue;
      }
      if (status === 403) return { type: "forbidden", message, apiStatus };
      if (status === 404) return { type: "not-found", message, apiStatus };
      if (status === 410) return { type: "gone", message, apiStatus };
      if (!isRetryableStatus(status) || attempt + 1 >= this.policy.maxAttempts) {
        const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : "";
        throw new KubeApiError(status, path, `${opts.method} ${path}: HTTP ${status}${tries}: ${message}`, {
          reason: apiStatus?.reason,
        });
      }
      const delayMs = retryDelay(
        attempt,
        parseRetryAfter(res.headers["retry-after"]),
        this.policy,
        this.opts.random,
      );
      this.opts.onRetry?.({ path, attempt: attempt + 1, delayMs, cause: status });
      await sleep(delayMs, opts.signal);
    }
  }

  private async afterNetworkError(
    err: unknown,
    path: string,
    method: string,
    attempt: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const server = this.conn.server;
    const detail = describeNetworkError(err);
    if (!this.answered) {
      // First contact: a refused or unresolvable server will not appear within a backoff.
      throw new KubeConnectionError(
        server,
        `cannot reach the Kubernetes API server at ${server}: ${detail}`,
        {
          cause: err,
        },
      );
    }
    if (!isRetryableNetworkError(err) || attempt + 1 >= this.policy.maxAttempts) {
      const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : "";
      throw new KubeConnectionError(
        server,
        `lost the connection to ${server} (${method} ${path})${tries}: ${detail}`,
        {
          cause: err,
        },
      );
    }
    const delayMs = retryDelay(attempt, undefined, this.policy, this.opts.random);
    const code = (err as NodeJS.ErrnoException).code ?? "network";
    this.opts.onRetry?.({ path, attempt: attempt + 1, delayMs, cause: code });
    await sleep(delayMs, signal);
  }

  private unauthorized(request: string, message: string): KubeUnauthorizedError {
    const who = this.conn.context ? ` (context "${this.conn.context}")` : "";
    return new KubeUnauthorizedError(
      this.conn.server,
      `unauthorized: ${this.conn.server} rejected the credentials${who} for ${request}: ${message}`,
    );
  }

  /** One request; resolves with the whole (decompressed) body. */
  private once(url: URL, material: RequestMaterial, opts: RequestOptions): Promise<RawResponse> {
    const mod = url.protocol === "https:" ? https : http;
    const headers: http.OutgoingHttpHeaders = {
      ...material.headers,
      Accept: opts.accept ?? "application/json",
      "User-Agent": "day2",
    };
    if (opts.body) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = opts.body.length;
    }
    if (this.opts.compression !== false) headers["Accept-Encoding"] = "gzip";
    const timeoutMs = this.conn.requestTimeoutMs;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = mod.request(url, {
        method: opts.method,
        agent: material.agent,
        headers,
        signal: opts.signal,
        timeout: timeoutMs,
      });
      req.on("timeout", () => {
        const e = new Error(`no data from the server for ${timeoutMs} ms`) as NodeJS.ErrnoException;
        e.code = "D2_REQUEST_TIMEOUT";
        req.destroy(e);
      });
      req.on("error", reject);
      req.on("response", (res) => {
        this.answered = true; // the server is there, even if the body then breaks off
        readBody(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
          reject,
        );
      });
      req.end(opts.body);
    });
  }
}

/** Read one response body: chunks are joined once, at the end (one page's text at a time). */
async function readBody(res: http.IncomingMessage): Promise<Buffer> {
  const gzip = /\bgzip\b/i.test(String(res.headers["content-encoding"] ?? ""));
  const stream = gzip ? res.pipe(createGunzip()) : res;
  if (gzip) res.on("error", (e) => stream.destroy(e)); // pipe() does not forward source errors
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  // An interrupted chunked body ends the stream without an error on some node versions.
  if (!res.complete) {
    const e = new Error("response body was cut off (socket hang up)") as NodeJS.ErrnoException;
    e.code = "ECONNRESET";
    throw e;
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function parseStatus(body: Buffer): ApiStatus | undefined {
  if (body.length === 0 || body.length > 1_000_000) return undefined;
  try {
    const v: unknown = JSON.parse(body.toString("utf8"));
    return typeof v === "object" && v !== null ? (v as ApiStatus) : undefined;
  } catch {
    return undefined;
  }
}

/** One phrase for a socket/TLS error, with a hint for the common TLS cases. */
export function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const base = code.startsWith("E") && !err.message.includes(code) ? `${code} ${err.message}` : err.message;
  if (TLS_CODES.test(code))
    return `${base} (TLS: check certificate-authority / tls-server-name in the kubeconfig)`;
  return base;
}

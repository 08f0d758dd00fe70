/**
 * A fault-injecting loopback proxy in front of the real apiserver: plain HTTP on
 * 127.0.0.1:<random port>, forwarding over TLS (the harness CA) with the admin token added,
 * so a kubeconfig with `server: http://127.0.0.1:<port>` and no user works (kubectl-proxy
 * style). A script of rules picks requests and what to do to them instead of (or on top of)
 * forwarding: an error status (429 with Retry-After, 500, 503), a 410 Expired Status for a
 * list page (with or without the server's "inconsistent continue" token), or a response cut
 * off mid-body (the socket destroyed after part of it was written). Every injection is
 * counted per rule so a test can prove the fault really happened.
 *
 * The upstream may also be a plain-HTTP loopback server (a test's Prometheus): then `ca` and
 * `token` are left out, request bodies (POST forms) are forwarded, and the `respond` (any
 * status and body: an API's error JSON, an HTML page, garbage) and `delay` (forward late:
 * a slow server) faults fit an API that is not Kubernetes.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export interface ProxyRequest {
  /** 1-based sequence number over all requests the proxy received. */
  n: number;
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  /** The request body as text ("" for GETs), e.g. a POSTed form. */
  body: string;
}

export type Fault =
  /** Answer with this status and a metav1.Status body; optional Retry-After (seconds). */
  | { type: "status"; status: 429 | 500 | 502 | 503 | 504; retryAfter?: string }
  /**
   * 410 Expired for a list page. With `serverToken`, the Status carries
   * metadata.continue the way the apiserver does (the request's token re-issued at rv -1:
   * "go on from the newest snapshot"); without, the client has to start the list again.
   */
  | { type: "gone"; serverToken: boolean }
  /** Forward, then write only `fraction` of the body (default 0.5) and destroy the socket. */
  | { type: "drop"; fraction?: number }
  /** Answer with exactly this status and body (default content type application/json). */
  | { type: "respond"; status: number; body: string; contentType?: string; retryAfter?: string }
  /** Wait `ms`, then forward (a slow server; the client may give up first). */
  | { type: "delay"; ms: number };

export interface FaultRule {
  name: string;
  match: (req: ProxyRequest) => boolean;
  fault: Fault;
  /** How many matching requests get the fault (default 1); later matches are forwarded. */
  times?: number;
}

export interface InjectedFault {
  rule: string;
  n: number;
  path: string;
  query: string;
  /** For "drop": the Content-Encoding of the response that was cut (e.g. "gzip"). */
  encoding?: string;
}

export interface FaultProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Requests received (including the faulted ones). */
  readonly requests: number;
  /** Injections so far, per rule name (0 for rules never applied). */
  injected(): Record<string, number>;
  /** Every injection, in order. */
  readonly log: readonly InjectedFault[];
  /** Rule names whose `times` were not all used. */
  unused(): string[];
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** https://127.0.0.1:<port> of the apiserver, or http://127.0.0.1:<port> of a plain-HTTP server. */
  upstream: string;
  /** PEM of the CA that signed the apiserver's certificate (https upstreams). */
  ca?: string | Buffer;
  /** Bearer token added to every forwarded request, if given. */
  token?: string;
  rules: FaultRule[];
}

function statusBody(
  code: number,
  reason: string,
  message: string,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: extra,
    status: "Failure",
    message,
    reason,
    code,
  });
}

const REASONS: Record<number, string> = {
  429: "TooManyRequests",
  500: "InternalError",
  502: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/**
 * The token the apiserver returns with 410 Expired: same start key, resourceVersion -1
 * ("continue from the current state"), base64url JSON like the apiserver's own.
 */
export function inconsistentContinueToken(token: string): string | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      v?: string;
      rv?: number;
      start?: string;
    };
    if (typeof decoded.start !== "string") return undefined;
    return Buffer.from(
      JSON.stringify({ v: decoded.v ?? "meta.k8s.io/v1", rv: -1, start: decoded.start }),
      "utf8",
    )
      .toString("base64url")
      .replace(/=+$/, "");
  } catch {
    return undefined;
  }
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(opts.upstream);
  if (upstream.hostname !== "127.0.0.1" && upstream.hostname !== "localhost")
    throw new Error(`fault proxy: upstream must be on loopback, got ${opts.upstream}`);
  const secure = upstream.protocol === "https:";
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 32, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 32 });
  const used = new Map<string, number>(opts.rules.map((r) => [r.name, 0]));
  const log: InjectedFault[] = [];
  let requests = 0;

  const pick = (req: ProxyRequest): FaultRule | undefined =>
    opts.rules.find((r) => (used.get(r.name) ?? 0) < (r.times ?? 1) && r.match(req));

  const server = http.createServer((req, res) => {
    const n = ++requests;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, n, Buffer.concat(chunks)));
  });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, n: number, reqBody: Buffer): void => {
    const url = new URL(req.url ?? "/", "http://proxy.invalid");
    const preq: ProxyRequest = {
      n,
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      body: reqBody.toString("utf8"),
    };
    const rule = pick(preq);
    if (rule) {
      used.set(rule.name, (used.get(rule.name) ?? 0) + 1);
      log.push({ rule: rule.name, n, path: url.pathname, query: url.search });
    }
    const fault = rule?.fault;

    if (fault?.type === "status") {
      const body = statusBody(
        fault.status,
        REASONS[fault.status] ?? "InternalError",
        `injected by the fault proxy (rule ${rule!.name})`,
      );
      res.writeHead(fault.status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        ...(fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {}),
      });
      res.end(body);
      return;
    }
    if (fault?.type === "respond") {
      res.writeHead(fault.status, {
        "content-type": fault.contentType ?? "application/json",
        "content-length": Buffer.byteLength(fault.body),
        ...(fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {}),
      });
      res.end(fault.body);
      return;
    }
    if (fault?.type === "delay") {
      const timer = setTimeout(() => forward(req, res, preq, reqBody, undefined), fault.ms);
      res.on("close", () => clearTimeout(timer)); // the client gave up: forward nothing
      return;
    }
    if (fault?.type === "gone") {
      const token = url.searchParams.get("continue");
      const next = fault.serverToken && token ? inconsistentContinueToken(token) : undefined;
      const body = statusBody(
        410,
        "Expired",
        "The provided continue parameter is too old to display a consistent list result. (injected by the fault proxy)",
        next ? { continue: next } : {},
      );
      res.writeHead(410, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    forward(req, res, preq, reqBody, fault);
  };

  const forward = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    preq: ProxyRequest,
    reqBody: Buffer,
    fault: Fault | undefined,
  ): void => {
    const n = preq.n;
    const headers: http.OutgoingHttpHeaders = {};
    for (const h of ["accept", "accept-encoding", "user-agent", "content-type"]) {
      if (req.headers[h] !== undefined) headers[h] = req.headers[h];
    }
    for (const [k, v] of Object.entries(req.headers)) if (/^impersonate-/i.test(k)) headers[k] = v;
    if (opts.token !== undefined) headers["authorization"] = `Bearer ${opts.token}`;
    if (reqBody.length > 0) headers["content-length"] = reqBody.length;
    const up = (secure ? https : http).request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: preq.method,
        path: req.url,
        headers,
        agent,
        timeout: 60_000,
      },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on("data", (c: Buffer) => chunks.push(c));
        upRes.on("error", () => res.destroy());
        upRes.on("end", () => {
          const body = Buffer.concat(chunks);
          const out: http.OutgoingHttpHeaders = {};
          for (const [k, v] of Object.entries(upRes.headers)) {
            if (
              v === undefined ||
              ["transfer-encoding", "connection", "keep-alive", "content-length"].includes(k)
            )
              continue;
            out[k] = v;
          }
          out["content-length"] = body.length;
          res.writeHead(upRes.statusCode ?? 502, out);
          if (fault?.type === "drop") {
            const entry = log.find((l) => l.n === n);
            if (entry) entry.encoding = String(upRes.headers["content-encoding"] ?? "identity");
            const cut = Math.max(
              1,
              Math.min(body.length - 1, Math.floor(body.length * (fault.fraction ?? 0.5))),
            );
            res.write(body.subarray(0, cut), () => {
              // Give the bytes a moment to leave, then break the connection mid-body.
              setTimeout(() => res.socket?.destroy(), 20);
            });
            return;
          }
          res.end(body);
        });
      },
    );
    up.on("timeout", () => up.destroy(new Error("upstream timeout")));
    up.on("error", (e) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = statusBody(502, "InternalError", `fault proxy: upstream error: ${e.message}`);
      res.writeHead(502, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    up.end(reqBody.length > 0 ? reqBody : undefined);
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    injected: () => Object.fromEntries(used),
    log,
    unused: () => opts.rules.filter((r) => (used.get(r.name) ?? 0) < (r.times ?? 1)).map((r) => r.name),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

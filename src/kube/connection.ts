/**
 * A resolved connection to one API server: where it is, which agent (TLS material, proxy,
 * keep-alive) to use and which headers (auth, impersonation) to send. Built from a kubeconfig
 * by config.ts, or directly with staticConnection() for tests and tooling.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeConfigError } from "./errors.js";

export type HeaderMap = Record<string, string | string[]>;

/** What a request needs right now; may change between calls when credentials rotate. */
export interface RequestMaterial {
  readonly agent: http.Agent;
  readonly headers: HeaderMap;
}

export interface KubeConnection {
  /** Base URL of the API server without a trailing slash; may carry a path prefix. */
  readonly server: string;
  /** Where the settings came from, for messages: a kubeconfig path list or "in-cluster". */
  readonly source: string;
  /** The kubeconfig context used, when there is one. */
  readonly context: string | undefined;
  /** The context's default namespace, when set (callers decide whether to use it). */
  readonly namespace: string | undefined;
  /** Per-request idle timeout in milliseconds. */
  readonly requestTimeoutMs: number;
  /**
   * Agent and headers for the next request. Cached; `forceRefresh` after a 401 re-asks the
   * credential source (client-node re-runs an exec plugin whose token it considers expired).
   */
  material(forceRefresh?: boolean): Promise<RequestMaterial>;
  /** Close idle keep-alive sockets. */
  close(): void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Sockets per agent: the collector's concurrency plus headroom. */
export const DEFAULT_MAX_SOCKETS = 16;

function makeAgent(server: string, tls: https.AgentOptions, maxSockets: number): http.Agent {
  // Keep-alive matters: a big cluster is hundreds of page requests; a TLS handshake each
  // would dominate the run.
  const common = { keepAlive: true, maxSockets, scheduling: "lifo" as const };
  return server.startsWith("http:") ? new http.Agent(common) : new https.Agent({ ...common, ...tls });
}

export interface StaticConnectionOptions {
  server: string;
  /** Extra headers, e.g. `{ Authorization: "Bearer ..." }`. */
  headers?: HeaderMap;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
  requestTimeoutMs?: number;
  maxSockets?: number;
}

/** A connection with fixed settings: for tests, the integration bed, and `kubectl proxy`. */
export function staticConnection(opts: StaticConnectionOptions): KubeConnection {
  const server = opts.server.replace(/\/+$/, "");
  const tls: https.AgentOptions = {};
  if (opts.ca !== undefined) tls.ca = opts.ca;
  if (opts.cert !== undefined) tls.cert = opts.cert;
  if (opts.key !== undefined) tls.key = opts.key;
  if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
  const agent = makeAgent(server, tls, opts.maxSockets ?? DEFAULT_MAX_SOCKETS);
  const material: RequestMaterial = { agent, headers: { ...opts.headers } };
  return {
    server,
    source: "static",
    context: undefined,
    namespace: undefined,
    requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    material: () => Promise.resolve(material),
    close: () => agent.destroy(),
  };
}

export interface ClientNodeConnectionOptions {
  kc: KubeConfig;
  server: string;
  source: string;
  context: string | undefined;
  namespace: string | undefined;
  /** Impersonation headers; replace whatever client-node derived from the user's `as`. */
  impersonation: HeaderMap;
  requestTimeoutMs: number;
  /** Re-ask client-node for credentials at least this often (ms). */
  authRefreshMs: number;
  maxSockets: number;
  /** Name of the user for messages. */
  userName: string | undefined;
}

/**
 * Connection whose TLS material and auth come from client-node's `applyToHTTPSOptions`, which
 * handles tokens, token files, client certs, exec credential plugins, auth providers and
 * proxy-url. We call it once per refresh period rather than per request: its ExecAuth caches a
 * token only until `expirationTimestamp`, and a plugin that omits that field would be spawned
 * for every request. A 401 forces an early refresh.
 */
export function clientNodeConnection(o: ClientNodeConnectionOptions): KubeConnection {
  let cached: { material: RequestMaterial; at: number; tlsId: string } | undefined;
  let pending: Promise<RequestMaterial> | undefined;
  const retired: http.Agent[] = [];

  async function refresh(): Promise<RequestMaterial> {
    const opts: https.RequestOptions = {};
    try {
      await o.kc.applyToHTTPSOptions(opts);
    } catch (err) {
      const msg = err instanceof Error ? err.message.trim().split("\n")[0] : String(err);
      throw new KubeConfigError(
        `${o.source}: credentials for user "${o.userName ?? "(none)"}" failed: ${msg}`,
        {
          cause: err,
        },
      );
    }
    const headers = headerMap(opts.headers);
    for (const k of Object.keys(headers)) if (/^impersonate-/i.test(k)) delete headers[k];
    Object.assign(headers, o.impersonation);
    if (opts.auth && !Object.keys(headers).some((k) => k.toLowerCase() === "authorization")) {
      headers["Authorization"] = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    }
    const tls = tlsOptions(opts);
    // Exec plugins may hand out client certificates; a new certificate needs a new agent.
    const tlsId = createHash("sha256")
      .update(String(tls.cert ?? ""))
      .update(String(tls.key ?? ""))
      .digest("hex");
    let agent = cached?.tlsId === tlsId ? cached.material.agent : undefined;
    if (!agent) {
      if (cached) retired.push(cached.material.agent); // in-flight requests may still use it
      agent = o.kc.getCurrentCluster()?.proxyUrl
        ? proxyAgent(opts, o.maxSockets)
        : makeAgent(o.server, tls, o.maxSockets);
    }
    const material = { agent, headers };
    cached = { material, at: Date.now(), tlsId };
    return material;
  }

  return {
    server: o.server,
    source: o.source,
    context: o.context,
    namespace: o.namespace,
    requestTimeoutMs: o.requestTimeoutMs,
    material(force = false) {
      if (!force && cached && Date.now() - cached.at < o.authRefreshMs)
        return Promise.resolve(cached.material);
      // Concurrent lists share one refresh, so an exec plugin is spawned once, not per list.
      pending ??= refresh().finally(() => (pending = undefined));
      return pending;
    },
    close() {
      cached?.material.agent.destroy();
      for (const a of retired.splice(0)) a.destroy();
    },
  };
}

function headerMap(h: http.OutgoingHttpHeaders | readonly string[] | undefined): HeaderMap {
  const out: HeaderMap = {};
  if (!h || Array.isArray(h)) return out;
  for (const [k, v] of Object.entries(h as http.OutgoingHttpHeaders)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return out;
}

function tlsOptions(opts: https.RequestOptions): https.AgentOptions {
  const tls: https.AgentOptions = {};
  if (opts.ca) tls.ca = opts.ca;
  if (opts.cert) tls.cert = opts.cert;
  if (opts.key) tls.key = opts.key;
  if (opts.servername) tls.servername = opts.servername;
  if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
  return tls;
}

/**
 * With proxy-url, reuse the agent client-node built (hpagent for http(s) proxies,
 * socks-proxy-agent for socks) so we need no proxy packages of our own. client-node does not
 * pass keepAlive; node's Agent reads `keepAlive` at request time, so turning it on afterwards
 * is enough for sockets to be reused.
 */
function proxyAgent(opts: https.RequestOptions, maxSockets: number): http.Agent {
  const agent = opts.agent;
  if (!(agent instanceof http.Agent))
    throw new KubeConfigError("proxy-url is set but no proxy agent could be created");
  (agent as http.Agent & { keepAlive: boolean }).keepAlive = true;
  agent.maxSockets = maxSockets;
  return agent;
}

/**
 * Finding and loading cluster settings the way kubectl does: --kubeconfig, else KUBECONFIG
 * (a path-list, merged first-wins), else ~/.kube/config, else in-cluster (service account).
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { homedir } from "node:os";
import path from "node:path";
import type { Cluster, Context, User } from "@kubernetes/client-node";
import {
  clientNodeConnection,
  DEFAULT_MAX_SOCKETS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type HeaderMap,
  type KubeConnection,
} from "./connection.js";
import { KubeConfigError } from "./errors.js";
import {
  type KubeconfigEntry,
  mergeKubeconfigs,
  type RawKubeconfig,
  readKubeconfigFile,
  resolveContext,
  type ResolvedContext,
  userImpersonation,
} from "./kubeconfig-file.js";

export interface KubeConfigOptions {
  /** --kubeconfig: one file; wins over KUBECONFIG. */
  kubeconfig?: string;
  /** --context: wins over current-context. */
  context?: string;
  /** --as: impersonate this user (wins over the kubeconfig user's `as`). */
  as?: string;
  /** --as-group: impersonate these groups (win over the user's `as-groups`). */
  asGroups?: string[];
  /** Per-request idle timeout; default 60 s. */
  requestTimeoutMs?: number;
  /** How often to re-ask client-node for credentials (exec tokens); default 60 s. */
  authRefreshMs?: number;
  /** Keep-alive sockets per agent; default 16. */
  maxSockets?: number;
  /** Environment to read (KUBECONFIG, HOME, KUBERNETES_SERVICE_*); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Home directory; default $HOME, else os.homedir(). */
  homeDir?: string;
  /** Prefix for the service account directory (tests); default "". */
  inClusterRoot?: string;
}

/** Where settings come from, before anything is read. */
export type KubeConfigSource =
  | { type: "files"; files: string[]; origin: "--kubeconfig" | "KUBECONFIG" | "home" }
  | { type: "in-cluster"; tokenFile: string }
  | { type: "none" };

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

function exists(file: string): boolean {
  try {
    accessSync(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Decide where settings come from (kubectl's precedence) without reading them. */
export function resolveKubeConfigSource(opts: KubeConfigOptions = {}): KubeConfigSource {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) return { type: "files", files: [opts.kubeconfig], origin: "--kubeconfig" };
  const list = (env["KUBECONFIG"] ?? "").split(path.delimiter).filter((f) => f !== "");
  // A set KUBECONFIG is an explicit choice even when its files are missing: loading then
  // fails with a clear message instead of silently falling back to the demo cluster.
  if (list.length > 0) return { type: "files", files: list, origin: "KUBECONFIG" };
  const home = opts.homeDir ?? env["HOME"] ?? homedir();
  const homeConfig = path.join(home, ".kube", "config");
  if (home && exists(homeConfig)) return { type: "files", files: [homeConfig], origin: "home" };
  const tokenFile = `${opts.inClusterRoot ?? ""}${SA_DIR}/token`;
  if (env["KUBERNETES_SERVICE_HOST"] && env["KUBERNETES_SERVICE_PORT"] && exists(tokenFile)) {
    return { type: "in-cluster", tokenFile };
  }
  return { type: "none" };
}

/** Whether any cluster settings are available; when not, the CLI runs the demo cluster. */
export function hasKubeConfig(opts: KubeConfigOptions = {}): boolean {
  return resolveKubeConfigSource(opts).type !== "none";
}

/**
 * Impersonation headers, kubectl's rules: --as replaces the user's `as`, --as-group replaces
 * `as-groups`; groups without a user are refused (the API server would reject them).
 */
export function impersonationHeaders(
  flags: { as?: string | undefined; asGroups?: string[] | undefined },
  user: { as?: string | undefined; asGroups?: string[] | undefined } = {},
): HeaderMap {
  const as = flags.as || user.as;
  const groups = flags.asGroups && flags.asGroups.length > 0 ? flags.asGroups : (user.asGroups ?? []);
  const headers: HeaderMap = {};
  if (!as) {
    if (groups.length > 0) {
      throw new KubeConfigError(
        `impersonating groups (${groups.join(", ")}) requires a user to impersonate: add --as`,
      );
    }
    return headers;
  }
  headers["Impersonate-User"] = as;
  if (groups.length > 0) headers["Impersonate-Group"] = [...groups];
  return headers;
}

function readFiles(source: Extract<KubeConfigSource, { type: "files" }>): RawKubeconfig {
  if (source.origin !== "KUBECONFIG") return readKubeconfigFile(source.files[0] ?? "");
  // kubectl skips missing files in the KUBECONFIG list; all missing is an error.
  const present = source.files.filter(exists);
  if (present.length === 0) {
    throw new KubeConfigError(`KUBECONFIG names no existing file: ${source.files.join(path.delimiter)}`, {
      file: source.files[0],
    });
  }
  return mergeKubeconfigs(present.map(readKubeconfigFile));
}

function str(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** client-node's Cluster from our validated entry. */
function toCluster(entry: KubeconfigEntry, server: string): Cluster {
  const b = entry.body;
  return {
    name: entry.name,
    server,
    caData: str(b, "certificate-authority-data"),
    caFile: str(b, "certificate-authority"),
    // client-node refuses http:// unless skipTLSVerify; for plain http TLS is moot anyway.
    skipTLSVerify: b["insecure-skip-tls-verify"] === true || server.startsWith("http:"),
    tlsServerName: str(b, "tls-server-name"),
    proxyUrl: str(b, "proxy-url"),
  };
}

/** client-node's User; impersonation is left out because we set those headers ourselves. */
function toUser(entry: KubeconfigEntry): User {
  const b = entry.body;
  const tokenFile = str(b, "token-file");
  let authProvider: unknown = b["auth-provider"] ?? undefined;
  // client-node reads token-file once at load; its tokenFile provider re-reads it every
  // minute, which is what projected (rotating) service account tokens need.
  if (!authProvider && tokenFile && !str(b, "token") && !b["exec"]) {
    authProvider = { name: "tokenFile", config: { tokenFile } };
  }
  return {
    name: entry.name,
    token: str(b, "token"),
    certData: str(b, "client-certificate-data"),
    certFile: str(b, "client-certificate"),
    keyData: str(b, "client-key-data"),
    keyFile: str(b, "client-key"),
    exec: b["exec"] ?? undefined,
    authProvider,
    username: str(b, "username"),
    password: str(b, "password"),
  };
}

/**
 * client-go's InClusterConfig, built here rather than with client-node's loadFromCluster so
 * the environment can be injected (tests) and the scheme is always https as in client-go.
 * The token goes through client-node's tokenFile provider, which re-reads it every minute:
 * projected service account tokens rotate.
 */
function inClusterConfig(env: NodeJS.ProcessEnv, root: string, tokenFile: string) {
  const host = env["KUBERNETES_SERVICE_HOST"] ?? "";
  const port = env["KUBERNETES_SERVICE_PORT"] ?? "";
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  let namespace: string | undefined;
  try {
    namespace = readFileSync(`${root}${SA_DIR}/namespace`, "utf8").trim() || undefined;
  } catch {
    namespace = undefined; // optional, as in client-go
  }
  const cluster: Cluster = {
    name: "in-cluster",
    server,
    caFile: `${root}${SA_DIR}/ca.crt`,
    skipTLSVerify: false,
  };
  const user: User = { name: "service-account", authProvider: { name: "tokenFile", config: { tokenFile } } };
  const context: Context = { name: "in-cluster", cluster: cluster.name, user: user.name, namespace };
  return {
    clusters: [cluster] as const,
    users: [user],
    contexts: [context] as const,
    currentContext: context.name,
  };
}

/**
 * Load settings and build a connection (nothing is sent to the server yet, but credentials are
 * obtained once, so a failing exec plugin is reported here). Throws KubeConfigError.
 */
export async function loadKubeConfig(opts: KubeConfigOptions = {}): Promise<KubeConnection> {
  const source = resolveKubeConfigSource(opts);
  if (source.type === "none") {
    throw new KubeConfigError(
      "no kubeconfig found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config or run in a cluster",
    );
  }
  // client-node is large; import it only when a live cluster is actually used.
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  const common = {
    requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    authRefreshMs: opts.authRefreshMs ?? 60_000,
    maxSockets: opts.maxSockets ?? DEFAULT_MAX_SOCKETS,
  };
  let conn: KubeConnection;
  if (source.type === "in-cluster") {
    if (opts.context) {
      throw new KubeConfigError(
        `--context "${opts.context}" given but no kubeconfig was found (running in-cluster)`,
      );
    }
    const env = opts.env ?? process.env;
    const inCluster = inClusterConfig(env, opts.inClusterRoot ?? "", source.tokenFile);
    kc.loadFromOptions(inCluster);
    conn = clientNodeConnection({
      kc,
      server: inCluster.clusters[0].server,
      source: "in-cluster",
      context: undefined,
      namespace: inCluster.contexts[0].namespace,
      impersonation: impersonationHeaders(opts),
      userName: "service account",
      ...common,
    });
  } else {
    const raw = readFiles(source);
    const ctx: ResolvedContext = resolveContext(raw, opts.context);
    const user = ctx.user ? toUser(ctx.user) : { name: "(none)" };
    const context: Context = {
      name: ctx.name,
      cluster: ctx.cluster.name,
      user: user.name,
      namespace: ctx.namespace,
    };
    kc.loadFromOptions({
      clusters: [toCluster(ctx.cluster, ctx.server)],
      users: [user],
      contexts: [context],
      currentContext: ctx.name,
    });
    conn = clientNodeConnection({
      kc,
      server: ctx.server,
      source: `kubeconfig ${raw.files.join(path.delimiter)}`,
      context: ctx.name,
      namespace: ctx.namespace,
      impersonation: impersonationHeaders(opts, userImpersonation(ctx.user)),
      userName: ctx.user?.name,
      ...common,
    });
  }
  await conn.material(); // surface credential problems (exec plugin, unreadable files) now
  return conn;
}

/**
 * Reading, validating and merging kubeconfig files ourselves, before client-node sees them:
 * client-node's loader throws bare "clusters[0].cluster.server is missing" without the file,
 * lets the last file of KUBECONFIG win (kubectl lets the first win), throws on duplicate
 * names (kubectl ignores later ones), and drops `as-groups`. Here every message names the
 * file and the field, and the merge follows kubectl.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { KubeConfigError } from "./errors.js";

type Mapping = Record<string, unknown>;

/** One named entry (cluster, user or context) and where it was defined. */
export interface KubeconfigEntry {
  readonly name: string;
  /** The inner mapping (`cluster:`, `user:` or `context:`), paths already made absolute. */
  readonly body: Mapping;
  readonly file: string;
  /** Field path for messages, e.g. `users[2].user`. */
  readonly field: string;
}

export interface RawKubeconfig {
  readonly files: readonly string[];
  currentContext: { value: string; file: string } | undefined;
  readonly clusters: Map<string, KubeconfigEntry>;
  readonly users: Map<string, KubeconfigEntry>;
  readonly contexts: Map<string, KubeconfigEntry>;
}

/** The context chosen, with its cluster and (optional) user, all validated. */
export interface ResolvedContext {
  readonly name: string;
  readonly file: string;
  readonly namespace: string | undefined;
  readonly cluster: KubeconfigEntry;
  readonly server: string;
  readonly user: KubeconfigEntry | undefined;
}

const SECTIONS = [
  { key: "clusters", inner: "cluster" },
  { key: "users", inner: "user" },
  { key: "contexts", inner: "context" },
] as const;

/** Fields holding file paths, resolved relative to the kubeconfig's directory like kubectl. */
const PATH_FIELDS: Record<string, readonly string[]> = {
  cluster: ["certificate-authority"],
  user: ["client-certificate", "client-key", "token-file"],
  context: [],
};

function isMapping(v: unknown): v is Mapping {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function where(file: string): string {
  return `kubeconfig ${file}`;
}

/** Parse one kubeconfig file into a RawKubeconfig (not yet merged or resolved). */
export function readKubeconfigFile(file: string): RawKubeconfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === "ENOENT" ? "file not found" : `cannot read file (${code ?? String(err)})`;
    throw new KubeConfigError(`${where(file)}: ${what}`, { cause: err, file });
  }
  return parseKubeconfig(text, file);
}

/** Parse kubeconfig text; `file` is used for messages and to resolve relative paths. */
export function parseKubeconfig(text: string, file: string): RawKubeconfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // yaml's messages span several lines with an excerpt; the first line has the position.
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new KubeConfigError(`${where(file)}: not valid YAML: ${first}`, { cause: err, file });
  }
  const raw: RawKubeconfig = {
    files: [file],
    currentContext: undefined,
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  if (doc === null || doc === undefined) return raw; // an empty file is an empty config, as in kubectl
  if (!isMapping(doc)) {
    throw new KubeConfigError(
      `${where(file)}: not a kubeconfig (expected a mapping with clusters, users and contexts)`,
      {
        file,
      },
    );
  }
  const current = doc["current-context"];
  if (typeof current === "string" && current !== "") raw.currentContext = { value: current, file };
  const dir = path.dirname(path.resolve(file));
  for (const { key, inner } of SECTIONS) {
    const list = doc[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list))
      throw new KubeConfigError(`${where(file)}: field "${key}" must be a list`, { file });
    list.forEach((item: unknown, i: number) => {
      const entry = readEntry(item, `${key}[${i}]`, inner, file, dir);
      const map = raw[key];
      if (!map.has(entry.name)) map.set(entry.name, entry); // first definition wins, as in kubectl
    });
  }
  return raw;
}

function readEntry(item: unknown, field: string, inner: string, file: string, dir: string): KubeconfigEntry {
  if (!isMapping(item)) throw new KubeConfigError(`${where(file)}: ${field} must be a mapping`, { file });
  const name = item["name"];
  if (typeof name !== "string" || name === "") {
    throw new KubeConfigError(`${where(file)}: ${field}.name is missing`, { file });
  }
  const body = item[inner] ?? {};
  if (!isMapping(body))
    throw new KubeConfigError(`${where(file)}: ${field}.${inner} must be a mapping`, { file });
  const absolute: Mapping = { ...body };
  for (const f of PATH_FIELDS[inner] ?? []) {
    const v = absolute[f];
    if (typeof v === "string" && v !== "" && !path.isAbsolute(v)) absolute[f] = path.join(dir, v);
  }
  // kubectl resolves a relative exec command that contains a separator against the file's dir.
  if (isMapping(absolute["exec"])) {
    const exec = { ...absolute["exec"] };
    const cmd = exec["command"];
    if (typeof cmd === "string" && cmd.includes("/") && !path.isAbsolute(cmd))
      exec["command"] = path.join(dir, cmd);
    absolute["exec"] = exec;
  }
  return { name, body: absolute, file, field: `${field}.${inner}` };
}

/** Merge files in KUBECONFIG order: the first file to define a name or current-context wins. */
export function mergeKubeconfigs(parts: readonly RawKubeconfig[]): RawKubeconfig {
  const merged: RawKubeconfig = {
    files: parts.flatMap((p) => p.files),
    currentContext: undefined,
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  for (const part of parts) {
    merged.currentContext ??= part.currentContext;
    for (const { key } of SECTIONS) {
      for (const [name, entry] of part[key]) if (!merged[key].has(name)) merged[key].set(name, entry);
    }
  }
  return merged;
}

function filesText(raw: RawKubeconfig): string {
  return raw.files.join(path.delimiter);
}

function available(map: Map<string, unknown>): string {
  return map.size === 0 ? "none defined" : `available: ${[...map.keys()].join(", ")}`;
}

/**
 * Pick the context (the flag, else current-context) and check everything a connection needs:
 * the cluster exists and has a usable server URL, the user exists and has credentials, files
 * it names are readable. Throws KubeConfigError naming the file and field.
 */
export function resolveContext(raw: RawKubeconfig, contextFlag?: string): ResolvedContext {
  const name = contextFlag ?? raw.currentContext?.value;
  if (name === undefined) {
    throw new KubeConfigError(
      `${where(filesText(raw))}: no current-context set and no --context given (contexts: ${available(raw.contexts)})`,
      { file: raw.files[0] },
    );
  }
  const ctx = raw.contexts.get(name);
  if (!ctx) {
    const file = contextFlag === undefined ? (raw.currentContext?.file ?? filesText(raw)) : filesText(raw);
    const origin = contextFlag === undefined ? "current-context" : "--context";
    throw new KubeConfigError(
      `${where(file)}: context "${name}" (from ${origin}) not found (${available(raw.contexts)})`,
      {
        file,
      },
    );
  }
  const clusterName = ctx.body["cluster"];
  if (typeof clusterName !== "string" || clusterName === "") {
    throw new KubeConfigError(
      `${where(ctx.file)}: context "${name}" has no cluster (field ${ctx.field}.cluster)`,
      {
        file: ctx.file,
      },
    );
  }
  const cluster = raw.clusters.get(clusterName);
  if (!cluster) {
    throw new KubeConfigError(
      `${where(ctx.file)}: context "${name}" refers to cluster "${clusterName}", which is not defined (${available(raw.clusters)})`,
      { file: ctx.file },
    );
  }
  const server = checkCluster(cluster);
  const userName = ctx.body["user"];
  let user: KubeconfigEntry | undefined;
  if (typeof userName === "string" && userName !== "") {
    user = raw.users.get(userName);
    if (!user) {
      throw new KubeConfigError(
        `${where(ctx.file)}: context "${name}" refers to user "${userName}", which is not defined (${available(raw.users)})`,
        { file: ctx.file },
      );
    }
  }
  // A plain-http server is `kubectl proxy` style: the proxy authenticates, so no user is fine.
  const plainHttp = server.startsWith("http:");
  if (user) checkUser(user, name, plainHttp);
  else if (!plainHttp) {
    throw new KubeConfigError(
      `${where(ctx.file)}: context "${name}" has no user (field ${ctx.field}.user), so no credentials`,
      {
        file: ctx.file,
      },
    );
  }
  const ns = ctx.body["namespace"];
  return {
    name,
    file: ctx.file,
    namespace: typeof ns === "string" && ns !== "" ? ns : undefined,
    cluster,
    server,
    user,
  };
}

function fail(entry: KubeconfigEntry, message: string): never {
  throw new KubeConfigError(`${where(entry.file)}: ${message}`, { file: entry.file });
}

function checkReadable(entry: KubeconfigEntry, key: string): void {
  const v = entry.body[key];
  if (typeof v !== "string" || v === "") return;
  try {
    accessSync(v, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new KubeConfigError(`${where(entry.file)}: ${entry.field}.${key}: cannot read ${v} (${code})`, {
      cause: err,
      file: entry.file,
    });
  }
}

function checkCluster(cluster: KubeconfigEntry): string {
  const server = cluster.body["server"];
  if (typeof server !== "string" || server === "") {
    fail(cluster, `cluster "${cluster.name}" has no server (field ${cluster.field}.server)`);
  }
  let url: URL;
  try {
    url = new URL(server);
  } catch (err) {
    throw new KubeConfigError(`${where(cluster.file)}: ${cluster.field}.server: "${server}" is not a URL`, {
      cause: err,
      file: cluster.file,
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    fail(cluster, `${cluster.field}.server: "${server}" must be an https:// or http:// URL`);
  }
  const proxy = cluster.body["proxy-url"];
  if (proxy !== undefined && (typeof proxy !== "string" || !/^(https?|socks[45]h?):\/\//.test(proxy))) {
    fail(cluster, `${cluster.field}.proxy-url: must be an http://, https:// or socks5:// URL`);
  }
  checkReadable(cluster, "certificate-authority");
  return server.replace(/\/+$/, "");
}

function has(body: Mapping, key: string): boolean {
  const v = body[key];
  return v !== undefined && v !== null && v !== "";
}

function checkUser(user: KubeconfigEntry, context: string, plainHttp: boolean): void {
  const b = user.body;
  const cert = has(b, "client-certificate") || has(b, "client-certificate-data");
  const key = has(b, "client-key") || has(b, "client-key-data");
  if (cert !== key) {
    fail(
      user,
      `user "${user.name}" has a client ${cert ? "certificate without a key" : "key without a certificate"} (${user.field})`,
    );
  }
  if (has(b, "exec")) {
    const exec = b["exec"];
    if (!isMapping(exec) || typeof exec["command"] !== "string" || exec["command"] === "") {
      fail(user, `user "${user.name}": ${user.field}.exec.command is missing`);
    }
  }
  const credentials =
    has(b, "token") ||
    has(b, "token-file") ||
    (cert && key) ||
    has(b, "exec") ||
    has(b, "auth-provider") ||
    (has(b, "username") && has(b, "password"));
  if (!credentials && !plainHttp) {
    fail(
      user,
      `user "${user.name}" (context "${context}") has no credentials: set token, token-file, client-certificate and client-key, exec, auth-provider or username and password (${user.field})`,
    );
  }
  for (const k of ["client-certificate", "client-key", "token-file"]) checkReadable(user, k);
}

/** The kubeconfig user's own impersonation fields (`as`, `as-groups`). */
export function userImpersonation(user: KubeconfigEntry | undefined): { as?: string; asGroups?: string[] } {
  if (!user) return {};
  const as = user.body["as"];
  const groups = user.body["as-groups"];
  return {
    ...(typeof as === "string" && as !== "" ? { as } : {}),
    ...(Array.isArray(groups) ? { asGroups: groups.filter((g): g is string => typeof g === "string") } : {}),
  };
}

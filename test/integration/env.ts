/**
 * What every integration test file shares: the running cluster described by the JSON file
 * that run.ts writes (DAY2_IT_CLUSTER), the day2 CLI as a subprocess, a raw API client, and
 * namespaces of its own. Nothing here starts a cluster: run.ts starts exactly one per run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { staticConnection, type KubeConnection } from "../../src/kube/index.js";
import type { Report } from "../../src/report/report.js";
import { httpsJson, waitFor } from "../cluster/harness.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");

/** The JSON file run.ts writes and hands to the test processes. */
export interface ItClusterInfo {
  version: string;
  server: string;
  binDir: string;
  /** Temp dir of the cluster (certs, kubeconfigs, logs/). */
  dir: string;
  kubeconfig: string;
  readOnlyKubeconfig: string;
  certKubeconfig: string;
  execKubeconfig: string;
  adminToken: string;
  viewerToken: string;
  /** The user name of readOnlyKubeconfig (bound to the `view` ClusterRole). */
  viewerUser: string;
  caCertPath: string;
  /** CA of the aggregation layer's proxy client certificate (harness frontProxyCaCertPath). */
  frontProxyCaCertPath: string;
  etcdUrl: string;
  /** scenario name -> namespace (test/cluster/scenarios.ts). */
  scenarios: Record<string, string>;
  nodes: { name: string; pool: string; zone: string }[];
  doomedNode: string;
}

export const CLUSTER_ENV = "DAY2_IT_CLUSTER";

let cached: ItClusterInfo | undefined;

/** The shared cluster; throws (so the test fails, never skips) when run outside run.ts. */
export function cluster(): ItClusterInfo {
  if (cached) return cached;
  const file = process.env[CLUSTER_ENV];
  if (!file) {
    throw new Error(
      `${CLUSTER_ENV} is not set: integration tests need the shared cluster; run them with ` +
        "`node --import tsx test/integration/run.ts` (npm run test:integration)",
    );
  }
  try {
    cached = JSON.parse(readFileSync(file, "utf8")) as ItClusterInfo;
  } catch (e) {
    throw new Error(`${CLUSTER_ENV}=${file}: cannot read the cluster description: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return cached;
}

/** A temp dir for one test file, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `day2-it-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------
// the CLI

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `day2 ...` as a user would: its own process, an empty HOME, no KUBECONFIG, no colour.
 * Async, so a test's own servers (the fault proxy) keep serving while it runs.
 */
export function day2(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Run> {
  const home = mkdtempSync(join(tmpdir(), "day2-it-home-"));
  const { KUBECONFIG: _k, ...rest } = process.env;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], {
      cwd: ROOT,
      env: { ...rest, HOME: home, NO_COLOR: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        ms: Date.now() - t0,
      });
    });
  });
}

/** Parses `day2 report -o json` output, with the command's stderr in the error when it is not JSON. */
export function parseReport(r: Run): Report {
  try {
    return JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(
      `day2 report did not print JSON (exit ${r.code}); stderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 2000)}`,
    );
  }
}

/** "rule kind namespace/name" for each finding: the identity two reports are compared by. */
export function findingKeys(report: Report): string[] {
  return report.findings
    .map(
      (f) =>
        `${f.rule} ${f.object.kind} ${f.object.namespace}/${f.object.name}${f.container ? ` [${f.container}]` : ""}`,
    )
    .sort();
}

/** The stderr lines that are not progress chatter ("collected Pod: 12 objects"). */
export function stderrLines(r: Run): string[] {
  return r.stderr.split("\n").filter((l) => l.trim() !== "");
}

// ---------------------------------------------------------------------------------------
// kubeconfigs

/** Writes a copy of a kubeconfig with `edit` applied to its parsed form; returns the path. */
export function editKubeconfig(from: string, to: string, edit: (doc: KubeconfigDoc) => void): string {
  const doc = parseYaml(readFileSync(from, "utf8")) as KubeconfigDoc;
  edit(doc);
  writeFileSync(to, stringifyYaml(doc), { mode: 0o600 });
  return to;
}

export interface KubeconfigDoc {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  "current-context": string;
  [k: string]: unknown;
}

/** A kubeconfig for a plain-http server that needs no credentials (a proxy that adds them). */
export function plainHttpKubeconfig(path: string, server: string): string {
  const doc: KubeconfigDoc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "via-proxy", cluster: { server } }],
    users: [{ name: "via-proxy", user: {} }],
    contexts: [{ name: "via-proxy", context: { cluster: "via-proxy", user: "via-proxy" } }],
    "current-context": "via-proxy",
  };
  writeFileSync(path, stringifyYaml(doc), { mode: 0o600 });
  return path;
}

// ---------------------------------------------------------------------------------------
// the API

/** A KubeConnection for the admin token (what the library code under test takes). */
export function adminConnection(opts: { requestTimeoutMs?: number } = {}): KubeConnection {
  const c = cluster();
  return staticConnection({
    server: c.server,
    ca: readFileSync(c.caCertPath),
    headers: { Authorization: `Bearer ${c.adminToken}` },
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
  });
}

let agent: Agent | undefined;

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** One raw HTTPS request to the apiserver as admin (JSON in, JSON out), over a keep-alive agent. */
export function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string; contentType?: string; timeoutMs?: number } = {},
): Promise<ApiResponse<T>> {
  const c = cluster();
  agent ??= new Agent({ keepAlive: true, maxSockets: 32, ca: readFileSync(c.caCertPath) });
  return httpsJson<T>({ server: c.server, token: opts.token ?? c.adminToken, agent }, method, path, body, {
    contentType: opts.contentType,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
}

/** Closes the keep-alive sockets of api() so a test process can exit. */
export function closeApi(): void {
  agent?.destroy();
  agent = undefined;
}

/** Creates a namespace `<prefix>-xxxxxxxx` (labelled day2.test/integration) and waits for its default ServiceAccount. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(16).slice(2, 10)}`;
  const r = await api("POST", "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "day2.test/integration": prefix } },
  });
  if (r.status !== 201)
    throw new Error(`creating namespace ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  await waitFor(
    async () => (await api("GET", `/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200,
    {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: `default ServiceAccount in ${name}`,
    },
  );
  return name;
}

/** Deletes a namespace and (by default) waits until it is gone, so later tests see a quiet cluster. */
export async function deleteNamespace(
  name: string,
  opts: { wait?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  const r = await api("DELETE", `/api/v1/namespaces/${name}`);
  if (r.status !== 200 && r.status !== 202 && r.status !== 404)
    throw new Error(`deleting namespace ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  if (opts.wait === false) return;
  await waitFor(async () => (await api("GET", `/api/v1/namespaces/${name}`)).status === 404, {
    timeoutMs: opts.timeoutMs ?? 120_000,
    intervalMs: 500,
    description: `namespace ${name} deleted`,
  });
}

/**
 * Runs `fn` over `items` with at most `limit` in flight; rejects with the first error after
 * the in-flight ones settle.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
  return out;
}

/**
 * A real Kubernetes control plane for integration tests: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes and pod lifecycle), all on
 * free 127.0.0.1 ports, built by test/cluster/build.sh and found in the same cache.
 *
 *   const cluster = await startCluster({ nodes: defaultNodes() });
 *   try { ... cluster.kubeconfigPath ... } finally { await cluster.stop(); }
 *
 * Every process is stopped by its pid and the temp dirs removed in stop(), also when
 * startup fails halfway and (best effort, SIGKILL) when the test process exits.
 */
import { spawn, execFile, execFileSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from "node:fs";
import { type Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as yamlStringify } from "yaml";

export const DEFAULT_VERSION = "v1.37.2";
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "fixtures");
/** The stage set used unless kwokStages says otherwise: kwok's normal pod lifecycle plus the scenario stages. */
export const DEFAULT_KWOK_STAGES = [join(FIXTURES_DIR, "kwok-stages.yaml")];
/** Annotation that makes kwok manage a Node. Remove it and the node stops heartbeating. */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";
export const POOL_LABEL = "eks.amazonaws.com/nodegroup";
export const SCENARIO_LABEL = "day2.test/scenario";

export interface NodeSpec {
  name: string;
  /** Node pool (written as eks.amazonaws.com/nodegroup and node.kubernetes.io/pool). */
  pool: string;
  /** e.g. us-east-1a; the region label is the zone without its last letter. */
  zone: string;
  /** Capacity = allocatable, e.g. "4" or "3920m". */
  cpu: string;
  /** e.g. "16Gi". */
  memory: string;
  pods?: number;
  instanceType?: string;
  capacityType?: "ON_DEMAND" | "SPOT";
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  taints?: { key: string; value?: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
}

export interface StartOptions {
  /** Kubernetes version whose binaries to use (default v1.37.2). */
  version?: string;
  /** Fake nodes managed by kwok (default: defaultNodes()). Pass [] for none. */
  nodes?: NodeSpec[];
  /** Paths of kwok Stage YAML files (default: DEFAULT_KWOK_STAGES). [] runs kwok with its built-in stages. */
  kwokStages?: string[];
  /** Leave the processes running when this Node process exits (for `npm run cluster:up`). */
  detached?: boolean;
  /** Progress messages (default: silent unless DAY2_TESTBED_VERBOSE=1). */
  log?: (msg: string) => void;
  /**
   * kwok's pod IP range (default 10.244.0.0/16). Loopback ranges such as 127.64.0.0/16 are
   * accepted for pods, but Endpoints/EndpointSlice validation rejects loopback addresses, so
   * Services would never get endpoints. Pod IPs are labels only: nothing may connect to them.
   */
  podCIDR?: string;
  /**
   * Address written as the endpoint of default/kubernetes (default 192.0.2.10, RFC 5737
   * TEST-NET-1: a label, never contacted; Endpoints validation refuses 127.0.0.1). "none"
   * runs the apiserver with --endpoint-reconciler-type=none: that Service then has no endpoints.
   */
  advertiseAddress?: string;
  /** Node monitor grace period of the node-lifecycle controller (default "20s"). */
  nodeMonitorGracePeriod?: string;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  input?: string;
  /** Defaults to the admin kubeconfig. */
  kubeconfig?: string;
  /** Resolve instead of reject on a non-zero exit. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Used in the timeout error. */
  description?: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** What is needed to stop a cluster from another process (written by up.ts). */
export interface ClusterState {
  version: string;
  dir: string;
  etcdDir: string;
  server: string;
  kubeconfigPath: string;
  readOnlyKubeconfigPath: string;
  certKubeconfigPath: string;
  execKubeconfigPath: string;
  processes: { name: string; pid: number; binary: string }[];
  startedAt: string;
}

export interface TestCluster {
  version: string;
  binDir: string;
  /** Temp dir holding certs, kubeconfigs, tokens.csv and logs/. */
  dir: string;
  server: string;
  /** Admin (system:masters) via bearer token. */
  kubeconfigPath: string;
  adminToken: string;
  /** User "day2-viewer" bound to the `view` ClusterRole (token). */
  readOnlyKubeconfigPath: string;
  viewerToken: string;
  /** User "day2-cert-admin" (group system:masters) via a client certificate signed by caCertPath. */
  certKubeconfigPath: string;
  /** User "day2-exec-admin" whose token comes from fixtures/exec-credential.sh. */
  execKubeconfigPath: string;
  /** The CA that signed the apiserver's serving certificate and the client certificate. */
  caCertPath: string;
  /**
   * The front-proxy CA: it signs the client certificate (CN front-proxy-client) the aggregation
   * layer presents to APIService backends, which check it to trust the X-Remote-User headers.
   */
  frontProxyCaCertPath: string;
  /** etcd's client URL (http://127.0.0.1:<port>), e.g. to compact it and expire continue tokens. */
  etcdUrl: string;
  tokensPath: string;
  nodes: NodeSpec[];
  state: ClusterState;
  kubectl(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** `kubectl get ... -o json`, parsed. */
  getJson<T = unknown>(args: string[], opts?: KubectlOptions): Promise<T>;
  /** Server-side apply of YAML text (multi-doc) or objects. */
  apply(
    manifests: string | object | object[],
    opts?: { namespace?: string; kubeconfig?: string },
  ): Promise<void>;
  /** Apply a file under test/cluster/fixtures (or an absolute path). */
  applyFixture(name: string, opts?: { namespace?: string }): Promise<void>;
  /** Raw HTTPS call to the apiserver as admin (or with the given token). */
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<ApiResponse<T>>;
  /** Creates a namespace (random suffix) and waits for its default ServiceAccount. */
  createNamespace(prefix?: string, labels?: Record<string, string>): Promise<string>;
  /** Creates (or replaces) fake nodes; they turn Ready once kwok picks them up. */
  addNodes(nodes: NodeSpec[], opts?: { waitReady?: boolean }): Promise<void>;
  /** Removes the kwok annotation: the node stops heartbeating and the node-lifecycle controller marks it NotReady. */
  stopNodeHeartbeat(name: string): Promise<void>;
  waitFor<T>(
    fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    opts?: WaitOptions,
  ): Promise<T>;
  /** Last lines of one component's log (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok). */
  logTail(name: string, lines?: number): string;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// binaries

export function cacheRoot(): string {
  return process.env.DAY2_TESTBED_CACHE ?? join(homedir(), ".cache", "day2-testbed");
}

export function binDir(version = DEFAULT_VERSION): string {
  return process.env.DAY2_TESTBED_BIN ?? join(cacheRoot(), version, "bin");
}

const BINARIES = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubectl",
  "kwok",
] as const;

/** True when every binary build.sh makes is present. */
export function binariesPresent(version = DEFAULT_VERSION): boolean {
  return BINARIES.every((b) => existsSync(join(binDir(version), b)));
}

function requireBinaries(version: string): string {
  const dir = binDir(version);
  const missing = BINARIES.filter((b) => !existsSync(join(dir, b)));
  if (missing.length > 0) {
    throw new Error(
      `test cluster binaries missing in ${dir}: ${missing.join(", ")}; run: bash test/cluster/build.sh ${version}`,
    );
  }
  return dir;
}

// ---------------------------------------------------------------------------------------
// nodes

/** Four nodes in two pools across three zones: a realistic small cluster. */
export function defaultNodes(): NodeSpec[] {
  return [
    {
      name: "general-a-1",
      pool: "general",
      zone: "us-east-1a",
      cpu: "4",
      memory: "16Gi",
      instanceType: "m5.xlarge",
    },
    {
      name: "general-b-1",
      pool: "general",
      zone: "us-east-1b",
      cpu: "4",
      memory: "16Gi",
      instanceType: "m5.xlarge",
    },
    {
      name: "general-c-1",
      pool: "general",
      zone: "us-east-1c",
      cpu: "4",
      memory: "16Gi",
      instanceType: "m5.xlarge",
    },
    {
      name: "memory-a-1",
      pool: "memory",
      zone: "us-east-1a",
      cpu: "4",
      memory: "32Gi",
      instanceType: "r5.xlarge",
      capacityType: "SPOT",
    },
  ];
}

export function nodeObject(n: NodeSpec): Record<string, unknown> {
  const region = n.zone.replace(/[a-z]$/, "");
  const instanceType = n.instanceType ?? "m5.xlarge";
  const resources = {
    cpu: n.cpu,
    memory: n.memory,
    pods: String(n.pods ?? 110),
    "ephemeral-storage": "100Gi",
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0", ...n.annotations },
      labels: {
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": instanceType,
        "topology.kubernetes.io/zone": n.zone,
        "topology.kubernetes.io/region": region,
        [POOL_LABEL]: n.pool,
        "node.kubernetes.io/pool": n.pool,
        "eks.amazonaws.com/capacityType": n.capacityType ?? "ON_DEMAND",
        type: "kwok",
        ...n.labels,
      },
    },
    spec: {
      providerID: `kwok://${region}/${n.zone}/${n.name}`,
      ...(n.taints ? { taints: n.taints } : {}),
    },
    status: {
      allocatable: resources,
      capacity: resources,
      nodeInfo: {
        architecture: "amd64",
        operatingSystem: "linux",
        osImage: "Amazon Linux 2023 (kwok)",
        kernelVersion: "6.1.0-kwok",
        containerRuntimeVersion: "containerd://1.7.0-kwok",
        kubeletVersion: "", // filled in by startCluster with the cluster version
        kubeProxyVersion: "",
        machineID: "",
        systemUUID: "",
        bootID: "",
      },
    },
  };
}

// ---------------------------------------------------------------------------------------
// small utilities

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Thrown inside a waitFor callback to stop waiting at once (e.g. a component exited). */
export class FatalError extends Error {}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v as T;
    } catch (e) {
      if (e instanceof FatalError) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: last error: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.description ?? "condition"}${why}`);
    }
    await sleep(intervalMs);
  }
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() || err.message}`, {
      cause: e,
    });
  }
}

/** The front-proxy CA (aggregation layer) in the cluster's dir: it signs the apiserver's proxy client certificate. */
export const FRONT_PROXY_CA_FILE = "front-proxy-ca.crt";
/** CN of the apiserver's proxy client certificate (--requestheader-allowed-names). */
export const FRONT_PROXY_CLIENT_CN = "front-proxy-client";

/**
 * CA, apiserver serving cert (127.0.0.1, localhost) and an admin client cert, plus a separate
 * front-proxy CA and the proxy client cert the aggregation layer presents to extension API
 * servers, with the openssl CLI.
 */
function makePki(dir: string): void {
  const days = "7";
  for (const [name, cn] of [
    ["ca", "day2-testbed-ca"],
    ["front-proxy-ca", "day2-testbed-front-proxy-ca"],
  ] as const) {
    openssl(
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.crt`,
        "-days",
        days,
        "-subj",
        `/CN=${cn}`,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
      ],
      dir,
    );
  }
  writeFileSync(
    join(dir, "server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n" +
      "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n",
  );
  writeFileSync(
    join(dir, "client.ext"),
    "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n",
  );
  for (const [name, subj, ext, ca] of [
    ["server", "/CN=kube-apiserver", "server.ext", "ca"],
    ["client-admin", "/O=system:masters/CN=day2-cert-admin", "client.ext", "ca"],
    ["front-proxy-client", `/CN=${FRONT_PROXY_CLIENT_CN}`, "client.ext", "front-proxy-ca"],
  ] as const) {
    openssl(
      [
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        subj,
      ],
      dir,
    );
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        `${ca}.crt`,
        "-CAkey",
        `${ca}.key`,
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        days,
        "-extfile",
        ext,
      ],
      dir,
    );
  }
}

interface KubeconfigUser {
  token?: string;
  "client-certificate-data"?: string;
  "client-key-data"?: string;
  exec?: Record<string, unknown>;
}

function writeKubeconfig(
  path: string,
  server: string,
  caPem: string,
  userName: string,
  user: KubeconfigUser,
): void {
  const kc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "day2-test",
        cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") },
      },
    ],
    users: [{ name: userName, user }],
    contexts: [
      {
        name: `${userName}@day2-test`,
        context: { cluster: "day2-test", user: userName, namespace: "default" },
      },
    ],
    "current-context": `${userName}@day2-test`,
    preferences: {},
  };
  writeFileSync(path, yamlStringify(kc), { mode: 0o600 });
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------------------------------
// processes

interface Proc {
  name: string;
  pid: number;
  binary: string;
  child: ChildProcess;
  logPath: string;
  exited: boolean;
  exitInfo?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True if pid still runs `binary` (guards against a reused pid). */
function pidRuns(pid: number, binary: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return cmd === binary;
  } catch {
    return isAlive(pid);
  }
}

/** SIGTERM, wait up to graceMs, then SIGKILL; each process by its own pid, in the given order. */
export async function killProcesses(
  procs: { name: string; pid: number; binary: string }[],
  graceMs = 5000,
): Promise<void> {
  for (const p of procs) {
    if (!pidRuns(p.pid, p.binary)) continue;
    try {
      process.kill(p.pid, "SIGTERM");
    } catch {
      continue;
    }
    const deadline = Date.now() + graceMs;
    while (isAlive(p.pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(p.pid) && pidRuns(p.pid, p.binary)) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
      const d2 = Date.now() + 2000;
      while (isAlive(p.pid) && Date.now() < d2) await sleep(20);
    }
  }
}

/** Stops a cluster described by a state file (used by down.ts): kill by pid, remove the dirs. */
export async function stopFromState(state: ClusterState): Promise<void> {
  await killProcesses([...state.processes].reverse());
  for (const d of [state.dir, state.etcdDir]) rmSync(d, { recursive: true, force: true });
}

// live clusters of this process, cleaned up (SIGKILL, sync) on exit
const live = new Set<{ procs: Proc[]; dirs: string[] }>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const c of live) {
      for (const p of [...c.procs].reverse()) {
        if (!p.exited && pidRuns(p.pid, p.binary)) {
          try {
            process.kill(p.pid, "SIGKILL");
          } catch {
            /* gone */
          }
        }
      }
      for (const d of c.dirs) rmSync(d, { recursive: true, force: true });
    }
  });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      // the exit handler kills and cleans up; 128 + signal number like a shell
      process.exit(sig === "SIGINT" ? 130 : sig === "SIGTERM" ? 143 : 129);
    });
  }
}

// ---------------------------------------------------------------------------------------
// the cluster

export async function startCluster(opts: StartOptions = {}): Promise<TestCluster> {
  const version = opts.version ?? process.env.DAY2_TESTBED_VERSION ?? DEFAULT_VERSION;
  const bin = requireBinaries(version);
  const log =
    opts.log ??
    (process.env.DAY2_TESTBED_VERBOSE === "1" ? (m: string) => console.error(`[cluster] ${m}`) : () => {});
  const detached = opts.detached ?? false;
  const nodes = opts.nodes ?? defaultNodes();
  const stages = opts.kwokStages ?? DEFAULT_KWOK_STAGES;
  const advertise = opts.advertiseAddress ?? "192.0.2.10";
  const t0 = Date.now();

  const dir = mkdtempSync(join(tmpdir(), "day2-cluster-"));
  const etcdDir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "day2-etcd-"));
  const logs = join(dir, "logs");
  mkdirSync(logs);
  const procs: Proc[] = [];
  const entry = { procs, dirs: [dir, etcdDir] };
  if (!detached) {
    installExitHandlers();
    live.add(entry);
  }

  const startProc = (name: string, args: string[]): Proc => {
    const binary = join(bin, name);
    const logPath = join(logs, `${name}.log`);
    const fd = openSync(logPath, "a");
    const child = spawn(binary, args, { cwd: dir, stdio: ["ignore", fd, fd], detached });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const p: Proc = { name, pid: child.pid, binary, child, logPath, exited: false };
    child.on("exit", (code, signal) => {
      p.exited = true;
      p.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    child.on("error", () => {
      p.exited = true;
    });
    if (detached) child.unref();
    procs.push(p);
    log(`${name} started (pid ${p.pid})`);
    return p;
  };
  const assertRunning = (p: Proc) => {
    if (p.exited)
      throw new FatalError(`${p.name} exited during startup (${p.exitInfo}):\n${tail(p.logPath)}`);
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killProcesses([...procs].reverse());
    for (const d of entry.dirs) rmSync(d, { recursive: true, force: true });
    live.delete(entry);
  };

  try {
    // ---- credentials
    makePki(dir);
    const caPem = readFileSync(join(dir, "ca.crt"), "utf8");
    const sa = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
    writeFileSync(join(dir, "sa.key"), sa.privateKey, { mode: 0o600 });
    writeFileSync(join(dir, "sa.pub"), sa.publicKey);
    const adminToken = `admin-${randomBytes(16).toString("hex")}`;
    const viewerToken = `viewer-${randomBytes(16).toString("hex")}`;
    const execToken = `exec-${randomBytes(16).toString("hex")}`;
    const tokensPath = join(dir, "tokens.csv");
    writeFileSync(
      tokensPath,
      [
        `${adminToken},day2-admin,uid-day2-admin,"system:masters"`,
        `${viewerToken},day2-viewer,uid-day2-viewer,"day2:viewers"`,
        `${execToken},day2-exec-admin,uid-day2-exec-admin,"system:masters"`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );

    // ---- etcd
    const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedPort, kwokPort] = (await uniquePorts(6)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = startProc("etcd", [
      `--data-dir=${etcdDir}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      "--unsafe-no-fsync=true",
      "--log-level=warn",
    ]);
    await waitFor(
      async () => {
        assertRunning(etcd);
        const r = await fetch(`${etcdUrl}/health`).catch(() => undefined);
        return r?.ok ? ((await r.json()) as { health?: string }).health === "true" : false;
      },
      { timeoutMs: 30_000, description: "etcd /health" },
    );
    log(`etcd healthy after ${Date.now() - t0} ms`);

    // ---- kube-apiserver
    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = startProc("kube-apiserver", [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${apiPort}`,
      "--bind-address=127.0.0.1",
      // The advertise address only becomes the endpoint of the default/kubernetes Service;
      // Endpoints validation refuses loopback, so it is a TEST-NET-1 label nothing connects to.
      ...(advertise === "none"
        ? ["--advertise-address=127.0.0.1", "--endpoint-reconciler-type=none"]
        : [`--advertise-address=${advertise}`]),
      `--cert-dir=${join(dir, "apiserver-certs")}`,
      `--tls-cert-file=${join(dir, "server.crt")}`,
      `--tls-private-key-file=${join(dir, "server.key")}`,
      `--client-ca-file=${join(dir, "ca.crt")}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--allow-privileged=true",
      "--authorization-mode=Node,RBAC",
      `--token-auth-file=${tokensPath}`,
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${join(dir, "sa.pub")}`,
      `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      "--default-not-ready-toleration-seconds=30",
      "--default-unreachable-toleration-seconds=30",
      // Aggregation layer: APIServices are proxied with the front-proxy client cert and the
      // user in X-Remote-* headers; routing by the Service (ClusterIP or ExternalName), not
      // by endpoint IPs (test/support/metrics-api.ts points an ExternalName at 127.0.0.1).
      `--requestheader-client-ca-file=${join(dir, FRONT_PROXY_CA_FILE)}`,
      `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_CN}`,
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-username-headers=X-Remote-User",
      `--proxy-client-cert-file=${join(dir, "front-proxy-client.crt")}`,
      `--proxy-client-key-file=${join(dir, "front-proxy-client.key")}`,
      "--enable-aggregator-routing=false",
      "--profiling=false",
      "--v=1",
    ]);

    const api = async <T = unknown>(
      method: string,
      path: string,
      body?: unknown,
      token = adminToken,
    ): Promise<ApiResponse<T>> => httpsJson<T>({ server, ca: caPem, token }, method, path, body);

    await waitFor(
      async () => {
        assertRunning(apiserver);
        const r = await api<string>("GET", "/readyz").catch(() => undefined);
        return r?.status === 200;
      },
      { timeoutMs: 90_000, intervalMs: 300, description: "kube-apiserver /readyz" },
    );
    log(`kube-apiserver ready after ${Date.now() - t0} ms`);

    // ---- kubeconfigs
    const kubeconfigPath = join(dir, "admin.kubeconfig");
    const readOnlyKubeconfigPath = join(dir, "viewer.kubeconfig");
    const certKubeconfigPath = join(dir, "cert-admin.kubeconfig");
    const execKubeconfigPath = join(dir, "exec-admin.kubeconfig");
    writeKubeconfig(kubeconfigPath, server, caPem, "day2-admin", { token: adminToken });
    writeKubeconfig(readOnlyKubeconfigPath, server, caPem, "day2-viewer", { token: viewerToken });
    writeKubeconfig(certKubeconfigPath, server, caPem, "day2-cert-admin", {
      "client-certificate-data": readFileSync(join(dir, "client-admin.crt")).toString("base64"),
      "client-key-data": readFileSync(join(dir, "client-admin.key")).toString("base64"),
    });
    writeKubeconfig(execKubeconfigPath, server, caPem, "day2-exec-admin", {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: "sh",
        args: [join(FIXTURES_DIR, "exec-credential.sh"), tokensPath, "day2-exec-admin"],
        interactiveMode: "Never",
        provideClusterInfo: false,
      },
    });

    // ---- controller-manager, scheduler
    const kcm = startProc("kube-controller-manager", [
      `--kubeconfig=${kubeconfigPath}`,
      "--leader-elect=false",
      "--controllers=*",
      `--service-account-private-key-file=${join(dir, "sa.key")}`,
      `--root-ca-file=${join(dir, "ca.crt")}`,
      `--cluster-signing-cert-file=${join(dir, "ca.crt")}`,
      `--cluster-signing-key-file=${join(dir, "ca.key")}`,
      "--use-service-account-credentials=false",
      `--node-monitor-grace-period=${opts.nodeMonitorGracePeriod ?? "20s"}`,
      "--node-monitor-period=2s",
      "--bind-address=127.0.0.1",
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, "kcm-certs")}`,
      "--profiling=false",
      "--v=1",
    ]);
    const sched = startProc("kube-scheduler", [
      `--kubeconfig=${kubeconfigPath}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      `--secure-port=${schedPort}`,
      `--cert-dir=${join(dir, "scheduler-certs")}`,
      "--profiling=false",
      "--v=1",
    ]);

    // ---- kwok
    const kwokArgs = [
      `--kubeconfig=${kubeconfigPath}`,
      "--manage-all-nodes=false",
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
      `--cidr=${opts.podCIDR ?? "10.244.0.0/16"}`,
      "--node-ip=127.0.0.1",
      // kwok leaves leases off unless told (then nodes flap under a short grace period): renew every 5 s
      "--node-lease-duration-seconds=20",
      `--server-address=127.0.0.1:${kwokPort}`,
      ...stages.map((s) => `--config=${s}`),
    ];
    const kwok = startProc("kwok", kwokArgs);

    // RBAC for the read-only user
    await api("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "day2-viewer-view" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "day2-viewer" }],
    }).then((r) => {
      if (r.status !== 201 && r.status !== 409) throw new Error(`creating viewer binding: HTTP ${r.status}`);
    });

    // controller-manager is working once the default ServiceAccount exists; scheduler once /readyz says ok
    await waitFor(
      async () => {
        assertRunning(kcm);
        return (await api("GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 300, description: "kube-controller-manager (default ServiceAccount)" },
    );
    await waitFor(
      async () => {
        assertRunning(sched);
        return (await insecureLocalGet(schedPort, "/readyz")) === 200;
      },
      { timeoutMs: 60_000, intervalMs: 300, description: "kube-scheduler /readyz" },
    );
    await waitFor(
      async () => {
        assertRunning(kwok);
        const r = await fetch(`http://127.0.0.1:${kwokPort}/healthz`).catch(() => undefined);
        return r?.ok ?? false;
      },
      { timeoutMs: 30_000, intervalMs: 300, description: "kwok /healthz" },
    );
    log(`controllers ready after ${Date.now() - t0} ms`);

    const state: ClusterState = {
      version,
      dir,
      etcdDir,
      server,
      kubeconfigPath,
      readOnlyKubeconfigPath,
      certKubeconfigPath,
      execKubeconfigPath,
      processes: procs.map((p) => ({ name: p.name, pid: p.pid, binary: p.binary })),
      startedAt: new Date().toISOString(),
    };

    const kubectl = (args: string[], o: KubectlOptions = {}) =>
      runKubectl(join(bin, "kubectl"), ["--kubeconfig", o.kubeconfig ?? kubeconfigPath, ...args], o);

    const cluster: TestCluster = {
      version,
      binDir: bin,
      dir,
      server,
      kubeconfigPath,
      adminToken,
      readOnlyKubeconfigPath,
      viewerToken,
      certKubeconfigPath,
      execKubeconfigPath,
      caCertPath: join(dir, "ca.crt"),
      frontProxyCaCertPath: join(dir, FRONT_PROXY_CA_FILE),
      etcdUrl,
      tokensPath,
      nodes: [],
      state,
      kubectl,
      async getJson(args, o) {
        const r = await kubectl([...args, "-o", "json"], o);
        return JSON.parse(r.stdout);
      },
      async apply(manifests, o = {}) {
        const text =
          typeof manifests === "string"
            ? manifests
            : (Array.isArray(manifests) ? manifests : [manifests]).map((m) => yamlStringify(m)).join("---\n");
        await kubectl(
          [
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=day2-test",
            ...(o.namespace ? ["-n", o.namespace] : []),
            "-f",
            "-",
          ],
          { input: text, ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}) },
        );
      },
      async applyFixture(name, o = {}) {
        const path = name.startsWith("/") ? name : join(FIXTURES_DIR, name);
        await cluster.apply(readFileSync(path, "utf8"), o);
      },
      api,
      async createNamespace(prefix = "t", labels = {}) {
        const name = `${prefix}-${randomBytes(4).toString("hex")}`;
        const r = await api("POST", "/api/v1/namespaces", {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name, labels },
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
      },
      async addNodes(list, o = {}) {
        for (const n of list) {
          const obj = nodeObject(n) as { status: { nodeInfo: Record<string, string> } };
          obj.status.nodeInfo.kubeletVersion = version;
          obj.status.nodeInfo.kubeProxyVersion = version;
          const r = await api("POST", "/api/v1/nodes", obj);
          if (r.status === 409) {
            await api("DELETE", `/api/v1/nodes/${n.name}`);
            await waitFor(async () => (await api("GET", `/api/v1/nodes/${n.name}`)).status === 404, {
              description: `node ${n.name} deleted`,
            });
            const r2 = await api("POST", "/api/v1/nodes", obj);
            if (r2.status !== 201)
              throw new Error(`creating node ${n.name}: HTTP ${r2.status} ${JSON.stringify(r2.body)}`);
          } else if (r.status !== 201) {
            throw new Error(`creating node ${n.name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
          }
          cluster.nodes.push(n);
        }
        if (o.waitReady ?? true) {
          await waitFor(
            async () => {
              assertRunning(kwok);
              for (const n of list) {
                const r = await api<{ status?: { conditions?: { type: string; status: string }[] } }>(
                  "GET",
                  `/api/v1/nodes/${n.name}`,
                );
                const ready = r.body.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
                if (!ready) return false;
              }
              return true;
            },
            {
              timeoutMs: 60_000,
              intervalMs: 250,
              description: `nodes Ready (${list.map((n) => n.name).join(", ")})`,
            },
          );
        }
      },
      async stopNodeHeartbeat(name) {
        // Removing the annotation stops our node stages (fixtures/kwok-stages.yaml); kwok keeps
        // renewing the node's Lease until the Node is deleted, so take the Lease over (another
        // holder, a year-long duration): the node-lifecycle controller then sees no heartbeat and
        // marks the node Ready=Unknown after --node-monitor-grace-period (20 s) plus at most one
        // already-queued ~20 s status heartbeat.
        const r = await api("PATCH", `/api/v1/nodes/${name}`, {
          metadata: { annotations: { [KWOK_NODE_ANNOTATION]: null } },
        });
        if (r.status !== 200) throw new Error(`patching node ${name}: HTTP ${r.status}`);
        await waitFor(
          async () => {
            const l = await api(
              "PATCH",
              `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`,
              {
                spec: { holderIdentity: "day2-test/heartbeat-stopped", leaseDurationSeconds: 31_536_000 },
              },
            );
            if (l.status === 404) return true; // no lease: status heartbeats were the only signal
            return l.status === 200;
          },
          { timeoutMs: 10_000, description: `take over the lease of node ${name}` },
        );
      },
      waitFor,
      logTail(name, lines = 40) {
        return tail(join(logs, `${name}.log`), lines);
      },
      stop,
    };

    if (nodes.length > 0) await cluster.addNodes(nodes);
    log(`cluster ready after ${Date.now() - t0} ms (${nodes.length} nodes)`);
    return cluster;
  } catch (e) {
    await stop();
    throw e;
  }
}

async function uniquePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

function runKubectl(kubectlPath: string, args: string[], o: KubectlOptions): Promise<KubectlResult> {
  return new Promise((resolveRun, reject) => {
    const child = execFile(
      kubectlPath,
      args,
      { timeout: o.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === "number"
            ? (err as { code: number }).code
            : 1
          : 0;
        if (code !== 0 && !o.allowFailure) {
          reject(
            new Error(
              `kubectl ${args.slice(2).join(" ")} failed (exit ${code}): ${stderr.trim() || err?.message}`,
            ),
          );
          return;
        }
        resolveRun({ code, stdout, stderr });
      },
    );
    if (o.input !== undefined) child.stdin?.end(o.input);
    else child.stdin?.end();
  });
}

/**
 * One JSON request to the apiserver (JSON in, JSON out; plain text such as /readyz stays a
 * string). Shared by the harness and the integration tests' api().
 */
export function httpsJson<T>(
  conn: { server: string; ca?: string; token: string; agent?: HttpsAgent },
  method: string,
  path: string,
  body?: unknown,
  opts: { contentType?: string; timeoutMs?: number } = {},
): Promise<ApiResponse<T>> {
  const { server, ca, token, agent } = conn;
  const url = new URL(path, server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const contentType =
    opts.contentType ?? (method === "PATCH" ? "application/merge-patch+json" : "application/json");
  return new Promise((resolveReq, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ...(agent ? { agent } : { ca }),
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(payload ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) } : {}),
        },
        timeout: opts.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* plain text (e.g. /readyz) */
          }
          resolveReq({ status: res.statusCode ?? 0, body: parsed as T });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** GET on a component's own self-signed 127.0.0.1 port (scheduler /readyz). */
function insecureLocalGet(port: number, path: string): Promise<number> {
  return new Promise((resolveReq) => {
    const req = httpsRequest(
      { host: "127.0.0.1", port, path, method: "GET", rejectUnauthorized: false, timeout: 5000 },
      (res) => {
        res.resume();
        resolveReq(res.statusCode ?? 0);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolveReq(0));
    req.end();
  });
}

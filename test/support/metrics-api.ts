/**
 * A minimal stand-in for metrics-server: the resource metrics API (metrics.k8s.io/v1beta1)
 * over HTTPS on a free 127.0.0.1 port, registered behind the real kube-apiserver's
 * aggregation layer. A real metrics-server would scrape kubelets at the nodes' addresses;
 * this one computes PodMetrics and NodeMetrics from the pods the real apiserver lists (through
 * the test's own client) and a usage function the test gives, so every value is known.
 *
 * Wiring (apiServiceManifests): a Service of type ExternalName whose externalName is
 * "127.0.0.1", and an APIService v1beta1.metrics.k8s.io pointing at it with this server's
 * port and its self-signed certificate as caBundle. With --enable-aggregator-routing=false the
 * aggregator resolves a Service by ClusterIP, or for ExternalName by `externalName:port`
 * (k8s.io/apiserver pkg/util/proxy ResolveCluster), with TLS ServerName
 * `<service>.<namespace>.svc` (in the certificate). No packet leaves 127.0.0.1.
 *
 * Given the front-proxy CA, the server demands the aggregator's proxy client certificate, so
 * only the aggregation layer reaches it; each request's X-Remote-User/X-Remote-Group is
 * recorded in `requests`.
 *
 * Served: GET /apis/metrics.k8s.io/v1beta1 (APIResourceList: pods, nodes), .../pods,
 * .../namespaces/<ns>/pods[/<name>], .../nodes[/<name>] (labelSelector passed on to the pod
 * list), /openapi/v2 (an empty Swagger document); everything else (including /openapi/v3, which
 * the aggregator then takes from v2) answers 404 with a Status. stop() closes the server and
 * removes its temp dir.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";

export const METRICS_GROUP = "metrics.k8s.io";
export const METRICS_VERSION = "v1beta1";
export const METRICS_API_SERVICE = `${METRICS_VERSION}.${METRICS_GROUP}`;
const PREFIX = `/apis/${METRICS_GROUP}/${METRICS_VERSION}`;

/** The parts of a Pod the stand-in reads. */
export interface PodLike {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { nodeName?: string; containers: { name: string }[] };
  status?: { phase?: string };
}

/** One container's usage: CPU in nanocores, memory (working set) in bytes, both integers. */
export interface ContainerUsage {
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface MetricsApiOptions {
  /** Service (ExternalName) namespace and name the APIService points at; the certificate names `<name>.<namespace>.svc`. */
  namespace: string;
  serviceName?: string;
  /** GET on the real apiserver, parsed (e.g. `/api/v1/pods`); the test's own admin client. */
  getJson: (path: string) => Promise<unknown>;
  /** Usage of one container of a Running pod; undefined leaves the container out. */
  usage: (pod: PodLike, container: string) => ContainerUsage | undefined;
  /** PEM of the front-proxy CA: clients must present a certificate it signed. */
  frontProxyCaPem?: string;
  /** The metrics' timestamp (default: now, whole seconds). */
  clock?: () => Date;
  /** Go duration of the metrics window (default "30s", like metrics-server). */
  window?: string;
}

export interface MetricsApiRequest {
  method: string;
  path: string;
  /** X-Remote-User / X-Remote-Group set by the aggregator (front-proxy auth). */
  user?: string;
  groups: string[];
  /** CN of the client certificate. */
  clientCN?: string;
}

/** A canned answer for a data path (pods or nodes), e.g. a malformed PodMetricsList. */
export interface CannedResponse {
  status: number;
  body: string;
  contentType?: string;
}

export interface MetricsApi {
  port: number;
  namespace: string;
  serviceName: string;
  /** PEM of the self-signed serving certificate (the APIService's caBundle). */
  caPem: string;
  requests: MetricsApiRequest[];
  /** Answers for the pods/nodes paths instead of the computed lists (undefined: back to normal). Discovery is unaffected. */
  respondWith(fn: ((path: string) => CannedResponse | undefined) | undefined): void;
  stop(): Promise<void>;
}

/** A CPU quantity in the canonical form resource.Quantity prints ("2", "250m", "1234567n"). */
export function formatCpu(nanoCores: number): string {
  if (!Number.isSafeInteger(nanoCores) || nanoCores < 0) throw new Error(`bad nanocores ${nanoCores}`);
  if (nanoCores === 0) return "0";
  for (const [div, suffix] of [
    [1e9, ""],
    [1e6, "m"],
    [1e3, "u"],
  ] as const) {
    if (nanoCores % div === 0) return `${nanoCores / div}${suffix}`;
  }
  return `${nanoCores}n`;
}

/** A memory quantity in the canonical BinarySI form ("64Mi", "12345Ki", "1000000"). */
export function formatMemory(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`bad byte count ${bytes}`);
  if (bytes === 0) return "0";
  for (const [exp, suffix] of [
    [50, "Pi"],
    [40, "Ti"],
    [30, "Gi"],
    [20, "Mi"],
    [10, "Ki"],
  ] as const) {
    const div = 2 ** exp;
    if (bytes % div === 0) return `${bytes / div}${suffix}`;
  }
  return String(bytes);
}

/** RFC 3339 in whole seconds, as Go's metav1.Time marshals. */
function rfc3339(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function selfSignedCert(dir: string, names: string[]): { key: string; cert: string } {
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",");
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "tls.key",
        "-out",
        "tls.crt",
        "-days",
        "2",
        "-subj",
        `/CN=${names[0]}`,
        "-addext",
        `subjectAltName=${san}`,
        "-addext",
        "extendedKeyUsage=serverAuth",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
      ],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`openssl req failed: ${err.stderr?.toString().trim() || err.message}`, { cause: e });
  }
  return {
    key: readFileSync(join(dir, "tls.key"), "utf8"),
    cert: readFileSync(join(dir, "tls.crt"), "utf8"),
  };
}

const RESOURCES = {
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
  resources: [
    { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
    { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
  ],
};

/**
 * An empty Swagger 2.0 document: the aggregator's OpenAPI v2 controller downloads /openapi/v2
 * from every APIService and logs a 404 as an error ("resource not found"); /openapi/v3 may
 * 404 (it then converts the v2 document).
 */
const OPENAPI_V2 = {
  swagger: "2.0",
  info: { title: "metrics.k8s.io stand-in", version: METRICS_VERSION },
  paths: {},
};

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  });
}

export async function startMetricsApi(opts: MetricsApiOptions): Promise<MetricsApi> {
  const serviceName = opts.serviceName ?? "metrics-api";
  const dir = mkdtempSync(join(tmpdir(), "day2-metrics-api-"));
  const clock = opts.clock ?? (() => new Date());
  const window = opts.window ?? "30s";
  const requests: MetricsApiRequest[] = [];
  let canned: ((path: string) => CannedResponse | undefined) | undefined;
  let server: Server | undefined;
  try {
    const { key, cert } = selfSignedCert(dir, [`${serviceName}.${opts.namespace}.svc`, "127.0.0.1"]);

    const podList = async (ns: string | undefined, query: URLSearchParams): Promise<PodLike[]> => {
      const sel = query.get("labelSelector");
      const base = ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/pods` : "/api/v1/pods";
      const doc = (await opts.getJson(sel ? `${base}?labelSelector=${encodeURIComponent(sel)}` : base)) as {
        items?: PodLike[];
      };
      if (!Array.isArray(doc?.items)) throw new Error(`listing ${base}: no items`);
      // metrics-server reports what kubelets report: running pods only
      return doc.items.filter((p) => p.status?.phase === "Running");
    };

    const podMetrics = (pod: PodLike, now: string) => ({
      metadata: {
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        creationTimestamp: now,
        ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
      },
      timestamp: now,
      window,
      containers: pod.spec.containers.flatMap((c) => {
        const u = opts.usage(pod, c.name);
        return u
          ? [{ name: c.name, usage: { cpu: formatCpu(u.cpuNanoCores), memory: formatMemory(u.memoryBytes) } }]
          : [];
      }),
    });

    const nodeMetrics = async (name: string | undefined, now: string) => {
      const nodes = name
        ? [
            (await opts.getJson(`/api/v1/nodes/${encodeURIComponent(name)}`)) as {
              metadata?: { name?: string };
            },
          ]
        : (((await opts.getJson("/api/v1/nodes")) as { items?: { metadata?: { name?: string } }[] }).items ??
          []);
      const pods = await podList(undefined, new URLSearchParams());
      return nodes
        .filter((n) => typeof n.metadata?.name === "string")
        .map((n) => {
          let cpu = 0;
          let mem = 0;
          for (const p of pods.filter((q) => q.spec.nodeName === n.metadata!.name)) {
            for (const c of p.spec.containers) {
              const u = opts.usage(p, c.name);
              cpu += u?.cpuNanoCores ?? 0;
              mem += u?.memoryBytes ?? 0;
            }
          }
          return {
            metadata: { name: n.metadata!.name, creationTimestamp: now },
            timestamp: now,
            window,
            usage: { cpu: formatCpu(cpu), memory: formatMemory(mem) },
          };
        });
    };

    const list = (kind: string, items: unknown[]) => ({
      kind,
      apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
      metadata: {},
      items,
    });

    /** [status, body] for one GET. */
    const route = async (path: string, query: URLSearchParams): Promise<[number, string, string?]> => {
      if (path === PREFIX || path === `${PREFIX}/`) return [200, JSON.stringify(RESOURCES)];
      if (path === "/openapi/v2") return [200, JSON.stringify(OPENAPI_V2)];
      if (!path.startsWith(`${PREFIX}/`)) return [404, status(404, "NotFound", `${path} not served`)];
      const rest = path
        .slice(PREFIX.length + 1)
        .split("/")
        .map(decodeURIComponent);
      const isData =
        (rest[0] === "pods" && rest.length === 1) ||
        (rest[0] === "nodes" && rest.length <= 2) ||
        (rest[0] === "namespaces" && rest[2] === "pods" && rest.length <= 4);
      if (!isData) return [404, status(404, "NotFound", `${path} not served`)];
      const c = canned?.(path);
      if (c) return [c.status, c.body, c.contentType];
      const now = rfc3339(clock());
      if (rest[0] === "nodes") {
        const items = await nodeMetrics(rest[1], now);
        if (rest[1] !== undefined)
          return items[0]
            ? [
                200,
                JSON.stringify({
                  kind: "NodeMetrics",
                  apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
                  ...items[0],
                }),
              ]
            : [404, status(404, "NotFound", `nodemetrics "${rest[1]}" not found`)];
        return [200, JSON.stringify(list("NodeMetricsList", items))];
      }
      const ns = rest[0] === "namespaces" ? rest[1] : undefined;
      const pods = await podList(ns, query);
      if (rest[3] !== undefined) {
        const pod = pods.find((p) => p.metadata.name === rest[3]);
        return pod
          ? [
              200,
              JSON.stringify({
                kind: "PodMetrics",
                apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
                ...podMetrics(pod, now),
              }),
            ]
          : [404, status(404, "NotFound", `podmetrics "${rest[3]}" not found`)];
      }
      return [
        200,
        JSON.stringify(
          list(
            "PodMetricsList",
            pods.map((p) => podMetrics(p, now)),
          ),
        ),
      ];
    };

    const handle = (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", "https://127.0.0.1");
      const peer = (req.socket as TLSSocket).getPeerCertificate?.();
      const user = req.headersDistinct["x-remote-user"]?.[0];
      requests.push({
        method: req.method ?? "",
        path: url.pathname,
        ...(user !== undefined ? { user } : {}),
        groups: req.headersDistinct["x-remote-group"] ?? [],
        ...(peer?.subject?.CN ? { clientCN: String(peer.subject.CN) } : {}),
      });
      const send = (code: number, body: string, contentType = "application/json") => {
        res.writeHead(code, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
        res.end(body);
      };
      if (req.method !== "GET") {
        send(405, status(405, "MethodNotAllowed", `${req.method} is not supported`));
        return;
      }
      route(url.pathname, url.searchParams).then(
        ([code, body, type]) => send(code, body, type),
        (e: unknown) => send(500, status(500, "InternalError", e instanceof Error ? e.message : String(e))),
      );
    };

    server = createServer(
      {
        key,
        cert,
        ...(opts.frontProxyCaPem
          ? { ca: opts.frontProxyCaPem, requestCert: true, rejectUnauthorized: true }
          : {}),
      },
      handle,
    );
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => resolve());
    });
    const port = (srv.address() as AddressInfo).port;

    let stopped = false;
    return {
      port,
      namespace: opts.namespace,
      serviceName,
      caPem: cert,
      requests,
      respondWith(fn) {
        canned = fn;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        srv.closeAllConnections();
        await new Promise<void>((resolve) => srv.close(() => resolve()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The Service (ExternalName 127.0.0.1) and the APIService v1beta1.metrics.k8s.io that put the
 * stand-in behind the aggregation layer. The aggregator dials `externalName:<APIService port>`
 * for ExternalName Services (the Service's own ports are not consulted; one is listed for
 * readers), so the APIService carries the server's port.
 */
export function apiServiceManifests(m: Pick<MetricsApi, "port" | "namespace" | "serviceName" | "caPem">): {
  service: Record<string, unknown>;
  apiService: Record<string, unknown>;
} {
  return {
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: m.serviceName, namespace: m.namespace },
      spec: {
        type: "ExternalName",
        externalName: "127.0.0.1",
        ports: [{ name: "https", port: m.port, protocol: "TCP" }],
      },
    },
    apiService: {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: METRICS_API_SERVICE },
      spec: {
        group: METRICS_GROUP,
        version: METRICS_VERSION,
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { namespace: m.namespace, name: m.serviceName, port: m.port },
        caBundle: Buffer.from(m.caPem).toString("base64"),
      },
    },
  };
}

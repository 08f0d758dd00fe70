/**
 * The alert-storm sender (issue #7), run by bench/storm.ts as a separate process: N alerts
 * (default 100,000) in Alertmanager v4 webhook payloads of 1-20 alerts (mean 5, seeded), from C
 * concurrent senders (default 8) over keep-alive HTTP, as fast as the server takes them.
 *
 * Every alert has a unique fingerprint (prefix from the seed + index, 16 hex digits like
 * Alertmanager's) and belongs to one of G groups (default 1,000: 20 alertnames x 50
 * namespaces), whose groupKey, groupLabels and commonLabels the payload carries as
 * Alertmanager sends them. Payload bodies are built before the clock starts.
 *
 * Retries as Alertmanager's notifier does: on a connection error, a timeout or a 5xx, the same
 * payload again after an exponential backoff (cenkalti/backoff's defaults as Alertmanager uses
 * them: 500 ms initial, x1.5, +-50 % jitter; capped here at --backoff-max-ms), and after
 * Retry-After when a 503 carries one. A 4xx is not retried (Alertmanager drops it). Alertmanager
 * retries until the group's next flush; here until delivered, bounded by --deadline-s.
 *
 * Latency is per successful attempt (request written to response read). Progress goes to
 * stderr as "progress <accepted alerts> <retries>" lines every --progress-ms; the result is one
 * JSON line on stdout: {sent, accepted, payloads, retries, seconds, alertsPerSecond, p50, p99,
 * maxLatency, ...} (latencies in ms).
 *
 *   node --import tsx bench/storm-sender.ts --url http://127.0.0.1:PORT --token T [--alerts N]
 *     [--concurrency C] [--seed S] [--groups G] [--deadline-s D]
 */
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";

const PATH = "/api/v1/alerts/alertmanager";
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";
const MAX_PER_PAYLOAD = 20;
const MEAN_PER_PAYLOAD = 5;

interface Options {
  url: URL;
  token: string;
  alerts: number;
  concurrency: number;
  seed: number;
  groups: number;
  deadlineMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  progressMs: number;
}

export interface SenderResult {
  /** Alerts to deliver. */
  sent: number;
  /** Alerts in payloads answered 2xx. */
  accepted: number;
  /** Alerts in payloads answered with a 4xx (not retried, as Alertmanager does). */
  rejected: number;
  /** Alerts still undelivered at the deadline. */
  undelivered: number;
  payloads: number;
  retries: number;
  /** Retries by cause: HTTP status or error code. */
  retryReasons: Record<string, number>;
  /** Final answers by HTTP status. */
  statuses: Record<string, number>;
  seconds: number;
  alertsPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  maxLatency: number;
  concurrency: number;
  groups: number;
  fingerprintPrefix: string;
  bodyBytes: number;
}

function int(v: string | undefined, name: string, def: number, min = 1): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`--${name}: expected an integer >= ${min}`);
  return Number(v);
}

function options(argv: string[]): Options {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      token: { type: "string", default: "" },
      alerts: { type: "string" },
      concurrency: { type: "string" },
      seed: { type: "string" },
      groups: { type: "string" },
      "deadline-s": { type: "string" },
      "backoff-initial-ms": { type: "string" },
      "backoff-max-ms": { type: "string" },
      "timeout-ms": { type: "string" },
      "progress-ms": { type: "string" },
    },
  });
  if (!v.url) throw new Error("--url is required");
  return {
    url: new URL(PATH, v.url),
    token: v.token ?? "",
    alerts: int(v.alerts, "alerts", 100_000),
    concurrency: int(v.concurrency, "concurrency", 8),
    seed: int(v.seed, "seed", 7, 0),
    groups: int(v.groups, "groups", 1000),
    deadlineMs: int(v["deadline-s"], "deadline-s", 600) * 1000,
    backoffInitialMs: int(v["backoff-initial-ms"], "backoff-initial-ms", 500),
    backoffMaxMs: int(v["backoff-max-ms"], "backoff-max-ms", 5000),
    timeoutMs: int(v["timeout-ms"], "timeout-ms", 30_000),
    progressMs: int(v["progress-ms"], "progress-ms", 100),
  };
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The cumulative distribution of a geometric distribution truncated to 1..20 whose mean is 5:
 * most notifications carry a few alerts, some the full 20 (Alertmanager's batches during a storm).
 */
function sizeCdf(): number[] {
  const weights = (q: number) => Array.from({ length: MAX_PER_PAYLOAD }, (_, k) => q ** k);
  const mean = (q: number) => {
    const w = weights(q);
    const sum = w.reduce((a, b) => a + b, 0);
    return w.reduce((a, x, k) => a + x * (k + 1), 0) / sum;
  };
  let lo = 0.01;
  let hi = 0.999;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mean(mid) < MEAN_PER_PAYLOAD) lo = mid;
    else hi = mid;
  }
  const w = weights(lo);
  const sum = w.reduce((a, b) => a + b, 0);
  let acc = 0;
  return w.map((x) => (acc += x / sum));
}

const ALERTNAMES: [string, string][] = [
  ["KubePodCrashLooping", "warning"],
  ["KubePodNotReady", "warning"],
  ["KubeDeploymentReplicasMismatch", "warning"],
  ["KubeContainerWaiting", "warning"],
  ["KubeJobFailed", "warning"],
  ["KubeHpaMaxedOut", "warning"],
  ["KubeMemoryOvercommit", "warning"],
  ["KubePersistentVolumeFillingUp", "critical"],
  ["KubeNodeNotReady", "critical"],
  ["KubeNodeUnreachable", "critical"],
  ["KubeAPIErrorBudgetBurn", "critical"],
  ["TargetDown", "warning"],
  ["NodeFilesystemSpaceFillingUp", "critical"],
  ["NodeMemoryHighUtilization", "warning"],
  ["CPUThrottlingHigh", "info"],
  ["HTTPErrorRateHigh", "critical"],
  ["HTTPLatencyHigh", "warning"],
  ["PostgresReplicationLag", "critical"],
  ["KafkaConsumerLagHigh", "warning"],
  ["CertificateExpiringSoon", "info"],
];

interface Group {
  alertname: string;
  severity: string;
  namespace: string;
  groupKey: string;
  groupLabels: Record<string, string>;
}

function group(g: number): Group {
  const [alertname, severity] = ALERTNAMES[g % ALERTNAMES.length]!;
  const namespace = `team-${String(Math.floor(g / ALERTNAMES.length)).padStart(3, "0")}`;
  return {
    alertname,
    severity,
    namespace,
    // Alertmanager's groupKey: the route's matchers, then the group's labels.
    groupKey: `{}/{severity=~"critical|warning|info"}:{alertname="${alertname}", namespace="${namespace}"}`,
    groupLabels: { alertname, namespace },
  };
}

interface Payload {
  body: Buffer;
  alerts: number;
}

/** Every payload's body, built up front: sizes from the seeded distribution, one group each. */
function buildPayloads(o: Options, prefix: string): Payload[] {
  const rand = prng(o.seed);
  const cdf = sizeCdf();
  const groups = Array.from({ length: o.groups }, (_, g) => group(g));
  const now = Date.now();
  const payloads: Payload[] = [];
  let index = 0;
  while (index < o.alerts) {
    const r = rand();
    const size = Math.min(o.alerts - index, cdf.findIndex((c) => r < c) + 1 || MAX_PER_PAYLOAD);
    const g = groups[Math.floor(rand() * groups.length)]!;
    const service = `svc-${Math.floor(rand() * 40)}`;
    const alerts = [];
    for (let k = 0; k < size; k++, index++) {
      const pod = `${service}-${(index * 2654435761).toString(36).slice(-5)}-${index.toString(36)}`;
      alerts.push({
        status: "firing",
        labels: {
          alertname: g.alertname,
          severity: g.severity,
          namespace: g.namespace,
          service,
          pod,
          container: "app",
          cluster: "prod-eu-1",
          job: "kube-state-metrics",
          prometheus: "monitoring/k8s",
        },
        annotations: {
          summary: `${g.alertname} on ${g.namespace}/${pod}`,
          description: `Pod ${g.namespace}/${pod} (container app) has been in a failing state for more than 5 minutes.`,
          runbook_url: `https://runbooks.example.com/${g.alertname.toLowerCase()}`,
        },
        startsAt: new Date(now - Math.floor(rand() * 3_600_000)).toISOString(),
        endsAt: GO_ZERO_TIME,
        generatorURL: `http://prometheus.example.com/graph?g0.expr=${encodeURIComponent(`ALERTS{alertname="${g.alertname}"}`)}&g0.tab=1`,
        fingerprint: `${prefix}${index.toString(16).padStart(10, "0")}`,
      });
    }
    const body = {
      version: "4",
      receiver: "day2",
      status: "firing",
      alerts,
      groupLabels: g.groupLabels,
      commonLabels: { ...g.groupLabels, severity: g.severity, cluster: "prod-eu-1", service },
      commonAnnotations: {},
      externalURL: "http://alertmanager.example.com:9093",
      groupKey: g.groupKey,
      truncatedAlerts: 0,
    };
    payloads.push({ body: Buffer.from(JSON.stringify(body)), alerts: size });
  }
  return payloads;
}

type Answer = { status: number; retryAfter: number | undefined } | { error: string };

function post(o: Options, agent: Agent, body: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      o.url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          authorization: `Bearer ${o.token}`,
          "user-agent": "Alertmanager/0.27.0 (day2 storm bench)",
        },
      },
      (res) => {
        res.on("data", () => undefined);
        res.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
        res.on("end", () => {
          const ra = Number(res.headers["retry-after"]);
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Number.isFinite(ra) && ra >= 0 ? ra : undefined,
          });
        });
      },
    );
    req.setTimeout(o.timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

/** cenkalti/backoff as Alertmanager uses it: 500 ms, x1.5, +-50 % jitter; capped. */
function backoffMs(o: Options, attempt: number, rand: () => number): number {
  const interval = Math.min(o.backoffMaxMs, o.backoffInitialMs * 1.5 ** attempt);
  return interval * (0.5 + rand());
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

async function storm(o: Options): Promise<SenderResult> {
  const prefix = (o.seed % 0xffffff).toString(16).padStart(6, "0");
  const payloads = buildPayloads(o, prefix);
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const jitter = prng(o.seed ^ 0x5bd1e995);
  const latencies = new Float64Array(payloads.length);
  const s = { accepted: 0, rejected: 0, undelivered: 0, retries: 0, ok: 0 };
  const retryReasons: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + o.deadlineMs;
  let last = started;
  let next = 0;

  const deliver = async (p: Payload): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      if (performance.now() >= deadline) {
        s.undelivered += p.alerts;
        return;
      }
      const t = performance.now();
      const a = await post(o, agent, p.body);
      const now = performance.now();
      if ("status" in a && a.status >= 200 && a.status < 300) {
        latencies[s.ok++] = now - t;
        s.accepted += p.alerts;
        last = now;
        bump(statuses, String(a.status));
        return;
      }
      if ("status" in a && a.status < 500 && a.status !== 408 && a.status !== 429) {
        s.rejected += p.alerts;
        bump(statuses, String(a.status));
        return;
      }
      s.retries++;
      bump(retryReasons, "status" in a ? String(a.status) : a.error);
      const wait =
        "status" in a && a.retryAfter !== undefined ? a.retryAfter * 1000 : backoffMs(o, attempt, jitter);
      await sleep(Math.max(0, Math.min(wait, deadline - performance.now())));
    }
  };
  const worker = async (): Promise<void> => {
    while (next < payloads.length) await deliver(payloads[next++]!);
  };

  const progress = setInterval(
    () => process.stderr.write(`progress ${s.accepted} ${s.retries}\n`),
    o.progressMs,
  );
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    clearInterval(progress);
    agent.destroy();
  }
  process.stderr.write(`progress ${s.accepted} ${s.retries}\n`);
  const seconds = (last - started) / 1000;
  const sorted = latencies.slice(0, s.ok).sort();
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    sent: o.alerts,
    accepted: s.accepted,
    rejected: s.rejected,
    undelivered: s.undelivered,
    payloads: payloads.length,
    retries: s.retries,
    retryReasons,
    statuses,
    seconds: r3(seconds),
    alertsPerSecond: seconds > 0 ? Math.round(s.accepted / seconds) : 0,
    requestsPerSecond: seconds > 0 ? Math.round(s.ok / seconds) : 0,
    p50: r3(percentile(sorted, 50)),
    p99: r3(percentile(sorted, 99)),
    maxLatency: r3(sorted.length ? sorted[sorted.length - 1]! : 0),
    concurrency: o.concurrency,
    groups: o.groups,
    fingerprintPrefix: prefix,
    bodyBytes: payloads.reduce((n, p) => n + p.body.length, 0),
  };
}

storm(options(process.argv.slice(2))).then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (err: unknown) => {
    process.stderr.write(`storm-sender: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

/**
 * The real chain: Prometheus-style alerts POSTed to a real Alertmanager (the Debian package,
 * test/support/alertmanager.ts), which groups them by [alertname, namespace] with short timings
 * and delivers v4 webhooks with a bearer token to `day2 serve` (a child process on a temp
 * SQLite file). Everything is asserted through day2's HTTP API: incidents open per group with
 * the default policy's priorities, re-deliveries add nothing, an unacknowledged P1 escalates
 * after its (seconds-scale) deadline while an acknowledged P2 does not, and resolved alerts
 * resolve the incidents.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { day2Async } from "../../test/support/day2-cli.js";
import { startAlertmanager } from "../../test/support/alertmanager.js";
import type { PostableAlert, TestAlertmanager } from "../../test/support/alertmanager.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");

interface Incident {
  id: string;
  title: string;
  priority: string;
  status: string;
  groupKey: string;
  namespace?: string;
  createdAt: number;
  acknowledgedAt?: number;
  resolvedAt?: number;
  escalationLevel: number;
  escalationDueAt?: number;
}
interface TimelineEntry {
  at: number;
  kind: string;
  actor: string;
  text: string;
  data?: Record<string, unknown>;
}
interface StoredAlert {
  fingerprint: string;
  status: string;
  labels: Record<string, string>;
  incidentId?: string;
}
interface Detail {
  incident: Incident;
  timeline: TimelineEntry[];
  alerts?: StoredAlert[];
}

interface Day2Process {
  url: string;
  pid: number;
  stop(): Promise<void>;
  output(): string;
}

/** `day2 serve --port 0 ...` as a child process; resolves once it prints its URL. */
function startServe(args: string[], home: string): Promise<Day2Process> {
  const proc: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ["--import", "tsx", MAIN, "serve", "--port", "0", ...args],
    { cwd: ROOT, env: { ...process.env, HOME: home, NO_COLOR: "1" } },
  );
  let stdout = "";
  let stderr = "";
  proc.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    process.kill(proc.pid!, "SIGTERM");
    const timer = setTimeout(() => {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, "SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`day2 serve did not print its URL within 60 s:\n${stdout}${stderr}`));
    }, 60_000);
    proc.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, pid: proc.pid!, stop, output: () => stdout + stderr });
      }
    });
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`day2 serve ${args.join(" ")} exited ${code ?? signal} before listening:\n${stderr}`));
    });
  });
}

interface Stack {
  day2: Day2Process;
  am: TestAlertmanager;
  token: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  incidents(): Promise<Incident[]>;
  detail(id: string): Promise<Detail>;
  /** Polls `read` until `ok` holds; on timeout fails with `what`, the last value and both logs. */
  waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * A token from `day2 token create`, `day2 serve` on a temp SQLite file with `config` as its
 * day2.yaml (always explicit: a ./day2.yaml in the working directory is never read), and
 * Alertmanager routing to day2's receiver with that token.
 */
async function startStack(config: string, serveArgs: string[] = []): Promise<Stack> {
  const tmp = mkdtempSync(join(tmpdir(), "day2-am-it-"));
  const db = join(tmp, "day2.db");
  let day2: Day2Process | undefined;
  let am: TestAlertmanager | undefined;
  const stop = async () => {
    await am?.stop();
    await day2?.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    const created = await day2Async(
      ["token", "create", "--role", "responder", "--name", "alertmanager", "--db", db],
      {},
      tmp,
    );
    assert.equal(created.code, 0, `day2 token create failed: ${created.stderr}`);
    const token = created.stdout.trim();
    const file = join(tmp, "day2.yaml");
    writeFileSync(file, config);
    const args = ["--db", db, "--config", file, ...serveArgs];
    day2 = await startServe(args, mkdtempSync(join(tmp, "home-")));
    am = await startAlertmanager({
      webhook: { url: `${day2.url}/api/v1/alerts/alertmanager`, bearerToken: token, sendResolved: true },
      groupBy: ["alertname", "namespace"],
      groupWait: "1s",
      groupInterval: "2s",
      repeatInterval: "1h",
    });
    const base = day2.url;
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await r.text();
      assert.ok(r.ok, `${method} ${path} answered ${r.status}: ${text}`);
      return JSON.parse(text) as T;
    };
    const d2 = day2;
    const amRef = am;
    return {
      day2: d2,
      am: amRef,
      token,
      get: (path) => call("GET", path),
      post: (path, body) => call("POST", path, body),
      async incidents() {
        const page = await call<{ items: Incident[]; total: number }>("GET", "/api/v1/incidents?limit=500");
        assert.equal(page.items.length, page.total);
        return page.items;
      },
      detail: (id) => call<Detail>("GET", `/api/v1/incidents/${encodeURIComponent(id)}`),
      async waitFor(what, read, ok, timeoutMs = 15_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const last = await read();
          if (ok(last)) return last;
          if (Date.now() > deadline) {
            const sent = await amRef.notifications().catch((e: Error) => e.message);
            assert.fail(
              `timed out after ${timeoutMs} ms waiting for ${what}\n` +
                `last value: ${JSON.stringify(last, null, 2).slice(0, 4000)}\n` +
                `alertmanager webhook notifications: ${JSON.stringify(sent)}\n` +
                `alertmanager log:\n${amRef.logTail()}\nday2 serve output:\n${d2.output().slice(-3000)}`,
            );
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---- the alerts -------------------------------------------------------------------------------

const STARTS = new Date(Date.now() - 60_000).toISOString();

function alert(labels: Record<string, string>, summary: string): PostableAlert {
  return {
    labels,
    annotations: { summary },
    startsAt: STARTS,
    generatorURL: "http://127.0.0.1:9090/graph?g0.expr=up",
  };
}

/** One group (alertname + namespace): three pods crash-looping, severity critical -> P1. */
const CRASH = ["a", "b", "c"].map((pod) =>
  alert(
    { alertname: "KubePodCrashLooping", namespace: "shop", severity: "critical", service: "checkout", pod },
    `checkout-${pod} is crash-looping`,
  ),
);
/** A fourth pod of the same group, fired later. */
const CRASH_D = alert(
  {
    alertname: "KubePodCrashLooping",
    namespace: "shop",
    severity: "critical",
    service: "checkout",
    pod: "d",
  },
  "checkout-d is crash-looping",
);
/** Another group: severity warning -> P2. */
const LATENCY = alert(
  { alertname: "HighLatency", namespace: "payments", severity: "warning", service: "payments-api" },
  "p99 above 2 s",
);

const isCrash = (i: Incident) => i.groupKey.includes('alertname="KubePodCrashLooping"');
const isLatency = (i: Incident) => i.groupKey.includes('alertname="HighLatency"');

function one(list: Incident[], pred: (i: Incident) => boolean, what: string): Incident {
  const found = list.filter(pred);
  assert.equal(found.length, 1, `expected one ${what} incident, got ${JSON.stringify(list, null, 2)}`);
  return found[0]!;
}

/** Both groups delivered: two incidents, the crash group with `crashAlerts` alerts. */
async function waitForTwoIncidents(
  s: Stack,
  crashAlerts: number,
): Promise<{ crash: Detail; latency: Detail }> {
  const list = await s.waitFor(
    "two incidents (one per Alertmanager group)",
    () => s.incidents(),
    (l) => l.some(isCrash) && l.some(isLatency),
  );
  assert.equal(list.length, 2, `one incident per group: ${JSON.stringify(list, null, 2)}`);
  const crashId = one(list, isCrash, "KubePodCrashLooping").id;
  const latencyId = one(list, isLatency, "HighLatency").id;
  const crash = await s.waitFor(
    `${crashAlerts} alerts on the KubePodCrashLooping incident`,
    () => s.detail(crashId),
    (d) => (d.alerts ?? []).length >= crashAlerts,
  );
  return { crash, latency: await s.detail(latencyId) };
}

/** The timeline entries alert deliveries write. */
function intakeEntries(d: Detail): TimelineEntry[] {
  return d.timeline.filter((e) => ["triggered", "alert", "reopened", "resolved"].includes(e.kind));
}

function fingerprints(d: Detail): string[] {
  return (d.alerts ?? []).map((a) => a.fingerprint).sort();
}

/** Every alert of the incident has exactly one "firing" alert entry in the timeline. */
function assertNoDuplicateAlerts(d: Detail): void {
  const fps = fingerprints(d);
  assert.equal(new Set(fps).size, fps.length, `duplicate alerts: ${fps.join(", ")}`);
  for (const fp of fps) {
    const firing = d.timeline.filter(
      (e) => e.kind === "alert" && e.data?.["fingerprint"] === fp && e.data?.["status"] === "firing",
    );
    assert.equal(firing.length, 1, `alert ${fp}: ${firing.length} "firing" timeline entries`);
  }
}

async function resolveAll(s: Stack, alerts: PostableAlert[], ids: string[]): Promise<Detail[]> {
  await s.am.resolve(alerts);
  const out: Detail[] = [];
  for (const id of ids) {
    const d = await s.waitFor(
      `incident ${id} resolved after Alertmanager's resolved notification`,
      () => s.detail(id),
      (x) => x.incident.status === "resolved",
    );
    assert.ok(d.incident.resolvedAt !== undefined, "resolvedAt is set");
    for (const a of d.alerts ?? []) assert.equal(a.status, "resolved", `alert ${a.fingerprint} resolved`);
    assert.ok(
      d.timeline.some((e) => e.kind === "resolved"),
      `a "resolved" timeline entry: ${JSON.stringify(d.timeline)}`,
    );
    out.push(d);
  }
  return out;
}

/** No incidents section: the default policy (critical -> P1, warning -> P2, P1 deadline 15 min). */
const DEFAULT_CONFIG = "apiVersion: day2.dev/v1alpha1\nkind: Config\n";

// ---- tests ------------------------------------------------------------------------------------

test(
  "real Alertmanager -> day2 serve: incidents open per group with policy priorities, re-deliveries add nothing, resolved alerts resolve them",
  { timeout: 60_000 },
  async () => {
    const s = await startStack(DEFAULT_CONFIG);
    try {
      await s.am.fire([...CRASH, LATENCY]);
      const first = await waitForTwoIncidents(s, 3);
      const crash = first.crash.incident;
      const latency = first.latency.incident;
      assert.equal(crash.priority, "P1", "severity critical -> P1 (default policy)");
      assert.equal(latency.priority, "P2", "severity warning -> P2 (default policy)");
      assert.equal(crash.status, "triggered");
      assert.equal(latency.status, "triggered");
      assert.equal(crash.namespace, "shop");
      assert.equal(latency.namespace, "payments");
      assert.deepEqual(
        (first.crash.alerts ?? []).map((a) => a.labels["pod"]).sort(),
        ["a", "b", "c"],
        "the three pods' alerts are grouped into one incident",
      );
      assert.equal((first.latency.alerts ?? []).length, 1);
      assert.equal(first.crash.timeline.filter((e) => e.kind === "triggered").length, 1);
      assertNoDuplicateAlerts(first.crash);

      // The same alerts again, plus a fourth pod: Alertmanager re-delivers the whole group (the
      // three known alerts again) and the unchanged group not at all. Nothing is duplicated.
      const before = await s.am.notifications();
      await s.am.fire([...CRASH, LATENCY]);
      await s.am.fire([...CRASH, CRASH_D, LATENCY]);
      const second = await waitForTwoIncidents(s, 4);
      await s.waitFor(
        "Alertmanager to have delivered the grown group",
        () => s.am.notifications(),
        (n) => n.total > before.total,
      );
      const list = await s.incidents();
      assert.equal(list.length, 2, "still two incidents");
      assert.equal(second.crash.incident.id, crash.id, "the fourth pod joins the open incident");
      assert.equal(fingerprints(second.crash).length, 4);
      assert.deepEqual(
        fingerprints(second.crash).filter((fp) => fingerprints(first.crash).includes(fp)),
        fingerprints(first.crash),
        "the three re-delivered alerts keep their fingerprints",
      );
      assertNoDuplicateAlerts(second.crash);
      assertNoDuplicateAlerts(second.latency);
      assert.equal(second.crash.timeline.filter((e) => e.kind === "triggered").length, 1);
      // (Only the intake's entries: the escalation engine may page level 1 meanwhile.)
      assert.deepEqual(
        intakeEntries(second.latency),
        intakeEntries(first.latency),
        "the other group is untouched",
      );

      // Resolved through Alertmanager: endsAt in the past, send_resolved delivers them.
      await resolveAll(s, [...CRASH, CRASH_D, LATENCY], [crash.id, latency.id]);
      assert.equal((await s.incidents()).length, 2, "resolution opens nothing");
      const sent = await s.am.notifications();
      assert.equal(sent.failed, 0, `no webhook delivery failed:\n${s.am.logTail()}`);
    } finally {
      await s.stop();
    }
  },
);

/** Seconds-scale deadlines so escalation happens within the test. */
const ACK_DEADLINE_MS = 4000;
const ESCALATION_CONFIG = `
apiVersion: day2.dev/v1alpha1
kind: Config
incidents:
  policy:
    ackDeadlines: { P0: 4s, P1: 4s, P2: 4s, P3: 4s }
    # Page every priority at any hour, so the acknowledged P2 would escalate too if it were not acknowledged.
    pageAnytime: [P0, P1, P2, P3]
  schedules:
    - id: primary
      layers:
        - users: [alice, bob]
          rotation: 1w
          start: 2024-01-01
  escalationPolicies:
    - id: default
      levels:
        - targets: [{ schedule: primary }]
          timeout: 4s
        - targets: [{ user: carol }]
          timeout: 1h
`;

test(
  "real Alertmanager -> day2 serve --config: an unacknowledged P1 escalates after its deadline, an acknowledged P2 does not, both resolve",
  { timeout: 60_000 },
  async () => {
    // Workers every 200 ms: the escalation fires within a fifth of a second of its deadline.
    const s = await startStack(ESCALATION_CONFIG, ["--worker-interval", "200"]);
    try {
      await s.am.fire([...CRASH, LATENCY]);
      const { crash, latency } = await waitForTwoIncidents(s, 3);
      assert.equal(crash.incident.priority, "P1");
      assert.equal(latency.incident.priority, "P2");

      // Acknowledge the P2 at once; leave the P1 alone.
      const acked = await s.post<Incident>(`/api/v1/incidents/${latency.incident.id}/ack`, {
        note: "looking at the payments latency",
      });
      assert.equal(acked.status, "acknowledged");
      const ackedAt = acked.acknowledgedAt!;
      assert.ok(ackedAt < latency.incident.createdAt + ACK_DEADLINE_MS, "acknowledged before its deadline");

      // The P1's deadline passes unacknowledged: it escalates (level 2, an "escalated" entry).
      const deadline = crash.incident.createdAt + ACK_DEADLINE_MS;
      const escalated = await s.waitFor(
        `an "escalated" timeline entry on the P1 after its ${ACK_DEADLINE_MS} ms acknowledgement deadline`,
        () => s.detail(crash.incident.id),
        (d) => d.timeline.some((e) => e.kind === "escalated" && e.at >= deadline - 500),
        ACK_DEADLINE_MS + 20_000,
      );
      assert.equal(escalated.incident.status, "triggered", "escalation does not acknowledge");
      assert.ok(
        escalated.incident.escalationLevel >= 2,
        `escalated past level 1: escalationLevel ${escalated.incident.escalationLevel}`,
      );

      // Level 2 of the escalation policy (user carol) is paged; level 1 (the primary schedule's
      // on-call) had been paged when the incident opened, before the deadline.
      const p1Escalated = escalated.timeline.find((e) => e.kind === "escalated" && e.at >= deadline - 500)!;
      assert.equal(p1Escalated.data?.["level"], 2, `level 2 paged: ${JSON.stringify(p1Escalated)}`);
      assert.deepEqual(p1Escalated.data?.["users"], ["carol"], JSON.stringify(p1Escalated));
      for (const e of escalated.timeline.filter((x) => x.kind === "escalated" && x.at < deadline - 500)) {
        assert.equal(e.data?.["level"], 1, `only level 1 before the deadline: ${JSON.stringify(e)}`);
        assert.ok(
          ["alice", "bob"].includes(String((e.data?.["users"] as unknown[] | undefined)?.[0])),
          JSON.stringify(e),
        );
      }

      // Give the acknowledged P2 the same deadline plus the time the P1 took to escalate.
      const margin = Math.max(1000, p1Escalated.at - deadline) + 1000;
      const wait = latency.incident.createdAt + ACK_DEADLINE_MS + margin - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const quiet = await s.detail(latency.incident.id);
      assert.equal(quiet.incident.status, "acknowledged");
      assert.deepEqual(
        quiet.timeline.filter((e) => e.kind === "escalated" && e.at >= ackedAt),
        [],
        "no escalation after the acknowledgement",
      );
      assert.ok(quiet.incident.escalationLevel <= 1, `escalationLevel ${quiet.incident.escalationLevel}`);

      const resolved = await resolveAll(s, [...CRASH, LATENCY], [crash.incident.id, latency.incident.id]);
      const escalations = resolved[0]!.timeline.filter((e) => e.kind === "escalated").length;
      await new Promise((r) => setTimeout(r, 1500));
      const after = await s.detail(crash.incident.id);
      assert.equal(
        after.timeline.filter((e) => e.kind === "escalated").length,
        escalations,
        "a resolved incident escalates no further",
      );
      assert.equal((await s.am.notifications()).failed, 0, `no webhook delivery failed:\n${s.am.logTail()}`);
    } finally {
      await s.stop();
    }
  },
);

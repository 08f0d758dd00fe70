/**
 * A real Alertmanager for tests: the Debian package's `prometheus-alertmanager` (or
 * ALERTMANAGER_BIN) on a free 127.0.0.1 port, with a temp config and storage dir, no cluster
 * gossip, and one route to one webhook receiver with short group timings. Alerts are fired and
 * resolved through Alertmanager's own API (POST /api/v2/alerts), so whatever the receiver gets
 * is what Alertmanager decided to send.
 *
 * stop() kills the pid that was started (SIGTERM, then SIGKILL) and removes the temp dir.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort, waitHttpReady, stopChild } from "./net.js";

export const ALERTMANAGER_BIN = process.env["ALERTMANAGER_BIN"] || "/usr/bin/prometheus-alertmanager";

export interface WebhookReceiver {
  url: string;
  /** Sent as `Authorization: Bearer <token>` (written to a credentials file in the temp dir). */
  bearerToken?: string;
  /** Default true: resolved notifications are sent too. */
  sendResolved?: boolean;
}

export interface StartAlertmanagerOptions {
  webhook: WebhookReceiver;
  /** Default ["alertname", "namespace"]. */
  groupBy?: string[];
  /** Defaults 1s, 2s and 1h. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** global.resolve_timeout (default 5m): how long a fired alert without endsAt stays firing. */
  resolveTimeout?: string;
  readyTimeoutMs?: number;
}

/** An alert as POST /api/v2/alerts takes it; times are RFC 3339. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** Counters from Alertmanager's /metrics for the webhook integration. */
export interface NotificationCounts {
  /** Notification attempts (alertmanager_notifications_total{integration="webhook"}). */
  total: number;
  /** Failed attempts (alertmanager_notifications_failed_total{integration="webhook"}). */
  failed: number;
}

export interface TestAlertmanager {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  pid: number;
  dir: string;
  /** The YAML Alertmanager was started with (the token is in a separate file). */
  config: string;
  /** POST /api/v2/alerts; throws unless Alertmanager answers 200. */
  post(alerts: PostableAlert[]): Promise<void>;
  /** Posts the alerts firing (no endsAt: Alertmanager keeps them for resolve_timeout). */
  fire(alerts: PostableAlert[]): Promise<void>;
  /** Posts the alerts again with endsAt one second in the past: Alertmanager resolves them. */
  resolve(alerts: PostableAlert[]): Promise<void>;
  /** GET /api/v2/alerts (what Alertmanager holds now). */
  alerts(): Promise<{ labels: Record<string, string>; status: { state: string } }[]>;
  notifications(): Promise<NotificationCounts>;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and removes the temp dir. */
  stop(): Promise<void>;
  /** The last lines of Alertmanager's log (for failure messages). */
  logTail(lines?: number): string;
}

/** The alertmanager.yml for one webhook receiver; the token is read from `credentialsFile`. */
export function alertmanagerConfig(opts: StartAlertmanagerOptions, credentialsFile?: string): string {
  const webhook: Record<string, unknown> = {
    url: opts.webhook.url,
    send_resolved: opts.webhook.sendResolved ?? true,
  };
  if (credentialsFile !== undefined)
    webhook["http_config"] = { authorization: { type: "Bearer", credentials_file: credentialsFile } };
  return stringify({
    global: { resolve_timeout: opts.resolveTimeout ?? "5m" },
    route: {
      receiver: "day2",
      group_by: opts.groupBy ?? ["alertname", "namespace"],
      group_wait: opts.groupWait ?? "1s",
      group_interval: opts.groupInterval ?? "2s",
      repeat_interval: opts.repeatInterval ?? "1h",
    },
    receivers: [{ name: "day2", webhook_configs: [webhook] }],
  });
}

/** Sums the samples of a counter whose labels include integration="webhook". */
function counter(metrics: string, name: string): number {
  let sum = 0;
  for (const line of metrics.split("\n")) {
    if (!line.startsWith(`${name}{`) || !line.includes('integration="webhook"')) continue;
    const v = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(v)) sum += v;
  }
  return sum;
}

/** Starts Alertmanager with one route to the webhook; resolves once /-/ready answers 200. */
export async function startAlertmanager(opts: StartAlertmanagerOptions): Promise<TestAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), "day2-am-"));
  let proc: ChildProcess | undefined;
  const logLines: string[] = [];
  const logTail = (n = 30) => logLines.slice(-n).join("\n");
  const stop = async (): Promise<void> => {
    await stopChild(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let credentialsFile: string | undefined;
    if (opts.webhook.bearerToken !== undefined) {
      credentialsFile = join(dir, "webhook-token");
      writeFileSync(credentialsFile, opts.webhook.bearerToken, { mode: 0o600 });
    }
    const config = alertmanagerConfig(opts, credentialsFile);
    const configFile = join(dir, "alertmanager.yml");
    writeFileSync(configFile, config);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const args = [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no cluster listener, no gossip.
      "--cluster.listen-address=",
      `--web.external-url=${url}`,
      "--log.level=info",
    ];
    proc = spawn(ALERTMANAGER_BIN, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (c: string) => {
      logLines.push(...c.split("\n").filter(Boolean));
      if (logLines.length > 300) logLines.splice(0, logLines.length - 300);
    });
    const spawned = proc;
    await new Promise<void>((resolve, reject) => {
      spawned.once("spawn", () => resolve());
      spawned.once("error", (e) => reject(new Error(`cannot start ${ALERTMANAGER_BIN}: ${e.message}`)));
    });
    await waitHttpReady("alertmanager", `${url}/-/ready`, spawned, opts.readyTimeoutMs ?? 30_000, logTail);

    const post = async (alerts: PostableAlert[]): Promise<void> => {
      const r = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(10_000),
      });
      const body = await r.text();
      if (r.status !== 200) throw new Error(`POST /api/v2/alerts answered ${r.status}: ${body}`);
    };
    return {
      url,
      port,
      pid: spawned.pid!,
      dir,
      config,
      post,
      fire: (alerts) => post(alerts.map(({ endsAt: _e, ...a }) => a)),
      resolve: (alerts) => {
        const endsAt = new Date(Date.now() - 1000).toISOString();
        return post(alerts.map((a) => ({ ...a, endsAt })));
      },
      async alerts() {
        const r = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(10_000) });
        if (r.status !== 200) throw new Error(`GET /api/v2/alerts answered ${r.status}: ${await r.text()}`);
        return (await r.json()) as { labels: Record<string, string>; status: { state: string } }[];
      },
      async notifications() {
        const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
        const text = await r.text();
        return {
          total: counter(text, "alertmanager_notifications_total"),
          failed: counter(text, "alertmanager_notifications_failed_total"),
        };
      },
      stop,
      logTail,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

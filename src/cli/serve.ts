/**
 * `day2 serve`: the HTTP API, the Alertmanager receiver and /metrics on one port, backed by a
 * SQLite file (default, under the user's data directory) or PostgreSQL (--db postgres://...).
 * SIGTERM or SIGINT: stop accepting, finish in-flight requests and the intake queue, close the
 * store, exit 0.
 *
 * --demo seeds 90 days of demo incident history (once: only into a store with no incidents)
 * and runs with the demo's on-call config unless --config is given. Its default database is
 * a separate file, demo.db beside day2.db, so a real database never gets demo data by accident.
 */
import type { Command } from "commander";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { buildServer, DEFAULT_BODY_LIMIT } from "../server/app.js";
import { adaptStore } from "../server/store-adapter.js";
import { builtWebRoot, packageRunbooks } from "../server/routes/web.js";
import { loadConfig } from "../config/config.js";
import type { Day2Config } from "../config/config.js";
import { IncidentEngine, engineId } from "../incident/engine.js";
import { configSilencers, engineHooks, engineOps } from "../incident/engine-ops.js";
import { AlwaysLeader, KubeLeaseLeader, PgAdvisoryLeader, parseLeaseRef } from "../incident/engine-leader.js";
import type { Leadership } from "../incident/engine-leader.js";
import { DEMO_DAYS, demoIncidentsConfig, seedDemo } from "../incident/demo-seed.js";
import { resolveIncidents } from "../incident/policy-config.js";
import { KubeClient } from "../kube/http.js";
import { loadKubeConfig } from "../kube/config.js";
import { Store, isPostgresUrl } from "../store/index.js";
import { Collector } from "../collect/loop.js";
import type { RunOutcome } from "../collect/loop.js";
import { rhythmAfterRun, scheduleLine } from "../collect/rhythm.js";
import { demoHistoryLine, seedDemoCollections } from "../collect/demo-history.js";
import { previousFromStore } from "../collect/collect.js";
import type { CollectSources } from "../collect/collect.js";
import { hasKubeConfig } from "../kube/config.js";
import { kpiConfigFromDoc, loadKpiConfig } from "../kpi/config.js";
import { incidentsSince } from "../incident/paging.js";
import type { RetentionConfig } from "../incident/engine-config.js";
import { collectionRetention } from "../store/retention.js";
import { adaptCollections } from "../server/store-adapter.js";
import { parseUsageFlags, resolveUsage } from "./cost/shared.js";
import { loadState } from "./source.js";
import type { CommandContext } from "./context.js";
import { EXIT, usageError } from "./errors.js";

type Run = (fn: (ctx: CommandContext) => Promise<number>, args?: Record<string, unknown>) => Promise<void>;

/** $XDG_DATA_HOME/day2/day2.db, else ~/.local/share/day2/day2.db. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith("/")
      ? env.XDG_DATA_HOME
      : join(homedir(), ".local", "share");
  return join(base, "day2", "day2.db");
}

/** `day2 serve --demo`'s default database: demo.db beside the default day2.db. */
export function defaultDemoDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(defaultDbPath(env)), "demo.db");
}

export const DB_HELP =
  "a SQLite file or a postgres:// URL (default: $XDG_DATA_HOME/day2/day2.db, else ~/.local/share/day2/day2.db)";

function intOption(value: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw usageError(`${flag}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** "1048576", "512KiB", "4MiB" -> bytes. */
export function parseSize(value: string, flag: string): number {
  const m = /^(\d+)\s*(B|KiB|MiB|KB|MB)?$/i.exec(value.trim());
  if (!m || Number(m[1]) < 1)
    throw usageError(
      `${flag}: expected a size such as 1048576, 512KiB or 4MiB, got ${JSON.stringify(value)}`,
    );
  const unit = (m[2] ?? "B").toLowerCase();
  const factor = { b: 1, kib: 1024, kb: 1000, mib: 1024 * 1024, mb: 1_000_000 }[unit]!;
  return Number(m[1]) * factor;
}

/** "30s", "15m", "2h", "1d", "500ms" -> ms; "0" -> 0 (collection off). */
export function parseInterval(value: string, flag: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m || (m[2] === undefined && m[1] !== "0"))
    throw usageError(
      `${flag}: expected a duration such as 30s, 15m or 1h (0: off), got ${JSON.stringify(value)}`,
    );
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "ms"]!;
  if (ms !== 0 && ms < 1000) throw usageError(`${flag}: at least 1s, got ${JSON.stringify(value)}`);
  return ms;
}

/** Which cluster `day2 serve` collects, or why none: never the implicit demo of the CLI commands. */
export function collectionSource(
  opts: CommandContext["opts"],
): { source: "snapshot" | "demo" | "live" } | { off: string } {
  if (opts.snapshot) return { source: "snapshot" };
  if (opts.demo) return { source: "demo" };
  if (opts.kubeconfig || opts.context || hasKubeConfig({})) return { source: "live" };
  return { off: "no kubeconfig, --snapshot or --demo" };
}

/**
 * The collection's inputs from the CLI's sources and the server's own store. Usage is read over
 * the KPI window the collection asks for (the cost allocation and the KPIs share it); trends
 * compare with the stored KPI values closest to one window back.
 */
function collectionSources(
  ctx: CommandContext,
  store: Store,
  prometheus: string | undefined,
): CollectSources {
  return {
    loadState: () => loadState(ctx.opts, ctx.log),
    usage: (state, windowSeconds) =>
      resolveUsage(
        ctx,
        state,
        parseUsageFlags({ ...(prometheus ? { prometheus } : {}), window: `${windowSeconds}s` }),
      ),
    async incidents(window) {
      // Incidents that started up to one window earlier still count as downtime inside it.
      const since = window.from - (window.to - window.from);
      const incidents = await incidentsSince((page) => store.listIncidents({}, page), since);
      return { incidents, window, source: "the day2 store" };
    },
    previousKpis: (at, windowMs) => previousFromStore(store.raw, at, windowMs),
  };
}

/** The collection loop, or undefined (and one line saying why) when it is off. */
function makeCollector(
  ctx: CommandContext,
  raw: Store,
  engine: IncidentEngine,
  o: ServeOpts & {
    collectMs: number;
    kpiConfig: ReturnType<typeof loadKpiConfig>;
    afterRun: ((run: RunOutcome) => Promise<void>) | undefined;
    /** day2.yaml's incidents.retention: its snapshot and findings ages govern the collection tables. */
    retention: RetentionConfig | undefined;
  },
): Collector | undefined {
  const { collectMs, kpiConfig } = o;
  const from = collectionSource(ctx.opts);
  if (collectMs === 0 || !("source" in from)) {
    ctx.log.warn(
      `collection: off (${collectMs === 0 ? "--collect-interval 0" : (from as { off: string }).off}); the dashboard shows no scan, cost or KPI data`,
    );
    return undefined;
  }
  ctx.log.info(`collection: the ${from.source} cluster`);
  return new Collector({
    store: raw.raw,
    sources: collectionSources(ctx, raw, o.prometheus),
    settings: {
      ...(kpiConfig.config ? { config: kpiConfig.config } : {}),
      catalog: kpiConfig.catalog,
      queries: kpiConfig.queries,
    },
    intervalMs: collectMs,
    isLeader: () => engine.leader.isLeader(),
    log: { info: (m) => ctx.log.info(m), warn: (m) => ctx.log.warn(m) },
    // The scheduled rhythm reports (day2.yaml rhythm:), evaluated on each run's data.
    ...(o.afterRun ? { afterRun: o.afterRun } : {}),
    ...(o.retention ? { retention: collectionRetention(o.retention.ages) } : {}),
  });
}

/**
 * `day2 serve --demo`: the demo cluster collected once, with 30 days of demo history before it
 * (not when collection is off, or collects a --snapshot instead of the demo).
 */
async function seedDemoHistory(
  ctx: CommandContext,
  raw: Store,
  o: ServeOpts & { collectMs: number; kpiConfig: ReturnType<typeof loadKpiConfig> },
  now: number,
): Promise<void> {
  if (o.collectMs === 0 || ctx.opts.snapshot) return;
  const settings = {
    ...(o.kpiConfig.config ? { config: o.kpiConfig.config } : {}),
    catalog: o.kpiConfig.catalog,
    queries: o.kpiConfig.queries,
  };
  const sources = collectionSources(ctx, raw, o.prometheus);
  const seeded = await seedDemoCollections(raw.raw, sources, settings, { now, seed: ctx.opts.seed });
  ctx.log.info(demoHistoryLine(seeded));
}

/** day2.yaml's `rhythm:` reports, sent after each collection (src/collect/rhythm.ts). */
function rhythmHook(
  ctx: CommandContext,
  raw: Store,
  config: Day2Config | undefined,
  server: { url?: string },
): ((run: RunOutcome) => Promise<void>) | undefined {
  const schedule = config?.rhythm;
  if (!schedule) return undefined;
  const log = { info: (m: string) => ctx.log.info(m), warn: (m: string) => ctx.log.warn(m) };
  return rhythmAfterRun({ store: raw, schedule, link: () => server.url, log });
}

/** The zone the dashboard names rhythm periods in: day2.yaml's rhythm.timeZone (else UTC). */
function rhythmZone(config: Day2Config | undefined): { rhythmTimeZone?: string } {
  return config?.rhythm ? { rhythmTimeZone: config.rhythm.timeZone } : {};
}

function logRhythm(ctx: CommandContext, config: Day2Config | undefined, collecting: boolean): void {
  const schedule = config?.rhythm;
  if (!schedule) return;
  if (collecting) ctx.log.info(scheduleLine(schedule));
  else ctx.log.warn("rhythm: no scheduled reports while collection is off");
}

interface ServeOpts {
  collectInterval: string;
  prometheus?: string;
  port: string;
  address: string;
  db?: string;
  bodyLimit: string;
  queueSize: string;
  retryAfter: string;
  shutdownTimeout: string;
  config?: string;
  alertmanagerUrl?: string;
  leaderLease?: string;
  workerInterval: string;
}

/**
 * Who runs the workers: SQLite is one process (always); PostgreSQL elects a leader with a
 * Kubernetes Lease in a cluster (KUBERNETES_SERVICE_HOST or --leader-lease), else with a
 * PostgreSQL advisory lock.
 */
async function leadership(
  ctx: CommandContext,
  target: string,
  identity: string,
  o: ServeOpts,
  retryMs: number,
): Promise<Leadership> {
  const env = process.env;
  const log = (m: string) => ctx.log.info(m);
  if (o.leaderLease !== undefined || (isPostgresUrl(target) && env.KUBERNETES_SERVICE_HOST)) {
    let ref: { namespace: string; name: string };
    try {
      ref = parseLeaseRef(o.leaderLease ?? `${env.POD_NAMESPACE ?? "default"}/day2-leader`);
    } catch (err) {
      throw usageError((err as Error).message);
    }
    const kube = new KubeClient(
      await loadKubeConfig({ kubeconfig: ctx.opts.kubeconfig, context: ctx.opts.context }),
    );
    return new KubeLeaseLeader(kube, ref, identity, { retryMs: Math.max(retryMs, 1000), log });
  }
  if (isPostgresUrl(target)) return new PgAdvisoryLeader(target, { retryMs: Math.max(retryMs, 500), log });
  return new AlwaysLeader();
}

function urlOf(address: string, port: number): string {
  return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/** The built dashboard to host (dist/web), or a note that there is none. */
function webOptions(ctx: CommandContext): { webRoot?: string; runbooksRoot?: string } {
  const webRoot = builtWebRoot(import.meta.url);
  const runbooksRoot = packageRunbooks(import.meta.url);
  if (!webRoot) ctx.log.info("dashboard not built: npm run build:web");
  return webRoot ? { webRoot, ...(runbooksRoot ? { runbooksRoot } : {}) } : {};
}

async function serve(ctx: CommandContext, o: ServeOpts): Promise<number> {
  const port = intOption(o.port, "--port", 0, 65535);
  const bodyLimit = parseSize(o.bodyLimit, "--body-limit");
  const capacity = intOption(o.queueSize, "--queue-size", 0);
  const retryAfterSeconds = intOption(o.retryAfter, "--retry-after", 1, 3600);
  const shutdownMs = intOption(o.shutdownTimeout, "--shutdown-timeout", 1) * 1000;
  const workerMs = intOption(o.workerInterval, "--worker-interval", 10, 3_600_000);
  const collectMs = parseInterval(o.collectInterval, "--collect-interval");
  // Validates --prometheus (a usage error naming it) before anything is opened.
  if (o.prometheus !== undefined) parseUsageFlags({ prometheus: o.prometheus });
  if (o.alertmanagerUrl !== undefined && !/^https?:\/\/[^/]/.test(o.alertmanagerUrl))
    throw usageError(
      `--alertmanager-url: expected an http:// or https:// URL, got ${JSON.stringify(o.alertmanagerUrl)}`,
    );
  // --demo and --seed are the global options (validated there: --seed abc is a usage error).
  const demo = ctx.opts.demo;
  const seed = ctx.opts.seed;
  const demoNow = Date.now();
  // Config first: a bad file fails before anything is opened. --demo without --config runs
  // with the demo's schedules and escalation policies (./day2.yaml is not read).
  const config = demo && o.config === undefined ? undefined : loadConfig(o.config);
  const incidents =
    config?.incidents ?? (demo && !config ? demoIncidentsConfig(demoNow) : resolveIncidents(undefined));
  const configName = config?.file ?? (demo ? "the demo config" : "config");
  // KPI targets and queries from the same file (--demo without --config: the defaults).
  const kpiConfig =
    demo && o.config === undefined ? kpiConfigFromDoc({}, "the demo config") : loadKpiConfig(o.config);
  const target = o.db ?? (demo ? defaultDemoDbPath() : defaultDbPath());
  const raw = await Store.open(target);
  let engine: IncidentEngine;
  try {
    if (demo) {
      const seeded = await seedDemo(raw, { seed, now: demoNow });
      const c = seeded.counts;
      ctx.log.info(
        seeded.imported
          ? `demo data (not real): seeded ${c.incidents} incidents, ${c.alerts} alerts, ${c.timeline} timeline entries, ` +
              `${c.reviews} reviews, ${c.actionItems} action items over ${DEMO_DAYS} days up to ` +
              `${new Date(seeded.now).toISOString()} (seed ${seed})`
          : "demo data (not real): the store already holds incidents, nothing seeded",
      );
      // Trends from the first minute: 30 days of collections before the first real one.
      await seedDemoHistory(ctx, raw, { ...o, collectMs, kpiConfig }, demoNow);
    }
    const id = engineId();
    engine = new IncidentEngine({
      store: raw,
      config: incidents,
      id,
      leader: await leadership(ctx, target, id, o, workerMs),
      tickMs: workerMs,
      log: { info: (m) => ctx.log.info(m), warn: (m) => ctx.log.warn(m) },
      // day2.yaml's maintenance windows get their Alertmanager silences from the leader.
      workers: configSilencers(o.alertmanagerUrl, incidents.maintenance, ctx.log),
    });
    const seeded = await engine.seedSchedules();
    if (seeded) ctx.log.info(`on-call schedules: ${seeded} from ${configName}`);
  } catch (err) {
    await raw.close();
    throw err;
  }
  const store = adaptStore(raw, incidents.policy, engineHooks(engine));
  const ops = engineOps(engine, o.alertmanagerUrl ? { alertmanagerUrl: o.alertmanagerUrl } : {});
  const web = webOptions(ctx);
  // The scheduled rhythm reports link to the dashboard at the address known once listening.
  const server: { url?: string } = {};
  const afterRun = rhythmHook(ctx, raw, config, server);
  const retention = incidents.retention;
  const collector = makeCollector(ctx, raw, engine, { ...o, collectMs, kpiConfig, afterRun, retention });
  logRhythm(ctx, config, collector !== undefined);
  const workers = {
    stop: async () => {
      await collector?.stop();
      await engine.stop();
    },
  };
  const app = buildServer(
    {
      store,
      ops,
      workers,
      // Rhythm periods in day2.yaml's rhythm.timeZone, as the scheduled reports name them.
      collections: adaptCollections(raw, rhythmZone(config)),
    },
    {
      ...web,
      bodyLimit,
      intake: { capacity, retryAfterSeconds },
      logger: ctx.opts.verbose > 0 ? { level: ctx.opts.verbose > 1 ? "debug" : "info" } : false,
    },
  );
  try {
    await app.listen({ port, host: o.address });
  } catch (err) {
    await app.close();
    throw err;
  }
  const addr = app.server.address();
  const actual = typeof addr === "object" && addr ? addr.port : port;
  ctx.stdout.write(`listening on ${urlOf(o.address, actual)}\n`);
  if (web.webRoot) ctx.stdout.write(`dashboard on ${urlOf(o.address, actual)}/\n`);
  engine.linkBase = `${urlOf(o.address, actual)}/api/v1/incidents`;
  server.url = urlOf(o.address, actual);
  await engine.start();
  if (collector) {
    collector.start();
    ctx.log.info(`collection: every ${o.collectInterval} (worker leader only)`);
  }
  ctx.log.info(`workers: every ${workerMs} ms, leader election: ${engine.leader.name}`);
  ctx.log.info(`store: ${target.replace(/\/\/[^@/]*@/, "//***@")}`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        // A second signal: do not wait any longer.
        app.server.closeAllConnections();
        return;
      }
      stopping = true;
      ctx.log.info(`${signal}: finishing in-flight requests and the intake queue`);
      const force = setTimeout(() => app.server.closeAllConnections(), shutdownMs);
      force.unref();
      app.close().then(
        () => resolve(),
        (err: unknown) => {
          ctx.log.warn(`shutdown: ${(err as Error).message}`);
          resolve();
        },
      );
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return EXIT.ok;
}

export function registerServe(program: Command, run: Run): void {
  program
    .command("serve")
    .description("run the incident service: HTTP API, Alertmanager receiver, /metrics")
    .option("--port <n>", "TCP port (0: a free one, printed on stdout)", "8080")
    .option("--address <addr>", "address to listen on", "127.0.0.1")
    .option("--db <path|url>", DB_HELP)
    .option(
      "--body-limit <size>",
      "largest request body (413 above it), e.g. 1MiB",
      String(DEFAULT_BODY_LIMIT),
    )
    .option(
      "--collect-interval <duration>",
      "collect the cluster (scan, cost, KPIs) this often, e.g. 30s, 15m, 1h; 0: off",
      "15m",
    )
    .option(
      "--prometheus <url>",
      "usage and the Prometheus KPIs (availability, latency, requests) for collection",
    )
    .option("--queue-size <n>", "webhook deliveries waiting for commit before 503 + Retry-After", "1000")
    .option("--retry-after <seconds>", "Retry-After of a 503 when the intake queue is full", "1")
    .option("--shutdown-timeout <seconds>", "on SIGTERM, close connections still busy after this long", "30")
    .option("--config <file>", "day2.yaml with an incidents: section (default: ./day2.yaml when present)")
    .option("--alertmanager-url <url>", "Alertmanager to create maintenance silences in (API v2)")
    .option(
      "--leader-lease <ns/name>",
      "elect the worker leader with this coordination.k8s.io Lease (default in a cluster with PostgreSQL: $POD_NAMESPACE/day2-leader)",
    )
    .option(
      "--worker-interval <ms>",
      "how often escalation timers and the notification outbox are checked",
      "1000",
    )
    .addHelpText(
      "after",
      `
Examples:
  day2 token create --role admin --name me     # the first token, printed once
  day2 serve                                    # http://127.0.0.1:8080, SQLite in the data directory
  day2 serve --port 0                           # a free port; prints "listening on http://127.0.0.1:PORT"
  day2 serve --address 0.0.0.0 --db postgres://day2@db/day2
  day2 serve --demo --seed 7                    # demo data, see below
  day2 serve --collect-interval 5m --prometheus http://prometheus:9090

Demo: --demo seeds 90 days of demo incidents, alerts, timelines, reviews and action items
(seeded once: only into a store without incidents), and 30 days of daily collection runs before
its first real collection (only into a store without runs), and runs with the demo's on-call schedules
and escalation policies unless --config is given. Its default --db is demo.db beside day2.db,
never your real database. Tokens stay explicit; for the API and the dashboard:
  day2 token create --role admin --name me --db ~/.local/share/day2/demo.db

Routes: / (the dashboard), /healthz, /readyz, /metrics, /api/v1/openapi.json (the full API),
POST /api/v1/alerts/alertmanager (Alertmanager webhook, bearer token with role responder),
the dashboard's GET /api/v1/whoami, overview, findings, findings/groups, scores, kpis,
kpis/:id/history, cost, rhythm/:cadence, rhythm/reports and rhythm/signoffs (POST: role
responder).

Collection: every --collect-interval (default 15m; 0: off) the worker leader reads the cluster
(--snapshot, --demo, or the kubeconfig's; with none of them collection is off), runs the
scanner, the cost model and the 16 KPIs (--prometheus URL for usage and the Prometheus KPIs),
and stores the run: findings with first seen, last seen and fixed, score, KPI and cost
history. /metrics exports day2_scan_score, day2_scan_coverage, day2_findings{severity},
day2_kpi_value{kpi}, day2_kpi_status{kpi,status}, day2_collection_last_success_timestamp_seconds
and day2_collection_duration_seconds from the latest stored run.

Rhythm: with a rhythm: section in --config, after each collection the leader sends every
checklist whose time has passed in its period (once per period, recorded in the store) through
the named incidents.notifications targets (Slack: Block Kit; webhooks: event rhythm.report):
  rhythm:
    timeZone: Europe/Berlin
    daily: "09:00"
    weekly: "mon 09:00"
    monthly: "1 09:00"          # day of the month
    quarterly: "1 09:00"        # day of the quarter's first month
    notify: [incidents]
    format: markdown            # what a webhook carries: markdown, table or html

Alertmanager receiver:
  receivers:
    - name: day2
      webhook_configs:
        - url: http://127.0.0.1:8080/api/v1/alerts/alertmanager
          send_resolved: true
          http_config:
            authorization:
              type: Bearer
              credentials_file: /etc/alertmanager/day2-token`,
    )
    .action((o: ServeOpts) => run((ctx) => serve(ctx, o)));
}

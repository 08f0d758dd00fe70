/**
 * `day2 kpi`: the handbook's 16 KPIs with value, target, status and trend; `day2 kpi slo-rules`:
 * uptime's burn-rate alerts as a PrometheusRule. Thin: gathers the inputs (state, usage, cost
 * allocation, scanner summaries, incident history, Prometheus answers), src/kpi judges.
 */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { stringify } from "yaml";
import { previousFromStore } from "../collect/collect.js";
import { allocate } from "../cost/allocation.js";
import type { AllocationResult } from "../cost/allocation.js";
import { buildPriceSheet } from "../cost/pricing.js";
import { demoIncidentHistory } from "../incident/demo.js";
import { incidentsSince } from "../incident/paging.js";
import type { Incident } from "../incident/types.js";
import { definition } from "../kpi/catalog.js";
import { sloRules } from "../kpi/compute/prometheus.js";
import { loadKpiConfig } from "../kpi/config.js";
import type { PromAnswers } from "../kpi/engine.js";
import { evaluate, measureAll, previousValues } from "../kpi/engine.js";
import { kpiInputs, kpiWindows, queryKpiAnswers, securityInputs } from "../kpi/inputs.js";
import type { KpiWindows } from "../kpi/inputs.js";
import type { KpiId, KpiResult } from "../kpi/types.js";
import { Day2Client } from "../server/client.js";
import { isPostgresUrl, Store } from "../store/index.js";
import type { CommandContext } from "./context.js";
import { CliError, EXIT, usageError } from "./errors.js";
import {
  addUsageOptions,
  checkFormat,
  demoOptionsOf,
  parseUsageFlags,
  resolveUsage,
  spanText,
  write,
} from "./cost/shared.js";
import type { RunFn } from "./cost/shared.js";
import type { ClusterState } from "../state/cluster-state.js";
import { registerKpiSuccess } from "./kpi-success.js";
import { loadState } from "./source.js";

/** The API server's page size for incidents. */
const SERVER_PAGE = 500;

interface KpiOptions {
  server?: string;
  token?: string;
  db?: string;
  previous?: string;
}

/** What a store or a server adds: incident history, and (a store) the KPI values a window back. */
interface History {
  incidents?: { items: Incident[]; source: string; window?: { from: number; to: number } };
  previous: Partial<Record<KpiId, number | null>>;
  /** Where `previous` came from, for the log. */
  previousFrom?: string;
}

async function fromStore(db: string, windows: KpiWindows): Promise<History> {
  if (!isPostgresUrl(db) && !existsSync(db)) throw usageError(`--db: no such file ${JSON.stringify(db)}`);
  const store = await Store.open(db);
  try {
    const items = await incidentsSince((page) => store.listIncidents({}, page), windows.incidentsSince);
    // Trends over the window: the stored values closest to one window back (as the server does).
    const at = windows.incidents.to;
    const previous = await previousFromStore(store.raw, at, windows.seconds * 1000);
    return { incidents: { items, source: db }, previous, previousFrom: `${db}'s KPI history` };
  } finally {
    await store.close();
  }
}

async function fromServer(o: KpiOptions, windows: KpiWindows): Promise<History | undefined> {
  const server = o.server ?? process.env.DAY2_SERVER;
  if (!server) return undefined;
  if (!/^https?:\/\/[^/]/.test(server))
    throw usageError(`--server: expected an http:// or https:// URL, got ${JSON.stringify(server)}`);
  const token = o.token ?? process.env.DAY2_TOKEN;
  if (!token) throw usageError("--token (or DAY2_TOKEN) is required with --server");
  const client = new Day2Client(server, token);
  try {
    const items = await incidentsSince(
      (page) => client.listIncidents(page),
      windows.incidentsSince,
      SERVER_PAGE,
    );
    const previous = await previousFromServer(client, windows.incidents.to, windows.seconds * 1000);
    return { incidents: { items, source: server }, previous, previousFrom: `${server}'s KPI history` };
  } catch (e) {
    throw new CliError("D2_ERR_SERVER", `day2 server: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Trends from a server: each KPI's stored daily value closest to one window back, at least
 * half a window old (as `--db` and the server itself judge trends). A server that has not
 * collected yet gives none.
 */
async function previousFromServer(
  client: Day2Client,
  at: number,
  windowMs: number,
): Promise<History["previous"]> {
  let page: { items: { id: string; history?: { at: string; value: number | null }[] }[] };
  try {
    page = await client.request("GET", "/api/v1/kpis");
  } catch {
    return {};
  }
  const target = at - windowMs;
  const out: { id: string; value: number | null }[] = [];
  for (const tile of page.items) {
    let best: { at: number; value: number | null } | undefined;
    for (const p of tile.history ?? []) {
      const t = Date.parse(p.at);
      if (!Number.isFinite(t) || t > at - windowMs / 2 || t < target - windowMs / 2) continue;
      if (!best || Math.abs(t - target) < Math.abs(best.at - target)) best = { at: t, value: p.value };
    }
    if (best) out.push({ id: tile.id, value: best.value });
  }
  return previousValues(out);
}

/** The demo cluster's incident history (as `day2 serve --demo` seeds it), ending at its collection time. */
function demoIncidents(state: ClusterState, window: { from: number; to: number }): History["incidents"] {
  const demo = demoOptionsOf(state);
  if (!demo) return undefined;
  const history = demoIncidentHistory({ seed: demo.seed, now: window.to });
  return { items: history.incidents, source: "the demo's incident history", window };
}

function readPrevious(path: string): ReturnType<typeof previousValues> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw usageError(`--previous: cannot read ${JSON.stringify(path)} as JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc)) throw usageError(`--previous: expected the JSON array of \`day2 kpi -o json\``);
  return previousValues(doc);
}

function fmt(n: number): string {
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 4;
  return Number(n.toFixed(digits)).toLocaleString("en-US", { maximumFractionDigits: digits });
}

function valueText(r: KpiResult): string {
  if (r.value === null) return "-";
  return r.unit === "%" ? `${fmt(r.value)}%` : `${fmt(r.value)} ${r.unit}`;
}

function trendText(r: KpiResult): string {
  if (!r.trend) return "";
  const arrow = r.trend.direction === "up" ? "↑" : r.trend.direction === "down" ? "↓" : "→";
  return `${arrow} ${r.trend.delta >= 0 ? "+" : ""}${fmt(r.trend.delta)}`;
}

export function renderKpiTable(rows: readonly KpiResult[]): string {
  const head = ["KPI", "VALUE", "TARGET", "STATUS", "TREND", "NOTE"];
  const body = rows.map((r) => [r.name, valueText(r), r.targetText, r.status, trendText(r), r.reason ?? ""]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(head), ...body.map(line)].join("\n") + "\n";
}

async function runKpi(ctx: CommandContext): Promise<number> {
  const format = checkFormat(ctx.opts, "day2 kpi", ["table", "json", "yaml"]);
  const results = await computeKpis(ctx);
  const text =
    format === "json"
      ? JSON.stringify(results, null, 2) + "\n"
      : format === "yaml"
        ? stringify(results)
        : renderKpiTable(results);
  await write(ctx.stdout, text);
  return EXIT.ok;
}

/**
 * The 16 KPIs from `day2 kpi`'s flags and sources (shared by `day2 kpi success`), built as the
 * server builds them (src/kpi/inputs.ts): one window (--window) for usage, the cost allocation,
 * the Prometheus queries and the incident KPIs. Trends: --previous FILE, else with --db the
 * store's KPI values closest to one window back.
 */
export async function computeKpis(ctx: CommandContext): Promise<KpiResult[]> {
  const { opts, log, args } = ctx;
  const o = args as KpiOptions;
  if (o.db && (o.server ?? o.token)) throw usageError("--db and --server/--token cannot be used together");
  const flags = parseUsageFlags(args);
  const fromFile = o.previous !== undefined ? readPrevious(o.previous) : undefined;
  const { config, catalog, queries } = loadKpiConfig(flags.config);
  const state = await loadState(opts, log);
  const { usage, prom } = await resolveUsage(ctx, state, flags);
  const now = Date.now();
  const windows = kpiWindows(state, flags.windowSeconds, now);
  let allocation: AllocationResult | undefined;
  try {
    allocation = allocate(state, buildPriceSheet(config?.cost?.pricing), usage, {
      ...(config?.cost?.costLabels ? { costLabels: config.cost.costLabels } : {}),
    });
  } catch (e) {
    log.warn(`cost allocation failed: ${(e as Error).message}`);
  }
  const history: History = (o.db ? await fromStore(o.db, windows) : await fromServer(o, windows)) ?? {
    previous: {},
  };
  // The demo cluster comes with 90 days of demo incidents, up to its own collection time.
  const incidents = history.incidents ?? demoIncidents(state, windows.cluster);
  let answers: PromAnswers | undefined;
  if (prom) {
    log.info(
      `kpi: querying Prometheus for availability and latency over ${spanText(flags.windowSeconds)}...`,
    );
    answers = await queryKpiAnswers(prom, queries, flags.windowSeconds, windows.cluster.to, usage);
  }
  const inputs = kpiInputs({
    state,
    windows,
    usage,
    ...(allocation ? { allocation } : {}),
    security: securityInputs(state, { ...(config ? { config } : {}), now }),
    ...(incidents ? { incidents } : {}),
    ...(answers ? { prom: answers } : {}),
  });
  if (!fromFile && history.previousFrom)
    log.info(
      Object.keys(history.previous).length
        ? `kpi: trends against ${history.previousFrom} one window (${spanText(flags.windowSeconds)}) back`
        : `kpi: no KPI values in ${history.previousFrom} half a window or more back: no trends`,
    );
  return evaluate(catalog, measureAll(inputs, catalog), fromFile ?? history.previous);
}

async function runSloRules(ctx: CommandContext): Promise<number> {
  const a = ctx.args as { target?: string; namespace?: string; name?: string; config?: string };
  const { catalog, queries } = loadKpiConfig(a.config);
  let targetPct: number;
  if (a.target !== undefined) {
    targetPct = Number(a.target.replace(/%$/, ""));
    if (!(targetPct > 0 && targetPct < 100))
      throw usageError(
        `--target: expected a percentage between 0 and 100, e.g. 99.95, got ${JSON.stringify(a.target)}`,
      );
  } else {
    const t = catalog.find((d) => d.id === "uptime")?.target ?? definition("uptime").target;
    targetPct = t.kind === "min" ? t.value : 99.95;
  }
  await write(
    ctx.stdout,
    sloRules({
      targetPct,
      errorRatio: queries.errorRatio,
      ...(a.namespace ? { namespace: a.namespace } : {}),
      ...(a.name ? { name: a.name } : {}),
    }),
  );
  return EXIT.ok;
}

/** The flags that choose the KPIs' sources (`day2 kpi show` and `day2 kpi success`). */
export function addKpiSourceOptions(cmd: Command): Command {
  cmd
    .option("--server <url>", "incident history from this day2 server (default: $DAY2_SERVER)")
    .option("--token <token>", "an API token for --server (default: $DAY2_TOKEN)")
    .option(
      "--db <path|url>",
      "incident history and KPI history (trends: the values one window back) from this store (SQLite file or postgres:// URL)",
    )
    .option(
      "--previous <file>",
      "an earlier `day2 kpi -o json`: trends and trend targets against it (overrides --db's KPI history)",
    );
  return addUsageOptions(cmd, "30d");
}

export function registerKpi(program: Command, run: RunFn): void {
  const kpi = program
    .command("kpi")
    .description("the 16 operations KPIs: value, target, status (met, at-risk, missed, no-data) and trend");
  const show = kpi
    .command("show", { isDefault: true })
    .description("the KPIs with their flags (the default: `day2 kpi` is `day2 kpi show`)");
  addKpiSourceOptions(show);
  kpi.addHelpText(
    "after",
    `
Examples:
  day2 kpi                                      # the demo cluster (or the current context)
  day2 kpi --prometheus http://127.0.0.1:9090   # uptime, latency and cost per request too
  day2 kpi --db ~/.local/share/day2/demo.db     # incident KPIs and trends over the window from a store
  day2 kpi -o json > kpi-$(date +%F).json       # keep it; next time: --previous kpi-....json
  day2 kpi slo-rules --namespace monitoring     # burn-rate alerts as a PrometheusRule

Targets and queries: day2.yaml \`kpis.<id>.target\` ("< 30", ">= 99.9", "60-80", "down") and
\`kpis.queries\` (PromQL with $window). A KPI without a source says "no data" and why.`,
  );
  show.action((raw: Record<string, unknown>) => run((ctx) => runKpi(ctx), raw));
  registerKpiSuccess(kpi, run, { computeKpis, addKpiSourceOptions });
  kpi
    .command("slo-rules")
    .description("uptime's SLO burn-rate alerts (14.4x, 6x, 3x, 1x; multi-window) as a PrometheusRule")
    .option("--target <percent>", "the availability SLO (default: kpis.uptime.target, else 99.95)")
    .option("--namespace <ns>", "the PrometheusRule's namespace")
    .option("--name <name>", "the PrometheusRule's name (default day2-slo-uptime)")
    .option("--config <file>", "day2.yaml with kpis: (default: ./day2.yaml if present)")
    .action((raw: Record<string, unknown>) => run((ctx) => runSloRules(ctx), raw));
  for (const c of kpi.commands) c.exitOverride();
}

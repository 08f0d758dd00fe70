/**
 * `day2 kpi`: the handbook's 16 KPIs with value, target, status and trend; `day2 kpi slo-rules`:
 * uptime's burn-rate alerts as a PrometheusRule. Thin: gathers the inputs (state, usage, cost
 * allocation, scanner summaries, incident history, Prometheus answers), src/kpi judges.
 */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { stringify } from "yaml";
import { allocate } from "../cost/allocation.js";
import type { AllocationResult } from "../cost/allocation.js";
import { buildPriceSheet } from "../cost/pricing.js";
import { demoIncidentHistory } from "../incident/demo.js";
import type { Incident } from "../incident/types.js";
import { definition } from "../kpi/catalog.js";
import type { IncidentHistory } from "../kpi/compute/incidents.js";
import { sloRules } from "../kpi/compute/prometheus.js";
import { loadKpiConfig } from "../kpi/config.js";
import type { PromAnswers } from "../kpi/engine.js";
import { evaluate, measureAll, previousValues } from "../kpi/engine.js";
import { queryKpis } from "../kpi/prom.js";
import type { KpiResult } from "../kpi/types.js";
import { clusterCompliance } from "../score/compliance.js";
import { cveSummary } from "../score/vulnerabilities.js";
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

const PAGE = 500;

/** Incidents created since `since` (newest first, paged), from a store or a server. */
async function fetchIncidents(
  list: (limit: number, offset: number) => Promise<{ items: Incident[]; total: number }>,
  since: number,
): Promise<Incident[]> {
  const out: Incident[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await list(PAGE, offset);
    out.push(...page.items);
    const last = page.items.at(-1);
    if (page.items.length < PAGE || offset + PAGE >= page.total || (last && last.createdAt < since)) break;
  }
  return out;
}

interface KpiOptions {
  server?: string;
  token?: string;
  db?: string;
  previous?: string;
}

async function incidentHistory(
  o: KpiOptions,
  window: { from: number; to: number },
): Promise<IncidentHistory | undefined> {
  // Incidents that started up to one window earlier still count as downtime inside it.
  const since = window.from - (window.to - window.from);
  if (o.db) {
    if (!isPostgresUrl(o.db) && !existsSync(o.db))
      throw usageError(`--db: no such file ${JSON.stringify(o.db)}`);
    const store = await Store.open(o.db);
    try {
      const incidents = await fetchIncidents(
        (limit, offset) => store.listIncidents({}, { limit, offset }),
        since,
      );
      return { incidents, window, source: o.db };
    } finally {
      await store.close();
    }
  }
  const server = o.server ?? process.env.DAY2_SERVER;
  if (!server) return undefined;
  if (!/^https?:\/\/[^/]/.test(server))
    throw usageError(`--server: expected an http:// or https:// URL, got ${JSON.stringify(server)}`);
  const token = o.token ?? process.env.DAY2_TOKEN;
  if (!token) throw usageError("--token (or DAY2_TOKEN) is required with --server");
  const client = new Day2Client(server, token);
  try {
    const incidents = await fetchIncidents((limit, offset) => client.listIncidents({ limit, offset }), since);
    return { incidents, window, source: server };
  } catch (e) {
    throw new CliError("D2_ERR_SERVER", `day2 server: ${(e as Error).message}`, { cause: e });
  }
}

/** The demo cluster's incident history (as `day2 serve --demo` seeds it), else none. */
function demoIncidents(
  state: ClusterState,
  window: { from: number; to: number },
): IncidentHistory | undefined {
  const demo = demoOptionsOf(state);
  if (!demo) return undefined;
  const history = demoIncidentHistory({ seed: demo.seed, now: window.to });
  return { incidents: history.incidents, window, source: "the demo's incident history" };
}

function readPrevious(path: string | undefined): ReturnType<typeof previousValues> {
  if (!path) return {};
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

/** The 16 KPIs from `day2 kpi`'s flags and sources (shared by `day2 kpi success`). */
export async function computeKpis(ctx: CommandContext): Promise<KpiResult[]> {
  const { opts, log, args } = ctx;
  const o = args as KpiOptions;
  if (o.db && (o.server ?? o.token)) throw usageError("--db and --server/--token cannot be used together");
  const flags = parseUsageFlags(args);
  const previous = readPrevious(o.previous);
  const { config, catalog, queries } = loadKpiConfig(flags.config);
  const state = await loadState(opts, log);
  const { usage, prom } = await resolveUsage(ctx, state, flags);
  const at = state.info.collectedAt > 0 ? state.info.collectedAt : Date.now();
  const window = { from: at - flags.windowSeconds * 1000, to: at };
  let allocation: AllocationResult | undefined;
  try {
    allocation = allocate(state, buildPriceSheet(config?.cost?.pricing), usage, {
      ...(config?.cost?.costLabels ? { costLabels: config.cost.costLabels } : {}),
    });
  } catch (e) {
    log.warn(`cost allocation failed: ${(e as Error).message}`);
  }
  // Incident history is real time: its window ends now, whatever the cluster's collection time.
  // The demo cluster comes with 90 days of demo incidents, up to its own collection time.
  const now = Date.now();
  const incidents =
    (await incidentHistory(o, { from: now - flags.windowSeconds * 1000, to: now })) ??
    demoIncidents(state, window);
  let answers: PromAnswers | undefined;
  if (prom) {
    log.info(
      `kpi: querying Prometheus for availability and latency over ${spanText(flags.windowSeconds)}...`,
    );
    answers = await queryKpis(
      prom,
      queries,
      spanText(flags.windowSeconds),
      new Date(Math.floor(usage.window.end.getTime())),
    );
  }
  const measurements = measureAll(
    {
      state,
      window,
      usage,
      ...(allocation ? { allocation } : {}),
      cves: cveSummary(state),
      compliance: clusterCompliance(state),
      ...(incidents ? { incidents } : {}),
      ...(answers ? { prom: answers } : {}),
    },
    catalog,
  );
  return evaluate(catalog, measurements, previous);
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
    .option("--db <path|url>", "incident history from this store (SQLite file or postgres:// URL)")
    .option("--previous <file>", "an earlier `day2 kpi -o json`: trends and trend targets against it");
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
  day2 kpi --db ~/.local/share/day2/demo.db     # incident KPIs from a store (day2 serve --demo)
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

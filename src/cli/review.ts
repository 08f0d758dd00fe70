/**
 * `day2 review monthly`: the monthly review for stakeholders (finance included): incident
 * retrospectives, cost review, performance analysis and security audit, with charts, as one
 * HTML, Markdown or JSON document. Thin: gathers the month's inputs (cluster state, usage
 * history, incident store or the demo's history, Prometheus, sign-offs), src/review builds
 * and renders.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import type { Command } from "commander";
import { RULES } from "../checks/index.js";
import { DEMO_NOW_MS } from "../demo/index.js";
import { sourceOf } from "../cost/render/format.js";
import { rightsizeDoc } from "../cost/render/rightsize.js";
import { quickWins } from "../cost/quick-wins.js";
import { recommend } from "../cost/rightsize.js";
import type { UsageData } from "../cost/types.js";
import { demoUsage } from "../cost/usage/demo.js";
import { fetchUsage } from "../cost/usage/prometheus.js";
import { wasteReport } from "../cost/waste.js";
import { demoIncidentHistory } from "../incident/demo.js";
import type { ActionItem, Incident } from "../incident/types.js";
import { loadKpiConfig } from "../kpi/config.js";
import { evaluate, measureAll } from "../kpi/engine.js";
import { kpiInputs, queryKpiAnswers, securityInputs } from "../kpi/inputs.js";
import type { KpiResult } from "../kpi/types.js";
import { PromError } from "../prom/errors.js";
import { buildScan } from "../report/scan.js";
import { compliancePercent } from "../score/compliance.js";
import { Day2Client } from "../server/client.js";
import type { ClusterState } from "../state/cluster-state.js";
import { isPostgresUrl, Store } from "../store/index.js";
import { findingChanges, latestRun, type FindingChange } from "../store/collections.js";
import { judgeSuccess, type SuccessSignoff } from "../success/criteria.js";
import { loadSuccessSignoffs } from "../success/signoffs.js";
import { buildCostSection } from "../review/cost.js";
import { buildIncidentSection, type ReviewDoc } from "../review/incidents.js";
import { monthAfter, monthBefore, parseMonth, previousMonth, type Month } from "../review/month.js";
import { buildPerformanceSection, type Bottleneck } from "../review/performance.js";
import { reviewHtml, reviewJson, reviewMarkdown } from "../review/render.js";
import { reviewCharts, type Chart } from "../review/charts.js";
import { buildSecuritySection, type SecuritySectionInput } from "../review/security.js";
import type { MonthlyReview } from "../review/types.js";
import { allocateRange, dailyCosts } from "../review/usage.js";
import type { CommandContext } from "./context.js";
import { CliError, EXIT, usageError } from "./errors.js";
import {
  collect,
  demoOptionsOf,
  loadCostConfig,
  makePromClient,
  prometheusError,
  resolveUsage,
  usageSourceKind,
  write,
  type RunFn,
  type UsageFlags,
} from "./cost/shared.js";
import { parseUsageFlags } from "./cost/shared.js";
import { defaultDbPath } from "./serve.js";
import { loadState } from "./source.js";
import { incidentsSince } from "../incident/paging.js";

const FORMATS = ["html", "markdown", "json"] as const;
const HOUR_S = 3600;
/** The server API answers at most 500 incidents a page. */
const SERVER_PAGE = 500;

interface IncidentData {
  incidents: Incident[];
  reviews: ReviewDoc[];
  actionItems: ActionItem[];
  source: string;
  /** The time action items are judged at (the demo's now for the demo history). */
  now: number;
}

function parseArgs(ctx: CommandContext): {
  format: (typeof FORMATS)[number];
  month?: Month;
  output?: string;
} {
  const { opts, args } = ctx;
  // -o table is the global default: a terminal gets Markdown.
  const f = opts.output === "table" ? "markdown" : opts.output;
  if (!(FORMATS as readonly string[]).includes(f))
    throw usageError(`-o ${opts.output}: day2 review monthly writes ${FORMATS.join(", ")}`);
  let month: Month | undefined;
  if (args.month !== undefined) {
    month = typeof args.month === "string" ? parseMonth(args.month) : undefined;
    if (!month)
      throw usageError(
        `--month: expected a month as YYYY-MM (e.g. 2026-10), got ${JSON.stringify(args.month)}`,
      );
  }
  // -o/--output is the global format flag, so the file is -f/--file (as in day2 snapshot save).
  const output = typeof args.file === "string" ? args.file : undefined;
  if (output !== undefined && (!output.trim() || output.endsWith("/") || !existsSync(dirname(output) || ".")))
    throw usageError(`--file: no such directory for ${JSON.stringify(output)}`);
  if (args.db && (args.server ?? args.token))
    throw usageError("--db and --server/--token cannot be used together");
  return {
    format: f as (typeof FORMATS)[number],
    ...(month ? { month } : {}),
    ...(output ? { output } : {}),
  };
}

async function fromStore(db: string, since: number): Promise<IncidentData> {
  if (!isPostgresUrl(db) && !existsSync(db)) throw usageError(`--db: no such file ${JSON.stringify(db)}`);
  const store = await Store.open(db);
  try {
    const incidents = await incidentsSince((page) => store.listIncidents({}, page), since);
    const reviews: ReviewDoc[] = [];
    const actionItems: ActionItem[] = [];
    for (const i of incidents) {
      const r = i.reviewedAt !== undefined ? await store.getReview(i.id) : undefined;
      if (r) reviews.push({ incidentId: i.id, body: r.body });
      actionItems.push(...((await store.getIncident(i.id))?.actionItems ?? []));
    }
    return { incidents, reviews, actionItems, source: db, now: Date.now() };
  } finally {
    await store.close();
  }
}

async function fromServer(server: string, token: string | undefined, since: number): Promise<IncidentData> {
  if (!/^https?:\/\/[^/]/.test(server))
    throw usageError(`--server: expected an http:// or https:// URL, got ${JSON.stringify(server)}`);
  if (!token) throw usageError("--token (or DAY2_TOKEN) is required with --server");
  const client = new Day2Client(server, token);
  let incidents: Incident[];
  try {
    incidents = await incidentsSince((page) => client.listIncidents(page), since, SERVER_PAGE);
  } catch (e) {
    throw new CliError("D2_ERR_SERVER", `day2 server: ${(e as Error).message}`, { cause: e });
  }
  return { incidents, reviews: [], actionItems: [], source: server, now: Date.now() };
}

/** Incidents from --db, --server, or the demo's 90-day history on the demo cluster. */
async function incidentData(
  ctx: CommandContext,
  state: ClusterState,
  since: number,
): Promise<IncidentData | string> {
  const { args } = ctx;
  if (typeof args.db === "string") return fromStore(args.db, since);
  const server = (args.server as string | undefined) ?? process.env.DAY2_SERVER;
  if (server) return fromServer(server, (args.token as string | undefined) ?? process.env.DAY2_TOKEN, since);
  const demo = demoOptionsOf(state);
  if (!demo) return "no incident store (give --db or --server)";
  const h = demoIncidentHistory({ seed: demo.seed, now: DEMO_NOW_MS });
  return {
    incidents: h.incidents,
    reviews: h.reviews.map((r) => ({ incidentId: r.incidentId, body: r.markdown })),
    actionItems: h.actionItems,
    source: "the demo's incident history",
    now: DEMO_NOW_MS,
  };
}

/** Usage over [from, to] at an hourly step: Prometheus, the demo's history, or none. */
async function monthUsage(
  ctx: CommandContext,
  state: ClusterState,
  flags: UsageFlags,
  range: { from: number; to: number },
): Promise<UsageData | undefined> {
  const kind = usageSourceKind(state, flags);
  const end = Math.floor(range.to / 1000 / HOUR_S) * HOUR_S;
  const window = { start: new Date(range.from), end: new Date(end * 1000), stepSeconds: HOUR_S };
  if (kind === "demo") return demoUsage(demoOptionsOf(state)!, state, window);
  if (kind === "prometheus") {
    try {
      return await fetchUsage(makePromClient(flags, ctx.log), state, window);
    } catch (e) {
      if (e instanceof PromError) throw prometheusError(e);
      throw e;
    }
  }
  // metrics-server has no history: costs by requests, no usage-based opportunities.
  const { usage } = await resolveUsage(ctx, state, {
    ...flags,
    windowSeconds: Math.max(HOUR_S, end - range.from / 1000),
  });
  return usage.source === "none" ? undefined : usage;
}

async function openSignoffStore(db: unknown): Promise<Store | undefined> {
  const target = typeof db === "string" ? db : defaultDbPath();
  if (!isPostgresUrl(target) && !existsSync(target)) return undefined;
  return Store.open(target);
}

/**
 * The month's findings history from the collection tables `day2 serve` writes: each finding
 * first seen or fixed in the month, and a reopen in the month counted as an opening (the
 * finding is open again; its earlier fix is no longer on the row).
 */
function monthHistory(
  rows: readonly FindingChange[],
  month: Month,
): { rule: string; objectKey: string; firstSeen: number; fixedAt?: number }[] {
  const inMonth = (t: number | null): t is number => t !== null && t >= month.start && t < month.end;
  return rows.flatMap((r) => {
    const base = { rule: r.rule, objectKey: r.key };
    const out: { rule: string; objectKey: string; firstSeen: number; fixedAt?: number }[] = [
      { ...base, firstSeen: r.firstSeen, ...(r.fixedAt !== null ? { fixedAt: r.fixedAt } : {}) },
    ];
    if (inMonth(r.reopenedAt) && !inMonth(r.firstSeen)) out.push({ ...base, firstSeen: r.reopenedAt });
    return out;
  });
}

async function storeExtras(
  db: unknown,
  month: Month,
): Promise<{ signoffs: SuccessSignoff[]; history: SecuritySectionInput["history"] }> {
  const store = await openSignoffStore(db);
  if (!store) return { signoffs: [], history: { reason: "no store (give --db)" } };
  try {
    const signoffs = await loadSuccessSignoffs(store.raw);
    let history: SecuritySectionInput["history"];
    try {
      history = (await latestRun(store.raw, true))
        ? monthHistory(await findingChanges(store.raw, month.start, month.end), month)
        : { reason: "the store holds no collection yet (day2 serve collects on a schedule)" };
    } catch (e) {
      history = { reason: `the store has none (${(e as Error).message})` };
    }
    return { signoffs, history };
  } finally {
    await store.close();
  }
}

function increases(doc: ReturnType<typeof rightsizeDoc>): Bottleneck[] {
  const out: Bottleneck[] = [];
  for (const w of doc.workloads)
    for (const c of w.containers)
      for (const r of [c.cpu, c.memory]) {
        const request = r.current.request;
        const rec = r.recommended?.request;
        if (r.status !== "ok" || !request || rec === undefined || rec <= request) continue;
        out.push({
          namespace: w.namespace,
          workload: `${w.kind}/${w.name}`,
          container: c.container,
          resource: r.resource,
          request,
          recommended: rec,
          overPct: Math.round(((rec - request) / request) * 1000) / 10,
        });
      }
  return out;
}

interface Gathered {
  state: ClusterState;
  month: Month;
  until: number;
  incidents: IncidentData | string;
  usage: UsageData | undefined;
  kpis: KpiResult[];
}

async function monthKpis(
  ctx: CommandContext,
  g: Omit<Gathered, "kpis">,
  flags: UsageFlags,
  sheet: ReturnType<typeof loadCostConfig>,
): Promise<KpiResult[]> {
  const { config, catalog, queries } = loadKpiConfig(flags.config);
  const window = { from: g.month.start, to: Math.min(g.month.end, g.until) };
  const inc = g.incidents;
  const allocation = g.usage
    ? allocateRange(g.state, sheet.sheet, g.usage, window.from, g.usage.window.end.getTime())
    : undefined;
  // The month is the KPI window: usage, cost, queries and incidents (src/kpi/inputs.ts).
  const seconds = Math.max(HOUR_S, Math.floor((window.to - window.from) / 1000));
  const windows = { seconds, cluster: window, incidents: window, incidentsSince: window.from };
  const answers = flags.prometheus
    ? await queryKpiAnswers(makePromClient(flags, ctx.log), queries, seconds, window.to)
    : undefined;
  const inputs = kpiInputs({
    state: g.state,
    windows,
    ...(g.usage ? { usage: g.usage } : {}),
    ...(allocation ? { allocation } : {}),
    security: securityInputs(g.state, { ...(config ? { config } : {}), now: g.until }),
    ...(typeof inc === "string" ? {} : { incidents: { items: inc.incidents, source: inc.source } }),
    ...(answers ? { prom: answers } : {}),
  });
  return evaluate(catalog, measureAll(inputs, catalog));
}

async function build(ctx: CommandContext, month: Month | undefined): Promise<MonthlyReview> {
  const { opts, log, args } = ctx;
  const flags = parseUsageFlags(args);
  const costs = loadCostConfig(flags, log);
  const state = await loadState(opts, log);
  const ref = state.info.collectedAt > 0 ? state.info.collectedAt : Date.now();
  const m = month ?? previousMonth(ref);
  if (m.start >= ref)
    throw usageError(`--month: ${m.label} has not started at ${new Date(ref).toISOString()}`);
  const prev = monthBefore(m);
  const until = Math.min(m.end, ref);
  const notes: string[] = [];
  if (until < m.end) notes.push(`${m.label} is not over: figures to ${new Date(until).toISOString()}`);
  log.info(`review: ${m.label} on ${state.info.source} (${state.info.sourceDetail})...`);
  const incidents = await incidentData(ctx, state, prev.start);
  const usage = await monthUsage(ctx, state, flags, { from: prev.start, to: until });
  if (!usage) notes.push("no usage history: costs by requests, no right-sizing");
  notes.push(
    "costs are of the objects in the cluster at collection time: objects deleted before it are not in them",
  );
  const g = { state, month: m, until, incidents, usage };
  const kpis = await monthKpis(ctx, g, flags, costs);
  const now = typeof incidents === "string" ? ref : incidents.now;
  const { signoffs, history } = await storeExtras(args.db, m);
  return {
    apiVersion: "day2.dev/v1alpha1",
    kind: "MonthlyReview",
    month: m.label,
    period: { start: new Date(m.start).toISOString(), end: new Date(m.end).toISOString() },
    generatedAt: new Date(ref).toISOString(),
    source: `${state.info.source} (${state.info.sourceDetail})`,
    ...sections(g, kpis, costs, { now, prev, signoffs, history }),
    notes,
  };
}

function sections(
  g: Omit<Gathered, "kpis">,
  kpis: KpiResult[],
  costs: ReturnType<typeof loadCostConfig>,
  x: { now: number; prev: Month; signoffs: SuccessSignoff[]; history: SecuritySectionInput["history"] },
): Pick<MonthlyReview, "incidents" | "cost" | "performance" | "security" | "success"> {
  const { state, month, usage } = g;
  const inc =
    typeof g.incidents === "string"
      ? { incidents: [], reviews: [], actionItems: [], source: `none: ${g.incidents}`, now: x.now }
      : g.incidents;
  const incidents = buildIncidentSection({ month, ...inc });
  const cost = costSection(g, costs, x.prev);
  const rs = usage
    ? rightsizeDoc(recommend(state, usage), state, costs.sheet, sourceOf(state), {
        problems: [],
        partial: false,
        usageNotes: [],
      })
    : undefined;
  const byId = new Map(kpis.map((k) => [k.id, k]));
  const performance = buildPerformanceSection({
    month,
    uptime: byId.get("uptime"),
    latency: ["p95-latency", "api-response-time", "pod-startup-time"].flatMap(
      (id) => byId.get(id as never) ?? [],
    ),
    increases: rs ? increases(rs) : [],
    openActionItems: incidents.actionItems.items,
  });
  return {
    incidents,
    cost,
    performance,
    security: securitySection(state, month, x.now, x.history),
    success: judgeSuccess(kpis, x.signoffs, new Date(x.now)),
  };
}

function costSection(g: Omit<Gathered, "kpis">, costs: ReturnType<typeof loadCostConfig>, prev: Month) {
  const { state, month, usage, until } = g;
  const sheet = costs.sheet;
  const notes: string[] = [];
  const priced = usage;
  const daily = priced
    ? dailyCosts(state, sheet, priced, { startMs: month.start, days: month.days, untilMs: until })
    : Array.from({ length: month.days }, () => Number.NaN);
  if (!priced) notes.push("no usage history for the month: no daily costs");
  const cur = priced
    ? allocateRange(state, sheet, priced, month.start, priced.window.end.getTime())
    : undefined;
  const before = priced ? allocateRange(state, sheet, priced, prev.start, month.start) : undefined;
  if (priced && !before) notes.push(`no history for ${prev.label}: no change against it`);
  const prevByNs = new Map(before?.namespaces.map((n) => [n.name, n.total]) ?? []);
  const wins = quickWins(state, sheet, priced);
  const waste = wasteReport(state, sheet, priced);
  const rs = priced
    ? rightsizeDoc(recommend(state, priced), state, sheet, sourceOf(state), {
        problems: [],
        partial: false,
        usageNotes: [],
      })
    : undefined;
  return buildCostSection({
    month,
    nextMonth: monthAfter(month),
    daily,
    namespaces: (cur?.namespaces ?? []).map((n) => ({
      name: n.name,
      cost: n.total,
      ...(before ? { previous: prevByNs.get(n.name) ?? 0 } : {}),
    })),
    quickWins: wins.wins.map((w) => ({ title: w.title, category: w.category, monthly: w.monthly })),
    waste: waste.items.map((w) => ({ kind: w.kind, monthly: w.monthly })),
    rightsizing: (rs?.workloads ?? []).map((w) => ({
      namespace: w.namespace,
      workload: `${w.kind}/${w.name}`,
      monthly: w.monthlySavings,
    })),
    notes,
  });
}

function securitySection(
  state: ClusterState,
  month: Month,
  now: number,
  history: SecuritySectionInput["history"],
) {
  const report = buildScan(state, { rules: RULES, today: now });
  const sec = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of report.findings)
    if (f.category === "security" && f.severity in sec) sec[f.severity as keyof typeof sec]++;
  const categories = new Map(RULES.map((r) => [r.id, r.category as string]));
  const v = report.vulnerabilities;
  const c = report.compliance ? compliancePercent(report.compliance) : undefined;
  return buildSecuritySection({
    month,
    cves: {
      critical: v?.critical ?? null,
      high: v?.high ?? null,
      ...(v?.reason ? { reason: v.reason } : {}),
    },
    securityFindings: sec,
    rules: report.rules.map((o) => ({
      rule: o.rule,
      category: categories.get(o.rule) ?? "custom",
      status: o.status,
      findings: o.findings,
    })),
    controls: (report.compliance?.controls ?? []).map((x) => ({
      control: x.control,
      level: x.level,
      status: x.status,
      failing: x.failing,
    })),
    compliance: {
      percent: c?.percent ?? null,
      level: c?.level ?? "restricted",
      ...(c?.reason ? { reason: c.reason } : c ? {} : { reason: "no compliance report" }),
    },
    history,
    categories,
  });
}

/** Markdown with --file: each chart as an SVG file beside the document, linked relatively. */
function chartFiles(output: string, charts: Chart[]): (c: Chart) => string {
  const stem = basename(output, extname(output));
  for (const c of charts) writeFileSync(join(dirname(output), `${stem}-${c.name}.svg`), c.svg);
  return (c) => `${stem}-${c.name}.svg`;
}

async function runMonthly(ctx: CommandContext): Promise<number> {
  const { format, month, output } = parseArgs(ctx);
  const doc = await build(ctx, month);
  let text: string;
  if (format === "json") text = reviewJson(doc);
  else if (format === "html") text = reviewHtml(doc);
  else text = reviewMarkdown(doc, output ? chartFiles(output, reviewCharts(doc)) : undefined);
  if (output) {
    mkdirSync(dirname(output) || ".", { recursive: true });
    writeFileSync(output, text);
    ctx.log.info(`review: wrote ${output}`);
  } else await write(ctx.stdout, text);
  return EXIT.ok;
}

export function registerReview(program: Command, run: RunFn): void {
  const review = program
    .command("review")
    .description("reviews for stakeholders: the monthly operations review");
  review
    .command("monthly")
    .description("the month's incidents, cost, performance and security as one document with charts")
    .option(
      "--month <YYYY-MM>",
      "the month to review (default: the last whole month before the collection time)",
    )
    .option("-f, --file <file>", "write the document to this file instead of stdout")
    .option(
      "--db <path|url>",
      "incidents, reviews, action items, sign-offs and findings history from this store",
    )
    .option("--server <url>", "incidents from this day2 server (default: $DAY2_SERVER; reviews need --db)")
    .option("--token <token>", "an API token for --server (default: $DAY2_TOKEN)")
    .option(
      "--prometheus <url>",
      "usage history, uptime and latency from this Prometheus (http or https URL)",
    )
    .option("--prometheus-header <name: value>", "an HTTP header for Prometheus (repeatable)", collect)
    .option("--prometheus-timeout <duration>", "per-query timeout, e.g. 30s, 2m (default 60s)")
    .option("--max-queries <n>", "most Prometheus queries to send; beyond it results are marked partial")
    .option(
      "--config <file>",
      "day2.yaml with cost pricing and KPI targets (default: ./day2.yaml if present)",
    )
    .addHelpText(
      "after",
      `
Sections: incident retrospectives (by priority, MTTR/MTBF, what went wrong and right in each
review, action items open/overdue/done), cost review (daily cost chart, top namespaces against
the month before, quick wins, waste, right-sizing in $/month, next month's forecast),
performance analysis (SLO attainment and error budget, latency KPIs, containers running above
their requests, planned improvements), security audit (CVEs, findings opened and fixed in the
month from the store's findings history, rules passed/failed by category, Pod Security
controls), and the success criteria (day2 kpi success).

Output: -o html (one self-contained page, charts as inline SVG), -o markdown (the default on a
terminal), -o json. Markdown charts: with --file FILE each chart is written beside it as
FILE-STEM-<chart>.svg and linked relatively; on stdout they are embedded as data URIs
(data:image/svg+xml;base64), which many Markdown viewers show inline.

Sources: as day2 kpi. Without --db or --server the demo cluster uses the demo's 90-day
incident history; a live cluster without them has no incident data (and says so).

Examples:
  day2 review monthly -o html -f review.html                 # last month on the demo cluster
  day2 review monthly --month 2026-10 --db day2.db -o markdown -f review/2026-10.md
  day2 review monthly --prometheus http://127.0.0.1:9090 -o json > review.json`,
    )
    .action((raw: Record<string, unknown>) => run((ctx) => runMonthly(ctx), raw));
  for (const c of review.commands) c.exitOverride();
}

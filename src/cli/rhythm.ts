/**
 * `day2 rhythm daily|weekly|monthly|quarterly`: the handbook's operational checklists, each
 * item evaluated with evidence from the scanner, the cost model and the incident store where
 * day2 can see it, else a manual item; and `day2 rhythm signoff` to record who did a manual
 * item for the current period (stored in the incident store's rhythm_signoffs table). Periods
 * are named in day2.yaml's `rhythm.timeZone` (default UTC), as `day2 serve`'s scheduled reports.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { RULES } from "../checks/index.js";
import { buildScan } from "../report/scan.js";
import { COLOR, PLAIN } from "../report/render/index.js";
import { loadConfig } from "../config/config.js";
import { costHistory } from "../store/collections.js";
import { Store, isPostgresUrl } from "../store/index.js";
import { addRhythmSignoff, listRhythmSignoffs } from "../store/rhythm.js";
import type { ClusterState } from "../state/cluster-state.js";
import { CADENCES, CHECKLISTS, findItem, isCadence, periodOf, type Cadence } from "../rhythm/checklists.js";
import {
  costHistorySince,
  evaluate,
  type CostPoint,
  type RhythmInputs,
  type Signoff,
} from "../rhythm/evaluate.js";
import {
  costModel,
  demoIncidentInput,
  rhythmContext,
  storeIncidentInput,
  type RhythmContext,
} from "../rhythm/inputs.js";
import { rhythmHtml, rhythmJson, rhythmMarkdown, rhythmTable, type RhythmDoc } from "../rhythm/render.js";
import type { CommandContext } from "./context.js";
import { EXIT, usageError } from "./errors.js";
import { checkFormat, demoOptionsOf, loadCostConfig, resolveUsage, type RunFn } from "./cost/shared.js";
import { DB_HELP, defaultDbPath } from "./serve.js";
import { SUCCESS_CADENCE, SUCCESS_SIGNOFF_ITEMS, successItemOf } from "../success/items.js";
import { addSuccessSignoff } from "../success/signoffs.js";
import { loadState } from "./source.js";

const FORMATS = ["table", "markdown", "html", "json"] as const;
const COST_WINDOW = 14 * 86_400;
const CONFIG_HELP =
  "day2.yaml (default ./day2.yaml if present): rhythm.timeZone names the period (default UTC), cost: the pricing";

function parseAt(raw: unknown): number {
  if (raw === undefined) return Date.now();
  const t = typeof raw === "string" ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(t)) throw usageError(`--at: expected an ISO 8601 time, got ${JSON.stringify(raw)}`);
  return t;
}

/** The zone periods are named in: `rhythm.timeZone` of --config (default ./day2.yaml if present), else UTC. */
function timeZoneOf(config: unknown): string {
  return loadConfig(typeof config === "string" ? config : undefined)?.rhythm?.timeZone ?? "UTC";
}

/** The scan, cost and capacity summaries, built as `day2 serve` builds them (src/rhythm/inputs.ts). */
async function clusterContext(
  ctx: CommandContext,
  state: ClusterState,
  now: number,
  withCost: boolean,
  notes: string[],
): Promise<RhythmContext> {
  const report = buildScan(state, { rules: RULES, today: now });
  if (!withCost) return rhythmContext(state, report);
  const config = typeof ctx.args.config === "string" ? { config: ctx.args.config } : {};
  const flags = { headers: {}, windowSeconds: COST_WINDOW, ...config };
  const { sheet, costLabels } = loadCostConfig(flags, ctx.log);
  const { usage } = await resolveUsage(ctx, state, flags);
  if (usage.source === "none") notes.push("no usage history: costs by requests only, no capacity forecast");
  return rhythmContext(state, report, costModel(state, sheet, usage, costLabels));
}

/** The store from --db, or the default one if it exists (a report never creates one). */
async function openStore(db: unknown, create: boolean): Promise<Store | undefined> {
  const target = typeof db === "string" ? db : defaultDbPath();
  if (!create && !isPostgresUrl(target) && !existsSync(target)) return undefined;
  return Store.open(target);
}

function asSignoff(r: {
  cadence: string;
  item: string;
  period: string;
  who: string;
  at: number;
  note?: string;
}): Signoff {
  return { ...r, cadence: r.cadence as Cadence };
}

async function runReport(ctx: CommandContext, cadence: Cadence): Promise<number> {
  const { opts, log, stdout, args } = ctx;
  const format = checkFormat(opts, `day2 rhythm ${cadence}`, FORMATS);
  const now = parseAt(args.at);
  const timeZone = timeZoneOf(args.config);
  const period = periodOf(cadence, now, timeZone);
  const notes: string[] = [];
  const store = await openStore(args.db, false);
  let incidents: RhythmInputs["incidents"];
  let signoffs: Signoff[] = [];
  let costs: CostPoint[] | undefined;
  try {
    if (store) {
      incidents = await storeIncidentInput(store, now);
      signoffs = (await listRhythmSignoffs(store.raw, { cadence, period })).map(asSignoff);
      // The cost summaries `day2 serve` stored: "Monitor cost trends" becomes a 7-day trend.
      costs = (await costHistory(store.raw, costHistorySince(now))).filter((p) => p.at <= now);
    } else {
      incidents = {
        reason: `no incident store (give --db, or run day2 serve; looked for ${defaultDbPath()})`,
      };
    }
  } finally {
    await store?.close();
  }
  const state = await loadState(opts, log);
  const demo = store ? undefined : demoOptionsOf(state);
  if (demo) incidents = demoIncidentInput(demo.seed ?? 42, now);
  const needsCost = CHECKLISTS[cadence].some(
    (i) =>
      i.evaluator === "cost-trend" ||
      i.evaluator === "capacity" ||
      i.evaluator === "cost-optimisation" ||
      i.context === "cost-summary",
  );
  const context = await clusterContext(ctx, state, now, needsCost, notes);
  const inputs: RhythmInputs = {
    now,
    timeZone,
    clusterVersion: state.info.version?.gitVersion,
    scan: context.scan,
    ...(context.cost ? { cost: context.cost } : {}),
    ...(context.capacity ? { capacity: context.capacity } : {}),
    ...(costs ? { costHistory: costs } : {}),
    incidents,
    signoffs,
  };
  const doc: RhythmDoc = {
    apiVersion: "day2.dev/v1alpha1",
    kind: "RhythmReport",
    ...evaluate(cadence, inputs),
    source: `${state.info.source} (${state.info.sourceDetail})`,
    notes,
  };
  const style = opts.color && stdout.isTTY && format === "table" ? COLOR : PLAIN;
  const text =
    format === "json"
      ? rhythmJson(doc)
      : format === "markdown"
        ? rhythmMarkdown(doc)
        : format === "html"
          ? rhythmHtml(doc)
          : rhythmTable(doc, style);
  stdout.write(text);
  return EXIT.ok;
}

async function runSignoff(
  ctx: CommandContext,
  cadenceText: string,
  itemId: string | undefined,
): Promise<number> {
  const { args, stdout } = ctx;
  // The success criteria's sign-offs: `signoff success.<item>` (or `signoff success <item>`).
  if (cadenceText === SUCCESS_CADENCE || cadenceText.startsWith(`${SUCCESS_CADENCE}.`))
    return runSuccessSignoff(ctx, cadenceText === SUCCESS_CADENCE ? (itemId ?? "") : cadenceText);
  if (!isCadence(cadenceText))
    throw usageError(`unknown cadence ${JSON.stringify(cadenceText)}: expected ${CADENCES.join(", ")}`);
  if (itemId === undefined)
    throw usageError(
      `missing item: day2 rhythm signoff ${cadenceText} <item> (see day2 rhythm ${cadenceText} --help)`,
    );
  const item = findItem(cadenceText, itemId);
  if (!item)
    throw usageError(
      `unknown ${cadenceText} item ${JSON.stringify(itemId)}: expected ${CHECKLISTS[cadenceText].map((i) => i.id).join(", ")}`,
    );
  const who = typeof args.by === "string" ? args.by.trim() : "";
  if (!who) throw usageError("--by: expected who signs off, e.g. --by alice");
  const at = parseAt(args.at);
  const note = typeof args.note === "string" && args.note.trim() ? args.note.trim() : undefined;
  const period = periodOf(cadenceText, at, timeZoneOf(args.config));
  const store = (await openStore(args.db, true))!;
  try {
    await addRhythmSignoff(store.raw, {
      cadence: cadenceText,
      item: item.id,
      period,
      who,
      at,
      ...(note ? { note } : {}),
    });
  } finally {
    await store.close();
  }
  stdout.write(`signed off ${cadenceText} ${item.id} ("${item.title}") for ${period} by ${who}\n`);
  return EXIT.ok;
}

/** A success criterion's sign-off (src/success): valid for a quarter, then open again. */
async function runSuccessSignoff(ctx: CommandContext, itemText: string): Promise<number> {
  const { args, stdout } = ctx;
  const item = successItemOf(itemText);
  if (!item)
    throw usageError(
      `unknown success item ${JSON.stringify(itemText)}: expected ${SUCCESS_SIGNOFF_ITEMS.map((i) => i.id).join(", ")}`,
    );
  const who = typeof args.by === "string" ? args.by.trim() : "";
  if (!who) throw usageError("--by: expected who signs off, e.g. --by alice");
  const at = parseAt(args.at);
  const note = typeof args.note === "string" && args.note.trim() ? args.note.trim() : undefined;
  const store = (await openStore(args.db, true))!;
  try {
    await addSuccessSignoff(store.raw, { item, who, at, ...(note ? { note } : {}) });
  } finally {
    await store.close();
  }
  const title = SUCCESS_SIGNOFF_ITEMS.find((i) => i.id === item)!.title;
  stdout.write(`signed off ${item} ("${title}") by ${who}; counts for a quarter (day2 kpi success)\n`);
  return EXIT.ok;
}

export function registerRhythm(program: Command, run: RunFn): void {
  const rhythm = program
    .command("rhythm")
    .description(
      "the operational rhythm: daily, weekly, monthly and quarterly checklists with evidence and sign-offs",
    );
  for (const cadence of CADENCES) {
    rhythm
      .command(cadence)
      .description(`the ${cadence} checklist: each item evaluated with evidence, or manual with its sign-off`)
      .option("--db <path|url>", DB_HELP)
      .option("--config <file>", CONFIG_HELP)
      .option("--at <time>", "evaluate as of this time (ISO 8601; default now): the period and the last 24h")
      .addHelpText(
        "after",
        `
Items: ${CHECKLISTS[cadence].map((i) => i.id).join(", ")}

Examples:
  day2 rhythm ${cadence}                     # the demo cluster if there is no kubeconfig
  day2 rhythm ${cadence} --db day2.db -o html > ${cadence}.html
  day2 rhythm signoff ${cadence} ${CHECKLISTS[cadence].find((i) => !i.evaluator)?.id ?? CHECKLISTS[cadence][0]!.id} --by alice --note "done"

Statuses: OK and ATTENTION (evaluated from the scanner, the cost model and the incident store),
TO DO and DONE (manual items, signed off per period), NO DATA (the source is absent).
Output: -o table (default), markdown, html, json. Exit codes: 0 ok, 2 usage error, 3 input error.`,
      )
      .action((raw: Record<string, unknown>) => run((ctx) => runReport(ctx, cadence), raw));
  }
  rhythm
    .command("signoff")
    .description("record that an item was done for the current period (who, when, note)")
    .argument(
      "<cadence>",
      `${CADENCES.join(" | ")}, or a success criterion id (${SUCCESS_SIGNOFF_ITEMS.map((i) => i.id).join(", ")})`,
    )
    .argument("[item]", "the item's id (see day2 rhythm <cadence> --help)")
    .option("--by <name>", "who signs it off (required)")
    .option("--note <text>", "what was done or found")
    .option("--db <path|url>", DB_HELP)
    .option("--config <file>", CONFIG_HELP)
    .option("--at <time>", "when (ISO 8601; default now); decides the period (in rhythm.timeZone)")
    .action((cadence: string, item: string | undefined, raw: Record<string, unknown>) =>
      run((ctx) => runSignoff(ctx, cadence, item), raw),
    );
}

/**
 * What every `day2 cost` subcommand shares: the usage flags (--prometheus, --window, --step,
 * ...), the choice of usage source, the price sheet from day2.yaml, output format checks and
 * writing the rendered result.
 *
 * Usage source, in order:
 *   1. --prometheus URL: usage history from Prometheus (cAdvisor and kube-state-metrics series).
 *      Some queries failing -> results marked partial; none answering -> exit 3.
 *   2. a live cluster: metrics-server (metrics.k8s.io), current usage only, low confidence.
 *   3. the demo cluster, or a snapshot saved from it: the demo's generated usage history.
 *   4. nothing: allocation by requests only; right-sizing has nothing to go on (and says so).
 *
 * Window and step: the window ends at the state's collection time (a snapshot or the demo are
 * reproducible; a live cluster: now), aligned down to the step. The default step is 10m for a
 * Prometheus window of 7 days or more (KRR's and the resolution), 5m for a day or
 * more, 1m below; 1h for the demo's generated history (fast, and its shapes are hourly).
 *
 * Every subcommand is a CostCommand (registerCostCommand): its own flags, what it computes from
 * the state and usage, and a renderer per output format; runCostCommand does the rest.
 */
import type { Command } from "commander";
import { sourceOf, type DocHeader } from "../../cost/render/format.js";
import { COLOR, PLAIN, type Style } from "../../report/render/index.js";
import type { ClusterState } from "../../state/cluster-state.js";
import type { DemoOptions } from "../../demo/index.js";
import { demoOptionsFromScale } from "../../demo/index.js";
import { loadConfig } from "../../config/config.js";
import type { Day2Config } from "../../config/config.js";
import { buildPriceSheet, type PriceSheet } from "../../cost/pricing.js";
import type { UsageData, UsageWindow } from "../../cost/types.js";
import { demoUsage } from "../../cost/usage/demo.js";
import { fetchMetricsServerUsage } from "../../cost/usage/metrics-server.js";
import { fetchUsage } from "../../cost/usage/prometheus.js";
import { PromClient } from "../../prom/client.js";
import { PromError } from "../../prom/errors.js";
import { KubeClient } from "../../kube/index.js";
import { CliError, EXIT, usageError } from "../errors.js";
import type { CommandContext } from "../context.js";
import type { GlobalOptions } from "../options.js";
import { parseDuration } from "../options.js";
import type { Logger } from "../progress.js";
import { connect, loadState } from "../source.js";

export type RunFn = (
  fn: (ctx: CommandContext) => Promise<number>,
  args?: Record<string, unknown>,
) => Promise<void>;

const DAY = 86_400;

/** "14d", "12h", "90m", "2w", "3600s" -> seconds. */
export function parseSpan(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(value.trim());
  if (!m || !(Number(m[1]) > 0))
    throw usageError(`${flag}: expected a duration like 14d, 12h or 10m, got ${JSON.stringify(value)}`);
  return Math.round(Number(m[1]) * { s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY }[m[2] as "s"]);
}

/** Human text for a span of seconds: "14d", "12h", "10m". */
export function spanText(seconds: number): string {
  if (seconds % DAY === 0) return `${seconds / DAY}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export interface UsageFlags {
  prometheus?: string;
  headers: Record<string, string>;
  timeoutMs?: number;
  maxQueries?: number;
  windowSeconds: number;
  stepSeconds?: number;
  config?: string;
}

/** Commander's accumulator for a repeatable option. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** --top: a non-negative integer (0: all). */
export function parseTop(raw: Record<string, unknown>): number | undefined {
  const text = raw.top as string | undefined;
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw usageError(`--top: expected a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** --top with a default; 0 (all) is undefined: no limit. */
export function parseLimit(raw: Record<string, unknown>, fallback: number): number | undefined {
  const top = parseTop(raw) ?? fallback;
  return top === 0 ? undefined : top;
}

/** Adds the shared flags; `defaultWindow` is the subcommand's (documented in its help). */
export function addUsageOptions(cmd: Command, defaultWindow: string): Command {
  return cmd
    .option("--prometheus <url>", "usage history from this Prometheus (http or https URL)")
    .option(
      "--prometheus-header <name: value>",
      "an HTTP header for Prometheus, e.g. 'Authorization: Bearer ...' or 'X-Scope-OrgID: t1' (repeatable)",
      collect,
    )
    .option("--prometheus-timeout <duration>", "per-query timeout, e.g. 30s, 2m (default 60s)")
    .option("--max-queries <n>", "most Prometheus queries to send; beyond it results are marked partial")
    .option("--window <duration>", `usage window ending at collection time, e.g. 7d, 14d, 12h`, defaultWindow)
    .option(
      "--step <duration>",
      "sample step (default: 10m for Prometheus windows of 7d or more, 5m from 1d, else 1m; 1h for the demo)",
    )
    .option(
      "--config <file>",
      "day2.yaml with cost.pricing and cost.costLabels (default: ./day2.yaml if present)",
    );
}

export function parseUsageFlags(raw: Record<string, unknown>): UsageFlags {
  const str = (k: string): string | undefined =>
    typeof raw[k] === "string" ? (raw[k] as string) : undefined;
  const prometheus = str("prometheus");
  if (prometheus !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(prometheus);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
      throw usageError(
        `--prometheus: expected an http:// or https:// URL, got ${JSON.stringify(prometheus)}`,
      );
  }
  const headers: Record<string, string> = {};
  for (const h of (raw.prometheusHeader as string[] | undefined) ?? []) {
    const i = h.indexOf(":");
    if (i <= 0 || !/^[A-Za-z0-9-]+$/.test(h.slice(0, i).trim()))
      throw usageError(`--prometheus-header: expected "Name: value", got ${JSON.stringify(h)}`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const timeout = str("prometheusTimeout");
  const maxQ = str("maxQueries");
  if (maxQ !== undefined && (!/^\d+$/.test(maxQ) || Number(maxQ) < 1))
    throw usageError(`--max-queries: expected a positive integer, got ${JSON.stringify(maxQ)}`);
  const windowSeconds = parseSpan(str("window") ?? "14d", "--window");
  const step = str("step");
  const stepSeconds = step === undefined ? undefined : parseSpan(step, "--step");
  if (stepSeconds !== undefined && stepSeconds > windowSeconds)
    throw usageError(`--step: ${step} is longer than --window ${str("window")}`);
  return {
    prometheus: prometheus?.replace(/\/+$/, ""),
    headers,
    timeoutMs: timeout === undefined ? undefined : parseDuration(timeout, "--prometheus-timeout"),
    maxQueries: maxQ === undefined ? undefined : Number(maxQ),
    windowSeconds,
    stepSeconds,
    config: str("config"),
  };
}

/** Checks -o against what the subcommand renders. */
export function checkFormat(opts: GlobalOptions, command: string, formats: readonly string[]): string {
  const f = opts.output === "wide" ? "table" : (opts.output as string);
  if (!formats.includes(f)) throw usageError(`-o ${opts.output}: ${command} writes ${formats.join(", ")}`);
  return f;
}

/** The demo options a state was generated with: the demo itself, or a snapshot saved from it. */
export function demoOptionsOf(state: ClusterState): DemoOptions | undefined {
  const { source, sourceDetail } = state.info;
  const m = /seed (\d+), scale (small|large|\d+)/.exec(sourceDetail);
  if (!m) return undefined;
  if (source !== "demo" && !(source === "snapshot" && /\(demo: /.test(sourceDetail))) return undefined;
  const scale = m[2] === "small" || m[2] === "large" ? m[2] : Number(m[2]);
  return demoOptionsFromScale(scale, Number(m[1]));
}

export interface CostInputs {
  config?: Day2Config;
  sheet: PriceSheet;
  costLabels?: readonly string[];
}

export function loadCostConfig(flags: UsageFlags, log: Logger): CostInputs {
  // A cost.pricing mistake is an input error (exit 3) naming the field, like any day2.yaml mistake.
  const config: Day2Config | undefined = loadConfig(flags.config);
  if (config?.cost) log.debug(`using ${config.file}: cost pricing and labels`);
  return { config, sheet: buildPriceSheet(config?.cost?.pricing), costLabels: config?.cost?.costLabels };
}

/** The usage window: `windowSeconds` ending at the state's collection time, aligned to the step. */
export function usageWindow(state: ClusterState, windowSeconds: number, stepSeconds: number): UsageWindow {
  const at = state.info.collectedAt > 0 ? state.info.collectedAt : Date.now();
  const end = Math.floor(at / 1000 / stepSeconds) * stepSeconds;
  return {
    start: new Date((end - Math.floor(windowSeconds / stepSeconds) * stepSeconds) * 1000),
    end: new Date(end * 1000),
    stepSeconds,
  };
}

export type SourceKind = "prometheus" | "metrics-server" | "demo" | "none";

/** Which usage source the flags and the state select (before anything is fetched). */
export function usageSourceKind(state: ClusterState, flags: UsageFlags): SourceKind {
  if (flags.prometheus) return "prometheus";
  if (state.info.source === "live") return "metrics-server";
  if (demoOptionsOf(state)) return "demo";
  return "none";
}

export function defaultStep(kind: SourceKind, windowSeconds: number): number {
  if (kind === "demo") return 3600;
  if (windowSeconds >= 7 * DAY) return 600;
  if (windowSeconds >= DAY) return 300;
  return 60;
}

export interface UsageResult {
  usage: UsageData;
  /** The client, for follow-up queries (request history), when --prometheus was given. */
  prom?: PromClient;
  demo?: DemoOptions;
}

/** A coded error for a Prometheus that answered nothing: exit 3 with the URL and the problem. */
export function prometheusError(e: PromError): CliError {
  return new CliError("D2_ERR_PROMETHEUS", `Prometheus: ${e.message}`, { cause: e });
}

export function makePromClient(flags: UsageFlags, log: Logger): PromClient {
  return new PromClient({
    url: flags.prometheus!,
    timeoutMs: flags.timeoutMs,
    maxQueries: flags.maxQueries,
    headers: Object.keys(flags.headers).length ? flags.headers : undefined,
    onRetry: (e) => log.debug(`prometheus: retrying in ${e.delayMs} ms (${e.cause})`),
  });
}

function noUsage(window: UsageWindow, note: string, problems: string[] = []): UsageData {
  return {
    source: "none",
    confidence: "none",
    window,
    containers: new Map(),
    partial: problems.length > 0,
    problems,
    notes: [note],
  };
}

/**
 * Fetches usage from the selected source, with progress on stderr. Throws D2_ERR_PROMETHEUS
 * (exit 3) when --prometheus was given and no query at all succeeded: day2 never swaps a
 * source you named for another.
 */
export async function resolveUsage(
  ctx: CommandContext,
  state: ClusterState,
  flags: UsageFlags,
): Promise<UsageResult> {
  const { log, opts } = ctx;
  const kind = usageSourceKind(state, flags);
  const step = flags.stepSeconds ?? defaultStep(kind, flags.windowSeconds);
  const window = usageWindow(state, flags.windowSeconds, step);
  const range = `${spanText(flags.windowSeconds)} at a ${spanText(step)} step`;
  if (kind === "prometheus") {
    const prom = makePromClient(flags, log);
    log.info(`usage: querying Prometheus at ${prom.url} for ${range}...`);
    const started = Date.now();
    try {
      const usage = await fetchUsage(prom, state, window, {
        ...(opts.namespace ? { namespaces: [opts.namespace] } : {}),
      });
      const s = prom.stats();
      log.info(
        `usage: ${usage.containers.size.toLocaleString("en-US")} containers from ${s.queries} queries in ${((Date.now() - started) / 1000).toFixed(1)} s${usage.partial ? " (partial)" : ""}`,
      );
      for (const p of usage.problems) log.warn(`partial: ${p}`);
      return { usage, prom };
    } catch (e) {
      if (e instanceof PromError) throw prometheusError(e);
      throw e;
    }
  }
  if (kind === "metrics-server") {
    log.info("usage: no --prometheus: reading current usage from metrics-server (low confidence)");
    const conn = await connect(opts);
    try {
      const usage = await fetchMetricsServerUsage(new KubeClient(conn), state, {
        ...(opts.namespace ? { namespace: opts.namespace } : {}),
      });
      if (usage.source === "none") {
        log.warn(`${usage.problems.join("; ")}: costs by requests only`);
        return { usage: noUsage(window, "no usage: allocation by requests only", usage.problems) };
      }
      return { usage };
    } finally {
      conn.close();
    }
  }
  if (kind === "demo") {
    const demo = demoOptionsOf(state)!;
    log.debug(`usage: the demo's generated history, ${range}`);
    return { usage: demoUsage(demo, state, window), demo };
  }
  log.info("usage: none (no --prometheus and not a live cluster): allocation by requests only");
  return {
    usage: noUsage(window, "no usage source: costs by requests only (give --prometheus URL for usage)"),
  };
}

/** Writes text to stdout, honouring backpressure. */
export async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
}

/** The "partial" marker every output carries. */
export interface PartialInfo {
  partial: boolean;
  problems: string[];
}

export function partialOf(
  ...usages: ({ partial: boolean; problems: readonly string[] } | undefined)[]
): PartialInfo {
  const problems = [...new Set(usages.flatMap((u) => (u?.partial ? [...u.problems] : [])))];
  return { partial: usages.some((u) => u?.partial === true), problems };
}

/** The source, window, usage and partial marker every cost document starts with. */
export function docHeader(state: ClusterState, usage: UsageData, partial = partialOf(usage)): DocHeader {
  return {
    source: sourceOf(state),
    window: {
      start: usage.window.start.toISOString(),
      end: usage.window.end.toISOString(),
      stepSeconds: usage.window.stepSeconds,
    },
    usage: { source: usage.source, confidence: usage.confidence },
    ...partial,
  };
}

/** What a subcommand's `parse` gets besides the raw flags. */
export interface ParseContext<F extends string> {
  /** -o, with wide as table. */
  format: F;
  /** -o wide. */
  wide: boolean;
  /** The usage flags (parsed once; call it where their errors come in the subcommand's order). */
  usageFlags: () => UsageFlags;
}

/** What a subcommand's `compute` gets: the state and the usage its flags chose. */
export interface CostInput<O> {
  ctx: CommandContext;
  options: O;
  state: ClusterState;
  usage: UsageData;
  /** The usage, unless there is none. */
  observed: UsageData | undefined;
  /** The client, for follow-up queries, when --prometheus was given. */
  prom?: PromClient;
  /** day2.yaml's price sheet and cost labels (loaded when the spec says `prices`). */
  costs?: CostInputs;
}

/** One `day2 cost` subcommand: its flags and help, what it computes, a renderer per -o format. */
export interface CostCommand<F extends string, O, D> {
  name: string;
  /** How usage errors name it (default "day2 cost <name>"). */
  title?: string;
  isDefault?: boolean;
  description: string;
  /** Aliases and the subcommand's own options (added before the usage flags). */
  configure?: (cmd: Command) => void;
  /** The default --window (documented in the help). */
  defaultWindow: string;
  /** The help's "after" text. */
  help: string;
  /** Loads day2.yaml's price sheet (before the state). */
  prices: boolean;
  /** The step when --step is not given (else the usage source's default). */
  defaultStep?: number;
  /** The subcommand's own flags; the usage flags are parsed after it unless it asks first. */
  parse?: (args: Record<string, unknown>, p: ParseContext<F>) => O;
  compute: (input: CostInput<O>) => D | Promise<D>;
  /** The -o formats, in the order the usage error lists them, and how each renders. */
  render: { [K in F]: (out: D, style: Style, options: O) => string };
}

/**
 * A subcommand's action: checks -o, parses the flags, loads the price sheet, the state and the
 * usage, computes, renders in the chosen format (colour only for a table on a terminal) and
 * writes it.
 */
export async function runCostCommand<F extends string, O, D>(
  ctx: CommandContext,
  spec: CostCommand<F, O, D>,
): Promise<number> {
  const { opts, log, stdout, args } = ctx;
  const formats = Object.keys(spec.render) as F[];
  const format = checkFormat(opts, spec.title ?? `day2 cost ${spec.name}`, formats) as F;
  let parsed: UsageFlags | undefined;
  const usageFlags = (): UsageFlags => (parsed ??= parseUsageFlags(args));
  const options = spec.parse
    ? spec.parse(args, { format, wide: opts.output === "wide", usageFlags })
    : (undefined as O);
  const flags = usageFlags();
  const costs = spec.prices ? loadCostConfig(flags, log) : undefined;
  const state = await loadState(opts, log);
  const { usage, prom } = await resolveUsage(
    ctx,
    state,
    spec.defaultStep === undefined ? flags : { ...flags, stepSeconds: flags.stepSeconds ?? spec.defaultStep },
  );
  const out = await spec.compute({
    ctx,
    options,
    state,
    usage,
    observed: usage.source === "none" ? undefined : usage,
    ...(prom ? { prom } : {}),
    ...(costs ? { costs } : {}),
  });
  const style = opts.color && stdout.isTTY && format === "table" ? COLOR : PLAIN;
  await write(stdout, spec.render[format](out, style, options));
  return EXIT.ok;
}

/** Adds a subcommand to `day2 cost`: its flags, the usage flags, its help and its action. */
export function registerCostCommand<F extends string, O, D>(
  cost: Command,
  run: RunFn,
  spec: CostCommand<F, O, D>,
): Command {
  const cmd = cost
    .command(spec.name, spec.isDefault ? { isDefault: true } : undefined)
    .description(spec.description);
  spec.configure?.(cmd);
  addUsageOptions(cmd, spec.defaultWindow);
  cmd.addHelpText("after", spec.help);
  cmd.action((raw: Record<string, unknown>) => run((ctx) => runCostCommand(ctx, spec), raw));
  return cmd;
}

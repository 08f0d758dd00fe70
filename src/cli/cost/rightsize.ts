/** `day2 cost rightsize`: requests (and memory limits) from usage history, priced per month. */
import type { Command } from "commander";
import { recommend, type RightsizeSettings } from "../../cost/rightsize.js";
import {
  rightsizeDoc,
  rightsizeJson,
  rightsizeKubectl,
  rightsizeKustomize,
  rightsizeTable,
  rightsizeYaml,
  type RightsizeDoc,
} from "../../cost/render/rightsize.js";
import { sourceOf } from "../../cost/render/format.js";
import type { ClusterState } from "../../state/cluster-state.js";
import type { PriceSheet } from "../../cost/pricing.js";
import { COLOR, PLAIN } from "../../report/render/index.js";
import { EXIT, usageError } from "../errors.js";
import type { CommandContext } from "../context.js";
import { loadState } from "../source.js";
import {
  addUsageOptions,
  checkFormat,
  loadCostConfig,
  parseUsageFlags,
  partialOf,
  resolveUsage,
  write,
  type RunFn,
  type UsageFlags,
} from "./shared.js";

const FORMATS = ["table", "json", "yaml", "kustomize", "kubectl"] as const;

interface NumSpec {
  flag: string;
  min: number;
  max: number;
  integer?: boolean;
}

function num(raw: Record<string, unknown>, key: string, spec: NumSpec): number | undefined {
  const v = raw[key];
  if (typeof v !== "string") return undefined;
  const { flag, min, max, integer } = spec;
  const ok = integer ? /^\d+$/.test(v) : /^\d+(\.\d+)?$/.test(v);
  if (!ok || Number(v) < min || Number(v) > max)
    throw usageError(
      `${flag}: expected ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  return Number(v);
}

export function parseRightsizeSettings(raw: Record<string, unknown>): Partial<RightsizeSettings> {
  const cpuPercentile = num(raw, "cpuPercentile", { flag: "--cpu-percentile", min: 1, max: 100 });
  const memoryBufferPercent = num(raw, "memoryBuffer", { flag: "--memory-buffer", min: 0, max: 1000 });
  const pointsRequired = num(raw, "minPoints", {
    flag: "--min-points",
    min: 1,
    max: 10_000_000,
    integer: true,
  });
  return {
    ...(cpuPercentile !== undefined ? { cpuPercentile } : {}),
    ...(memoryBufferPercent !== undefined ? { memoryBufferPercent } : {}),
    ...(pointsRequired !== undefined ? { pointsRequired } : {}),
  };
}

/** Shared by rightsize and whatif: state, usage and recommendations. */
export async function computeRightsize(
  ctx: CommandContext,
  flags: UsageFlags,
  settings: Partial<RightsizeSettings>,
): Promise<{ state: ClusterState; sheet: PriceSheet; doc: RightsizeDoc }> {
  const { opts, log } = ctx;
  const inputs = loadCostConfig(flags, log);
  const state = await loadState(opts, log);
  const { usage } = await resolveUsage(ctx, state, flags);
  const result = recommend(
    state,
    usage,
    settings,
    opts.namespace ? { namespaces: new Set([opts.namespace]) } : {},
  );
  const partial = partialOf(usage);
  const doc = rightsizeDoc(result, state, inputs.sheet, sourceOf(state), {
    ...partial,
    usageNotes: usage.notes,
  });
  if (usage.source === "none")
    log.warn(
      "no usage data: nothing to recommend (give --prometheus URL, or run against a live cluster with metrics-server)",
    );
  return { state, sheet: inputs.sheet, doc };
}

export function addSettingsOptions(cmd: Command): Command {
  return cmd
    .option(
      "--cpu-percentile <p>",
      "CPU request = this percentile of usage (KRR simple --cpu_percentile; default 95)",
    )
    .option(
      "--memory-buffer <percent>",
      "memory request and limit = peak usage + this percent (KRR simple --memory_buffer_percentage; default 15)",
    )
    .option(
      "--min-points <n>",
      "samples needed, pooled over a workload's pods, before recommending (KRR simple --points_required; default 100)",
    );
}

export function registerRightsize(cost: Command, run: RunFn): void {
  const cmd = cost
    .command("rightsize")
    .description(
      "CPU and memory requests (and memory limits) from usage history, with $ per month and provenance",
    )
    .option(
      "--explain",
      "show the provenance of every recommendation (points, percentile, buffer, floor, bound)",
    )
    .option(
      "--top <n>",
      "table output: show at most n containers, biggest savings first (default 30; 0: all)",
    );
  addSettingsOptions(cmd);
  addUsageOptions(cmd, "14d");
  cmd.addHelpText(
    "after",
    `
Examples:
  day2 cost rightsize                              # the demo cluster if there is no kubeconfig
  day2 cost rightsize --explain --top 5            # where each number came from
  day2 cost rightsize --prometheus http://127.0.0.1:9090 -o json
  day2 cost rightsize -n shop -o kustomize > rightsize-patches.yaml
  day2 cost rightsize -o kubectl | sh              # review first: one kubectl patch per workload
  day2 cost rightsize --cpu-percentile 99 --memory-buffer 30 --window 28d

Strategy: KRR's "simple". CPU request = p95 of the usage samples of all the workload's pods
pooled, no CPU limit; memory request = limit = peak x 1.15; nothing below 100 samples;
floors 10m and 100Mi; OOMKilled containers get memory from the limit they died at; under an
HPA, request and target utilisation are recommended together. Flags and KRR's settings:
  --cpu-percentile  = --cpu_percentile (95)     --memory-buffer = --memory_buffer_percentage (15)
  --min-points      = --points_required (100)   --window        = --history_duration (336 h = 14d)
  --step            ~ --timeframe_duration (KRR 1.25 min; day2 10m for Prometheus, 1h for the demo)

$ per month: the request change x the per-vCPU-hour and per-GiB-hour rates of the node each
pod runs on (from the price sheet) x 730 h x the pods running now.

Exit codes: 0 ok (also partial: see the "partial:" line), 2 usage error, 3 input or
connection error, or Prometheus answered no query at all.`,
  );
  cmd.action((raw: Record<string, unknown>) =>
    run(async (ctx) => {
      const { opts, stdout, args } = ctx;
      const format = checkFormat(opts, "day2 cost rightsize", FORMATS);
      const settings = parseRightsizeSettings(args);
      const flags = parseUsageFlags(args);
      const topText = args.top as string | undefined;
      if (topText !== undefined && !/^\d+$/.test(topText))
        throw usageError(`--top: expected a non-negative integer, got ${JSON.stringify(topText)}`);
      const top = topText === undefined ? 30 : Number(topText);
      const { doc } = await computeRightsize(ctx, flags, settings);
      const style = opts.color && stdout.isTTY && format === "table" ? COLOR : PLAIN;
      const text =
        format === "json"
          ? rightsizeJson(doc)
          : format === "yaml"
            ? rightsizeYaml(doc)
            : format === "kustomize"
              ? rightsizeKustomize(doc)
              : format === "kubectl"
                ? rightsizeKubectl(doc)
                : rightsizeTable(doc, style, args.explain === true, top === 0 ? undefined : top);
      await write(stdout, text);
      return EXIT.ok;
    }, raw),
  );
}

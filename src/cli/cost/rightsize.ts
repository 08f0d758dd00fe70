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
import { usageError } from "../errors.js";
import { parseLimit, partialOf, registerCostCommand, type CostInput, type RunFn } from "./shared.js";

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

/** Shared by rightsize and whatif: the recommendations from the state and usage, priced. */
export function computeRightsize(
  { ctx, state, usage, costs }: CostInput<unknown>,
  settings: Partial<RightsizeSettings>,
): RightsizeDoc {
  const { opts, log } = ctx;
  const result = recommend(
    state,
    usage,
    settings,
    opts.namespace ? { namespaces: new Set([opts.namespace]) } : {},
  );
  const doc = rightsizeDoc(result, state, costs!.sheet, sourceOf(state), {
    ...partialOf(usage),
    usageNotes: usage.notes,
  });
  if (usage.source === "none")
    log.warn(
      "no usage data: nothing to recommend (give --prometheus URL, or run against a live cluster with metrics-server)",
    );
  return doc;
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
  registerCostCommand(cost, run, {
    name: "rightsize",
    description:
      "CPU and memory requests (and memory limits) from usage history, with $ per month and provenance",
    configure: (cmd) =>
      addSettingsOptions(
        cmd
          .option(
            "--explain",
            "show the provenance of every recommendation (points, percentile, buffer, floor, bound)",
          )
          .option(
            "--top <n>",
            "table output: show at most n containers, biggest savings first (default 30; 0: all)",
          ),
      ),
    defaultWindow: "14d",
    help: `
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
    prices: true,
    parse: (args, { usageFlags }) => {
      const settings = parseRightsizeSettings(args);
      usageFlags();
      return { settings, explain: args.explain === true, limit: parseLimit(args, 30) };
    },
    compute: (input) => computeRightsize(input, input.options.settings),
    render: {
      table: (doc, style, { explain, limit }) => rightsizeTable(doc, style, explain, limit),
      json: rightsizeJson,
      yaml: rightsizeYaml,
      kustomize: rightsizeKustomize,
      kubectl: rightsizeKubectl,
    },
  });
}

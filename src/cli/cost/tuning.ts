/** `day2 cost tuning`: HPA findings, node-pool utilisation and cluster-autoscaler scale-down blockers. */
import type { Command } from "commander";
import { autoscalingTuning } from "../../cost/hpa-tuning.js";
import { sourceOf } from "../../cost/render/format.js";
import { API_VERSION } from "../../cost/render/format.js";
import { tuningJson, tuningTable, tuningYaml, type TuningDoc } from "../../cost/render/tuning.js";
import { COLOR, PLAIN } from "../../report/render/index.js";
import { EXIT, usageError } from "../errors.js";
import { loadState } from "../source.js";
import {
  addUsageOptions,
  checkFormat,
  parseUsageFlags,
  partialOf,
  resolveUsage,
  write,
  type RunFn,
} from "./shared.js";

const FORMATS = ["table", "json", "yaml"] as const;

export function registerTuning(cost: Command, run: RunFn): void {
  const cmd = cost
    .command("tuning")
    .description(
      "autoscaling tuning: HPA findings (min/max, target, flapping), pool utilisation, scale-down blockers",
    )
    .option("--top <n>", "table output: show at most n blocked nodes (default 20; 0: all)");
  addUsageOptions(cmd, "7d");
  cmd.addHelpText(
    "after",
    `
Examples:
  day2 cost tuning                                  # the demo cluster if there is no kubeconfig
  day2 cost tuning --prometheus http://127.0.0.1:9090 --window 14d
  day2 cost tuning -o json | jq '.tuning.hpas'

HPA findings need usage history (replica counts per step come from the pods with samples):
always at max, at min with low utilisation, flapping (also from SuccessfulRescale events),
targets outside 50-90%. Pools: requests over allocatable, and mean usage when there is
history. Scale-down: nodes under the cluster autoscaler's 0.5 utilisation threshold, and the
pods that keep them (PDB, local storage, no controller, safe-to-evict "false", kube-system
without a PDB, scale-down-disabled). Window: default 7d.

Exit codes: 0 ok (also partial), 2 usage error, 3 input or connection error, or Prometheus
answered no query at all.`,
  );
  cmd.action((raw: Record<string, unknown>) =>
    run(async (ctx) => {
      const { opts, log, stdout, args } = ctx;
      const format = checkFormat(opts, "day2 cost tuning", FORMATS);
      const flags = parseUsageFlags(args);
      const topText = args.top as string | undefined;
      if (topText !== undefined && !/^\d+$/.test(topText))
        throw usageError(`--top: expected a non-negative integer, got ${JSON.stringify(topText)}`);
      const top = topText === undefined ? 20 : Number(topText);
      const state = await loadState(opts, log);
      const { usage } = await resolveUsage(ctx, state, flags);
      const tuning = autoscalingTuning(state, usage.source === "none" ? undefined : usage);
      const doc: TuningDoc = {
        apiVersion: API_VERSION,
        kind: "AutoscalingTuning",
        source: sourceOf(state),
        window: {
          start: usage.window.start.toISOString(),
          end: usage.window.end.toISOString(),
          stepSeconds: usage.window.stepSeconds,
        },
        usage: { source: usage.source, confidence: usage.confidence },
        ...partialOf(usage),
        tuning: opts.namespace
          ? { ...tuning, hpas: tuning.hpas.filter((h) => h.namespace === opts.namespace) }
          : tuning,
      };
      const style = opts.color && stdout.isTTY && format === "table" ? COLOR : PLAIN;
      await write(
        stdout,
        format === "json"
          ? tuningJson(doc)
          : format === "yaml"
            ? tuningYaml(doc)
            : tuningTable(doc, style, top === 0 ? undefined : top),
      );
      return EXIT.ok;
    }, raw),
  );
}

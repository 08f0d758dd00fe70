/** `day2 cost tuning`: HPA findings, node-pool utilisation and cluster-autoscaler scale-down blockers. */
import type { Command } from "commander";
import { autoscalingTuning } from "../../cost/hpa-tuning.js";
import { API_VERSION } from "../../cost/render/format.js";
import { tuningJson, tuningTable, tuningYaml, type TuningDoc } from "../../cost/render/tuning.js";
import { docHeader, parseLimit, registerCostCommand, type RunFn } from "./shared.js";

export function registerTuning(cost: Command, run: RunFn): void {
  registerCostCommand(cost, run, {
    name: "tuning",
    description:
      "autoscaling tuning: HPA findings (min/max, target, flapping), pool utilisation, scale-down blockers",
    configure: (cmd) =>
      cmd.option("--top <n>", "table output: show at most n blocked nodes (default 20; 0: all)"),
    defaultWindow: "7d",
    help: `
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
    prices: false,
    parse: (args, { usageFlags }) => {
      usageFlags();
      return { limit: parseLimit(args, 20) };
    },
    compute: ({ ctx, state, usage, observed }): TuningDoc => {
      const tuning = autoscalingTuning(state, observed);
      const ns = ctx.opts.namespace;
      return {
        apiVersion: API_VERSION,
        kind: "AutoscalingTuning",
        ...docHeader(state, usage),
        tuning: ns ? { ...tuning, hpas: tuning.hpas.filter((h) => h.namespace === ns) } : tuning,
      };
    },
    render: {
      table: (doc, style, { limit }) => tuningTable(doc, style, limit),
      json: tuningJson,
      yaml: tuningYaml,
    },
  });
}

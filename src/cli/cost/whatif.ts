/** `day2 cost whatif`: apply the right-sizing recommendations and re-pack every node pool. */
import type { Command } from "commander";
import { HOURS_PER_MONTH, priceNode } from "../../cost/pricing.js";
import { changeKey, simulate, type RequestChange } from "../../cost/whatif.js";
import { whatifJson, whatifTable, whatifYaml, type WhatIfDoc } from "../../cost/render/whatif.js";
import { API_VERSION } from "../../cost/render/format.js";
import { addSettingsOptions, computeRightsize, parseRightsizeSettings } from "./rightsize.js";
import { registerCostCommand, type RunFn } from "./shared.js";

export function registerWhatif(cost: Command, run: RunFn): void {
  registerCostCommand(cost, run, {
    name: "whatif",
    description:
      "apply the right-sizing recommendations and re-pack each node pool: nodes freed, $ per month, blockers",
    configure: (cmd) =>
      addSettingsOptions(
        cmd.option(
          "--no-local-storage-blocks",
          "pods with emptyDir or hostPath volumes may move (the autoscaler's default: they may not)",
        ),
      ),
    defaultWindow: "14d",
    help: `
Examples:
  day2 cost whatif                                  # the demo cluster if there is no kubeconfig
  day2 cost whatif --prometheus http://127.0.0.1:9090 -o json
  day2 cost whatif --cpu-percentile 99 --memory-buffer 30   # with more conservative requests

Model: every recommendation of \`day2 cost rightsize\` (same flags) is applied to the pods,
then each pool is re-packed first-fit decreasing honouring taints, tolerations, node
selectors and required node affinity; DaemonSet pods stay on every node. Pods the cluster
autoscaler would not move (safe-to-evict "false", a PDB allowing no disruption, no
controller, kube-system without a PDB, local storage) keep their nodes: they are the
blockers. Nodes are priced with the price sheet (instance type, spot or on-demand).

Exit codes: 0 ok (also partial), 2 usage error, 3 input or connection error, or Prometheus
answered no query at all.`,
    prices: true,
    parse: (args) => ({
      settings: parseRightsizeSettings(args),
      localStorageBlocks: args.localStorageBlocks !== false,
    }),
    compute: (input): WhatIfDoc => {
      const { ctx, options, state, costs } = input;
      const doc = computeRightsize(input, options.settings);
      const changes = new Map<string, RequestChange>();
      let workloads = 0;
      for (const w of doc.workloads) {
        let any = false;
        for (const c of w.containers) {
          const cpu = c.cpu.status === "ok" ? c.cpu.recommended?.request : undefined;
          const memory = c.memory.status === "ok" ? c.memory.recommended?.request : undefined;
          if (cpu === undefined && memory === undefined) continue;
          changes.set(changeKey(w.namespace, w.name, c.container), {
            ...(cpu !== undefined ? { cpu } : {}),
            ...(memory !== undefined ? { memory } : {}),
          });
          any = true;
        }
        if (any) workloads++;
      }
      ctx.log.debug(`whatif: ${changes.size} request changes in ${workloads} workloads`);
      const hourly = new Map<string, number>();
      const result = simulate(state, changes, {
        nodeHourlyPrice: (n) => {
          let h = hourly.get(n.name);
          if (h === undefined) hourly.set(n.name, (h = priceNode(n, costs!.sheet).hourly));
          return h;
        },
        hoursPerMonth: HOURS_PER_MONTH,
        localStorageBlocks: options.localStorageBlocks,
      });
      return {
        apiVersion: API_VERSION,
        kind: "WhatIf",
        source: doc.source,
        usage: { source: doc.usage.source, confidence: doc.usage.confidence },
        window: doc.window,
        partial: doc.partial,
        problems: doc.problems,
        applied: {
          workloads,
          changes: result.changesApplied,
          unmatched: result.changesUnmatched,
          rightsizeMonthly: doc.summary.monthlySavings,
        },
        result,
      };
    },
    render: {
      table: whatifTable,
      json: whatifJson,
      yaml: whatifYaml,
    },
  });
}

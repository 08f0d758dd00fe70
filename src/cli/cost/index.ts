/**
 * `day2 cost` and its subcommands. `day2 cost` alone is `day2 cost allocation`.
 */
import type { Command } from "commander";
import { registerAdvisories } from "./advisories.js";
import { registerAllocation } from "./allocation.js";
import { registerCapacity } from "./capacity.js";
import { registerQuickWins } from "./quick-wins.js";
import { registerRightsize } from "./rightsize.js";
import type { RunFn } from "./shared.js";
import { registerTuning } from "./tuning.js";
import { registerWaste } from "./waste.js";
import { registerWhatif } from "./whatif.js";

export function registerCost(program: Command, run: RunFn): void {
  const cost = program
    .command("cost")
    .description(
      "cost in dollars: allocation, right-sizing, what-if re-packing, capacity forecasts, autoscaling tuning, quick wins, waste, advisories",
    )
    .addHelpText(
      "after",
      `
Examples:
  day2 cost                                  # allocation by namespace (the default subcommand)
  day2 cost --by label:team -o markdown      # by team, as Markdown
  day2 cost rightsize --explain              # requests from usage, with where each number came from
  day2 cost rightsize -o kustomize > patches.yaml
  day2 cost whatif                           # nodes each pool could lose with the recommendations
  day2 cost capacity -o html > capacity.html # forecasts with charts
  day2 cost tuning                           # HPA findings, pool utilisation, scale-down blockers
  day2 cost quick-wins --top 10              # what to do first, in order, with $ per month
  day2 cost waste --kind unmounted-pvc       # unused objects with $ and confidence
  day2 cost advisories                       # long-term: scale-to-zero, custom metrics, regions
  day2 cost --prometheus http://127.0.0.1:9090 --window 14d

Usage comes from --prometheus, else metrics-server on a live cluster (current usage only,
low confidence), else the demo's generated history, else none (costs by requests only).
Prices: OpenCost's defaults, the shipped list, then cost.pricing in day2.yaml (see README).`,
    );
  registerAllocation(cost, run);
  registerRightsize(cost, run);
  registerWhatif(cost, run);
  registerCapacity(cost, run);
  registerTuning(cost, run);
  registerQuickWins(cost, run);
  registerWaste(cost, run);
  registerAdvisories(cost, run);
  for (const c of cost.commands) c.exitOverride();
}

/**
 * `day2 cost` and its subcommands. `day2 cost` alone is `day2 cost allocation`.
 */
import type { Command } from "commander";
import { registerAllocation } from "./allocation.js";
import { registerCapacity } from "./capacity.js";
import { registerRightsize } from "./rightsize.js";
import type { RunFn } from "./shared.js";
import { registerTuning } from "./tuning.js";
import { registerWhatif } from "./whatif.js";

export function registerCost(program: Command, run: RunFn): void {
  const cost = program
    .command("cost")
    .description(
      "cost in dollars: allocation, right-sizing, what-if re-packing, capacity forecasts, autoscaling tuning",
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
  // QUICK-WINS: `day2 cost quick-wins` is registered here once src/cost/waste.ts,
  // src/cost/quick-wins.ts and src/cost/advisories.ts land (owned by another change):
  //   registerQuickWins(cost, run);   // from ./quick-wins.js, same shape as the others
  for (const c of cost.commands) c.exitOverride();
}

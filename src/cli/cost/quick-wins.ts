/** `day2 cost quick-wins`: what to do first to save money, in the order an operator acts, with $ per month. */
import type { Command } from "commander";
import { quickWins, type QuickWin } from "../../cost/quick-wins.js";
import {
  quickWinsDoc,
  quickWinsHtml,
  quickWinsJson,
  quickWinsMarkdown,
  quickWinsTable,
  quickWinsYaml,
} from "../../cost/render/quick-wins.js";
import { usageError } from "../errors.js";
import { docHeader, parseTop, registerCostCommand, type RunFn } from "./shared.js";

function parseMinMonthly(raw: Record<string, unknown>): number {
  const text = raw.minMonthly as string | undefined;
  if (text === undefined) return 1;
  if (!/^\d+(\.\d+)?$/.test(text.trim().replace(/^\$/, "")))
    throw usageError(`--min-monthly: expected a non-negative number of dollars, got ${JSON.stringify(text)}`);
  return Number(text.trim().replace(/^\$/, ""));
}

/** A win concerns a namespace when one of its objects is in it (or is it). */
function inNamespace(w: QuickWin, ns: string): boolean {
  return w.objects.some((o) => o.namespace === ns || (o.kind === "Namespace" && o.name === ns));
}

export function registerQuickWins(cost: Command, run: RunFn): void {
  registerCostCommand(cost, run, {
    name: "quick-wins",
    description:
      "what to do first: unused volumes and load balancers, over-requests, missing HPAs, spot, commitments, storage classes, quotas; $ per month each",
    configure: (cmd) =>
      cmd
        .option(
          "--top <n>",
          "only the first n wins, in every output format (default: 25 in table output, else all; 0: all)",
        )
        .option("--min-monthly <usd>", "leave out wins below this many dollars per month (default 1)"),
    defaultWindow: "14d",
    help: `
Examples:
  day2 cost quick-wins                              # the demo cluster if there is no kubeconfig
  day2 cost quick-wins --top 10 --min-monthly 50
  day2 cost quick-wins -n analytics -o markdown > quick-wins.md
  day2 cost quick-wins --prometheus http://127.0.0.1:9090 -o json | jq '.wins[0]'

Order (the order an operator acts in), then most dollars first within each:
  unused-volume, unused-load-balancer    delete it and the bill stops (from day2 cost waste)
  overprovisioned-requests               requests at least 2x the day2 cost rightsize recommendation
  missing-hpa                            replicated stateless Deployments whose load varies, no HPA
  spot                                   stateless, 2+ replicas, a PDB that allows a disruption
  committed-use                          the p10 of cluster-wide usage on on-demand nodes, at 30% off
  storage-class                          gp2 -> gp3 at the price sheet's difference
  quota-limitrange                       team namespaces without them ($0: a guardrail)
Each win has $ per month, a confidence with its reason, the evidence and an action. Wins can
overlap: the total adds each as if acted on alone. Window: default 14d (as rightsize).
With -n, only wins about that namespace's objects (the cluster-wide baseline is left out).

Exit codes: 0 ok (also partial), 2 usage error, 3 input or connection error, or Prometheus
answered no query at all.`,
    prices: true,
    parse: (args, { format, usageFlags }) => {
      usageFlags();
      const top = parseTop(args) ?? (format === "table" ? 25 : 0);
      return { top, minMonthly: parseMinMonthly(args) };
    },
    compute: ({ ctx, options, state, usage, observed, costs }) => {
      const { top, minMonthly } = options;
      const result = quickWins(state, costs!.sheet, observed, { minMonthly });
      const ns = ctx.opts.namespace;
      const wins = ns ? result.wins.filter((w) => inNamespace(w, ns)) : result.wins;
      return quickWinsDoc(wins, {
        ...docHeader(state, usage),
        settings: { minMonthly, ...(top > 0 ? { top } : {}), ...(ns ? { namespace: ns } : {}) },
        notes: [...new Set([...usage.notes, ...result.notes])],
      });
    },
    render: {
      table: quickWinsTable,
      json: quickWinsJson,
      yaml: quickWinsYaml,
      markdown: quickWinsMarkdown,
      html: quickWinsHtml,
    },
  });
}

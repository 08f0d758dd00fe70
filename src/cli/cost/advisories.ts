/** `day2 cost advisories`: the long-term (month 3+) advisories, each from data or "no data because ...". */
import type { Command } from "commander";
import { advisories } from "../../cost/advisories.js";
import {
  advisoriesDoc,
  advisoriesHtml,
  advisoriesJson,
  advisoriesMarkdown,
  advisoriesTable,
  advisoriesYaml,
} from "../../cost/render/advisories.js";
import { docHeader, registerCostCommand, type RunFn } from "./shared.js";

export function registerAdvisories(cost: Command, run: RunFn): void {
  registerCostCommand(cost, run, {
    name: "advisories",
    description:
      "long-term advisories: spiky workloads, CPU that does not follow load, data transfer, other regions",
    defaultWindow: "14d",
    help: `
Examples:
  day2 cost advisories                              # the demo cluster if there is no kubeconfig
  day2 cost advisories --prometheus http://127.0.0.1:9090 --window 28d
  day2 cost advisories -o markdown > advisories.md  # with the KEDA ScaledObject suggestions

Advisories, in the handbook's order (month 3 and later):
  spiky-workloads            peak/mean CPU >= 4 or idle >= 12 h a day: scale-to-zero or serverless
                             candidates, with the request dollars of the idle hours
  custom-metric-autoscaling  total CPU that does not follow the replica count: an HPA on a
                             custom or external metric, or a KEDA ScaledObject
  data-transfer              cross-zone and egress traffic, where network metrics exist
  other-regions              the cluster's nodes priced in the cheapest other regions of the
                             same provider (from the price sheet; Δ/month, negative is cheaper)
Each says "no data because ..." when what it needs is missing. The shapes need at least 24 h
of usage history (Prometheus or the demo's; metrics-server has none). Window: default 14d.
With -n, only findings about that namespace's workloads.

Exit codes: 0 ok (also partial), 2 usage error, 3 input or connection error, or Prometheus
answered no query at all.`,
    prices: true,
    compute: ({ ctx, state, usage, observed, costs }) => {
      const all = advisories(state, costs!.sheet, observed);
      const ns = ctx.opts.namespace;
      return advisoriesDoc({
        ...docHeader(state, usage),
        ...(ns ? { namespace: ns } : {}),
        advisories: ns
          ? all.map((a) => ({
              ...a,
              items: a.items.filter((it) => !it.object || it.object.namespace === ns),
            }))
          : all,
        notes: usage.notes,
      });
    },
    render: {
      table: advisoriesTable,
      json: advisoriesJson,
      yaml: advisoriesYaml,
      markdown: advisoriesMarkdown,
      html: advisoriesHtml,
    },
  });
}

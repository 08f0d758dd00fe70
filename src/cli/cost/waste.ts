/** `day2 cost waste`: what costs money (or clutters) for nothing, by kind, with $ per month and confidence. */
import type { Command } from "commander";
import {
  WASTE_KIND_NAMES,
  wasteDoc,
  wasteHtml,
  wasteJson,
  wasteMarkdown,
  wasteTable,
  wasteYaml,
} from "../../cost/render/waste.js";
import { wasteReport, type WasteKind } from "../../cost/waste.js";
import { usageError } from "../errors.js";
import { collect, docHeader, parseLimit, registerCostCommand, type RunFn } from "./shared.js";

/** --kind a,b (repeatable): the kinds to keep; undefined: all. */
export function parseKinds(values: readonly string[] | undefined): WasteKind[] | undefined {
  if (!values?.length) return undefined;
  const kinds = values.flatMap((v) => v.split(",")).map((k) => k.trim());
  const bad = kinds.filter((k) => !(WASTE_KIND_NAMES as readonly string[]).includes(k));
  if (bad.length || kinds.length === 0)
    throw usageError(
      `--kind: expected one or more of ${WASTE_KIND_NAMES.join(", ")} (comma-separated), got ${JSON.stringify(bad[0] ?? values.join(","))}`,
    );
  return WASTE_KIND_NAMES.filter((k) => kinds.includes(k));
}

export function registerWaste(cost: Command, run: RunFn): void {
  registerCostCommand(cost, run, {
    name: "waste",
    description:
      "unused volumes, load balancers with no endpoints, idle and scaled-to-zero workloads, orphans, old ReplicaSets, ...: $ per month and confidence",
    configure: (cmd) =>
      cmd
        .option("--kind <kinds>", "only these kinds, comma-separated or repeated (see below)", collect)
        .option("--top <n>", "table output: at most n rows per kind (default 10; 0: all)"),
    defaultWindow: "7d",
    help: `
Examples:
  day2 cost waste                                   # the demo cluster if there is no kubeconfig
  day2 cost waste --kind unmounted-pvc,unbound-pv,lb-no-endpoints
  day2 cost waste -o wide --top 0                   # every row, with its kubectl command
  day2 cost waste --kind old-replicaset -o json | jq -r '.items[].action'

Kinds: ${WASTE_KIND_NAMES.join(", ")}.

$ per month is what deleting the object stops paying: a volume's GiB x its StorageClass'
GB-month price, a load balancer's hours, an idle workload's requests at its nodes' rates, a
node's price. ConfigMaps, old ReplicaSets and finished Jobs cost $0 and say why. Confidence
says how sure day2 is, and why (json: confidenceReason). Idle workloads need usage: p95 CPU
under 5% of requests over the window (default 7d). Table and Markdown list old ReplicaSets
one row per Deployment; json and yaml list every item.

Exit codes: 0 ok (also partial), 2 usage error, 3 input or connection error, or Prometheus
answered no query at all.`,
    prices: true,
    parse: (args, { wide, usageFlags }) => {
      const kinds = parseKinds(args.kind as string[] | undefined);
      usageFlags();
      return { kinds, limit: parseLimit(args, 10), wide };
    },
    compute: ({ ctx, options, state, usage, observed, costs }) => {
      const { kinds } = options;
      const report = wasteReport(state, costs!.sheet, observed);
      const ns = ctx.opts.namespace;
      const items = report.items.filter(
        (it) =>
          (!kinds || kinds.includes(it.kind)) &&
          (!ns || it.object.namespace === ns || (it.object.kind === "Namespace" && it.object.name === ns)),
      );
      return wasteDoc(items, {
        ...docHeader(state, usage),
        filter: { ...(kinds ? { kinds } : {}), ...(ns ? { namespace: ns } : {}) },
        notes: [...new Set([...usage.notes, ...report.notes])],
      });
    },
    render: {
      table: (doc, style, { limit, wide }) => wasteTable(doc, style, limit, wide),
      json: wasteJson,
      yaml: wasteYaml,
      markdown: wasteMarkdown,
      html: wasteHtml,
    },
  });
}

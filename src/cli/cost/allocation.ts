/** `day2 cost` (`day2 cost allocation`): what the cluster costs and who uses it, over a window. */
import type { Command } from "commander";
import { allocate, DEFAULT_COST_LABELS } from "../../cost/allocation.js";
import {
  allocationDoc,
  allocationHtml,
  allocationJson,
  allocationMarkdown,
  allocationTable,
  allocationYaml,
  type GroupBy,
} from "../../cost/render/allocation.js";
import { sourceOf } from "../../cost/render/format.js";
import { usageError } from "../errors.js";
import { parseLimit, registerCostCommand, type RunFn } from "./shared.js";

export function parseGroupBy(value: string | undefined): GroupBy {
  const v = value ?? "namespace";
  if (v === "namespace" || v === "workload" || v === "pod" || v === "container") return { kind: v };
  const m = /^label:([A-Za-z0-9][-A-Za-z0-9_./]*)$/.exec(v);
  if (m) return { kind: "label", key: m[1]! };
  throw usageError(
    `--by: expected namespace, workload, pod, container or label:<key>, got ${JSON.stringify(v)}`,
  );
}

export function registerAllocation(cost: Command, run: RunFn): void {
  registerCostCommand(cost, run, {
    name: "allocation",
    title: "day2 cost",
    isDefault: true,
    description:
      "what the cluster costs over a window (nodes, storage, load balancers) and who it is allocated to; idle and overhead",
    configure: (cmd) =>
      cmd
        .option(
          "--by <group>",
          "rows by namespace (default), workload, pod, container or label:<key>",
          "namespace",
        )
        .option("--share-overhead", "share system overhead out to tenants in proportion to their cost")
        .option("--top <n>", "table output: show at most n rows (default 25; 0: all)"),
    defaultWindow: "7d",
    help: `
Examples:
  day2 cost                                   # by namespace; the demo cluster if there is no kubeconfig
  day2 cost --by workload --top 10
  day2 cost --by label:team -o markdown
  day2 cost --prometheus http://127.0.0.1:9090 --window 30d -o json
  day2 cost --snapshot prod.ndjson.gz --prometheus http://prom:9090 --by container

Allocation is OpenCost's: each container costs max(request, usage) x its node's per-resource
price, per step. The cluster costs what its nodes, volumes and load balancers cost. Every
output reconciles: rows + overhead + idle + unclaimed volumes = cluster cost (overhead is in
the rows with --share-overhead). Per month is the window's rate x 730 h.

Window: default 7d (a whole weekly cycle). Usage: --prometheus, else metrics-server on a live
cluster (current usage only), else the demo's generated history, else requests only.

Exit codes: 0 ok (also partial: see the "partial:" line), 2 usage error, 3 input or
connection error, or Prometheus answered no query at all.`,
    prices: true,
    parse: (args, { usageFlags }) => {
      const by = parseGroupBy(args.by as string | undefined);
      usageFlags();
      return { by, limit: parseLimit(args, 25), shareOverhead: args.shareOverhead === true };
    },
    compute: ({ ctx, options, state, usage, costs }) => {
      const { by } = options;
      const costLabels = costs!.costLabels ?? DEFAULT_COST_LABELS;
      const result = allocate(state, costs!.sheet, usage, {
        costLabels,
        labelKeys: by.kind === "label" ? [...new Set([by.key, ...costLabels])] : costLabels,
        shareOverhead: options.shareOverhead,
      });
      const doc = allocationDoc(result, by, sourceOf(state), {
        notes: usage.notes,
        problems: usage.problems,
        costLabels,
      });
      const ns = ctx.opts.namespace;
      if (ns) doc.rows = doc.rows.filter((r) => (r.namespace ?? r.name) === ns);
      return doc;
    },
    render: {
      table: (doc, style, { limit }) => allocationTable(doc, style, limit),
      json: allocationJson,
      yaml: allocationYaml,
      markdown: allocationMarkdown,
      html: allocationHtml,
    },
  });
}

/** `day2 cost waste`: what costs money (or clutters) for nothing, by kind, with $ per month and confidence. */
import type { Command } from "commander";
import { sourceOf } from "../../cost/render/format.js";
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
import { COLOR, PLAIN } from "../../report/render/index.js";
import { EXIT, usageError } from "../errors.js";
import { loadState } from "../source.js";
import {
  addUsageOptions,
  checkFormat,
  collect,
  loadCostConfig,
  parseTop,
  parseUsageFlags,
  partialOf,
  resolveUsage,
  write,
  type RunFn,
} from "./shared.js";

const FORMATS = ["table", "json", "yaml", "markdown", "html"] as const;

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
  const cmd = cost
    .command("waste")
    .description(
      "unused volumes, load balancers with no endpoints, idle and scaled-to-zero workloads, orphans, old ReplicaSets, ...: $ per month and confidence",
    )
    .option("--kind <kinds>", "only these kinds, comma-separated or repeated (see below)", collect)
    .option("--top <n>", "table output: at most n rows per kind (default 10; 0: all)");
  addUsageOptions(cmd, "7d");
  cmd.addHelpText(
    "after",
    `
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
  );
  cmd.action((raw: Record<string, unknown>) =>
    run(async (ctx) => {
      const { opts, log, stdout, args } = ctx;
      const format = checkFormat(opts, "day2 cost waste", FORMATS);
      const kinds = parseKinds(args.kind as string[] | undefined);
      const flags = parseUsageFlags(args);
      const top = parseTop(args) ?? 10;
      const inputs = loadCostConfig(flags, log);
      const state = await loadState(opts, log);
      const { usage } = await resolveUsage(ctx, state, flags);
      const report = wasteReport(state, inputs.sheet, usage.source === "none" ? undefined : usage);
      const ns = opts.namespace;
      const items = report.items.filter(
        (it) =>
          (!kinds || kinds.includes(it.kind)) &&
          (!ns || it.object.namespace === ns || (it.object.kind === "Namespace" && it.object.name === ns)),
      );
      const doc = wasteDoc(items, {
        source: sourceOf(state),
        window: {
          start: usage.window.start.toISOString(),
          end: usage.window.end.toISOString(),
          stepSeconds: usage.window.stepSeconds,
        },
        usage: { source: usage.source, confidence: usage.confidence },
        ...partialOf(usage),
        filter: { ...(kinds ? { kinds } : {}), ...(ns ? { namespace: ns } : {}) },
        notes: [...new Set([...usage.notes, ...report.notes])],
      });
      const style = opts.color && stdout.isTTY && format === "table" ? COLOR : PLAIN;
      const text =
        format === "json"
          ? wasteJson(doc)
          : format === "yaml"
            ? wasteYaml(doc)
            : format === "markdown"
              ? wasteMarkdown(doc)
              : format === "html"
                ? wasteHtml(doc)
                : wasteTable(doc, style, top === 0 ? undefined : top, opts.output === "wide");
      await write(stdout, text);
      return EXIT.ok;
    }, raw),
  );
}

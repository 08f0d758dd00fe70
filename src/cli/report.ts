/** `day2 report`: a first overview of a cluster — summary, coverage and health findings. */
import type { Command } from "commander";
import { RULES, atLeast } from "../checks/index.js";
import { buildReport } from "../report/report.js";
import { COLOR, PLAIN, writeReport } from "../report/render/index.js";
import { EXIT } from "./errors.js";
import type { CommandContext } from "./context.js";
import { loadState } from "./source.js";
import { loadRulePaths } from "../checks/custom/index.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerReport(
  program: Command,
  run: (fn: (ctx: CommandContext) => Promise<number>, args?: Record<string, unknown>) => Promise<void>,
): void {
  program
    .command("report")
    .description("overview of a cluster: summary, coverage and health findings")
    .addHelpText(
      "after",
      `
Examples:
  day2 report                              # the current kubeconfig context, or the demo cluster if there is none
  day2 report --demo -o html > demo.html   # the demo cluster as one self-contained HTML file
  day2 report --context prod -n payments   # one namespace of the prod context
  day2 report --snapshot prod.ndjson.gz --fail-on high
  kubectl get pods,deploy -A -o json | day2 report --snapshot -
  day2 report --rules policies/            # with custom CEL rules (see README, "Custom rules")

Exit codes: 0 ok, 1 a finding at or above --fail-on, 2 usage error, 3 input or
connection error, 4 incomplete coverage with --strict.`,
    )
    .option("--rules <file|dir>", "custom rules (YAML with CEL expressions); repeatable", collect)
    .action((cmdOpts: { rules?: string[] }) =>
      run(async ({ opts, log, stdout }) => {
        // Custom rules are compiled before any collection: a broken expression fails at once.
        const custom = loadRulePaths(cmdOpts.rules ?? []);
        const state = await loadState(opts, log);
        const report = buildReport(state, {
          rules: [...RULES, ...custom],
          namespace: opts.namespace,
          selector: opts.selector,
        });
        const style =
          opts.color && stdout.isTTY && (opts.output === "table" || opts.output === "wide") ? COLOR : PLAIN;
        await writeReport(stdout, report, opts.output, style);
        const incomplete = report.coverage.some((c) => c.status === "not-permitted" || c.status === "error");
        if (incomplete && opts.strict) {
          log.warn("coverage is incomplete (see COVERAGE) and --strict was given [D2_ERR_INCOMPLETE]");
          return EXIT.incomplete;
        }
        if (opts.failOn && report.findings.some((f) => atLeast(f.severity, opts.failOn!)))
          return EXIT.findings;
        return EXIT.ok;
      }),
    );
}

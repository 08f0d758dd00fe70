/**
 * `day2 scan`: the report plus an honest score, noise controls (day2.yaml, suppression
 * annotations) and a baseline, with CI gates on findings (--fail-on) and score (--min-score).
 */
import type { Command } from "commander";
import { RULES, atLeast } from "../checks/index.js";
import { loadConfig } from "../config/config.js";
import { loadRulePaths } from "../checks/custom/index.js";
import { readBaseline } from "../config/baseline.js";
import { buildScan } from "../report/scan.js";
import { COLOR, PLAIN, writeReport } from "../report/render/index.js";
import { renderExplain } from "../report/render/score.js";
import { EXIT, usageError } from "./errors.js";
import type { CommandContext } from "./context.js";
import { loadState } from "./source.js";

export interface ScanFlags {
  explain: boolean;
  minScore?: number;
  config?: string;
  baseline?: string;
  /** --rules FILE|DIR, repeatable: custom rule files. */
  rules: string[];
}

export function parseScanFlags(raw: Record<string, unknown>): ScanFlags {
  const min = raw.minScore;
  let minScore: number | undefined;
  if (typeof min === "string") {
    if (!/^\d+(\.\d+)?$/.test(min) || Number(min) > 100)
      throw usageError(`--min-score: expected a number from 0 to 100, got ${JSON.stringify(min)}`);
    minScore = Number(min);
  }
  return {
    explain: raw.explain === true,
    minScore,
    config: typeof raw.config === "string" ? raw.config : undefined,
    baseline: typeof raw.baseline === "string" ? raw.baseline : undefined,
    rules: Array.isArray(raw.rules)
      ? raw.rules.filter((r): r is string => typeof r === "string")
      : typeof raw.rules === "string"
        ? [raw.rules]
        : [],
  };
}

export function registerScan(
  program: Command,
  run: (fn: (ctx: CommandContext) => Promise<number>, args?: Record<string, unknown>) => Promise<void>,
): void {
  program
    .command("scan")
    .description(
      "health, reliability and security findings with a score you can trust (0-100, per cluster, namespace and category)",
    )
    .option(
      "--explain",
      "show where every point went: checks, findings by severity, loss, cap hits, what was not evaluated and why, suppressions",
    )
    .option(
      "--min-score <n>",
      "exit 1 when the cluster score is below n (0-100), or when nothing could be scored",
    )
    .option(
      "--config <file>",
      "noise controls: rules on/off, severity overrides, suppressions (default: ./day2.yaml if present)",
    )
    .option(
      "--baseline <file>",
      "a previous `day2 scan -o json`: report only findings new since then, and what got fixed",
    )
    .option(
      "--rules <file|dir>",
      "custom rules (YAML with CEL expressions); repeatable; a directory means its *.yaml files",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addHelpText(
      "after",
      `
Examples:
  day2 scan                                   # the current context, or the demo cluster if there is none
  day2 scan --demo --explain                  # where every point of the demo cluster's score went
  day2 scan --snapshot prod.ndjson.gz --min-score 80 --fail-on critical   # CI gate
  day2 scan --config day2.yaml -o json > scan.json
  day2 scan --baseline scan.json              # only what is new since scan.json, and what got fixed
  day2 scan -n payments -o markdown           # one namespace's score and findings as Markdown
  day2 scan --rules policies/ -o json         # with custom CEL rules (see README, "Custom rules")

Score: 100 x (1 - loss / possible) over the (rule, object) checks that were evaluated;
weights critical 10, high 5, medium 2, low 1, info 0; at most 10 lost per object. Rules
that could not run and namespaces with nothing evaluated are "not evaluated", never 100.

Exit codes: 0 ok, 1 a finding at or above --fail-on or a score below --min-score,
2 usage error, 3 input or connection error (also a bad day2.yaml, rules or baseline file),
4 incomplete coverage with --strict.`,
    )
    .action((raw: Record<string, unknown>) =>
      run(async ({ opts, log, stdout, args }) => {
        const flags = parseScanFlags(args);
        // Configuration and baseline first: a typo there should not wait for a live collection.
        const fileRules = loadRulePaths(flags.rules);
        const config = loadConfig(flags.config, undefined, { customRules: fileRules });
        if (config)
          log.debug(
            `using ${config.file}: ${Object.keys(config.rules).length} rule settings, ${config.suppressions.length} suppressions, ${config.customRules.length} custom rules`,
          );
        const custom = [...fileRules, ...(config?.customRules ?? [])];
        if (custom.length) log.debug(`custom rules: ${custom.map((r) => r.id).join(", ")}`);
        const baseline = flags.baseline === undefined ? undefined : readBaseline(flags.baseline);
        const state = await loadState(opts, log);
        const report = buildScan(state, {
          rules: custom.length ? [...RULES, ...custom] : RULES,
          namespace: opts.namespace,
          selector: opts.selector,
          config,
          baseline,
          today: Date.now(),
        });
        const style =
          opts.color && stdout.isTTY && (opts.output === "table" || opts.output === "wide") ? COLOR : PLAIN;
        await writeReport(stdout, report, opts.output, style);
        if (flags.explain && (opts.output === "table" || opts.output === "wide"))
          stdout.write(renderExplain(report, style));
        const incomplete = report.coverage.some((c) => c.status === "not-permitted" || c.status === "error");
        if (incomplete && opts.strict) {
          log.warn("coverage is incomplete (see COVERAGE) and --strict was given [D2_ERR_INCOMPLETE]");
          return EXIT.incomplete;
        }
        let code: number = EXIT.ok;
        if (opts.failOn && report.findings.some((f) => atLeast(f.severity, opts.failOn!)))
          code = EXIT.findings;
        const score = report.score!.cluster;
        if (flags.minScore !== undefined) {
          if (score.score === null) {
            log.warn(
              `no score (${score.reason ?? "nothing evaluated"}), so --min-score ${flags.minScore} is not met`,
            );
            code = EXIT.findings;
          } else if (score.score < flags.minScore) {
            log.warn(`score ${score.score.toFixed(1)} is below --min-score ${flags.minScore}`);
            code = EXIT.findings;
          }
        }
        return code;
      }, raw),
    );
}

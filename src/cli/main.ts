#!/usr/bin/env node
/**
 * The day2 CLI entry point (also installed as kubectl-day2). The only place that sets the
 * process exit code: commands return one, errors map to one through the coded table.
 */
import { Command, CommanderError } from "commander";
import { createRequire } from "node:module";
import { COMMAND_FORMATS, addGlobalOptions, resolveGlobalOptions } from "./options.js";
import { makeLogger } from "./progress.js";
import { CliError, EXIT, toCliError, usageError } from "./errors.js";
import type { CommandContext } from "./context.js";

type Run = (fn: (ctx: CommandContext) => Promise<number>, args?: Record<string, unknown>) => Promise<void>;
type Register = (program: Command, run: Run) => void;

/**
 * Every command, imported on demand: importing all of them (the server, the store, the cost
 * model) costs about 0.2 s before any work, which a `day2 report` should not pay. The order
 * is the order of `day2 --help`.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  report: async () => (await import("./report.js")).registerReport,
  scan: async () => (await import("./scan.js")).registerScan,
  snapshot: async () => (await import("./snapshot.js")).registerSnapshot,
  cost: async () => (await import("./cost/index.js")).registerCost,
  serve: async () => (await import("./serve.js")).registerServe,
  token: async () => (await import("./token.js")).registerToken,
  incident: async () => (await import("./incident.js")).registerIncident,
  oncall: async () => (await import("./oncall.js")).registerOncall,
  kpi: async () => (await import("./kpi.js")).registerKpi,
  rhythm: async () => (await import("./rhythm.js")).registerRhythm,
  review: async () => (await import("./review.js")).registerReview,
};

/**
 * The commands to register: those whose name appears among the arguments, else all (for
 * `--help`, `help`, and the error of an unknown command). A name that is really an option's
 * value only adds a command; the one actually run is always among them.
 */
export function commandsFor(args: readonly string[]): string[] {
  const named = new Set(args.filter((a) => Object.hasOwn(COMMANDS, a)));
  const all = Object.keys(COMMANDS);
  return named.size === 0 ? all : all.filter((c) => named.has(c));
}

const require = createRequire(import.meta.url);

function version(): string {
  for (const p of ["../../package.json", "../../../package.json"]) {
    try {
      return (require(p) as { version: string }).version;
    } catch {
      // try the next layout (source vs dist)
    }
  }
  return "0.0.0";
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command("day2");
  const invokedAs = /kubectl-day2/.test(argv[1] ?? "") ? "kubectl day2" : "day2";
  program
    .name(invokedAs)
    .description("Kubernetes Day-2 operations: health, cost, incidents, remediation, upgrades, runbooks")
    .version(version(), "--version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  addGlobalOptions(program);
  program.addHelpText(
    "after",
    `
Examples:
  day2 report                        # current context, or the built-in demo cluster
  day2 report --demo -o markdown     # the demo cluster as Markdown
  day2 scan --demo --explain         # findings and a score, with where every point went
  day2 snapshot save -f c.ndjson.gz  # save the current cluster for offline runs
  day2 report --snapshot c.ndjson.gz --fail-on critical
  day2 cost --by workload            # what each workload costs, and what is idle
  day2 cost rightsize -o kustomize   # requests from usage history as kustomize patches
  day2 cost whatif                   # nodes and $ per month the recommendations would free
  day2 serve --port 0                # the incident service; prints its URL
  day2 incident list                 # open incidents (--server/--token or DAY2_SERVER/DAY2_TOKEN)`,
  );

  const run = async (
    fn: (ctx: CommandContext) => Promise<number>,
    args: Record<string, unknown> = {},
  ): Promise<void> => {
    const opts = resolveGlobalOptions(program.opts());
    const log = makeLogger(opts.verbose);
    exitCode = await fn({ opts, log, stdout: process.stdout, args });
  };
  const registers = await Promise.all(commandsFor(argv.slice(2)).map((name) => COMMANDS[name]!()));
  for (const register of registers) register(program, run);
  for (const cmd of program.commands) cmd.exitOverride();
  for (const cmd of program.commands.flatMap((c) => c.commands)) cmd.exitOverride();
  // Formats only some commands write (-o kustomize, -o kubectl) are refused everywhere else.
  program.hook("preAction", (_root, action) => {
    const format = String(program.opts().output ?? "");
    const allowed = COMMAND_FORMATS[format];
    if (!allowed) return;
    const path: string[] = [];
    for (let c: Command | null = action; c && c !== program; c = c.parent) path.unshift(c.name());
    if (!allowed.includes(path.join(" ")))
      throw usageError(`-o ${format}: only for ${allowed.map((a) => `day2 ${a}`).join(", ")}`);
  });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every other parse error is a usage error.
      return err.exitCode === 0 || err.code === "commander.helpDisplayed" || err.code === "commander.version"
        ? EXIT.ok
        : EXIT.usage;
    }
    const e = toCliError(err);
    process.stderr.write(`error: ${e.message}${e.code === "D2_ERR_INTERNAL" ? "" : ` [${e.code}]`}\n`);
    if (e instanceof CliError && e.code === "D2_ERR_INTERNAL")
      process.stderr.write("This is a bug in day2; please report it.\n");
    return e.exitCode;
  }
}

// Run when executed directly (bin or node src/cli/main.ts), not when imported by tests.
const self = process.argv[1] ?? "";
if (/(^|[/\\])(main\.(ts|js)|day2|kubectl-day2)$/.test(self)) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${String(err)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}

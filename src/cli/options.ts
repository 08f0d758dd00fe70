/**
 * Global flags, spelled as kubectl spells them, parsed once into typed options. Commander
 * parses; this file validates values and turns bad ones into usage errors naming the flag.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { OUTPUT_FORMATS } from "../report/render/index.js";
import type { OutputFormat } from "../report/render/index.js";
import { SEVERITIES } from "../checks/index.js";
import type { Severity } from "../checks/index.js";
import { parseSelectorString } from "../state/selector.js";
import type { Selector } from "../state/selector.js";
import { usageError } from "./errors.js";

/**
 * Formats only some commands write (`day2 cost rightsize`: kustomize patches, kubectl patch
 * commands). The global -o accepts them; main.ts rejects them for any other command.
 */
export const COMMAND_FORMATS: Readonly<Record<string, readonly string[]>> = {
  kustomize: ["cost rightsize"],
  kubectl: ["cost rightsize"],
};

export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  selector?: Selector;
  selectorText?: string;
  output: OutputFormat;
  snapshot?: string[];
  demo: boolean;
  seed: number;
  scale: "small" | "large" | number;
  failOn?: Severity;
  strict: boolean;
  as?: string;
  asGroups: string[];
  requestTimeoutMs?: number;
  pageSize?: number;
  concurrency?: number;
  /** Live runs: check permissions first and skip kinds that may not be listed (--no-preflight: off). */
  preflight: boolean;
  color: boolean;
  verbose: number;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function increase(_: string, previous: number): number {
  return previous + 1;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option(
      "--kubeconfig <file>",
      "path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)",
    )
    .option("--context <name>", "the kubeconfig context to use")
    .option("-n, --namespace <namespace>", "only this namespace")
    .option("-A, --all-namespaces", "all namespaces (the default)")
    .option("-l, --selector <selector>", "label selector, e.g. app=web,tier!=cache")
    .addOption(
      new Option("-o, --output <format>", "output format (kustomize, kubectl: day2 cost rightsize only)")
        .choices([...OUTPUT_FORMATS, ...Object.keys(COMMAND_FORMATS)])
        .default("table"),
    )
    .option(
      "--snapshot <file>",
      "read a snapshot or manifests instead of a live cluster (repeatable; a directory or - for stdin)",
      collect,
    )
    .option("--demo", "use the built-in seeded demo cluster")
    .option("--seed <n>", "demo cluster seed", "42")
    .option("--scale <size>", "demo cluster size: small, large (5,000 nodes) or a node count", "small")
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a finding is at or above this severity").choices([
        ...SEVERITIES,
      ]),
    )
    .option("--strict", "exit 4 when some kinds could not be read")
    .option("--as <user>", "impersonate this user")
    .option("--as-group <group>", "impersonate this group (repeatable)", collect)
    .option("--request-timeout <duration>", "per-request timeout, e.g. 30s, 1m (0: none)")
    .option("--page-size <n>", "objects per list page (limit/continue)")
    .option("--concurrency <n>", "kinds listed at the same time")
    .option(
      "--no-preflight",
      "live clusters: do not check permissions first (SelfSubjectAccessReview); list every kind and record 403s",
    )
    .option("--no-color", "no colour even on a terminal")
    .option("-v, --verbose", "more logs on stderr (repeat for more)", increase, 0);
}

/** kubectl's duration syntax: "0", "30", "30s", "2m", "1h", "500ms". */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw usageError(`${flag}: invalid duration ${JSON.stringify(value)} (use e.g. 30s, 1m, 0)`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw usageError(`${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function parseScale(value: string): GlobalOptions["scale"] {
  if (value === "small" || value === "large") return value;
  if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 20_000) return Number(value);
  throw usageError(
    `--scale: expected small, large or a node count from 1 to 20000, got ${JSON.stringify(value)}`,
  );
}

export function resolveGlobalOptions(raw: Record<string, unknown>): GlobalOptions {
  const str = (k: string): string | undefined =>
    typeof raw[k] === "string" ? (raw[k] as string) : undefined;
  const selectorText = str("selector");
  let selector: Selector | undefined;
  if (selectorText !== undefined) {
    try {
      selector = parseSelectorString(selectorText);
    } catch (err) {
      throw usageError(`--selector: ${(err as Error).message}`);
    }
  }
  const seedText = str("seed") ?? "42";
  if (!/^\d+$/.test(seedText))
    throw usageError(`--seed: expected a non-negative integer, got ${JSON.stringify(seedText)}`);
  const snapshot = raw.snapshot as string[] | undefined;
  const demo = raw.demo === true;
  const namespace = str("namespace");
  if (namespace !== undefined && raw.allNamespaces === true)
    throw usageError("--namespace and --all-namespaces cannot be used together");
  if (snapshot && demo) throw usageError("--snapshot and --demo cannot be used together");
  if (snapshot && str("kubeconfig")) throw usageError("--snapshot and --kubeconfig cannot be used together");
  if (demo && str("kubeconfig")) throw usageError("--demo and --kubeconfig cannot be used together");
  const timeout = str("requestTimeout");
  const noColor = raw.color === false || process.env.NO_COLOR !== undefined;
  return {
    kubeconfig: str("kubeconfig"),
    context: str("context"),
    namespace,
    allNamespaces: raw.allNamespaces === true,
    selector,
    selectorText,
    output: (str("output") ?? "table") as OutputFormat,
    snapshot,
    demo,
    seed: Number(seedText),
    scale: parseScale(str("scale") ?? "small"),
    failOn: str("failOn") as Severity | undefined,
    strict: raw.strict === true,
    as: str("as"),
    asGroups: (raw.asGroup as string[] | undefined) ?? [],
    requestTimeoutMs: timeout === undefined ? undefined : parseDuration(timeout, "--request-timeout"),
    pageSize: positiveInt(str("pageSize"), "--page-size"),
    concurrency: positiveInt(str("concurrency"), "--concurrency"),
    preflight: raw.preflight !== false,
    color: !noColor,
    verbose: typeof raw.verbose === "number" ? raw.verbose : 0,
  };
}

/**
 * `--baseline FILE`: a previous `day2 scan -o json` (or `-o yaml`). Findings are matched by
 * rule, object and container (not by message, which carries counts that change); only
 * findings new since then are reported, and what the baseline had that is gone is "fixed".
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { InputError } from "../snapshot/errors.js";
import { readTextFile } from "./yaml.js";
import type { Finding } from "../checks/index.js";

const findingSchema = z.looseObject({
  rule: z.string(),
  severity: z.string(),
  message: z.string(),
  object: z.looseObject({ kind: z.string(), namespace: z.string(), name: z.string() }),
  container: z.string().optional(),
});

const baselineSchema = z.looseObject({
  apiVersion: z.literal("day2.dev/v1alpha1"),
  kind: z.literal("Report"),
  findings: z.array(findingSchema),
  // A baseline taken with --baseline lists only new findings; the known ones are here.
  baseline: z.looseObject({ unchanged: z.array(findingSchema).optional() }).optional(),
});

export interface Baseline {
  readonly file: string;
  readonly generatedAt?: string;
  /** Every finding the baseline run knew about (reported, or unchanged from its own baseline). */
  readonly findings: readonly Finding[];
}

/** What the report says about the comparison. */
export interface BaselineSummary {
  readonly file: string;
  readonly generatedAt?: string;
  /** Findings reported (new since the baseline). */
  readonly new: number;
  /** Findings also in the baseline, not reported again. */
  readonly unchanged: Finding[];
  /** In the baseline, gone now (their rule was evaluated this time). */
  readonly fixed: Finding[];
  /** In the baseline, rule not evaluated this time: neither fixed nor still there, as far as day2 can see. */
  readonly unknown: Finding[];
}

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/** Parses a baseline document; throws an InputError naming the file. */
export function parseBaseline(source: string, file: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch {
    try {
      doc = parseYaml(source);
    } catch {
      throw new InputError(file, undefined, "not a day2 scan -o json output: not valid JSON or YAML");
    }
  }
  const parsed = baselineSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const where = pathText(i.path);
    throw new InputError(
      file,
      undefined,
      `not a day2 scan -o json output: ${where ? `${where}: ` : ""}${i.message.replace(/^Invalid input: /, "")}`,
    );
  }
  const d = parsed.data;
  return {
    file,
    generatedAt: typeof d.generatedAt === "string" ? d.generatedAt : undefined,
    findings: [...d.findings, ...(d.baseline?.unchanged ?? [])] as unknown as Finding[],
  };
}

export function readBaseline(file: string): Baseline {
  const source = readTextFile(file);
  return parseBaseline(source, file);
}

/** The identity of a finding across runs. */
export function findingKey(f: Pick<Finding, "rule" | "object" | "container">): string {
  return `${f.rule}|${f.object.kind}|${f.object.namespace}|${f.object.name}|${f.container ?? ""}`;
}

/**
 * Splits current findings into new and unchanged (as multisets: two findings with one key
 * against one in the baseline leave one new), and lists the baseline's fixed findings.
 * `stillThere` holds keys of current findings not reported for another reason (suppressed),
 * which are therefore not "fixed"; `evaluated` the rules that ran this time.
 */
export function diffBaseline(
  current: readonly Finding[],
  baseline: Baseline,
  opts: { stillThere?: readonly Finding[]; evaluated: ReadonlySet<string> },
): { fresh: Finding[]; summary: BaselineSummary } {
  const known = new Map<string, number>();
  for (const f of baseline.findings) known.set(findingKey(f), (known.get(findingKey(f)) ?? 0) + 1);
  const fresh: Finding[] = [];
  const unchanged: Finding[] = [];
  const seen = new Map<string, number>();
  for (const f of current) {
    const k = findingKey(f);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    if (n < (known.get(k) ?? 0)) unchanged.push(f);
    else fresh.push(f);
  }
  for (const f of opts.stillThere ?? []) seen.set(findingKey(f), (seen.get(findingKey(f)) ?? 0) + 1);
  const fixed: Finding[] = [];
  const unknown: Finding[] = [];
  const used = new Map<string, number>();
  for (const f of baseline.findings) {
    const k = findingKey(f);
    const n = used.get(k) ?? 0;
    used.set(k, n + 1);
    if (n < (seen.get(k) ?? 0)) continue;
    (opts.evaluated.has(f.rule) ? fixed : unknown).push(f);
  }
  return {
    fresh,
    summary: {
      file: baseline.file,
      generatedAt: baseline.generatedAt,
      new: fresh.length,
      unchanged,
      fixed,
      unknown,
    },
  };
}

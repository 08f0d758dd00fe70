/**
 * day2.yaml: the noise controls a team keeps in its repository. Rule enable/disable,
 * severity overrides, and suppressions that must say why and when they end. Validated with
 * zod; every error is one line naming the file and the field path, e.g.
 * `day2.yaml: rules.pod-crash-loop.severity: expected one of critical|high|medium|low|info`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseYamlText, readTextFile } from "./yaml.js";
import { z } from "zod";
import { required } from "./messages.js";
import { InputError } from "../snapshot/errors.js";
import { parseSelectorString } from "../state/selector.js";
import type { Rule, RuleOutcome, Severity } from "../checks/index.js";
import { RULES, SEVERITIES } from "../checks/index.js";
import { builtinIds, compileCustomRules } from "../checks/custom/index.js";
import type { PriceSheetInput } from "../cost/pricing.js";
import { priceSheetSchema } from "../cost/pricing.js";
import type { IncidentsConfig } from "../incident/policy-config.js";
import { incidentsSchema, resolveIncidents } from "../incident/policy-config.js";
import type { RhythmScheduleConfig } from "../rhythm/schedule-config.js";
import { resolveRhythmSchedule, rhythmScheduleSchema } from "../rhythm/schedule-config.js";

/** Looked for in the working directory when --config is not given. */
export const DEFAULT_CONFIG_FILE = "day2.yaml";

/** A calendar date (YYYY-MM-DD, midnight UTC) or a full RFC 3339 timestamp; epoch ms or NaN. */
export function parseExpiry(text: string): number {
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    // Date.UTC rolls 2027-02-30 over to March; a real date survives the round trip.
    return new Date(ms).toISOString().slice(0, 10) === text ? ms : NaN;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text))
    return Date.parse(text);
  return NaN;
}

const severity = z.enum(SEVERITIES, { error: () => `expected one of ${SEVERITIES.join("|")}` });
const text = (what: string) => z.string({ error: required(what) });

const ruleSettings = z.strictObject(
  {
    enabled: z.boolean({ error: required("true or false") }).optional(),
    severity: severity.optional(),
  },
  { error: required("a mapping with enabled and/or severity") },
);

const suppression = z.strictObject(
  {
    rule: text("a rule id"),
    namespace: text("a namespace (glob)").optional(),
    name: text("an object name (glob)").optional(),
    kind: text("a kind, e.g. Deployment").optional(),
    selector: text("a label selector, e.g. app=web").optional(),
    reason: text("a reason").refine(
      (s) => s.trim().length > 0,
      "must not be empty: say why this is accepted",
    ),
    expires: z
      .union([z.string(), z.date()], { error: required("a date (YYYY-MM-DD)") })
      .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
      .refine((v) => !Number.isNaN(parseExpiry(v)), {
        error: (iss) => `expected a date (YYYY-MM-DD), got ${JSON.stringify(iss.input)}`,
      }),
  },
  { error: required("a mapping with rule, reason, expires") },
);

const costSettings = z.strictObject(
  {
    // Merged over OpenCost's defaults and the shipped list by buildPriceSheet (config wins).
    pricing: priceSheetSchema.optional(),
    costLabels: z
      .array(text("a label key"), { error: required("a list of label keys, e.g. [team, cost-center]") })
      .optional(),
  },
  { error: required("a mapping (pricing:, costLabels:)") },
);

const configSchema = z.strictObject(
  {
    apiVersion: z.literal("day2.dev/v1alpha1", { error: () => "expected day2.dev/v1alpha1" }).optional(),
    kind: z.literal("Config", { error: () => "expected Config" }).optional(),
    rules: z
      .record(z.string(), ruleSettings, { error: required("a mapping of rule id to settings") })
      .optional(),
    suppressions: z.array(suppression, { error: required("a list of suppressions") }).optional(),
    // Each entry is validated and compiled by src/checks/custom, with line and column.
    customRules: z.array(z.unknown(), { error: required("a list of custom rules") }).optional(),
    cost: costSettings.optional(),
    // Severity policy, business hours, schedules, escalation, maintenance: src/incident/policy-config.
    incidents: incidentsSchema.optional(),
    // KPI targets and queries: validated by src/kpi/config (day2 kpi) with the field named.
    kpis: z.unknown().optional(),
    // When `day2 serve` sends the rhythm checklists, and through which notifiers: src/rhythm/schedule-config.
    rhythm: rhythmScheduleSchema.optional(),
  },
  { error: required("a mapping (rules:, suppressions:)") },
);

export interface Suppression {
  /** Position in the file's `suppressions` list. */
  readonly index: number;
  readonly rule: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly kind?: string;
  readonly selector?: string;
  readonly reason: string;
  /** As written: a date or a timestamp. */
  readonly expires: string;
}

export interface Day2Config {
  /** The path as given (or day2.yaml), for messages and findings. */
  readonly file: string;
  readonly rules: Readonly<Record<string, { readonly enabled?: boolean; readonly severity?: Severity }>>;
  readonly suppressions: readonly Suppression[];
  /** `customRules:` compiled into rules (origin "custom"), in file order. */
  readonly customRules: readonly Rule[];
  /** `cost:`: the price sheet layer and the labels every cost should carry. */
  readonly cost?: { readonly pricing?: PriceSheetInput; readonly costLabels?: readonly string[] };
  /** `incidents:` resolved with its defaults; absent when the file has no such section. */
  readonly incidents?: IncidentsConfig;
  /** `rhythm:`: the scheduled checklist reports of `day2 serve`; absent when not configured. */
  readonly rhythm?: RhythmScheduleConfig;
}

export interface ConfigOptions {
  /** The file's text, so custom-rule errors can name a line and column. */
  readonly source?: string;
  /** Custom rules loaded elsewhere (--rules): their ids are known, and taken. */
  readonly customRules?: readonly Rule[];
}

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

function closest(id: string): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const r of RULES) {
    const d = distance(id, r.id);
    if (d < bestD) [best, bestD] = [r.id, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function unknownRule(id: string): string {
  const near = closest(id);
  return `unknown rule id ${JSON.stringify(id)}${near ? ` (did you mean ${near}?)` : ""}`;
}

function fail(file: string, problems: string[]): never {
  const shown = problems.slice(0, 3).join("; ");
  throw new InputError(
    file,
    undefined,
    problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown,
  );
}

/** Validates a parsed document; throws an InputError naming the file and each field path. */
export function validateConfig(doc: unknown, file: string, opts: ConfigOptions = {}): Day2Config {
  const parsed = configSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    fail(
      file,
      parsed.error.issues.map((i) => {
        const where = pathText(i.path);
        const msg =
          i.code === "unrecognized_keys"
            ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`
            : i.message;
        return where ? `${where}: ${msg}` : msg;
      }),
    );
  }
  const cfg = parsed.data;
  const taken = builtinIds();
  for (const r of opts.customRules ?? []) taken.set(r.id, `custom rule ${r.id} (--rules)`);
  const customRules = cfg.customRules
    ? compileCustomRules(cfg.customRules, { file, text: opts.source, listPath: ["customRules"] }, taken)
    : [];
  const known = new Set([...taken.keys(), ...customRules.map((r) => r.id)]);
  const problems: string[] = [];
  for (const id of Object.keys(cfg.rules ?? {}))
    if (!known.has(id)) problems.push(`rules.${id}: ${unknownRule(id)}`);
  (cfg.suppressions ?? []).forEach((s, i) => {
    if (!known.has(s.rule)) problems.push(`suppressions[${i}].rule: ${unknownRule(s.rule)}`);
    if (s.selector !== undefined) {
      try {
        parseSelectorString(s.selector);
      } catch (err) {
        problems.push(`suppressions[${i}].selector: ${(err as Error).message}`);
      }
    }
  });
  const incidents = cfg.incidents ? resolveIncidents(cfg.incidents) : undefined;
  const rhythm = cfg.rhythm
    ? resolveRhythmSchedule(cfg.rhythm, incidents?.notifications?.targets.map((t) => t.name) ?? [])
    : undefined;
  problems.push(...(rhythm?.problems ?? []));
  if (problems.length) fail(file, problems);
  return {
    file,
    rules: cfg.rules ?? {},
    suppressions: (cfg.suppressions ?? []).map((s, index) => ({ index, ...s, reason: s.reason.trim() })),
    customRules,
    ...(cfg.cost ? { cost: cfg.cost } : {}),
    ...(incidents ? { incidents } : {}),
    ...(rhythm ? { rhythm: rhythm.config } : {}),
  };
}

/** Parses and validates day2.yaml text. */
export function parseConfig(
  source: string,
  file: string,
  opts: Omit<ConfigOptions, "source"> = {},
): Day2Config {
  const doc = parseYamlText(source, file);
  return validateConfig(doc, file, { ...opts, source });
}

/**
 * The config to use: the file named by --config (which must exist), else ./day2.yaml when
 * present, else none.
 */
export function loadConfig(
  path: string | undefined,
  cwd = process.cwd(),
  opts: Omit<ConfigOptions, "source"> = {},
): Day2Config | undefined {
  const file = path ?? DEFAULT_CONFIG_FILE;
  const full = path ?? join(cwd, DEFAULT_CONFIG_FILE);
  if (path === undefined && !existsSync(full)) return undefined;
  const source = readTextFile(full, file);
  return parseConfig(source, file, opts);
}

export interface RuleConfigResult {
  /** The rules to run: enabled ones, severities overridden. */
  readonly rules: readonly Rule[];
  /** Outcomes for the rules the config turned off (not evaluated, never passed). */
  readonly disabled: readonly RuleOutcome[];
  readonly overrides: readonly { readonly rule: string; readonly from: Severity; readonly to: Severity }[];
}

/** Applies `rules:` of day2.yaml to a rule list. */
export function applyRuleConfig(rules: readonly Rule[], config: Day2Config | undefined): RuleConfigResult {
  if (!config) return { rules, disabled: [], overrides: [] };
  const out: Rule[] = [];
  const disabled: RuleOutcome[] = [];
  const overrides: { rule: string; from: Severity; to: Severity }[] = [];
  for (const r of rules) {
    const s = config.rules[r.id];
    if (s?.enabled === false) {
      disabled.push({
        rule: r.id,
        title: r.title,
        status: "not-evaluated",
        findings: 0,
        reason: `disabled in ${config.file}`,
      });
      continue;
    }
    if (s?.severity && s.severity !== r.severity) {
      overrides.push({ rule: r.id, from: r.severity, to: s.severity });
      out.push(Object.freeze({ ...r, severity: s.severity }));
    } else out.push(r);
  }
  return { rules: out, disabled, overrides };
}

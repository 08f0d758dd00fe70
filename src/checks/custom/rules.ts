/**
 * Custom rules as data: a YAML definition with CEL expressions, validated and compiled at load
 * time into an ordinary Rule (origin "custom") that the same runner, score and noise controls
 * handle. Any problem — a missing field, a bad severity, a duplicate id, an id of a built-in
 * rule, a CEL syntax or type error — is an InputError naming the file, the line and column in
 * it, the field path and the rule id; nothing is half-loaded.
 */
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { describeValue, required } from "../../config/messages.js";
import { InputError } from "../../snapshot/errors.js";
import { KINDS } from "../../state/kinds.js";
import { isProjectedKind } from "../../state/project/index.js";
import type { Meta, ProjectedKind } from "../../state/types.js";
import type { ClusterState } from "../../state/cluster-state.js";
import { CATEGORIES, SEVERITIES, defineRule, ref } from "../types.js";
import type { FindingDraft, Rule } from "../types.js";
import { CelCompileError, celErrorText, compile, lineColumn } from "./cel.js";
import type { Compiled } from "./cel.js";
import { celView } from "./view.js";

const KIND_NAMES = KINDS.map((k) => k.kind).filter(isProjectedKind) as [ProjectedKind, ...ProjectedKind[]];
const ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

const text = (what: string) =>
  z.string({ error: required(what) }).refine((s) => s.trim().length > 0, "must not be empty");

export const customRuleSchema = z.strictObject(
  {
    id: z
      .string({ error: required("a rule id") })
      .regex(ID, "expected a kebab-case id, e.g. team-label-required"),
    title: text("a title"),
    severity: z.enum(SEVERITIES, { error: () => `expected one of ${SEVERITIES.join("|")}` }),
    category: z.enum(CATEGORIES, { error: () => `expected one of ${CATEGORIES.join("|")}` }),
    kinds: z
      .array(
        z.enum(KIND_NAMES, {
          error: (iss) =>
            `unknown kind ${JSON.stringify(iss.input)}: expected one of ${KIND_NAMES.join(", ")}`,
        }),
        { error: required("a list of kinds, e.g. [Deployment]") },
      )
      .min(1, "must name at least one kind"),
    match: text("a CEL expression").optional(),
    validate: text("a CEL expression"),
    message: text("a message").optional(),
    messageExpression: text("a CEL expression").optional(),
    rationale: text("a rationale").optional(),
    fix: text("how to fix it").optional(),
    runbook: text("a runbook path or URL").optional(),
    runtime: z.boolean({ error: required("true or false") }).optional(),
  },
  { error: required("a mapping with id, title, severity, category, kinds, validate, message") },
);

export type CustomRuleSpec = z.infer<typeof customRuleSchema>;

/** Where the definitions come from, for messages and positions. */
export interface RuleSource {
  /** The file as the user named it. */
  readonly file: string;
  /** The file's text, for line/column positions. */
  readonly text?: string;
  /** Path of the rule list inside the document: [] for a top-level list, ["customRules"] otherwise. */
  readonly listPath: readonly (string | number)[];
}

/** Ids already in use: built-in rules and rules loaded from other sources (id -> where). */
export type TakenIds = ReadonlyMap<string, string>;

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/** Finds line/column of a path in a YAML text: the deepest node on the path that exists. */
class Positions {
  private readonly doc;
  private readonly lines = new LineCounter();

  constructor(private readonly text: string | undefined) {
    this.doc = text === undefined ? undefined : parseDocument(text, { lineCounter: this.lines });
  }

  /**
   * The deepest node on the path that exists. With `inExpr` (a 1-based line and column in
   * the scalar's value), the exact spot when the scalar is written plainly or quoted without
   * escapes; else the scalar's start.
   */
  of(
    path: readonly (string | number)[],
    inExpr?: { line: number; column: number },
  ): { line: number; col: number } | undefined {
    if (!this.doc || this.text === undefined) return undefined;
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as
        { range?: [number, number, number]; value?: unknown } | undefined;
      if (!node || typeof node !== "object" || !node.range) continue;
      const [start, end] = node.range;
      if (inExpr && n === path.length && typeof node.value === "string") {
        const raw = this.text.slice(start, end);
        const at = raw === node.value ? start : raw.slice(1, -1) === node.value ? start + 1 : undefined;
        if (at !== undefined) {
          const lines = node.value.split("\n");
          const offset =
            lines.slice(0, inExpr.line - 1).reduce((sum, l) => sum + l.length + 1, 0) + inExpr.column - 1;
          return this.lines.linePos(at + offset);
        }
      }
      return this.lines.linePos(start);
    }
    return undefined;
  }
}

interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** A CEL error's position inside the expression. */
  readonly inExpr?: { line: number; column: number };
}

function fail(source: RuleSource, positions: Positions, problems: readonly Problem[]): never {
  const lines = problems.map((p) => {
    const pos = positions.of(p.path, p.inExpr);
    return {
      pos: pos ? `line ${pos.line}, column ${pos.col}` : undefined,
      text: `${pathText(p.path)}: ${p.message}`,
    };
  });
  if (lines.length === 1) throw new InputError(source.file, lines[0]!.pos, lines[0]!.text);
  const shown = lines.slice(0, 3).map((l) => (l.pos ? `${l.pos}: ${l.text}` : l.text));
  throw new InputError(
    source.file,
    undefined,
    lines.length > 3 ? `${shown.join("; ")}; and ${lines.length - 3} more` : shown.join("; "),
  );
}

/**
 * Validates and compiles a list of rule definitions (already parsed from YAML). Throws one
 * InputError listing the problems, each with its position and the rule id.
 */
export function compileCustomRules(entries: unknown, source: RuleSource, taken: TakenIds): Rule[] {
  const positions = new Positions(source.text);
  const base = source.listPath;
  if (!Array.isArray(entries))
    fail(source, positions, [
      { path: base, message: `expected a list of rules, got ${describeValue(entries)}` },
    ]);
  const problems: Problem[] = [];
  const rules: Rule[] = [];
  const seen = new Map<string, string>();
  entries.forEach((entry, i) => {
    const at = [...base, i];
    const parsed = customRuleSchema.safeParse(entry);
    const id = typeof (entry as { id?: unknown })?.id === "string" ? (entry as { id: string }).id : undefined;
    const who = id ? ` (rule ${id})` : "";
    if (!parsed.success) {
      for (const iss of parsed.error.issues) {
        const msg =
          iss.code === "unrecognized_keys"
            ? `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => JSON.stringify(k)).join(", ")}`
            : iss.message;
        problems.push({ path: [...at, ...(iss.path as (string | number)[])], message: `${msg}${who}` });
      }
      return;
    }
    const spec = parsed.data;
    const where = `${source.file}#${pathText(at)}`;
    const builtin = taken.get(spec.id);
    if (builtin)
      problems.push({
        path: [...at, "id"],
        message: `id ${JSON.stringify(spec.id)} is already taken by ${builtin}`,
      });
    else if (seen.has(spec.id))
      problems.push({
        path: [...at, "id"],
        message: `duplicate id ${JSON.stringify(spec.id)} (first defined at ${seen.get(spec.id)})`,
      });
    seen.set(spec.id, where);
    if (spec.message === undefined && spec.messageExpression === undefined)
      problems.push({ path: at, message: `required: message or messageExpression${who}` });
    const exprs: Partial<Record<"match" | "validate" | "messageExpression", Compiled>> = {};
    for (const field of ["match", "validate", "messageExpression"] as const) {
      const expr = spec[field];
      if (expr === undefined) continue;
      try {
        exprs[field] = compile(expr, field === "messageExpression" ? "string" : "bool");
      } catch (err) {
        if (!(err instanceof CelCompileError)) throw err;
        problems.push({
          path: [...at, field],
          message: `invalid CEL${who}: ${err.message}`,
          inExpr: { line: err.line, column: err.column },
        });
      }
    }
    if (exprs.validate)
      rules.push(
        buildRule(
          spec,
          { validate: exprs.validate, match: exprs.match, messageExpression: exprs.messageExpression },
          source.file,
        ),
      );
  });
  if (problems.length) fail(source, positions, problems);
  return rules;
}

let sequence = 0;

interface CompiledRule {
  readonly validate: Compiled;
  readonly match?: Compiled;
  readonly messageExpression?: Compiled;
}

function objectName(o: Meta): string {
  return o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`;
}

/** Evaluation error text: the cel-js summary plus the column inside the expression. */
function evalError(field: string, expr: string, err: unknown): string {
  const start = (err as { range?: { start: number } })?.range?.start;
  const pos = start === undefined ? "" : ` (column ${lineColumn(expr, start).column})`;
  return `${field}: ${celErrorText(err)}${pos}`;
}

function typeName(v: unknown): string {
  if (typeof v === "bigint") return "int";
  if (typeof v === "number") return "double";
  if (Array.isArray(v)) return "list";
  if (v === null) return "null";
  return typeof v === "object" ? "map" : typeof v;
}

interface Matched {
  readonly targets: readonly Meta[];
  readonly errors: readonly string[];
}

/** One custom rule: targets are the objects of its kinds its `match` selects. */
function buildRule(spec: CustomRuleSpec, cel: CompiledRule, file: string): Rule {
  const key = `custom-rule#${++sequence}:${spec.id}`;
  const matched = (state: ClusterState): Matched =>
    state.derive(key, (s) => {
      const targets: Meta[] = [];
      const errors: string[] = [];
      const now = BigInt(Math.trunc(s.info.collectedAt));
      for (const kind of spec.kinds) {
        for (const o of s.list(kind)) {
          if (!cel.match) {
            targets.push(o);
            continue;
          }
          try {
            const r = cel.match({ object: celView(o), now });
            if (typeof r !== "boolean")
              errors.push(`${objectName(o)}: match returned ${typeName(r)}, not bool`);
            else if (r) targets.push(o);
          } catch (err) {
            errors.push(`${objectName(o)}: ${evalError("match", spec.match!, err)}`);
          }
        }
      }
      return { targets, errors };
    });

  const message = (view: Record<string, unknown>, now: bigint): string => {
    if (cel.messageExpression) {
      // As in Kubernetes: a messageExpression that fails (or is not a string) falls back to message.
      try {
        const m = cel.messageExpression({ object: view, now });
        if (typeof m === "string" && m.trim() !== "") return m;
      } catch {
        /* fall back */
      }
    }
    return spec.message ?? `failed: ${spec.validate}`;
  };

  return defineRule({
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    category: spec.category,
    rationale: spec.rationale ?? `Custom rule defined in ${file}.`,
    fix: spec.fix ?? spec.message ?? spec.title,
    runbook: spec.runbook ?? file,
    kinds: spec.kinds,
    origin: "custom",
    // Reads status (replicas ready, phases): "not-applicable" on static manifests.
    ...(spec.runtime ? { runtime: true as const } : {}),
    targets: (state) => matched(state).targets,
    evaluate(state, ctx): FindingDraft[] {
      const { targets, errors: matchErrors } = matched(state);
      const errors = [...matchErrors];
      const drafts: FindingDraft[] = [];
      const now = BigInt(Math.trunc(ctx.now));
      for (const o of targets) {
        const view = celView(o);
        let ok: unknown;
        try {
          ok = cel.validate({ object: view, now });
        } catch (err) {
          errors.push(`${objectName(o)}: ${evalError("validate", spec.validate, err)}`);
          continue;
        }
        if (typeof ok !== "boolean")
          errors.push(`${objectName(o)}: validate returned ${typeName(ok)}, not bool`);
        else if (!ok)
          drafts.push({
            object: ref(o),
            message: message(view, now),
            evidence: { validate: spec.validate, definedIn: file },
          });
      }
      if (errors.length) {
        const checked = spec.kinds.reduce((n, k) => n + state.count(k), 0);
        throw new Error(
          `CEL evaluation failed on ${errors.length} of ${checked} objects; first: ${errors[0]}`,
        );
      }
      return drafts;
    },
  });
}

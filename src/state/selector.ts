/**
 * Label selectors: the map form (Service.spec.selector) and the LabelSelector form
 * (matchLabels + matchExpressions) compiled once into a predicate. Semantics follow
 * k8s.io/apimachinery/pkg/labels: an empty LabelSelector matches everything, a null one
 * nothing; a Service with an empty map selector selects nothing (its endpoints are manual).
 */
export type Labels = Readonly<Record<string, string>>;

export interface Requirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values: readonly string[];
}

export interface Selector {
  /**
   * Equality requirements as a flat [key0, value0, key1, value1, ...] list (one array, not
   * one per pair: there is a selector on every workload of a 150,000-pod cluster). Used to
   * pick a small candidate set from the label index.
   */
  readonly equals: readonly string[];
  readonly requirements: readonly Requirement[];
  /** True when the selector matches every object (empty LabelSelector). */
  readonly matchesAll: boolean;
  /** True when the selector matches no object (absent selector). */
  readonly matchesNone: boolean;
  /** kubectl's string form, e.g. `app=web,tier in (a,b)`. */
  readonly text: string;
}

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_REQUIREMENTS: readonly Requirement[] = Object.freeze([]);

/** The text form is derived on demand (a prototype getter costs no memory per selector). */
class CompiledSelector implements Selector {
  constructor(
    readonly equals: readonly string[],
    readonly requirements: readonly Requirement[],
    readonly matchesAll: boolean,
    readonly matchesNone: boolean,
  ) {}

  get text(): string {
    if (this.matchesNone) return "<none>";
    if (this.matchesAll) return "<all>";
    const parts: string[] = [];
    for (let i = 0; i < this.equals.length; i += 2) parts.push(`${this.equals[i]}=${this.equals[i + 1]}`);
    for (const r of this.requirements) {
      if (r.operator === "Exists") parts.push(r.key);
      else if (r.operator === "DoesNotExist") parts.push(`!${r.key}`);
      else parts.push(`${r.key} ${r.operator === "In" ? "in" : "notin"} (${r.values.join(",")})`);
    }
    return parts.join(",");
  }
}

export const SELECT_NONE: Selector = Object.freeze(
  new CompiledSelector(NO_STRINGS, NO_REQUIREMENTS, false, true),
);
export const SELECT_ALL: Selector = Object.freeze(
  new CompiledSelector(NO_STRINGS, NO_REQUIREMENTS, true, false),
);

/** True for selectors made here (the compact encoding stores them by their parts). */
export function isCompiledSelector(v: unknown): v is Selector {
  return v instanceof CompiledSelector;
}

/** A selector from stored parts (state/compact.ts); the singletons stay singletons. */
export function selectorFromParts(
  equals: readonly string[],
  requirements: readonly Requirement[],
  matchesAll: boolean,
  matchesNone: boolean,
): Selector {
  if (matchesNone && equals.length === 0 && requirements.length === 0) return SELECT_NONE;
  if (matchesAll && equals.length === 0 && requirements.length === 0) return SELECT_ALL;
  return new CompiledSelector(
    equals.length ? equals : NO_STRINGS,
    requirements.length ? requirements : NO_REQUIREMENTS,
    matchesAll,
    matchesNone,
  );
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function build(equals: [string, string][], requirements: Requirement[]): Selector {
  if (equals.length === 0 && requirements.length === 0) return SELECT_ALL;
  return new CompiledSelector(
    equals.length ? equals.flat() : NO_STRINGS,
    requirements.length ? requirements : NO_REQUIREMENTS,
    false,
    false,
  );
}

/** Service-style map selector: empty or absent selects nothing. */
export function fromMapSelector(map: unknown): Selector {
  if (!isStringMap(map) || Object.keys(map).length === 0) return SELECT_NONE;
  return build(
    Object.entries(map).map(([k, v]) => [k, String(v)]),
    [],
  );
}

/** metav1.LabelSelector: absent selects nothing, `{}` selects everything. */
export function fromLabelSelector(sel: unknown): Selector {
  if (!isStringMap(sel)) return SELECT_NONE;
  const s = sel as { matchLabels?: unknown; matchExpressions?: unknown };
  const equals: [string, string][] = isStringMap(s.matchLabels)
    ? Object.entries(s.matchLabels).map(([k, v]) => [k, String(v)])
    : [];
  const requirements: Requirement[] = [];
  if (Array.isArray(s.matchExpressions)) {
    for (const e of s.matchExpressions as { key?: unknown; operator?: unknown; values?: unknown }[]) {
      if (typeof e?.key !== "string") continue;
      const op = e.operator;
      if (op !== "In" && op !== "NotIn" && op !== "Exists" && op !== "DoesNotExist") continue;
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      requirements.push({ key: e.key, operator: op, values });
    }
  }
  return build(equals, requirements);
}

export function matches(selector: Selector, labels: Labels): boolean {
  if (selector.matchesNone) return false;
  if (selector.matchesAll) return true;
  const eq = selector.equals;
  for (let i = 0; i < eq.length; i += 2) if (labels[eq[i]!] !== eq[i + 1]) return false;
  for (const r of selector.requirements) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      case "In":
        if (!has || !r.values.includes(labels[r.key]!)) return false;
        break;
      case "NotIn":
        if (has && r.values.includes(labels[r.key]!)) return false;
        break;
    }
  }
  return true;
}

/**
 * Parses kubectl's `-l` syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`. Throws with the
 * offending part named, so the CLI can answer a bad flag with a usage error.
 */
export function parseSelectorString(text: string): Selector {
  const equals: [string, string][] = [];
  const requirements: Requirement[] = [];
  const parts = text.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  for (const raw of parts) {
    const part = raw.trim().replace(/^,/, "").trim();
    if (part === "") continue;
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const values = m[3]!
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean);
      requirements.push({ key: m[1]!, operator: m[2] === "in" ? "In" : "NotIn", values });
    } else if ((m = /^([\w./-]+)\s*!=\s*([\w./-]*)$/.exec(part))) {
      requirements.push({ key: m[1]!, operator: "NotIn", values: [m[2]!] });
    } else if ((m = /^([\w./-]+)\s*==?\s*([\w./-]*)$/.exec(part))) {
      equals.push([m[1]!, m[2]!]);
    } else if ((m = /^!([\w./-]+)$/.exec(part))) {
      requirements.push({ key: m[1]!, operator: "DoesNotExist", values: [] });
    } else if ((m = /^([\w./-]+)$/.exec(part))) {
      requirements.push({ key: m[1]!, operator: "Exists", values: [] });
    } else {
      throw new Error(`invalid label selector ${JSON.stringify(text)}: cannot parse "${part}"`);
    }
  }
  return build(equals, requirements);
}

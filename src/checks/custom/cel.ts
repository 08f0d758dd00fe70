/**
 * The CEL environment custom rules run in: @marcbachmann/cel-js (why: docs/adr/0002-cel.md)
 * plus the Kubernetes CEL library functions it lacks, registered as custom functions:
 *
 * - quantity library: `quantity(s)`, `isQuantity(s)`, `q.isLessThan(q)`, `q.isGreaterThan(q)`,
 *   `q.compareTo(q)`, `q.add(q|int)`, `q.sub(q|int)`, `q.sign()`, `q.isInteger()`,
 *   `q.asInteger()`, `q.asApproximateFloat()`, and `==`/`!=` by value;
 * - regex library: `s.find(re)`, `s.findAll(re)`, `s.findAll(re, limit)`;
 * - strings library additions: `s.charAt(i)`, `s.replace(a, b)`, `s.replace(a, b, n)`,
 *   `s.reverse()`.
 *
 * Variables: `object` (the projection, see view.ts) and `now` (the collection time, epoch ms).
 * Regular expressions are JavaScript's, not RE2 (see the ADR).
 */
import { Environment } from "@marcbachmann/cel-js";
import type { ParseResult } from "@marcbachmann/cel-js";
import { Quantity } from "./quantity.js";

const regexCache = new Map<string, RegExp>();

/** A compiled regular expression, cached: rules run the same pattern over every object. */
function regex(pattern: string, global = false): RegExp {
  const key = `${global ? "g" : "-"}${pattern}`;
  let re = regexCache.get(key);
  if (!re) {
    try {
      re = new RegExp(pattern, global ? "g" : "");
    } catch {
      throw new Error(`invalid regular expression: ${pattern}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

function findAll(s: string, pattern: string, limit: bigint): string[] {
  if (limit === 0n) return [];
  const out: string[] = [];
  for (const m of s.matchAll(regex(pattern, true))) {
    out.push(m[0]);
    if (limit > 0n && BigInt(out.length) >= limit) break;
  }
  return out;
}

function replace(s: string, from: string, to: string, n: bigint): string {
  if (n < 0n) return s.split(from).join(to);
  let out = s;
  let at = 0;
  for (let i = 0n; i < n; i++) {
    const idx = out.indexOf(from, at);
    if (idx < 0) break;
    out = out.slice(0, idx) + to + out.slice(idx + from.length);
    at = idx + to.length;
  }
  return out;
}

/** The one environment every custom rule compiles against (read-only after module load). */
export const CEL_ENV: Environment = new Environment({ homogeneousAggregateLiterals: false })
  .registerType("Quantity", Quantity as unknown as new (...args: unknown[]) => unknown)
  .registerVariable("object", "map")
  .registerVariable("now", "int")
  // Kubernetes quantity library.
  .registerFunction("quantity(string): Quantity", (s: string) => Quantity.parse(s))
  .registerFunction("isQuantity(string): bool", (s: string) => Quantity.isQuantity(s))
  .registerFunction("Quantity.isLessThan(Quantity): bool", (a: Quantity, b: Quantity) => a.compareTo(b) < 0)
  .registerFunction(
    "Quantity.isGreaterThan(Quantity): bool",
    (a: Quantity, b: Quantity) => a.compareTo(b) > 0,
  )
  .registerFunction("Quantity.compareTo(Quantity): int", (a: Quantity, b: Quantity) => BigInt(a.compareTo(b)))
  .registerFunction("Quantity.add(Quantity): Quantity", (a: Quantity, b: Quantity) => a.add(b))
  .registerFunction("Quantity.add(int): Quantity", (a: Quantity, b: bigint) => a.add(b))
  .registerFunction("Quantity.sub(Quantity): Quantity", (a: Quantity, b: Quantity) => a.sub(b))
  .registerFunction("Quantity.sub(int): Quantity", (a: Quantity, b: bigint) => a.sub(b))
  .registerFunction("Quantity.sign(): int", (a: Quantity) => a.sign())
  .registerFunction("Quantity.isInteger(): bool", (a: Quantity) => a.isInteger())
  .registerFunction("Quantity.asInteger(): int", (a: Quantity) => a.asInteger())
  .registerFunction("Quantity.asApproximateFloat(): double", (a: Quantity) => a.asApproximateFloat())
  .registerOperator("Quantity == Quantity", (a: Quantity, b: Quantity) => a.equals(b))
  // Kubernetes regex library.
  .registerFunction("string.find(string): string", (s: string, re: string) => regex(re).exec(s)?.[0] ?? "")
  .registerFunction("string.findAll(string): list<string>", (s: string, re: string) => findAll(s, re, -1n))
  .registerFunction("string.findAll(string, int): list<string>", (s: string, re: string, n: bigint) =>
    findAll(s, re, n),
  )
  // cel-go strings extension functions Kubernetes enables that cel-js lacks.
  .registerFunction("string.charAt(int): string", (s: string, i: bigint) => {
    const n = Number(i);
    if (n < 0 || n > s.length) throw new Error(`charAt: index ${n} out of range`);
    return s.charAt(n);
  })
  .registerFunction("string.replace(string, string): string", (s: string, a: string, b: string) =>
    replace(s, a, b, -1n),
  )
  .registerFunction(
    "string.replace(string, string, int): string",
    (s: string, a: string, b: string, n: bigint) => replace(s, a, b, n),
  )
  .registerFunction("string.reverse(): string", (s: string) => [...s].reverse().join(""));

/** A compile-time error: the message and the 1-based line and column inside the expression. */
export class CelCompileError extends Error {
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${detail} (expression line ${line}, column ${column})`);
    this.name = "CelCompileError";
  }
}

/** 1-based line and column of an offset in the expression. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      start = i + 1;
    }
  }
  return { line, column: Math.min(offset, text.length) - start + 1 };
}

interface CelErrorLike {
  readonly summary?: string;
  readonly message: string;
  readonly range?: { readonly start: number; readonly end: number };
}

/** The one-line message of a cel-js error (its `message` carries a multi-line highlight). */
export function celErrorText(err: unknown): string {
  const e = err as CelErrorLike;
  return (e?.summary ?? e?.message ?? String(err)).split("\n")[0]!;
}

export type Compiled = (vars: { object: unknown; now: bigint }) => unknown;

/**
 * Parses and type-checks an expression; the result type must be `want` (or dyn, checked at
 * evaluation). Throws a CelCompileError with the position.
 */
export function compile(expression: string, want: "bool" | "string"): Compiled {
  let parsed: ParseResult;
  try {
    parsed = CEL_ENV.parse(expression);
  } catch (err) {
    throw positioned(expression, err);
  }
  const checked = parsed.check();
  if (!checked.valid) throw positioned(expression, checked.error);
  if (checked.type !== want && checked.type !== "dyn") {
    throw new CelCompileError(`must evaluate to ${want}, but evaluates to ${checked.type}`, 1, 1);
  }
  return parsed as Compiled;
}

function positioned(expression: string, err: unknown): CelCompileError {
  const start = (err as CelErrorLike)?.range?.start ?? 0;
  const { line, column } = lineColumn(expression, start);
  return new CelCompileError(celErrorText(err), line, column);
}

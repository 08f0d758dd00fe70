/**
 * The wording of schema errors in every day2 input (day2.yaml and its sections, rule files,
 * price sheets): what was expected and what was found, so the message names both.
 */

/** What a value is, as a person reading YAML would call it. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  // YAML timestamps arrive as dates.
  if (v instanceof Date) return `date ${v.toISOString()}`;
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A zod `error` option: "required: <what>" when absent, else "expected <what>, got <value>". */
export const required =
  (what: string) =>
  (iss: { input: unknown }): string =>
    iss.input === undefined ? `required: ${what}` : `expected ${what}, got ${describeValue(iss.input)}`;

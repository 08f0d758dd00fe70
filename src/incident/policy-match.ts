/**
 * Label matchers with Alertmanager's semantics: `=`, `!=`, `=~`, `!~`; regexes are anchored
 * (`^(?:re)$`) and a missing label reads as the empty string. Shared by the severity map and
 * maintenance windows.
 */

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** Alertmanager anchors every matcher regex at both ends. */
export function anchoredRegex(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}

/** An error message when the regex does not compile, else undefined. */
export function regexError(source: string): string | undefined {
  try {
    anchoredRegex(source);
    return undefined;
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
}

/**
 * `name="value"`, `name=~"re"`, `name!=value` (quotes optional; inside quotes \" \\ and \n are
 * escapes), as amtool and Alertmanager's config take them. Throws with a message on garbage.
 */
export function parseMatcher(text: string): LabelMatcher {
  const m = MATCHER.exec(text);
  if (!m)
    throw new Error(
      `expected a matcher like service="api" or namespace=~"prod-.*", got ${JSON.stringify(text)}`,
    );
  const [, name, op, raw] = m as unknown as [string, string, MatchOp, string];
  let value = raw;
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    value = raw.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  } else if (raw.includes('"')) {
    throw new Error(`unbalanced quotes in matcher ${JSON.stringify(text)}`);
  }
  return { name, op, value };
}

/** A compiled matcher: the regex built once. */
export interface CompiledMatcher extends LabelMatcher {
  readonly test: (labels: Readonly<Record<string, string>>) => boolean;
}

export function compileMatcher(m: LabelMatcher): CompiledMatcher {
  const re = m.op === "=~" || m.op === "!~" ? anchoredRegex(m.value) : undefined;
  const test = (labels: Readonly<Record<string, string>>): boolean => {
    const v = labels[m.name] ?? "";
    switch (m.op) {
      case "=":
        return v === m.value;
      case "!=":
        return v !== m.value;
      case "=~":
        return re!.test(v);
      case "!~":
        return !re!.test(v);
    }
  };
  return { ...m, test };
}

/** True when every matcher matches (an empty list matches everything). */
export function matchesAll(
  matchers: readonly CompiledMatcher[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return matchers.every((m) => m.test(labels));
}

/** The matcher in Alertmanager's text form: service=~"api|web". */
export function formatMatcher(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

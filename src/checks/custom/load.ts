/**
 * Reads custom rule files (`day2 scan --rules FILE|DIR`). A file holds either a top-level list
 * of rules or a mapping with `customRules:` (the same key as day2.yaml, so a rule can move
 * between them); a directory contributes its *.yaml / *.yml files in name order.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseYamlText, readTextFile } from "../../config/yaml.js";
import { InputError } from "../../snapshot/errors.js";
import { RULES } from "../index.js";
import type { Rule } from "../types.js";
import { compileCustomRules } from "./rules.js";
import type { TakenIds } from "./rules.js";

/** Built-in rule ids, as taken ids for collision checks. */
export function builtinIds(): Map<string, string> {
  return new Map(RULES.map((r) => [r.id, "a built-in rule"]));
}

/** Compiles one rules file's text. */
export function parseRulesFile(text: string, file: string, taken: TakenIds): Rule[] {
  const doc = parseYamlText(text, file);
  if (Array.isArray(doc)) return compileCustomRules(doc, { file, text, listPath: [] }, taken);
  if (doc !== null && typeof doc === "object") {
    const extra = Object.keys(doc).filter((k) => !["apiVersion", "kind", "customRules"].includes(k));
    if (extra.length)
      throw new InputError(
        file,
        undefined,
        `unknown field${extra.length > 1 ? "s" : ""} ${extra.map((k) => JSON.stringify(k)).join(", ")}: a rules file is a list of rules or a mapping with customRules:`,
      );
    const rules = (doc as { customRules?: unknown }).customRules;
    if (rules === undefined) throw new InputError(file, undefined, "required: customRules (a list of rules)");
    return compileCustomRules(rules, { file, text, listPath: ["customRules"] }, taken);
  }
  throw new InputError(
    file,
    undefined,
    "expected a list of rules or a mapping with customRules:, got " +
      (doc === null ? "an empty document" : `${typeof doc} ${JSON.stringify(doc)}`),
  );
}

/** The files a --rules argument names: the file, or a directory's YAML files in name order. */
function ruleFiles(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new InputError(
      path,
      undefined,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  if (!isDir) return [path];
  const files = readdirSync(path)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0) throw new InputError(path, undefined, "directory holds no .yaml or .yml files");
  return files;
}

/**
 * Loads every --rules path: ids must be unique across all files and must not be built-in ids.
 * `taken` defaults to the built-in ids.
 */
export function loadRulePaths(paths: readonly string[], taken: TakenIds = builtinIds()): Rule[] {
  const ids = new Map(taken);
  const out: Rule[] = [];
  for (const p of paths) {
    for (const file of ruleFiles(p)) {
      const rules = parseRulesFile(readTextFile(file), file, ids);
      for (const r of rules) {
        ids.set(r.id, `rule ${r.id} in ${file}`);
        out.push(r);
      }
    }
  }
  return out;
}

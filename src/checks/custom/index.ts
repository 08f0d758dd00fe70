/** Custom rules as data: YAML definitions with CEL expressions (README "Custom rules"). */
export { CEL_ENV, CelCompileError, compile } from "./cel.js";
export { Quantity } from "./quantity.js";
export { celView } from "./view.js";
export { compileCustomRules, customRuleSchema } from "./rules.js";
export type { CustomRuleSpec, RuleSource, TakenIds } from "./rules.js";
export { builtinIds, loadRulePaths, parseRulesFile } from "./load.js";

/**
 * The rule registry: one static, ordered array. A test fails when a rule file under
 * src/checks/ exports a rule that is missing here, so no rule is silently never run.
 */
import type { Rule } from "./types.js";
import { POD_RULES } from "./pods.js";
import { NODE_RULES } from "./nodes.js";
import { WORKLOAD_RULES } from "./workloads.js";
import { RELIABILITY_RULES } from "./reliability.js";
import { STORAGE_RULES } from "./storage.js";
import { NETWORK_RULES } from "./network.js";
import { JOB_RULES } from "./jobs.js";
import { AUTOSCALING_RULES } from "./autoscaling.js";
import { REFERENCE_RULES } from "./references.js";
import { CONFIG_RULES } from "./config.js";
import { SECURITY_RULES } from "./security.js";
import { PSS_RULES } from "./pss.js";
import { RBAC_RULES } from "./rbac.js";
import { SUPPRESSION_RULES } from "./suppressions.js";

export const RULES: readonly Rule[] = Object.freeze([
  ...POD_RULES,
  ...NODE_RULES,
  ...WORKLOAD_RULES,
  ...JOB_RULES,
  ...STORAGE_RULES,
  ...NETWORK_RULES,
  ...REFERENCE_RULES,
  ...RELIABILITY_RULES,
  ...AUTOSCALING_RULES,
  ...CONFIG_RULES,
  ...SECURITY_RULES,
  ...PSS_RULES,
  ...RBAC_RULES,
  ...SUPPRESSION_RULES,
]);

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export * from "./types.js";
export { RUNTIME_ON_MANIFESTS, runRules, ruleTargets } from "./run.js";
export type { RuleOutcome, RuleRun } from "./run.js";

/**
 * Pod Security Standards compliance: passed / applicable controls, per namespace and for the
 * cluster, at the baseline and restricted levels. Pure: a function of the state, the rule
 * outcomes and the findings of a run. It feeds the "Compliance score" KPI.
 *
 * - A control is judged at a level by one rule (PSS_CONTROLS): at restricted by its restricted
 *   rule where the standard tightens it (Capabilities, Seccomp), else by its baseline rule.
 *   Restricted = the baseline controls + Volume Types, Privilege Escalation, Running as
 *   Non-root, Running as Non-root user.
 * - In a scope (a namespace, or the whole cluster) a control is **applicable** when its rule
 *   was evaluated and judged at least one workload there; it **passes** when no workload there
 *   has an (unsuppressed) finding of that rule. A suppressed finding is an accepted exception:
 *   the control passes and the exception is counted.
 * - A control whose rule was not evaluated (kind not permitted, disabled, error, ...) is
 *   **not evaluated**: neither applicable nor passed. A scope with no applicable control has
 *   no percentage (null), never 100.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta } from "../state/types.js";
import type { Finding, Rule, RuleOutcome } from "../checks/index.js";
import { RULES, ruleTargets, runRules } from "../checks/index.js";
import type { PssLevel } from "../checks/pss.js";
import { PSS_CONTROLS } from "../checks/pss.js";

export const PSS_LEVELS: readonly PssLevel[] = ["baseline", "restricted"];

export type ControlStatus = "passed" | "failed" | "not-applicable" | "not-evaluated";

/** One level in one scope. */
export interface LevelCompliance {
  readonly passed: number;
  readonly applicable: number;
  /** Controls whose rule was not evaluated: in no count above. */
  readonly notEvaluated: number;
  /** 100 x passed / applicable, one decimal; null when nothing applicable. */
  readonly percent: number | null;
  /** Names of the failed controls. */
  readonly failed: readonly string[];
}

export interface ScopeCompliance {
  readonly name: string;
  readonly baseline: LevelCompliance;
  readonly restricted: LevelCompliance;
  /** Suppressed PSS findings here (accepted exceptions; their controls pass). */
  readonly exceptions: number;
}

/** One control at one level, cluster-wide. */
export interface ControlCompliance {
  readonly control: string;
  readonly level: PssLevel;
  readonly rule: string;
  readonly status: ControlStatus;
  /** Why not evaluated (the rule's reason). */
  readonly reason?: string;
  /** Workloads the rule judged (in the scan's scope). */
  readonly workloads: number;
  /** Workloads that fail it. */
  readonly failing: number;
  /** Namespaces where it fails, sorted. */
  readonly failingNamespaces: readonly string[];
}

export interface ComplianceReport {
  readonly standard: "Pod Security Standards";
  readonly cluster: ScopeCompliance;
  /** Every namespace reported by the scan (an empty one has nothing applicable). */
  readonly namespaces: readonly ScopeCompliance[];
  readonly controls: readonly ControlCompliance[];
}

export interface ComplianceInput {
  readonly state: ClusterState;
  /** The rules as they ran. */
  readonly rules: readonly Rule[];
  readonly outcomes: readonly RuleOutcome[];
  /** The findings that count (unsuppressed). */
  readonly findings: readonly Finding[];
  readonly suppressed?: readonly Finding[];
  /** Narrows the judged workloads (-n, -l), as for the score. */
  readonly include?: (o: Meta) => boolean;
  /** Namespaces to report (default: every namespace of the state). */
  readonly namespaces?: readonly string[];
}

interface LevelControl {
  readonly control: string;
  readonly rule: string;
}

function controlsOf(level: PssLevel): readonly LevelControl[] {
  const out: LevelControl[] = [];
  for (const [control, rules] of Object.entries(PSS_CONTROLS)) {
    const rule = level === "restricted" ? (rules.restricted ?? rules.baseline) : rules.baseline;
    if (rule) out.push(Object.freeze({ control, rule }));
  }
  return Object.freeze(out);
}

/** Built once: every namespace's compliance walks them (3,750 namespaces x 2 levels). */
const LEVEL_CONTROLS: Readonly<Record<PssLevel, readonly LevelControl[]>> = {
  baseline: controlsOf("baseline"),
  restricted: controlsOf("restricted"),
};

/** The controls of a level and the rule that judges each there. */
export function levelControls(level: PssLevel): readonly LevelControl[] {
  return LEVEL_CONTROLS[level];
}

/** The rule ids compliance needs (what a KPI run must evaluate). */
export function complianceRuleIds(): string[] {
  return [...new Set(PSS_LEVELS.flatMap((l) => levelControls(l).map((c) => c.rule)))];
}

interface RuleFacts {
  readonly evaluated: boolean;
  readonly reason?: string;
  /** Judged workloads per namespace. */
  readonly judged: Map<string, number>;
  /** Failing workload keys per namespace. */
  readonly failing: Map<string, Set<string>>;
}

function percentOf(passed: number, applicable: number): number | null {
  return applicable === 0 ? null : Math.round((1000 * passed) / applicable) / 10;
}

/** Per compliance rule: was it evaluated, which workloads it judged and which fail, per namespace. */
function gatherFacts(input: ComplianceInput): Map<string, RuleFacts> {
  const { state, include } = input;
  const outcomes = new Map(input.outcomes.map((o) => [o.rule, o]));
  const rulesById = new Map(input.rules.map((r) => [r.id, r]));
  const facts = new Map<string, RuleFacts>();
  for (const id of complianceRuleIds()) {
    const o = outcomes.get(id);
    const rule = rulesById.get(id);
    const evaluated = o?.status === "evaluated" && rule !== undefined;
    const judged = new Map<string, number>();
    if (evaluated) {
      for (const t of ruleTargets(rule, state)) {
        if (include && !include(t)) continue;
        judged.set(t.namespace, (judged.get(t.namespace) ?? 0) + 1);
      }
    }
    const reason = evaluated
      ? undefined
      : o
        ? `${o.status}${o.reason ? `: ${o.reason}` : ""}`
        : "rule not run";
    facts.set(id, { evaluated, judged, failing: new Map(), ...(reason ? { reason } : {}) });
  }
  for (const f of input.findings) {
    const fact = facts.get(f.rule);
    if (!fact?.evaluated) continue;
    const ns = f.object.namespace;
    let set = fact.failing.get(ns);
    if (!set) fact.failing.set(ns, (set = new Set()));
    set.add(`${f.object.kind}/${f.object.name}`);
  }
  return facts;
}

export function computeCompliance(input: ComplianceInput): ComplianceReport {
  const { state } = input;
  const facts = gatherFacts(input);
  const exceptions = new Map<string, number>();
  let clusterExceptions = 0;
  for (const f of input.suppressed ?? []) {
    if (!facts.has(f.rule)) continue;
    exceptions.set(f.object.namespace, (exceptions.get(f.object.namespace) ?? 0) + 1);
    clusterExceptions++;
  }

  /** `ns` undefined: the whole cluster. */
  const level = (lvl: PssLevel, ns: string | undefined): LevelCompliance => {
    let passed = 0;
    let applicable = 0;
    let notEvaluated = 0;
    const failed: string[] = [];
    for (const { control, rule } of levelControls(lvl)) {
      const fact = facts.get(rule)!;
      if (!fact.evaluated) {
        notEvaluated++;
        continue;
      }
      const judged = ns === undefined ? sum(fact.judged.values()) : (fact.judged.get(ns) ?? 0);
      if (judged === 0) continue;
      applicable++;
      const failing =
        ns === undefined
          ? sum([...fact.failing.values()].map((s) => s.size))
          : (fact.failing.get(ns)?.size ?? 0);
      if (failing === 0) passed++;
      else failed.push(control);
    }
    return { passed, applicable, notEvaluated, percent: percentOf(passed, applicable), failed };
  };
  const scope = (name: string, ns: string | undefined, exc: number): ScopeCompliance => ({
    name,
    baseline: level("baseline", ns),
    restricted: level("restricted", ns),
    exceptions: exc,
  });

  const nsNames = new Set(input.namespaces ?? state.namespaceNames());
  if (!input.namespaces)
    for (const fact of facts.values()) for (const ns of fact.judged.keys()) if (ns !== "") nsNames.add(ns);
  const controls: ControlCompliance[] = [];
  for (const lvl of PSS_LEVELS) {
    for (const { control, rule } of levelControls(lvl)) {
      const fact = facts.get(rule)!;
      const workloads = sum(fact.judged.values());
      const failingNamespaces = [...fact.failing.entries()]
        .filter(([, s]) => s.size > 0)
        .map(([ns]) => ns)
        .sort();
      const failing = sum([...fact.failing.values()].map((s) => s.size));
      const status: ControlStatus = !fact.evaluated
        ? "not-evaluated"
        : workloads === 0
          ? "not-applicable"
          : failing
            ? "failed"
            : "passed";
      controls.push({
        control,
        level: lvl,
        rule,
        status,
        ...(fact.reason ? { reason: fact.reason } : {}),
        workloads,
        failing,
        failingNamespaces,
      });
    }
  }
  return {
    standard: "Pod Security Standards",
    cluster: scope("cluster", undefined, clusterExceptions),
    namespaces: [...nsNames].sort().map((ns) => scope(ns, ns, exceptions.get(ns) ?? 0)),
    controls,
  };
}

function sum(xs: Iterable<number>): number {
  let n = 0;
  for (const x of xs) n += x;
  return n;
}

/** What the Compliance KPI shows: a percentage, or "no data" and why. */
export interface ComplianceKpi {
  readonly status: "ok" | "no data";
  readonly reason?: string;
  readonly level: PssLevel;
  /** 0-100, one decimal; null with "no data". */
  readonly percent: number | null;
  readonly passed: number;
  readonly applicable: number;
  readonly notEvaluated: number;
}

/** The cluster's compliance % at a level (default restricted, which includes baseline) from a report. */
export function compliancePercent(report: ComplianceReport, level: PssLevel = "restricted"): ComplianceKpi {
  const l = report.cluster[level];
  const base = { level, passed: l.passed, applicable: l.applicable, notEvaluated: l.notEvaluated };
  if (l.percent === null) {
    const reason =
      l.notEvaluated > 0 && l.applicable === 0
        ? `no ${level} control could be evaluated (${l.notEvaluated} not evaluated)`
        : "no workload to judge";
    return { status: "no data", reason, percent: null, ...base };
  }
  return { status: "ok", percent: l.percent, ...base };
}

/**
 * The Compliance KPI straight from a state: runs the PSS rules compliance needs (from `rules`,
 * default the registry) and returns the cluster percentage. For the KPI engine, which has a
 * state but no scan.
 */
export function clusterCompliance(
  state: ClusterState,
  opts: { level?: PssLevel; rules?: readonly Rule[]; now?: number } = {},
): ComplianceKpi {
  const ids = new Set(complianceRuleIds());
  const rules = (opts.rules ?? RULES).filter((r) => ids.has(r.id));
  const run = runRules(state, rules, { now: opts.now ?? state.info.collectedAt });
  return compliancePercent(
    computeCompliance({ state, rules, outcomes: run.outcomes, findings: run.findings }),
    opts.level,
  );
}

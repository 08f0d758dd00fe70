/**
 * The score: 0-100 and a grade, for the cluster, each namespace and each category. Pure: a
 * function of the state, the rules that ran, their outcomes and their findings.
 *
 *   score = 100 x (1 - loss / possible)
 *   possible = sum over evaluated (rule, object) checks of weight(rule severity)
 *   loss     = sum over objects of min(OBJECT_CAP, sum of weight(severity) of its failed checks)
 *
 * A check is one object a rule judged (`ruleTargets`); a rule that was not evaluated adds no
 * check and is listed with its reason, so it never counts as passed. A scope with no
 * evaluated check (an empty or unreadable namespace) has no score: "not evaluated", not 100.
 * Why this shape, and how it differs from Popeye, Polaris and Kubescape: docs/adr/0001-score.md.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta } from "../state/types.js";
import type { Category, Finding, ObjectRef, Rule, RuleOutcome, Severity } from "../checks/index.js";
import { CATEGORIES, RULES, SEVERITIES, ruleTargets } from "../checks/index.js";

/** What one failed check costs, by the rule's (possibly overridden) severity. One table. */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = Object.freeze({
  critical: 10,
  high: 5,
  medium: 2,
  low: 1,
  info: 0,
});

/** The most one object can lose, however many checks it fails (one critical's worth). */
export const OBJECT_CAP = 10;

export const GRADES = Object.freeze([
  { grade: "A", min: 90 },
  { grade: "B", min: 80 },
  { grade: "C", min: 70 },
  { grade: "D", min: 60 },
  { grade: "F", min: 0 },
] as const);
export type Grade = (typeof GRADES)[number]["grade"];

export function gradeOf(score: number): Grade {
  return GRADES.find((g) => score >= g.min)!.grade;
}

/** One scope's account: where its points went. */
export interface ScopeScore {
  readonly name: string;
  readonly status: "evaluated" | "not-evaluated";
  /** 0-100, one decimal; null when not evaluated. */
  readonly score: number | null;
  readonly grade: Grade | null;
  /** Why there is no score. */
  readonly reason?: string;
  /** Evaluated (rule, object) checks. */
  readonly checks: number;
  /** Sum of the weights of those checks: the most the scope could lose. */
  readonly possible: number;
  /** Points lost, after the per-object cap. */
  readonly loss: number;
  /** Points the cap forgave (raw loss - loss). */
  readonly capped: number;
  readonly failedChecks: number;
  /** Findings by severity (a check can fail with several findings, e.g. one per container). */
  readonly findings: Record<Severity, number>;
  /** Objects whose loss hit the cap. */
  readonly capHits: number;
  /** Findings suppressed by day2.yaml or an annotation: not a loss, but counted. */
  readonly suppressed: number;
}

export interface CapHit {
  readonly object: ObjectRef;
  readonly rawLoss: number;
  readonly loss: number;
  readonly rules: readonly string[];
}

export interface UnscoredRule {
  readonly rule: string;
  readonly title: string;
  readonly category: Category;
  readonly severity: Severity;
  readonly status: RuleOutcome["status"];
  readonly reason: string;
}

export interface ScoreReport {
  readonly weights: Readonly<Record<Severity, number>>;
  readonly objectCap: number;
  readonly cluster: ScopeScore;
  /** Cluster-scoped objects (nodes, ...): part of the cluster score, in no namespace. */
  readonly clusterScoped: ScopeScore;
  readonly categories: readonly ScopeScore[];
  readonly namespaces: readonly ScopeScore[];
  readonly rules: {
    readonly total: number;
    readonly evaluated: number;
    readonly notEvaluated: readonly UnscoredRule[];
    /** Rules that cannot apply to this input (runtime rules on static manifests): no gap, no check. */
    readonly notApplicable: readonly UnscoredRule[];
  };
  /** Objects whose loss was capped, largest raw loss first. */
  readonly capHits: readonly CapHit[];
}

export interface ScoreInput {
  readonly state: ClusterState;
  /** The rules as they ran (severity overrides applied). */
  readonly rules: readonly Rule[];
  /** One outcome per rule, including rules that were not evaluated or disabled. */
  readonly outcomes: readonly RuleOutcome[];
  /** The findings that count: unsuppressed, narrowed like `include`. */
  readonly findings: readonly Finding[];
  readonly suppressed?: readonly Finding[];
  /** Narrows the judged objects (-n, -l); findings must be narrowed the same way. */
  readonly include?: (o: Meta) => boolean;
  /** Namespaces to report (default: every namespace of the state that `include` admits). */
  readonly namespaces?: readonly string[];
}

class Account {
  checks = 0;
  possible = 0;
  loss = 0;
  capped = 0;
  failedChecks = 0;
  capHits = 0;
  suppressed = 0;
  findings = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;

  addChecks(n: number, weight: number): void {
    this.checks += n;
    this.possible += n * weight;
  }

  addLoss(raw: number): void {
    const loss = Math.min(OBJECT_CAP, raw);
    this.loss += loss;
    if (raw > OBJECT_CAP) {
      this.capped += raw - OBJECT_CAP;
      this.capHits++;
    }
  }

  finish(name: string, whyEmpty: string): ScopeScore {
    const base = {
      name,
      checks: this.checks,
      possible: this.possible,
      loss: this.loss,
      capped: this.capped,
      failedChecks: this.failedChecks,
      findings: this.findings,
      capHits: this.capHits,
      suppressed: this.suppressed,
    };
    if (this.checks === 0)
      return { ...base, status: "not-evaluated", score: null, grade: null, reason: whyEmpty };
    if (this.possible === 0)
      return {
        ...base,
        status: "not-evaluated",
        score: null,
        grade: null,
        reason: "only info-level checks applied (weight 0)",
      };
    const score = Math.max(0, Math.round(1000 * (1 - this.loss / this.possible)) / 10);
    return { ...base, status: "evaluated", score, grade: gradeOf(score) };
  }
}

interface TargetCounts {
  readonly byNamespace: Map<string, number>;
  readonly total: number;
  readonly kinds: Set<string>;
  /** byNamespace with each namespace's account, resolved once for the rules sharing the list. */
  accounts?: readonly (readonly [Account, number])[];
}

/** One pass over a target list; lists shared by many rules (all pods) are counted once. */
function countTargets(list: readonly Meta[], include: ((o: Meta) => boolean) | undefined): TargetCounts {
  const byNamespace = new Map<string, number>();
  const kinds = new Set<string>();
  let total = 0;
  let lastKind = "";
  // Lists come namespace by namespace (as the API lists them): count runs, not objects.
  let runNamespace: string | undefined;
  let run = 0;
  const flush = (): void => {
    if (run > 0) byNamespace.set(runNamespace!, (byNamespace.get(runNamespace!) ?? 0) + run);
    run = 0;
  };
  for (const o of list) {
    if (o.kind !== lastKind) {
      kinds.add(o.kind);
      lastKind = o.kind;
    }
    if (include && !include(o)) continue;
    if (o.namespace !== runNamespace) {
      flush();
      runNamespace = o.namespace;
    }
    run++;
    total++;
  }
  flush();
  return { byNamespace, total, kinds };
}

function objectKey(o: ObjectRef): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

interface ObjectLoss {
  readonly object: ObjectRef;
  raw: number;
  /** Raw loss per category, by index in CATEGORIES. */
  readonly byCategory: number[];
  readonly rules: string[];
}

/** The accounts of every scope, filled in three passes: checks, failures, suppressions. */
class Ledger {
  readonly cluster = new Account();
  readonly clusterScoped = new Account();
  readonly namespaces = new Map<string, Account>();
  readonly categories = new Map<Category, Account>(CATEGORIES.map((c) => [c, new Account()]));
  /** Rule id -> kinds of its targets; only evaluated rules are here. */
  readonly targetKinds = new Map<string, Set<string>>();
  readonly evaluatedByCategory = new Map<Category, number>();
  readonly notEvaluated: UnscoredRule[] = [];
  readonly notApplicable: UnscoredRule[] = [];
  readonly capHits: CapHit[] = [];
  total = 0;
  private readonly byId: Map<string, Rule>;

  constructor(private readonly input: ScoreInput) {
    this.byId = new Map(input.rules.map((r) => [r.id, r]));
  }

  /** The scored rule of an id (config-origin rules are not scored). */
  rule(id: string): Rule | undefined {
    const r = this.byId.get(id) ?? RULES.find((x) => x.id === id);
    return r && r.origin !== "config" ? r : undefined;
  }

  ns(namespace: string): Account {
    if (namespace === "") return this.clusterScoped;
    let a = this.namespaces.get(namespace);
    if (!a) this.namespaces.set(namespace, (a = new Account()));
    return a;
  }

  scopes(namespace: string, category: Category): Account[] {
    return [this.cluster, this.ns(namespace), this.categories.get(category)!];
  }

  /** Denominator: every object each evaluated rule judged. */
  countChecks(): void {
    const counted = new Map<readonly Meta[], TargetCounts>();
    for (const o of this.input.outcomes) {
      const rule = this.rule(o.rule);
      if (!rule) continue;
      this.total++;
      if (o.status === "not-applicable") {
        this.notApplicable.push({
          rule: rule.id,
          title: rule.title,
          category: rule.category,
          severity: rule.severity,
          status: o.status,
          reason: o.reason ?? o.status,
        });
        continue;
      }
      if (o.status !== "evaluated") {
        this.notEvaluated.push({
          rule: rule.id,
          title: rule.title,
          category: rule.category,
          severity: rule.severity,
          status: o.status,
          reason: o.reason ?? o.status,
        });
        continue;
      }
      this.evaluatedByCategory.set(rule.category, (this.evaluatedByCategory.get(rule.category) ?? 0) + 1);
      const list = ruleTargets(rule, this.input.state);
      let c = counted.get(list);
      if (!c) counted.set(list, (c = countTargets(list, this.input.include)));
      this.targetKinds.set(rule.id, c.kinds);
      const w = SEVERITY_WEIGHTS[rule.severity];
      c.accounts ??= [...c.byNamespace].map(([ns, n]) => [this.ns(ns), n] as const);
      for (const [account, n] of c.accounts) account.addChecks(n, w);
      this.cluster.addChecks(c.total, w);
      this.categories.get(rule.category)!.addChecks(c.total, w);
    }
  }

  /** Numerator: failed checks, one per (rule, object) however many findings it has; losses capped per object. */
  countLosses(): void {
    // kind -> namespace -> name -> loss: no key string is built per finding (167,000 of them
    // at 150,000 pods); an object fails a rule's check once, however many findings it has.
    const byKind = new Map<string, Map<string, Map<string, ObjectLoss>>>();
    const losses: ObjectLoss[] = [];
    // The findings come grouped by rule: look the rule up once per run of findings.
    let lastRuleId: string | undefined;
    let rule: Rule | undefined;
    let kinds: Set<string> | undefined;
    let category: Account | undefined;
    let categoryIndex = 0;
    // While each rule's findings come together (the report's order), an object that already
    // failed this rule has it last in its list: no scan of the list per finding.
    let grouped = true;
    const endedRules = new Set<string>();
    for (const f of this.input.findings) {
      if (f.rule !== lastRuleId) {
        if (lastRuleId !== undefined) endedRules.add(lastRuleId);
        if (endedRules.has(f.rule)) grouped = false;
        lastRuleId = f.rule;
        rule = this.rule(f.rule);
        kinds = rule && this.targetKinds.get(rule.id);
        category = rule && this.categories.get(rule.category);
        categoryIndex = rule ? CATEGORIES.indexOf(rule.category) : 0;
      }
      if (!rule || !kinds || !category) continue;
      const ns = this.ns(f.object.namespace);
      this.cluster.findings[f.severity]++;
      ns.findings[f.severity]++;
      category.findings[f.severity]++;
      const { kind, namespace, name } = f.object;
      let byNs = byKind.get(kind);
      if (!byNs) byKind.set(kind, (byNs = new Map()));
      let byName = byNs.get(namespace);
      if (!byName) byNs.set(namespace, (byName = new Map()));
      let l = byName.get(name);
      if (!l) {
        byName.set(name, (l = { object: f.object, raw: 0, byCategory: CATEGORIES.map(() => 0), rules: [] }));
        losses.push(l);
      } else if (grouped ? l.rules[l.rules.length - 1] === rule.id : l.rules.includes(rule.id)) continue;
      const w = SEVERITY_WEIGHTS[f.severity];
      this.cluster.failedChecks++;
      ns.failedChecks++;
      category.failedChecks++;
      // A finding on an object outside the rule's targets is still a check that was made.
      if (!kinds.has(kind)) for (const a of [this.cluster, ns, category]) a.addChecks(1, w);
      l.raw += w;
      l.byCategory[categoryIndex]! += w;
      l.rules.push(rule.id);
    }
    for (const l of losses) {
      this.cluster.addLoss(l.raw);
      this.ns(l.object.namespace).addLoss(l.raw);
      for (let c = 0; c < CATEGORIES.length; c++)
        if (l.byCategory[c]! > 0) this.categories.get(CATEGORIES[c]!)!.addLoss(l.byCategory[c]!);
      if (l.raw > OBJECT_CAP)
        this.capHits.push({ object: l.object, rawLoss: l.raw, loss: OBJECT_CAP, rules: l.rules });
    }
    this.capHits.sort(
      (a, b) => b.rawLoss - a.rawLoss || objectKey(a.object).localeCompare(objectKey(b.object)),
    );
  }

  countSuppressed(): void {
    for (const f of this.input.suppressed ?? []) {
      const rule = this.rule(f.rule);
      if (rule) for (const a of this.scopes(f.object.namespace, rule.category)) a.suppressed++;
    }
  }

  categoryReason(c: Category): string {
    if ((this.evaluatedByCategory.get(c) ?? 0) > 0) return "no object to judge";
    const skipped = this.notEvaluated.filter((r) => r.category === c);
    if (skipped.length)
      return `no rule evaluated: ${skipped.map((r) => `${r.rule} (${r.reason})`).join("; ")}`;
    const na = this.notApplicable.filter((r) => r.category === c);
    return na.length ? `not applicable: ${na[0]!.reason} (${na.length} rules)` : NO_RULES;
  }

  report(): ScoreReport {
    const skippedText = this.notEvaluated.length
      ? `; ${this.notEvaluated.length} rules not evaluated (see rules.notEvaluated)`
      : "";
    const nsNames = new Set(this.input.namespaces ?? this.input.state.namespaceNames());
    for (const ns of this.namespaces.keys()) nsNames.add(ns);
    return {
      weights: SEVERITY_WEIGHTS,
      objectCap: OBJECT_CAP,
      cluster: this.cluster.finish("cluster", `nothing evaluated${skippedText}`),
      clusterScoped: this.clusterScoped.finish("(cluster-scoped)", "no cluster-scoped object was judged"),
      categories: CATEGORIES.map((c) => this.categories.get(c)!.finish(c, this.categoryReason(c))).filter(
        (s) => s.reason !== NO_RULES,
      ),
      namespaces: [...nsNames]
        .sort()
        .map((ns) =>
          (this.namespaces.get(ns) ?? new Account()).finish(
            ns,
            `nothing evaluated: no object here that an evaluated rule judges${skippedText}`,
          ),
        ),
      rules: {
        total: this.total,
        evaluated: this.total - this.notEvaluated.length - this.notApplicable.length,
        notEvaluated: this.notEvaluated,
        notApplicable: this.notApplicable,
      },
      capHits: this.capHits,
    };
  }
}

const NO_RULES = "no rule in this category";

export function computeScore(input: ScoreInput): ScoreReport {
  const ledger = new Ledger(input);
  ledger.countChecks();
  ledger.countLosses();
  ledger.countSuppressed();
  return ledger.report();
}

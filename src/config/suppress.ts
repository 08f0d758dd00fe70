/**
 * Suppressions: findings a team has accepted, by a day2.yaml entry (rule + namespace, name,
 * kind, label selector; a reason and an expiry date required) or by the object's own
 * `day2.dev/suppress` annotation. Suppressed findings are kept, with what suppressed them,
 * never silently dropped; an expired entry suppresses nothing and becomes a finding itself.
 */
import type { ClusterState } from "../state/cluster-state.js";
import { KINDS } from "../state/kinds.js";
import { isProjectedKind } from "../state/project/index.js";
import type { Labels, Selector } from "../state/selector.js";
import { matches, parseSelectorString } from "../state/selector.js";
import type { Meta, ProjectedKind } from "../state/types.js";
import type { Finding, ObjectRef, Rule } from "../checks/index.js";
import { SUPPRESS_ANNOTATION, parseSuppressAnnotation } from "../checks/suppressions.js";
import type { Day2Config, Suppression } from "./config.js";
import { parseExpiry } from "./config.js";

/** What suppressed a finding. */
export type SuppressedBy =
  | ({ readonly source: "config"; readonly file: string; readonly entry: string } & Suppression)
  | {
      readonly source: "annotation";
      readonly object: ObjectRef;
      readonly annotation: string;
      readonly reason: string;
    };

export interface SuppressedFinding {
  readonly finding: Finding;
  readonly by: SuppressedBy;
}

export interface SuppressionResult {
  /** Findings that still count. */
  readonly findings: Finding[];
  readonly suppressed: SuppressedFinding[];
  /** One `config-suppression-expired` finding per expired entry (empty when that rule is off). */
  readonly expired: Finding[];
}

const PROJECTED = new Set<string>(KINDS.map((k) => k.kind));

/** `*` any run of characters, `?` one; everything else literal. */
export function globMatcher(pattern: string): (s: string) => boolean {
  if (!/[*?]/.test(pattern)) return (s) => s === pattern;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return (s) => re.test(s);
}

interface CompiledSuppression {
  readonly s: Suppression;
  readonly expired: boolean;
  readonly namespace?: (s: string) => boolean;
  readonly name?: (s: string) => boolean;
  readonly selector?: Selector;
  matched: number;
}

function compile(s: Suppression, now: number): CompiledSuppression {
  return {
    s,
    expired: now >= parseExpiry(s.expires),
    namespace: s.namespace === undefined ? undefined : globMatcher(s.namespace),
    name: s.name === undefined ? undefined : globMatcher(s.name),
    selector: s.selector === undefined ? undefined : parseSelectorString(s.selector),
    matched: 0,
  };
}

function lookup(state: ClusterState, o: ObjectRef): Meta | undefined {
  return PROJECTED.has(o.kind) ? state.get(o.kind as ProjectedKind, o.namespace, o.name) : undefined;
}

function entryMatches(c: CompiledSuppression, f: Finding, labels: () => Labels | undefined): boolean {
  const s = c.s;
  if (s.rule !== f.rule) return false;
  if (s.kind !== undefined && s.kind !== f.object.kind) return false;
  if (c.namespace && !c.namespace(f.object.namespace)) return false;
  if (c.name && !c.name(f.object.name)) return false;
  if (c.selector) {
    const l = labels();
    if (!l || !matches(c.selector, l)) return false;
  }
  return true;
}

/** Whether any object carries the suppression annotation (once per state). */
function anyAnnotated(state: ClusterState): boolean {
  return state.derive("suppress:any-annotated", (st) =>
    KINDS.some(
      (k) =>
        isProjectedKind(k.kind) &&
        st.list(k.kind).some((o) => o.annotations[SUPPRESS_ANNOTATION] !== undefined),
    ),
  );
}

/** The first valid annotation on the object or its owners (pod -> ReplicaSet -> Deployment) naming the rule. */
function annotationFor(state: ClusterState, obj: Meta | undefined, rule: string): SuppressedBy | undefined {
  if (!obj) return undefined;
  for (const o of [obj, ...state.ownerChain(obj)]) {
    const value = o.annotations[SUPPRESS_ANNOTATION];
    if (value === undefined) continue;
    const parsed = parseSuppressAnnotation(value);
    // An annotation without a reason suppresses nothing (config-suppress-annotation-invalid says so).
    if (parsed.ok && parsed.rules.includes(rule)) {
      return {
        source: "annotation",
        object: { kind: o.kind, namespace: o.namespace, name: o.name },
        annotation: value,
        reason: parsed.reason,
      };
    }
  }
  return undefined;
}

function describeScope(s: Suppression): string {
  const parts = [
    s.kind && `kind ${s.kind}`,
    s.namespace && `namespace ${s.namespace}`,
    s.name && `name ${s.name}`,
    s.selector && `selector ${s.selector}`,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/**
 * Splits findings into those that count and those suppressed. `now` decides expiry (the
 * wall clock, not the snapshot's collection time: a suppression ends on a calendar date).
 * `expiredRule` is the (possibly re-graded) config-suppression-expired rule, if enabled.
 */
export function applySuppressions(
  findings: readonly Finding[],
  state: ClusterState,
  config: Day2Config | undefined,
  opts: { now: number; expiredRule?: Rule },
): SuppressionResult {
  const entries = (config?.suppressions ?? []).map((s) => compile(s, opts.now));
  // Nothing to match and no object annotated: every finding counts (no lookup per finding,
  // which at 167,000 findings is most of this function's time).
  if (entries.length === 0 && !anyAnnotated(state))
    return { findings: [...findings], suppressed: [], expired: [] };
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    let obj: Meta | undefined | null = null;
    const object = (): Meta | undefined => (obj === null ? (obj = lookup(state, f.object)) : obj);
    let by: SuppressedBy | undefined;
    for (const c of entries) {
      if (!entryMatches(c, f, () => object()?.labels)) continue;
      c.matched++;
      if (c.expired) continue;
      by = { source: "config", file: config!.file, entry: `suppressions[${c.s.index}]`, ...c.s };
      break;
    }
    by ??= annotationFor(state, object(), f.rule);
    if (by) suppressed.push({ finding: f, by });
    else kept.push(f);
  }
  const expired: Finding[] = [];
  const rule = opts.expiredRule;
  if (rule && config) {
    for (const c of entries.filter((e) => e.expired)) {
      const s = c.s;
      expired.push({
        object: { kind: "Day2Config", namespace: "", name: `${config.file}#suppressions[${s.index}]` },
        message: `suppression of ${s.rule}${describeScope(s)} expired on ${s.expires}; it no longer hides its ${c.matched} finding${c.matched === 1 ? "" : "s"} (reason was: ${s.reason})`,
        evidence: {
          file: config.file,
          entry: `suppressions[${s.index}]`,
          suppressedRule: s.rule,
          expires: s.expires,
          reason: s.reason,
          findings: c.matched,
        },
        rule: rule.id,
        severity: rule.severity,
        category: rule.category,
        title: rule.title,
        runbook: rule.runbook,
      });
    }
  }
  return { findings: kept, suppressed, expired };
}

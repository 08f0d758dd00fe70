/** The score's arithmetic, on hand-made rules whose findings are known exactly. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { KubeObject } from "../state/raw.js";
import type { Pod } from "../state/types.js";
import { defineRule, ref, runRules } from "../checks/index.js";
import type { Category, Finding, FindingDraft, Rule, Severity } from "../checks/index.js";
import { OBJECT_CAP, SEVERITY_WEIGHTS, computeScore, gradeOf } from "./score.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");

function pod(namespace: string, name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: "c", image: "registry.example.com/app:1.0.0" }] },
    status: { phase: "Running" },
  };
}

function ns(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

function stateOf(objects: KubeObject[], coverage: [string, "not-permitted"][] = []): ClusterState {
  const b = new ClusterStateBuilder({ source: "snapshot", sourceDetail: "test", collectedAt: NOW }); // a cluster with status: "manifests" would make runtime rules not-applicable
  for (const o of objects) b.add(structuredClone(o));
  for (const [kind, status] of coverage) b.setCoverage(kind, status, `list ${kind}: forbidden`);
  return b.build({ complete: true });
}

/** A pod rule that fails on the pods whose name is listed. */
function podRule(id: string, severity: Severity, failing: string[], category: Category = "health"): Rule {
  return defineRule({
    id,
    title: id,
    severity,
    category,
    rationale: "test",
    fix: "test",
    kinds: ["Pod"],
    evaluate(state): FindingDraft[] {
      const out: FindingDraft[] = [];
      for (const p of state.list("Pod"))
        if (failing.includes(p.name)) out.push({ object: ref(p), message: "bad", evidence: { n: 1 } });
      return out;
    },
  });
}

function score(
  state: ClusterState,
  rules: Rule[],
  opts: { suppress?: (f: Finding) => boolean; include?: (p: Pod) => boolean } = {},
) {
  const run = runRules(state, rules, { now: NOW });
  const suppressed = run.findings.filter((f) => opts.suppress?.(f) === true);
  return computeScore({
    state,
    rules,
    outcomes: run.outcomes,
    findings: run.findings.filter((f) => !suppressed.includes(f)),
    suppressed,
    include: opts.include as never,
  });
}

test("weights: one table, critical 10 high 5 medium 2 low 1 info 0; grades A >= 90 ... F", () => {
  assert.deepEqual(SEVERITY_WEIGHTS, { critical: 10, high: 5, medium: 2, low: 1, info: 0 });
  assert.deepEqual([90, 89.9, 80, 79.9, 70, 60, 59.9, 0].map(gradeOf), [
    "A",
    "B",
    "B",
    "C",
    "C",
    "D",
    "F",
    "F",
  ]);
});

test("severity-weighted: possible is the weights of every evaluated check, loss the weights of failed ones", () => {
  const state = stateOf([ns("a"), pod("a", "p1"), pod("a", "p2"), pod("a", "p3"), pod("a", "p4")]);
  const sc = score(state, [podRule("r-high", "high", ["p1"]), podRule("r-medium", "medium", ["p2", "p3"])]);
  // possible = 4 pods x (5 + 2) = 28; loss = 5 + 2 + 2 = 9
  assert.equal(sc.cluster.checks, 8);
  assert.equal(sc.cluster.possible, 28);
  assert.equal(sc.cluster.loss, 9);
  assert.equal(sc.cluster.failedChecks, 3);
  assert.equal(sc.cluster.score, 67.9);
  assert.equal(sc.cluster.grade, "D");
  assert.deepEqual(sc.cluster.findings, { critical: 0, high: 1, medium: 2, low: 0, info: 0 });
  assert.equal(sc.namespaces.find((n) => n.name === "a")?.score, 67.9);
});

test("per-object cap: one terrible object loses at most OBJECT_CAP, and the cap hit is recorded", () => {
  const state = stateOf([ns("a"), pod("a", "bad"), pod("a", "ok1"), pod("a", "ok2")]);
  const rules = [
    podRule("r-crit", "critical", ["bad"]),
    podRule("r-high", "high", ["bad"]),
    podRule("r-med", "medium", ["bad"]),
  ];
  const sc = score(state, rules);
  // possible = 3 x 17 = 51; raw loss 17 capped to 10
  assert.equal(OBJECT_CAP, 10);
  assert.equal(sc.cluster.possible, 51);
  assert.equal(sc.cluster.loss, 10);
  assert.equal(sc.cluster.capped, 7);
  assert.equal(sc.cluster.capHits, 1);
  assert.equal(sc.cluster.score, 80.4);
  assert.deepEqual(
    sc.capHits.map((h) => [h.object.name, h.rawLoss, h.loss, h.rules.length]),
    [["bad", 17, 10, 3]],
  );
  // Several findings of one rule on one object are one failed check.
  const twice = defineRule({
    ...podRule("r-twice", "high", []),
    evaluate(s): FindingDraft[] {
      const out: FindingDraft[] = [];
      for (const p of s.list("Pod"))
        if (p.name === "ok1")
          for (let i = 0; i < 3; i++)
            out.push({ object: ref(p), container: `c${i}`, message: "bad", evidence: { i } });
      return out;
    },
  });
  const t = score(state, [twice]);
  assert.equal(t.cluster.failedChecks, 1);
  assert.equal(t.cluster.loss, 5);
  assert.equal(t.cluster.findings.high, 3);
});

test("checks are counted per namespace whatever order the objects come in", () => {
  const grouped = stateOf([ns("a"), ns("b"), pod("a", "p1"), pod("a", "p2"), pod("b", "p3")]);
  const mixed = stateOf([ns("a"), ns("b"), pod("a", "p1"), pod("b", "p3"), pod("a", "p2")]);
  const rules = [podRule("r", "high", ["p2"])];
  for (const state of [grouped, mixed]) {
    const sc = score(state, rules);
    const checks = Object.fromEntries(sc.namespaces.map((n) => [n.name, n.checks]));
    assert.deepEqual(checks, { a: 2, b: 1 });
    assert.equal(sc.cluster.checks, 3);
  }
});

test("findings in any order score the same: several findings of a rule on one object stay one failed check", () => {
  const state = stateOf([ns("a"), pod("a", "bad"), pod("a", "ok")]);
  const perContainer = (id: string, severity: Severity): Rule =>
    defineRule({
      ...podRule(id, severity, []),
      evaluate(s): FindingDraft[] {
        return s
          .list("Pod")
          .filter((p) => p.name === "bad")
          .flatMap((p) =>
            [0, 1].map((i) => ({ object: ref(p), container: `c${i}`, message: id, evidence: { i } })),
          );
      },
    });
  const rules = [perContainer("r-a", "high"), perContainer("r-b", "medium")];
  const run = runRules(state, rules, { now: NOW });
  const input = { state, rules, outcomes: run.outcomes, suppressed: [] };
  const grouped = computeScore({ ...input, findings: run.findings });
  // r-a, r-b, r-a, r-b: each rule's findings apart, so "the last rule seen" cannot tell a repeat.
  const [a1, a2, b1, b2] = run.findings;
  const interleaved = computeScore({ ...input, findings: [a1!, b1!, a2!, b2!] });
  assert.equal(grouped.cluster.failedChecks, 2);
  assert.deepEqual(interleaved.cluster, grouped.cluster);
  assert.deepEqual(interleaved.capHits, grouped.capHits);
});

test("a rule that was not evaluated adds nothing to the denominator and is listed with its reason", () => {
  const objects = [ns("a"), pod("a", "p1"), pod("a", "p2")];
  const nodeRule = defineRule({
    id: "r-node",
    title: "node",
    severity: "critical",
    category: "health",
    rationale: "t",
    fix: "t",
    kinds: ["Node"],
    evaluate: () => [],
  });
  const with403 = score(stateOf(objects, [["Node", "not-permitted"]]), [
    podRule("r-pod", "high", ["p1"]),
    nodeRule,
  ]);
  assert.equal(with403.cluster.possible, 10);
  assert.equal(with403.cluster.score, 50);
  assert.deepEqual(
    with403.rules.notEvaluated.map((u) => [u.rule, u.status, u.reason]),
    [["r-node", "not-evaluated", "Node: not-permitted (missing list nodes: list Node: forbidden)"]],
  );
  assert.equal(with403.rules.evaluated, 1);
  assert.equal(with403.rules.total, 2);
  // The health category still has an evaluated rule: it is scored on what ran.
  assert.equal(with403.categories.find((c) => c.name === "health")?.score, 50);
  // Alone, the unevaluated rule leaves its category (and the cluster) without a score, never 100.
  const only = score(stateOf(objects, [["Node", "not-permitted"]]), [nodeRule]);
  assert.equal(only.cluster.score, null);
  assert.equal(only.cluster.status, "not-evaluated");
  const health = only.categories.find((c) => c.name === "health")!;
  assert.equal(health.score, null);
  assert.match(health.reason!, /no rule evaluated: r-node \(Node: not-permitted/);
});

test("an empty namespace is not evaluated, not 100; an unreadable kind empties a namespace the same way", () => {
  const state = stateOf([ns("full"), ns("empty"), pod("full", "p1")]);
  const sc = score(state, [podRule("r", "high", [])]);
  const empty = sc.namespaces.find((n) => n.name === "empty")!;
  assert.equal(empty.status, "not-evaluated");
  assert.equal(empty.score, null);
  assert.equal(empty.grade, null);
  assert.match(empty.reason!, /nothing evaluated/);
  assert.equal(sc.namespaces.find((n) => n.name === "full")?.score, 100);
  const forbidden = score(stateOf([ns("full"), pod("full", "p1")], [["Pod", "not-permitted"]]), [
    podRule("r", "high", []),
  ]);
  assert.equal(forbidden.namespaces.find((n) => n.name === "full")?.score, null);
  assert.match(forbidden.namespaces.find((n) => n.name === "full")!.reason!, /1 rules not evaluated/);
});

test("per category: each category is scored on its own rules, with its own cap", () => {
  const state = stateOf([ns("a"), pod("a", "p1"), pod("a", "p2")]);
  const sc = score(state, [
    podRule("h", "high", []),
    podRule("s1", "critical", ["p1"], "security"),
    podRule("s2", "high", ["p1"], "security"),
  ]);
  const cat = Object.fromEntries(sc.categories.map((c) => [c.name, c]));
  assert.equal(cat.health?.score, 100);
  assert.equal(cat.security?.possible, 30);
  assert.equal(cat.security?.loss, 10);
  assert.equal(cat.security?.capHits, 1);
  assert.equal(cat.security?.score, 66.7);
  assert.equal(cat.efficiency, undefined, "a category with no rule at all is left out");
});

test("info findings cost nothing; a scope with only info checks has no score", () => {
  const state = stateOf([ns("a"), pod("a", "p1")]);
  const sc = score(state, [podRule("i", "info", ["p1"])]);
  assert.equal(sc.cluster.score, null);
  assert.match(sc.cluster.reason!, /only info-level/);
  assert.equal(sc.cluster.findings.info, 1);
});

test("suppressed findings are counted, not lost; config-origin rules are not scored", () => {
  const state = stateOf([ns("a"), pod("a", "p1"), pod("a", "p2")]);
  const meta = defineRule({
    id: "m",
    title: "m",
    severity: "critical",
    category: "configuration",
    rationale: "t",
    fix: "t",
    kinds: ["Namespace"],
    origin: "config",
    evaluate: () => [],
  });
  const sc = score(state, [podRule("r", "high", ["p1"]), meta], { suppress: (f) => f.object.name === "p1" });
  assert.equal(sc.cluster.score, 100);
  assert.equal(sc.cluster.suppressed, 1);
  assert.equal(sc.namespaces.find((n) => n.name === "a")?.suppressed, 1);
  assert.equal(sc.rules.total, 1);
  assert.equal(
    sc.categories.find((c) => c.name === "configuration"),
    undefined,
  );
});

test("a finding on an object outside the rule's targets still counts as a check", () => {
  const state = stateOf([
    ns("a"),
    pod("a", "p1"),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s", namespace: "a" },
      spec: { selector: { app: "x" } },
    },
  ]);
  const odd = defineRule({
    ...podRule("odd", "high", []),
    evaluate(s): FindingDraft[] {
      const out: FindingDraft[] = [];
      for (const svc of s.list("Service")) out.push({ object: ref(svc), message: "bad", evidence: { n: 1 } });
      return out;
    },
  });
  const sc = score(state, [odd]);
  assert.equal(sc.cluster.checks, 2);
  assert.equal(sc.cluster.possible, 10);
  assert.equal(sc.cluster.score, 50);
});

test("include narrows the denominator like -n/-l narrow the findings", () => {
  const state = stateOf([ns("a"), ns("b"), pod("a", "p1", { app: "web" }), pod("a", "p2"), pod("b", "p3")]);
  const run = runRules(state, [podRule("r", "high", ["p1"])], { now: NOW });
  const sc = computeScore({
    state,
    rules: [podRule("r", "high", ["p1"])],
    outcomes: run.outcomes,
    findings: run.findings,
    include: (o) => o.labels.app === "web",
  });
  assert.equal(sc.cluster.checks, 1);
  assert.equal(sc.cluster.score, 0);
});

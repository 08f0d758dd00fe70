/**
 * Keeps the rule registry honest (Polaris's trap: a check missing from the ordered list is
 * silently never loaded): every rule any src/checks/ module exports is in RULES exactly once,
 * with complete metadata and a runbook; and the runner turns missing coverage and throwing
 * rules into outcomes with reasons instead of silent passes or crashes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ClusterStateBuilder } from "../state/builder.js";
import { KINDS } from "../state/kinds.js";
import { CATEGORIES, RULES, SEVERITIES, defineRule, runRules } from "./index.js";
import type { FindingDraft, Rule } from "./index.js";

const CHECKS_DIR = fileURLToPath(new URL("./", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const COLLECTED_AT = Date.parse("2026-11-20T12:00:00Z");

function isRule(v: unknown): v is Rule {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as Rule).id === "string" &&
    typeof (v as Rule).evaluate === "function"
  );
}

/** Every rule object exported (directly, not inside arrays) by any non-test module under src/checks/. */
async function exportedRules(): Promise<Map<Rule, string[]>> {
  const found = new Map<Rule, string[]>();
  const files = readdirSync(CHECKS_DIR).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"),
  );
  for (const file of files.sort()) {
    const mod = (await import(pathToFileURL(join(CHECKS_DIR, file)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (isRule(value)) found.set(value, [...(found.get(value) ?? []), `${file}#${name}`]);
    }
  }
  return found;
}

// "snapshot": these states model clusters; on "manifests" the runtime rules are not-applicable.
function emptyBuilder(): ClusterStateBuilder {
  return new ClusterStateBuilder({ source: "snapshot", sourceDetail: "test", collectedAt: COLLECTED_AT });
}

test("every rule exported under src/checks/ is in RULES exactly once", async () => {
  const exported = await exportedRules();
  assert.ok(exported.size > 0, "no rule modules found");
  const missing = [...exported]
    .filter(([r]) => !RULES.includes(r))
    .map(([r, where]) => `${r.id} (${where.join(", ")})`);
  assert.deepEqual(missing, [], "rules exported but missing from RULES in src/checks/index.ts");
  const counts = new Map<Rule, number>();
  for (const r of RULES) counts.set(r, (counts.get(r) ?? 0) + 1);
  const dupes = [...counts].filter(([, n]) => n > 1).map(([r]) => r.id);
  assert.deepEqual(dupes, [], "rules listed more than once in RULES");
  // The reverse direction: RULES holds nothing that no module exports by name.
  const unexported = RULES.filter((r) => !exported.has(r)).map((r) => r.id);
  assert.deepEqual(unexported, [], "rules in RULES that no src/checks/ module exports");
});

test("rule ids are unique and kebab-case", () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(
    new Set(ids).size,
    ids.length,
    `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(", ")}`,
  );
  for (const id of ids) assert.match(id, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `id "${id}" is not kebab-case`);
});

test("every rule has complete metadata and is frozen", () => {
  const kinds = new Set(KINDS.map((k) => k.kind));
  for (const r of RULES) {
    for (const field of ["title", "rationale", "fix"] as const) {
      assert.ok(typeof r[field] === "string" && r[field].trim().length > 0, `${r.id}: empty ${field}`);
    }
    assert.ok(SEVERITIES.includes(r.severity), `${r.id}: invalid severity "${r.severity}"`);
    assert.ok(CATEGORIES.includes(r.category), `${r.id}: invalid category "${r.category}"`);
    assert.ok(r.kinds.length > 0, `${r.id}: reads no kinds`);
    for (const k of r.kinds) assert.ok(kinds.has(k), `${r.id}: kind "${k}" is not in the kind catalogue`);
    assert.equal(new Set(r.kinds).size, r.kinds.length, `${r.id}: a kind is listed twice`);
    for (const k of r.requires ?? [])
      assert.ok(r.kinds.includes(k), `${r.id}: requires "${k}" but does not list it in kinds`);
    assert.ok(Object.isFrozen(r), `${r.id}: not frozen (use defineRule)`);
  }
});

test("every rule's runbook exists, and runbooks/README.md indexes exactly the rules' runbooks", () => {
  for (const r of RULES) {
    assert.ok(
      !r.runbook.startsWith("/") && !r.runbook.split("/").includes(".."),
      `${r.id}: runbook "${r.runbook}" is not repo-relative`,
    );
    assert.ok(existsSync(join(REPO, r.runbook)), `${r.id}: runbook ${r.runbook} does not exist`);
    assert.match(readFileSync(join(REPO, r.runbook), "utf8"), /^# /, `${r.id}: runbook has no title`);
  }
  const index = readFileSync(join(REPO, "runbooks/README.md"), "utf8");
  const linked = new Set([...index.matchAll(/\]\(\.?\/?([a-z0-9-]+\.md)\)/g)].map((m) => `runbooks/${m[1]}`));
  const expected = new Set(RULES.map((r) => r.runbook));
  assert.deepEqual(
    [...expected].filter((p) => !linked.has(p)),
    [],
    "runbooks not linked from runbooks/README.md",
  );
  const onDisk = readdirSync(join(REPO, "runbooks"))
    .filter((f) => f.endsWith(".md") && f !== "README.md")
    .map((f) => `runbooks/${f}`);
  assert.deepEqual(
    onDisk.filter((p) => !expected.has(p)),
    [],
    "runbooks that belong to no rule",
  );
});

test("a rule whose kind is not permitted is not evaluated, with the reason", () => {
  const builder = emptyBuilder();
  builder.setCoverage("Pod", "not-permitted", 'list pods: forbidden for user "viewer"');
  const state = builder.build({ complete: true });
  const podRule = RULES.find((r) => r.id === "pod-crash-loop")!;
  const nodeRule = RULES.find((r) => r.id === "node-not-ready")!;
  const run = runRules(state, [podRule, nodeRule], { now: COLLECTED_AT });
  assert.deepEqual(run.findings, []);
  const [pod, node] = run.outcomes;
  assert.equal(pod?.status, "not-evaluated");
  assert.equal(pod.findings, 0);
  assert.equal(pod.reason, 'Pod: not-permitted (list pods: forbidden for user "viewer")');
  assert.equal(node?.status, "evaluated", "rules that do not read the missing kind still run");
});

test("a required kind missing from manifests makes the rule not evaluated; an optional one does not", () => {
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "shop" },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  };
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-1", namespace: "shop", labels: { app: "web" } },
    spec: { containers: [{ name: "web", image: "registry.example.com/shop/web:5.0.0" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  };
  const rule = RULES.find((r) => r.id === "service-no-endpoints")!;
  assert.ok(rule.requires?.includes("Pod"), "service-no-endpoints must require Pods");

  // Without Pods, "no pod matches" would be a false finding: not evaluated, with the reason.
  const noPods = emptyBuilder();
  noPods.add(structuredClone(service));
  const [skipped] = runRules(
    noPods.build({ complete: false, missingReason: "not in the manifests" }),
    [rule],
    {
      now: COLLECTED_AT,
    },
  ).outcomes;
  assert.equal(skipped?.status, "not-evaluated");
  assert.equal(skipped.reason, "Pod: not-collected (not in the manifests)");

  // EndpointSlices are optional: without them the rule falls back to the pods' readiness.
  const withPods = emptyBuilder();
  withPods.add(structuredClone(service));
  withPods.add(structuredClone(pod));
  const run = runRules(withPods.build({ complete: false, missingReason: "not in the manifests" }), [rule], {
    now: COLLECTED_AT,
  });
  assert.equal(run.outcomes[0]?.status, "evaluated");
  assert.deepEqual(run.findings, []);
});

test("a rule that throws becomes an error outcome and the run goes on", () => {
  const broken = defineRule({
    id: "test-broken",
    title: "Broken rule",
    severity: "low",
    category: "configuration",
    rationale: "Exists to throw.",
    fix: "None.",
    kinds: ["Node"],
    evaluate(state): FindingDraft[] {
      const out: FindingDraft[] = [];
      for (const node of state.list("Node")) {
        out.push({
          object: { kind: "Node", namespace: "", name: node.name },
          message: "partial",
          evidence: { n: 1 },
        });
      }
      if (out.length > 0) throw new Error("boom: unexpected field");
      return out;
    },
  });
  const builder = emptyBuilder();
  builder.add({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "worker-1" },
    status: { conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady" }] },
  });
  const state = builder.build({ complete: true });
  const nodeRule = RULES.find((r) => r.id === "node-not-ready")!;
  let run: ReturnType<typeof runRules> | undefined;
  assert.doesNotThrow(() => {
    run = runRules(state, [broken, nodeRule], { now: COLLECTED_AT });
  });
  const [bad, good] = run!.outcomes;
  assert.equal(bad?.status, "error");
  assert.equal(bad.reason, "boom: unexpected field");
  assert.equal(bad.findings, 0);
  // Findings a rule yielded before it threw are dropped: an error outcome has no findings.
  assert.deepEqual(
    run!.findings.filter((f) => f.rule === "test-broken"),
    [],
  );
  assert.equal(good?.status, "evaluated");
  assert.equal(good.findings, 1);
  assert.deepEqual(
    run!.findings.map((f) => `${f.rule} ${f.object.name}`),
    ["node-not-ready worker-1"],
  );
});

test("outcome counts agree with the findings returned", () => {
  const state = emptyBuilder().build({ complete: true });
  const run = runRules(state, RULES, { now: COLLECTED_AT });
  assert.equal(run.outcomes.length, RULES.length);
  assert.deepEqual(
    run.outcomes.map((o) => o.rule),
    RULES.map((r) => r.id),
    "one outcome per rule, in registry order",
  );
  for (const o of run.outcomes) {
    assert.equal(o.status, "evaluated", `${o.rule}: ${o.status} ${o.reason ?? ""}`);
    assert.equal(o.findings, 0, `${o.rule} finds something in an empty cluster`);
  }
});

/** Suppression matching (config entries and annotations), expiry, and the expired-entry finding. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterStateBuilder } from "../state/builder.js";
import type { KubeObject } from "../state/raw.js";
import { RULES, ruleById } from "../checks/index.js";
import type { Finding } from "../checks/index.js";
import { parseSuppressAnnotation } from "../checks/suppressions.js";
import { parseConfig } from "./config.js";
import { applySuppressions, globMatcher } from "./suppress.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");

function deployment(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name,
      namespace,
      uid: `${namespace}-${name}`,
      labels,
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "x:1" }] } },
    },
  };
}

const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: NOW });
b.add(deployment("monitoring", "node-exporter", { app: "node-exporter" }));
b.add(deployment("shop", "web", { app: "web", tier: "front" }));
b.add(
  deployment(
    "shop",
    "api",
    { app: "api" },
    { "day2.dev/suppress": "container-run-as-root, image-latest-tag: vendor image, tracked in OPS-1" },
  ),
);
b.add(deployment("shop", "bare", { app: "bare" }, { "day2.dev/suppress": "container-run-as-root" }));
b.add({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: {
    name: "api-1",
    namespace: "shop",
    uid: "rs-api",
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "Deployment", name: "api", uid: "shop-api", controller: true },
    ],
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: "api" } },
    template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "c", image: "x:1" }] } },
  },
});
b.add({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "api-1-x",
    namespace: "shop",
    labels: { app: "api" },
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "ReplicaSet", name: "api-1", uid: "rs-api", controller: true },
    ],
  },
  spec: { containers: [{ name: "c", image: "x:1" }] },
  status: { phase: "Running" },
});
const state = b.build({ complete: true });

function finding(rule: string, kind: string, namespace: string, name: string): Finding {
  const r = ruleById(rule)!;
  return {
    object: { kind, namespace, name },
    message: "m",
    evidence: { n: 1 },
    rule,
    severity: r.severity,
    category: r.category,
    title: r.title,
    runbook: r.runbook,
  };
}

const ROOT = finding("container-run-as-root", "Deployment", "monitoring", "node-exporter");
const WEB = finding("container-run-as-root", "Deployment", "shop", "web");
const API = finding("container-run-as-root", "Deployment", "shop", "api");
const API_POD = finding("pod-crash-loop", "Pod", "shop", "api-1-x");
const API_POD_ROOT = finding("container-run-as-root", "Pod", "shop", "api-1-x");
const BARE = finding("container-run-as-root", "Deployment", "shop", "bare");
const ALL = [ROOT, WEB, API, API_POD, API_POD_ROOT, BARE];
const expiredRule = ruleById("config-suppression-expired")!;

function run(yaml: string, now = NOW) {
  return applySuppressions(ALL, state, parseConfig(yaml, "day2.yaml"), { now, expiredRule });
}

const names = (fs: readonly Finding[]): string[] =>
  fs.map((f) => `${f.rule} ${f.object.kind}/${f.object.name}`);

test("rule + namespace suppresses only that rule in that namespace, and says by what", () => {
  const r = run(
    "suppressions:\n  - { rule: container-run-as-root, namespace: monitoring, reason: node agent, expires: 2099-01-01 }",
  );
  assert.deepEqual(names(r.suppressed.map((s) => s.finding)), [
    "container-run-as-root Deployment/node-exporter",
    "container-run-as-root Deployment/api",
    "container-run-as-root Pod/api-1-x",
  ]);
  const first = r.suppressed[0]!.by;
  assert.equal(first.source, "config");
  assert.ok(
    first.source === "config" &&
      first.entry === "suppressions[0]" &&
      first.reason === "node agent" &&
      first.expires === "2099-01-01",
  );
  // The other two are the api Deployment's own annotation (and its pod's owner chain).
  assert.equal(r.suppressed[1]!.by.source, "annotation");
  assert.equal(r.findings.length + r.suppressed.length, ALL.length, "nothing is dropped");
  assert.deepEqual(r.expired, []);
});

test("name globs, kind and label selectors narrow an entry", () => {
  const byName = run(
    "suppressions:\n  - { rule: container-run-as-root, name: 'node-*', reason: r, expires: 2099-01-01 }",
  );
  assert.ok(
    names(byName.suppressed.map((s) => s.finding)).includes("container-run-as-root Deployment/node-exporter"),
  );
  assert.ok(!names(byName.suppressed.map((s) => s.finding)).includes("container-run-as-root Deployment/web"));
  const bySelector = run(
    "suppressions:\n  - { rule: container-run-as-root, selector: 'tier=front', reason: r, expires: 2099-01-01 }",
  );
  assert.deepEqual(
    names(bySelector.suppressed.filter((s) => s.by.source === "config").map((s) => s.finding)),
    ["container-run-as-root Deployment/web"],
  );
  const byKind = run(
    "suppressions:\n  - { rule: container-run-as-root, kind: Pod, reason: r, expires: 2099-01-01 }",
  );
  assert.deepEqual(names(byKind.suppressed.filter((s) => s.by.source === "config").map((s) => s.finding)), [
    "container-run-as-root Pod/api-1-x",
  ]);
  assert.equal(globMatcher("a?c*")("abcdef"), true);
  assert.equal(globMatcher("a.c")("abc"), false, "dots are literal");
});

test("annotation: on the object or an owner, only for the rules it names; without a reason it suppresses nothing", () => {
  const r = applySuppressions(ALL, state, undefined, { now: NOW });
  const by = Object.fromEntries(
    r.suppressed.map((s) => [`${s.finding.rule} ${s.finding.object.name}`, s.by]),
  );
  assert.deepEqual(Object.keys(by).sort(), ["container-run-as-root api", "container-run-as-root api-1-x"]);
  const viaOwner = by["container-run-as-root api-1-x"]!;
  assert.ok(
    viaOwner.source === "annotation" &&
      viaOwner.object.name === "api" &&
      viaOwner.reason === "vendor image, tracked in OPS-1",
  );
  assert.ok(
    names(r.findings).includes("pod-crash-loop Pod/api-1-x"),
    "a rule the annotation does not name is not suppressed",
  );
  assert.ok(names(r.findings).includes("container-run-as-root Deployment/bare"), "no reason: not suppressed");
  assert.deepEqual(parseSuppressAnnotation("a-b,c: why"), { ok: true, rules: ["a-b", "c"], reason: "why" });
  assert.deepEqual(parseSuppressAnnotation("a-b"), {
    ok: false,
    error: 'no reason given (write "a-b: why this is accepted")',
  });
  assert.equal(parseSuppressAnnotation(": why").ok, false);
  assert.equal(parseSuppressAnnotation("Not A Rule: why").ok, false);
});

test("an expired entry no longer suppresses and becomes a low finding about the entry", () => {
  const yaml =
    "suppressions:\n  - { rule: container-run-as-root, namespace: monitoring, reason: node agent, expires: 2026-11-01 }";
  const r = run(yaml);
  assert.ok(names(r.findings).includes("container-run-as-root Deployment/node-exporter"));
  assert.equal(r.expired.length, 1);
  const e = r.expired[0]!;
  assert.equal(e.rule, "config-suppression-expired");
  assert.equal(e.severity, "low");
  assert.deepEqual(e.object, { kind: "Day2Config", namespace: "", name: "day2.yaml#suppressions[0]" });
  assert.equal(e.evidence.findings, 1);
  assert.equal(e.evidence.expires, "2026-11-01");
  assert.match(
    e.message,
    /expired on 2026-11-01; it no longer hides its 1 finding \(reason was: node agent\)/,
  );
  // The day before it expires it still suppresses.
  assert.deepEqual(run(yaml, Date.UTC(2026, 9, 31, 23)).expired, []);
  // With the meta-rule turned off the entry still stops suppressing, silently.
  const off = applySuppressions(ALL, state, parseConfig(yaml, "day2.yaml"), { now: NOW });
  assert.deepEqual(off.expired, []);
  assert.ok(names(off.findings).includes("container-run-as-root Deployment/node-exporter"));
  assert.ok(RULES.includes(expiredRule), "the meta-rule is registered (docs, runbook)");
});

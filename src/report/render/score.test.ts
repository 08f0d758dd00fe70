/** `--explain` and the score sections: where every point went, in words a reviewer can check. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ClusterStateBuilder } from "../../state/builder.js";
import type { KubeObject } from "../../state/raw.js";
import { RULES } from "../../checks/index.js";
import { parseConfig } from "../../config/config.js";
import { buildScan } from "../scan.js";
import { renderReport, PLAIN } from "./index.js";
import { renderExplain } from "./score.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");

function pod(namespace: string, name: string, waiting?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      containers: [{ name: "c", image: "registry.example.com/app:1.0.0" }],
      securityContext: { runAsNonRoot: true },
    },
    status: {
      phase: "Running",
      containerStatuses: [
        {
          name: "c",
          ready: !waiting,
          restartCount: waiting ? 30 : 0,
          state: waiting ? { waiting: { reason: waiting } } : { running: {} },
          lastState: waiting ? { terminated: { exitCode: 1, reason: "Error" } } : {},
        },
      ],
    },
  };
}

const b = new ClusterStateBuilder({ source: "snapshot", sourceDetail: "test", collectedAt: NOW }); // a cluster with status: "manifests" would make runtime rules not-applicable
for (const o of [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "empty" } },
  pod("shop", "crashy", "CrashLoopBackOff"),
  pod("shop", "fine"),
])
  b.add(o);
b.setCoverage("Node", "not-permitted", 'list nodes: forbidden for user "viewer"');
const state = b.build({ complete: true });
const config = parseConfig(
  `suppressions:
  - { rule: container-probes-missing, namespace: shop, reason: "batch-like pods, no port to probe", expires: 2099-01-01 }
  - { rule: pod-crash-loop, name: fine, reason: old exception, expires: 2020-01-01 }
`,
  "day2.yaml",
);
const report = buildScan(state, { rules: RULES, config, today: NOW });

test("--explain: formula, weights, every scope's account, not-evaluated scopes and rules with reasons, suppressions", () => {
  const text = renderExplain(report, PLAIN);
  assert.match(text, /^\nEXPLAIN\n {2}score = 100 x \(1 - loss \/ possible\)/);
  assert.match(text, /weights: critical 10, high 5, medium 2, low 1, info 0; at most 10 per object/);
  const shop = report.score!.namespaces.find((n) => n.name === "shop")!;
  assert.ok(shop.failedChecks >= 1 && shop.findings.critical === 1, JSON.stringify(shop));
  assert.match(
    text,
    new RegExp(
      `\\n  shop +${shop.score!.toFixed(1)} +${shop.grade} +${shop.checks} +${shop.possible} +${shop.failedChecks} +1 `,
    ),
  );
  assert.match(text, /NOT EVALUATED \(no score, never 100\)\n {2}SCOPE +WHY\n {2}empty +nothing evaluated/);
  assert.match(
    text,
    /RULES NOT EVALUATED.*\n.*\n {2}node-not-ready +health +critical +not-evaluated +Node: not-permitted \(list nodes: forbidden for user "viewer"\)/,
  );
  assert.match(
    text,
    /SUPPRESSED \d+\n {2}RULE .*\n {2}container-probes-missing +shop +Pod\/\S+ +day2\.yaml suppressions\[0\] +batch-like pods, no port to probe +2099-01-01/,
  );
});

test("the table shows the score, the expired suppression as a finding, and the cluster score in json", () => {
  const table = renderReport(report, "table", PLAIN);
  assert.match(table, /^day2 scan · /);
  assert.match(table, /\nSCORE {2}\d+\.\d \([A-F]\) · \d+\/\d+ rules evaluated/);
  assert.match(
    table,
    /config-suppression-expired +- +Day2Config\/day2\.yaml#suppressions\[1\] +suppression of pod-crash-loop \(name fine\) expired on 2020-01-01/,
  );
  assert.match(table, /Suppressed: \d+ findings?/);
  const json = JSON.parse(renderReport(report, "json", PLAIN)) as typeof report;
  assert.equal(json.kind, "Report");
  assert.equal(typeof json.score?.cluster.score, "number");
  assert.ok(json.suppressed!.length > 0 && json.suppressed!.every((s) => s.by.reason.length > 0));
  assert.match(renderReport(report, "markdown", PLAIN), /\n## Score\n\n\*\*\d+\.\d \([A-F]\)\*\*/);
  assert.match(renderReport(report, "html", PLAIN), /<h2>Score: \d+\.\d \([A-F]\)<\/h2>/);
});

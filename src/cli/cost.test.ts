/**
 * `day2 cost` on the demo cluster, as a user runs it: a separate process per run, every
 * subcommand and output format, the reconciliation identity from json, and garbage flags.
 * Runs go in parallel (each is a few seconds of tsx start-up and a small demo).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { day2Async, type Run } from "../../test/support/day2-cli.js";
import { parse as parseYaml, parseAllDocuments } from "yaml";

const day2 = (args: string[]): Promise<Run> => day2Async(args, {}, TMP);
const TMP = mkdtempSync(join(tmpdir(), "day2-cost-cli-"));
after(() => rmSync(TMP, { recursive: true, force: true }));

const ok = (r: Run, what: string): string => {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
};

interface AllocationJson {
  kind: string;
  partial: boolean;
  by: string;
  cluster: { cost: number; monthly: number; nodes: number; storage: number; loadBalancers: number };
  overhead: { cost: number; shared: boolean };
  idle: { cost: number };
  unclaimedVolumes: { cost: number };
  allocated: { cost: number };
  rows: { name: string; namespace?: string; total: number }[];
  reconciliation: { cluster: number; parts: number; difference: number };
  usage: { source: string };
}

test("cost --help and every subcommand's help show examples", async () => {
  const runs = await Promise.all(
    [[], ["allocation"], ["rightsize"], ["whatif"], ["capacity"], ["tuning"]].map((sub) =>
      day2(["cost", ...sub, "--help"]),
    ),
  );
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Examples:/);
  }
  assert.match(runs[0]!.stdout, /rightsize/);
  assert.match(runs[2]!.stdout, /--cpu_percentile/, "rightsize help maps flags to KRR's settings");
  const top = await day2(["--help"]);
  assert.match(top.stdout, /day2 cost rightsize -o kustomize/);
});

test("day2 cost: allocation reconciles in json for every grouping; table, yaml, markdown, html", async () => {
  const groupings = ["namespace", "workload", "pod", "container", "label:team"];
  const runs = await Promise.all(groupings.map((by) => day2(["cost", "--demo", "-o", "json", "--by", by])));
  let cluster: number | undefined;
  runs.forEach((r, i) => {
    const d = JSON.parse(ok(r, groupings[i]!)) as AllocationJson;
    assert.equal(d.kind, "CostAllocation");
    assert.equal(d.by, groupings[i]);
    assert.equal(d.partial, false);
    assert.equal(d.usage.source, "demo");
    assert.ok(d.cluster.cost > 0);
    const sumRows = d.rows.reduce((s, x) => s + x.total, 0);
    // Rows are rounded to cents: allow a cent per row.
    const parts = sumRows + d.overhead.cost + d.idle.cost + d.unclaimedVolumes.cost;
    assert.ok(
      Math.abs(parts - d.cluster.cost) <= 0.01 * (d.rows.length + 3),
      `${groupings[i]}: rows ${sumRows} + overhead + idle + unclaimed = ${parts} != cluster ${d.cluster.cost}`,
    );
    assert.ok(Math.abs(d.reconciliation.difference) < 1e-6);
    assert.ok(
      Math.abs(d.cluster.nodes + d.cluster.storage + d.cluster.loadBalancers - d.cluster.cost) < 0.03,
    );
    if (cluster === undefined) cluster = d.cluster.cost;
    else assert.equal(d.cluster.cost, cluster, "the same cluster cost whatever the grouping");
  });
  const ns = JSON.parse(runs[0]!.stdout) as AllocationJson;
  assert.ok(ns.rows.some((r) => r.name === "analytics"));
  const [table, yaml, md, html] = await Promise.all(
    ["table", "yaml", "markdown", "html"].map((f) => day2(["cost", "--demo", "-o", f])),
  );
  const t = ok(table!, "table");
  assert.match(t, /^day2 cost · demo · seed 42, scale small · window 7d ending/);
  const rec =
    /reconciliation: allocated \$([\d,.]+) \+ overhead \$([\d,.]+) \+ idle \$([\d,.]+) \+ unclaimed volumes \$([\d,.]+) = \$([\d,.]+) = cluster \$([\d,.]+)/.exec(
      t,
    );
  assert.ok(rec, t);
  const n = (i: number): number => Number(rec[i]!.replace(/,/g, ""));
  assert.ok(Math.abs(n(1) + n(2) + n(3) + n(4) - n(6)) <= 0.03);
  assert.equal(n(5), n(6));
  assert.match(t, /without cost labels \(team, cost-center\): [\d.]+% of allocated cost/);
  assert.match(t, /^NAMESPACE\s+CPU\s+MEMORY/m);
  const y = parseYaml(ok(yaml!, "yaml")) as AllocationJson;
  assert.equal(y.kind, "CostAllocation");
  assert.match(ok(md!, "markdown"), /^# day2 cost\n/);
  assert.match(md!.stdout, /reconciliation: /);
  const h = ok(html!, "html");
  assert.match(h, /^<!doctype html>/);
  assert.match(h, /reconciliation: /);
  assert.equal(/<(script|link)[^>]+src=|https?:\/\/[^"]*\.(js|css)/.test(h), false, "self-contained");
});

interface RightsizeJson {
  kind: string;
  partial: boolean;
  summary: { workloads: number; recommended: number; monthlySavings: number };
  workloads: {
    namespace: string;
    kind: string;
    name: string;
    monthlySavings: number;
    containers: {
      container: string;
      cpu: { status: string; current: { request?: number }; recommended?: { request: number } };
      memory: {
        status: string;
        current: { request?: number };
        recommended?: { request: number; limit?: number };
      };
    }[];
  }[];
}

test("cost rightsize: the over-provisioned demo workload goes down and saves money; patches parse", async () => {
  const [json, yamlRun, kustomize, kubectl, table, explain] = await Promise.all([
    day2(["cost", "rightsize", "--demo", "-o", "json"]),
    day2(["cost", "rightsize", "--demo", "-o", "yaml", "-n", "analytics"]),
    day2(["cost", "rightsize", "--demo", "-o", "kustomize"]),
    day2(["cost", "rightsize", "--demo", "-o", "kubectl", "-n", "analytics"]),
    day2(["cost", "rightsize", "--demo"]),
    day2(["cost", "rightsize", "--demo", "--explain", "-n", "analytics"]),
  ]);
  const d = JSON.parse(ok(json!, "json")) as RightsizeJson;
  assert.equal(d.kind, "RightsizeRecommendations");
  const rb = d.workloads.find((w) => w.namespace === "analytics" && w.name === "report-builder");
  assert.ok(rb, "analytics/report-builder is recommended");
  const c = rb.containers.find((x) => x.container === "builder")!;
  assert.equal(c.cpu.status, "ok");
  assert.equal(c.cpu.current.request, 2000);
  assert.ok(c.cpu.recommended!.request < 2000 * 0.3, `cpu ${c.cpu.recommended!.request}m`);
  assert.ok(c.memory.recommended!.request < 4 * 2 ** 30 * 0.5);
  assert.ok(rb.monthlySavings > 10, `saves ${rb.monthlySavings}`);
  assert.ok(d.summary.recommended > 0);

  const y = parseYaml(ok(yamlRun!, "yaml")) as RightsizeJson;
  assert.ok(y.workloads.every((w) => w.namespace === "analytics"));

  const docs = parseAllDocuments(ok(kustomize!, "kustomize"));
  assert.ok(docs.length > 10);
  for (const doc of docs) assert.deepEqual(doc.errors, []);
  const patch = docs
    .map((x) => x.toJS() as { kind: string; metadata: { name: string; namespace: string }; spec: unknown })
    .find((x) => x.metadata.namespace === "analytics" && x.metadata.name === "report-builder");
  assert.ok(patch);
  assert.equal(patch.kind, "Deployment");
  const containers = (
    patch.spec as {
      template: { spec: { containers: { name: string; resources: { requests: { cpu: string } } }[] } };
    }
  ).template.spec.containers;
  assert.equal(containers[0]!.name, "builder");
  assert.equal(containers[0]!.resources.requests.cpu, `${c.cpu.recommended!.request}m`);

  assert.match(
    ok(kubectl!, "kubectl"),
    /^kubectl patch deployment report-builder -n analytics --type=strategic -p '/m,
  );
  assert.match(
    ok(table!, "table"),
    /analytics\s+Deployment\/report-builder\s+builder\s+2\s+\d+m\s+-\d+m \(-\d+(\.\d)?%\)/,
  );
  assert.match(table!.stdout, /applying them all: \$[\d,.]+ saved per month/);
  const e = ok(explain!, "explain");
  assert.match(e, /cpu: \d+ points from 2 pod\(s\), p95; bound p95/);
  assert.match(e, /p95 of \d+ samples pooled over 2 pod\(s\)/);
});

test("cost whatif, capacity and tuning on the demo", async () => {
  const [whatif, whatifJson, capacity, capacityJson, html, tuning, tuningJson] = await Promise.all([
    day2(["cost", "whatif", "--demo"]),
    day2(["cost", "whatif", "--demo", "-o", "json"]),
    day2(["cost", "capacity", "--demo"]),
    day2(["cost", "capacity", "--demo", "-o", "json"]),
    day2(["cost", "capacity", "--demo", "-o", "html"]),
    day2(["cost", "tuning", "--demo"]),
    day2(["cost", "tuning", "--demo", "-o", "yaml"]),
  ]);
  assert.match(ok(whatif!, "whatif"), /^POOL\s+NODES\s+AFTER\s+FREED/m);
  const w = JSON.parse(ok(whatifJson!, "whatif json")) as {
    result: {
      nodesBefore: number;
      nodesAfter: number;
      nodesFreed: number;
      monthlySavings: number;
      pools: { pool: string; nodesFreed: number; monthlySavings: number }[];
    };
    applied: { changes: number };
  };
  assert.ok(w.applied.changes > 0);
  assert.equal(w.result.nodesBefore, 40);
  assert.ok(w.result.nodesFreed > 0, "right-sizing the demo frees nodes");
  assert.ok(
    Math.abs(w.result.monthlySavings - w.result.pools.reduce((s, p) => s + p.monthlySavings, 0)) < 0.05,
  );
  assert.match(whatif!.stdout, /BLOCKERS/);

  assert.match(
    ok(capacity!, "capacity"),
    /^POOL\s+METRIC\s+NOW\s+80% OF ALLOC\s+TREND\s+CROSSES\s+METHOD\s+HISTORY/m,
  );
  const cap = JSON.parse(ok(capacityJson!, "capacity json")) as {
    pools: {
      pool: string;
      metrics: { metric: string; method: string; historyDays: number; crossing: { text: string } }[];
    }[];
    requestsFrom: string;
  };
  assert.deepEqual(cap.pools.map((p) => p.pool).sort(), [
    "compute-spot",
    "general",
    "gpu",
    "memory",
    "system",
  ]);
  const general = cap.pools.find((p) => p.pool === "general")!;
  assert.deepEqual(
    general.metrics.map((m) => m.metric),
    ["cpu-requests", "cpu-usage", "memory-requests", "memory-usage", "pods"],
  );
  const usage = general.metrics.find((m) => m.metric === "cpu-usage")!;
  assert.equal(usage.method, "weekly-seasonal");
  assert.ok(usage.historyDays >= 27.9);
  const page = ok(html!, "capacity html");
  assert.match(page, /^<!doctype html>/);
  assert.equal((page.match(/<svg /g) ?? []).length, 25, "5 pools x 5 metrics");
  assert.match(page, /<path class="forecast"/);
  assert.equal(/<(script|link)[^>]+src=/.test(page), false);

  assert.match(ok(tuning!, "tuning"), /^HPA FINDINGS \(\d+\)/m);
  assert.match(tuning!.stdout, /^NODE POOLS/m);
  assert.match(tuning!.stdout, /SCALE-DOWN: \d+ nodes under/);
  const t = parseYaml(ok(tuningJson!, "tuning yaml")) as {
    kind: string;
    tuning: { pools: unknown[]; hpas: { kind: string }[] };
  };
  assert.equal(t.kind, "AutoscalingTuning");
  assert.equal(t.tuning.pools.length, 5);
  assert.ok(t.tuning.hpas.some((h) => h.kind === "always-at-max"));
});

test("garbage flags: exit 2 naming the flag, nothing on stdout", async () => {
  const cases: [string[], RegExp][] = [
    [["cost", "--demo", "--window", "banana"], /--window: expected a duration like 14d/],
    [
      ["cost", "--demo", "--by", "nonsense"],
      /--by: expected namespace, workload, pod, container or label:<key>/,
    ],
    [
      ["cost", "rightsize", "--demo", "--prometheus", "notaurl"],
      /--prometheus: expected an http:\/\/ or https:\/\/ URL/,
    ],
    [
      ["cost", "rightsize", "--demo", "--cpu-percentile", "150"],
      /--cpu-percentile: expected a number from 1 to 100/,
    ],
    [["cost", "rightsize", "--demo", "--memory-buffer", "-5"], /--memory-buffer/],
    [["cost", "rightsize", "--demo", "--min-points", "1.5"], /--min-points: expected an integer/],
    [["cost", "whatif", "--demo", "--step", "2d", "--window", "1d"], /--step: 2d is longer than --window 1d/],
    [["cost", "capacity", "--demo", "--headroom", "120"], /--headroom: expected a percentage/],
    [["cost", "capacity", "--demo", "--horizon", "soon"], /--horizon: expected a duration/],
    [
      ["cost", "tuning", "--demo", "--prometheus-timeout", "forever", "--prometheus", "http://127.0.0.1:1"],
      /--prometheus-timeout: invalid duration/,
    ],
    [
      ["cost", "--demo", "--prometheus-header", "nocolon", "--prometheus", "http://127.0.0.1:1"],
      /--prometheus-header: expected "Name: value"/,
    ],
    [
      ["cost", "--demo", "--max-queries", "0", "--prometheus", "http://127.0.0.1:1"],
      /--max-queries: expected a positive integer/,
    ],
    [["cost", "--demo", "-o", "sarif"], /-o sarif: day2 cost writes table, json, yaml, markdown, html/],
    [["cost", "whatif", "--demo", "-o", "kustomize"], /-o kustomize: only for day2 cost rightsize/],
    [["report", "--demo", "-o", "kubectl"], /-o kubectl: only for day2 cost rightsize/],
    [["cost", "frobnicate", "--demo"], /unknown|too many arguments/],
  ];
  const runs = await Promise.all(cases.map(([args]) => day2(args)));
  runs.forEach((r, i) => {
    const [args, pattern] = cases[i]!;
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(" "));
    assert.equal(r.stdout, "", `nothing on stdout: ${args.join(" ")}`);
  });
});

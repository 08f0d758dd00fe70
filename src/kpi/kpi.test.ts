import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { AllocationResult } from "../cost/allocation.js";
import type { UsageData } from "../cost/types.js";
import type { Incident } from "../incident/types.js";
import { CATALOG, parseTarget, resolveCatalog, targetText } from "./catalog.js";
import { statusOf, trendIsBetter, trendOf } from "./status.js";
import { KPI_IDS } from "./types.js";
import type { Target, Trend } from "./types.js";
import {
  mtbfKpi,
  mttrKpi,
  NO_STORE,
  securityIncidentsKpi,
  uptimeFromIncidents,
} from "./compute/incidents.js";
import {
  apiResponseTimeKpi,
  BURN_RATES,
  fillWindow,
  DEFAULT_QUERIES,
  NO_PROMETHEUS,
  p95LatencyKpi,
  promValueOf,
  sloRules,
  uptimeFromPrometheus,
} from "./compute/prometheus.js";
import {
  computeEfficiencyKpi,
  costPerRequestKpi,
  idleResourceKpi,
  storageCostPerTbKpi,
} from "./compute/cost.js";
import { failedDeploymentsKpi, podStartupKpi, resourceUtilizationKpi } from "./compute/cluster.js";
import { complianceKpi, criticalCvesKpi, highCvesKpi } from "./compute/security.js";
import { evaluate, measureAll, previousValues } from "./engine.js";
import { kpiConfigFromDoc } from "./config.js";
import type { CveSummary } from "../score/vulnerabilities.js";
import type { ComplianceKpi } from "../score/compliance.js";

const MIN = 60_000;
const H = 3_600_000;
const T0 = Date.parse("2026-11-01T00:00:00Z");
const WINDOW = { from: T0, to: T0 + 30 * 24 * H };

function incident(p: Partial<Incident> & Pick<Incident, "id" | "createdAt">): Incident {
  return {
    title: p.id,
    priority: "P2",
    priorityOverridden: false,
    status: "resolved",
    groupKey: p.id,
    labels: {},
    escalationLevel: 0,
    ...p,
  };
}

test("the catalogue has the 16 KPIs with exactly the issue's ids, in order", () => {
  assert.deepEqual(
    CATALOG.map((d) => d.id),
    [
      "uptime",
      "mttr",
      "mtbf",
      "failed-deployments",
      "p95-latency",
      "api-response-time",
      "pod-startup-time",
      "resource-utilization",
      "cost-per-request",
      "compute-cost-efficiency",
      "storage-cost-per-tb",
      "idle-resource-pct",
      "critical-cves",
      "high-cves",
      "security-incidents",
      "compliance-score",
    ],
  );
  assert.deepEqual(
    [...KPI_IDS],
    CATALOG.map((d) => d.id),
  );
  for (const d of CATALOG) assert.ok(d.name && d.definition && d.unit && d.sources.length, d.id);
});

test("targets: day2.yaml syntax, overrides and their errors", () => {
  const max: Target = { kind: "max", value: 15, strict: true };
  assert.deepEqual(parseTarget("< 30", max), { kind: "max", value: 30, strict: true });
  assert.deepEqual(parseTarget(">= 99.9", max), { kind: "min", value: 99.9, strict: false });
  assert.deepEqual(parseTarget("50-75", max), { kind: "range", min: 50, max: 75 });
  assert.deepEqual(parseTarget("trend down", max), { kind: "trend", direction: "down" });
  assert.deepEqual(parseTarget(20, max), { kind: "max", value: 20, strict: true });
  assert.throws(() => parseTarget("80-60", max), /lower bound/);
  assert.throws(() => parseTarget("soon", max), /expected a target/);
  const cat = resolveCatalog({ mttr: { target: "< 30" }, "resource-utilization": { target: "50-75" } });
  assert.deepEqual(cat.find((d) => d.id === "mttr")!.target, { kind: "max", value: 30, strict: true });
  assert.throws(() => resolveCatalog({ mtr: { target: 1 } }), /kpis\.mtr: unknown KPI id/);
  assert.throws(() => resolveCatalog({ mttr: { target: "x" } }), /kpis\.mttr\.target/);
  assert.equal(targetText({ kind: "range", min: 60, max: 80 }, "%"), "60-80%");
  assert.equal(targetText({ kind: "max", value: 15, strict: true }, "min"), "< 15 min");
  const cfg = kpiConfigFromDoc(
    { kpis: { uptime: { target: ">= 99.9" }, queries: { requests: "sum(x)" } } },
    "day2.yaml",
  );
  assert.equal(cfg.queries.requests, "sum(x)");
  assert.equal(cfg.queries.p95Latency, DEFAULT_QUERIES.p95Latency);
  assert.throws(
    () => kpiConfigFromDoc({ kpis: { queries: { nope: "x" } } }, "day2.yaml"),
    /day2\.yaml: kpis\.queries\.nope/,
  );
});

test("status: max, min (with the error-budget margin), range and trend", () => {
  const mttr: Target = { kind: "max", value: 15, strict: true };
  assert.equal(statusOf(mttr, "min", 10, null).status, "met");
  assert.equal(statusOf(mttr, "min", 14, null).status, "at-risk"); // within 10% of 15
  assert.equal(statusOf(mttr, "min", 15, null).status, "missed"); // strict
  assert.equal(statusOf(mttr, "min", null, null).status, "no-data");
  const zero: Target = { kind: "max", value: 0 };
  assert.equal(statusOf(zero, "CVEs", 0, null).status, "met");
  assert.equal(statusOf(zero, "CVEs", 1, null).status, "missed");
  const uptime: Target = { kind: "min", value: 99.95 };
  assert.equal(statusOf(uptime, "%", 99.99, null).status, "met");
  assert.equal(statusOf(uptime, "%", 99.952, null).status, "at-risk"); // < 99.955
  assert.equal(statusOf(uptime, "%", 99.9, null).status, "missed");
  const range: Target = { kind: "range", min: 60, max: 80 };
  assert.equal(statusOf(range, "%", 70, null).status, "met");
  assert.equal(statusOf(range, "%", 61, null).status, "at-risk");
  assert.equal(statusOf(range, "%", 79, null).status, "at-risk");
  assert.equal(statusOf(range, "%", 59.9, null).status, "missed");
  assert.equal(statusOf(range, "%", 81, null).status, "missed");
  const down: Target = { kind: "trend", direction: "down" };
  assert.equal(statusOf(down, "$", 9, trendOf(9, 10)).status, "met");
  assert.equal(statusOf(down, "$", 11, trendOf(11, 10)).status, "missed");
  assert.equal(statusOf(down, "$", 10.05, trendOf(10.05, 10)).status, "at-risk"); // flat
  const none = statusOf(down, "$", 10, trendOf(10, undefined));
  assert.equal(none.status, "no-data");
  assert.match(none.reason!, /no previous value/);
  assert.deepEqual(trendOf(12, 10), { previous: 10, delta: 2, direction: "up" });
});

test("incident KPIs: MTTR, MTBF, security incidents, uptime fallback; no store is no data", () => {
  const incidents = [
    incident({ id: "a", priority: "P0", createdAt: T0 + H, resolvedAt: T0 + H + 10 * MIN }),
    incident({ id: "b", priority: "P1", createdAt: T0 + 48 * H, resolvedAt: T0 + 48 * H + 20 * MIN }),
    incident({
      id: "c",
      createdAt: T0 + 100 * H,
      resolvedAt: T0 + 100 * H + 30 * MIN,
      labels: { category: "security" },
    }),
    incident({ id: "d", createdAt: T0 + 200 * H, status: "triggered" }),
  ];
  const h = { incidents, window: WINDOW };
  assert.equal(mttrKpi(h).value, 20); // (10 + 20 + 30) / 3
  // P0+P1: 2 failures, downtime 30 min over 720 h -> (720 h - 0.5 h) / 2
  assert.equal(mtbfKpi(h).value, 359.75);
  assert.equal(securityIncidentsKpi(h).value, 1);
  // P0 down 10 min of 30 days
  assert.equal(uptimeFromIncidents(h).value, Number(((1 - 10 / (30 * 24 * 60)) * 100).toFixed(4)));
  for (const m of [mttrKpi(undefined), mtbfKpi(undefined), securityIncidentsKpi(undefined)]) {
    assert.equal(m.value, null);
    assert.equal(m.reason, NO_STORE);
  }
  // One failure is a value (review item 6): (720 h - 10 min) / 1.
  const one = mtbfKpi({ incidents: incidents.slice(0, 1), window: WINDOW });
  assert.equal(one.value, Number((720 - 10 / 60).toFixed(2)));
  assert.equal(mttrKpi({ incidents: [], window: WINDOW }).reason, "no data: no incidents in the window");
});

test("Prometheus KPIs: uptime with error budget, latencies, reasons; the PrometheusRule", () => {
  const up = uptimeFromPrometheus({ errorRatio: { kind: "value", value: 0.0002 }, targetPct: 99.95 });
  assert.equal(up.value, 99.98);
  assert.equal(up.detail!.budgetConsumedPct, 40);
  assert.equal(up.detail!.budgetRemainingPct, 60);
  assert.equal(up.detail!.burnRate, 0.4);
  assert.equal(uptimeFromPrometheus({ targetPct: 99.95 }).reason, NO_PROMETHEUS);
  assert.equal(p95LatencyKpi({ kind: "value", value: 0.1234 }).value, 123.4);
  assert.equal(apiResponseTimeKpi({ kind: "value", value: 0.05 }).value, 50);
  assert.equal(p95LatencyKpi(undefined).reason, NO_PROMETHEUS);
  assert.match(p95LatencyKpi({ kind: "empty" }).reason!, /returned no series/);
  assert.match(apiResponseTimeKpi({ kind: "error", message: "boom" }).reason!, /failed: boom/);
  assert.deepEqual(promValueOf([{ v: NaN }, { v: 2 }]), { kind: "value", value: 2 });
  assert.deepEqual(promValueOf([]), { kind: "empty" });
  assert.match(
    fillWindow(DEFAULT_QUERIES.p95Latency, "30d"),
    /nginx_ingress_controller_request_duration_seconds_bucket\[30d\]/,
  );
  assert.match(DEFAULT_QUERIES.apiResponseTime, /apiserver_request_duration_seconds_bucket/);
  const doc = parse(sloRules({ targetPct: 99.9, namespace: "monitoring" })) as {
    kind: string;
    metadata: { namespace: string };
    spec: {
      groups: {
        rules: { record?: string; alert?: string; expr: string; labels?: Record<string, string> }[];
      }[];
    };
  };
  assert.equal(doc.kind, "PrometheusRule");
  assert.equal(doc.metadata.namespace, "monitoring");
  const alerts = doc.spec.groups[1]!.rules;
  assert.deepEqual(
    alerts.map((a) => a.labels!.burn_rate),
    BURN_RATES.map((b) => String(b.factor)),
  );
  assert.deepEqual(
    alerts.map((a) => a.labels!.burn_rate),
    ["14.4", "6", "3", "1"],
  );
  assert.match(alerts[0]!.expr, /day2:slo_error_ratio:rate1h > \(14\.4 \* 0\.001\)/);
  assert.match(alerts[0]!.expr, /day2:slo_error_ratio:rate5m > \(14\.4 \* 0\.001\)/);
  assert.ok(doc.spec.groups[0]!.rules.some((r) => r.record === "day2:slo_error_ratio:rate3d"));
});

function alloc(p: {
  cpu: number;
  memory: number;
  workloadIdle: number;
  nodes: number;
  reserved: number;
  idle: number;
  storage: number;
  cost: number;
  monthly: number;
  source?: UsageData["source"];
  hours?: number;
}): AllocationResult {
  return {
    window: { start: "", end: "", stepSeconds: 3600, hours: p.hours ?? 360 },
    usage: { source: p.source ?? "demo", confidence: "medium", partial: false, coverage: 1 },
    allocated: { cpu: p.cpu, memory: p.memory, gpu: 0, storage: p.storage, loadBalancer: 0, total: 0 },
    workloadIdle: { cost: p.workloadIdle, monthly: 0 },
    cluster: { cost: p.cost, monthly: p.monthly, nodes: p.nodes, storage: p.storage, loadBalancers: 0 },
    overhead: { reserved: p.reserved },
    idle: { cost: p.idle, monthly: 0, overAllocated: false },
  } as unknown as AllocationResult;
}

test("cost KPIs from an allocation: efficiency, idle %, storage per TB, cost per request", () => {
  const a = alloc({
    cpu: 60,
    memory: 40,
    workloadIdle: 25,
    nodes: 220,
    reserved: 20,
    idle: 50,
    storage: 10,
    cost: 250,
    monthly: 500,
  });
  assert.equal(computeEfficiencyKpi(a).value, 75); // (100 - 25) / 100
  assert.equal(idleResourceKpi(a).value, 25); // 50 / (220 - 20)
  // storage 10 $ over a window that is half a month -> 20 $/month over 2 TB
  assert.equal(storageCostPerTbKpi(a, { bytes: 2e12, from: "PersistentVolumes" }).value, 10);
  assert.equal(costPerRequestKpi(a, { kind: "value", value: 5e6 }).value, 50); // 250 $ / 5M req
  assert.equal(costPerRequestKpi(a, undefined).reason, NO_PROMETHEUS);
  assert.match(costPerRequestKpi(a, { kind: "value", value: 0 }).reason!, /no requests/);
  assert.match(computeEfficiencyKpi({ ...a, usage: { ...a.usage, source: "none" } }).reason!, /no usage/);
  assert.match(storageCostPerTbKpi(a, { bytes: 0, from: "x" }).reason!, /no provisioned storage/);
});

test("security KPIs: CVE counts and compliance, no data with the scanner's reason", () => {
  const cves = {
    status: "ok",
    critical: 2,
    high: 7,
    reports: 3,
    images: 2,
    byImage: [],
    byWorkload: [],
  } as CveSummary;
  assert.equal(criticalCvesKpi(cves).value, 2);
  assert.equal(highCvesKpi(cves).value, 7);
  const none = {
    ...cves,
    status: "no data",
    reason: "Trivy Operator not installed",
    critical: null,
    high: null,
  } as CveSummary;
  assert.equal(criticalCvesKpi(none).reason, "no data: Trivy Operator not installed");
  const c: ComplianceKpi = {
    status: "ok",
    level: "restricted",
    percent: 87.5,
    passed: 7,
    applicable: 8,
    notEvaluated: 0,
  };
  assert.equal(complianceKpi(c).value, 87.5);
  assert.match(
    complianceKpi({ ...c, status: "no data", percent: null, reason: "no workload to judge" }).reason!,
    /no workload/,
  );
});

const NOW = Date.parse("2026-11-20T12:00:00Z");
const iso = (ms: number): string => new Date(ms).toISOString();

function state(): ClusterState {
  const b = new ClusterStateBuilder({ source: "manifests", sourceDetail: "test", collectedAt: NOW });
  const meta = (kind: string, name: string, extra: Record<string, unknown> = {}) => ({
    kind,
    metadata: {
      name,
      namespace: "shop",
      uid: `${kind}-${name}`,
      creationTimestamp: iso(NOW - 10 * 24 * H),
      ...extra,
    },
  });
  const deploy = (name: string, revision: number, pde: boolean) => ({
    apiVersion: "apps/v1",
    ...meta("Deployment", name, { annotations: { "deployment.kubernetes.io/revision": String(revision) } }),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "x" }] } },
    },
    status: {
      conditions: pde
        ? [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }]
        : [{ type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" }],
    },
  });
  const rs = (name: string, owner: string, revision: number, history?: string) => ({
    apiVersion: "apps/v1",
    ...meta("ReplicaSet", name, {
      annotations: {
        "deployment.kubernetes.io/revision": String(revision),
        ...(history ? { "deployment.kubernetes.io/revision-history": history } : {}),
      },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: owner,
          uid: `Deployment-${owner}`,
          controller: true,
        },
      ],
    }),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: owner } },
      template: { metadata: { labels: { app: owner } }, spec: { containers: [{ name: "c", image: "x" }] } },
    },
    status: { replicas: 1 },
  });
  const pod = (name: string, createdAgoS: number, readyAfterS: number | undefined, restarts = 0) => {
    const created = NOW - createdAgoS * 1000;
    return {
      apiVersion: "v1",
      ...meta("Pod", name, { creationTimestamp: iso(created) }),
      spec: { nodeName: "n1", containers: [{ name: "c", image: "x" }] },
      status: {
        phase: "Running",
        conditions:
          readyAfterS === undefined
            ? [{ type: "Ready", status: "False", lastTransitionTime: iso(created) }]
            : [{ type: "Ready", status: "True", lastTransitionTime: iso(created + readyAfterS * 1000) }],
        containerStatuses: [
          { name: "c", ready: readyAfterS !== undefined, restartCount: restarts, state: { running: {} } },
        ],
      },
    };
  };
  for (const o of [
    deploy("web", 8, false),
    rs("web-a", "web", 8, "3,5"),
    rs("web-b", "web", 7),
    deploy("api", 2, true),
    rs("api-a", "api", 2),
    {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n1", uid: "n1" },
      status: { allocatable: { cpu: "4", memory: "8Gi" }, capacity: { cpu: "4", memory: "8Gi" } },
    },
    ...[10, 20, 30, 40].map((s, i) => pod(`p${i}`, 3600, s)),
    pod("slow-restarted", 3600, 300, 2),
    pod("not-ready", 3600, undefined),
    pod("old", 40 * 24 * 3600, 500),
  ])
    b.add(o as never);
  return b.build({ complete: false });
}

test("cluster KPIs: failed deployments, pod startup p95, utilisation from usage", () => {
  const s = state();
  const fd = failedDeploymentsKpi(s);
  // rollouts 8 + 2 = 10; failed: 2 rollbacks (revision-history 3,5) + 1 ProgressDeadlineExceeded
  assert.equal(fd.value, 30);
  assert.equal(fd.detail!.rollbacks, 2);
  assert.equal(fd.detail!.progressDeadlineExceeded, 1);
  const ps = podStartupKpi(s, { from: NOW - 30 * 24 * H, to: NOW });
  assert.equal(ps.value, 40); // nearest-rank p95 of 10, 20, 30, 40 (restarted, not ready and old left out)
  assert.equal(ps.detail!.restarted, 1);
  assert.equal(ps.detail!.notReady, 1);
  assert.match(podStartupKpi(s, { from: 0, to: 1 }).reason!, /no pod was created/);
  const GiB = 2 ** 30;
  const usage: UsageData = {
    source: "prometheus",
    confidence: "high",
    window: { start: new Date(NOW - 2 * H), end: new Date(NOW), stepSeconds: 3600 },
    containers: new Map([
      [
        "shop/p0/c",
        {
          namespace: "shop",
          pod: "p0",
          container: "c",
          cpu: Float64Array.from([2, 3, NaN]),
          memory: Float64Array.from([4 * GiB, 6 * GiB, NaN]),
        },
      ],
    ]),
    partial: false,
    problems: [],
    notes: [],
  };
  // CPU 2/4, 3/4 -> 62.5%; memory 4/8, 6/8 -> 62.5%
  const ru = resourceUtilizationKpi(s, usage);
  assert.equal(ru.value, 62.5);
  assert.match(resourceUtilizationKpi(s, undefined).reason!, /no usage/);
});

test("engine: 16 results in order, no-data reasons, trends from a previous run", () => {
  const s = state();
  const cves = {
    status: "no data",
    reason: "Trivy Operator not installed",
    critical: null,
    high: null,
    reports: 0,
    images: 0,
    byImage: [],
    byWorkload: [],
  } as CveSummary;
  const compliance: ComplianceKpi = {
    status: "ok",
    level: "restricted",
    percent: 50,
    passed: 1,
    applicable: 2,
    notEvaluated: 0,
  };
  const m = measureAll({ state: s, window: { from: NOW - 30 * 24 * H, to: NOW }, cves, compliance });
  const prev = previousValues([
    { id: "failed-deployments", value: 40 },
    { id: "nope", value: 1 },
  ]);
  const rows = evaluate(CATALOG, m, prev);
  assert.deepEqual(
    rows.map((r) => r.id),
    [...KPI_IDS],
  );
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));
  assert.equal(by.mttr!.reason, NO_STORE);
  assert.equal(by["p95-latency"]!.reason, NO_PROMETHEUS);
  assert.match(by.uptime!.reason!, /^no data: no Prometheus \(--prometheus\)/);
  assert.equal(by["failed-deployments"]!.status, "missed");
  assert.deepEqual(by["failed-deployments"]!.trend, { previous: 40, delta: -10, direction: "down" });
  for (const r of rows) {
    if (r.value === null) assert.equal(r.status, "no-data", r.id);
    if (r.value === null) assert.ok(r.reason, r.id);
  }
});

test("trendIsBetter: by the kind of target; no move is null", () => {
  const up = { previous: 10, delta: 2, direction: "up" as const };
  const down = { previous: 10, delta: -2, direction: "down" as const };
  const at = (target: Target, value: number | null, trend: Trend | null) =>
    trendIsBetter({ target, value, trend });
  assert.equal(at({ kind: "max", value: 15 }, 12, up), false);
  assert.equal(at({ kind: "max", value: 15 }, 8, down), true);
  assert.equal(at({ kind: "min", value: 70 }, 12, up), true);
  assert.equal(at({ kind: "trend", direction: "down" }, 8, down), true);
  assert.equal(at({ kind: "trend", direction: "down" }, 12, up), false);
  // 60-80 %: from 10 up to 12 moves towards 70; from 90 down to 88 too; 72 -> 80 away from it.
  assert.equal(at({ kind: "range", min: 60, max: 80 }, 12, up), true);
  assert.equal(
    at({ kind: "range", min: 60, max: 80 }, 88, { previous: 90, delta: -2, direction: "down" }),
    true,
  );
  assert.equal(
    at({ kind: "range", min: 60, max: 80 }, 80, { previous: 72, delta: 8, direction: "up" }),
    false,
  );
  assert.equal(at({ kind: "max", value: 15 }, 12, null), null);
  assert.equal(at({ kind: "max", value: 15 }, 12, { previous: 12, delta: 0, direction: "flat" }), null);
});

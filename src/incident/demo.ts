/**
 * The incident history behind `day2 serve --demo`: 90 days (by default) of alerts, incidents,
 * timelines, reviews, action items and on-call shifts for the demo cluster, seeded and
 * deterministic (the same seed and `now` give the same data). Plain data for the store to load.
 *
 * How it is made:
 * - Alerts come from a catalogue of real rule names (kube-prometheus-stack, node-exporter,
 *   cert-manager, application SLO rules) on the demo cluster's workloads, with Alertmanager's
 *   fingerprints (FNV-1a 64 of the labels) and groupKeys (root route, group_by alertname and
 *   namespace). Each alert fires in exactly one incident, so fingerprints are unique.
 * - Incidents arrive as a Poisson process with a weekly rhythm (more on the Tuesday-Thursday
 *   deploy days, few at weekends, deploy-driven ones in working hours). Priority is the policy's
 *   (priorityFor with the default severity map) over the incident's alerts.
 * - Each incident is scripted through the real policy: paging starts per pagingStart, levels
 *   are paged and escalated by nextEscalation with whoever whoIsOnCall names, P0/P1 get a
 *   commander and war room from majorIncidentRoles. The script is cut at `now` and replayed, so
 *   every field agrees with the timeline; incidents still running at `now` stay open.
 * - Resolution work shrinks over the history (MTTR improves by about a third) so KPI trends
 *   have something to show. Alerts that match a maintenance window are recorded suppressed and
 *   belong to no incident (as the intake does).
 * - Reviews are reviewDraft + renderReviewMarkdown at review time, with action items (runbook
 *   updates the draft suggests plus follow-ups), some closed, some open and overdue.
 */
import { DEMO_NOW_MS } from "../demo/format.js";
import { templateHash } from "../demo/format.js";
import { buildNodes, NOT_READY_NODE, PRESSURE_NODE } from "../demo/nodes.js";
import { plantedPod } from "../demo/problems.js";
import { Rng, hashParts } from "../demo/random.js";
import { DEFAULT_SEED, resolveSizing } from "../demo/scale.js";
import type { AlertRule, DemoWorkload } from "./demo-catalog.js";
import {
  ALERT_RULES,
  alertFingerprint,
  demoWorkloads,
  fill,
  groupKeyOf,
  runbookUrl,
} from "./demo-catalog.js";
import { demoIncidentsDoc } from "./demo-config.js";
import type { AlertLife, Lived, Plan, Step } from "./demo-lifecycle.js";
import { BusinessClock, cut, live, replay } from "./demo-lifecycle.js";
import { ACTION_ITEMS } from "./demo-text.js";
import { inMaintenance } from "./maintenance.js";
import type { OnCallSegment } from "./oncall.js";
import { onCallTimeline } from "./oncall.js";
import type { EscalationPolicy, IncidentsConfig, MaintenanceWindow, Schedule } from "./policy-config.js";
import { parseIncidents } from "./policy-config.js";
import { priorityFor } from "./policy.js";
import { DAY, HOUR, MINUTE, WEEK } from "./policy-time.js";
import { renderReviewMarkdown } from "./review-markdown.js";
import { alertRunbook, reviewDraft } from "./review.js";
import type { ActionItem, Alert, Incident, Priority, TimelineEntry } from "./types.js";

export interface DemoIncidentOptions {
  /** Default 42, as the demo cluster. */
  seed?: number;
  /** The end of the history (default the demo's fixed now). */
  now?: number;
  /** Length of the history in days (default 90). */
  days?: number;
}

export interface DemoReview {
  incidentId: string;
  markdown: string;
  /** When the review was published (the incident's reviewedAt). */
  createdAt: number;
}

export interface DemoOnCallShift {
  schedule: string;
  user: string;
  start: number;
  end: number;
  /** The rotation layer's name, or "override". */
  layer: string;
}

export interface DemoIncidentHistory {
  alerts: Alert[];
  incidents: Incident[];
  timeline: TimelineEntry[];
  actionItems: ActionItem[];
  reviews: DemoReview[];
  schedules: Schedule[];
  escalationPolicies: EscalationPolicy[];
  onCallHistory: DemoOnCallShift[];
  maintenance: MaintenanceWindow[];
  /** The resolved `incidents:` config the history was generated with (policy, schedules, ...). */
  config: IncidentsConfig;
}

const PROMETHEUS = "monitoring/prometheus-k8s";
const GENERATOR = "https://prometheus.demo.example.com/graph";
/** Per UTC weekday (Sunday first): deploy days fail more. */
const WEEKDAY_RATE = [0.35, 1.0, 1.4, 1.35, 1.25, 0.8, 0.35];
const BASE_RATE = 5.3;
const REVIEW_P: Record<Priority, number> = { P0: 1, P1: 0.9, P2: 0.35, P3: 0.08 };
/** Plausible {percent} per rule: [warning range, critical range]. */
const PERCENT: Record<string, [[number, number], [number, number]]> = {
  KubePersistentVolumeFillingUp: [
    [5, 14],
    [1, 2],
  ],
  NodeFilesystemSpaceFillingUp: [
    [4, 14],
    [1, 3],
  ],
  KubeQuotaAlmostFull: [
    [90, 99],
    [90, 99],
  ],
  KubeletTooManyPods: [
    [95, 100],
    [95, 100],
  ],
  HighErrorRate: [
    [5, 12],
    [6, 45],
  ],
  NginxHighHttp5xxErrorRate: [
    [5, 12],
    [6, 30],
  ],
};
const KSM_NODE = new Set([
  "KubeNodeNotReady",
  "KubeNodeUnreachable",
  "KubeNodePressure",
  "KubeletTooManyPods",
]);

interface Forced {
  workload?: DemoWorkload;
  pods?: string[];
  nodes?: string[];
  fan?: number;
}

interface Built {
  rule: AlertRule;
  alerts: {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    fingerprint: string;
    start: number;
  }[];
}

interface Record_ {
  plan: Plan;
  lived: Lived;
  incident?: Incident;
  steps: Step[];
  suppressed: boolean;
  annotations: Map<string, Record<string, string>>;
}

function poisson(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.next();
  } while (p > limit);
  return k - 1;
}

function ruleFilter(rule: AlertRule): (w: DemoWorkload) => boolean {
  if (rule.only) return (w) => rule.only!.includes(w.name);
  switch (rule.scope) {
    case "pod":
      if (rule.alertname === "KafkaConsumerGroupLagHigh")
        return (w) => w.kind === "Deployment" && /consumer|processor|relay|stream|worker/.test(w.name);
      return (w) => w.kind === "Deployment" || w.kind === "StatefulSet";
    case "app":
      return (w) => w.serves && w.kind === "Deployment" && w.namespace !== "kube-system";
    case "deployment":
      return (w) => w.kind === "Deployment";
    case "statefulset":
      if (rule.alertname === "PostgresqlReplicationLag")
        return (w) => w.kind === "StatefulSet" && /postgres|db/.test(w.name);
      return (w) => w.kind === "StatefulSet";
    case "hpa":
      return (w) => w.hpa;
    case "cronjob":
      return (w) => w.kind === "CronJob" || w.kind === "Job";
    case "pvc":
      return (w) => w.claim;
    case "namespace":
      return (w) => w.team !== undefined && w.team !== "platform";
    case "cert":
      return (w) => w.serves && (w.tier === "critical" || w.tier === "high");
    case "node":
      return () => false;
  }
}

class HistoryBuilder {
  readonly rng: Rng;
  readonly idRng: Rng;
  readonly config: IncidentsConfig;
  /** The same config with each schedule flattened to its shifts (see flatSchedules). */
  readonly fast: IncidentsConfig;
  readonly start: number;
  readonly clock: BusinessClock;
  readonly used = new Set<string>();
  /** groupKey -> the time before which a new incident of the group may not open. */
  readonly busy = new Map<string, number>();
  /** groupKeys of the planted incidents -> from when random ones keep off them. */
  readonly reserved = new Map<string, number>();
  readonly records: Record_[] = [];
  readonly loose: Alert[] = [];
  readonly currentNodes: string[];
  readonly byRule = new Map<AlertRule, DemoWorkload[]>();
  private readonly pairs = new Map<AlertRule, (readonly [DemoWorkload, number])[]>();
  /** Each schedule's shifts over the history and 60 days past it. */
  readonly shifts: Map<string, OnCallSegment[]>;
  private seq = 0;

  constructor(
    readonly seed: number,
    readonly now: number,
    readonly days: number,
    readonly workloads: readonly DemoWorkload[],
  ) {
    this.rng = new Rng(hashParts(seed, "incident-history"));
    this.idRng = new Rng(hashParts(seed, "incident-ids"));
    this.config = parseIncidents(demoIncidentsDoc(now, days));
    this.start = now - days * DAY;
    this.clock = new BusinessClock(this.config.policy);
    this.shifts = new Map(
      this.config.schedules.map((x) => [x.id, onCallTimeline(x, this.start - DAY, now + 60 * DAY)]),
    );
    this.fast = {
      ...this.config,
      schedules: this.config.schedules.map((x) => flatSchedule(x, this.shifts.get(x.id) ?? [])),
    };
    this.currentNodes = buildNodes(seed, resolveSizing({ seed }).nodes).map((n) => n.name);
    for (const rule of ALERT_RULES) {
      const pool = workloads.filter(ruleFilter(rule));
      this.byRule.set(rule, pool);
      this.pairs.set(
        rule,
        pool.map((x) => [x, x.weight] as const),
      );
    }
  }

  id(prefix: string, at: number): string {
    const seq = (this.seq++ % 1_679_616).toString(36).padStart(4, "0");
    return `${prefix}-${Math.max(0, at).toString(36).padStart(9, "0")}${seq}${this.idRng.hex(10)}`;
  }

  private nodeName(t: number): string {
    const { rng } = this;
    if (t > this.now - 5 * DAY && rng.chance(0.7)) return rng.pick(this.currentNodes);
    return `ip-10-0-${rng.pick([0, 64, 128]) + rng.int(0, 3)}-${rng.int(10, 250)}.ec2.internal`;
  }

  private podName(w: DemoWorkload, t: number, i: number): string {
    if (w.kind === "StatefulSet") return `${w.name}-${i % w.replicas}`;
    const hash = templateHash(this.seed, `${w.namespace}/${w.name}/${Math.floor(t / WEEK)}`);
    return `${w.name}-${hash}-${this.rng.suffix(5)}`;
  }

  private values(rule: AlertRule): Record<string, string> {
    const { rng } = this;
    const [lo, hi] = PERCENT[rule.alertname]?.[rule.severity === "critical" ? 1 : 0] ?? [25, 97];
    return {
      percent: String(rng.int(lo, hi)),
      seconds: rng.range(1.1, 6).toFixed(2),
      lag: String(rng.int(12, 900) * 100),
      days: String(rng.int(3, 20)),
    };
  }

  private scopeLabels(
    rule: AlertRule,
    w: DemoWorkload | undefined,
    t: number,
    i: number,
    f: Forced,
  ): Record<string, string> {
    const { rng } = this;
    if (rule.scope === "node") {
      const node = f.nodes?.[i] ?? this.nodeName(t);
      const ip = /^ip-(\d+)-(\d+)-(\d+)-(\d+)/.exec(node);
      const instance = `${ip ? ip.slice(1, 5).join(".") : `10.0.${rng.int(0, 190)}.${rng.int(10, 250)}`}:9100`;
      if (KSM_NODE.has(rule.alertname))
        return {
          namespace: "kube-system",
          service: "kubelet",
          team: "platform",
          tier: "high",
          job: "kube-state-metrics",
          node,
          ...(rule.alertname === "KubeNodePressure"
            ? { condition: rng.pick(["MemoryPressure", "DiskPressure"]) }
            : {}),
        };
      return {
        namespace: "monitoring",
        service: "node-exporter",
        team: "platform",
        tier: "high",
        job: "node-exporter",
        pod: `node-exporter-${rng.suffix(5)}`,
        instance,
        device: "/dev/nvme0n1p1",
        mountpoint: "/",
        fstype: "xfs",
      };
    }
    if (!w) return {};
    const base: Record<string, string> = { namespace: w.namespace, service: w.name, tier: w.tier };
    if (w.team) base.team = w.team;
    const pod = (): string => f.pods?.[i] ?? this.podName(w, t, i);
    switch (rule.scope) {
      case "pod": {
        const job =
          rule.alertname === "CPUThrottlingHigh"
            ? "kubelet"
            : rule.alertname === "TargetDown"
              ? w.name
              : "kube-state-metrics";
        const out: Record<string, string> = { ...base, job, pod: pod() };
        if (rule.alertname !== "TargetDown") out.container = w.container;
        if (rule.alertname === "KafkaConsumerGroupLagHigh") out.consumergroup = `${w.name}-group`;
        return out;
      }
      case "app":
        if (rule.alertname === "ErrorBudgetBurn")
          return { ...base, slo: `${w.name}-availability`, long: "1h", short: "5m" };
        if (rule.alertname === "CoreDNSDown") return { ...base, job: "coredns" };
        return { ...base, job: w.name, pod: pod() };
      case "deployment":
        return { ...base, job: "kube-state-metrics", deployment: w.name };
      case "statefulset":
        return { ...base, job: "kube-state-metrics", statefulset: w.name };
      case "hpa":
        return { ...base, job: "kube-state-metrics", horizontalpodautoscaler: w.name };
      case "cronjob":
        return {
          ...base,
          job: "kube-state-metrics",
          job_name: w.kind === "CronJob" ? `${w.name}-${Math.floor(t / MINUTE) - i * 60}` : w.name,
        };
      case "pvc":
        return { ...base, job: "kubelet", persistentvolumeclaim: `data-${w.name}-${i % w.replicas}` };
      case "namespace": {
        const { service: _s, tier: _t, ...ns } = base;
        return {
          ...ns,
          job: "kube-state-metrics",
          resourcequota: "compute-resources",
          resource: ["requests.cpu", "requests.memory", "limits.memory", "pods"][i % 4]!,
        };
      }
      case "cert":
        return {
          ...base,
          job: "cert-manager",
          name: `${w.name}-tls`,
          issuer_name: "letsencrypt-prod",
          issuer_kind: "ClusterIssuer",
        };
    }
  }

  /** The alerts of one firing group, with fresh fingerprints; undefined when none is fresh. */
  buildAlerts(rule: AlertRule, t: number, f: Forced = {}): Built | undefined {
    const { rng } = this;
    let w = f.workload;
    if (!w && rule.scope !== "node") {
      const pairs = this.pairs.get(rule) ?? [];
      if (!pairs.length) return undefined;
      w = rng.weighted(pairs);
    }
    const [lo, hi] = rule.fanout;
    let fan = f.fan ?? rng.int(lo, hi);
    if (f.fan === undefined && hi > 1 && rng.chance(0.15)) fan += rng.int(3, 14);
    if (w && (rule.scope === "pvc" || (w.kind === "StatefulSet" && rule.scope === "pod")))
      fan = Math.min(fan, w.replicas);
    const alerts: Built["alerts"] = [];
    const vals = this.values(rule);
    for (let i = 0; i < fan; i++) {
      const labels: Record<string, string> = {
        alertname: rule.alertname,
        severity: rule.severity,
        prometheus: PROMETHEUS,
        ...this.scopeLabels(rule, w, t, i, f),
      };
      const fingerprint = alertFingerprint(labels);
      if (this.used.has(fingerprint) || alerts.some((a) => a.fingerprint === fingerprint)) continue;
      const v = { ...vals, ...labels };
      const annotations = {
        summary: fill(rule.summary, v),
        description: fill(rule.description, v),
        runbook_url: runbookUrl(rule),
      };
      const start =
        i === 0 ? t : t + Math.round(Math.min(6 * MINUTE, rng.range(0, 4 * MINUTE) * (1 + i / 4)));
      alerts.push({ labels, annotations, fingerprint, start });
    }
    return alerts.length ? { rule, alerts } : undefined;
  }

  private isBusy(groupKey: string, t: number): boolean {
    const reservedFrom = this.reserved.get(groupKey);
    if (reservedFrom !== undefined && t > reservedFrom - 5 * DAY) return true;
    return (this.busy.get(groupKey) ?? -Infinity) > t;
  }

  /** One random episode at t: an incident, or suppressed alerts in a maintenance window. */
  episode(t: number): void {
    const pairs = ALERT_RULES.map((r) => [r, r.weight] as const);
    for (let attempt = 0; attempt < 6; attempt++) {
      const rule = this.rng.weighted(pairs);
      const built = this.buildAlerts(rule, t);
      if (!built) continue;
      const groupKey = groupKeyOf(built.alerts[0]!.labels);
      if (this.isBusy(groupKey, t)) continue;
      this.commit(built, groupKey, {});
      return;
    }
  }

  private suppressedOf(built: Built): boolean[] {
    return built.alerts.map((a) => inMaintenance(a.labels, a.start, this.config.maintenance) !== undefined);
  }

  /** Records suppressed alerts (no incident): they fire and clear by themselves. */
  private loosen(built: Built, groupKey: string, which: readonly boolean[]): void {
    built.alerts.forEach((a, i) => {
      if (!which[i]) return;
      this.used.add(a.fingerprint);
      const end = a.start + this.rng.int(4, 45) * MINUTE;
      const resolved = end <= this.now;
      this.loose.push({
        fingerprint: a.fingerprint,
        status: resolved ? "resolved" : "firing",
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.start,
        ...(resolved ? { endsAt: end } : {}),
        generatorURL: generatorUrl(built.rule),
        source: "alertmanager",
        groupKey,
        suppressed: true,
        receivedAt: resolved ? end : Math.min(this.now, a.start + 30_000),
      });
    });
  }

  commit(
    built: Built,
    groupKey: string,
    forced: Pick<Plan, "ackDelayMs" | "workMs" | "mitigate">,
  ): Record_ | undefined {
    const suppressed = this.suppressedOf(built);
    this.loosen(built, groupKey, suppressed);
    const alerts = built.alerts.filter((_, i) => !suppressed[i]);
    if (!alerts.length) return undefined;
    const { rng, config } = this;
    const t = alerts[0]!.start;
    const createdAt = t + 30_000 + rng.int(0, 15_000);
    let priority: Priority = "P3";
    let first = true;
    for (const a of alerts) {
      const p = priorityFor(a.labels, config.policy).priority;
      if (first || p < priority) priority = p;
      first = false;
    }
    const labels = commonLabels(alerts.map((a) => a.labels));
    const head = alerts[0]!;
    const where =
      built.rule.scope === "node"
        ? (labels.node ?? `${alerts.length} nodes`)
        : labels.service && labels.namespace
          ? `${labels.namespace}/${labels.service}`
          : (labels.namespace ?? "cluster");
    const plan: Plan = {
      id: this.id("inc", createdAt),
      rule: built.rule,
      title: `${head.annotations.summary!.replace(/\.$/, "")} (${where})`,
      priority,
      groupKey,
      labels,
      alerts: alerts.map((a): AlertLife => ({
        fingerprint: a.fingerprint,
        labels: a.labels,
        fires: [{ start: a.start }],
      })),
      createdAt,
      progress: Math.min(1, Math.max(0, (createdAt - this.start) / (this.now - this.start))),
      ...forced,
    };
    for (const a of alerts) this.used.add(a.fingerprint);
    const initial = plan.priority;
    const lived = live({ rng, config: this.fast, now: this.now, clock: this.clock }, plan);
    const steps = cut(lived.steps, this.now);
    const incident = replay(plan, steps, initial, lived.pageAt);
    this.maybeReview(incident, steps);
    const last =
      incident.status === "resolved" || incident.status === "reviewed" ? incident.resolvedAt! : Infinity;
    this.busy.set(groupKey, last + config.policy.reopenWindow + MINUTE);
    const rec: Record_ = {
      plan,
      lived,
      incident,
      steps,
      suppressed: false,
      annotations: new Map(alerts.map((a) => [a.fingerprint, a.annotations])),
    };
    this.records.push(rec);
    return rec;
  }

  private maybeReview(incident: Incident, steps: Step[]): void {
    const { rng } = this;
    if (incident.status !== "resolved" || !rng.chance(REVIEW_P[incident.priority])) return;
    // Whole milliseconds, as every stored time.
    const at = Math.round(
      this.clock.nextBusinessStart(incident.resolvedAt! + rng.range(0.8, 5) * DAY) +
        rng.int(30, 360) * MINUTE,
    );
    if (at > this.now - 30 * MINUTE) return;
    const actor = incident.commander ?? incident.assignee ?? "day2";
    steps.push({
      at,
      kind: "reviewed",
      actor,
      text: "post-incident review published",
      data: { from: "resolved", to: "reviewed" },
    });
    incident.status = "reviewed";
    incident.reviewedAt = at;
  }
}

/**
 * A schedule as its shifts (onCallTimeline over a range), written as overrides: whoIsOnCall
 * gives the same users inside the range without re-deriving rotations (and their time-zone
 * arithmetic) on every page. Only used while generating; the history returns the schedules as
 * configured.
 */
export function flatSchedule(s: Schedule, shifts: readonly OnCallSegment[]): Schedule {
  return {
    ...s,
    layers: [],
    overrides: shifts.map((seg) => ({ user: seg.user, from: seg.start, to: seg.end })),
  };
}

function generatorUrl(rule: AlertRule): string {
  return `${GENERATOR}?g0.expr=${encodeURIComponent(rule.expr)}&g0.tab=1`;
}

function commonLabels(sets: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = sets;
  const out: Record<string, string> = {};
  if (!first) return out;
  for (const [k, v] of Object.entries(first)) if (rest.every((s) => s[k] === v)) out[k] = v;
  return out;
}

function ruleNamed(alertname: string, severity?: string): AlertRule {
  const r = ALERT_RULES.find(
    (x) => x.alertname === alertname && (severity === undefined || x.severity === severity),
  );
  if (!r) throw new Error(`no demo alert rule ${alertname}`);
  return r;
}

function workloadNamed(b: HistoryBuilder, namespace: string, name: string): DemoWorkload {
  const w = b.workloads.find((x) => x.namespace === namespace && x.name === name);
  if (!w) throw new Error(`no demo workload ${namespace}/${name}`);
  return w;
}

interface Planted {
  rule: AlertRule;
  ago: number;
  forced: Forced;
  ackDelayMs?: number;
  workMs?: number;
  mitigate?: boolean;
}

/** Open incidents at `now` that match the demo cluster's planted problems. */
function plantedIncidents(b: HistoryBuilder): Planted[] {
  const checkout = (name: string) => workloadNamed(b, "checkout", name);
  const far = 3 * DAY;
  return [
    {
      rule: ruleNamed("HighErrorRate"),
      ago: 100 * MINUTE,
      forced: {
        workload: checkout("cart-api"),
        pods: [1, 2].map((i) => plantedPod("checkout", "cart-api", i)),
        fan: 2,
      },
      ackDelayMs: 3 * MINUTE,
      workMs: far,
      mitigate: true,
    },
    {
      rule: ruleNamed("KubePodCrashLooping"),
      ago: 3 * HOUR + 5 * MINUTE,
      forced: { workload: checkout("cart-api"), pods: [plantedPod("checkout", "cart-api", 0)], fan: 1 },
      ackDelayMs: 9 * MINUTE,
      workMs: far,
      mitigate: false,
    },
    {
      rule: ruleNamed("KubeNodeNotReady"),
      ago: 2 * HOUR - 1 * MINUTE,
      forced: { nodes: [NOT_READY_NODE], fan: 1 },
      ackDelayMs: 6 * MINUTE,
      workMs: far,
      mitigate: false,
    },
    {
      rule: ruleNamed("KubeNodePressure"),
      ago: 23 * MINUTE,
      forced: { nodes: [PRESSURE_NODE], fan: 1 },
      ackDelayMs: far,
      workMs: far,
    },
    {
      rule: ruleNamed("KubeDeploymentRolloutStuck"),
      ago: 47 * MINUTE,
      forced: { workload: workloadNamed(b, "search", "search-indexer"), fan: 1 },
      ackDelayMs: far,
      workMs: far,
    },
    {
      rule: ruleNamed("KubeJobFailed"),
      ago: 5 * HOUR,
      forced: { workload: workloadNamed(b, "batch-jobs", "report-export"), fan: 1 },
      ackDelayMs: 84 * MINUTE,
      workMs: far,
      mitigate: false,
    },
  ];
}

/** Alerts recorded during the two maintenance windows: suppressed, paging nobody. */
function maintenanceBursts(b: HistoryBuilder): void {
  const [rollover, upgrade] = b.config.maintenance;
  if (rollover) {
    const t = rollover.startsAt + 12 * MINUTE;
    const nodes = [0, 1, 2].map(() => `ip-10-0-${b.rng.int(0, 3)}-${b.rng.int(10, 250)}.ec2.internal`);
    emitBurst(b, ruleNamed("KubeNodeNotReady"), t, { nodes, fan: 3 });
    const w = b.byRule.get(ruleNamed("KubePodNotReady")) ?? [];
    if (w.length)
      emitBurst(b, ruleNamed("KubePodNotReady"), t + 20 * MINUTE, { workload: b.rng.pick(w), fan: 2 });
  }
  if (upgrade) {
    const t = upgrade.startsAt + 8 * MINUTE;
    emitBurst(b, ruleNamed("KubeStatefulSetReplicasMismatch"), t, {
      workload: workloadNamed(b, "orders", "orders-db"),
      fan: 1,
    });
    emitBurst(b, ruleNamed("HighErrorRate"), t + 2 * MINUTE, {
      workload: workloadNamed(b, "orders", "orders-api"),
      fan: 2,
    });
  }
}

function emitBurst(b: HistoryBuilder, rule: AlertRule, t: number, f: Forced): void {
  const built = b.buildAlerts(rule, t, f);
  if (!built) return;
  const matching: Built = {
    rule,
    alerts: built.alerts.filter((a) => inMaintenance(a.labels, a.start, b.config.maintenance)),
  };
  if (matching.alerts.length) b.commit(matching, groupKeyOf(matching.alerts[0]!.labels), {});
}

function alertsOf(rec: Record_, now: number): Alert[] {
  const out: Alert[] = [];
  for (const life of rec.lived.alerts) {
    const fires = life.fires.filter((f) => f.start <= now);
    const f = fires[fires.length - 1];
    if (!f) continue;
    const resolved = f.end !== undefined && f.end <= now;
    const fingerprint = life.fingerprint;
    out.push({
      fingerprint,
      status: resolved ? "resolved" : "firing",
      labels: life.labels,
      annotations: rec.annotations.get(fingerprint) ?? {},
      startsAt: f.start,
      ...(resolved ? { endsAt: f.end } : {}),
      generatorURL: generatorUrl(rec.plan.rule),
      source: "alertmanager",
      groupKey: rec.plan.groupKey,
      incidentId: rec.plan.id,
      receivedAt: resolved ? f.end! : Math.min(now, f.start + 30_000),
    });
  }
  return out;
}

function actionItemsFor(
  b: HistoryBuilder,
  incident: Incident,
  family: AlertRule["family"],
  suggested: readonly { title: string; runbook?: string; owner?: string }[],
): ActionItem[] {
  const { rng } = b;
  const created = incident.reviewedAt!;
  const owner = incident.commander ?? incident.assignee;
  const items: { title: string; runbook?: string; owner?: string }[] = suggested
    .filter((s) => s.runbook)
    .slice(0, 2);
  const extra = rng.int(incident.priority === "P3" ? 0 : 1, 2);
  for (let i = 0; i < extra; i++)
    items.push({
      title: fill(rng.pick(ACTION_ITEMS[family]), { service: incident.service ?? "the service" }),
    });
  const seen = new Set<string>();
  return items
    .filter((it) => !seen.has(it.title) && seen.add(it.title))
    .map((it) => {
      const dueAt = created + rng.int(7, 21) * DAY;
      const who = it.owner ?? (rng.chance(0.7) && owner ? owner : incident.assignee);
      const item: ActionItem = { id: b.id("ai", created), incidentId: incident.id, title: it.title, dueAt };
      if (who) item.owner = who;
      if (it.runbook) item.runbook = it.runbook;
      const closedAt = closeTime(rng, created, dueAt, b.now);
      if (closedAt !== undefined) item.closedAt = closedAt;
      return item;
    });
}

/** Most items close before or a little after their due date; some stay open (and go overdue). */
function closeTime(rng: Rng, created: number, dueAt: number, now: number): number | undefined {
  const p = dueAt < now ? 0.7 : 0.3;
  if (!rng.chance(p)) return undefined;
  const at = Math.round(created + DAY + rng.next() * (dueAt + 5 * DAY - created - DAY));
  return at <= now ? at : undefined;
}

function reviewsFor(
  b: HistoryBuilder,
  entries: ReadonlyMap<string, TimelineEntry[]>,
  alerts: ReadonlyMap<string, Alert[]>,
): { reviews: DemoReview[]; items: ActionItem[] } {
  const reviews: DemoReview[] = [];
  const items: ActionItem[] = [];
  for (const rec of b.records) {
    const inc = rec.incident;
    if (!inc || inc.status !== "reviewed") continue;
    const before = (entries.get(inc.id) ?? []).filter((e) => e.kind !== "reviewed");
    const asResolved: Incident = { ...inc, status: "resolved" };
    delete asResolved.reviewedAt;
    const incAlerts = alerts.get(inc.id) ?? [];
    // The runbook updates reviewDraft suggests, kept as stored items.
    const runbooks = [...new Set(incAlerts.map(alertRunbook).filter((r): r is string => Boolean(r)))].sort();
    const suggested = runbooks.map((r) => ({
      title: `Update ${r} with what this incident taught`,
      runbook: r,
    }));
    const mine = actionItemsFor(b, inc, rec.plan.rule.family, suggested);
    items.push(...mine);
    const atReview = mine.map(({ closedAt: _c, ...open }) => open);
    const draft = reviewDraft(asResolved, before, incAlerts, atReview, {
      now: inc.reviewedAt!,
      ackDeadlineMs: b.clock.ackDeadline(inc.priority, inc.createdAt) - inc.createdAt,
    });
    reviews.push({ incidentId: inc.id, markdown: renderReviewMarkdown(draft), createdAt: inc.reviewedAt! });
  }
  return { reviews, items };
}

/** The demo's incident history: seeded, deterministic, plain data. */
export function demoIncidentHistory(options: DemoIncidentOptions = {}): DemoIncidentHistory {
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
  const now = options.now ?? DEMO_NOW_MS;
  const days = options.days ?? 90;
  const b = new HistoryBuilder(seed, now, days, demoWorkloads(seed));
  const planted = plantedIncidents(b);
  for (const p of planted) {
    const built = b.buildAlerts(p.rule, now - p.ago, p.forced);
    if (built) b.reserved.set(groupKeyOf(built.alerts[0]!.labels), now - p.ago);
  }
  b.used.clear();
  randomEpisodes(b);
  maintenanceBursts(b);
  for (const p of planted) {
    const built = b.buildAlerts(p.rule, now - p.ago, p.forced);
    if (!built) continue;
    const forced: Pick<Plan, "ackDelayMs" | "workMs" | "mitigate"> = {};
    if (p.ackDelayMs !== undefined) forced.ackDelayMs = p.ackDelayMs;
    if (p.workMs !== undefined) forced.workMs = p.workMs;
    if (p.mitigate !== undefined) forced.mitigate = p.mitigate;
    b.commit(built, groupKeyOf(built.alerts[0]!.labels), forced);
  }
  return assemble(b);
}

function randomEpisodes(b: HistoryBuilder): void {
  const { rng } = b;
  const firstDay = Math.floor(b.start / DAY) * DAY;
  for (let d = firstDay; d < b.now; d += DAY) {
    const dow = new Date(d).getUTCDay();
    const progress = (d - firstDay) / (b.now - firstDay);
    const n = poisson(rng, BASE_RATE * WEEKDAY_RATE[dow]! * (1.1 - 0.2 * progress));
    const weekday = dow >= 1 && dow <= 5;
    const times: number[] = [];
    for (let i = 0; i < n; i++)
      times.push(
        Math.round(
          weekday && rng.chance(0.6) ? d + rng.range(9.5, 17.5) * HOUR : d + rng.range(0, 24) * HOUR,
        ),
      );
    times.sort((x, y) => x - y);
    for (const t of times) if (t >= b.start && t < b.now - 20 * MINUTE) b.episode(t);
  }
}

function assemble(b: HistoryBuilder): DemoIncidentHistory {
  const { now, config } = b;
  const records = [...b.records].sort((x, y) => x.plan.createdAt - y.plan.createdAt);
  const incidents = records.map((r) => r.incident!);
  const alertsBy = new Map<string, Alert[]>();
  const alerts: Alert[] = [...b.loose];
  for (const rec of records) {
    const mine = alertsOf(rec, now);
    alertsBy.set(rec.plan.id, mine);
    alerts.push(...mine);
  }
  alerts.sort((x, y) => x.startsAt - y.startsAt || (x.fingerprint < y.fingerprint ? -1 : 1));
  const flat = records.flatMap((r) => r.steps.map((s) => ({ s, id: r.plan.id })));
  flat.sort((x, y) => x.s.at - y.s.at);
  const timeline: TimelineEntry[] = [];
  const entriesBy = new Map<string, TimelineEntry[]>();
  for (const { s, id } of flat) {
    const e: TimelineEntry = {
      id: b.id("tl", s.at),
      incidentId: id,
      at: s.at,
      kind: s.kind,
      actor: s.actor,
      text: s.text,
    };
    if (s.data) e.data = s.data;
    timeline.push(e);
    let list = entriesBy.get(id);
    if (!list) entriesBy.set(id, (list = []));
    list.push(e);
  }
  const { reviews, items } = reviewsFor(b, entriesBy, alertsBy);
  const onCallHistory = config.schedules.flatMap((s) =>
    (b.shifts.get(s.id) ?? [])
      .filter((seg) => seg.end > b.start && seg.start < now)
      .map((seg) => ({
        schedule: s.id,
        user: seg.user,
        start: Math.max(seg.start, b.start),
        end: Math.min(seg.end, now),
        layer: seg.layer,
      })),
  );
  return {
    alerts,
    incidents,
    timeline,
    actionItems: items,
    reviews,
    schedules: [...config.schedules],
    escalationPolicies: [...config.escalationPolicies],
    onCallHistory,
    maintenance: [...config.maintenance],
    config,
  };
}

/**
 * KPIs from ClusterState (and usage): failed deployments, pod startup time, resource
 * utilization. Pure functions of the state, a window and usage data.
 */
import type { ClusterState } from "../../state/cluster-state.js";
import type { ReplicaSet } from "../../state/types.js";
import { percentile } from "../../incident/figures.js";
import type { UsageData } from "../../cost/types.js";
import type { Measurement } from "../types.js";
import { measured, noData } from "../types.js";

export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/**
 * Failed deployments: a rollout is a Deployment revision (its `revision`, else the number of
 * its ReplicaSets); failed are the rollouts rolled back (a ReplicaSet's revision-history
 * annotation lists the earlier revisions its template had: each entry is one rollout
 * that went back to it) plus the Deployments whose current rollout hit
 * ProgressDeadlineExceeded. Over the history the cluster keeps (revisionHistoryLimit).
 */
export function failedDeploymentsKpi(state: ClusterState): Measurement {
  let rollouts = 0;
  let deadline = 0;
  let rollbacks = 0;
  const deployments = state.list("Deployment");
  for (const d of deployments) {
    const rs = state.children(d).filter((c): c is ReplicaSet => c.kind === "ReplicaSet");
    const revisions = Math.max(d.revision ?? 0, ...rs.map((r) => r.revision ?? 0), rs.length);
    rollouts += revisions;
    if (
      d.conditions.some(
        (c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded",
      )
    )
      deadline++;
    for (const r of rs) {
      const h = r.annotations[REVISION_HISTORY];
      if (h) rollbacks += h.split(",").filter((x) => x.trim() !== "").length;
    }
  }
  const detail = { deployments: deployments.length, rollouts, progressDeadlineExceeded: deadline, rollbacks };
  if (rollouts === 0) return noData("%", "no data: no Deployment rollouts in the cluster state", detail);
  const failed = Math.min(rollouts, deadline + rollbacks);
  return measured(round((failed / rollouts) * 100), "%", { ...detail, failed }, "cluster state");
}

export interface StartupWindow {
  from: number;
  to: number;
}

/**
 * Pod startup time: p95 (nearest rank) of Ready - creation, in seconds, over the pods created in
 * the window that are Ready. Pods whose containers restarted are left out: their Ready
 * transition is the last one, not the first.
 */
export function podStartupKpi(state: ClusterState, w: StartupWindow): Measurement {
  const samples: number[] = [];
  let restarted = 0;
  let notReady = 0;
  let created = 0;
  for (const p of state.list("Pod")) {
    if (!(p.createdAt >= w.from && p.createdAt < w.to)) continue;
    created++;
    if (p.readyAt === undefined || !(p.readyAt >= p.createdAt)) {
      notReady++;
      continue;
    }
    if (p.statuses.some((s) => s.restartCount > 0)) {
      restarted++;
      continue;
    }
    samples.push((p.readyAt - p.createdAt) / 1000);
  }
  const detail = { podsCreated: created, measured: samples.length, notReady, restarted };
  if (samples.length === 0)
    return noData(
      "s",
      created === 0
        ? "no data: no pod was created in the window"
        : "no data: no pod created in the window became Ready without a restart",
      detail,
    );
  samples.sort((a, b) => a - b);
  return measured(
    round(percentile(samples, 95), 1),
    "s",
    { ...detail, p50S: round(percentile(samples, 50), 1) },
    "cluster state",
  );
}

/** The utilisation range the KPI judges against (its target when a range, else 60-80). */
export interface UtilizationRange {
  min: number;
  max: number;
}

/**
 * Of CPU and memory utilisation, the one further outside `range` (inside both: the one closer
 * to an edge), so that either resource out of range misses the target: CPU 95% and memory 35%
 * is not a "met" 65%.
 */
export function worseOf(
  cpuPct: number,
  memPct: number,
  range: UtilizationRange,
): { pct: number; judged: "cpu" | "memory" } {
  const outside = (v: number): number => Math.max(range.min - v, v - range.max);
  return outside(memPct) > outside(cpuPct)
    ? { pct: memPct, judged: "memory" }
    : { pct: cpuPct, judged: "cpu" };
}

/**
 * Resource utilization: per step, the summed container usage / the nodes' allocatable, CPU and
 * memory; the mean over the steps with samples. Both are judged: the value is the one further
 * from the target range (see worseOf); the detail has both.
 */
export function resourceUtilizationKpi(
  state: ClusterState,
  usage: UsageData | undefined,
  range: UtilizationRange = { min: 60, max: 80 },
): Measurement {
  if (!usage || usage.source === "none" || usage.containers.size === 0)
    return noData("%", "no data: no usage (--prometheus, metrics-server on a live cluster, or the demo)");
  let cpuAlloc = 0;
  let memAlloc = 0;
  for (const n of state.list("Node")) {
    cpuAlloc += (n.allocatable.cpu ?? n.capacity.cpu ?? 0) / 1000;
    memAlloc += n.allocatable.memory ?? n.capacity.memory ?? 0;
  }
  if (!(cpuAlloc > 0) || !(memAlloc > 0)) return noData("%", "no data: no node allocatable CPU and memory");
  let steps = 0;
  for (const c of usage.containers.values()) steps = Math.max(steps, c.cpu.length, c.memory.length);
  const cpu = new Float64Array(steps);
  const mem = new Float64Array(steps);
  const seen = new Uint8Array(steps);
  for (const c of usage.containers.values()) {
    for (let i = 0; i < c.cpu.length; i++) {
      const v = c.cpu[i]!;
      if (Number.isFinite(v)) {
        cpu[i] = cpu[i]! + v;
        seen[i] = 1;
      }
    }
    for (let i = 0; i < c.memory.length; i++) {
      const v = c.memory[i]!;
      if (Number.isFinite(v)) {
        mem[i] = mem[i]! + v;
        seen[i] = 1;
      }
    }
  }
  let n = 0;
  let cpuSum = 0;
  let memSum = 0;
  for (let i = 0; i < steps; i++) {
    if (!seen[i]) continue;
    n++;
    cpuSum += cpu[i]! / cpuAlloc;
    memSum += mem[i]! / memAlloc;
  }
  if (n === 0) return noData("%", "no data: the usage has no samples in the window");
  const cpuPct = (cpuSum / n) * 100;
  const memPct = (memSum / n) * 100;
  const worse = worseOf(round(cpuPct), round(memPct), range);
  return measured(
    worse.pct,
    "%",
    { cpuPct: round(cpuPct), memoryPct: round(memPct), judged: worse.judged, steps: n, usage: usage.source },
    usage.source === "demo" ? "demo usage" : usage.source,
  );
}

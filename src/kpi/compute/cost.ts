/**
 * KPIs from the cost model: compute cost efficiency, idle resource %, storage cost per TB and
 * cost per request. Pure: an AllocationResult (src/cost/allocation.ts), the state's volumes and
 * a request count in, measurements out.
 */
import type { AllocationResult } from "../../cost/allocation.js";
import type { ClusterState } from "../../state/cluster-state.js";
import type { Measurement } from "../types.js";
import { measured, noData } from "../types.js";
import type { PromValue } from "./prometheus.js";
import { NO_PROMETHEUS } from "./prometheus.js";

const TB = 1e12;
const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/**
 * Compute cost efficiency (OpenCost's): cost of the CPU and memory used / cost of the CPU and
 * memory allocated (max(request, usage)), where used = allocated - the unused requests' cost.
 * Needs usage.
 */
export function computeEfficiencyKpi(a: AllocationResult): Measurement {
  if (a.usage.source === "none")
    return noData("%", "no data: no usage (--prometheus, metrics-server on a live cluster, or the demo)");
  const allocated = a.allocated.cpu + a.allocated.memory;
  if (!(allocated > 0)) return noData("%", "no data: no CPU or memory allocated to pods");
  const used = Math.max(0, allocated - a.workloadIdle.cost);
  return measured(
    round((used / allocated) * 100),
    "%",
    { usedUsd: round(used), allocatedUsd: round(allocated), coverage: round(a.usage.coverage, 3) },
    "cost allocation",
  );
}

/**
 * Idle resource % (the handbook's definition, and the one the cost page shows as its idle %):
 * node cost not allocated to any pod (neither requested nor used) / the nodes' allocatable
 * cost (node cost minus system reserves), CPU and memory cost-weighted. Null, with the reason,
 * when there is no allocatable cost or nothing is allocated to pods (an empty or unreadable
 * cluster is not "100% idle").
 */
/** idle / (node cost - reserved) in %, null without allocatable node cost: the one idle % definition. */
export function idleOfAllocatable(a: AllocationResult): number | null {
  const allocatable = a.cluster.nodes - a.overhead.reserved;
  return allocatable > 0 ? round((Math.max(0, a.idle.cost) / allocatable) * 100) : null;
}

export function idleShare(
  a: AllocationResult,
): { pct: number; idleUsd: number; allocatableUsd: number } | { pct: null; reason: string } {
  const allocatable = a.cluster.nodes - a.overhead.reserved;
  if (!(allocatable > 0)) return { pct: null, reason: "no node cost in the window (no priced nodes)" };
  if (!(a.allocated.cpu + a.allocated.memory > 0))
    return { pct: null, reason: "no CPU or memory allocated to pods (no pods priced in the window)" };
  const idle = Math.max(0, a.idle.cost);
  return { pct: idleOfAllocatable(a)!, idleUsd: round(idle), allocatableUsd: round(allocatable) };
}

export function idleResourceKpi(a: AllocationResult): Measurement {
  const s = idleShare(a);
  if (s.pct === null) return noData("%", `no data: ${s.reason}`);
  return measured(
    s.pct,
    "%",
    { idleUsd: s.idleUsd, allocatableUsd: s.allocatableUsd, overAllocated: a.idle.overAllocated },
    "cost allocation",
  );
}

/** Provisioned storage in bytes: PersistentVolumes, else bound claims' capacity (or request). */
export function provisionedBytes(state: ClusterState): { bytes: number; from: string } {
  const pvs = state.list("PersistentVolume");
  const pvBytes = pvs.reduce((s, v) => s + (v.capacityBytes ?? 0), 0);
  if (pvBytes > 0) return { bytes: pvBytes, from: "PersistentVolumes" };
  const pvcBytes = state
    .list("PersistentVolumeClaim")
    .reduce((s, c) => s + (c.capacityBytes ?? c.requestedBytes ?? 0), 0);
  return { bytes: pvcBytes, from: "PersistentVolumeClaims" };
}

/** Storage cost per TB-month: the window's storage cost at a monthly rate / TB provisioned. */
export function storageCostPerTbKpi(
  a: AllocationResult,
  provisioned: { bytes: number; from: string },
): Measurement {
  if (!(provisioned.bytes > 0))
    return noData("$/TB-month", "no data: no provisioned storage (no PersistentVolumes or claims)");
  const perMonth = a.cluster.cost > 0 ? a.cluster.monthly / a.cluster.cost : 0;
  const monthly = a.cluster.storage * perMonth;
  const tb = provisioned.bytes / TB;
  return measured(
    round(monthly / tb),
    "$/TB-month",
    { storageMonthlyUsd: round(monthly), provisionedTB: round(tb, 4), from: provisioned.from },
    "cost allocation",
  );
}

/**
 * Cost per request: the cluster's cost over the window the requests were counted in / those
 * requests, in $ per million requests. `requestWindowMs` (the range of the request query) prices
 * the allocation's cost rate over exactly that window, so a cost allocated over 14 days and
 * requests counted over 30 cannot halve the figure; without it the allocation's window is used.
 */
export function costPerRequestKpi(
  a: AllocationResult | undefined,
  requests: PromValue | undefined,
  requestWindowMs?: number,
): Measurement {
  const unit = "$/1M req";
  if (!requests) return noData(unit, NO_PROMETHEUS);
  if (requests.kind === "error")
    return noData(unit, `no data: the request count query failed: ${requests.message}`);
  if (requests.kind === "empty" || !(requests.value > 0))
    return noData(unit, "no data: no requests counted in the window (is the request counter scraped?)");
  if (!a) return noData(unit, "no data: no cost allocation");
  const hours = a.window.hours;
  const scaled = requestWindowMs !== undefined && requestWindowMs > 0 && hours > 0;
  const cost = scaled ? (a.cluster.cost / hours) * (requestWindowMs / 3_600_000) : a.cluster.cost;
  return measured(
    round((cost / requests.value) * 1e6, 4),
    unit,
    {
      clusterCostUsd: round(cost),
      requests: Math.round(requests.value),
      windowH: round(scaled ? requestWindowMs / 3_600_000 : hours),
    },
    "cost allocation + prometheus",
  );
}

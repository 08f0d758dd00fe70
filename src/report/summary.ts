/** The cluster summary at the top of a report: version, nodes, pods, workloads. Pure. */
import type { ClusterState } from "../state/cluster-state.js";

export interface PoolSummary {
  pool: string;
  nodes: number;
  ready: number;
  notReady: number;
  spot: number;
  cpuMillis: number;
  memoryBytes: number;
}

export interface ClusterSummary {
  version: string;
  nodes: { total: number; ready: number; notReady: number; unschedulable: number; pressure: number };
  pools: PoolSummary[];
  zones: Record<string, number>;
  kubeletVersions: Record<string, number>;
  namespaces: number;
  pods: { total: number; byPhase: Record<string, number>; containers: number };
  workloads: Record<string, number>;
  services: number;
  pvcs: number;
}

function inc(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

export function summarize(state: ClusterState): ClusterSummary {
  const pools = new Map<string, PoolSummary>();
  const zones: Record<string, number> = {};
  const kubeletVersions: Record<string, number> = {};
  const nodes = { total: 0, ready: 0, notReady: 0, unschedulable: 0, pressure: 0 };
  for (const n of state.list("Node")) {
    nodes.total++;
    if (n.ready === "True") nodes.ready++;
    else nodes.notReady++;
    if (n.unschedulable) nodes.unschedulable++;
    if (n.conditions.some((c) => c.type.endsWith("Pressure") && c.status === "True")) nodes.pressure++;
    const name = n.pool ?? "(no pool label)";
    let p = pools.get(name);
    if (!p) {
      p = { pool: name, nodes: 0, ready: 0, notReady: 0, spot: 0, cpuMillis: 0, memoryBytes: 0 };
      pools.set(name, p);
    }
    p.nodes++;
    if (n.ready === "True") p.ready++;
    else p.notReady++;
    if (n.capacityType === "spot") p.spot++;
    p.cpuMillis += n.allocatable.cpu ?? 0;
    p.memoryBytes += n.allocatable.memory ?? 0;
    if (n.zone) inc(zones, n.zone);
    if (n.kubeletVersion) inc(kubeletVersions, n.kubeletVersion);
  }
  const byPhase: Record<string, number> = {};
  let containers = 0;
  for (const p of state.list("Pod")) {
    inc(byPhase, p.phase);
    containers += p.containers.length;
  }
  const workloads: Record<string, number> = {};
  for (const k of ["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"] as const)
    workloads[k] = state.count(k);
  return {
    version: state.info.version?.gitVersion ?? "unknown",
    nodes,
    pools: [...pools.values()].sort((a, b) => a.pool.localeCompare(b.pool)),
    zones,
    kubeletVersions,
    namespaces: state.namespaceNames().length,
    pods: { total: state.count("Pod"), byPhase, containers },
    workloads,
    services: state.count("Service"),
    pvcs: state.count("PersistentVolumeClaim"),
  };
}

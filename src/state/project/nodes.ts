/** Nodes, with pool, zone, instance type and capacity type read from well-known labels. */
import type { KubeObject } from "../raw.js";
import type { Node, Taint } from "../types.js";
import type { Labels } from "../selector.js";
import { assemble } from "./common.js";
import type { Interner } from "./common.js";
import { EMPTY, arr, conditions, findCondition, meta, obj, resources, str, time } from "./common.js";
import { parseQuantity } from "../quantity.js";

/** Node-pool labels of EKS, Karpenter, GKE, AKS and common conventions, in that order. */
const POOL_LABELS = [
  "eks.amazonaws.com/nodegroup",
  "karpenter.sh/nodepool",
  "cloud.google.com/gke-nodepool",
  "kubernetes.azure.com/agentpool",
  "agentpool",
  "node.kubernetes.io/pool",
  "pool",
];

/** Capacity type (spot vs on-demand) as each provider labels it. */
export function capacityTypeOf(labels: Labels): "spot" | "on-demand" | undefined {
  const eks = labels["eks.amazonaws.com/capacityType"];
  if (eks) return eks.toUpperCase() === "SPOT" ? "spot" : "on-demand";
  const karpenter = labels["karpenter.sh/capacity-type"];
  if (karpenter) return karpenter === "spot" ? "spot" : "on-demand";
  if (labels["cloud.google.com/gke-spot"] === "true" || labels["cloud.google.com/gke-preemptible"] === "true")
    return "spot";
  const aks = labels["kubernetes.azure.com/scalesetpriority"];
  if (aks) return aks === "spot" ? "spot" : "on-demand";
  if (labels["cloud.google.com/gke-nodepool"] || labels["kubernetes.azure.com/agentpool"]) return "on-demand";
  return undefined;
}

export function projectNode(o: KubeObject, intern: Interner): Node {
  const base = meta(o, "Node", intern);
  const spec = obj(o.spec);
  const status = obj(o.status);
  const info = obj(status.nodeInfo);
  const conds = conditions(status.conditions, intern);
  const l = base.labels;
  const cap = obj(status.capacity);
  const alloc = obj(status.allocatable);
  const taints: Taint[] = arr(spec.taints).map((t) => ({
    key: intern.str(str(t.key) ?? ""),
    value: str(t.value),
    effect: intern.str(str(t.effect) ?? ""),
    timeAdded: time(t.timeAdded),
  }));
  const ready = findCondition(conds, "Ready");
  let lastHeartbeat: number | undefined;
  for (const c of arr(status.conditions)) {
    const t = typeof c.lastHeartbeatTime === "string" ? Date.parse(c.lastHeartbeatTime) : Number.NaN;
    if (!Number.isNaN(t) && (lastHeartbeat === undefined || t > lastHeartbeat)) lastHeartbeat = t;
  }
  const pool = POOL_LABELS.map((k) => l[k]).find((v) => v !== undefined);
  return assemble(base, {
    capacity: { ...resources(cap), pods: parseQuantity(cap.pods) },
    allocatable: { ...resources(alloc), pods: parseQuantity(alloc.pods) },
    conditions: conds,
    ready: ready?.status ?? "Unknown",
    unschedulable: spec.unschedulable === true,
    taints: taints.length ? taints : EMPTY,
    kubeletVersion: intern.str(str(info.kubeletVersion) ?? ""),
    osImage: intern.str(str(info.osImage) ?? ""),
    containerRuntime: intern.str(str(info.containerRuntimeVersion) ?? ""),
    architecture: intern.str(str(info.architecture) ?? l["kubernetes.io/arch"] ?? ""),
    instanceType: l["node.kubernetes.io/instance-type"] ?? l["beta.kubernetes.io/instance-type"],
    zone: l["topology.kubernetes.io/zone"] ?? l["failure-domain.beta.kubernetes.io/zone"],
    region: l["topology.kubernetes.io/region"] ?? l["failure-domain.beta.kubernetes.io/region"],
    pool,
    capacityType: capacityTypeOf(l),
    providerID: str(spec.providerID),
    lastHeartbeat,
  });
}

/**
 * What a node is, for pricing and per-pool reports: instance type, region, zone, capacity type
 * (spot or on-demand) and node pool, read from the well-known labels EKS, Karpenter, GKE and
 * AKS set. Each answer says which label decided it, so a price can explain itself.
 */
import type { Labels } from "../state/selector.js";
import type { Node } from "../state/types.js";

export type CapacityType = "spot" | "on-demand";
export type Provider = "aws" | "gcp" | "azure";

export interface NodeTopology {
  readonly instanceType?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly capacityType: CapacityType;
  /** The label that decided the capacity type, or "assumed" (no label: priced as on-demand). */
  readonly capacityTypeFrom: string;
  readonly pool: string;
  /** The label that named the pool, or how the name was made up. */
  readonly poolFrom: string;
  readonly provider?: Provider;
}

/** The pieces of a Node this module reads (a projection, or a hand-built test node). */
export type NodeLike = Pick<Node, "name" | "labels"> & Partial<Pick<Node, "providerID" | "pool">>;

/** Node-pool labels in order of precedence: EKS, Karpenter (v1, then v1alpha5), GKE, AKS. */
const POOL_LABELS = [
  "eks.amazonaws.com/nodegroup",
  "karpenter.sh/nodepool",
  "karpenter.sh/provisioner-name",
  "cloud.google.com/gke-nodepool",
  "kubernetes.azure.com/agentpool",
  "agentpool",
  "node.kubernetes.io/pool",
] as const;

/** Pool of nodes that carry none of the pool labels. */
export const DEFAULT_POOL = "default";

/** The node pool a node belongs to; reused by right-sizing, what-if and forecasting. */
export function nodePool(node: NodeLike): string {
  return poolOf(node).pool;
}

function poolOf(node: NodeLike): { pool: string; from: string } {
  for (const key of POOL_LABELS) {
    const v = node.labels[key];
    if (v) return { pool: v, from: key };
  }
  if (node.pool) return { pool: node.pool, from: "projection" };
  // kubeadm-style control planes carry only a role label; keep them out of the worker pool.
  if ("node-role.kubernetes.io/control-plane" in node.labels)
    return { pool: "control-plane", from: "node-role.kubernetes.io/control-plane" };
  return { pool: DEFAULT_POOL, from: "no pool label" };
}

/** Spot or on-demand as each provider labels it, with the label that said so. */
export function capacityTypeOf(labels: Labels): { type: CapacityType; from: string } {
  const eks = labels["eks.amazonaws.com/capacityType"];
  if (eks)
    return {
      type: eks.toUpperCase() === "SPOT" ? "spot" : "on-demand",
      from: "eks.amazonaws.com/capacityType",
    };
  const karpenter = labels["karpenter.sh/capacity-type"];
  if (karpenter)
    return {
      type: karpenter.toLowerCase() === "spot" ? "spot" : "on-demand",
      from: "karpenter.sh/capacity-type",
    };
  for (const key of ["cloud.google.com/gke-spot", "cloud.google.com/gke-preemptible"]) {
    if (labels[key] === "true") return { type: "spot", from: key };
  }
  const aks = labels["kubernetes.azure.com/scalesetpriority"];
  if (aks)
    return {
      type: aks.toLowerCase() === "spot" ? "spot" : "on-demand",
      from: "kubernetes.azure.com/scalesetpriority",
    };
  // GKE and AKS label only spot nodes: a managed pool node without the label is on-demand.
  if (labels["cloud.google.com/gke-nodepool"])
    return { type: "on-demand", from: "cloud.google.com/gke-nodepool" };
  if (labels["kubernetes.azure.com/agentpool"] || labels.agentpool)
    return { type: "on-demand", from: "kubernetes.azure.com/agentpool" };
  return { type: "on-demand", from: "assumed" };
}

/** us-east-1a -> us-east-1, us-central1-b -> us-central1, eastus-2 -> eastus. */
export function regionFromZone(zone: string): string | undefined {
  const aws = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)[a-z]$/.exec(zone);
  if (aws) return aws[1];
  const dashed = /^(.+)-([a-z]|\d)$/.exec(zone);
  return dashed?.[1];
}

function providerOf(node: NodeLike): Provider | undefined {
  const id = node.providerID ?? "";
  if (id.startsWith("aws://")) return "aws";
  if (id.startsWith("gce://")) return "gcp";
  if (id.startsWith("azure://")) return "azure";
  const keys = Object.keys(node.labels);
  if (keys.some((k) => k.startsWith("eks.amazonaws.com/") || k.startsWith("karpenter.k8s.aws/")))
    return "aws";
  if (keys.some((k) => k.startsWith("cloud.google.com/"))) return "gcp";
  if (keys.some((k) => k.startsWith("kubernetes.azure.com/"))) return "azure";
  return undefined;
}

/** Everything pricing needs to know about a node, from its labels (and providerID). */
export function nodeTopology(node: NodeLike): NodeTopology {
  const l = node.labels;
  const zone = l["topology.kubernetes.io/zone"] ?? l["failure-domain.beta.kubernetes.io/zone"];
  const region =
    l["topology.kubernetes.io/region"] ??
    l["failure-domain.beta.kubernetes.io/region"] ??
    (zone ? regionFromZone(zone) : undefined);
  const cap = capacityTypeOf(l);
  const pool = poolOf(node);
  const provider = providerOf(node);
  return {
    instanceType: l["node.kubernetes.io/instance-type"] ?? l["beta.kubernetes.io/instance-type"],
    ...(region ? { region } : {}),
    ...(zone ? { zone } : {}),
    capacityType: cap.type,
    capacityTypeFrom: cap.from,
    pool: pool.pool,
    poolFrom: pool.from,
    ...(provider ? { provider } : {}),
  };
}

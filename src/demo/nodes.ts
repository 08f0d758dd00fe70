/**
 * Node pools, node records and the scheduler stand-in that places pods on nodes that fit.
 * Node names and addresses depend only on the pool layout, never on the seed, so planted
 * node problems have stable names.
 */
import type { KubeObject } from "../state/raw.js";
import { DAY, Gi, HOUR, Ki, MINUTE, Mi, ago, cpuQty, uidOf } from "./format.js";
import type { VersionClock } from "./format.js";
import { hashParts, hexFromKey, unit } from "./random.js";
import { DEMO_KUBERNETES_VERSION } from "./scale.js";

export const REGION = "us-east-1";
export const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"] as const;

export type PoolName = "general" | "compute-spot" | "memory" | "gpu" | "system";
type LabelStyle = "eks" | "karpenter" | "gke" | "aks";
export type NodeHealth = "ready" | "not-ready" | "pressure";

export interface InstanceType {
  readonly name: string;
  readonly cores: number;
  readonly memGi: number;
  readonly maxPods: number;
  readonly gpu: number;
}

const INSTANCE_TYPES: Record<string, InstanceType> = {
  "m6i.2xlarge": { name: "m6i.2xlarge", cores: 8, memGi: 32, maxPods: 58, gpu: 0 },
  "m6i.4xlarge": { name: "m6i.4xlarge", cores: 16, memGi: 64, maxPods: 234, gpu: 0 },
  "c6i.4xlarge": { name: "c6i.4xlarge", cores: 16, memGi: 32, maxPods: 234, gpu: 0 },
  "r6i.2xlarge": { name: "r6i.2xlarge", cores: 8, memGi: 64, maxPods: 58, gpu: 0 },
  "g5.2xlarge": { name: "g5.2xlarge", cores: 8, memGi: 32, maxPods: 58, gpu: 1 },
};

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule";
  timeAdded?: string;
}

export interface NodeRec {
  readonly index: number;
  readonly name: string;
  readonly pool: PoolName;
  readonly poolIndex: number;
  readonly zone: number;
  readonly type: InstanceType;
  readonly style: LabelStyle;
  readonly spot: boolean;
  readonly ip: string;
  readonly podNet: string;
  readonly health: NodeHealth;
  readonly kubelet: string;
  readonly ageMs: number;
  readonly allocCpu: number;
  readonly allocMem: number;
  readonly taints: readonly Taint[];
}

/** Pool sizes for a node count: general takes what the fixed-ratio pools leave. */
export function poolSizes(nodes: number): [PoolName, number][] {
  const system = Math.max(3, Math.round(nodes * 0.05));
  const gpu = Math.max(2, Math.round(nodes * 0.03));
  const memory = Math.max(3, Math.round(nodes * 0.15));
  const compute = Math.max(3, Math.round(nodes * 0.22));
  const general = nodes - system - gpu - memory - compute;
  // General comes first so its node names do not move when other pools grow.
  return [
    ["general", general],
    ["compute-spot", compute],
    ["memory", memory],
    ["gpu", gpu],
    ["system", system],
  ];
}

/** The planted NotReady node (general pool, index 3) and the one under memory/disk pressure. */
export const NOT_READY_NODE = nodeNameFor("general", 3, 3);
export const PRESSURE_NODE = nodeNameFor("general", 4, 4);
/** The first memory-pool node: it runs an older kubelet (version skew). */
export const SKEWED_NODE = nodeNameFor("memory", 0, 0);

function nodeIp(index: number): string {
  const n = index + 10;
  return `10.0.${(index % 3) * 64 + (n >> 8)}.${n & 255}`;
}

function nodeNameFor(pool: PoolName, poolIndex: number, index: number): string {
  const style = styleOf(pool, poolIndex);
  if (style === "gke")
    return `gke-demo-${pool}-${hexFromKey(0, `gke/${pool}`, 8)}-${hexFromKey(0, `gke/${pool}/${poolIndex}`, 4)}`;
  if (style === "aks")
    return `aks-${pool}-${String((hashParts(0, "aks", pool) % 90_000_000) + 10_000_000)}-vmss${poolIndex.toString(36).padStart(6, "0")}`;
  return `ip-${nodeIp(index).replaceAll(".", "-")}.ec2.internal`;
}

function styleOf(pool: PoolName, poolIndex: number): LabelStyle {
  switch (pool) {
    case "general":
      return "karpenter";
    case "compute-spot":
      return poolIndex % 2 === 0 ? "karpenter" : "eks";
    case "memory":
      return "gke";
    case "gpu":
      return "aks";
    case "system":
      return "eks";
  }
}

function typeOf(pool: PoolName, poolIndex: number): InstanceType {
  const name =
    pool === "general"
      ? poolIndex % 5 < 3
        ? "m6i.2xlarge"
        : "m6i.4xlarge"
      : pool === "compute-spot"
        ? "c6i.4xlarge"
        : pool === "memory"
          ? "r6i.2xlarge"
          : pool === "gpu"
            ? "g5.2xlarge"
            : "m6i.2xlarge";
  const t = INSTANCE_TYPES[name];
  if (!t) throw new Error(`unknown instance type ${name}`);
  return t;
}

function isSpot(pool: PoolName, poolIndex: number): boolean {
  if (pool === "compute-spot") return true;
  if (pool === "memory") return poolIndex % 3 === 2;
  if (pool === "gpu") return poolIndex % 2 === 1;
  return false;
}

function healthOf(seed: number, name: string, pool: PoolName, poolIndex: number): NodeHealth {
  if (pool === "general" && poolIndex === 3) return "not-ready";
  if (pool === "general" && poolIndex === 4) return "pressure";
  if (pool === "general" && poolIndex < 5) return "ready";
  // At scale a few more nodes break, about one in a thousand of each kind.
  const r = unit(hashParts(seed, "node-health", name));
  if (r < 0.001) return "not-ready";
  if (r < 0.002) return "pressure";
  return "ready";
}

function poolTaints(n: { pool: PoolName; spot: boolean; style: LabelStyle; health: NodeHealth }): Taint[] {
  const taints: Taint[] = [];
  if (n.pool === "gpu") taints.push({ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" });
  if (n.pool === "system") taints.push({ key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" });
  if (n.style === "aks" && n.spot)
    taints.push({ key: "kubernetes.azure.com/scalesetpriority", value: "spot", effect: "NoSchedule" });
  if (n.health === "not-ready") {
    taints.push({
      key: "node.kubernetes.io/unreachable",
      effect: "NoSchedule",
      timeAdded: ago(2 * HOUR + 14 * MINUTE),
    });
    taints.push({
      key: "node.kubernetes.io/unreachable",
      effect: "NoExecute",
      timeAdded: ago(2 * HOUR + 9 * MINUTE),
    });
  }
  if (n.health === "pressure") {
    taints.push({
      key: "node.kubernetes.io/memory-pressure",
      effect: "NoSchedule",
      timeAdded: ago(38 * MINUTE),
    });
    taints.push({
      key: "node.kubernetes.io/disk-pressure",
      effect: "NoSchedule",
      timeAdded: ago(31 * MINUTE),
    });
  }
  return taints;
}

/** Every node of the cluster, in emission order. Small records: 5,000 of them are cheap. */
export function buildNodes(seed: number, nodes: number): NodeRec[] {
  const out: NodeRec[] = [];
  const skewed = Math.max(2, Math.round(nodes * 0.01));
  for (const [pool, count] of poolSizes(nodes)) {
    for (let k = 0; k < count; k++) {
      const index = out.length;
      const name = nodeNameFor(pool, k, index);
      const type = typeOf(pool, k);
      const style = styleOf(pool, k);
      const spot = isSpot(pool, k);
      const health = healthOf(seed, name, pool, k);
      // Karpenter and spot nodes are young; managed node groups have been around longer.
      const maxAgeDays = spot ? 6 : style === "karpenter" ? 21 : 90;
      const ageMs = Math.floor((0.2 + unit(hashParts(seed, "node-age", name)) * maxAgeDays) * DAY);
      const reservedCpu = type.cores <= 8 ? 90 : 110;
      const reservedMem = (255 + 11 * type.maxPods + 100) * Mi;
      out.push({
        index,
        name,
        pool,
        poolIndex: k,
        zone: index % 3,
        type,
        style,
        spot,
        ip: nodeIp(index),
        podNet: `10.${100 + (index >> 8)}.${index & 255}`,
        health,
        kubelet: pool === "memory" && k < skewed ? "v1.33.5" : DEMO_KUBERNETES_VERSION,
        ageMs,
        allocCpu: type.cores * 1000 - reservedCpu,
        allocMem: capacityMem(type) - reservedMem,
        taints: poolTaints({ pool, spot, style, health }),
      });
    }
  }
  return out;
}

function capacityMem(t: InstanceType): number {
  // The kernel and firmware keep a little; real nodes report slightly under the nominal size.
  return t.memGi * Gi - (t.memGi >= 64 ? 720 : 460) * Mi;
}

function nodeLabels(n: NodeRec): Record<string, string> {
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/instance-type": n.type.name,
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": n.name,
    "kubernetes.io/os": "linux",
    "node.kubernetes.io/instance-type": n.type.name,
    "topology.kubernetes.io/region": REGION,
    "topology.kubernetes.io/zone": ZONES[n.zone] ?? "us-east-1a",
  };
  switch (n.style) {
    case "eks":
      labels["eks.amazonaws.com/nodegroup"] = n.pool;
      labels["eks.amazonaws.com/capacityType"] = n.spot ? "SPOT" : "ON_DEMAND";
      labels["eks.amazonaws.com/nodegroup-image"] = "ami-0c3b7a9d2e51f4a86";
      labels["topology.ebs.csi.aws.com/zone"] = labels["topology.kubernetes.io/zone"] ?? "";
      break;
    case "karpenter":
      labels["karpenter.sh/nodepool"] = n.pool;
      labels["karpenter.sh/capacity-type"] = n.spot ? "spot" : "on-demand";
      labels["karpenter.sh/initialized"] = "true";
      labels["karpenter.sh/registered"] = "true";
      labels["karpenter.k8s.aws/instance-family"] = n.type.name.split(".")[0] ?? "";
      labels["karpenter.k8s.aws/instance-size"] = n.type.name.split(".")[1] ?? "";
      labels["topology.ebs.csi.aws.com/zone"] = labels["topology.kubernetes.io/zone"] ?? "";
      break;
    case "gke":
      labels["cloud.google.com/gke-nodepool"] = n.pool;
      labels["cloud.google.com/gke-os-distribution"] = "cos";
      labels["cloud.google.com/machine-family"] = "r6i";
      if (n.spot) labels["cloud.google.com/gke-spot"] = "true";
      break;
    case "aks":
      labels["kubernetes.azure.com/agentpool"] = n.pool;
      labels["kubernetes.azure.com/mode"] = "user";
      labels["kubernetes.azure.com/accelerator"] = "nvidia";
      if (n.spot) labels["kubernetes.azure.com/scalesetpriority"] = "spot";
      break;
  }
  if (n.pool === "gpu") labels["nvidia.com/gpu.present"] = "true";
  return labels;
}

function providerId(n: NodeRec, seed: number): string {
  const zone = ZONES[n.zone] ?? "us-east-1a";
  if (n.style === "gke") return `gce://demo-project/${zone}/${n.name}`;
  if (n.style === "aks") {
    const vmss = n.name.replace(/vmss[0-9a-z]+$/, "vmss");
    return `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_demo/providers/Microsoft.Compute/virtualMachineScaleSets/${vmss}/virtualMachines/${n.poolIndex}`;
  }
  return `aws:///${zone}/i-0${hexFromKey(seed, `instance/${n.name}`, 16)}`;
}

function osImage(n: NodeRec): [string, string] {
  if (n.style === "gke") return ["Container-Optimized OS from Google", "6.6.93+"];
  if (n.style === "aks") return ["Ubuntu 22.04.5 LTS", "5.15.0-1089-azure"];
  return ["Amazon Linux 2023.9.20251014", "6.12.40-63.114.amzn2023.x86_64"];
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  heartbeat: string,
  since: string,
) {
  return { type, status, lastHeartbeatTime: heartbeat, lastTransitionTime: since, reason, message };
}

function nodeConditions(n: NodeRec): object[] {
  const created = ago(n.ageMs - 40 * 1000);
  if (n.health === "not-ready") {
    const hb = ago(2 * HOUR + 15 * MINUTE);
    const since = ago(2 * HOUR + 14 * MINUTE);
    const gone = "Kubelet stopped posting node status.";
    return [
      condition("MemoryPressure", "Unknown", "NodeStatusUnknown", gone, hb, since),
      condition("DiskPressure", "Unknown", "NodeStatusUnknown", gone, hb, since),
      condition("PIDPressure", "Unknown", "NodeStatusUnknown", gone, hb, since),
      condition("Ready", "Unknown", "NodeStatusUnknown", gone, hb, since),
    ];
  }
  const hb = ago(17 * 1000);
  const pressure = n.health === "pressure";
  return [
    pressure
      ? condition(
          "MemoryPressure",
          "True",
          "KubeletHasInsufficientMemory",
          "kubelet has insufficient memory available",
          hb,
          ago(38 * MINUTE),
        )
      : condition(
          "MemoryPressure",
          "False",
          "KubeletHasSufficientMemory",
          "kubelet has sufficient memory available",
          hb,
          created,
        ),
    pressure
      ? condition(
          "DiskPressure",
          "True",
          "KubeletHasDiskPressure",
          "kubelet has disk pressure",
          hb,
          ago(31 * MINUTE),
        )
      : condition(
          "DiskPressure",
          "False",
          "KubeletHasNoDiskPressure",
          "kubelet has no disk pressure",
          hb,
          created,
        ),
    condition(
      "PIDPressure",
      "False",
      "KubeletHasSufficientPID",
      "kubelet has sufficient PID available",
      hb,
      created,
    ),
    condition(
      "Ready",
      "True",
      "KubeletReady",
      "kubelet is posting ready status",
      hb,
      ago(n.ageMs - 70 * 1000),
    ),
  ];
}

export function nodeObject(n: NodeRec, seed: number, clock: VersionClock): KubeObject {
  const [image, kernel] = osImage(n);
  const capacity: Record<string, string> = {
    cpu: String(n.type.cores),
    "ephemeral-storage": "104845292Ki",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    memory: `${capacityMem(n.type) / Ki}Ki`,
    pods: String(n.type.maxPods),
  };
  const allocatable: Record<string, string> = {
    cpu: cpuQty(n.allocCpu),
    "ephemeral-storage": "95551679708",
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    memory: `${n.allocMem / Ki}Ki`,
    pods: String(n.type.maxPods),
  };
  if (n.type.gpu > 0) {
    capacity["nvidia.com/gpu"] = String(n.type.gpu);
    allocatable["nvidia.com/gpu"] = String(n.type.gpu);
  }
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      uid: uidOf(seed, "Node", "", n.name),
      resourceVersion: clock.next(),
      creationTimestamp: ago(n.ageMs),
      labels: nodeLabels(n),
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: {
      podCIDR: `${n.podNet}.0/24`,
      podCIDRs: [`${n.podNet}.0/24`],
      providerID: providerId(n, seed),
      ...(n.taints.length > 0 ? { taints: n.taints } : {}),
    },
    status: {
      addresses: [
        { type: "InternalIP", address: n.ip },
        { type: "InternalDNS", address: `ip-${n.ip.replaceAll(".", "-")}.ec2.internal` },
        { type: "Hostname", address: n.name },
      ],
      allocatable,
      capacity,
      conditions: nodeConditions(n),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: "amd64",
        bootID: uuidish(seed, `boot/${n.name}`),
        containerRuntimeVersion: "containerd://2.1.4",
        kernelVersion: kernel,
        kubeProxyVersion: n.kubelet,
        kubeletVersion: n.kubelet,
        machineID: hexFromKey(seed, `machine/${n.name}`, 32),
        operatingSystem: "linux",
        osImage: image,
        systemUUID: uuidish(seed, `system/${n.name}`),
      },
    },
  };
}

function uuidish(seed: number, key: string): string {
  const h = hexFromKey(seed, key, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface Request {
  cpu: number;
  mem: number;
  gpu: number;
}

const FALLBACK: Record<PoolName, readonly PoolName[]> = {
  general: ["general", "compute-spot", "memory"],
  "compute-spot": ["compute-spot", "general"],
  memory: ["memory", "general"],
  gpu: ["gpu"],
  system: ["system", "general"],
};

/**
 * The scheduler stand-in: free CPU, memory, pod slots and GPUs per node in typed arrays, and a
 * rotating cursor per pool and zone so consecutive replicas spread over zones and nodes.
 */
export class Placement {
  private readonly cpu: Float64Array;
  private readonly mem: Float64Array;
  private readonly slots: Int32Array;
  private readonly gpu: Int32Array;
  private readonly ipSeq: Int32Array;
  private readonly byPool = new Map<PoolName, number[][]>();
  private readonly cursors = new Map<PoolName, Int32Array>();
  private readonly zoneTurn = new Map<PoolName, number>();
  /** Pods that found no node, for the report of a run. */
  unplaced = 0;

  constructor(readonly nodes: readonly NodeRec[]) {
    const n = nodes.length;
    this.cpu = new Float64Array(n);
    this.mem = new Float64Array(n);
    this.slots = new Int32Array(n);
    this.gpu = new Int32Array(n);
    this.ipSeq = new Int32Array(n);
    for (const node of nodes) {
      this.cpu[node.index] = node.allocCpu;
      this.mem[node.index] = node.allocMem;
      this.slots[node.index] = node.type.maxPods;
      this.gpu[node.index] = node.type.gpu;
      if (node.health !== "ready") continue;
      let zones = this.byPool.get(node.pool);
      if (!zones) {
        zones = [[], [], []];
        this.byPool.set(node.pool, zones);
        this.cursors.set(node.pool, new Int32Array(3));
      }
      zones[node.zone]?.push(node.index);
    }
  }

  /** Takes resources on a given node (DaemonSet pods, which go everywhere). */
  reserve(index: number, req: Request): void {
    this.cpu[index] = (this.cpu[index] ?? 0) - req.cpu;
    this.mem[index] = (this.mem[index] ?? 0) - req.mem;
    this.slots[index] = (this.slots[index] ?? 0) - 1;
    this.gpu[index] = (this.gpu[index] ?? 0) - req.gpu;
  }

  private fits(i: number, req: Request): boolean {
    return (
      (this.cpu[i] ?? 0) >= req.cpu &&
      (this.mem[i] ?? 0) >= req.mem &&
      (this.slots[i] ?? 0) >= 1 &&
      (this.gpu[i] ?? 0) >= req.gpu
    );
  }

  private tryZone(pool: PoolName, zone: number, req: Request): number {
    const list = this.byPool.get(pool)?.[zone];
    const cursors = this.cursors.get(pool);
    if (!list || !cursors || list.length === 0) return -1;
    const start = cursors[zone] ?? 0;
    for (let k = 0; k < list.length; k++) {
      const pos = (start + k) % list.length;
      const idx = list[pos] ?? -1;
      if (idx >= 0 && this.fits(idx, req)) {
        cursors[zone] = (pos + 1) % list.length;
        return idx;
      }
    }
    return -1;
  }

  /**
   * A node of `pool` (or its fallbacks) that fits `req`, in `zone` when given; -1 when
   * nothing fits. With `reserve` false the pod is placed but takes nothing (finished pods).
   */
  place(pool: PoolName, req: Request, zone?: number, reserve = true): number {
    for (const p of FALLBACK[pool]) {
      const first = zone ?? this.nextZone(p);
      for (let z = 0; z < 3; z++) {
        if (zone !== undefined && z > 0) break;
        const idx = this.tryZone(p, (first + z) % 3, reserve ? req : { cpu: 0, mem: 0, gpu: 0 });
        if (idx >= 0) {
          if (reserve) this.reserve(idx, req);
          return idx;
        }
      }
    }
    this.unplaced++;
    return -1;
  }

  private nextZone(pool: PoolName): number {
    const z = this.zoneTurn.get(pool) ?? 0;
    this.zoneTurn.set(pool, (z + 1) % 3);
    return z;
  }

  /** The next pod IP in a node's pod CIDR. */
  podIp(index: number): string {
    const node = this.nodes[index];
    const k = (this.ipSeq[index] = (this.ipSeq[index] ?? 0) + 1);
    return `${node?.podNet ?? "10.99.0"}.${(k % 250) + 2}`;
  }

  /** Ready, schedulable nodes per pool, for the scheduler's "0/N nodes are available" message. */
  poolCount(pool: PoolName): number {
    let c = 0;
    for (const list of this.byPool.get(pool) ?? []) c += list.length;
    return c;
  }
}

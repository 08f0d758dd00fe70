/**
 * Quick wins, in the order an operator acts on them (`day2 cost quick-wins`):
 *
 *   1. unused volumes and load balancers (from wasteItems: delete and the bill stops);
 *   2. requests far above usage (from right-sizing: the request dollars a workload gives back);
 *   3. missing HPAs (replicated stateless workloads with variable load and no autoscaler);
 *   4. spot candidates (stateless, >= 2 replicas, a PDB that allows a disruption, on on-demand
 *      nodes: the sheet's spot vs on-demand price of what they request);
 *   5. a reserved / committed-use baseline (the p10 of cluster-wide usage on on-demand nodes
 *      is always used: that much at the stated discount);
 *   6. StorageClass moves (gp2 -> gp3 by default: same or better baseline performance, and
 *      cheaper in the sheet; pd-standard -> pd-balanced is NOT proposed: balanced costs more,
 *      it is a performance move, not a saving);
 *   7. ResourceQuota and LimitRange suggestions for team namespaces without them (from
 *      observed requests and usage; no direct dollars: they stop the next over-request).
 *
 * Each item: title, USD per month, confidence with its reason, evidence and an action. Pure.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Deployment, Pod } from "../state/types.js";
import type { ObjectRef, Sure } from "./findings-common.js";
import {
  cents,
  clusterRegion,
  finiteSorted,
  isPlatformNamespace,
  nodePrices,
  nsFlag,
  podHourly,
  podRequests,
  unitPrices,
  usageTrust,
  historyHours,
  workloadPods,
  workloadUsage,
} from "./findings-common.js";
import type { PriceSheet } from "./pricing.js";
import { HOURS_PER_MONTH, ratesFor, storageGBMonth } from "./pricing.js";
import type { RightsizeResult } from "./rightsize.js";
import { recommend } from "./rightsize.js";
import { cpuQuantity, memoryQuantity, percentileSorted, stepTotals } from "./rightsize-strategy.js";
import type { UsageData } from "./types.js";
import { containerKey } from "./types.js";
import type { WasteItem } from "./waste.js";
import { wasteItems } from "./waste.js";

const GiB = 2 ** 30;

export type QuickWinCategory =
  | "unused-volume"
  | "unused-load-balancer"
  | "overprovisioned-requests"
  | "missing-hpa"
  | "spot"
  | "committed-use"
  | "storage-class"
  | "quota-limitrange";

/** The order an operator acts in. */
export const QUICK_WIN_ORDER: readonly QuickWinCategory[] = [
  "unused-volume",
  "unused-load-balancer",
  "overprovisioned-requests",
  "missing-hpa",
  "spot",
  "committed-use",
  "storage-class",
  "quota-limitrange",
];

export interface QuickWin {
  readonly category: QuickWinCategory;
  readonly title: string;
  /** USD per month saved (0 for guardrails such as quotas: see evidence). */
  readonly monthly: number;
  readonly confidence: Sure;
  readonly confidenceReason: string;
  readonly objects: readonly ObjectRef[];
  readonly evidence: Readonly<Record<string, string | number | boolean>>;
  /** A command or manifest that acts on it. */
  readonly action: string;
}

export interface QuickWinOptions {
  /** Waste items already computed (else computed here). */
  readonly waste?: readonly WasteItem[];
  /** Right-sizing already computed (else recommend(state, usage)). */
  readonly rightsize?: RightsizeResult;
  /** Requests are "far above usage" when current >= ratio x recommended. Default 2. */
  readonly overprovisionRatio?: number;
  /** Leave out wins below this many USD per month. Default 1. */
  readonly minMonthly?: number;
  /** Committed-use / reserved discount assumed for the baseline. Default 0.3 (30%). */
  readonly commitmentDiscount?: number;
  /** Percentile of cluster-wide usage taken as the always-used floor. Default 10. */
  readonly baselinePercentile?: number;
  /** Target utilisation an HPA would run at, for the missing-HPA estimate. Default 70. */
  readonly hpaTarget?: number;
  /** Load is variable when its p95 / p10 is at least this. Default 1.5. */
  readonly variableLoadRatio?: number;
  /** StorageClass moves from -> to. Default { gp2: "gp3" }. */
  readonly storageMoves?: Readonly<Record<string, string>>;
  /** Headroom over observed requests for a suggested quota. Default 1.2. */
  readonly quotaHeadroom?: number;
  readonly systemNamespaces?: readonly string[];
}

interface Ctx {
  readonly state: ClusterState;
  readonly sheet: PriceSheet;
  readonly usage: UsageData | undefined;
  readonly system: ReadonlySet<string>;
  readonly notes: string[];
}

function sure(c: string): Sure {
  return c === "high" || c === "medium" ? c : "low";
}

// ---- 1. unused volumes and load balancers ----

function fromWaste(items: readonly WasteItem[]): QuickWin[] {
  const out: QuickWin[] = [];
  for (const it of items) {
    const category =
      it.kind === "unmounted-pvc" || it.kind === "unbound-pv"
        ? "unused-volume"
        : it.kind === "lb-no-endpoints"
          ? "unused-load-balancer"
          : undefined;
    if (!category || it.monthly <= 0) continue;
    out.push({
      category,
      title: `Delete ${it.object.kind} ${it.object.namespace ? `${it.object.namespace}/` : ""}${it.object.name}: ${it.message}`,
      monthly: it.monthly,
      confidence: it.confidence,
      confidenceReason: it.confidenceReason,
      objects: [it.object],
      evidence: { ...it.evidence, cost: it.costReason },
      action: it.action,
    });
  }
  return out;
}

// ---- 2. requests far above usage ----

function overprovisioned(ctx: Ctx, rs: RightsizeResult, ratio: number): QuickWin[] {
  const out: QuickWin[] = [];
  const byKey = workloadPods(ctx.state);
  for (const w of rs.workloads) {
    const g = byKey.get(`${w.kind}/${w.namespace}/${w.name}`);
    if (!g || g.pods.length === 0 || w.confidence === "none") continue;
    // Average per-unit prices over the workload's pods' nodes.
    let cpuHour = 0;
    let memHour = 0;
    for (const p of g.pods) {
      const u = unitPrices(ctx.state, ctx.sheet, p.nodeName);
      cpuHour += u.cpuHour / g.pods.length;
      memHour += u.memoryGiBHour / g.pods.length;
    }
    let cpuFreed = 0;
    let memFreed = 0;
    const lines: string[] = [];
    for (const c of w.containers) {
      if (!c.inTemplate) continue;
      const cur = c.cpu.current.request;
      const rec = c.cpu.recommended?.request;
      if (c.cpu.status === "ok" && cur !== undefined && rec !== undefined && cur >= ratio * rec) {
        cpuFreed += cur - rec;
        lines.push(`${c.container} cpu ${cpuQuantity(cur)} -> ${cpuQuantity(rec)}`);
      }
      const mcur = c.memory.current.request;
      const mrec = c.memory.recommended?.request;
      if (c.memory.status === "ok" && mcur !== undefined && mrec !== undefined && mcur >= ratio * mrec) {
        memFreed += mcur - mrec;
        lines.push(`${c.container} memory ${memoryQuantity(mcur)} -> ${memoryQuantity(mrec)}`);
      }
    }
    if (lines.length === 0) continue;
    const pods = g.pods.length;
    const hourly = pods * ((cpuFreed / 1000) * cpuHour + (memFreed / GiB) * memHour);
    out.push({
      category: "overprovisioned-requests",
      title: `Right-size ${w.kind} ${w.namespace}/${w.name}: ${lines.join(", ")}`,
      monthly: cents(hourly * HOURS_PER_MONTH),
      confidence: sure(w.confidence),
      confidenceReason: `right-sizing from ${rs.source} usage (${w.confidence}); requests at least ${ratio}x the recommendation`,
      objects: [{ kind: w.kind, namespace: w.namespace, name: w.name }],
      evidence: {
        pods,
        cpuFreedMillisPerPod: cpuFreed,
        memoryFreedBytesPerPod: memFreed,
        cpuHour: Math.round(cpuHour * 1e6) / 1e6,
        memoryGiBHour: Math.round(memHour * 1e6) / 1e6,
      },
      action: w.patchable
        ? `day2 cost rightsize -n ${w.namespace} -o kubectl  # then run the ${w.kind} ${w.name} patch command`
        : `change the requests where ${w.kind} ${w.name} is defined (${w.notPatchableReason ?? "not patchable"})`,
    });
  }
  return out;
}

// ---- 3. missing HPAs ----

function hasPvc(d: Deployment): boolean {
  return d.template.volumes.pvcs.length > 0;
}

function hpaTargets(state: ClusterState): Set<string> {
  return new Set(
    state.list("HorizontalPodAutoscaler").map((h) => `${h.target.kind}/${h.namespace}/${h.target.name}`),
  );
}

function missingHpas(ctx: Ctx, target: number, variable: number): QuickWin[] {
  const usage = ctx.usage;
  const trust = usageTrust(usage);
  if (!usage || trust.confidence === "none" || usage.source === "metrics-server") {
    ctx.notes.push(
      `missing HPAs: no data because ${usage?.source === "metrics-server" ? "metrics-server gives no history to see load vary" : "no usage was given"}`,
    );
    return [];
  }
  const scaled = hpaTargets(ctx.state);
  const out: QuickWin[] = [];
  for (const d of ctx.state.list("Deployment")) {
    if (d.replicas < 2 || hasPvc(d) || isPlatformNamespace(d.namespace, ctx.system)) continue;
    if (scaled.has(`Deployment/${d.namespace}/${d.name}`)) continue;
    const g = workloadPods(ctx.state).get(`Deployment/${d.namespace}/${d.name}`);
    if (!g || g.pods.length < 2) continue;
    const reqPerPod = g.pods.reduce((t, p) => t + podRequests(p).cpu, 0) / g.pods.length;
    if (reqPerPod <= 0) continue;
    const u = workloadUsage(usage, g.pods);
    if (u.points < 24) continue;
    const sorted = finiteSorted(u.cpu);
    const p10 = percentileSorted(sorted, 10);
    const p95 = percentileSorted(sorted, 95);
    if (!(p10 > 0) || p95 / p10 < variable) continue;
    // Replicas an HPA at `target` would run at each step, between 2 and today's count.
    const perPodThreshold = ((target / 100) * reqPerPod) / 1000;
    let needed = 0;
    let steps = 0;
    for (const v of u.cpu) {
      if (!Number.isFinite(v)) continue;
      needed += Math.min(g.pods.length, Math.max(2, Math.ceil(v / perPodThreshold - 1e-9)));
      steps++;
    }
    const avgReplicas = needed / steps;
    const podHour = g.pods.reduce((t, p) => t + podHourly(ctx.state, ctx.sheet, p), 0) / g.pods.length;
    const monthly = (g.pods.length - avgReplicas) * podHour * HOURS_PER_MONTH;
    if (monthly <= 0) continue;
    const minR = 2;
    out.push({
      category: "missing-hpa",
      title: `Add an HPA to Deployment ${d.namespace}/${d.name}: load varies ${round1(p95 / p10)}x (p95/p10) on a fixed ${g.pods.length} replicas`,
      monthly: cents(monthly),
      confidence: trust.confidence === "high" ? "medium" : "low",
      confidenceReason: `${trust.reason}; the saving assumes load keeps its shape and pods start fast enough to follow it`,
      objects: [{ kind: "Deployment", namespace: d.namespace, name: d.name }],
      evidence: {
        replicas: g.pods.length,
        averageReplicasWithHpa: round1(avgReplicas),
        p10CpuMillis: round1(p10 * 1000),
        p95CpuMillis: round1(p95 * 1000),
        cpuRequestPerPodMillis: reqPerPod,
        target,
      },
      action: `kubectl autoscale deployment ${d.name}${nsFlag(d.namespace)} --cpu-percent=${target} --min=${minR} --max=${Math.max(g.pods.length, minR + 1)}`,
    });
  }
  return out;
}

// ---- 4. spot ----

function pdbSafe(ctx: Ctx, d: Deployment): { safe: boolean; why: string } {
  const pdbs = ctx.state.pdbsFor(d.namespace, d.template.labels);
  if (pdbs.length === 0) return { safe: false, why: "no PodDisruptionBudget" };
  for (const b of pdbs) {
    if (b.hasStatus && b.disruptionsAllowed < 1)
      return { safe: false, why: `PodDisruptionBudget ${b.name} allows no disruption now` };
  }
  return { safe: true, why: `PodDisruptionBudget ${pdbs.map((b) => b.name).join(", ")} allows a disruption` };
}

/** Spot price as a share of on-demand for a pod's node: the instance type's, else the sheet's rates. */
function spotShare(ctx: Ctx, nodeName: string): { share: number; from: string } {
  const price = nodePrices(ctx.state, ctx.sheet).get(nodeName);
  const region = price?.topology.region;
  const type = price?.topology.instanceType;
  const listed = type ? ctx.sheet.regions[region ?? ""]?.instanceTypes?.[type] : undefined;
  if (listed?.spotHour !== undefined && listed.onDemandHour)
    return { share: listed.spotHour / listed.onDemandHour, from: `${type} spot/on-demand in ${region}` };
  const r = ratesFor(ctx.sheet, region);
  return {
    share: r.cpuHour > 0 ? r.spotCpuHour / r.cpuHour : 1,
    from: "the sheet's spot/on-demand CPU rate",
  };
}

function spotCandidates(ctx: Ctx): QuickWin[] {
  const out: QuickWin[] = [];
  const prices = nodePrices(ctx.state, ctx.sheet);
  let unsafe = 0;
  for (const d of ctx.state.list("Deployment")) {
    if (d.replicas < 2 || hasPvc(d) || isPlatformNamespace(d.namespace, ctx.system)) continue;
    const g = workloadPods(ctx.state).get(`Deployment/${d.namespace}/${d.name}`);
    if (!g) continue;
    const onDemand = g.pods.filter((p) => prices.get(p.nodeName)?.topology.capacityType === "on-demand");
    if (onDemand.length === 0) continue;
    const pdb = pdbSafe(ctx, d);
    if (!pdb.safe) {
      unsafe++;
      continue;
    }
    let saving = 0;
    const froms = new Set<string>();
    for (const p of onDemand) {
      const s = spotShare(ctx, p.nodeName);
      froms.add(s.from);
      saving += podHourly(ctx.state, ctx.sheet, p) * (1 - s.share);
    }
    if (saving <= 0) continue;
    out.push({
      category: "spot",
      title: `Run Deployment ${d.namespace}/${d.name} on spot: ${onDemand.length} replica(s) on on-demand nodes, stateless, ${pdb.why}`,
      monthly: cents(saving * HOURS_PER_MONTH),
      confidence: "medium",
      confidenceReason:
        "spot prices move and capacity can be reclaimed at short notice; the workload is replicated and PDB-protected",
      objects: [{ kind: "Deployment", namespace: d.namespace, name: d.name }],
      evidence: { onDemandReplicas: onDemand.length, priceFrom: [...froms].join("; ") },
      action: `kubectl patch deployment ${d.name}${nsFlag(d.namespace)} -p '{"spec":{"template":{"spec":{"affinity":{"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"preference":{"matchExpressions":[{"key":"karpenter.sh/capacity-type","operator":"In","values":["spot"]}]}}]}}}}}}'  # use your provider's spot label and add its toleration`,
    });
  }
  if (unsafe > 0)
    ctx.notes.push(
      `spot: ${unsafe} replicated stateless Deployment(s) on on-demand nodes have no PDB that allows a disruption: add one first`,
    );
  return out;
}

// ---- 5. committed-use baseline ----

function committedUse(ctx: Ctx, discount: number, percentile: number): QuickWin[] {
  const usage = ctx.usage;
  const trust = usageTrust(usage);
  if (!usage || trust.confidence === "none") {
    ctx.notes.push("committed-use baseline: no data because no usage was given");
    return [];
  }
  const prices = nodePrices(ctx.state, ctx.sheet);
  const onDemand = [...prices.values()].filter((p) => p.topology.capacityType === "on-demand");
  if (onDemand.length === 0) return [];
  // Capacity-weighted on-demand unit prices.
  const vcpu = onDemand.reduce((t, p) => t + p.vcpu, 0);
  const mem = onDemand.reduce((t, p) => t + p.memoryGiB, 0);
  const cpuHour = vcpu > 0 ? onDemand.reduce((t, p) => t + p.cpuHour * p.vcpu, 0) / vcpu : 0;
  const memHour = mem > 0 ? onDemand.reduce((t, p) => t + p.memoryGiBHour * p.memoryGiB, 0) / mem : 0;
  const cpu: Float64Array[] = [];
  const memory: Float64Array[] = [];
  let skipped = 0;
  for (const s of usage.containers.values()) {
    const pod = ctx.state.get("Pod", s.namespace, s.pod);
    const node = pod ? prices.get(pod.nodeName) : undefined;
    if (!node) {
      skipped++;
      continue;
    }
    if (node.topology.capacityType !== "on-demand") continue;
    cpu.push(s.cpu);
    memory.push(s.memory);
  }
  if (cpu.length === 0) return [];
  const floor = (series: Float64Array[]): number => {
    const { totals, counts } = stepTotals(series);
    const vals = totals.filter((_, i) => counts[i]! > 0);
    return percentileSorted(vals.sort(), percentile);
  };
  const cores = floor(cpu);
  const memGiB = floor(memory) / GiB;
  const hourly = cores * cpuHour + memGiB * memHour;
  const avgNodeVcpu = vcpu / onDemand.length;
  const hours = historyHours(usage);
  const confidence: Sure = usage.source === "metrics-server" ? "low" : hours >= 14 * 24 ? "medium" : "low";
  if (skipped)
    ctx.notes.push(`committed-use baseline: ${skipped} series of pods no longer in the state were left out`);
  return [
    {
      category: "committed-use",
      title: `Commit to the always-used baseline: ${round1(cores)} vCPU and ${round1(memGiB)} GiB on on-demand nodes (about ${round1(cores / avgNodeVcpu)} node(s) of ${round1(avgNodeVcpu)} vCPU)`,
      monthly: cents(hourly * HOURS_PER_MONTH * discount),
      confidence,
      confidenceReason: `p${percentile} of cluster-wide usage over ${Math.round(hours / 24)} day(s) (${trust.reason}); a 1-3 year commitment outlives any window, and ${Math.round(discount * 100)}% is an assumed discount`,
      objects: [],
      evidence: {
        baselineCores: round1(cores),
        baselineMemoryGiB: round1(memGiB),
        percentile,
        baselineMonthly: cents(hourly * HOURS_PER_MONTH),
        discount,
        cpuHour: Math.round(cpuHour * 1e6) / 1e6,
        memoryGiBHour: Math.round(memHour * 1e6) / 1e6,
      },
      action:
        "buy reserved instances / savings plans (AWS), committed-use discounts (GCP) or reservations (Azure) for the baseline only; check the discount for your term and instance family",
    },
  ];
}

// ---- 6. StorageClass moves ----

function storageMoves(ctx: Ctx, moves: Readonly<Record<string, string>>): QuickWin[] {
  const region = clusterRegion(ctx.state);
  const acc = new Map<
    string,
    { gib: number; claims: ObjectRef[]; from: number; to: number; target: string }
  >();
  for (const pvc of ctx.state.list("PersistentVolumeClaim")) {
    if (pvc.phase !== "Bound") continue;
    const pv = ctx.state.pvcVolume(pvc);
    const sc = pv?.storageClassName ?? pvc.storageClassName ?? ctx.state.storageClassOf(pvc)?.name;
    const target = sc ? moves[sc] : undefined;
    if (!sc || !target) continue;
    const from = storageGBMonth(ctx.sheet, region, sc);
    const to = storageGBMonth(ctx.sheet, region, target);
    if (!(from > to)) continue;
    const a = acc.get(sc) ?? { gib: 0, claims: [], from, to, target };
    a.gib += (pv?.capacityBytes ?? pvc.capacityBytes ?? pvc.requestedBytes ?? 0) / GiB;
    a.claims.push({ kind: "PersistentVolumeClaim", namespace: pvc.namespace, name: pvc.name });
    acc.set(sc, a);
  }
  return [...acc].map(([sc, a]) => ({
    category: "storage-class" as const,
    title: `Move ${a.claims.length} volume(s) (${round1(a.gib)} GiB) from StorageClass ${sc} to ${a.target}`,
    monthly: cents(a.gib * (a.from - a.to)),
    confidence: "high" as const,
    confidenceReason: `the sheet's prices: ${sc} $${a.from}/GB-month, ${a.target} $${a.to}/GB-month`,
    objects: a.claims,
    evidence: { gib: round1(a.gib), fromGBMonth: a.from, toGBMonth: a.to, region: region ?? "default" },
    action:
      sc === "gp2" && a.target === "gp3"
        ? "modify each EBS volume to gp3 in place (aws ec2 modify-volume --volume-type gp3), and make gp3 the default StorageClass for new claims"
        : `create new ${a.target} claims and migrate the data (a StorageClass cannot be changed on a bound claim)`,
  }));
}

// ---- 7. quotas and LimitRanges ----

function quotaSuggestions(ctx: Ctx, headroom: number): QuickWin[] {
  const out: QuickWin[] = [];
  for (const ns of ctx.state.namespaceNames()) {
    if (isPlatformNamespace(ns, ctx.system) || ns === "default") continue;
    const pods = ctx.state
      .podsInNamespace(ns)
      .filter((p) => p.nodeName !== "" && p.phase !== "Succeeded" && p.phase !== "Failed");
    if (pods.length === 0) continue;
    const hasQuota = ctx.state.inNamespace("ResourceQuota", ns).length > 0;
    const hasLimits = ctx.state.inNamespace("LimitRange", ns).length > 0;
    if (hasQuota && hasLimits) continue;
    let cpu = 0;
    let memory = 0;
    for (const p of pods) {
      const r = podRequests(p);
      cpu += r.cpu;
      memory += r.memory;
    }
    const yaml: string[] = [];
    const evidence: Record<string, string | number | boolean> = {
      pods: pods.length,
      requestedCpuMillis: cpu,
      requestedMemoryBytes: memory,
    };
    if (!hasQuota) {
      const qCpu = Math.ceil((cpu * headroom) / 100) * 100;
      const qMem = Math.ceil((memory * headroom) / (256 * 2 ** 20)) * 256 * 2 ** 20;
      yaml.push(
        `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: ${ns}\nspec:\n  hard:\n    requests.cpu: "${cpuQuantity(qCpu)}"\n    requests.memory: "${memoryQuantity(qMem)}"\n    pods: "${Math.ceil(pods.length * headroom)}"`,
      );
      evidence.quotaCpu = cpuQuantity(qCpu);
      evidence.quotaMemory = memoryQuantity(qMem);
    }
    if (!hasLimits) {
      const d = defaultRequests(ctx, pods);
      yaml.push(
        `apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: ${ns}\nspec:\n  limits:\n    - type: Container\n      defaultRequest:\n        cpu: "${cpuQuantity(d.cpu)}"\n        memory: "${memoryQuantity(d.memory)}"`,
      );
      evidence.defaultRequestCpu = cpuQuantity(d.cpu);
      evidence.defaultRequestMemory = memoryQuantity(d.memory);
      evidence.defaultsFrom = d.from;
    }
    out.push({
      category: "quota-limitrange",
      title: `Namespace ${ns}: add ${[!hasQuota ? "a ResourceQuota" : "", !hasLimits ? "a LimitRange" : ""].filter(Boolean).join(" and ")}`,
      monthly: 0,
      confidence: "medium",
      confidenceReason: `from today's requests (+${Math.round((headroom - 1) * 100)}% headroom) and observed usage; no direct saving: it caps the next over-request`,
      objects: [{ kind: "Namespace", namespace: "", name: ns }],
      evidence,
      action: `kubectl apply -f - <<'EOF'\n${yaml.join("\n---\n")}\nEOF`,
    });
  }
  return out;
}

/** Default container requests: the median container p95 CPU and peak memory in the namespace, else the median request. */
function defaultRequests(ctx: Ctx, pods: readonly Pod[]): { cpu: number; memory: number; from: string } {
  const cpu: number[] = [];
  const mem: number[] = [];
  const usage = ctx.usage;
  if (usage && usage.source !== "none") {
    for (const p of pods)
      for (const c of p.containers) {
        const s = usage.containers.get(containerKey(p.namespace, p.name, c.name));
        if (!s) continue;
        const cs = finiteSorted(s.cpu);
        const ms = finiteSorted(s.memory);
        if (cs.length) cpu.push(percentileSorted(cs, 95) * 1000);
        if (ms.length) mem.push(ms[ms.length - 1]!);
      }
  }
  const median = (xs: number[]): number => percentileSorted(Float64Array.from(xs).sort(), 50);
  if (cpu.length && mem.length)
    return {
      cpu: Math.max(10, Math.ceil(median(cpu))),
      memory: Math.max(64 * 2 ** 20, Math.ceil(median(mem) / 2 ** 20) * 2 ** 20),
      from: "median container p95 CPU and peak memory",
    };
  const reqCpu = pods.flatMap((p) => p.containers.map((c) => c.requests.cpu ?? 0)).filter((v) => v > 0);
  const reqMem = pods.flatMap((p) => p.containers.map((c) => c.requests.memory ?? 0)).filter((v) => v > 0);
  return {
    cpu: reqCpu.length ? Math.ceil(median(reqCpu)) : 100,
    memory: reqMem.length ? Math.ceil(median(reqMem) / 2 ** 20) * 2 ** 20 : 128 * 2 ** 20,
    from: "median container request (no usage)",
  };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

export interface QuickWinsResult {
  readonly wins: readonly QuickWin[];
  /** Sum of monthly savings (items can overlap: right-sizing a workload changes what spot saves). */
  readonly monthly: number;
  readonly notes: readonly string[];
}

/**
 * Quick wins in the order an operator acts: by QUICK_WIN_ORDER, then most dollars first within
 * a category. Wins below `minMonthly` are left out, except quota and LimitRange suggestions.
 */
export function quickWins(
  state: ClusterState,
  sheet: PriceSheet,
  usage: UsageData | undefined,
  opts: QuickWinOptions = {},
): QuickWinsResult {
  const ctx: Ctx = { state, sheet, usage, system: new Set(opts.systemNamespaces ?? []), notes: [] };
  const waste =
    opts.waste ?? wasteItems(state, sheet, usage, { systemNamespaces: opts.systemNamespaces ?? [] });
  const rs = opts.rightsize ?? (usage ? recommend(state, usage) : undefined);
  if (!rs) ctx.notes.push("requests far above usage: no data because no usage was given");
  const wins = [
    ...fromWaste(waste),
    ...(rs ? overprovisioned(ctx, rs, opts.overprovisionRatio ?? 2) : []),
    ...missingHpas(ctx, opts.hpaTarget ?? 70, opts.variableLoadRatio ?? 1.5),
    ...spotCandidates(ctx),
    ...committedUse(ctx, opts.commitmentDiscount ?? 0.3, opts.baselinePercentile ?? 10),
    ...storageMoves(ctx, opts.storageMoves ?? { gp2: "gp3" }),
    ...quotaSuggestions(ctx, opts.quotaHeadroom ?? 1.2),
  ];
  const min = opts.minMonthly ?? 1;
  const kept = wins.filter((w) => w.category === "quota-limitrange" || w.monthly >= min);
  const rank = (c: QuickWinCategory): number => QUICK_WIN_ORDER.indexOf(c);
  kept.sort(
    (a, b) => rank(a.category) - rank(b.category) || b.monthly - a.monthly || (a.title < b.title ? -1 : 1),
  );
  return {
    wins: kept,
    monthly: cents(kept.reduce((t, w) => t + w.monthly, 0)),
    notes: [...new Set(ctx.notes)],
  };
}

/**
 * Right-sizing output: table rows (plain data for any renderer) and GitOps-ready patches per
 * workload, as a kustomize strategic-merge patch and the equivalent `kubectl patch` command.
 */
import { stringify } from "yaml";
import type {
  ContainerRecommendation,
  ResourceRecommendation,
  RightsizeResult,
  WorkloadRecommendation,
} from "./rightsize.js";
import { cpuQuantity, memoryQuantity } from "./rightsize-strategy.js";

export interface RightsizeRow {
  readonly namespace: string;
  /** Kind/name. */
  readonly workload: string;
  readonly container: string;
  readonly cpuRequest: string;
  readonly cpuRecommended: string;
  readonly cpuDelta: string;
  readonly cpuBound: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  readonly memoryRecommended: string;
  readonly memoryDelta: string;
  readonly memoryBound: string;
  readonly points: number;
  readonly confidence: string;
  /** Why something is missing (not enough data, HPA, OOM), empty when nothing to say. */
  readonly note: string;
}

function qty(res: "cpu" | "memory", v: number | undefined): string {
  if (v === undefined) return "-";
  return res === "cpu" ? cpuQuantity(v) : memoryQuantity(v);
}

function delta(r: ResourceRecommendation): string {
  if (!r.delta) return r.recommended && r.current.request === undefined ? "new" : "";
  const sign = r.delta.request > 0 ? "+" : r.delta.request < 0 ? "-" : "";
  const abs = qty(r.resource, Math.abs(r.delta.request));
  return r.delta.requestPercent === undefined
    ? `${sign}${abs}`
    : `${sign}${abs} (${sign}${Math.abs(r.delta.requestPercent)}%)`;
}

function note(c: ContainerRecommendation, w: WorkloadRecommendation): string {
  const parts: string[] = [];
  if (!c.inTemplate) parts.push("not in the pod template");
  if (c.cpu.reason) parts.push(`cpu: ${c.cpu.reason}`);
  if (c.memory.reason && c.memory.reason !== c.cpu.reason) parts.push(`memory: ${c.memory.reason}`);
  if (c.memory.provenance.oom) parts.push(`OOMKilled (${c.memory.provenance.oom.pods.length} pod(s))`);
  for (const h of w.hpa)
    parts.push(
      `HPA ${h.hpa} ${h.metric.split(":")[1]} target ${h.currentTarget}%${h.targetAssumed ? " (assumed)" : ""} -> ${h.recommendedTarget}%`,
    );
  return parts.join("; ");
}

/** One row per container of every workload. */
export function rightsizeRows(result: RightsizeResult): RightsizeRow[] {
  const rows: RightsizeRow[] = [];
  for (const w of result.workloads) {
    for (const c of w.containers) {
      rows.push({
        namespace: w.namespace,
        workload: `${w.kind}/${w.name}`,
        container: c.container,
        cpuRequest: qty("cpu", c.cpu.current.request),
        cpuRecommended: qty("cpu", c.cpu.recommended?.request),
        cpuDelta: delta(c.cpu),
        cpuBound: c.cpu.provenance.bound ?? "",
        memoryRequest: qty("memory", c.memory.current.request),
        memoryLimit: qty("memory", c.memory.current.limit),
        memoryRecommended: qty("memory", c.memory.recommended?.request),
        memoryDelta: delta(c.memory),
        memoryBound: c.memory.provenance.bound ?? "",
        points: Math.max(c.cpu.provenance.points, c.memory.provenance.points),
        confidence: w.confidence,
        note: note(c, w),
      });
    }
  }
  return rows;
}

export interface PatchOptions {
  /**
   * What to do with an existing CPU limit: "keep" leaves it unless it would fall below the new
   * request (then it is raised to the request); "remove" deletes it (KRR: no CPU limit).
   */
  readonly cpuLimit?: "keep" | "remove";
}

export interface WorkloadPatch {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  /** The strategic-merge patch object (what both forms below encode). */
  readonly patch: Record<string, unknown>;
  /** A kustomize `patches:` file: a partial object with apiVersion, kind and metadata. */
  readonly yaml: string;
  readonly kubectl: string;
  /** A merge patch for the HPA when its target utilisation changes, with its kubectl command. */
  readonly hpa?: { readonly name: string; readonly patch: Record<string, unknown>; readonly kubectl: string };
  readonly notes: readonly string[];
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string | null> };

function containerResources(
  c: ContainerRecommendation,
  opts: PatchOptions,
  notes: string[],
): Resources | undefined {
  const requests: Record<string, string> = {};
  const limits: Record<string, string | null> = {};
  const cpu = c.cpu.recommended;
  if (c.cpu.status === "ok" && cpu) {
    requests.cpu = cpuQuantity(cpu.request);
    const lim = c.cpu.current.limit;
    if (opts.cpuLimit === "remove" && lim !== undefined) limits.cpu = null;
    else if (lim !== undefined && lim < cpu.request) {
      limits.cpu = cpuQuantity(cpu.request);
      notes.push(`${c.container}: CPU limit ${cpuQuantity(lim)} raised to the new request`);
    }
  }
  const mem = c.memory.recommended;
  if (c.memory.status === "ok" && mem) {
    requests.memory = memoryQuantity(mem.request);
    if (mem.limit !== undefined) limits.memory = memoryQuantity(mem.limit);
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return undefined;
  return {
    ...(Object.keys(requests).length ? { requests } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}

function podSpecPath(kind: string, podSpec: Record<string, unknown>): Record<string, unknown> {
  const template = { template: { spec: podSpec } };
  return kind === "CronJob" ? { spec: { jobTemplate: { spec: template } } } : { spec: template };
}

/** A single-quoted shell word. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function hpaPatch(w: WorkloadRecommendation, notes: string[]): WorkloadPatch["hpa"] {
  const h = w.hpa[0];
  if (!h) return undefined;
  const mine = w.hpa.filter((x) => x.hpa === h.hpa);
  const sized = new Set(mine.map((x) => x.metric));
  const other = h.hpaMetrics.filter((m) => !sized.has(m));
  if (other.length > 0) {
    notes.push(
      `HPA ${h.hpa}: set ${mine.map((x) => `${x.metric} to ${x.recommendedTarget}%`).join(", ")} by hand (its other metrics ${other.join(", ")} would be lost by a patch)`,
    );
    return undefined;
  }
  // spec.metrics is a list without a merge key: a patch replaces it whole, so it lists every metric sized here.
  const metrics = mine.map((x) => ({
    type: "Resource",
    resource: {
      name: x.metric.split(":")[1],
      target: { type: "Utilization", averageUtilization: x.recommendedTarget },
    },
  }));
  const patch = { spec: { metrics } };
  return {
    name: h.hpa,
    patch,
    kubectl: `kubectl patch hpa ${h.hpa} -n ${w.namespace} --type=merge -p ${shellQuote(JSON.stringify(patch))}`,
  };
}

/** The patch for one workload; undefined when it is not patchable or nothing is recommended. */
export function workloadPatch(w: WorkloadRecommendation, opts: PatchOptions = {}): WorkloadPatch | undefined {
  if (!w.patchable) return undefined;
  const notes: string[] = [];
  const containers: Record<string, unknown>[] = [];
  for (const c of w.containers) {
    if (!c.inTemplate) continue;
    const resources = containerResources(c, opts, notes);
    if (resources) containers.push({ name: c.container, resources });
  }
  if (containers.length === 0) return undefined;
  const patch = podSpecPath(w.kind, { containers });
  const doc = {
    apiVersion: w.apiVersion,
    kind: w.kind,
    metadata: { name: w.name, namespace: w.namespace },
    ...patch,
  };
  const hpa = hpaPatch(w, notes);
  if (hpa && w.hpa.some((h) => h.targetAssumed))
    notes.push(
      `HPA ${hpa.name}: its current target was assumed; the metrics patch replaces the HPA's metrics list`,
    );
  return {
    namespace: w.namespace,
    kind: w.kind,
    name: w.name,
    patch,
    yaml: stringify(doc),
    kubectl: `kubectl patch ${w.kind.toLowerCase()} ${w.name} -n ${w.namespace} --type=strategic -p ${shellQuote(JSON.stringify(patch))}`,
    ...(hpa ? { hpa } : {}),
    notes,
  };
}

/** Patches for every patchable workload with a recommendation. */
export function rightsizePatches(result: RightsizeResult, opts: PatchOptions = {}): WorkloadPatch[] {
  return result.workloads.flatMap((w) => workloadPatch(w, opts) ?? []);
}

/** All kustomize patches as one multi-document YAML stream. */
export function patchesYaml(patches: readonly WorkloadPatch[]): string {
  return patches.map((p) => p.yaml).join("---\n");
}

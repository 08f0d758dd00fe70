/**
 * `day2 cost rightsize` output: recommendations per workload and container with what the
 * change is worth per month, priced at the per-resource rates of the nodes the workload's pods
 * run on (priceNode), times the pods that run it now. As a table (with --explain: provenance
 * lines), json/yaml, kustomize patches or kubectl patch commands.
 */
import type { ClusterState } from "../../state/cluster-state.js";
import type { Node } from "../../state/types.js";
import type { NodePrice, PriceSheet } from "../pricing.js";
import { HOURS_PER_MONTH, priceNode, ratesFor } from "../pricing.js";
import type {
  ContainerRecommendation,
  ResourceRecommendation,
  RightsizeResult,
  WorkloadRecommendation,
} from "../rightsize.js";
import { patchesYaml, rightsizePatches, rightsizeRows, type RightsizeRow } from "../rightsize-output.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import {
  API_VERSION,
  docWriters,
  money,
  sourceText,
  textHead,
  textNotes,
  usd,
  windowText,
  type DocHeader,
  type SourceLine,
} from "./format.js";

const GiB = 2 ** 30;

export interface ContainerSaving {
  namespace: string;
  workload: string;
  container: string;
  /** USD per month the change saves (negative: it costs more), over the pods running now. */
  monthly: number;
  pods: number;
  /** How it was priced. */
  pricedAt: string;
}

export interface RightsizeDoc extends DocHeader {
  apiVersion: string;
  kind: "RightsizeRecommendations";
  usage: { source: string; confidence: string; notes: readonly string[] };
  settings: {
    cpuPercentile: number;
    memoryBufferPercent: number;
    minPoints: number;
    cpuFloor: string;
    memoryFloor: string;
  };
  summary: { workloads: number; containers: number; recommended: number; monthlySavings: number };
  workloads: (WorkloadRecommendation & { monthlySavings: number; savings: ContainerSaving[] })[];
  unmatched: readonly string[];
  notes: readonly string[];
}

/** Per-unit-hour rates of the nodes a workload's pods run on (the sheet's defaults for pods without a priced node). */
function podRates(
  state: ClusterState,
  sheet: PriceSheet,
  w: WorkloadRecommendation,
  cache: Map<string, NodePrice>,
): { cpuHour: number; memoryGiBHour: number; node: string }[] {
  return w.pods.map((name) => {
    const pod = state.get("Pod", w.namespace, name);
    const node = pod?.nodeName ? (state.get("Node", "", pod.nodeName) as Node | undefined) : undefined;
    if (!node) {
      const d = ratesFor(sheet, undefined);
      return { cpuHour: d.cpuHour, memoryGiBHour: d.memoryGiBHour, node: "" };
    }
    let p = cache.get(node.name);
    if (!p) cache.set(node.name, (p = priceNode(node, sheet)));
    return { cpuHour: p.cpuHour, memoryGiBHour: p.memoryGiBHour, node: node.name };
  });
}

function deltaOf(r: ResourceRecommendation): number {
  return r.status === "ok" && r.delta ? r.delta.request : 0;
}

function containerSaving(
  w: WorkloadRecommendation,
  c: ContainerRecommendation,
  rates: { cpuHour: number; memoryGiBHour: number; node: string }[],
): ContainerSaving {
  const dCpu = deltaOf(c.cpu) / 1000;
  const dMem = deltaOf(c.memory) / GiB;
  let monthly = 0;
  for (const r of rates) monthly -= (dCpu * r.cpuHour + dMem * r.memoryGiBHour) * HOURS_PER_MONTH;
  const nodes = new Set(rates.map((r) => r.node).filter(Boolean));
  const first = rates[0];
  const pricedAt =
    rates.length === 0
      ? "no running pods: not priced"
      : `${rates.length} pod(s) on ${nodes.size} node(s)${first ? `, e.g. $${first.cpuHour.toPrecision(4)}/vCPU-h, $${first.memoryGiBHour.toPrecision(4)}/GiB-h${first.node ? ` on ${first.node}` : " (default rates)"}` : ""}`;
  return {
    namespace: w.namespace,
    workload: `${w.kind}/${w.name}`,
    container: c.container,
    monthly,
    pods: rates.length,
    pricedAt,
  };
}

export function rightsizeDoc(
  r: RightsizeResult,
  state: ClusterState,
  sheet: PriceSheet,
  source: SourceLine,
  extra: { problems: readonly string[]; partial: boolean; usageNotes: readonly string[] },
): RightsizeDoc {
  const cache = new Map<string, NodePrice>();
  const workloads = r.workloads.map((w) => {
    const rates = podRates(state, sheet, w, cache);
    const savings = w.containers.map((c) => containerSaving(w, c, rates));
    return { ...w, monthlySavings: savings.reduce((s, x) => s + x.monthly, 0), savings };
  });
  const containers = workloads.reduce((n, w) => n + w.containers.length, 0);
  const recommended = workloads.reduce(
    (n, w) => n + w.containers.filter((c) => c.cpu.status === "ok" || c.memory.status === "ok").length,
    0,
  );
  return {
    apiVersion: API_VERSION,
    kind: "RightsizeRecommendations",
    source,
    usage: { source: r.source, confidence: r.confidence, notes: extra.usageNotes },
    window: {
      start: r.window.start.toISOString(),
      end: r.window.end.toISOString(),
      stepSeconds: r.window.stepSeconds,
    },
    partial: extra.partial,
    problems: extra.problems,
    settings: {
      cpuPercentile: r.settings.cpuPercentile,
      memoryBufferPercent: r.settings.memoryBufferPercent,
      minPoints: r.settings.pointsRequired,
      cpuFloor: `${r.settings.cpuFloorMillis}m`,
      memoryFloor: `${r.settings.memoryFloorBytes / 2 ** 20}Mi`,
    },
    summary: {
      workloads: workloads.length,
      containers,
      recommended,
      monthlySavings: workloads.reduce((s, w) => s + w.monthlySavings, 0),
    },
    workloads,
    unmatched: r.unmatched,
    notes: r.notes,
  };
}

function jsonReady(d: RightsizeDoc): unknown {
  return {
    ...d,
    summary: { ...d.summary, monthlySavings: money(d.summary.monthlySavings) },
    workloads: d.workloads.map((w) => ({
      ...w,
      monthlySavings: money(w.monthlySavings),
      savings: w.savings.map((s) => ({ ...s, monthly: money(s.monthly) })),
    })),
  };
}

export const { json: rightsizeJson, yaml: rightsizeYaml } = docWriters(jsonReady);

function resultOf(d: RightsizeDoc): RightsizeResult {
  return { workloads: d.workloads } as unknown as RightsizeResult;
}

function provenanceLines(c: ContainerRecommendation): string[] {
  const out: string[] = [];
  for (const r of [c.cpu, c.memory]) {
    const p = r.provenance;
    const head =
      r.status === "ok"
        ? `${r.resource}: ${p.points} points from ${p.pods} pod(s)${p.percentile !== undefined && r.resource === "cpu" ? `, p${p.percentile}` : ""}${p.bufferPercent !== undefined ? `, +${p.bufferPercent}% buffer` : ""}; bound ${p.bound ?? "-"}${p.floorApplied ? " (floor)" : ""}`
        : `${r.resource}: ${r.reason ?? r.status}`;
    out.push(head);
    for (const n of p.notes) out.push(`  ${n}`);
    if (p.oom) out.push(`  OOMKilled in ${p.oom.pods.join(", ")}${p.oom.rule ? `: ${p.oom.rule}` : ""}`);
    if (p.hpa) out.push(`  ${p.hpa.explanation}`);
  }
  return out;
}

function header(d: RightsizeDoc, style: Style): string[] {
  return textHead(
    style,
    `day2 cost rightsize · ${sourceText(d)}`,
    [
      `usage: ${d.usage.source} (${d.usage.confidence} confidence) · strategy: KRR simple (CPU p${d.settings.cpuPercentile}, memory max +${d.settings.memoryBufferPercent}%, at least ${d.settings.minPoints} points, floors ${d.settings.cpuFloor}/${d.settings.memoryFloor})`,
    ],
    d,
  );
}

export function rightsizeTable(
  d: RightsizeDoc,
  style: Style,
  explain: boolean,
  limit: number | undefined,
): string {
  const out: string[] = [...header(d, style), ""];
  const rows = rightsizeRows(resultOf(d));
  const saving = new Map<string, number>();
  for (const w of d.workloads)
    for (const s of w.savings) saving.set(`${s.namespace}/${s.workload}/${s.container}`, s.monthly);
  const keyOf = (r: RightsizeRow): string => `${r.namespace}/${r.workload}/${r.container}`;
  // Biggest savings first; rows without a recommendation last.
  const sorted = [...rows].sort(
    (a, b) =>
      Math.abs(saving.get(keyOf(b)) ?? 0) - Math.abs(saving.get(keyOf(a)) ?? 0) ||
      keyOf(a).localeCompare(keyOf(b)),
  );
  const shown = limit === undefined ? sorted : sorted.slice(0, limit);
  const recs = new Map<string, ContainerRecommendation>();
  for (const w of d.workloads)
    for (const c of w.containers) recs.set(`${w.namespace}/${w.kind}/${w.name}/${c.container}`, c);
  const head = [
    "NAMESPACE",
    "WORKLOAD",
    "CONTAINER",
    "CPU REQ",
    "→ CPU",
    "Δ CPU",
    "MEM REQ",
    "→ MEM",
    "Δ MEM",
    "$/MONTH",
    "CONF",
    "NOTE",
  ];
  const cells = (r: RightsizeRow): string[] => {
    const s = saving.get(keyOf(r)) ?? 0;
    return [
      r.namespace,
      r.workload,
      r.container,
      r.cpuRequest,
      r.cpuRecommended,
      r.cpuDelta,
      r.memoryRequest,
      r.memoryRecommended,
      r.memoryDelta,
      s === 0 ? "-" : s > 0 ? `${usd(s)} saved` : `${usd(-s)} more`,
      r.confidence,
      r.note,
    ];
  };
  if (!explain) out.push(columns(head, shown.map(cells)));
  else
    for (const r of shown) {
      out.push(columns(head, [cells(r)]));
      const c = recs.get(keyOf(r));
      if (c) out.push(...provenanceLines(c).map((l) => style.dim(`    ${l}`)));
      out.push("");
    }
  if (shown.length < sorted.length)
    out.push(style.dim(`… ${sorted.length - shown.length} more containers; -o json for all`));
  out.push(
    "",
    `${d.summary.recommended} of ${d.summary.containers} containers in ${d.summary.workloads} workloads have a recommendation; applying them all: ${d.summary.monthlySavings >= 0 ? `${usd(d.summary.monthlySavings)} saved` : `${usd(-d.summary.monthlySavings)} more`} per month (priced at each pod's node rates)`,
  );
  const notes = [...new Set([...d.usage.notes, ...d.notes])];
  out.push(...textNotes(style, notes));
  return out.join("\n") + "\n";
}

/** kustomize patches (multi-document YAML), headed by a comment naming the source and window. */
export function rightsizeKustomize(d: RightsizeDoc): string {
  const patches = rightsizePatches(resultOf(d));
  const head = `# day2 cost rightsize: ${patches.length} workload patches · usage ${d.usage.source} · window ${windowText(d.window)}\n`;
  return patches.length === 0 ? head : head + patchesYaml(patches);
}

/** `kubectl patch` commands, one per workload (and HPA), each after a comment with its saving. */
export function rightsizeKubectl(d: RightsizeDoc): string {
  const byKey = new Map(d.workloads.map((w) => [`${w.namespace}/${w.kind}/${w.name}`, w]));
  const out = [`# day2 cost rightsize · usage ${d.usage.source} · window ${windowText(d.window)}`];
  for (const p of rightsizePatches(resultOf(d))) {
    const w = byKey.get(`${p.namespace}/${p.kind}/${p.name}`);
    const m = w?.monthlySavings ?? 0;
    out.push(
      `# ${p.namespace}/${p.kind}/${p.name}: ${m >= 0 ? `saves ${usd(m)}` : `costs ${usd(-m)} more`} per month`,
    );
    for (const n of p.notes) out.push(`# ${n}`);
    out.push(p.kubectl);
    if (p.hpa) out.push(p.hpa.kubectl);
  }
  return out.join("\n") + "\n";
}

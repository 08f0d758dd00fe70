/**
 * `day2 cost` output: the allocation as a document (json/yaml) with rows grouped by
 * namespace, workload, pod, container or a label, and as a table, Markdown or HTML. Every form
 * carries the reconciliation: rows + overhead (unless shared) + idle + unclaimed volumes =
 * cluster cost.
 */
import type { AllocationResult, CostGroup } from "../allocation.js";
import { reconcile } from "../allocation.js";
import { HOURS_PER_MONTH } from "../pricing.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import { sentenceCase } from "./breakdown.js";
import {
  API_VERSION,
  docWriters,
  money,
  partialLines,
  pct,
  sourceText,
  textHead,
  textNotes,
  usd,
  type SourceLine,
} from "./format.js";
import { htmlSection, pageHtml, paraHtml, tableHtml, tilesHtml } from "./html.js";
import { mdHead, mdSection, mdTable } from "./markdown.js";

export type GroupBy =
  { kind: "namespace" | "workload" | "pod" | "container" } | { kind: "label"; key: string };

export function groupByText(by: GroupBy): string {
  return by.kind === "label" ? `label:${by.key}` : by.kind;
}

export interface AllocationRow {
  name: string;
  namespace?: string;
  kind?: string;
  cpu: number;
  memory: number;
  gpu: number;
  storage: number;
  loadBalancer: number;
  sharedOverhead: number;
  /** USD over the window (with shared overhead). */
  total: number;
  monthly: number;
  /** Share of the allocated (tenant) cost. */
  share: number;
  /** USD of requests above usage over the window. */
  workloadIdle: number;
}

export interface AllocationDoc {
  apiVersion: string;
  kind: "CostAllocation";
  source: SourceLine;
  window: AllocationResult["window"];
  usage: AllocationResult["usage"] & { notes: readonly string[] };
  partial: boolean;
  problems: readonly string[];
  pricing: AllocationResult["pricing"];
  cluster: AllocationResult["cluster"];
  allocated: { cost: number; monthly: number };
  overhead: Omit<AllocationResult["overhead"], "workloads">;
  idle: AllocationResult["idle"];
  unclaimedVolumes: AllocationResult["unclaimedVolumes"];
  workloadIdle: AllocationResult["workloadIdle"];
  unlabeled: AllocationResult["unlabeled"];
  costLabels: readonly string[];
  reconciliation: { cluster: number; parts: number; difference: number; identity: string };
  by: string;
  rows: AllocationRow[];
  notes: readonly string[];
}

function fromGroup(g: CostGroup, allocated: number, extra: Partial<AllocationRow> = {}): AllocationRow {
  return {
    name: g.name,
    ...extra,
    cpu: g.cost.cpu,
    memory: g.cost.memory,
    gpu: g.cost.gpu,
    storage: g.cost.storage,
    loadBalancer: g.cost.loadBalancer,
    sharedOverhead: g.sharedOverhead,
    total: g.total,
    monthly: g.monthly,
    share: allocated > 0 ? g.total / allocated : 0,
    workloadIdle: g.workloadIdle,
  };
}

function rowsOf(r: AllocationResult, by: GroupBy, perMonth: number, allocated: number): AllocationRow[] {
  const tenants = r.items.filter((it) => !it.overhead);
  const row = (
    name: string,
    c: { cpu: number; memory: number; gpu: number; storage: number; loadBalancer: number },
    shared: number,
    idle: number,
    extra: Partial<AllocationRow>,
  ): AllocationRow => {
    const total = c.cpu + c.memory + c.gpu + c.storage + c.loadBalancer + shared;
    return {
      name,
      ...extra,
      cpu: c.cpu,
      memory: c.memory,
      gpu: c.gpu,
      storage: c.storage,
      loadBalancer: c.loadBalancer,
      sharedOverhead: shared,
      total,
      monthly: total * perMonth,
      share: allocated > 0 ? total / allocated : 0,
      workloadIdle: idle,
    };
  };
  switch (by.kind) {
    case "namespace":
      return r.namespaces.map((g) => fromGroup(g, allocated));
    case "workload":
      return r.workloads.map((g) => fromGroup(g, allocated, { namespace: g.namespace, kind: g.kind }));
    case "label":
      return (r.labels[by.key] ?? []).map((g) => fromGroup(g, allocated));
    case "pod":
      return tenants
        .map((it) =>
          row(it.name, it.cost, it.sharedOverhead, it.workloadIdle, {
            namespace: it.namespace,
            kind: it.kind,
          }),
        )
        .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
    case "container": {
      const out: AllocationRow[] = [];
      for (const it of tenants) {
        let compute = 0;
        for (const c of it.containers) {
          compute += c.total;
          out.push(
            row(
              `${it.name}/${c.container}`,
              { cpu: c.cpu, memory: c.memory, gpu: c.gpu, storage: 0, loadBalancer: 0 },
              0,
              c.workloadIdle,
              { namespace: it.namespace, kind: "Container" },
            ),
          );
        }
        // What is not a container's compute (volumes, load balancers, shared overhead) stays with the pod.
        const rest = it.cost.total - compute + it.sharedOverhead;
        if (Math.abs(rest) > 1e-12)
          out.push(
            row(
              it.kind === "Pod" ? `${it.name} (volumes, load balancers)` : it.name,
              { cpu: 0, memory: 0, gpu: 0, storage: it.cost.storage, loadBalancer: it.cost.loadBalancer },
              it.sharedOverhead,
              it.kind === "Pod" ? 0 : it.workloadIdle,
              { namespace: it.namespace, kind: it.kind },
            ),
          );
      }
      return out.sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
    }
  }
}

export function allocationDoc(
  r: AllocationResult,
  by: GroupBy,
  source: SourceLine,
  extra: { notes: readonly string[]; problems: readonly string[]; costLabels: readonly string[] },
): AllocationDoc {
  const monthlyRate = r.window.hours > 0 ? HOURS_PER_MONTH / r.window.hours : 0;
  const allocated = r.namespaces.reduce((s, g) => s + g.total, 0);
  const rec = reconcile(r);
  const { workloads: _w, ...overhead } = r.overhead;
  return {
    apiVersion: API_VERSION,
    kind: "CostAllocation",
    source,
    window: r.window,
    usage: { ...r.usage, notes: extra.notes },
    partial: r.usage.partial,
    problems: extra.problems,
    pricing: r.pricing,
    cluster: r.cluster,
    allocated: { cost: allocated, monthly: allocated * monthlyRate },
    overhead,
    idle: r.idle,
    unclaimedVolumes: r.unclaimedVolumes,
    workloadIdle: r.workloadIdle,
    unlabeled: r.unlabeled,
    costLabels: extra.costLabels,
    reconciliation: {
      ...rec,
      identity: r.overhead.shared
        ? "cluster = sum(rows) + idle + unclaimedVolumes (overhead shared into the rows)"
        : "cluster = sum(rows) + overhead + idle + unclaimedVolumes",
    },
    by: groupByText(by),
    rows: rowsOf(r, by, monthlyRate, allocated),
    notes: r.notes,
  };
}

/** Money fields rounded for json/yaml (the reconciliation keeps full precision). */
function rounded(d: AllocationDoc): unknown {
  const round = (v: unknown, key: string): unknown => {
    if (
      typeof v === "number" &&
      key !== "share" &&
      key !== "coverage" &&
      key !== "hours" &&
      key !== "stepSeconds"
    )
      return money(v);
    if (Array.isArray(v)) return v.map((x) => round(x, ""));
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x, k)]));
    return v;
  };
  const { reconciliation, ...rest } = d;
  const out = round(rest, "") as Record<string, unknown>;
  return { ...out, reconciliation };
}

export const { json: allocationJson, yaml: allocationYaml } = docWriters(rounded);

function reconciliationLine(d: AllocationDoc): string {
  const parts = [
    `allocated ${usd(d.allocated.cost)}`,
    ...(d.overhead.shared ? [] : [`overhead ${usd(d.overhead.cost)}`]),
    `${d.idle.overAllocated ? "idle (over-allocation)" : "idle"} ${usd(d.idle.cost)}`,
    `unclaimed volumes ${usd(d.unclaimedVolumes.cost)}`,
  ];
  return `reconciliation: ${parts.join(" + ")} = ${usd(d.reconciliation.parts)} = cluster ${usd(d.cluster.cost)} (difference ${usd(Math.abs(d.reconciliation.difference))})`;
}

function unlabeledLine(d: AllocationDoc): string | undefined {
  const any = d.unlabeled["any"];
  if (!any || d.costLabels.length === 0) return undefined;
  return `without cost labels (${d.costLabels.join(", ")}): ${pct(any.share)} of allocated cost, ${usd(any.monthly)}/month`;
}

function summaryRows(d: AllocationDoc): [string, string, string, string][] {
  const share = (n: number): string => (d.cluster.cost > 0 ? pct(n / d.cluster.cost) : "-");
  const perMonth = (n: number): number => (d.window.hours > 0 ? (n * HOURS_PER_MONTH) / d.window.hours : 0);
  const line = (label: string, n: number): [string, string, string, string] => [
    label,
    usd(n),
    usd(perMonth(n)),
    share(n),
  ];
  return [
    line("Cluster", d.cluster.cost),
    line("  nodes", d.cluster.nodes),
    line("  storage", d.cluster.storage),
    line("  load balancers", d.cluster.loadBalancers),
    line(`Allocated${d.overhead.shared ? " (with shared overhead)" : ""}`, d.allocated.cost),
    ...(d.overhead.shared
      ? []
      : [line("Overhead (reserved, DaemonSets, system namespaces)", d.overhead.cost)]),
    line(d.idle.overAllocated ? "Over-allocation" : "Idle", d.idle.cost),
    line("Unclaimed volumes", d.unclaimedVolumes.cost),
    line("Requested but unused (in allocated)", d.workloadIdle.cost),
  ];
}

const HEAD = ["CPU", "MEMORY", "GPU", "STORAGE", "LB", "TOTAL", "PER MONTH", "SHARE", "UNUSED REQ"];

function rowCells(r: AllocationRow): string[] {
  return [
    usd(r.cpu),
    usd(r.memory),
    usd(r.gpu),
    usd(r.storage),
    usd(r.loadBalancer),
    usd(r.total),
    usd(r.monthly),
    pct(r.share),
    usd(r.workloadIdle),
  ];
}

function nameHead(d: AllocationDoc): string[] {
  if (d.by === "namespace") return ["NAMESPACE"];
  if (d.by === "workload") return ["NAMESPACE", "WORKLOAD"];
  if (d.by === "pod") return ["NAMESPACE", "POD"];
  if (d.by === "container") return ["NAMESPACE", "POD/CONTAINER"];
  return [d.by.slice("label:".length).toUpperCase()];
}

function nameCells(d: AllocationDoc, r: AllocationRow): string[] {
  if (d.by === "workload") return [r.namespace ?? "", `${r.kind}/${r.name}`];
  if (d.by === "pod" || d.by === "container")
    return [r.namespace ?? "", r.kind === "Pod" || r.kind === "Container" ? r.name : `${r.kind}/${r.name}`];
  return [r.name];
}

function usageLine(d: AllocationDoc): string {
  const u = d.usage;
  const how =
    u.source === "none"
      ? "none: costs by requests only"
      : `${u.source} (${u.confidence} confidence, ${pct(u.coverage, 0)} of samples had usage)`;
  return `usage: ${how}`;
}

export function allocationTable(d: AllocationDoc, style: Style, limit: number | undefined): string {
  const out: string[] = [...textHead(style, `day2 cost · ${sourceText(d)}`, [usageLine(d)], d), ""];
  out.push(style.bold("COST"));
  out.push(columns(["", "WINDOW", "PER MONTH", "SHARE"], summaryRows(d)));
  out.push("", reconciliationLine(d));
  const un = unlabeledLine(d);
  if (un) out.push(un);
  out.push("");
  const rows = limit === undefined ? d.rows : d.rows.slice(0, limit);
  out.push(style.bold(`BY ${d.by.toUpperCase()}`));
  out.push(
    columns(
      [...nameHead(d), ...HEAD],
      rows.map((r) => [...nameCells(d, r), ...rowCells(r)]),
    ),
  );
  if (rows.length < d.rows.length)
    out.push(
      style.dim(
        `… ${d.rows.length - rows.length} more rows (${usd(d.rows.slice(rows.length).reduce((s, r) => s + r.total, 0))}); -o json for all`,
      ),
    );
  const notes = [...new Set([...d.usage.notes, ...d.notes])];
  if (notes.length) out.push("", ...textNotes(style, notes));
  out.push(
    style.dim(
      `prices: ${d.pricing.map((p) => `${p.name}${p.asOf ? ` (as of ${p.asOf})` : ""}${p.approximate ? " (approximate)" : ""}`).join("; ")}`,
    ),
  );
  return out.join("\n") + "\n";
}

export function allocationMarkdown(d: AllocationDoc): string {
  const un = unlabeledLine(d);
  const out = [
    ...mdHead("day2 cost", sourceText(d), usageLine(d), d),
    ...mdSection(
      "Cost",
      mdTable(
        ["", "Window", "Per month", "Share"],
        summaryRows(d).map((r) => [r[0].trim(), r[1], r[2], r[3]]),
      ),
      reconciliationLine(d),
      ...(un ? [un] : []),
    ),
    ...mdSection(
      `By ${d.by}`,
      mdTable(
        [...nameHead(d), ...HEAD].map(sentenceCase),
        d.rows.map((r) => [...nameCells(d, r), ...rowCells(r)]),
      ),
    ),
  ];
  return out.join("\n");
}

export function allocationHtml(d: AllocationDoc): string {
  const body = [
    paraHtml(usageLine(d)),
    tilesHtml([
      { label: "Cluster / month", value: usd(d.cluster.monthly) },
      { label: "Allocated / month", value: usd(d.allocated.monthly) },
      {
        label: d.idle.overAllocated ? "Over-allocation / month" : "Idle / month",
        value: usd(d.idle.monthly),
      },
      { label: "Overhead / month", value: usd(d.overhead.monthly) },
      { label: "Unused requests / month", value: usd(d.workloadIdle.monthly) },
    ]),
    ...htmlSection(
      "Cost",
      tableHtml(["", "Window", "Per month", "Share"], summaryRows(d), [1, 2, 3]),
      paraHtml(reconciliationLine(d)),
      unlabeledLine(d) ? paraHtml(unlabeledLine(d)!, true) : "",
    ),
    ...htmlSection(
      `By ${d.by} (${d.rows.length})`,
      tableHtml(
        [...nameHead(d), ...HEAD],
        d.rows.map((r) => [...nameCells(d, r), ...rowCells(r)]),
        HEAD.map((_, i) => nameHead(d).length + i),
      ),
    ),
    paraHtml(d.pricing.map((p) => p.name).join("; "), true),
  ].join("\n");
  return pageHtml({
    title: "day2 cost",
    subtitle: sourceText(d),
    partial: partialLines(d),
    body,
  });
}

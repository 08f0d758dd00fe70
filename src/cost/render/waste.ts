/**
 * `day2 cost waste` output: waste items grouped by kind, each with $ per month and confidence.
 * Table and Markdown show old ReplicaSets one row per Deployment (a cluster keeps hundreds of
 * them); json/yaml carry every item. Also one HTML page.
 */
import type { WasteItem, WasteKind } from "../waste.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import {
  breakdownHtml,
  breakdownMarkdown,
  breakdownText,
  breakdownTiles,
  sentenceCase,
  type Breakdown,
} from "./breakdown.js";
import {
  API_VERSION,
  docWriters,
  money,
  partialLines,
  sourceText,
  textHead,
  textNotes,
  usd,
  usageText,
  type DocHeader,
} from "./format.js";
import { htmlSection, notesHtml, pageHtml, paraHtml, tableHtml } from "./html.js";
import { mdHead, mdNotes, mdSection, mdTable } from "./markdown.js";

/** Every kind, in the order kinds of equal dollars are listed, with its section heading. */
export const WASTE_KINDS = {
  "unbound-pv": "PersistentVolumes bound to no claim",
  "unmounted-pvc": "PersistentVolumeClaims no pod mounts",
  "unbound-pvc": "PersistentVolumeClaims never bound",
  "lb-no-endpoints": "LoadBalancer Services with no endpoints",
  "idle-workload": "Idle workloads",
  "scaled-to-zero": "Workloads scaled to zero",
  "daemonset-heavy-node": "Nodes that run mostly DaemonSets",
  "stale-namespace": "Stale namespaces",
  "empty-namespace": "Empty namespaces",
  "finished-job-no-ttl": "Finished Jobs without a TTL",
  "old-replicaset": "Old ReplicaSets",
  "orphan-secret": "Secrets nothing refers to",
  "orphan-configmap": "ConfigMaps nothing refers to",
  "orphan-serviceaccount": "ServiceAccounts nothing uses",
} as const satisfies Record<WasteKind, string>;

export const WASTE_KIND_NAMES = Object.keys(WASTE_KINDS) as WasteKind[];

export interface WasteDoc extends DocHeader {
  apiVersion: string;
  kind: "Waste";
  filter: { kinds?: readonly WasteKind[]; namespace?: string };
  summary: { items: number; monthly: number };
  /** Kinds with items, most dollars first (then in WASTE_KINDS order). */
  byKind: { kind: WasteKind; items: number; monthly: number }[];
  items: readonly WasteItem[];
  notes: readonly string[];
}

export function wasteDoc(
  items: readonly WasteItem[],
  o: Omit<WasteDoc, "apiVersion" | "kind" | "summary" | "byKind" | "items">,
): WasteDoc {
  const cents = (n: number): number => Math.round(n * 100) / 100;
  const byKind = WASTE_KIND_NAMES.flatMap((kind) => {
    const of = items.filter((it) => it.kind === kind);
    return of.length
      ? [{ kind, items: of.length, monthly: cents(of.reduce((t, it) => t + it.monthly, 0)) }]
      : [];
  }).sort((a, b) => b.monthly - a.monthly);
  const { notes, ...rest } = o;
  return {
    apiVersion: API_VERSION,
    kind: "Waste",
    ...rest,
    summary: { items: items.length, monthly: cents(items.reduce((t, it) => t + it.monthly, 0)) },
    byKind,
    items,
    notes,
  };
}

function rounded(d: WasteDoc): unknown {
  return {
    ...d,
    summary: { ...d.summary, monthly: money(d.summary.monthly) },
    byKind: d.byKind.map((k) => ({ ...k, monthly: money(k.monthly) })),
    items: d.items.map((it) => ({ ...it, monthly: money(it.monthly) })),
  };
}

export const { json: wasteJson, yaml: wasteYaml } = docWriters(rounded);

/** A column head as a sentence-case title (Markdown and HTML). */
function title(h: string): string {
  return h === "OLD REPLICASETS" ? "Old ReplicaSets" : sentenceCase(h);
}

function usageLine(d: WasteDoc): string {
  return usageText(d.usage, "usage: none: idle workloads are not judged");
}

function byKind(d: WasteDoc): Breakdown {
  return {
    head: ["KIND", "ITEMS"],
    rows: d.byKind.map((k) => ({ name: k.kind, count: k.items, monthly: k.monthly })),
  };
}

function totalLine(d: WasteDoc): string {
  const filters = [
    ...(d.filter.kinds ? [`kinds ${d.filter.kinds.join(", ")}`] : []),
    ...(d.filter.namespace ? [`namespace ${d.filter.namespace}`] : []),
  ];
  return `total: ${d.summary.items} items, ${usd(d.summary.monthly)} per month${filters.length ? ` (${filters.join("; ")})` : ""}`;
}

interface Section {
  kind: WasteKind;
  title: string;
  head: string[];
  rows: string[][];
  /** What a row is, plural ("items", "Deployments"). */
  unit: string;
}

/** The object's name; workloads (which may be any controller kind) as Kind/name. */
function objectName(it: WasteItem): string {
  return it.kind === "idle-workload" || it.kind === "scaled-to-zero"
    ? `${it.object.kind}/${it.object.name}`
    : it.object.name;
}

/** Old ReplicaSets, one row per Deployment: how many, which revisions, and the action. */
function replicaSetRows(items: readonly WasteItem[], wide: boolean): string[][] {
  const by = new Map<string, WasteItem[]>();
  for (const it of items) {
    const k = `${it.object.namespace}/${String(it.evidence.deployment)}`;
    const list = by.get(k);
    if (list) list.push(it);
    else by.set(k, [it]);
  }
  return [...by.values()]
    .sort(
      (a, b) =>
        b.length - a.length ||
        (a[0]!.object.namespace < b[0]!.object.namespace ? -1 : 1) ||
        (String(a[0]!.evidence.deployment) < String(b[0]!.evidence.deployment) ? -1 : 1),
    )
    .map((list) => {
      const first = list[0]!;
      const revs = list
        .map((it) => it.evidence.revision)
        .filter((r): r is number => typeof r === "number")
        .sort((a, b) => a - b);
      const low = list.filter((it) => it.confidence === "low").length;
      const dep = String(first.evidence.deployment);
      const ns = first.object.namespace;
      return [
        ns,
        dep,
        String(list.length),
        revs.length === 0
          ? "unknown"
          : revs.length === 1
            ? String(revs[0])
            : `${revs[0]}-${revs[revs.length - 1]}`,
        low && low < list.length
          ? `high (${list.length - low}), low (${low}: the rollback target)`
          : low
            ? "low (the rollback target)"
            : "high",
        ...(wide
          ? [
              `kubectl patch deployment ${dep}${ns ? ` -n ${ns}` : ""} -p '{"spec":{"revisionHistoryLimit":3}}'`,
            ]
          : []),
      ];
    });
}

function sections(d: WasteDoc, wide: boolean): Section[] {
  return d.byKind.map(({ kind, items, monthly }) => {
    const of = d.items.filter((it) => it.kind === kind);
    if (kind === "old-replicaset") {
      const rows = replicaSetRows(of, wide);
      return {
        kind,
        title: `${kind} · ${WASTE_KINDS[kind]}: ${items} in ${rows.length} Deployments · ${usd(monthly)}/month`,
        head: [
          "NAMESPACE",
          "DEPLOYMENT",
          "OLD REPLICASETS",
          "REVISIONS",
          "CONFIDENCE",
          ...(wide ? ["ACTION"] : []),
        ],
        rows,
        unit: "Deployments",
      };
    }
    return {
      kind,
      title: `${kind} · ${WASTE_KINDS[kind]} (${items}) · ${usd(monthly)}/month`,
      head: ["NAMESPACE", "NAME", "$/MONTH", "CONFIDENCE", "WHAT", ...(wide ? ["ACTION"] : [])],
      rows: of.map((it) => [
        it.object.namespace || "-",
        objectName(it),
        usd(it.monthly),
        it.confidence,
        it.message,
        ...(wide ? [it.action] : []),
      ]),
      unit: "items",
    };
  });
}

export function wasteTable(d: WasteDoc, style: Style, limit: number | undefined, wide: boolean): string {
  const out = [
    ...textHead(style, `day2 cost waste · ${sourceText(d)}`, [usageLine(d)], d),
    "",
    style.bold("BY KIND"),
    breakdownText(byKind(d)),
    "",
    totalLine(d),
  ];
  for (const s of sections(d, wide)) {
    const rows = limit === undefined ? s.rows : s.rows.slice(0, limit);
    out.push("", style.bold(s.title), columns(s.head, rows));
    if (rows.length < s.rows.length)
      out.push(
        style.dim(
          `… ${s.rows.length - rows.length} more ${s.rows.length - rows.length === 1 ? s.unit.replace(/s$/, "") : s.unit}; --top 0 or -o json for all`,
        ),
      );
  }
  const notes = [
    ...d.notes,
    ...(wide ? [] : ["the kubectl command for each item: -o wide, -o json or -o markdown"]),
  ];
  if (notes.length) out.push("", ...textNotes(style, notes));
  return out.join("\n") + "\n";
}

export function wasteMarkdown(d: WasteDoc): string {
  const out = [
    ...mdHead("day2 cost waste", sourceText(d), usageLine(d), d),
    ...mdSection("By kind", breakdownMarkdown(byKind(d)), totalLine(d)),
  ];
  for (const s of sections(d, true))
    out.push(
      ...mdSection(
        s.title,
        mdTable(
          s.head.map(title),
          s.rows.map((r) => r.map((c, i) => (s.head[i] === "ACTION" ? `\`${c}\`` : c))),
        ),
      ),
    );
  out.push(...mdNotes(d.notes), "");
  return out.join("\n");
}

export function wasteHtml(d: WasteDoc): string {
  const body = [
    paraHtml(usageLine(d)),
    breakdownTiles(byKind(d), "Waste items", { count: d.summary.items, monthly: d.summary.monthly }),
    ...htmlSection("By kind", breakdownHtml(byKind(d)), paraHtml(totalLine(d))),
    ...sections(d, true).flatMap((s) =>
      htmlSection(
        s.title,
        tableHtml(
          s.head.map(title),
          s.rows,
          s.head.flatMap((h, i) => (h === "$/MONTH" || h === "OLD REPLICASETS" ? [i] : [])),
        ),
      ),
    ),
    ...notesHtml(d.notes),
  ].join("\n");
  return pageHtml({ title: "day2 cost waste", subtitle: sourceText(d), partial: partialLines(d), body });
}

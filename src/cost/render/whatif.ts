/** `day2 cost whatif` output: nodes freed per pool, $ per month, and what blocks the rest. */
import type { WhatIfResult } from "../whatif.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import {
  cores,
  gib,
  docWriters,
  money,
  sourceText,
  textHead,
  textNotes,
  usd,
  type DocHeader,
} from "./format.js";

export interface WhatIfDoc extends DocHeader {
  apiVersion: string;
  kind: "WhatIf";
  /** What was applied: the right-sizing recommendations of `day2 cost rightsize`. */
  applied: { workloads: number; changes: number; unmatched: readonly string[]; rightsizeMonthly: number };
  result: WhatIfResult;
}

export const { json: whatifJson, yaml: whatifYaml } = docWriters(roundDoc);

function roundDoc(d: WhatIfDoc): unknown {
  return {
    ...d,
    applied: { ...d.applied, rightsizeMonthly: money(d.applied.rightsizeMonthly) },
    result: {
      ...d.result,
      monthlySavings: money(d.result.monthlySavings),
      pools: d.result.pools.map((p) => ({
        ...p,
        monthlyCostBefore: money(p.monthlyCostBefore),
        monthlyCostAfter: money(p.monthlyCostAfter),
        monthlySavings: money(p.monthlySavings),
      })),
    },
  };
}

export function whatifTable(d: WhatIfDoc, style: Style): string {
  const r = d.result;
  const out = [
    ...textHead(
      style,
      `day2 cost whatif · ${sourceText(d)}`,
      [
        `applied: ${d.applied.changes} request changes in ${d.applied.workloads} workloads from day2 cost rightsize (usage ${d.usage.source}, ${d.usage.confidence} confidence); re-packed each pool first-fit decreasing`,
      ],
      d,
    ),
    "",
    style.bold("POOLS"),
    columns(
      [
        "POOL",
        "NODES",
        "AFTER",
        "FREED",
        "ADDED",
        "$/MONTH NOW",
        "AFTER",
        "SAVED/MONTH",
        "CPU REQ",
        "→",
        "MEM REQ",
        "→",
        "MOVED",
        "PINNED",
        "IF UNBLOCKED",
      ],
      r.pools.map((p) => [
        p.pool,
        p.nodesBefore,
        p.nodesAfter,
        p.nodesFreed,
        p.nodesAdded,
        usd(p.monthlyCostBefore),
        usd(p.monthlyCostAfter),
        usd(p.monthlySavings),
        cores(p.requestsBefore.cpu / 1000),
        cores(p.requestsAfter.cpu / 1000),
        gib(p.requestsBefore.memory),
        gib(p.requestsAfter.memory),
        p.podsMoved,
        p.pinnedPods,
        p.nodesAfterIfUnblocked,
      ]),
    ),
    "",
    `total: ${r.nodesBefore} nodes -> ${r.nodesAfter} (${r.nodesFreed} freed), ${usd(r.monthlySavings)} per month saved (the right-sizing itself prices at ${usd(d.applied.rightsizeMonthly)}/month of requests; only freed nodes save money)`,
  ];
  const blocked = r.pools.filter((p) => p.blockers.length > 0);
  if (blocked.length) {
    out.push("", style.bold("BLOCKERS (pods that cannot move, and keep their nodes)"));
    out.push(
      columns(
        ["POOL", "REASON", "PODS", "NODES", "EXAMPLES"],
        blocked.flatMap((p) =>
          p.blockers.map((b) => [p.pool, b.text, b.pods, b.nodes, b.examples.join(", ")]),
        ),
      ),
    );
  }
  for (const p of r.pools)
    if (p.freedNodes.length)
      out.push(
        style.dim(
          `freed in ${p.pool}: ${p.freedNodes.slice(0, 8).join(", ")}${p.freedNodes.length > 8 ? ` and ${p.freedNodes.length - 8} more` : ""}`,
        ),
      );
  if (d.applied.unmatched.length)
    out.push(style.dim(`note: ${d.applied.unmatched.length} changes matched no running container`));
  out.push(...textNotes(style, r.notes));
  return out.join("\n") + "\n";
}

/** `day2 cost tuning` output: HPA findings, node-pool utilisation and scale-down blockers. */
import type { AutoscalingTuning } from "../hpa-tuning.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import { cores, gib, docWriters, pct, sourceText, textHead, textNotes, type DocHeader } from "./format.js";

export interface TuningDoc extends DocHeader {
  apiVersion: string;
  kind: "AutoscalingTuning";
  tuning: AutoscalingTuning;
}

export const { json: tuningJson, yaml: tuningYaml } = docWriters<TuningDoc>();

export function tuningTable(d: TuningDoc, style: Style, limit: number | undefined): string {
  const t = d.tuning;
  const out = [
    ...textHead(
      style,
      `day2 cost tuning · ${sourceText(d)}`,
      [`usage: ${d.usage.source} (${d.usage.confidence} confidence)`],
      d,
    ),
    "",
    style.bold(`HPA FINDINGS (${t.hpas.length})`),
  ];
  out.push(
    t.hpas.length === 0
      ? "none"
      : columns(
          ["NAMESPACE", "HPA", "TARGET", "FINDING", "FIELD", "NOW", "RECOMMENDED", "WHY"],
          t.hpas.map((h) => [
            h.namespace,
            h.hpa,
            h.target,
            h.kind,
            h.field,
            h.current ?? "-",
            h.recommended,
            h.message,
          ]),
        ),
  );
  out.push("", style.bold("NODE POOLS"));
  out.push(
    columns(
      ["POOL", "NODES", "TYPES", "CAPACITY", "CPU REQ", "MEM REQ", "CPU USED", "MEM USED", "HINTS"],
      t.pools.map((p) => [
        p.pool,
        p.nodes,
        p.instanceTypes.join(",") || "-",
        p.capacityTypes.join(",") || "-",
        `${pct(p.cpuUtilisation, 0)} of ${cores(p.allocatableCpu / 1000)}`,
        `${pct(p.memoryUtilisation, 0)} of ${gib(p.allocatableMemory)}`,
        p.usedCpu === undefined ? "-" : cores(p.usedCpu / 1000),
        p.usedMemory === undefined ? "-" : gib(p.usedMemory),
        p.hints.join("; "),
      ]),
    ),
  );
  const candidates = t.nodes.filter((n) => n.candidate);
  const blocked = candidates.filter((n) => n.blockers.length > 0);
  out.push(
    "",
    style.bold(
      `SCALE-DOWN: ${candidates.length} nodes under the autoscaler's utilisation threshold, ${blocked.length} of them blocked`,
    ),
  );
  const shown = limit === undefined ? blocked : blocked.slice(0, limit);
  if (shown.length)
    out.push(
      columns(
        ["NODE", "POOL", "UTILISATION", "BLOCKED BY"],
        shown.map((n) => [
          n.node,
          n.pool,
          pct(n.utilisation, 0),
          n.blockers
            .slice(0, 3)
            .map((b) => `${b.reason}${b.pod ? ` (${b.pod})` : ""}`)
            .join("; ") + (n.blockers.length > 3 ? `; +${n.blockers.length - 3} more` : ""),
        ]),
      ),
    );
  if (shown.length < blocked.length)
    out.push(style.dim(`… ${blocked.length - shown.length} more nodes; -o json for all`));
  out.push(...textNotes(style, t.notes));
  return out.join("\n") + "\n";
}

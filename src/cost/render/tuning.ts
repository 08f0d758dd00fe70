/** `day2 cost tuning` output: HPA findings, node-pool utilisation and scale-down blockers. */
import { stringify } from "yaml";
import type { AutoscalingTuning } from "../hpa-tuning.js";
import { columns } from "../../report/render/columns.js";
import type { Style } from "../../report/render/style.js";
import { cores, gib, partialLines, pct, windowText, type SourceLine } from "./format.js";

export interface TuningDoc {
  apiVersion: string;
  kind: "AutoscalingTuning";
  source: SourceLine;
  window: { start: string; end: string; stepSeconds: number };
  usage: { source: string; confidence: string };
  partial: boolean;
  problems: readonly string[];
  tuning: AutoscalingTuning;
}

export function tuningJson(d: TuningDoc): string {
  return JSON.stringify(d, null, 2) + "\n";
}

export function tuningYaml(d: TuningDoc): string {
  return stringify(d, { aliasDuplicateObjects: false });
}

export function tuningTable(d: TuningDoc, style: Style, limit: number | undefined): string {
  const t = d.tuning;
  const out = [
    style.bold(`day2 cost tuning · ${d.source.kind} · ${d.source.detail} · window ${windowText(d.window)}`),
    `usage: ${d.usage.source} (${d.usage.confidence} confidence)`,
    ...partialLines(d).map((l) => style.yellow(l)),
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
  for (const n of t.notes) out.push(style.dim(`note: ${n}`));
  return out.join("\n") + "\n";
}

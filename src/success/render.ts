/** The success criteria as text: a terminal table and a Markdown table (json/yaml are the data). */
import type { SuccessCriterion } from "./criteria.js";

const LABEL: Record<SuccessCriterion["status"], string> = {
  met: "MET",
  "at-risk": "AT RISK",
  missed: "MISSED",
  "no-data": "NO DATA",
  open: "OPEN",
  signed: "SIGNED",
};

export function statusLabel(s: SuccessCriterion["status"]): string {
  return LABEL[s];
}

export function successTable(rows: readonly SuccessCriterion[]): string {
  const head = ["CRITERION", "STATUS", "EVIDENCE"];
  const body = rows.map((r) => [r.title, LABEL[r.status], r.evidence]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(head), ...body.map(line)].join("\n") + "\n";
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function successMarkdown(rows: readonly SuccessCriterion[]): string {
  return (
    [
      "| Criterion | Status | Judged by | Evidence |",
      "|---|---|---|---|",
      ...rows.map(
        (r) =>
          `| ${cell(r.title)} | ${LABEL[r.status]} | ${r.judgedBy === "kpi" ? r.kpis.map((k) => `\`${k}\``).join(", ") : "sign-off"} | ${cell(r.evidence)} |`,
      ),
    ].join("\n") + "\n"
  );
}

/**
 * A review draft as Markdown (GitHub-flavoured: tables, task boxes). Times in UTC.
 */
import { formatDuration, formatUtc } from "./notify.js";
import type { ReviewActionItem, ReviewDraft, ReviewImpact } from "./review.js";

/** Table cells: pipes escaped, line breaks flattened. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

const dur = (ms: number | undefined): string => (ms === undefined ? "n/a" : formatDuration(ms));
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const minute = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

function impactTable(i: ReviewImpact): string[] {
  const alerts = `${i.alertCount}${i.suppressedAlertCount ? ` (${i.suppressedAlertCount} suppressed)` : ""}`;
  const ack =
    i.timeToAcknowledgeMs === undefined
      ? "n/a"
      : `${formatDuration(i.timeToAcknowledgeMs)}${i.ackDeadlineMs !== undefined ? ` (deadline ${formatDuration(i.ackDeadlineMs)})` : ""}`;
  return [
    "| Measure | Value |",
    "|---|---|",
    row(["Started", formatUtc(i.startedAt)]),
    row(["Ended", i.endedAt === undefined ? "ongoing" : formatUtc(i.endedAt)]),
    row(["Duration", `${formatDuration(i.durationMs)}${i.ongoing ? " so far" : ""}`]),
    row(["Time to acknowledge", ack]),
    row(["Time to mitigate", dur(i.timeToMitigateMs)]),
    row(["Time to resolve", dur(i.timeToResolveMs)]),
    row(["Services", i.services.join(", ") || "none recorded"]),
    row(["Namespaces", i.namespaces.join(", ") || "none recorded"]),
    row(["Alerts", alerts]),
  ];
}

function bullets(items: string[], none: string): string[] {
  return items.length ? items.map((s) => `- ${s}`) : [`- ${none}`];
}

function actionRow(a: ReviewActionItem): string {
  const runbook = a.runbook ? `${a.runbook}${a.tracked ? " (tracked)" : ""}` : "";
  const status = a.status === "closed" && a.closedAt !== undefined ? `closed ${day(a.closedAt)}` : a.status;
  return row([
    a.status === "closed" ? "[x]" : "[ ]",
    `${a.title}${a.suggested ? " _(suggested)_" : ""}`,
    a.owner ?? "unassigned",
    a.dueAt === undefined ? "none" : day(a.dueAt),
    runbook,
    status,
  ]);
}

export function renderReviewMarkdown(d: ReviewDraft): string {
  const head = [`**Incident** ${d.incidentId}`, `**Priority** ${d.priority}`, `**Status** ${d.status}`];
  if (d.commander) head.push(`**Commander** ${d.commander}`);
  const rc = d.rootCause;
  const lines = [
    `# Post-incident review: ${d.title}`,
    "",
    head.join(" · "),
    "",
    `_Draft generated ${formatUtc(d.generatedAt)} by day2 from the incident timeline. Edit freely._`,
    "",
    "## Summary",
    "",
    d.summary,
    "",
    "## Impact",
    "",
    ...impactTable(d.impact),
    "",
    "## Timeline (UTC)",
    "",
    "| Time | Event | Who | What |",
    "|---|---|---|---|",
    ...d.timeline.map((e) => row([minute(e.at), e.kind, e.actor, e.text])),
    "",
    "## Root cause",
    "",
    "_To be written by the responders. Questions to start from:_",
    "",
    ...rc.prompts.map((p) => `- ${p}`),
    "",
    "Alerts involved:",
    "",
    ...bullets(
      rc.alerts.map(
        (a) =>
          `**${a.name}**${a.count > 1 ? ` (${a.count})` : ""}${a.summary ? `: ${a.summary}` : ""}` +
          (a.runbook ? ` (runbook: ${a.runbook})` : " (no runbook)"),
      ),
      "none recorded",
    ),
    "",
    "## What went well",
    "",
    ...bullets(d.wentWell, "_to be filled in_"),
    "",
    "## What went badly",
    "",
    ...bullets(d.wentBadly, "_to be filled in_"),
    "",
    "## Action items",
    "",
  ];
  if (d.actionItems.length) {
    lines.push(
      "| Done | Action | Owner | Due | Runbook | Status |",
      "|---|---|---|---|---|---|",
      ...d.actionItems.map(actionRow),
      "",
      "Items naming a runbook are tracked until closed.",
    );
  } else {
    lines.push("- _none yet_");
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The monthly review as a document: one list of blocks (headings, paragraphs, lists, tables,
 * charts) rendered to Markdown or to one self-contained HTML page. Charts are inline SVG in
 * HTML; in Markdown `chartRef` decides how a chart is linked (a file beside the document, or a
 * data URI).
 */
import { escapeXml } from "../cost/chart.js";
import { statusLabel } from "../success/render.js";
import { reviewCharts, type Chart } from "./charts.js";
import type { MonthlyReview } from "./types.js";

type Block =
  | { t: "h2"; text: string }
  | { t: "h3"; text: string }
  | { t: "p"; text: string }
  | { t: "list"; items: string[] }
  | { t: "table"; head: string[]; rows: string[][] }
  | { t: "chart"; chart: Chart };

export const SECTION_TITLES = {
  incidents: "Incident retrospectives",
  cost: "Cost review",
  performance: "Performance analysis",
  security: "Security audit",
} as const;

export function usd(n: number): string {
  return `${n < 0 ? "-" : ""}$${Math.abs(n).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function num(n: number, digits = 2): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function pct(n: number | null): string {
  return n === null ? "n/a" : `${n > 0 ? "+" : ""}${num(n, 1)}%`;
}

function quantity(resource: "cpu" | "memory", v: number): string {
  return resource === "cpu" ? `${Math.round(v)}m` : `${num(v / 2 ** 20, 0)}Mi`;
}

function summaryBlocks(d: MonthlyReview): Block[] {
  const i = d.incidents;
  const c = d.cost;
  const s = d.performance.slo;
  return [
    { t: "h2", text: "Summary" },
    {
      t: "list",
      items: [
        `${i.total} incidents (P0 ${i.byPriority.P0}, P1 ${i.byPriority.P1}, P2 ${i.byPriority.P2}, P3 ${i.byPriority.P3}); MTTR ${i.mttrMinutes === null ? "no data" : `${num(i.mttrMinutes, 1)} min`}, MTBF ${i.mtbfHours === null ? "no data" : `${num(i.mtbfHours, 1)} h`}`,
        `spend ${usd(c.total)} (${usd(c.averageDaily ?? 0)}/day, last week against first ${pct(c.trendPct)}); savings on the table ${usd(c.opportunities.totalMonthly)}/month${c.forecast ? `; forecast ${c.forecast.month} ${usd(c.forecast.total)}` : ""}`,
        s.uptimePct === null
          ? `SLO: no data (${s.reason ?? "uptime not measured"})`
          : `SLO ${s.attained ? "attained" : "missed"}: uptime ${num(s.uptimePct, 3)}% against ${s.targetPct}%`,
        `CVEs: ${d.security.cves.critical === null ? `no data (${d.security.cves.reason ?? "unknown"})` : `${d.security.cves.critical} critical, ${d.security.cves.high} high`}; Pod Security ${d.security.compliance.level} compliance ${d.security.compliance.percent === null ? "no data" : `${num(d.security.compliance.percent, 1)}%`}`,
      ],
    },
    {
      t: "table",
      head: ["Success criterion", "Status", "Evidence"],
      rows: d.success.map((r) => [r.title, statusLabel(r.status), r.evidence]),
    },
  ];
}

function incidentBlocks(d: MonthlyReview, charts: Chart[]): Block[] {
  const i = d.incidents;
  const a = i.actionItems;
  const out: Block[] = [
    { t: "h2", text: SECTION_TITLES.incidents },
    {
      t: "p",
      text: `${i.total} incidents in ${d.month} (from ${i.source}). MTTR ${i.mttrMinutes === null ? "no data" : `${num(i.mttrMinutes, 1)} min`}, MTBF ${i.mtbfHours === null ? "no data" : `${num(i.mtbfHours, 1)} h`}.`,
    },
    {
      t: "table",
      head: ["Priority", "Incidents"],
      rows: (["P0", "P1", "P2", "P3"] as const).map((p) => [p, String(i.byPriority[p])]),
    },
  ];
  if (i.notes.length) out.push({ t: "list", items: i.notes });
  const chart = charts.find((c) => c.name === "incidents-per-day");
  if (chart) out.push({ t: "chart", chart });
  out.push({ t: "h3", text: `Reviews (${i.retrospectives.length})` });
  if (!i.retrospectives.length)
    out.push({ t: "p", text: "No review was published for this month's incidents." });
  for (const r of i.retrospectives)
    out.push({
      t: "list",
      items: [
        `${r.incidentId} ${r.priority} ${r.title} (${r.createdAt.slice(0, 10)})`,
        ...r.wentWrong.map((w) => `went wrong: ${w}`),
        ...r.wentRight.map((w) => `went right: ${w}`),
      ],
    });
  if (i.unreviewed.length)
    out.push({
      t: "p",
      text: `Resolved P0/P1 without a review: ${i.unreviewed.map((u) => `${u.incidentId} (${u.priority} ${u.title})`).join("; ")}.`,
    });
  out.push(
    {
      t: "h3",
      text: `Action items: ${a.counts.open} open, ${a.counts.overdue} overdue, ${a.counts.done} done`,
    },
    {
      t: "table",
      head: ["State", "Incident", "Action", "Owner", "Due"],
      rows: a.items.map((x) => [
        x.state,
        x.incidentId,
        x.title,
        x.owner ?? "unassigned",
        x.due?.slice(0, 10) ?? "none",
      ]),
    },
  );
  return out;
}

function costBlocks(d: MonthlyReview, charts: Chart[]): Block[] {
  const c = d.cost;
  const o = c.opportunities;
  const out: Block[] = [
    { t: "h2", text: SECTION_TITLES.cost },
    {
      t: "p",
      text: `Spend in ${d.month}: ${usd(c.total)}, ${c.averageDaily === null ? "no daily figure" : `${usd(c.averageDaily)} a day on average`}; the last 7 days against the first 7: ${pct(c.trendPct)}.`,
    },
  ];
  const chart = charts.find((x) => x.name === "daily-cost");
  if (chart) out.push({ t: "chart", chart });
  out.push(
    { t: "h3", text: "Top namespaces" },
    {
      t: "table",
      head: ["Namespace", "Cost", "Previous month", "Change"],
      rows: c.namespaces.map((n) => [
        n.name,
        usd(n.cost),
        n.previous === null ? "n/a" : usd(n.previous),
        n.change === null ? "n/a" : `${usd(n.change)} (${pct(n.changePct)})`,
      ]),
    },
    { t: "h3", text: `Optimisation opportunities: ${usd(o.totalMonthly)}/month` },
    {
      t: "table",
      head: ["Kind", "Items", "USD/month", "Largest"],
      rows: [
        [
          "Quick wins",
          String(o.quickWins.count),
          usd(o.quickWins.monthly),
          o.quickWins.top.map((w) => `${w.title} (${usd(w.monthly)})`).join("; "),
        ],
        [
          "Waste",
          String(o.waste.count),
          usd(o.waste.monthly),
          o.waste.byKind
            .slice(0, 3)
            .map((w) => `${w.kind} x${w.count} (${usd(w.monthly)})`)
            .join("; "),
        ],
        [
          "Right-sizing",
          String(o.rightsizing.count),
          usd(o.rightsizing.monthly),
          o.rightsizing.top.map((r) => `${r.namespace}/${r.workload} (${usd(r.monthly)})`).join("; "),
        ],
      ],
    },
    {
      t: "p",
      text: "Quick wins include the larger waste and right-sizing items: the total is the quick wins', not the sum of the rows.",
    },
    { t: "h3", text: "Forecast" },
    {
      t: "p",
      text: c.forecast
        ? `${c.forecast.month}: ${usd(c.forecast.total)} (${c.forecast.explanation}).`
        : "No forecast: fewer than 7 days with a cost.",
    },
  );
  if (c.notes.length) out.push({ t: "list", items: c.notes });
  return out;
}

function performanceBlocks(d: MonthlyReview): Block[] {
  const p = d.performance;
  const s = p.slo;
  const b = s.errorBudget;
  const out: Block[] = [
    { t: "h2", text: SECTION_TITLES.performance },
    { t: "h3", text: "SLO attainment" },
    {
      t: "p",
      text:
        s.uptimePct === null
          ? `Uptime: no data (${s.reason ?? "unknown"}).`
          : `Uptime ${num(s.uptimePct, 4)}% against the ${s.targetPct}% SLO: ${s.attained ? "attained" : "missed"} (${s.source ?? "unknown source"}).` +
            (b
              ? ` Error budget ${num(b.allowedMin, 1)} min, spent ${num(b.spentMin, 1)} min (${num(b.spentPct, 1)}%), ${num(b.remainingMin, 1)} min left.`
              : ""),
    },
    {
      t: "table",
      head: ["KPI", "Value", "Target", "Status"],
      rows: p.latency.map((k) => [
        k.name,
        k.value === null
          ? `no data (${(k.reason ?? "").replace(/^no data: /, "")})`
          : `${num(k.value)} ${k.unit}`,
        k.target,
        k.status,
      ]),
    },
    { t: "h3", text: "Worst bottlenecks" },
  ];
  if (!p.bottlenecks.length)
    out.push({ t: "p", text: "No container runs above its requests in the usage data." });
  else
    out.push({
      t: "table",
      head: ["Workload", "Container", "Resource", "Request", "Needs", "Over"],
      rows: p.bottlenecks.map((x) => [
        `${x.namespace}/${x.workload}`,
        x.container,
        x.resource,
        quantity(x.resource, x.request),
        quantity(x.resource, x.recommended),
        pct(x.overPct),
      ]),
    });
  out.push({ t: "h3", text: "Planned improvements" });
  const items = [
    ...p.planned.actionItems.map(
      (a) =>
        `${a.state === "overdue" ? "OVERDUE " : ""}${a.title} (${a.incidentId}, ${a.owner ?? "unassigned"}, due ${a.due?.slice(0, 10) ?? "none"})`,
    ),
    ...p.planned.increases.map(
      (x) =>
        `raise the ${x.resource} request of ${x.namespace}/${x.workload} ${x.container} to ${quantity(x.resource, x.recommended)} (day2 cost rightsize)`,
    ),
  ];
  out.push(
    items.length
      ? { t: "list", items }
      : { t: "p", text: "Nothing planned: no open action item, no request increase." },
  );
  return out;
}

function securityBlocks(d: MonthlyReview): Block[] {
  const s = d.security;
  const pc = s.policyChanges;
  return [
    { t: "h2", text: SECTION_TITLES.security },
    { t: "h3", text: "Vulnerabilities" },
    {
      t: "p",
      text:
        (s.cves.critical === null
          ? `CVEs: no data (${s.cves.reason ?? "unknown"}).`
          : `${s.cves.critical} critical and ${s.cves.high} high CVEs in running images.`) +
        ` Security findings: ${s.securityFindings.critical} critical, ${s.securityFindings.high} high, ${s.securityFindings.medium} medium, ${s.securityFindings.low} low.`,
    },
    { t: "h3", text: "Policy changes" },
    pc.available
      ? {
          t: "table",
          head: ["Rule", "Opened", "Fixed"],
          rows: [
            ...pc.byRule.map((r) => [r.rule, String(r.opened), String(r.fixed)]),
            ["all security rules", String(pc.opened), String(pc.fixed)],
          ],
        }
      : { t: "p", text: `No findings history: ${pc.reason}.` },
    { t: "h3", text: "Control test results" },
    {
      t: "table",
      head: ["Category", "Passed", "Failed", "Not evaluated", "Failed rules"],
      rows: s.controls.byCategory.map((c) => [
        c.category,
        String(c.passed),
        String(c.failed),
        String(c.notEvaluated),
        c.failedRules.join(", "),
      ]),
    },
    {
      t: "table",
      head: ["Pod Security level", "Passed", "Failed", "Failed controls"],
      rows: s.controls.pss.map((l) => [
        l.level,
        String(l.passed),
        String(l.failed),
        l.failedControls.join(", "),
      ]),
    },
    {
      t: "p",
      text: `Pod Security ${s.compliance.level} compliance: ${s.compliance.percent === null ? `no data (${s.compliance.reason ?? "unknown"})` : `${num(s.compliance.percent, 1)}%`}.`,
    },
  ];
}

export function reviewBlocks(d: MonthlyReview, charts: Chart[] = reviewCharts(d)): Block[] {
  return [
    ...summaryBlocks(d),
    ...incidentBlocks(d, charts),
    ...costBlocks(d, charts),
    ...performanceBlocks(d),
    ...securityBlocks(d),
    ...(d.notes.length
      ? [
          { t: "h2" as const, text: "Notes" },
          { t: "list" as const, items: d.notes },
        ]
      : []),
  ];
}

function mdCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ") || " ";
}

/** A data URI for a chart (Markdown viewers that show images inline render it). */
export function dataUri(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}`;
}

export function reviewMarkdown(
  d: MonthlyReview,
  chartRef: (c: Chart) => string = (c) => dataUri(c.svg),
): string {
  const lines = [
    `# Monthly review ${d.month}`,
    "",
    `${d.source} · ${d.period.start.slice(0, 10)} to ${d.period.end.slice(0, 10)} (end exclusive) · generated ${d.generatedAt}`,
    "",
  ];
  for (const b of reviewBlocks(d)) {
    if (b.t === "h2") lines.push(`## ${b.text}`, "");
    else if (b.t === "h3") lines.push(`### ${b.text}`, "");
    else if (b.t === "p") lines.push(b.text, "");
    else if (b.t === "list") lines.push(...b.items.map((x) => `- ${x}`), "");
    else if (b.t === "chart") lines.push(`![${b.chart.title}](${chartRef(b.chart)})`, "");
    else if (!b.rows.length) lines.push("_none_", "");
    else
      lines.push(
        `| ${b.head.map(mdCell).join(" | ")} |`,
        `|${b.head.map(() => "---").join("|")}|`,
        ...b.rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`),
        "",
      );
  }
  return lines.join("\n");
}

const CSS = `:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--low:#1c7ed6;--high:#d9480f;--critical:#b3122e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--low:#4dabf7;--high:#ff8c42;--critical:#ff6b81}}
body{background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}h2{border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:32px}
.meta{color:var(--muted)}table{border-collapse:collapse;margin:8px 0 16px;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{font-weight:600}
figure{margin:8px 0 16px}svg{max-width:100%;height:auto}`;

export function reviewHtml(d: MonthlyReview): string {
  const e = escapeXml;
  const body: string[] = [];
  for (const b of reviewBlocks(d)) {
    if (b.t === "h2") body.push(`<h2>${e(b.text)}</h2>`);
    else if (b.t === "h3") body.push(`<h3>${e(b.text)}</h3>`);
    else if (b.t === "p") body.push(`<p>${e(b.text)}</p>`);
    else if (b.t === "list") body.push(`<ul>${b.items.map((x) => `<li>${e(x)}</li>`).join("")}</ul>`);
    else if (b.t === "chart") body.push(`<figure>${b.chart.svg}</figure>`);
    else if (!b.rows.length) body.push("<p><em>none</em></p>");
    else
      body.push(
        `<table><thead><tr>${b.head.map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead><tbody>${b.rows
          .map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Monthly review ${e(d.month)}</title><style>${CSS}</style></head>
<body><h1>Monthly review ${e(d.month)}</h1>
<p class="meta">${e(d.source)} · ${e(d.period.start.slice(0, 10))} to ${e(d.period.end.slice(0, 10))} (end exclusive) · generated ${e(d.generatedAt)}</p>
${body.join("\n")}
</body></html>
`;
}

export function reviewJson(d: MonthlyReview): string {
  return JSON.stringify(d, null, 2) + "\n";
}

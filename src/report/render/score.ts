/**
 * The score, suppressions and baseline sections of a `day2 scan` report, for the terminal,
 * Markdown and HTML renderers; `renderExplain` is `--explain`: where every point went.
 */
import type { Report } from "../report.js";
import type { ScopeScore, ScoreReport } from "../../score/score.js";
import type { SuppressedFinding } from "../../config/suppress.js";
import type { Finding } from "../../checks/index.js";
import { SEVERITIES } from "../../checks/index.js";
import type { Style } from "./style.js";
import { columns } from "./columns.js";

const n = (x: number): string => x.toLocaleString("en-US");

export function scoreText(s: Pick<ScopeScore, "score" | "grade">): string {
  return s.score === null ? "not evaluated" : `${s.score.toFixed(1)} (${s.grade})`;
}

function gradeColor(style: Style, s: ScopeScore): (t: string) => string {
  if (s.score === null) return style.yellow;
  return s.grade === "A" || s.grade === "B" ? style.green : s.grade === "C" ? style.yellow : style.red;
}

export function weightsText(sc: ScoreReport): string {
  return `${SEVERITIES.map((s) => `${s} ${sc.weights[s]}`).join(", ")}; at most ${sc.objectCap} per object`;
}

export const FORMULA =
  "score = 100 x (1 - loss / possible); possible = sum of the weights of every evaluated (rule, object) check; loss = sum over objects of min(cap, weights of its failed checks)";

function objectText(f: Pick<Finding, "object">): string {
  return `${f.object.kind}/${f.object.name}`;
}

export function byText(s: SuppressedFinding): string {
  return s.by.source === "config"
    ? `${s.by.file} ${s.by.entry}`
    : `annotation on ${s.by.object.kind}/${s.by.object.name}`;
}

/** The score block of `-o table`/`wide`: cluster, categories, namespaces at a glance. */
export function scoreSection(r: Report, style: Style): string[] {
  const sc = r.score;
  if (!sc) return [];
  const c = sc.cluster;
  const lines = [
    `${style.bold("SCORE")}  ${gradeColor(style, c)(scoreText(c))} · ${sc.rules.evaluated}/${sc.rules.total - sc.rules.notApplicable.length} rules evaluated${sc.rules.notApplicable.length ? ` (${sc.rules.notApplicable.length} not applicable)` : ""} · ${n(c.checks)} checks · ${n(c.loss)} of ${n(c.possible)} points lost${c.reason ? ` · ${c.reason}` : ""}`,
  ];
  const cats = sc.categories.map((s) => [
    s.name,
    gradeColor(style, s)(scoreText(s)),
    n(s.checks),
    n(s.failedChecks),
    s.reason ?? "",
  ]);
  lines.push(columns(["CATEGORY", "SCORE", "CHECKS", "FAILED", "NOTE"], cats, "  "));
  const scored = sc.namespaces.filter((s) => s.score !== null);
  const unscored = sc.namespaces.length - scored.length;
  const grades = ["A", "B", "C", "D", "F"]
    .map((g) => `${g} ${scored.filter((s) => s.grade === g).length}`)
    .join(" · ");
  const worst = [...scored].sort((a, b) => a.score! - b.score! || a.name.localeCompare(b.name)).slice(0, 3);
  lines.push(
    `  Namespaces: ${scored.length} scored (${grades})${unscored ? ` · ${style.yellow(`${unscored} not evaluated`)}` : ""}${worst.length ? ` · lowest: ${worst.map((s) => `${s.name} ${scoreText(s)}`).join(", ")}` : ""}`,
  );
  if (sc.clusterScoped.score !== null) lines.push(`  Cluster-scoped objects: ${scoreText(sc.clusterScoped)}`);
  const supp = r.suppressed?.length ?? 0;
  if (supp)
    lines.push(
      `  Suppressed: ${supp} finding${supp === 1 ? "" : "s"} (not counted as loss; listed with --explain and in -o json)`,
    );
  lines.push(style.dim("  --explain shows where every point went"));
  return lines;
}

function scopeRow(s: ScopeScore, style: Style): string[] {
  return [
    s.name,
    gradeColor(style, s)(s.score === null ? "-" : s.score.toFixed(1)),
    s.grade ?? "-",
    n(s.checks),
    n(s.possible),
    n(s.failedChecks),
    ...SEVERITIES.map((sv) => n(s.findings[sv])),
    n(s.loss),
    s.capHits ? `${s.capHits} (-${n(s.capped)})` : "0",
    n(s.suppressed),
  ];
}

const SCOPE_HEAD = [
  "SCOPE",
  "SCORE",
  "GRADE",
  "CHECKS",
  "POSSIBLE",
  "FAILED",
  ...SEVERITIES.map((s) => s.toUpperCase()),
  "LOSS",
  "CAP HITS",
  "SUPPRESSED",
];

/** `--explain` for the terminal: every scope's account, cap hits, what was not evaluated and why, suppressions. */
export function renderExplain(r: Report, style: Style): string {
  const sc = r.score;
  if (!sc) return "";
  const out: string[] = ["", style.bold("EXPLAIN"), `  ${FORMULA}`, `  weights: ${weightsText(sc)}`, ""];
  const scoredNs = sc.namespaces
    .filter((s) => s.score !== null)
    .sort((a, b) => a.score! - b.score! || a.name.localeCompare(b.name));
  out.push(
    style.bold("  BY CATEGORY"),
    columns(SCOPE_HEAD, [scopeRow(sc.cluster, style), ...sc.categories.map((s) => scopeRow(s, style))], "  "),
    "",
  );
  out.push(
    style.bold("  BY NAMESPACE") + " (lowest first)",
    columns(
      SCOPE_HEAD,
      [scopeRow(sc.clusterScoped, style), ...scoredNs.map((s) => scopeRow(s, style))],
      "  ",
    ),
    "",
  );
  const unscored = [
    ...sc.namespaces.filter((s) => s.score === null),
    ...sc.categories.filter((s) => s.score === null),
  ];
  if (unscored.length) {
    out.push(
      style.bold("  NOT EVALUATED (no score, never 100)"),
      columns(
        ["SCOPE", "WHY"],
        unscored.map((s) => [s.name, s.reason ?? ""]),
        "  ",
      ),
      "",
    );
  }
  if (sc.rules.notEvaluated.length) {
    out.push(
      style.bold("  RULES NOT EVALUATED (their checks are not in any denominator)"),
      columns(
        ["RULE", "CATEGORY", "SEVERITY", "STATUS", "WHY"],
        sc.rules.notEvaluated.map((u) => [u.rule, u.category, u.severity, u.status, u.reason]),
        "  ",
      ),
      "",
    );
  }
  if (sc.capHits.length) {
    const shown = sc.capHits.slice(0, 20);
    out.push(
      style.bold(`  CAP HITS`) +
        ` (${sc.capHits.length} objects lost more than ${sc.objectCap}; counted as ${sc.objectCap})`,
      columns(
        ["OBJECT", "NAMESPACE", "RAW LOSS", "COUNTED", "RULES"],
        shown.map((h) => [
          `${h.object.kind}/${h.object.name}`,
          h.object.namespace || "-",
          h.rawLoss,
          h.loss,
          h.rules.length > 4
            ? `${h.rules.slice(0, 4).join(", ")} +${h.rules.length - 4} more`
            : h.rules.join(", "),
        ]),
        "  ",
      ),
    );
    if (sc.capHits.length > shown.length)
      out.push(`  ... and ${sc.capHits.length - shown.length} more (-o json)`);
    out.push("");
  }
  const supp = r.suppressed ?? [];
  out.push(style.bold("  SUPPRESSED") + ` ${supp.length}`);
  if (supp.length) {
    out.push(
      columns(
        ["RULE", "NAMESPACE", "OBJECT", "BY", "REASON", "EXPIRES"],
        supp.map((s) => [
          s.finding.rule,
          s.finding.object.namespace || "-",
          objectText(s.finding),
          byText(s),
          s.by.reason,
          s.by.source === "config" ? s.by.expires : "-",
        ]),
        "  ",
      ),
    );
  }
  return out.join("\n") + "\n";
}

/** The baseline block of `-o table`/`wide`: counts and what got fixed. */
export function baselineSection(r: Report, style: Style): string[] {
  const b = r.baseline;
  if (!b) return [];
  const lines = [
    `${style.bold("BASELINE")}  ${b.file}${b.generatedAt ? ` (${b.generatedAt})` : ""}: ${b.new} new (listed below) · ${b.unchanged.length} unchanged (not listed) · ${style.green(`${b.fixed.length} fixed`)}${b.unknown.length ? ` · ${style.yellow(`${b.unknown.length} unknown (rule not evaluated now)`)}` : ""}`,
  ];
  if (b.fixed.length) {
    lines.push(
      "  Fixed since baseline:",
      columns(
        ["SEVERITY", "RULE", "NAMESPACE", "OBJECT"],
        b.fixed.map((f) => [f.severity.toUpperCase(), f.rule, f.object.namespace || "-", objectText(f)]),
        "    ",
      ),
    );
  }
  return lines;
}

function cell(s: string | number): string {
  return String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function mdTable(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

function mdScopeRow(s: ScopeScore): (string | number)[] {
  return [
    s.name,
    s.score === null ? "not evaluated" : `${s.score.toFixed(1)} (${s.grade})`,
    s.checks,
    s.possible,
    s.failedChecks,
    ...SEVERITIES.map((sv) => s.findings[sv]),
    s.loss,
    s.capHits,
    s.suppressed,
    s.reason ?? "",
  ];
}

const MD_HEAD = [
  "Scope",
  "Score",
  "Checks",
  "Possible",
  "Failed",
  ...SEVERITIES.map((s) => s[0]!.toUpperCase() + s.slice(1)),
  "Loss",
  "Cap hits",
  "Suppressed",
  "Note",
];

/** Score, suppressions and baseline as Markdown (the full account: a document has room). */
export function scoreMarkdown(r: Report): string[] {
  const sc = r.score;
  if (!sc) return [];
  const out = [
    "## Score",
    "",
    `**${scoreText(sc.cluster)}** · ${sc.rules.evaluated}/${sc.rules.total - sc.rules.notApplicable.length} rules evaluated${sc.rules.notApplicable.length ? ` (${sc.rules.notApplicable.length} not applicable)` : ""} · ${sc.cluster.checks} checks · ${sc.cluster.loss} of ${sc.cluster.possible} points lost`,
    "",
    `${FORMULA}. Weights: ${weightsText(sc)}.`,
    "",
    mdTable(MD_HEAD, [mdScopeRow(sc.cluster), ...sc.categories.map(mdScopeRow)]),
    "",
    "### By namespace",
    "",
    mdTable(MD_HEAD, [mdScopeRow(sc.clusterScoped), ...sc.namespaces.map(mdScopeRow)]),
    "",
  ];
  if (sc.rules.notEvaluated.length)
    out.push(
      "Rules not scored:",
      "",
      mdTable(
        ["Rule", "Status", "Why"],
        sc.rules.notEvaluated.map((u) => [u.rule, u.status, u.reason]),
      ),
      "",
    );
  const supp = r.suppressed ?? [];
  if (supp.length)
    out.push(
      "### Suppressed",
      "",
      mdTable(
        ["Rule", "Namespace", "Object", "By", "Reason", "Expires"],
        supp.map((s) => [
          s.finding.rule,
          s.finding.object.namespace || "-",
          objectText(s.finding),
          byText(s),
          s.by.reason,
          s.by.source === "config" ? s.by.expires : "-",
        ]),
      ),
      "",
    );
  const b = r.baseline;
  if (b) {
    out.push(
      "### Baseline",
      "",
      `${b.file}: ${b.new} new · ${b.unchanged.length} unchanged · ${b.fixed.length} fixed · ${b.unknown.length} unknown`,
      "",
    );
    if (b.fixed.length)
      out.push(
        mdTable(
          ["Severity", "Rule", "Namespace", "Object"],
          b.fixed.map((f) => [f.severity, f.rule, f.object.namespace || "-", objectText(f)]),
        ),
        "",
      );
  }
  return out;
}

/** Score, suppressions and baseline as HTML (escaped by the caller's `e`). */
export function scoreHtml(r: Report, e: (s: unknown) => string): string {
  const sc = r.score;
  if (!sc) return "";
  const row = (s: ScopeScore): string =>
    `<tr><td>${e(s.name)}</td><td>${e(s.score === null ? "not evaluated" : `${s.score.toFixed(1)} (${s.grade})`)}</td><td>${s.checks}</td><td>${s.possible}</td><td>${s.failedChecks}</td>${SEVERITIES.map((sv) => `<td>${s.findings[sv]}</td>`).join("")}<td>${s.loss}</td><td>${s.capHits}</td><td>${s.suppressed}</td><td>${e(s.reason ?? "")}</td></tr>`;
  const head = `<thead><tr>${MD_HEAD.map((h) => `<th>${e(h)}</th>`).join("")}</tr></thead>`;
  const supp = r.suppressed ?? [];
  const b = r.baseline;
  return `<h2>Score: ${e(scoreText(sc.cluster))}</h2>
<p class="muted">${sc.rules.evaluated}/${sc.rules.total - sc.rules.notApplicable.length} rules evaluated${sc.rules.notApplicable.length ? ` (${sc.rules.notApplicable.length} not applicable)` : ""} · ${e(FORMULA)}. Weights: ${e(weightsText(sc))}.</p>
<table>${head}<tbody>${[sc.cluster, ...sc.categories].map(row).join("")}</tbody></table>
<h2>Score by namespace</h2>
<table>${head}<tbody>${[sc.clusterScoped, ...sc.namespaces].map(row).join("")}</tbody></table>
${supp.length ? `<h2>Suppressed (${supp.length})</h2><table><thead><tr><th>Rule</th><th>Namespace</th><th>Object</th><th>By</th><th>Reason</th><th>Expires</th></tr></thead><tbody>${supp.map((s) => `<tr><td><code>${e(s.finding.rule)}</code></td><td>${e(s.finding.object.namespace || "-")}</td><td>${e(objectText(s.finding))}</td><td>${e(byText(s))}</td><td>${e(s.by.reason)}</td><td>${e(s.by.source === "config" ? s.by.expires : "-")}</td></tr>`).join("")}</tbody></table>` : ""}
${b ? `<h2>Baseline</h2><p>${e(b.file)}: ${b.new} new · ${b.unchanged.length} unchanged · ${b.fixed.length} fixed · ${b.unknown.length} unknown</p>${b.fixed.length ? `<table><thead><tr><th>Severity</th><th>Rule</th><th>Namespace</th><th>Object</th></tr></thead><tbody>${b.fixed.map((f) => `<tr><td>${e(f.severity)}</td><td><code>${e(f.rule)}</code></td><td>${e(f.object.namespace || "-")}</td><td>${e(objectText(f))}</td></tr>`).join("")}</tbody></table>` : ""}` : ""}
`;
}

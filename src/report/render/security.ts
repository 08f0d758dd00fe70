/**
 * The compliance (Pod Security Standards) and vulnerabilities (Trivy Operator) sections of a
 * `day2 scan` report, for the terminal, Markdown and HTML renderers.
 */
import type { Report } from "../report.js";
import type { LevelCompliance, ScopeCompliance } from "../../score/compliance.js";
import type { CveSummary } from "../../score/vulnerabilities.js";
import type { Style } from "./style.js";
import { columns } from "./columns.js";

/** Namespaces and images shown in the terminal; -o json has all. */
const TOP = 5;

export function levelText(l: LevelCompliance): string {
  const ne = l.notEvaluated ? `, ${l.notEvaluated} not evaluated` : "";
  return l.percent === null
    ? `not evaluated (0 applicable${ne})`
    : `${l.percent.toFixed(1)}% (${l.passed}/${l.applicable}${ne})`;
}

function levelColor(style: Style, l: LevelCompliance): (t: string) => string {
  if (l.percent === null) return style.yellow;
  return l.percent === 100 ? style.green : l.percent >= 80 ? style.yellow : style.red;
}

function scored(ns: readonly ScopeCompliance[]): ScopeCompliance[] {
  return ns.filter((s) => s.restricted.percent !== null);
}

/** COMPLIANCE block of `-o table`/`wide`. */
export function complianceSection(r: Report, style: Style): string[] {
  const c = r.compliance;
  if (!c) return [];
  const cl = c.cluster;
  const lines = [
    `${style.bold("COMPLIANCE")}  Pod Security Standards, passed/applicable controls · baseline ${levelColor(style, cl.baseline)(levelText(cl.baseline))} · restricted ${levelColor(style, cl.restricted)(levelText(cl.restricted))}${cl.exceptions ? ` · ${cl.exceptions} suppressed findings (exceptions)` : ""}`,
  ];
  const failed = c.controls.filter((x) => x.status === "failed");
  if (failed.length) {
    lines.push(
      columns(
        ["LEVEL", "CONTROL", "RULE", "FAILING", "NAMESPACES"],
        failed.map((x) => [
          x.level,
          x.control,
          x.rule,
          `${x.failing}/${x.workloads}`,
          x.failingNamespaces.length > 3
            ? `${x.failingNamespaces.slice(0, 3).join(", ")} +${x.failingNamespaces.length - 3}`
            : x.failingNamespaces.join(", "),
        ]),
        "  ",
      ),
    );
  }
  const notEval = c.controls.filter((x) => x.status === "not-evaluated");
  if (notEval.length)
    lines.push(
      `  ${style.yellow(`${notEval.length} controls not evaluated`)} (never counted as passed): ${[...new Set(notEval.map((x) => x.control))].join(", ")}`,
    );
  const ns = scored(c.namespaces);
  const worst = [...ns]
    .sort((a, b) => a.restricted.percent! - b.restricted.percent! || a.name.localeCompare(b.name))
    .slice(0, TOP);
  const full = ns.filter((s) => s.restricted.percent === 100).length;
  if (ns.length) {
    lines.push(
      `  Namespaces: ${ns.length} with workloads · ${full} fully restricted-compliant${
        worst.length && worst[0]!.restricted.percent! < 100
          ? ` · lowest (restricted): ${worst
              .filter((s) => s.restricted.percent! < 100)
              .map((s) => `${s.name} ${s.restricted.percent!.toFixed(0)}%`)
              .join(", ")}`
          : ""
      }`,
    );
  }
  return lines;
}

export function cveHeadline(v: CveSummary): string {
  return v.status === "no data"
    ? `no data: ${v.reason ?? "unknown"}`
    : `${v.critical} critical · ${v.high} high distinct CVEs in ${v.images} images (${v.reports} reports)`;
}

/** VULNERABILITIES block of `-o table`/`wide`. */
export function vulnerabilitiesSection(r: Report, style: Style): string[] {
  const v = r.vulnerabilities;
  if (!v) return [];
  const head = `${style.bold("VULNERABILITIES")}  Trivy Operator · `;
  if (v.status === "no data") return [head + style.yellow(cveHeadline(v))];
  const lines = [head + (v.critical ? style.red : v.high ? style.yellow : style.green)(cveHeadline(v))];
  if (v.byImage.length) {
    lines.push(
      columns(
        ["IMAGE", "CRITICAL", "HIGH", "WORKLOADS", "TOP CRITICAL"],
        v.byImage
          .slice(0, TOP)
          .map((i) => [i.image, i.critical, i.high, i.workloads, i.topCritical.join(" ")]),
        "  ",
      ),
    );
  }
  if (v.byWorkload.length) {
    lines.push(
      columns(
        ["WORKLOAD", "NAMESPACE", "CRITICAL", "HIGH", "IMAGES"],
        v.byWorkload
          .slice(0, TOP)
          .map((w) => [`${w.kind}/${w.name}`, w.namespace, w.critical, w.high, w.images.length]),
        "  ",
      ),
    );
  }
  const more = Math.max(0, v.byImage.length - TOP) + Math.max(0, v.byWorkload.length - TOP);
  if (more) lines.push(style.dim(`  ${more} more rows in -o json`));
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

export function securityMarkdown(r: Report): string[] {
  const out: string[] = [];
  const c = r.compliance;
  if (c) {
    out.push(
      "## Compliance (Pod Security Standards)",
      "",
      `Passed / applicable controls. Baseline **${levelText(c.cluster.baseline)}** · restricted **${levelText(c.cluster.restricted)}**. A control applies where its rule judged a workload; a control whose rule was not evaluated is never counted as passed.`,
      "",
      mdTable(
        ["Level", "Control", "Rule", "Status", "Failing", "Namespaces / why"],
        c.controls.map((x) => [
          x.level,
          x.control,
          x.rule,
          x.status,
          x.status === "failed" ? `${x.failing}/${x.workloads}` : "",
          x.status === "not-evaluated" ? (x.reason ?? "") : x.failingNamespaces.join(", "),
        ]),
      ),
      "",
      "### By namespace",
      "",
      mdTable(
        ["Namespace", "Baseline", "Restricted", "Failed controls (restricted)", "Exceptions"],
        c.namespaces.map((s) => [
          s.name,
          levelText(s.baseline),
          levelText(s.restricted),
          s.restricted.failed.join(", "),
          s.exceptions,
        ]),
      ),
      "",
    );
  }
  const v = r.vulnerabilities;
  if (v) {
    out.push("## Vulnerabilities (Trivy Operator)", "", cveHeadline(v), "");
    if (v.byImage.length)
      out.push(
        mdTable(
          ["Image", "Critical", "High", "Workloads", "Top critical"],
          v.byImage.map((i) => [i.image, i.critical, i.high, i.workloads, i.topCritical.join(" ")]),
        ),
        "",
      );
    if (v.byWorkload.length)
      out.push(
        mdTable(
          ["Workload", "Namespace", "Critical", "High", "Images"],
          v.byWorkload.map((w) => [
            `${w.kind}/${w.name}`,
            w.namespace,
            w.critical,
            w.high,
            w.images.join(", "),
          ]),
        ),
        "",
      );
  }
  return out;
}

export function securityHtml(r: Report, e: (s: unknown) => string): string {
  const parts: string[] = [];
  const c = r.compliance;
  if (c) {
    parts.push(
      `<h2>Compliance (Pod Security Standards)</h2>
<p>Passed / applicable controls · baseline <b>${e(levelText(c.cluster.baseline))}</b> · restricted <b>${e(levelText(c.cluster.restricted))}</b></p>
<table><thead><tr><th>Level</th><th>Control</th><th>Rule</th><th>Status</th><th>Failing</th><th>Namespaces / why</th></tr></thead><tbody>${c.controls
        .map(
          (x) =>
            `<tr><td>${e(x.level)}</td><td>${e(x.control)}</td><td><code>${e(x.rule)}</code></td><td>${e(x.status)}</td><td>${x.status === "failed" ? `${x.failing}/${x.workloads}` : ""}</td><td>${e(x.status === "not-evaluated" ? (x.reason ?? "") : x.failingNamespaces.join(", "))}</td></tr>`,
        )
        .join("")}</tbody></table>
<h2>Compliance by namespace</h2>
<table><thead><tr><th>Namespace</th><th>Baseline</th><th>Restricted</th><th>Failed controls (restricted)</th><th>Exceptions</th></tr></thead><tbody>${c.namespaces
        .map(
          (s) =>
            `<tr><td>${e(s.name)}</td><td>${e(levelText(s.baseline))}</td><td>${e(levelText(s.restricted))}</td><td>${e(s.restricted.failed.join(", "))}</td><td>${s.exceptions}</td></tr>`,
        )
        .join("")}</tbody></table>`,
    );
  }
  const v = r.vulnerabilities;
  if (v) {
    parts.push(`<h2>Vulnerabilities (Trivy Operator)</h2><p>${e(cveHeadline(v))}</p>`);
    if (v.byImage.length)
      parts.push(
        `<table><thead><tr><th>Image</th><th>Critical</th><th>High</th><th>Workloads</th><th>Top critical</th></tr></thead><tbody>${v.byImage.map((i) => `<tr><td><code>${e(i.image)}</code></td><td>${i.critical}</td><td>${i.high}</td><td>${i.workloads}</td><td>${e(i.topCritical.join(" "))}</td></tr>`).join("")}</tbody></table>`,
      );
    if (v.byWorkload.length)
      parts.push(
        `<table><thead><tr><th>Workload</th><th>Namespace</th><th>Critical</th><th>High</th><th>Images</th></tr></thead><tbody>${v.byWorkload.map((w) => `<tr><td>${e(`${w.kind}/${w.name}`)}</td><td>${e(w.namespace)}</td><td>${w.critical}</td><td>${w.high}</td><td>${e(w.images.join(", "))}</td></tr>`).join("")}</tbody></table>`,
      );
  }
  return parts.join("\n") + (parts.length ? "\n" : "");
}

/** The terminal rendering of a report (`-o table` and `-o wide`). */
import type { Report } from "../report.js";
import { absentAddOn, gaps } from "../report.js";
import { SEVERITIES } from "../../checks/index.js";
import { formatBytes, formatCpu } from "../../state/quantity.js";
import type { Style } from "./style.js";
import { severityColor } from "./style.js";
import { columnChunks, columns } from "./columns.js";
import { baselineSection, scoreSection } from "./score.js";
import { complianceSection, vulnerabilitiesSection } from "./security.js";
import { PERMISSION_HINT, permissionGap, permissionLine } from "../permissions.js";

const n = (x: number): string => x.toLocaleString("en-US");

function sourceLine(r: Report, style: Style): string {
  const s = r.source;
  const what =
    s.kind === "demo"
      ? `built-in demo cluster (${s.detail})`
      : s.kind === "live"
        ? `context ${s.context ?? "?"} (${s.server ?? ""})`
        : s.detail;
  return `${style.bold(r.score ? "day2 scan" : "day2 report")} · ${what} · Kubernetes ${r.summary.version} · collected ${s.collectedAt.replace("T", " ").replace(/\.\d+Z$/, "Z")}${s.namespace ? ` · namespace ${s.namespace}` : ""}`;
}

function clusterSection(r: Report, style: Style): string[] {
  const s = r.summary;
  const phases = Object.entries(s.pods.byPhase)
    .sort((a, b) => b[1] - a[1])
    .map(([p, c]) => `${n(c)} ${p}`)
    .join(", ");
  const nodeBits = [`${n(s.nodes.ready)} Ready`];
  if (s.nodes.notReady) nodeBits.push(style.red(`${n(s.nodes.notReady)} NotReady`));
  if (s.nodes.pressure) nodeBits.push(style.yellow(`${n(s.nodes.pressure)} under pressure`));
  if (s.nodes.unschedulable) nodeBits.push(`${n(s.nodes.unschedulable)} cordoned`);
  const workloads = Object.entries(s.workloads)
    .map(([k, c]) => `${n(c)} ${k}s`)
    .join(", ");
  const lines = [
    style.bold("CLUSTER"),
    `  Nodes       ${n(s.nodes.total)} (${nodeBits.join(", ")}) in ${Object.keys(s.zones).length} zones`,
    `  Pods        ${n(s.pods.total)} (${phases || "none"}) · ${n(s.pods.containers)} containers`,
    `  Workloads   ${workloads}`,
    `  Namespaces  ${n(s.namespaces)} · Services ${n(s.services)} · PVCs ${n(s.pvcs)}`,
  ];
  if (s.pools.length) {
    lines.push("", style.bold("NODE POOLS"));
    lines.push(
      columns(
        ["POOL", "NODES", "READY", "SPOT", "CPU", "MEMORY"],
        s.pools.map((p) => [
          p.pool,
          p.nodes,
          p.notReady ? style.red(`${p.ready}/${p.nodes}`) : `${p.ready}/${p.nodes}`,
          p.spot,
          formatCpu(p.cpuMillis),
          formatBytes(p.memoryBytes),
        ]),
        "  ",
      ),
    );
  }
  return lines;
}

function coverageSection(r: Report, style: Style): string[] {
  const missing = gaps(r);
  const addOns = r.coverage.filter(absentAddOn);
  const total = r.coverage.length - addOns.length;
  const lines = [
    style.bold("COVERAGE") +
      `  ${total - missing.length}/${total} kinds collected${addOns.length ? ` · add-ons not installed: ${addOns.map((c) => c.kind).join(", ")}` : ""}`,
  ];
  if (missing.length) {
    lines.push(
      columns(
        ["KIND", "STATUS", "REASON"],
        missing.map((c) => [c.kind, style.yellow(c.status), c.reason ?? ""]),
        "  ",
      ),
    );
  }
  const perms = permissionGap(r);
  if (perms)
    lines.push(`  ${style.bold("PERMISSIONS")}  ${style.yellow(permissionLine(perms))}; ${PERMISSION_HINT}`);
  const na = r.rules.filter((o) => o.status === "not-applicable");
  if (na.length)
    lines.push(
      `  ${na.length} rules not applicable (${na[0]!.reason ?? "not applicable"}; not scored, not passed): ${na.map((o) => o.rule).join(", ")}`,
    );
  const skipped = r.rules.filter((o) => o.status !== "evaluated" && o.status !== "not-applicable");
  if (skipped.length) {
    lines.push(`  ${style.yellow(`${skipped.length} rules not evaluated`)}:`);
    lines.push(
      columns(
        ["RULE", "STATUS", "WHY"],
        skipped.map((o) => [o.rule, o.status, o.reason ?? ""]),
        "    ",
      ),
    );
  }
  if (r.unknownKinds.length) {
    lines.push(
      `  Not modelled (counted, not judged): ${r.unknownKinds.map((u) => `${u.kind} (${u.count})`).join(", ")}`,
    );
  }
  return lines;
}

function* findingsSection(r: Report, style: Style, wide: boolean): Generator<string> {
  const counts = SEVERITIES.filter((s) => r.findingCounts[s] > 0)
    .map((s) => severityColor(style, s)(`${r.findingCounts[s]} ${s}`))
    .join(" · ");
  yield style.bold("FINDINGS") + `  ${r.findings.length === 0 ? style.green("none") : counts}\n`;
  if (r.findings.length === 0) return;
  const head = ["SEVERITY", "RULE", "NAMESPACE", "OBJECT", "MESSAGE"];
  if (wide) head.push("RUNBOOK");
  const rows = r.findings.map((f) => {
    const row = [
      severityColor(style, f.severity)(f.severity.toUpperCase()),
      f.rule,
      f.object.namespace || "-",
      `${f.object.kind}/${f.object.name}`,
      wide ? f.message : truncate(f.message, 90),
    ];
    if (wide) row.push(f.runbook);
    return row;
  });
  yield* columnChunks(head, rows);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + "…";
}

export function renderText(r: Report, style: Style, wide = false): string {
  return [...renderTextChunks(r, style, wide)].join("");
}

/** The table report in chunks: the sections, then the findings table a few thousand lines at a time. */
export function* renderTextChunks(r: Report, style: Style, wide = false): Generator<string> {
  const scan = r.score ? [...scoreSection(r, style), ""] : [];
  const baseline = r.baseline ? [...baselineSection(r, style), ""] : [];
  const security = [
    ...complianceSection(r, style),
    ...(r.compliance ? [""] : []),
    ...vulnerabilitiesSection(r, style),
    ...(r.vulnerabilities ? [""] : []),
  ];
  const parts = [
    sourceLine(r, style),
    "",
    ...clusterSection(r, style),
    "",
    ...coverageSection(r, style),
    "",
    ...scan,
    ...security,
    ...baseline,
  ];
  yield parts.join("\n") + "\n";
  yield* findingsSection(r, style, wide);
}

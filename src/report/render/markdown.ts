/** Markdown rendering of a report, for pull requests, wikis and tickets. */
import type { Report } from "../report.js";
import { absentAddOn, gaps } from "../report.js";
import { SEVERITIES } from "../../checks/index.js";
import { scoreMarkdown } from "./score.js";
import { securityMarkdown } from "./security.js";
import { PERMISSION_HINT, permissionGap, permissionLine } from "../permissions.js";

function cell(s: string | number): string {
  return String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

export function renderMarkdown(r: Report): string {
  const s = r.summary;
  const out: string[] = [
    r.score ? `# day2 scan` : `# day2 report`,
    "",
    `Source: ${r.source.kind} (${cell(r.source.detail)}) · Kubernetes ${s.version} · collected ${r.source.collectedAt}`,
    "",
    "## Cluster",
    "",
    table(
      ["", ""],
      [
        ["Nodes", `${s.nodes.total} (${s.nodes.ready} Ready, ${s.nodes.notReady} NotReady)`],
        [
          "Pods",
          `${s.pods.total} (${Object.entries(s.pods.byPhase)
            .map(([p, c]) => `${c} ${p}`)
            .join(", ")})`,
        ],
        ["Containers", s.pods.containers],
        [
          "Workloads",
          Object.entries(s.workloads)
            .map(([k, c]) => `${c} ${k}`)
            .join(", "),
        ],
        ["Namespaces", s.namespaces],
      ],
    ),
    "",
  ];
  if (s.pools.length)
    out.push(
      "### Node pools",
      "",
      table(
        ["Pool", "Nodes", "Ready", "Spot"],
        s.pools.map((p) => [p.pool, p.nodes, p.ready, p.spot]),
      ),
      "",
    );
  const missing = gaps(r);
  const addOns = r.coverage.filter(absentAddOn);
  const kinds = r.coverage.length - addOns.length;
  out.push(
    "## Coverage",
    "",
    `${kinds - missing.length}/${kinds} kinds collected.${addOns.length ? ` Add-ons not installed: ${addOns.map((c) => c.kind).join(", ")}.` : ""}`,
    "",
  );
  if (missing.length)
    out.push(
      table(
        ["Kind", "Status", "Reason"],
        missing.map((c) => [c.kind, c.status, c.reason ?? ""]),
      ),
      "",
    );
  const perms = permissionGap(r);
  if (perms)
    out.push(
      "### Permissions",
      "",
      `${permissionLine(perms).replace(/list [^,() ]+/g, (m) => `\`${m}\``)}; ${PERMISSION_HINT}.`,
      "",
    );
  const na = r.rules.filter((o) => o.status === "not-applicable");
  if (na.length)
    out.push(
      `${na.length} rules not applicable (${na[0]!.reason ?? "not applicable"}; not scored, not passed): ${na.map((o) => o.rule).join(", ")}.`,
      "",
    );
  const skipped = r.rules.filter((o) => o.status !== "evaluated" && o.status !== "not-applicable");
  if (skipped.length)
    out.push(
      "Rules not evaluated:",
      "",
      table(
        ["Rule", "Status", "Why"],
        skipped.map((o) => [o.rule, o.status, o.reason ?? ""]),
      ),
      "",
    );
  out.push(...scoreMarkdown(r));
  out.push(...securityMarkdown(r));
  out.push("## Findings", "");
  out.push(SEVERITIES.map((sv) => `${r.findingCounts[sv]} ${sv}`).join(" · "), "");
  if (r.findings.length) {
    out.push(
      table(
        ["Severity", "Rule", "Namespace", "Object", "Message"],
        r.findings.map((f) => [
          f.severity,
          `[${f.rule}](${f.runbook})`,
          f.object.namespace || "-",
          `${f.object.kind}/${f.object.name}`,
          f.message,
        ]),
      ),
      "",
    );
  }
  return out.join("\n");
}

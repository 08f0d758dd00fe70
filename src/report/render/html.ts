/**
 * One self-contained HTML file (inline CSS and a few lines of script, no network): a report
 * that can be mailed or attached to a ticket and opened anywhere, light or dark.
 */
import type { Report } from "../report.js";
import { absentAddOn, gaps } from "../report.js";
import { SEVERITIES } from "../../checks/index.js";
import { scoreHtml, scoreText } from "./score.js";
import { levelText, securityHtml } from "./security.js";
import { PERMISSION_HINT, permissionGap, permissionLine } from "../permissions.js";

export function escapeHtml(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

export const CSS = `
:root{--bg:#fff;--fg:#1d2330;--muted:#5b6475;--card:#f5f7fa;--line:#dde2ea;--critical:#b3122e;--high:#d9480f;--medium:#b7791f;--low:#1c7ed6;--info:#6c757d;--ok:#2b8a3e}
@media (prefers-color-scheme:dark){:root{--bg:#11151c;--fg:#e6e9ef;--muted:#9aa3b2;--card:#1a2029;--line:#2a3240;--critical:#ff6b81;--high:#ff922b;--medium:#ffd43b;--low:#74c0fc;--info:#adb5bd;--ok:#69db7c}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:1200px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
.muted{color:var(--muted)}.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin-top:16px}
.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px}.tile b{display:block;font-size:22px}
table{width:100%;border-collapse:collapse;margin-top:8px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;color:var(--muted)}tr:hover td{background:var(--card)}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.sev-critical{background:var(--critical)}.sev-high{background:var(--high)}.sev-medium{background:var(--medium);color:#111}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:center}.filters input{padding:6px 8px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);min-width:240px}
.filters label{cursor:pointer}.ok{color:var(--ok)}code{font-size:12px}
@media (max-width:700px){main{padding:12px}td:nth-child(3),th:nth-child(3){display:none}}
`;

const SCRIPT = `
const q=document.getElementById('q');const boxes=[...document.querySelectorAll('input[data-sev]')];
function apply(){const t=q.value.toLowerCase();const on=new Set(boxes.filter(b=>b.checked).map(b=>b.dataset.sev));
for(const tr of document.querySelectorAll('#findings tbody tr')){tr.hidden=!(on.has(tr.dataset.sev)&&tr.textContent.toLowerCase().includes(t));}}
q.addEventListener('input',apply);boxes.forEach(b=>b.addEventListener('change',apply));
`;

export function renderHtml(r: Report): string {
  const s = r.summary;
  const e = escapeHtml;
  const missing = gaps(r);
  const skipped = r.rules.filter((o) => o.status !== "evaluated" && o.status !== "not-applicable");
  const na = r.rules.filter((o) => o.status === "not-applicable");
  const addOns = r.coverage.filter(absentAddOn);
  const kinds = r.coverage.length - addOns.length;
  const perms = permissionGap(r);
  const tiles = [
    ...(r.score ? [["Score", scoreText(r.score.cluster)]] : []),
    ["Kubernetes", s.version],
    ["Nodes", `${s.nodes.ready}/${s.nodes.total} Ready`],
    ["Pods", `${s.pods.total.toLocaleString("en-US")}`],
    ["Namespaces", String(s.namespaces)],
    ["Coverage", `${kinds - missing.length}/${kinds} kinds`],
    ...(r.compliance ? [["PSS restricted", levelText(r.compliance.cluster.restricted)]] : []),
    ...(r.vulnerabilities
      ? [
          [
            "Critical CVEs",
            r.vulnerabilities.critical === null ? "no data" : String(r.vulnerabilities.critical),
          ],
          ["High CVEs", r.vulnerabilities.high === null ? "no data" : String(r.vulnerabilities.high)],
        ]
      : []),
    ...SEVERITIES.filter((sv) => sv !== "info").map((sv) => [
      sv[0]!.toUpperCase() + sv.slice(1),
      String(r.findingCounts[sv]),
    ]),
  ];
  const rows = r.findings
    .map(
      (f) =>
        `<tr data-sev="${f.severity}"><td><span class="sev sev-${f.severity}">${f.severity}</span></td><td><code>${e(f.rule)}</code></td><td>${e(f.object.namespace || "-")}</td><td>${e(`${f.object.kind}/${f.object.name}`)}</td><td>${e(f.message)}<div class="muted">${e(f.title)} · <a href="${e(f.runbook)}">runbook</a></div></td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>day2 report · ${e(s.version)}</title><style>${CSS}</style></head>
<body><main>
<h1>${r.score ? "day2 scan" : "day2 report"}</h1>
<div class="muted">${e(r.source.kind)} · ${e(r.source.detail)} · collected ${e(r.source.collectedAt)}</div>
<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><span class="muted">${e(k)}</span><b>${e(v)}</b></div>`).join("")}</div>
<h2>Node pools</h2>
<table><thead><tr><th>Pool</th><th>Nodes</th><th>Ready</th><th>Spot</th></tr></thead><tbody>
${s.pools.map((p) => `<tr><td>${e(p.pool)}</td><td>${p.nodes}</td><td>${p.ready}</td><td>${p.spot}</td></tr>`).join("\n")}
</tbody></table>
<h2>Coverage</h2>
${missing.length === 0 ? `<p class="ok">Every kind was collected.</p>` : `<table><thead><tr><th>Kind</th><th>Status</th><th>Reason</th></tr></thead><tbody>${missing.map((c) => `<tr><td>${e(c.kind)}</td><td>${e(c.status)}</td><td>${e(c.reason ?? "")}</td></tr>`).join("")}</tbody></table>`}
${perms ? `<h3>Permissions</h3><p>${e(permissionLine(perms))}; ${e(PERMISSION_HINT)}.</p>` : ""}
${addOns.length ? `<p class="muted">Add-ons not installed: ${e(addOns.map((c) => c.kind).join(", "))}</p>` : ""}
${na.length ? `<p class="muted">${na.length} rules not applicable (${e(na[0]!.reason ?? "")}; not scored, not passed): ${e(na.map((o) => o.rule).join(", "))}</p>` : ""}
${skipped.length ? `<p>Rules not evaluated:</p><table><tbody>${skipped.map((o) => `<tr><td><code>${e(o.rule)}</code></td><td>${e(o.reason ?? o.status)}</td></tr>`).join("")}</tbody></table>` : ""}
${scoreHtml(r, e)}${securityHtml(r, e)}<h2>Findings (${r.findings.length})</h2>
<div class="filters"><input id="q" placeholder="Filter by text…" aria-label="Filter findings">
${SEVERITIES.map((sv) => `<label><input type="checkbox" data-sev="${sv}" checked> ${sv} (${r.findingCounts[sv]})</label>`).join("")}</div>
<table id="findings"><thead><tr><th>Severity</th><th>Rule</th><th>Namespace</th><th>Object</th><th>Message</th></tr></thead><tbody>
${rows}
</tbody></table>
</main><script>${SCRIPT}</script></body></html>
`;
}

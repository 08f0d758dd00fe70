/**
 * Security KPIs: critical and high CVEs (Trivy Operator's VulnerabilityReports, via
 * src/score/vulnerabilities.ts) and the compliance score (Pod Security Standards, via
 * src/score/compliance.ts). Pure adapters from those summaries to measurements.
 */
import type { ComplianceKpi } from "../../score/compliance.js";
import type { CveSummary } from "../../score/vulnerabilities.js";
import type { Measurement } from "../types.js";
import { measured, noData } from "../types.js";

function cves(s: CveSummary, which: "critical" | "high"): Measurement {
  const n = s[which];
  if (s.status !== "ok" || n === null)
    return noData("CVEs", `no data: ${s.reason ?? "no VulnerabilityReports"}`);
  return measured(n, "CVEs", { reports: s.reports, images: s.images }, "trivy operator");
}

export const criticalCvesKpi = (s: CveSummary): Measurement => cves(s, "critical");
export const highCvesKpi = (s: CveSummary): Measurement => cves(s, "high");

export function complianceKpi(c: ComplianceKpi): Measurement {
  const detail = { level: c.level, passed: c.passed, applicable: c.applicable, notEvaluated: c.notEvaluated };
  if (c.status !== "ok" || c.percent === null)
    return noData("%", `no data: ${c.reason ?? "no control evaluated"}`, detail);
  return measured(c.percent, "%", detail, "scanner");
}

/**
 * Trivy Operator's VulnerabilityReport (aquasecurity.github.io/v1alpha1), projected small:
 * which workload container and image it is about, the summary counts, and the distinct ids of
 * its critical and high vulnerabilities only. The full `report.vulnerabilities` list (often
 * hundreds of entries with titles and links) is read once here and dropped.
 */
import type { KubeObject } from "../raw.js";
import type { SeverityCounts, VulnerabilityReport } from "../types.js";
import type { Interner } from "./common.js";
import { EMPTY, arr, assemble, isObj, meta, num, obj, str } from "./common.js";

/** The labels Trivy Operator puts on every report. */
export const TRIVY_LABELS = Object.freeze({
  kind: "trivy-operator.resource.kind",
  name: "trivy-operator.resource.name",
  container: "trivy-operator.container.name",
});

/** registry/repository:tag, or @digest without a tag; Docker Hub's index host is left out. */
export function imageRef(server: string, repository: string, tag: string, digest: string): string {
  const host = server && server !== "index.docker.io" && server !== "docker.io" ? `${server}/` : "";
  if (!repository) return digest ? `@${digest}` : "";
  return `${host}${repository}${tag ? `:${tag}` : digest ? `@${digest}` : ""}`;
}

export function projectVulnerabilityReport(o: KubeObject, intern: Interner): VulnerabilityReport {
  const base = meta(o, "VulnerabilityReport", intern);
  const report = obj(o.report);
  const artifact = obj(report.artifact);
  const summary = report.summary;
  const critical = new Set<string>();
  const high = new Set<string>();
  const counted = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const v of arr(report.vulnerabilities)) {
    const sev = (str(v.severity) ?? "UNKNOWN").toLowerCase();
    const id = str(v.vulnerabilityID);
    if (sev === "critical" || sev === "high" || sev === "medium" || sev === "low") counted[sev]++;
    else counted.unknown++;
    if (!id) continue;
    if (sev === "critical") critical.add(id);
    else if (sev === "high") high.add(id);
  }
  // The operator's summary is authoritative (it may be written with the list trimmed); without
  // one, count the list.
  const s = obj(summary);
  const counts: SeverityCounts = isObj(summary)
    ? {
        critical: num(s.criticalCount),
        high: num(s.highCount),
        medium: num(s.mediumCount),
        low: num(s.lowCount),
        unknown: num(s.unknownCount),
      }
    : counted;
  const repository = str(artifact.repository) ?? "";
  const tag = str(artifact.tag) ?? "";
  const digest = str(artifact.digest) ?? "";
  const labels = base.labels;
  const ids = (set: Set<string>): readonly string[] =>
    set.size ? [...set].sort().map((id) => intern.str(id)) : EMPTY;
  return assemble(base, {
    resourceKind: intern.str(labels[TRIVY_LABELS.kind] ?? base.owner?.kind ?? ""),
    resourceName: intern.str(labels[TRIVY_LABELS.name] ?? base.owner?.name ?? ""),
    container: intern.str(labels[TRIVY_LABELS.container] ?? ""),
    image: intern.str(imageRef(str(obj(report.registry).server) ?? "", repository, tag, digest)),
    digest: intern.str(digest),
    counts: intern.shared(
      `sev:${counts.critical}/${counts.high}/${counts.medium}/${counts.low}/${counts.unknown}`,
      () => counts,
    ),
    criticalIds: ids(critical),
    highIds: ids(high),
  });
}

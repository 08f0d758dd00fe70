/**
 * The CVE KPIs (Critical CVEs, High CVEs) from Trivy Operator's VulnerabilityReports: distinct
 * critical and high CVE ids across the scanned workloads' images, by image and by workload.
 * Pure. Where the reports cannot be read the answer is "no data" with the reason — never 0:
 * a cluster without Trivy Operator has unknown CVEs, not none.
 */
import type { ClusterState } from "../state/cluster-state.js";
import type { Meta, VulnerabilityReport } from "../state/types.js";

export const TRIVY_NOT_INSTALLED = "Trivy Operator not installed";

export interface ImageCves {
  readonly image: string;
  readonly digest: string;
  /** Distinct critical / high CVE ids in this image. */
  readonly critical: number;
  readonly high: number;
  /** Workloads running it (that have a report). */
  readonly workloads: number;
  /** Up to 5 critical ids, for a glance. */
  readonly topCritical: readonly string[];
}

export interface WorkloadCves {
  readonly namespace: string;
  /** The workload: a ReplicaSet's Deployment (or a Job's CronJob) when the state knows it. */
  readonly kind: string;
  readonly name: string;
  readonly critical: number;
  readonly high: number;
  readonly images: readonly string[];
}

export interface CveSummary {
  readonly status: "ok" | "no data";
  /** Why there is no data ("Trivy Operator not installed", not permitted, ...). */
  readonly reason?: string;
  /** Distinct critical CVE ids across every report; null without data. */
  readonly critical: number | null;
  readonly high: number | null;
  readonly reports: number;
  readonly images: number;
  /** Images with critical or high CVEs, worst first. */
  readonly byImage: readonly ImageCves[];
  /** Workloads with critical or high CVEs, worst first. */
  readonly byWorkload: readonly WorkloadCves[];
}

export interface CveOptions {
  /** Only reports that pass (a namespace, -n). */
  readonly include?: (o: Meta) => boolean;
}

function noData(reason: string, reports = 0): CveSummary {
  return {
    status: "no data",
    reason,
    critical: null,
    high: null,
    reports,
    images: 0,
    byImage: [],
    byWorkload: [],
  };
}

/** Why VulnerabilityReports could not be read, or undefined when they were. */
export function cveCoverageReason(state: ClusterState): string | undefined {
  const c = state.coverage.get("VulnerabilityReport");
  if (!c) return TRIVY_NOT_INSTALLED;
  switch (c.status) {
    case "collected":
      return undefined;
    case "not-installed":
      return TRIVY_NOT_INSTALLED;
    case "not-permitted":
      return `VulnerabilityReports not readable${c.reason ? `: ${c.reason}` : ""}`;
    case "not-collected":
      return `no VulnerabilityReports in the input${c.reason ? ` (${c.reason})` : ""}`;
    case "error":
      return `listing VulnerabilityReports failed${c.reason ? `: ${c.reason}` : ""}`;
  }
}

/** The workload a report is about: ReplicaSet -> Deployment, Job -> CronJob when the state has the link. */
function workloadOf(state: ClusterState, r: VulnerabilityReport): { kind: string; name: string } {
  const kind = r.resourceKind || "unknown";
  const name = r.resourceName || r.name;
  if (kind === "ReplicaSet" || kind === "Job") {
    const owner = state.get(kind, r.namespace, name)?.owner;
    if (owner && (owner.kind === "Deployment" || owner.kind === "CronJob"))
      return { kind: owner.kind, name: owner.name };
  }
  return { kind, name };
}

const worst = <T extends { critical: number; high: number }>(a: T, b: T): number =>
  b.critical - a.critical || b.high - a.high;

export function cveSummary(state: ClusterState, opts: CveOptions = {}): CveSummary {
  const why = cveCoverageReason(state);
  if (why) return noData(why);
  const reports = state.list("VulnerabilityReport").filter((r) => !opts.include || opts.include(r));
  if (reports.length === 0) {
    return noData(
      "Trivy Operator is installed but there is no VulnerabilityReport yet (no scan has finished)",
    );
  }
  const critical = new Set<string>();
  const high = new Set<string>();
  const images = new Map<
    string,
    { digest: string; critical: Set<string>; high: Set<string>; workloads: Set<string> }
  >();
  const workloads = new Map<
    string,
    {
      namespace: string;
      kind: string;
      name: string;
      critical: Set<string>;
      high: Set<string>;
      images: Set<string>;
    }
  >();
  for (const r of reports) {
    for (const id of r.criticalIds) critical.add(id);
    for (const id of r.highIds) high.add(id);
    const w = workloadOf(state, r);
    const wKey = `${r.namespace}/${w.kind}/${w.name}`;
    const imageKey = r.image || r.digest || "(unknown image)";
    let img = images.get(imageKey);
    if (!img)
      images.set(
        imageKey,
        (img = { digest: r.digest, critical: new Set(), high: new Set(), workloads: new Set() }),
      );
    for (const id of r.criticalIds) img.critical.add(id);
    for (const id of r.highIds) img.high.add(id);
    img.workloads.add(wKey);
    let wl = workloads.get(wKey);
    if (!wl)
      workloads.set(
        wKey,
        (wl = { namespace: r.namespace, ...w, critical: new Set(), high: new Set(), images: new Set() }),
      );
    for (const id of r.criticalIds) wl.critical.add(id);
    for (const id of r.highIds) wl.high.add(id);
    wl.images.add(imageKey);
  }
  const byImage: ImageCves[] = [...images.entries()]
    .map(([image, i]) => ({
      image,
      digest: i.digest,
      critical: i.critical.size,
      high: i.high.size,
      workloads: i.workloads.size,
      topCritical: [...i.critical].sort().slice(0, 5),
    }))
    .filter((i) => i.critical + i.high > 0)
    .sort((a, b) => worst(a, b) || a.image.localeCompare(b.image));
  const byWorkload: WorkloadCves[] = [...workloads.values()]
    .map((w) => ({
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      critical: w.critical.size,
      high: w.high.size,
      images: [...w.images].sort(),
    }))
    .filter((w) => w.critical + w.high > 0)
    .sort((a, b) => worst(a, b) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return {
    status: "ok",
    critical: critical.size,
    high: high.size,
    reports: reports.length,
    images: images.size,
    byImage,
    byWorkload,
  };
}

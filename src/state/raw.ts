/**
 * Raw API objects as they arrive from a live cluster, a snapshot, a manifest file or the demo
 * generator, before projection. Only the envelope is typed; projections read the rest.
 */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    apiVersion?: string;
    kind?: string;
    name?: string;
    uid?: string;
    controller?: boolean;
  }[];
  managedFields?: unknown;
  /** Distinct apiVersions found in managedFields, kept by stripObject when it drops them. */
  managedApiVersions?: string[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

/** Where the objects came from; shown in every report header. */
export type SourceKind = "live" | "snapshot" | "demo" | "manifests";

/** Per-kind collection outcome. "Cannot say" is data with a reason, never a silent zero. */
export type CoverageStatus = "collected" | "not-permitted" | "not-installed" | "error" | "not-collected";

export interface KindCoverage {
  kind: string;
  status: CoverageStatus;
  count: number;
  /** Why it was not collected, e.g. `list secrets: forbidden for user "viewer"`. */
  reason?: string;
}

/** Receives objects one at a time; producers never hold a whole list. */
export type ObjectSink = (obj: KubeObject) => void;

/**
 * Where a manifest object was read from: the file as named on the command line (or found in a
 * directory given there) and the 1-based line where the object starts (its YAML mapping's
 * first key, a JSON object's `{`, or a List item's). Live clusters, snapshots and stdin have none.
 */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** An ObjectSink that is also told, for manifest files, where each object came from. */
export type LocatedSink = (obj: KubeObject, at?: SourceLocation) => void;

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * Drop what no rule reads and what makes objects large: managedFields (often half of an
 * object's bytes) and the last-applied annotation (a full copy of the spec). Mutates in place,
 * because the object is freshly parsed and nobody else holds it.
 */
export function stripObject(obj: KubeObject): KubeObject {
  const meta = obj.metadata;
  if (meta) {
    // Keep only which apiVersions wrote the object: the deprecated-API check needs that and
    // nothing else of managedFields.
    if (Array.isArray(meta.managedFields)) {
      const versions = new Set<string>();
      for (const entry of meta.managedFields as { apiVersion?: unknown }[]) {
        if (typeof entry?.apiVersion === "string") versions.add(entry.apiVersion);
      }
      if (versions.size > 0) meta.managedApiVersions = [...versions];
    }
    delete meta.managedFields;
    if (meta.annotations && LAST_APPLIED in meta.annotations) {
      delete meta.annotations[LAST_APPLIED];
      if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
    }
  }
  return obj;
}

/**
 * The header line of day2's snapshot format (gzipped NDJSON: this header, then one stripped
 * API object per line). Raw objects are always stored, so that snapshots taken today stay
 * readable, and judgeable, by rules and projections written later; the projections stored
 * beside them only make loading fast for the same day2 build.
 */
import { z } from "zod";

/** Version 2 adds the optional stored projections (`index`); version 1 files are still read. */
export const SNAPSHOT_SCHEMA_VERSION = 2;
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

const coverageSchema = z.object({
  kind: z.string(),
  status: z.enum(["collected", "not-permitted", "not-installed", "error", "not-collected"]),
  count: z.number().int().nonnegative(),
  reason: z.string().optional(),
});

export const headerSchema = z.object({
  day2Snapshot: z.number().int(),
  tool: z.string().optional(),
  source: z.enum(["live", "demo", "snapshot", "manifests"]),
  sourceDetail: z.string().optional(),
  server: z.string().optional(),
  context: z.string().optional(),
  namespace: z.string().optional(),
  collectedAt: z.string(),
  cluster: z
    .object({
      gitVersion: z.string(),
      major: z.string().optional(),
      minor: z.string().optional(),
      platform: z.string().optional(),
    })
    .optional(),
  coverage: z.array(coverageSchema),
  crds: z.array(z.string()).optional(),
  objects: z.number().int().nonnegative().optional(),
  /**
   * The projections of the same objects, compactly encoded (state/compact.ts), in the
   * `lines` lines right after this header; usable only by day2 builds whose projection code
   * has the same `fingerprint`, and skipped by any other.
   */
  index: z
    .object({
      fingerprint: z.string(),
      lines: z.number().int().nonnegative(),
      projections: z.number().int().nonnegative(),
      unknownKinds: z.record(z.string(), z.number().int().nonnegative()).optional(),
    })
    .optional(),
});

export type SnapshotHeader = z.infer<typeof headerSchema>;

/**
 * The header line of day2's snapshot format (gzipped NDJSON: this header, then one stripped
 * API object per line). Raw objects, not projections, are stored so that snapshots taken
 * today stay readable, and judgeable, by rules written later.
 */
import { z } from "zod";

export const SNAPSHOT_SCHEMA_VERSION = 1;

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
});

export type SnapshotHeader = z.infer<typeof headerSchema>;

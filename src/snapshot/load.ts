/**
 * Turns snapshot or manifest inputs into a ClusterState, carrying the snapshot header's
 * coverage and cluster version when there is one.
 */
import type { ClusterState } from "../state/cluster-state.js";
import { ClusterStateBuilder } from "../state/builder.js";
import { CompactDecoder, projectionFingerprint } from "../state/compact.js";
import { readInputs } from "./read.js";
import type { IndexReader, InputSummary } from "./read.js";

export interface LoadedSnapshot {
  state: ClusterState;
  summary: InputSummary;
}

export async function loadSnapshot(paths: string[]): Promise<LoadedSnapshot> {
  const builder = new ClusterStateBuilder({
    source: "snapshot",
    sourceDetail: paths.join(", "),
    collectedAt: Date.now(),
  });
  // A day2 snapshot written by this build's projection code loads its stored projections.
  const decoder = new CompactDecoder((kind, item) => builder.addProjection(kind, item as never));
  const indexReader: IndexReader = {
    accept: (index) => {
      if (index.fingerprint !== projectionFingerprint()) return false;
      for (const [kind, n] of Object.entries(index.unknownKinds ?? {})) builder.countUnknown(kind, n);
      return true;
    },
    line: (value) => decoder.line(value),
  };
  // Manifest files' objects come with their file and line (kept beside the projections).
  const summary = await readInputs(paths, (o, at) => builder.add(o, at), indexReader);
  const h = summary.header;
  if (h) {
    builder.updateInfo({
      source: "snapshot",
      sourceDetail: `${paths.join(", ")} (${h.source}${h.sourceDetail ? `: ${h.sourceDetail}` : ""})`,
      server: h.server,
      context: h.context,
      namespace: h.namespace,
      version: h.cluster,
      collectedAt: Date.parse(h.collectedAt) || Date.now(),
    });
    for (const c of h.coverage) builder.setCoverage(c.kind, c.status, c.reason);
    // A kind the header does not mention was not collected (a snapshot from an older day2).
    return { state: builder.build({ complete: false, missingReason: "not in this snapshot" }), summary };
  }
  builder.updateInfo({ source: "manifests" });
  return { state: builder.build({ complete: false, missingReason: "not in the input files" }), summary };
}

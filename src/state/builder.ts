/**
 * Builds a ClusterState from a stream of raw objects: each object is stripped, projected and
 * dropped, so producers (live lists, snapshot lines, manifests, the demo) never need more
 * than one object in raw form at a time.
 */
import type { CoverageStatus, KindCoverage, KubeObject, SourceLocation } from "./raw.js";
import { stripObject } from "./raw.js";
import { KINDS } from "./kinds.js";
import type { Meta, ProjectedKind, ProjectionByKind } from "./types.js";
import { Interner, PROJECTORS, isProjectedKind } from "./project/index.js";
import type { ClusterInfo } from "./cluster-state.js";
import { ClusterState } from "./cluster-state.js";

type Store = { [K in ProjectedKind]: ProjectionByKind[K][] };

function emptyStore(): Store {
  const store = {} as Record<string, unknown[]>;
  for (const k of Object.keys(PROJECTORS)) store[k] = [];
  return store as Store;
}

export class ClusterStateBuilder {
  private readonly store = emptyStore();
  private readonly intern = new Interner();
  private readonly coverage = new Map<string, KindCoverage>();
  private readonly unknown = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  /** Manifest objects' files and lines, by projection: a side table, so projections stay as they are. */
  private readonly sources = new Map<Meta, SourceLocation>();

  constructor(private info: ClusterInfo) {}

  /**
   * Projects one object. Objects of kinds day2 does not model are counted, not dropped silently.
   * `at` (manifest files only) is kept beside the projection for locating findings in files.
   */
  add(o: KubeObject, at?: SourceLocation): void {
    const kind = o.kind;
    if (typeof kind !== "string" || !isProjectedKind(kind)) {
      const k = typeof kind === "string" ? kind : "<no kind>";
      this.unknown.set(k, (this.unknown.get(k) ?? 0) + 1);
      return;
    }
    stripObject(o);
    const projected = (PROJECTORS[kind] as (o: KubeObject, i: Interner) => Meta)(o, this.intern);
    (this.store[kind] as unknown[]).push(projected);
    if (at) this.sources.set(projected, at);
    this.seen.set(kind, (this.seen.get(kind) ?? 0) + 1);
  }

  /** Adds an already projected object (decoded from a snapshot's stored projections). */
  addProjection<K extends ProjectedKind>(kind: K, item: ProjectionByKind[K]): void {
    (this.store[kind] as unknown[]).push(item);
    this.seen.set(kind, (this.seen.get(kind) ?? 0) + 1);
  }

  /** The projections so far, kind by kind (for storing them in a snapshot). */
  *projections(): Generator<[ProjectedKind, readonly ProjectionByKind[ProjectedKind][]]> {
    for (const [kind, items] of Object.entries(this.store) as [
      ProjectedKind,
      ProjectionByKind[ProjectedKind][],
    ][])
      if (items.length > 0) yield [kind, items];
  }

  /** Counts objects of a kind day2 does not model (from a snapshot's stored projections). */
  countUnknown(kind: string, n: number): void {
    this.unknown.set(kind, (this.unknown.get(kind) ?? 0) + n);
  }

  /** Counts of kinds seen in the input that day2 does not model. */
  unknownKinds(): ReadonlyMap<string, number> {
    return this.unknown;
  }

  /** Records how a kind's collection ended; the count is filled in at build time. */
  setCoverage(kind: string, status: CoverageStatus, reason?: string): void {
    this.coverage.set(kind, { kind, status, count: 0, ...(reason ? { reason } : {}) });
  }

  updateInfo(patch: Partial<ClusterInfo>): void {
    this.info = { ...this.info, ...patch };
  }

  /**
   * Kinds with no recorded coverage are "collected" when `complete` (live and demo sources
   * list every kind) and otherwise "collected" only if objects of the kind were seen: a
   * manifest file without Secrets says nothing about the cluster's Secrets. An optional kind
   * (an add-on's CRD) with no objects in a complete source is "not-installed".
   */
  build(opts: { complete: boolean; missingReason?: string }): ClusterState {
    const coverage = new Map<string, KindCoverage>();
    for (const { kind, optional } of KINDS) {
      const count = this.seen.get(kind) ?? 0;
      const recorded = this.coverage.get(kind);
      if (recorded) coverage.set(kind, { ...recorded, count });
      else if (count > 0) coverage.set(kind, { kind, status: "collected", count });
      // A complete source without one object of an add-on's kind (the demo) does not have the add-on.
      else if (opts.complete && optional)
        coverage.set(kind, {
          kind,
          status: "not-installed",
          count: 0,
          reason: `${optional.provider} not installed (no ${kind} in the input)`,
        });
      else if (opts.complete) coverage.set(kind, { kind, status: "collected", count });
      else
        coverage.set(kind, {
          kind,
          status: "not-collected",
          count: 0,
          reason: opts.missingReason ?? "not in the input",
        });
    }
    return new ClusterState(
      this.info,
      this.store,
      coverage,
      this.unknown,
      this.sources.size > 0 ? this.sources : undefined,
    );
  }
}

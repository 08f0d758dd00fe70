/**
 * Where a command's ClusterState comes from: --snapshot files, the demo generator, or a live
 * cluster. With no kubeconfig anywhere and no flag, the demo cluster is used and one line on
 * stderr says so, so a new user sees the whole product at once.
 */
import type { ClusterState } from "../state/cluster-state.js";
import { ClusterStateBuilder } from "../state/builder.js";
import type { ObjectSink } from "../state/raw.js";
import { KINDS } from "../state/kinds.js";
import { loadSnapshot } from "../snapshot/load.js";
import {
  collectLive,
  hasKubeConfig,
  loadKubeConfig,
  missingPermissions,
  preflight,
  skippedKinds,
} from "../kube/index.js";
import type { CollectResult, KubeConnection, SkippedKind } from "../kube/index.js";
import { DEMO_NOW, demoClusterInfo, demoOptionsFromScale, demoState, generateDemo } from "../demo/index.js";
import type { GlobalOptions } from "./options.js";
import type { Logger } from "./progress.js";
import { makeKindProgress } from "./progress.js";

export type SourceChoice = "snapshot" | "demo" | "live";

export function chooseSource(opts: GlobalOptions): { choice: SourceChoice; implicitDemo: boolean } {
  if (opts.snapshot) return { choice: "snapshot", implicitDemo: false };
  if (opts.demo) return { choice: "demo", implicitDemo: false };
  if (opts.kubeconfig || opts.context) return { choice: "live", implicitDemo: false };
  return hasKubeConfig({}) ? { choice: "live", implicitDemo: false } : { choice: "demo", implicitDemo: true };
}

/** Streams the demo cluster into a sink; returns what a header or ClusterInfo needs. */
export function streamDemo(
  opts: GlobalOptions,
  sink: ObjectSink,
): ReturnType<typeof demoClusterInfo> & { detail: string; collectedAt: string } {
  const demoOpts = demoOptionsFromScale(opts.scale, opts.seed);
  for (const o of generateDemo(demoOpts)) sink(o);
  const info = demoClusterInfo(demoOpts);
  return { ...info, detail: `seed ${opts.seed}, scale ${opts.scale}`, collectedAt: DEMO_NOW };
}

export function loadDemo(opts: GlobalOptions): ClusterState {
  return demoState(opts.scale, opts.seed);
}

export async function connect(opts: GlobalOptions): Promise<KubeConnection> {
  return loadKubeConfig({
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    as: opts.as,
    asGroups: opts.asGroups.length ? opts.asGroups : undefined,
    requestTimeoutMs: opts.requestTimeoutMs,
  });
}

/**
 * The permission preflight (unless --no-preflight): kinds the user may not list, with the
 * reason, for the collector to skip. Empty when everything is allowed or the review API
 * could not be used (then the collector records 403s as they come).
 */
export async function permissionSkips(
  conn: KubeConnection,
  opts: GlobalOptions,
  log: Logger,
): Promise<Map<string, SkippedKind>> {
  if (!opts.preflight) return new Map();
  const started = Date.now();
  const result = await preflight(conn, {
    namespace: opts.namespace,
    onRetry: (e) => log.debug(`retrying ${JSON.stringify(e)}`),
  });
  if (!result.available) {
    log.info(
      `permission preflight unavailable (${result.unavailableReason ?? "unknown"}): listing every kind`,
    );
    return new Map();
  }
  const skip = skippedKinds(result);
  if (skip.size > 0) {
    const who = result.user ? ` as "${result.user}"` : "";
    const missing = missingPermissions(result);
    if (missing.length)
      log.info(
        `permission preflight${who}: missing ${missing.join(", ")}; ${missing.length} kinds not collected`,
      );
  }
  log.debug(`permission preflight: ${result.checks.length} kinds checked in ${Date.now() - started} ms`);
  return skip;
}

/** Lists a live cluster into a sink, with progress on stderr. */
export async function streamLive(
  conn: KubeConnection,
  opts: GlobalOptions,
  log: Logger,
  sink: ObjectSink,
): Promise<CollectResult> {
  const skip = await permissionSkips(conn, opts, log);
  const progress = makeKindProgress(log);
  const started = Date.now();
  progress.start(KINDS.length);
  try {
    const result = await collectLive(
      conn,
      {
        namespace: opts.namespace,
        labelSelector: opts.selectorText,
        pageSize: opts.pageSize,
        concurrency: opts.concurrency,
        skip,
        onProgress: (e) =>
          e.done
            ? progress.kindDone(e.kind, e.objects, e.status ?? "collected")
            : progress.update(e.kind, e.objects),
        onRetry: (e) => log.debug(`retrying ${JSON.stringify(e)}`),
      },
      sink,
    );
    progress.stop();
    const total = result.coverage.reduce((n, c) => n + c.count, 0);
    log.debug(
      `collected ${total.toLocaleString("en-US")} objects from ${conn.server} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return result;
  } finally {
    progress.stop();
  }
}

export async function loadLive(opts: GlobalOptions, log: Logger): Promise<ClusterState> {
  const conn = await connect(opts);
  try {
    const builder = new ClusterStateBuilder({
      source: "live",
      sourceDetail: conn.context ?? conn.server,
      server: conn.server,
      context: conn.context,
      collectedAt: Date.now(),
      namespace: opts.namespace,
    });
    const result = await streamLive(conn, opts, log, (o) => builder.add(o));
    for (const c of result.coverage) builder.setCoverage(c.kind, c.status, c.reason);
    if (result.serverVersion) builder.updateInfo({ version: result.serverVersion });
    return builder.build({ complete: true });
  } finally {
    conn.close();
  }
}

export async function loadState(opts: GlobalOptions, log: Logger): Promise<ClusterState> {
  const { choice, implicitDemo } = chooseSource(opts);
  if (choice === "snapshot") {
    const started = Date.now();
    const { state, summary } = await loadSnapshot(opts.snapshot!);
    log.debug(
      `read ${summary.files.map((f) => `${f.file} (${f.format}, ${f.objects} objects)`).join(", ")} in ${Date.now() - started} ms`,
    );
    return state;
  }
  if (choice === "demo") {
    if (implicitDemo)
      log.info(
        "No kubeconfig found: showing the built-in demo cluster (--demo). Use --kubeconfig or --snapshot for a real one.",
      );
    return loadDemo(opts);
  }
  return loadLive(opts, log);
}

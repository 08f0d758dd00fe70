/**
 * The live source: list a cluster, kind by kind and page by page, into an ObjectSink. Memory
 * stays bounded by `concurrency` pages: each page's text is parsed, its items are prepared and
 * handed to the sink, and the page is dropped before the next one is requested.
 */
import { KINDS, type KindInfo, kindInfo, listPath } from "../state/kinds.js";
import type { CoverageStatus, KindCoverage, ObjectSink } from "../state/raw.js";
import type { KubeConnection } from "./connection.js";
import { KubeApiError } from "./errors.js";
import { type GetOptions, KubeClient, type KubeClientOptions } from "./http.js";
import {
  alreadyEmitted,
  decideOnGone,
  DEFAULT_PAGE_SIZE,
  labelSelectorFor,
  METADATA_ONLY_ACCEPT,
  objectKey,
  pageSizeFor,
  parseListPage,
  prepareItem,
} from "./paging.js";
import { abortReason } from "./retry.js";

export interface CollectProgress {
  kind: string;
  /** Pages received so far for this kind. */
  page: number;
  /** Objects sent to the sink so far for this kind. */
  objects: number;
  done: boolean;
  /** Set when done. */
  status?: CoverageStatus;
}

export interface CollectOptions extends Pick<KubeClientOptions, "retry" | "onRetry" | "compression"> {
  /** Kinds to list; default every kind in KINDS. */
  kinds?: readonly KindInfo[];
  /** List namespaced kinds in this namespace only; cluster-scoped kinds are always listed. */
  namespace?: string;
  /** Applied to workload kinds only; see LABEL_SELECTED_KINDS for why. */
  labelSelector?: string;
  /** `limit` per page; default 500. */
  pageSize?: number;
  /** Kinds listed at the same time; default 4. */
  concurrency?: number;
  onProgress?: (event: CollectProgress) => void;
  signal?: AbortSignal;
  /**
   * Kinds not to list, with the reason: recorded as "not-permitted" without a request (the
   * permission preflight found them not allowed; see preflight.ts `skippedKinds`).
   */
  skip?: ReadonlyMap<string, { readonly status: CoverageStatus; readonly reason: string }>;
}

/** Coverage of one kind, with how consistent its list was. */
export interface LiveKindCoverage extends KindCoverage {
  pages: number;
  /**
   * "inconsistent-continue": a continue token expired and the rest came from a newer
   * snapshot (server's token); "restarted": the list was started again and the objects
   * already sent were skipped by key. Undefined for a normal, consistent list.
   */
  consistency?: "inconsistent-continue" | "restarted";
}

/** GET /version. */
export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
  platform?: string;
  [key: string]: unknown;
}

export interface CollectResult {
  /** One entry per requested kind, in the requested order. */
  coverage: LiveKindCoverage[];
  /** Undefined when /version is forbidden or missing. */
  serverVersion: ServerVersion | undefined;
  /** Names of the installed CustomResourceDefinitions (empty when they cannot be listed). */
  crds: string[];
  /** Why `crds` is empty although CRDs may exist (forbidden, error), when that is the case. */
  crdsReason?: string;
}

const DEFAULT_CONCURRENCY = 4;
/** After this many 410-restarts of one kind we give up on it rather than loop. */
const MAX_RESTARTS = 3;
/** Listed first so the longest lists do not start last and become the tail of the run. */
const BIG_KINDS = ["Pod", "Event", "ReplicaSet", "EndpointSlice", "Secret", "ConfigMap"];

interface ListContext {
  client: KubeClient;
  namespace: string | undefined;
  labelSelector: string | undefined;
  pageSize: number;
  signal: AbortSignal;
  onProgress: ((e: CollectProgress) => void) | undefined;
}

/**
 * List the cluster into `sink`. A kind that is forbidden, not installed or fails is recorded
 * in coverage and the run goes on; unauthorized, unreachable server, a throwing sink or an
 * abort stop the run (the error is rethrown after in-flight lists are cancelled).
 */
export async function collectLive(
  conn: KubeConnection,
  opts: CollectOptions,
  sink: ObjectSink,
): Promise<CollectResult> {
  const client = new KubeClient(conn, {
    retry: opts.retry,
    onRetry: opts.onRetry,
    compression: opts.compression,
  });
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const serverVersion = await fetchVersion(client, signal);

  const kinds = opts.kinds ?? KINDS;
  const ctx: ListContext = {
    client,
    namespace: opts.namespace || undefined,
    labelSelector: opts.labelSelector || undefined,
    pageSize: Math.max(1, opts.pageSize ?? DEFAULT_PAGE_SIZE),
    signal,
    onProgress: opts.onProgress,
  };
  const crdInfo = kinds.find((k) => k.kind === "CustomResourceDefinition");
  const crds: string[] = [];
  const coverage = new Map<string, LiveKindCoverage>();
  const queue = [...kinds].sort((a, b) => rank(a) - rank(b));
  let fatal: unknown;

  const worker = async (): Promise<void> => {
    for (let info = queue.shift(); info && fatal === undefined; info = queue.shift()) {
      const current = info;
      const emit: ObjectSink =
        current === crdInfo
          ? (obj) => {
              if (obj.metadata?.name) crds.push(obj.metadata.name);
              sink(obj);
            }
          : sink;
      let skipped = opts.skip?.get(current.kind);
      // An add-on's kind the preflight denies may just not be installed: discovery tells.
      if (skipped !== undefined && current.optional && (await notServed(ctx, current))) {
        skipped = {
          status: "not-installed",
          reason: `${current.optional.crd} not installed (${current.group}/${current.version} not served)`,
        };
      }
      if (skipped !== undefined) {
        ctx.onProgress?.({ kind: current.kind, page: 0, objects: 0, done: true, status: skipped.status });
        coverage.set(current.kind, {
          kind: current.kind,
          status: skipped.status,
          count: 0,
          pages: 0,
          reason: skipped.reason,
        });
        continue;
      }
      try {
        coverage.set(current.kind, await listKind(ctx, current, emit));
      } catch (err) {
        fatal ??= err;
        stop.abort(err);
      }
    }
  };
  const workers = Array.from(
    { length: Math.max(1, Math.min(opts.concurrency ?? DEFAULT_CONCURRENCY, kinds.length)) },
    worker,
  );
  await Promise.all(workers);
  if (fatal !== undefined) throw fatal;
  if (opts.signal?.aborted) throw abortReason(opts.signal);

  // Names only, when the CRD kind itself was not requested: metadata-only, so schemas stay home.
  const crdSkipped = opts.skip?.get("CustomResourceDefinition");
  const crdCoverage = crdInfo
    ? coverage.get(crdInfo.kind)
    : crdSkipped !== undefined
      ? { kind: "CustomResourceDefinition", count: 0, pages: 0, ...crdSkipped }
      : await listCrdNames(ctx, crds);
  const result: CollectResult = {
    coverage: kinds.map(
      (k) => coverage.get(k.kind) ?? { kind: k.kind, status: "not-collected", count: 0, pages: 0 },
    ),
    serverVersion,
    crds: crds.sort(),
  };
  if (crdCoverage && crdCoverage.status !== "collected" && crdCoverage.status !== "not-installed") {
    result.crdsReason = crdCoverage.reason ?? crdCoverage.status;
  }
  return result;
}

function rank(info: KindInfo): number {
  const i = BIG_KINDS.indexOf(info.kind);
  return i === -1 ? BIG_KINDS.length : i;
}

async function fetchVersion(client: KubeClient, signal: AbortSignal): Promise<ServerVersion | undefined> {
  // Also the connection check: an unreachable server or bad credentials fail here, first.
  const res = await client.get("/version", { signal });
  if (res.type !== "ok") return undefined;
  try {
    const v = JSON.parse(res.body.toString("utf8")) as ServerVersion;
    return typeof v === "object" && v !== null && typeof v.gitVersion === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** State of one kind's list across pages, 410s and restarts. */
interface ListState {
  continueToken: string | undefined;
  pages: number;
  count: number;
  restarts: number;
  /** Key of the last object emitted; lists arrive in key order. */
  lastKey: string | undefined;
  /** During a restarted list: skip keys up to and including this one. */
  resumeAfter: string | undefined;
  /** False if keys ever went backwards: then a restart cannot skip by key. */
  ordered: boolean;
  consistency: LiveKindCoverage["consistency"];
}

/** List one kind to the end. Throws only what must stop the whole run. */
async function listKind(ctx: ListContext, info: KindInfo, sink: ObjectSink): Promise<LiveKindCoverage> {
  const path = listPath(info, ctx.namespace);
  const s: ListState = {
    continueToken: undefined,
    pages: 0,
    count: 0,
    restarts: 0,
    lastKey: undefined,
    resumeAfter: undefined,
    ordered: true,
    consistency: undefined,
  };
  const done = (status: CoverageStatus, reason?: string): LiveKindCoverage => {
    ctx.onProgress?.({ kind: info.kind, page: s.pages, objects: s.count, done: true, status });
    const cov: LiveKindCoverage = { kind: info.kind, status, count: s.count, pages: s.pages };
    if (s.consistency) cov.consistency = s.consistency;
    const why = [reason, consistencyNote(s)].filter(Boolean).join("; ");
    if (why) cov.reason = why;
    return cov;
  };
  const request: GetOptions = {
    signal: ctx.signal,
    ...(info.metadataOnly ? { accept: METADATA_ONLY_ACCEPT } : {}),
  };
  const limit = pageSizeFor(info, ctx.pageSize);
  const labelSelector = labelSelectorFor(info, ctx.labelSelector);
  for (;;) {
    let res;
    try {
      res = await ctx.client.get(path, {
        ...request,
        query: { limit, continue: s.continueToken, labelSelector },
      });
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err; // unauthorized, unreachable, aborted: stop the run
      return done("error", `list ${info.plural}: ${err.message}${partial(s)}`);
    }
    if (res.type === "forbidden") {
      // RBAC answers 403 before routing, so a user without rights on an add-on's kind cannot
      // tell "not installed" from a list; discovery (open to every authenticated user) can.
      if (info.optional && s.pages === 0 && (await notServed(ctx, info))) {
        return done(
          "not-installed",
          `${info.optional.crd} not installed (${info.group}/${info.version} not served; list ${info.plural} was forbidden)`,
        );
      }
      return done("not-permitted", `list ${info.plural}: forbidden: ${res.message}${partial(s)}`);
    }
    if (res.type === "not-found") {
      return done(
        "not-installed",
        `list ${info.plural}: ${path} not found (${info.group || "core"}/${info.version} not served)`,
      );
    }
    if (res.type === "gone") {
      const problem = onGone(s, res.apiStatus);
      if (problem) return done("error", `list ${info.plural}: ${problem}: ${res.message}${partial(s)}`);
      continue;
    }
    try {
      emitPage(res.body, info, s, sink);
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof PageError) {
        return done("error", `list ${info.plural}: unreadable response: ${err.message}${partial(s)}`);
      }
      throw err; // the sink failed: that is the caller's problem, not this kind's
    }
    ctx.onProgress?.({ kind: info.kind, page: s.pages, objects: s.count, done: false });
    if (s.continueToken === undefined) return done("collected");
    if (ctx.signal.aborted) throw abortReason(ctx.signal);
  }
}

/** True when discovery says the kind's group/version or resource is not served (404, or absent from the list). */
async function notServed(ctx: ListContext, info: KindInfo): Promise<boolean> {
  try {
    const res = await ctx.client.get(`/apis/${info.group}/${info.version}`, { signal: ctx.signal });
    if (res.type === "not-found") return true;
    if (res.type !== "ok") return false;
    const list = JSON.parse(res.body.toString("utf8")) as { resources?: { name?: unknown }[] };
    return Array.isArray(list.resources) && !list.resources.some((r) => r?.name === info.plural);
  } catch (err) {
    if (!(err instanceof KubeApiError) && !(err instanceof SyntaxError)) throw err;
    return false;
  }
}

class PageError extends Error {}

/** Parse a page and send its items; the body and parsed page go out of scope on return. */
function emitPage(body: Buffer, info: KindInfo, s: ListState, sink: ObjectSink): void {
  let page;
  try {
    page = parseListPage(body);
  } catch (err) {
    if (err instanceof SyntaxError) throw err;
    throw new PageError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  s.pages++;
  s.continueToken = page.continueToken;
  const items = page.items;
  for (let i = 0; i < items.length; i++) {
    const obj = prepareItem(items[i], info);
    items[i] = undefined; // let the sink be the only holder of what it keeps
    const key = objectKey(obj);
    if (alreadyEmitted(key, s.resumeAfter)) continue;
    if (s.lastKey !== undefined && key <= s.lastKey) s.ordered = false;
    s.lastKey = key;
    sink(obj);
    s.count++;
  }
}

/** Apply the 410 decision to the list state; returns a problem text when we must give up. */
function onGone(s: ListState, apiStatus: Parameters<typeof decideOnGone>[0]): string | undefined {
  const decision = decideOnGone(apiStatus);
  if (decision.action === "continue-inconsistent") {
    s.continueToken = decision.continueToken;
    s.consistency ??= "inconsistent-continue";
    return undefined;
  }
  if (s.continueToken === undefined) return "410 Gone on the first page"; // a restart would loop
  if (!s.ordered) return "continue token expired and the list cannot be resumed (objects not in key order)";
  if (++s.restarts > MAX_RESTARTS) return `continue token expired ${s.restarts} times`;
  s.continueToken = undefined;
  s.resumeAfter = s.lastKey;
  s.consistency = "restarted";
  return undefined;
}

function consistencyNote(s: ListState): string | undefined {
  if (s.consistency === "inconsistent-continue") {
    return "continue token expired (410): later pages come from a newer snapshot than earlier ones";
  }
  if (s.consistency === "restarted") {
    return `continue token expired (410): list restarted ${s.restarts}x, objects already sent were skipped by key`;
  }
  return undefined;
}

function partial(s: ListState): string {
  return s.count > 0 ? ` (${s.count} objects collected before this)` : "";
}

async function listCrdNames(ctx: ListContext, out: string[]): Promise<LiveKindCoverage | undefined> {
  const info = kindInfo("CustomResourceDefinition");
  if (!info) return undefined;
  const cov = await listKind({ ...ctx, onProgress: undefined }, { ...info, metadataOnly: true }, (obj) => {
    if (obj.metadata?.name) out.push(obj.metadata.name);
  });
  if (cov.status !== "collected") out.length = 0; // partial names would read as "not installed"
  return cov;
}

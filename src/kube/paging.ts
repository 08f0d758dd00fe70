/**
 * Pure pieces of paged listing: queries, the Accept header for metadata-only kinds, page
 * parsing, per-item preparation, and what to do when a continue token expires (410 Gone).
 */
import { apiVersionOf, type KindInfo } from "../state/kinds.js";
import { type KubeObject, stripObject } from "../state/raw.js";
import type { ApiStatus } from "./http.js";

/**
 * Ask for PartialObjectMetadataList so Secret data never crosses the wire. The trailing
 * plain JSON is the fallback for servers that cannot convert (then we delete data ourselves).
 */
export const METADATA_ONLY_ACCEPT =
  "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";

export const DEFAULT_PAGE_SIZE = 500;

/**
 * Kinds a label selector narrows: the workloads themselves (what `-l app=x` is about).
 * Everything else is listed in full: cluster-scoped kinds (nodes, namespaces, PVs, storage
 * classes) are context, not subjects; and objects that workloads refer to or are governed by
 * (Services, ConfigMaps, Secrets, PVCs, ServiceAccounts, PDBs, HPAs, NetworkPolicies, RBAC,
 * quotas, events) often do not carry the app's labels, so filtering them would make checks
 * report a referenced object as missing.
 */
export const LABEL_SELECTED_KINDS: ReadonlySet<string> = new Set([
  "Pod",
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
]);

/** The label selector to send for a kind, or undefined when the kind is listed in full. */
export function labelSelectorFor(info: KindInfo, selector: string | undefined): string | undefined {
  return selector && LABEL_SELECTED_KINDS.has(info.kind) ? selector : undefined;
}

/**
 * CRDs carry their full OpenAPI schemas (often 100 KB+ each): a page of 500 could be tens of
 * megabytes, so they are listed in smaller pages.
 */
export function pageSizeFor(info: KindInfo, pageSize: number): number {
  return info.kind === "CustomResourceDefinition" ? Math.min(pageSize, 50) : pageSize;
}

export interface ListPage {
  items: unknown[];
  /** Continue token for the next page; undefined on the last page. */
  continueToken: string | undefined;
  resourceVersion: string | undefined;
}

/** Parse one list response body. Throws on anything that is not a Kubernetes list. */
export function parseListPage(body: Buffer): ListPage {
  const doc = JSON.parse(body.toString("utf8")) as {
    kind?: unknown;
    items?: unknown;
    metadata?: { continue?: unknown; resourceVersion?: unknown };
  };
  if (typeof doc !== "object" || doc === null)
    throw new Error("response is not a Kubernetes list (no items array)");
  // An empty PartialObjectMetadataList comes as `"items": null` (seen on 1.37 for secrets);
  // a *List with the field left out is empty too.
  if (
    doc.items === null ||
    (doc.items === undefined && typeof doc.kind === "string" && doc.kind.endsWith("List"))
  ) {
    doc.items = [];
  }
  if (!Array.isArray(doc.items)) {
    throw new Error("response is not a Kubernetes list (no items array)");
  }
  const token = doc.metadata?.continue;
  const rv = doc.metadata?.resourceVersion;
  return {
    items: doc.items as unknown[],
    continueToken: typeof token === "string" && token !== "" ? token : undefined,
    resourceVersion: typeof rv === "string" ? rv : undefined,
  };
}

/**
 * Make a list item a complete, lean object: lists omit kind/apiVersion on items (and
 * metadata-only lists call them PartialObjectMetadata), Secret values must never reach the
 * sink, and stripObject drops managedFields and last-applied (which for a Secret would be a
 * copy of its data).
 */
export function prepareItem(item: unknown, info: KindInfo): KubeObject {
  const obj = (typeof item === "object" && item !== null ? item : {}) as KubeObject;
  obj.kind = info.kind;
  obj.apiVersion = apiVersionOf(info);
  if (info.metadataOnly) {
    delete obj["data"];
    delete obj["stringData"];
    delete obj["binaryData"];
  }
  return stripObject(obj);
}

/** Sort key the API server lists in (etcd key order): `namespace/name`, or `name`. */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return ns ? `${ns}/${name}` : name;
}

/** What to do after a 410 Gone on a paged list. */
export type GoneDecision =
  /** Follow the server's inconsistent continue token: the rest comes from a newer snapshot. */
  | { action: "continue-inconsistent"; continueToken: string }
  /** Start the list again and skip what was already emitted. */
  | { action: "restart" };

/**
 * On ResourceExpired the API server includes `metadata.continue` in the 410 Status: a token
 * that resumes after the last key at the current resourceVersion. Use it when present; any
 * other 410 means starting over.
 */
export function decideOnGone(status: ApiStatus | undefined): GoneDecision {
  const token = status?.metadata?.continue;
  if (typeof token === "string" && token !== "")
    return { action: "continue-inconsistent", continueToken: token };
  return { action: "restart" };
}

/**
 * Whether an object of a restarted list was already emitted before the 410. Lists come in
 * key order, so everything up to the last key we emitted has been sent (or was created after
 * that part of the first snapshot, exactly what the server's own inconsistent continue would
 * also leave out). This needs no memory, unlike a set of every uid sent so far.
 */
export function alreadyEmitted(key: string, resumeAfterKey: string | undefined): boolean {
  return resumeAfterKey !== undefined && key <= resumeAfterKey;
}

/** Formatting helpers shared by the demo builders: timestamps, quantities, identities. */
import { hashString, suffixFromKey, uuidFromKey } from "./random.js";

/** The demo's fixed "now": every creation time and age is relative to it, so output is stable. */
export const DEMO_NOW = "2026-11-20T12:00:00Z";
export const DEMO_NOW_MS = Date.parse(DEMO_NOW);

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const Ki = 1024;
export const Mi = 1024 * Ki;
export const Gi = 1024 * Mi;

/** RFC 3339 at second precision (as the API server writes it) for a time `ago` ms before now. */
export function ago(ms: number): string {
  return at(DEMO_NOW_MS - ms);
}

/** RFC 3339 at second precision for an absolute epoch-ms time. */
export function at(epochMs: number): string {
  const d = new Date(Math.floor(epochMs / SECOND) * SECOND);
  return d.toISOString().replace(".000Z", "Z");
}

/** Millicores as the API prints them: "250m", or "2" for whole cores. */
export function cpuQty(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes as "512Mi" / "2Gi" (whole Mi assumed). */
export function memQty(bytes: number): string {
  if (bytes % Gi === 0) return `${bytes / Gi}Gi`;
  if (bytes % Mi === 0) return `${bytes / Mi}Mi`;
  return `${Math.round(bytes / Ki)}Ki`;
}

/**
 * Identity derived from (kind, namespace, name): uids can be recomputed anywhere (owner
 * references, PV claimRefs, endpoint targetRefs) without a lookup table.
 */
export function uidOf(seed: number, kind: string, namespace: string, name: string): string {
  return uuidFromKey(seed, `${kind}/${namespace}/${name}`);
}

/** A ReplicaSet's pod-template-hash / a StatefulSet's revision hash. */
export function templateHash(seed: number, key: string): string {
  // Real hashes are 8-10 characters of the name alphabet; the length varies with the value.
  const len = 9 + (hashString(key, seed ^ 0x5bd1e995) % 2);
  return suffixFromKey(seed, key, len);
}

/** A monotonic resourceVersion source: one per generator run. */
export class VersionClock {
  private v = 4_200_000;

  next(): string {
    this.v += 1 + (this.v % 7);
    return String(this.v);
  }
}

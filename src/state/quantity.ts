/**
 * Kubernetes resource quantities ("100m", "1.5", "128Mi", "2G", "1e3") as plain numbers.
 * CPU becomes millicores and everything else base units (bytes, counts), so rules and cost
 * code compare numbers, never strings. See k8s.io/apimachinery/pkg/api/resource.
 */
const SUFFIX: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** Parses a quantity to base units; undefined for anything that is not a quantity. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = QUANTITY.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (SUFFIX[m[2] ?? ""] ?? 1);
  return Number.isFinite(n) ? n : undefined;
}

/** CPU in millicores ("250m" -> 250, "2" -> 2000). */
export function parseCpuMillis(value: unknown): number | undefined {
  const n = parseQuantity(value);
  return n === undefined ? undefined : Math.round(n * 1000);
}

/** Memory or storage in bytes. */
export function parseBytes(value: unknown): number | undefined {
  const n = parseQuantity(value);
  return n === undefined ? undefined : Math.round(n);
}

/** "250m", "2", or for large totals "143.0" cores. */
export function formatCpu(millis: number): string {
  if (millis % 1000 === 0) return String(millis / 1000);
  return millis >= 10_000 ? (millis / 1000).toFixed(1) : `${millis}m`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "Ki", "Mi", "Gi", "Ti", "Pi"];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}

/**
 * What a custom rule's CEL sees as `object`: day2's typed projection of the object (the
 * fields in src/state/types.ts), not the raw API object, converted to CEL values once per
 * object and shared by every custom rule:
 *
 * - whole numbers become CEL `int` (so `object.replicas == 3` holds), others `double`;
 * - absent fields (and NaN timestamps) are absent, so `has(object.startTime)` means "set";
 * - label selectors become `{text, matchesAll, matchesNone, equals, requirements}`;
 * - a `metadata` map (name, namespace, uid, labels, annotations, creationTimestamp) is added
 *   next to the projection's flat fields, so `object.metadata.name` reads as in Kubernetes.
 *
 * Units are the projection's: CPU in millicores, memory and storage in bytes, times in epoch
 * milliseconds.
 */
import type { Meta } from "../../state/types.js";

const views = new WeakMap<object, Record<string, unknown>>();

function convert(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  switch (typeof v) {
    case "number":
      if (Number.isNaN(v)) return undefined;
      return Number.isSafeInteger(v) ? BigInt(v) : v;
    case "string":
    case "boolean":
      return v;
    case "bigint":
      return v;
    case "object": {
      if (Array.isArray(v)) return v.map((x) => convert(x) ?? null);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const c = convert(x);
        if (c !== undefined) out[k] = c;
      }
      // Selectors keep their kubectl text form on the prototype.
      const text = "matchesAll" in v && "equals" in v ? (v as { text?: unknown }).text : undefined;
      if (typeof text === "string") out.text = text;
      return out;
    }
    default:
      return undefined;
  }
}

/** The CEL `object` for a projection (memoised per object). */
export function celView(o: Meta): Record<string, unknown> {
  let view = views.get(o);
  if (!view) {
    view = convert(o) as Record<string, unknown>;
    const metadata: Record<string, unknown> = {
      name: o.name,
      namespace: o.namespace,
      uid: o.uid,
      labels: view.labels ?? {},
      annotations: view.annotations ?? {},
    };
    if (view.createdAt !== undefined) metadata.creationTimestamp = view.createdAt;
    view.metadata = metadata;
    views.set(o, view);
  }
  return view;
}

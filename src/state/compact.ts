/**
 * A compact encoding of projections, stored in day2 snapshots beside the raw objects so a
 * later load can skip parsing and projecting the raw API objects (at 150,000 pods most of a
 * scan's time). Raw objects stay the source of truth: the encoded projections are used only
 * when they were written by the same projection code (a fingerprint of its source files),
 * else the loader projects the raw objects again.
 *
 * Encoding (JSON values, so lines stay NDJSON):
 *   string, boolean                 as themselves
 *   integer 0 <= v <= 2^53 - 2      -(v + 1), a bare negative number
 *   any other finite number         ["n", value]
 *   undefined                       null (projections never hold null: the encoder checks)
 *   array                           [0, ...items]
 *   object                          [shapeId, ...values], the keys defined once by a shape line
 *   frozen (interned) value         refId >= 1, a bare number: defined once by a table line
 *   repeated short string           refId >= 1, the string defined once by a table line
 *   label selector                  ["sel", equals, requirements, matchesAll, matchesNone]
 * Lines: ["s", shapeId, keys], ["t", firstId, [value, ...]] defining consecutive table ids
 * (in order, so a value may use an id defined before it on the same line), and ["o", kind,
 * [object, ...]].
 * References are bare numbers because they are by far the most common value (about 40 per
 * pod): as one-element arrays each cost JSON.parse an allocation. Counts, ports and quantities
 * (3 million at 150,000 pods) are non-negative integers, so they are bare too, below zero;
 * only fractions and negative numbers are boxed. Table values go many to a line: one
 * JSON.parse call per definition cost more than the parse itself at 700,000 definitions.
 * Interned values (a ReplicaSet's shared container specs, probes, label sets) are frozen by
 * the Interner, so freezing marks exactly what is shared; each is stored once and decoded
 * once, and every decoded projection shares it again.
 */
import type { ProjectedKind, Projection } from "./types.js";
import { isProjectedKind } from "./project/index.js";
import { PROJECTION_FINGERPRINT } from "./projection-fingerprint.js";
import type { Requirement } from "./selector.js";
import { isCompiledSelector, selectorFromParts } from "./selector.js";

/** Bumped when the encoding itself changes. */
export const COMPACT_ENCODING_VERSION = 3;

/** Objects per line: fewer, longer lines mean fewer JSON.parse calls. */
const BATCH = 512;

/** Table definitions per line. */
const TABLE_BATCH = 2048;

/** Longer strings are rarely repeated and cost more to look up than to keep twice. */
const MAX_SHARED_STRING = 100;

export class CompactError extends Error {}

/**
 * Which projection code and encoding wrote a snapshot's stored projections: the generated
 * hash of the projection sources (scripts/projection-fingerprint.ts, kept current by a unit
 * test) and the encoding version. The same in source and built form, so a snapshot saved by
 * `npx tsx` loads fast in the installed CLI and the other way round.
 */
export function projectionFingerprint(): string {
  return `${PROJECTION_FINGERPRINT}-e${COMPACT_ENCODING_VERSION}`;
}

/** One line of the encoded stream. */
type Line = ["s", number, string[]] | ["t", number, unknown[]] | ["o", ProjectedKind, unknown[]];

/** A pending definition: a shape, or one table value with its id. */
type Definition = ["s", number, string[]] | ["t", number, unknown];

export class CompactEncoder {
  private readonly shapes = new Map<string, number>();
  private readonly refs = new Map<object, number>();
  private readonly strings = new Map<string, number>();
  private readonly seenOnce = new Set<string>();
  private nextId = 1;
  private pending: Definition[] = [];

  /**
   * Encodes one kind's projections as lines (definitions before first use). Throws
   * CompactError for a value it cannot round-trip (null, NaN, a class instance).
   */
  *encodeKind(kind: ProjectedKind, items: readonly Projection[]): Generator<string> {
    for (let i = 0; i < items.length; i += BATCH) {
      const batch: unknown[] = [];
      for (const item of items.slice(i, i + BATCH)) batch.push(this.value(item));
      yield* this.definitions();
      yield JSON.stringify(["o", kind, batch] satisfies Line);
    }
  }

  /** The pending definitions as lines: table values with consecutive ids share one. */
  private *definitions(): Generator<string> {
    let first = 0;
    let values: unknown[] = [];
    const flush = function* (): Generator<string> {
      if (values.length > 0) yield JSON.stringify(["t", first, values] satisfies Line);
      values = [];
    };
    for (const def of this.pending) {
      if (def[0] === "s") {
        yield* flush();
        yield JSON.stringify(def satisfies Line);
        continue;
      }
      if (values.length === 0 || def[1] !== first + values.length || values.length >= TABLE_BATCH) {
        yield* flush();
        first = def[1];
      }
      values.push(def[2]);
    }
    yield* flush();
    this.pending = [];
  }

  private value(v: unknown): unknown {
    if (v === undefined) return null;
    switch (typeof v) {
      case "string":
        return this.string(v);
      case "boolean":
        return v;
      case "number":
        if (!Number.isFinite(v)) throw new CompactError(`non-finite number ${v}`);
        // -0 comes back as 0, as it does from JSON.
        return Number.isInteger(v) && v >= 0 && v < Number.MAX_SAFE_INTEGER ? -(v + 1) : ["n", v];
      case "object":
        break;
      default:
        throw new CompactError(`cannot encode a ${typeof v}`);
    }
    if (v === null) throw new CompactError("null in a projection");
    if (isCompiledSelector(v))
      return ["sel", this.value(v.equals), this.value(v.requirements), v.matchesAll, v.matchesNone];
    if (!Object.isFrozen(v)) return this.body(v);
    let id = this.refs.get(v);
    if (id === undefined) {
      const body = this.body(v);
      id = this.nextId++;
      this.refs.set(v, id);
      this.pending.push(["t", id, body]);
    }
    return id;
  }

  /**
   * A short string seen before goes to the table, so decoding shares one copy (namespaces,
   * node names, condition types and reasons repeat on every pod), as the Interner did.
   */
  private string(v: string): unknown {
    if (v.length > MAX_SHARED_STRING) return v;
    let id = this.strings.get(v);
    if (id !== undefined) return id;
    if (!this.seenOnce.has(v)) {
      this.seenOnce.add(v);
      return v;
    }
    id = this.nextId++;
    this.strings.set(v, id);
    this.pending.push(["t", id, v]);
    return id;
  }

  private body(v: object): unknown[] {
    if (Array.isArray(v)) {
      const out: unknown[] = [0];
      for (const x of v as unknown[]) out.push(this.value(x));
      return out;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) throw new CompactError("not a plain object");
    const keys = Object.keys(v);
    const signature = keys.join("\0");
    let id = this.shapes.get(signature);
    if (id === undefined) {
      if (keys.includes("__proto__")) throw new CompactError("__proto__ key");
      id = this.shapes.size + 1;
      this.shapes.set(signature, id);
      this.pending.push(["s", id, keys]);
    }
    const out: unknown[] = [id];
    for (const k of keys) out.push(this.value((v as Record<string, unknown>)[k]));
    return out;
  }
}

/** Objects of a shape seen this often get a compiled factory: one hidden class, fields in-object. */
const FACTORY_AFTER = 16;

type Decode = (v: unknown) => unknown;

interface Shape {
  keys: string[];
  uses: number;
  /** Builds the object as one literal from the encoded array: one hidden class, no keyed stores. */
  build?: (value: Decode, a: unknown[]) => Record<string, unknown>;
}

export class CompactDecoder {
  private readonly shapes: Shape[] = [];
  private readonly table: unknown[] = [];
  /**
   * One closure (not a method through a bound arrow) because it runs 20 million times at
   * 150,000 pods; the common cases (a reference, a string, an unboxed integer) come first.
   */
  private readonly value: Decode;

  constructor(private readonly sink: (kind: ProjectedKind, item: Projection) => void) {
    const table = this.table;
    const shapes = this.shapes;
    const value: Decode = (v) => {
      if (typeof v === "number") {
        if (v < 0) return -v - 1;
        const hit = table[v];
        if (hit === undefined) throw new CompactError(`reference ${v} before its definition`);
        return hit;
      }
      if (v === null) return undefined;
      if (typeof v !== "object") return v;
      const a = v as unknown[];
      const tag = a[0];
      if (typeof tag === "number" && tag > 0) {
        const shape = shapes[tag];
        if (!shape || shape.keys.length !== a.length - 1) throw new CompactError(`bad shape ${tag}`);
        if (shape.build) return shape.build(value, a);
        const keys = shape.keys;
        if (++shape.uses >= FACTORY_AFTER) {
          // Keys come from our own projections' field names or label keys; JSON.stringify quotes them.
          shape.build = new Function(
            "value",
            "a",
            `return {${keys.map((k, i) => `${JSON.stringify(k)}: value(a[${i + 1}])`).join(", ")}};`,
          ) as Shape["build"];
        }
        const o: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) o[keys[i]!] = value(a[i + 1]);
        return o;
      }
      if (tag === 0) {
        const out = new Array<unknown>(a.length - 1);
        for (let i = 1; i < a.length; i++) out[i - 1] = value(a[i]);
        return out;
      }
      if (tag === "n") {
        if (typeof a[1] !== "number") throw new CompactError("boxed number without a number");
        return a[1];
      }
      if (tag === "sel") {
        const [, equals, requirements, all, none] = a;
        return selectorFromParts(
          value(equals) as string[],
          value(requirements) as Requirement[],
          all === true,
          none === true,
        );
      }
      throw new CompactError("encoded value without a tag");
    };
    this.value = value;
  }

  /** Decodes one parsed line; throws CompactError on anything malformed. */
  line(parsed: unknown): void {
    if (!Array.isArray(parsed) || parsed.length !== 3) throw new CompactError("not an encoded line");
    const [tag, a, b] = parsed as [unknown, unknown, unknown];
    if (tag === "s" && typeof a === "number" && Array.isArray(b) && b.every((k) => typeof k === "string")) {
      if (b.includes("__proto__")) throw new CompactError("__proto__ key");
      this.shapes[a] = { keys: b as string[], uses: 0 };
    } else if (tag === "t" && typeof a === "number" && a >= 1 && Array.isArray(b)) {
      const table = this.table;
      for (let i = 0; i < b.length; i++) {
        const v: unknown = b[i];
        table[a + i] = typeof v === "string" ? v : Object.freeze(this.value(v));
      }
    } else if (tag === "o" && typeof a === "string" && isProjectedKind(a) && Array.isArray(b)) {
      const value = this.value;
      for (const item of b) this.sink(a, value(item) as Projection);
    } else throw new CompactError(`unknown line ${JSON.stringify(tag)}`);
  }
}

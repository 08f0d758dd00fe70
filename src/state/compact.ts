/**
 * A compact encoding of projections, stored in day2 snapshots beside the raw objects so a
 * later load can skip parsing and projecting the raw API objects (at 150,000 pods most of a
 * scan's time). Raw objects stay the source of truth: the encoded projections are used only
 * when they were written by the same projection code (a fingerprint of its source files),
 * else the loader projects the raw objects again.
 *
 * Encoding: each line is JSON (so the file stays NDJSON) holding a flat list of tokens, read
 * front to back; a value is one token, or a token followed by the values it announces:
 *   string, boolean                 as themselves
 *   undefined                       null (projections never hold null: the encoder checks)
 *   integer 0 <= v <= 2^53 - 2      -(v + 1), a bare negative number
 *   other token t >= 0              t % 4 says what it is, k = floor(t / 4):
 *     0  reference k (>= 1) to a table value: a frozen (interned) value or a repeated string
 *     1  object of shape k: its values follow in the shape's key order
 *     2  array of k items: the items follow
 *     3  k = 0: a number that is not such an integer follows as itself;
 *        k = 1: a label selector: equals, requirements, matchesAll, matchesNone follow
 * Lines: ["s", shapeId, keys]; ["t", firstId, count, tokens] defining table ids firstId ..
 * firstId + count - 1 in order (a value may refer to one defined before it on the line); and
 * ["o", kind, count, tokens] with count projections.
 * Why flat: nested JSON arrays (one per object, 4 million at 150,000 pods) were allocated by
 * JSON.parse only to be copied into the projections; a flat list is one array per line, and
 * decoding walks it with a cursor. References are bare numbers because they are by far the
 * most common value (about 40 per pod); counts, ports and quantities are bare too. Table
 * values go many to a line: one JSON.parse call per definition cost more than the parse itself.
 * Interned values (a ReplicaSet's shared container specs, probes, label sets) are frozen by
 * the Interner, so freezing marks exactly what is shared; each is stored once and decoded
 * once, and every decoded projection shares it again (unfrozen: see CompactDecoder.line).
 */
import type { ProjectedKind, Projection } from "./types.js";
import { isProjectedKind } from "./project/index.js";
import { PROJECTION_FINGERPRINT } from "./projection-fingerprint.js";
import type { Requirement } from "./selector.js";
import { isCompiledSelector, selectorFromParts } from "./selector.js";

/** Bumped when the encoding itself changes. */
export const COMPACT_ENCODING_VERSION = 4;

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
type Line =
  ["s", number, string[]] | ["t", number, number, unknown[]] | ["o", ProjectedKind, number, unknown[]];

/** A pending definition: a shape, or one table value (its tokens) with its id. */
type Definition = ["s", number, string[]] | ["t", number, unknown[]];

const REF = 0;
const OBJECT = 1;
const ARRAY = 2;
const SPECIAL = 3;
const BOXED_NUMBER = 0 * 4 + SPECIAL;
const SELECTOR = 1 * 4 + SPECIAL;
/** Tokens stay small integers (bitwise-safe): 500 million ids, shapes or items. */
const MAX_TOKEN = 2 ** 31 - 1;

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
      const batch = items.slice(i, i + BATCH);
      const tokens: unknown[] = [];
      for (const item of batch) this.value(item, tokens);
      yield* this.definitions();
      yield JSON.stringify(["o", kind, batch.length, tokens] satisfies Line);
    }
  }

  /** The pending definitions as lines: table values with consecutive ids share one. */
  private *definitions(): Generator<string> {
    let first = 0;
    let count = 0;
    let tokens: unknown[] = [];
    const flush = function* (): Generator<string> {
      if (count > 0) yield JSON.stringify(["t", first, count, tokens] satisfies Line);
      count = 0;
      tokens = [];
    };
    for (const def of this.pending) {
      if (def[0] === "s") {
        yield* flush();
        yield JSON.stringify(def satisfies Line);
        continue;
      }
      if (count === 0 || def[1] !== first + count || count >= TABLE_BATCH) {
        yield* flush();
        first = def[1];
      }
      for (const t of def[2]) tokens.push(t);
      count++;
    }
    yield* flush();
    this.pending = [];
  }

  private token(type: number, k: number): number {
    const t = k * 4 + type;
    if (t > MAX_TOKEN) throw new CompactError(`too many values to encode (${k})`);
    return t;
  }

  private value(v: unknown, out: unknown[]): void {
    if (v === undefined) {
      out.push(null);
      return;
    }
    switch (typeof v) {
      case "string":
        out.push(this.string(v));
        return;
      case "boolean":
        out.push(v);
        return;
      case "number":
        if (!Number.isFinite(v)) throw new CompactError(`non-finite number ${v}`);
        // -0 comes back as 0, as it does from JSON.
        if (Number.isInteger(v) && v >= 0 && v < Number.MAX_SAFE_INTEGER) out.push(-(v + 1));
        else out.push(BOXED_NUMBER, v);
        return;
      case "object":
        break;
      default:
        throw new CompactError(`cannot encode a ${typeof v}`);
    }
    if (v === null) throw new CompactError("null in a projection");
    if (isCompiledSelector(v)) {
      out.push(SELECTOR);
      this.value(v.equals, out);
      this.value(v.requirements, out);
      out.push(v.matchesAll, v.matchesNone);
      return;
    }
    if (!Object.isFrozen(v)) {
      this.body(v, out);
      return;
    }
    let id = this.refs.get(v);
    if (id === undefined) {
      const body: unknown[] = [];
      this.body(v, body);
      id = this.nextId++;
      this.refs.set(v, id);
      this.pending.push(["t", id, body]);
    }
    out.push(this.token(REF, id));
  }

  /**
   * A short string seen before goes to the table, so decoding shares one copy (namespaces,
   * node names, condition types and reasons repeat on every pod), as the Interner did.
   */
  private string(v: string): unknown {
    if (v.length > MAX_SHARED_STRING) return v;
    let id = this.strings.get(v);
    if (id !== undefined) return this.token(REF, id);
    if (!this.seenOnce.has(v)) {
      this.seenOnce.add(v);
      return v;
    }
    id = this.nextId++;
    this.strings.set(v, id);
    this.pending.push(["t", id, [v]]);
    return this.token(REF, id);
  }

  private body(v: object, out: unknown[]): void {
    if (Array.isArray(v)) {
      out.push(this.token(ARRAY, v.length));
      for (const x of v as unknown[]) this.value(x, out);
      return;
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
    out.push(this.token(OBJECT, id));
    for (const k of keys) this.value((v as Record<string, unknown>)[k], out);
  }
}

/** Objects of a shape seen this often get a compiled factory: one hidden class, fields in-object. */
const FACTORY_AFTER = 16;

type Read = () => unknown;

interface Shape {
  keys: string[];
  uses: number;
  /** Builds the object as one literal, reading its values in key order: one hidden class. */
  build?: (read: Read) => Record<string, unknown>;
}

const NO_TOKENS: readonly unknown[] = [];

export class CompactDecoder {
  private readonly shapes: Shape[] = [];
  private readonly table: unknown[] = [];
  /** Starts reading a line's tokens; read() then takes values from the front. */
  private readonly begin: (tokens: readonly unknown[]) => void;
  /** True when every token of the line has been read. */
  private readonly atEnd: () => boolean;
  /**
   * One closure over the line and its cursor (not a method) because it runs 20 million times
   * at 150,000 pods; the common tokens (a reference, an integer, a string) come first.
   */
  private readonly read: Read;

  constructor(private readonly sink: (kind: ProjectedKind, item: Projection) => void) {
    const table = this.table;
    const shapes = this.shapes;
    let a: readonly unknown[] = NO_TOKENS;
    let i = 0;
    const read: Read = () => {
      const t = a[i++];
      if (typeof t === "number") {
        if (t < 0) return -t - 1;
        if ((t | 0) !== t) throw new CompactError(`bad token ${t}`);
        const k = t >>> 2;
        switch (t & 3) {
          case REF: {
            const hit = table[k];
            if (hit === undefined) throw new CompactError(`reference ${k} before its definition`);
            return hit;
          }
          case OBJECT: {
            const shape = shapes[k];
            if (!shape) throw new CompactError(`shape ${k} before its definition`);
            if (shape.build) return shape.build(read);
            const keys = shape.keys;
            if (++shape.uses >= FACTORY_AFTER) {
              // Keys come from our own projections' field names or label keys; JSON.stringify
              // quotes them. Object literal values are evaluated in order, as the tokens come.
              shape.build = new Function(
                "read",
                `return {${keys.map((key) => `${JSON.stringify(key)}: read()`).join(", ")}};`,
              ) as Shape["build"];
            }
            const o: Record<string, unknown> = {};
            for (let j = 0; j < keys.length; j++) o[keys[j]!] = read();
            return o;
          }
          case ARRAY: {
            if (k > a.length - i) throw new CompactError(`array of ${k} items in a shorter line`);
            const out = new Array<unknown>(k);
            for (let j = 0; j < k; j++) out[j] = read();
            return out;
          }
          default: {
            if (k === 0) {
              const n = a[i++];
              if (typeof n !== "number") throw new CompactError("boxed number without a number");
              return n;
            }
            if (k !== 1) throw new CompactError(`bad token ${t}`);
            const equals = read();
            const requirements = read();
            const all = a[i++];
            const none = a[i++];
            if (!Array.isArray(equals) || !Array.isArray(requirements))
              throw new CompactError("bad selector");
            return selectorFromParts(
              equals as string[],
              requirements as Requirement[],
              all === true,
              none === true,
            );
          }
        }
      }
      if (t === null) return undefined;
      if (t === undefined) throw new CompactError("line ends inside a value");
      if (typeof t === "string" || typeof t === "boolean") return t;
      throw new CompactError("encoded value of an unknown type");
    };
    this.read = read;
    this.begin = (tokens) => {
      a = tokens;
      i = 0;
    };
    this.atEnd = () => i === a.length;
  }

  /** Decodes one parsed line; throws CompactError on anything malformed. */
  line(parsed: unknown): void {
    if (!Array.isArray(parsed)) throw new CompactError("not an encoded line");
    const [tag, a, b, tokens] = parsed as [unknown, unknown, unknown, unknown];
    if (parsed.length === 3 && tag === "s" && typeof a === "number" && Array.isArray(b)) {
      if (!b.every((k) => typeof k === "string")) throw new CompactError("shape keys must be strings");
      if (b.includes("__proto__")) throw new CompactError("__proto__ key");
      this.shapes[a] = { keys: b as string[], uses: 0 };
      return;
    }
    if (
      parsed.length !== 4 ||
      typeof b !== "number" ||
      !Number.isInteger(b) ||
      b < 0 ||
      !Array.isArray(tokens)
    )
      throw new CompactError(`unknown line ${JSON.stringify(tag)}`);
    const read = this.read;
    if (tag === "t" && typeof a === "number" && Number.isInteger(a) && a >= 1) {
      const table = this.table;
      this.begin(tokens);
      // Not frozen again: V8 iterates frozen arrays several times slower (for...of 4x, a
      // tenth of every rule's time at 150,000 pods), and a decoded state is never encoded
      // again (snapshots are saved from live clusters and the demo, whose interned values are).
      for (let j = 0; j < b; j++) table[a + j] = read();
    } else if (tag === "o" && typeof a === "string" && isProjectedKind(a)) {
      this.begin(tokens);
      for (let j = 0; j < b; j++) this.sink(a, read() as Projection);
    } else throw new CompactError(`unknown line ${JSON.stringify(tag)}`);
    if (!this.atEnd()) throw new CompactError("tokens left over at the end of the line");
  }
}

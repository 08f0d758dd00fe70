/**
 * Seeded randomness for the demo generator: a small fast PRNG (mulberry32) and string hashes.
 * Nothing here touches Math.random, so the same seed always yields the same cluster.
 */

/** Kubernetes' alphabet for generated name suffixes (no vowels, no look-alike digits). */
export const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const HEX = "0123456789abcdef";

/** The murmur3 finaliser: spreads every input bit over the whole 32-bit word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of `s`, started from `seed`, finalised with fmix32. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Hash of several parts; the separator keeps ("ab","c") and ("a","bc") apart. */
export function hashParts(seed: number, ...parts: readonly (string | number)[]): number {
  return hashString(parts.join("\u0001"), seed);
}

/** Combines two 32-bit values into one well-mixed 32-bit value. */
export function mix2(a: number, b: number): number {
  return fmix32((Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) + b) >>> 0);
}

/** A uniform number in [0, 1) from a 32-bit hash. */
export function unit(h: number): number {
  return (h >>> 0) / 4294967296;
}

function hex8(n: number): string {
  let s = "";
  for (let shift = 28; shift >= 0; shift -= 4) s += HEX[(n >>> shift) & 15];
  return s;
}

/** A version-4-shaped UUID derived from a key, so references can be rebuilt without storing them. */
export function uuidFromKey(seed: number, key: string): string {
  const a = hashString(key, seed);
  const b = hashString(key, a ^ 0x27d4eb2d);
  const c = hashString(key, b ^ 0x165667b1);
  const d = hashString(key, c ^ 0x61c88647);
  const bs = hex8(b);
  const cs = hex8(c);
  const variant = HEX[8 + (c & 3)] ?? "8";
  return `${hex8(a)}-${bs.slice(0, 4)}-4${bs.slice(5, 8)}-${variant}${cs.slice(1, 4)}-${cs.slice(4)}${hex8(d)}`;
}

/** `n` hex digits derived from a key (image digests, container ids, machine ids). */
export function hexFromKey(seed: number, key: string, n: number): string {
  let out = "";
  let h = hashString(key, seed);
  while (out.length < n) {
    out += hex8(h);
    h = mix2(h, out.length);
  }
  return out.slice(0, n);
}

/** mulberry32: 32 bits of state, period 2^32, fast and good enough for synthetic data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A uniform number in [min, max). */
  range(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const v = items[Math.floor(this.next() * items.length)];
    if (v === undefined) throw new Error("pick from an empty list");
    return v;
  }

  /** Picks by weight from [value, weight] pairs. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [v, w] of items) {
      r -= w;
      if (r < 0) return v;
    }
    const last = items[items.length - 1];
    if (!last) throw new Error("weighted pick from an empty list");
    return last[0];
  }

  /** `n` hex digits from the stream. */
  hex(n: number): string {
    let s = "";
    while (s.length < n) s += hex8(this.u32());
    return s.slice(0, n);
  }

  /** `n` characters of Kubernetes' generated-name alphabet. */
  suffix(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += NAME_ALPHABET[this.u32() % NAME_ALPHABET.length];
    return s;
  }
}

/** A name suffix derived from a key rather than a stream, for names that must be reproducible alone. */
export function suffixFromKey(seed: number, key: string, n: number): string {
  let h = hashString(key, seed);
  let s = "";
  for (let i = 0; i < n; i++) {
    s += NAME_ALPHABET[h % NAME_ALPHABET.length];
    h = mix2(h, i + 1);
  }
  return s;
}

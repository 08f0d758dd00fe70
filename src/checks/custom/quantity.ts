/**
 * Kubernetes' CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go) for the
 * custom-rule CEL environment: `quantity("100m")`, `isQuantity(s)`, comparisons, arithmetic
 * and conversions. Values are exact: `num x 10^-scale` with a bigint numerator, so
 * `quantity("1") == quantity("1000m")` and `quantity("1Ki").compareTo(quantity("1024"))`
 * hold without floating-point error.
 */

/** Decimal SI suffixes as powers of ten; binary SI suffixes as powers of two. */
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};

/** k8s.io/apimachinery's grammar: a signed decimal number, then a suffix or a decimal exponent. */
const GRAMMAR = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

export class Quantity {
  private constructor(
    /** The value is num x 10^-scale, scale >= 0. */
    readonly num: bigint,
    readonly scale: number,
    /** As written, for messages. */
    readonly text: string,
  ) {}

  /** Parses a quantity; throws with the reason when the text is not one. */
  static parse(text: string): Quantity {
    const m = GRAMMAR.exec(text);
    if (!m)
      throw new Error(
        `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(text)}`,
      );
    const [, sign, digits, suffix, exponent] = m;
    const [whole = "", frac = ""] = digits!.split(".");
    let num = BigInt((whole || "0") + frac);
    let scale = frac.length;
    if (suffix !== undefined && suffix in BINARY) num *= BINARY[suffix]!;
    else scale -= suffix !== undefined ? DECIMAL[suffix]! : exponent !== undefined ? Number(exponent) : 0;
    if (Math.abs(scale) > 1000) throw new Error(`quantity exponent out of range: ${JSON.stringify(text)}`);
    if (scale < 0) {
      num *= pow10(-scale);
      scale = 0;
    }
    return new Quantity(sign === "-" ? -num : num, scale, text);
  }

  static isQuantity(text: string): boolean {
    try {
      Quantity.parse(text);
      return true;
    } catch {
      return false;
    }
  }

  private static of(num: bigint, scale: number): Quantity {
    const q = new Quantity(num, scale, "");
    return new Quantity(num, scale, q.toString());
  }

  /** Both numerators at the larger scale. */
  private aligned(other: Quantity): [bigint, bigint, number] {
    const scale = Math.max(this.scale, other.scale);
    return [this.num * pow10(scale - this.scale), other.num * pow10(scale - other.scale), scale];
  }

  compareTo(other: Quantity): number {
    const [a, b] = this.aligned(other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Quantity): boolean {
    return this.compareTo(other) === 0;
  }

  add(other: Quantity | bigint): Quantity {
    const o = typeof other === "bigint" ? new Quantity(other, 0, "") : other;
    const [a, b, scale] = this.aligned(o);
    return Quantity.of(a + b, scale);
  }

  sub(other: Quantity | bigint): Quantity {
    const o = typeof other === "bigint" ? new Quantity(other, 0, "") : other;
    const [a, b, scale] = this.aligned(o);
    return Quantity.of(a - b, scale);
  }

  sign(): bigint {
    return this.num > 0n ? 1n : this.num < 0n ? -1n : 0n;
  }

  /** True when the value is a whole number that fits an int64 (Kubernetes' isInteger). */
  isInteger(): boolean {
    if (this.num % pow10(this.scale) !== 0n) return false;
    const v = this.num / pow10(this.scale);
    return v >= INT64_MIN && v <= INT64_MAX;
  }

  asInteger(): bigint {
    if (!this.isInteger())
      throw new Error(
        `cannot convert quantity ${this.toString()} to an integer: it is fractional or does not fit int64`,
      );
    return this.num / pow10(this.scale);
  }

  asApproximateFloat(): number {
    return Number(`${this.num}e-${this.scale}`);
  }

  toString(): string {
    if (this.text) return this.text;
    if (this.scale === 0) return String(this.num);
    const neg = this.num < 0n;
    const digits = (neg ? -this.num : this.num).toString().padStart(this.scale + 1, "0");
    const out = `${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}`.replace(/\.?0+$/, "");
    return neg ? `-${out}` : out;
  }
}

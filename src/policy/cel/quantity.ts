/**
 * Kubernetes resource quantities (`500m`, `1Gi`, `1e3`) as exact rationals, for the Kubernetes
 * CEL quantity library (`quantity()`, `isQuantity()`, comparisons and arithmetic).
 */

const QUANTITY_PATTERN =
  /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const MAX_QUANTITY_LENGTH = 64;
const MAX_EXPONENT = 60;

const BINARY: Record<string, bigint> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

export class Quantity {
  readonly numerator: bigint;
  readonly denominator: bigint;

  constructor(numerator: bigint, denominator = 1n) {
    const sign = denominator < 0n ? -1n : 1n;
    const divisor = gcd(numerator, denominator);
    this.numerator = (sign * numerator) / divisor;
    this.denominator = (sign * denominator) / divisor;
  }

  static parse(text: string): Quantity | undefined {
    if (text.length === 0 || text.length > MAX_QUANTITY_LENGTH) return undefined;
    const match = QUANTITY_PATTERN.exec(text);
    if (!match) return undefined;
    const [, sign = '', number = '', exponent, suffix] = match;
    const [whole = '', fraction = ''] = number.split('.');
    let numerator = BigInt((whole || '0') + fraction);
    let denominator = 10n ** BigInt(fraction.length);
    let power10 = 0;
    if (exponent !== undefined) power10 = Number(exponent.slice(1));
    else if (suffix !== undefined && suffix in DECIMAL) power10 = DECIMAL[suffix] ?? 0;
    if (Math.abs(power10) > MAX_EXPONENT) return undefined;
    if (power10 >= 0) numerator *= 10n ** BigInt(power10);
    else denominator *= 10n ** BigInt(-power10);
    if (suffix !== undefined && suffix in BINARY) numerator *= 1024n ** (BINARY[suffix] ?? 0n);
    return new Quantity(sign === '-' ? -numerator : numerator, denominator);
  }

  compareTo(other: Quantity): number {
    const left = this.numerator * other.denominator;
    const right = other.numerator * this.denominator;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  add(other: Quantity): Quantity {
    return new Quantity(
      this.numerator * other.denominator + other.numerator * this.denominator,
      this.denominator * other.denominator,
    );
  }

  negate(): Quantity {
    return new Quantity(-this.numerator, this.denominator);
  }

  sign(): number {
    return this.numerator < 0n ? -1 : this.numerator > 0n ? 1 : 0;
  }

  isInteger(): boolean {
    return this.denominator === 1n;
  }

  /** Rounds up like Kubernetes' `AsInt64` / `Value()` only when exact; undefined otherwise. */
  asInteger(): bigint | undefined {
    if (!this.isInteger()) return undefined;
    if (this.numerator > 9223372036854775807n || this.numerator < -9223372036854775808n) return undefined;
    return this.numerator;
  }

  asApproximateFloat(): number {
    return Number(this.numerator) / Number(this.denominator);
  }
}

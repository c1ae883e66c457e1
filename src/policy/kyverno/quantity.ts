/**
 * Kubernetes resource quantities (`512Mi`, `500m`, `1.5`, `2e3`), parsed exactly as rationals with
 * BigInt so comparisons never lose precision (k8s.io/apimachinery `resource.ParseQuantity` / `Cmp`).
 * Formatting follows the canonical form closely enough for Kyverno's arithmetic functions.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** value = num / den (den > 0). */
  num: bigint;
  den: bigint;
  format: QuantityFormat;
}

const DECIMAL_SUFFIX: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
/** Exponent magnitudes beyond this are refused (Kubernetes caps at roughly 1e18 too). */
const MAX_EXPONENT = 60;
const MAX_LENGTH = 128;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

function make(num: bigint, den: bigint, format: QuantityFormat): Quantity {
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g, format };
}

/** Parses a quantity string; undefined when it is not one. */
export function parseQuantity(input: string): Quantity | undefined {
  if (input.length === 0 || input.length > MAX_LENGTH) return undefined;
  let i = 0;
  let negative = false;
  if (input[i] === '+' || input[i] === '-') {
    negative = input[i] === '-';
    i++;
  }
  const startDigits = i;
  while (i < input.length && input[i]! >= '0' && input[i]! <= '9') i++;
  const intPart = input.slice(startDigits, i);
  let fracPart = '';
  if (input[i] === '.') {
    i++;
    const startFrac = i;
    while (i < input.length && input[i]! >= '0' && input[i]! <= '9') i++;
    fracPart = input.slice(startFrac, i);
  }
  if (intPart === '' && fracPart === '') return undefined;
  const suffix = input.slice(i);
  let num = BigInt((intPart || '0') + fracPart);
  let den = pow10(fracPart.length);
  if (negative) num = -num;
  let format: QuantityFormat = 'DecimalSI';
  if (suffix in BINARY_SUFFIX) {
    num *= 1n << BigInt(BINARY_SUFFIX[suffix]!);
    format = 'BinarySI';
  } else if (suffix in DECIMAL_SUFFIX) {
    const e = DECIMAL_SUFFIX[suffix]!;
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
  } else if (suffix[0] === 'e' || suffix[0] === 'E') {
    const exp = suffix.slice(1);
    if (!/^[+-]?\d{1,3}$/.test(exp)) return undefined;
    const e = Number(exp);
    if (Math.abs(e) > MAX_EXPONENT) return undefined;
    if (e >= 0) num *= pow10(e);
    else den *= pow10(-e);
    format = 'DecimalExponent';
  } else {
    return undefined;
  }
  return make(num, den, format);
}

export function compareQuantity(a: Quantity, b: Quantity): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function quantityToNumber(q: Quantity): number {
  return Number(q.num) / Number(q.den);
}

export function addQuantity(a: Quantity, b: Quantity, sign: 1 | -1 = 1): Quantity {
  return make(a.num * b.den + BigInt(sign) * b.num * a.den, a.den * b.den, a.format);
}

export function multiplyQuantity(a: Quantity, factor: Quantity): Quantity {
  return make(a.num * factor.num, a.den * factor.den, a.format);
}

/** a / b truncated to the larger of both decimal scales (Kyverno's `divide` on quantity / scalar). */
export function divideQuantity(a: Quantity, b: Quantity): Quantity | undefined {
  if (b.num === 0n) return undefined;
  const scale = Math.max(decimalScale(a), decimalScale(b));
  const n = a.num * b.den * pow10(scale);
  const d = a.den * b.num;
  return make(n / d, pow10(scale), a.format);
}

/** Decimal fraction digits needed to write q exactly (9 when it has no finite decimal form). */
function decimalScale(q: Quantity): number {
  let den = q.den;
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) {
    den /= 2n;
    twos++;
  }
  while (den % 5n === 0n) {
    den /= 5n;
    fives++;
  }
  return den === 1n ? Math.max(twos, fives) : 9;
}

/** Canonical string form (`1536Mi`, `1500m`, `2k`, `1e3`). */
export function formatQuantity(q: Quantity): string {
  if (q.num === 0n) return '0';
  if (q.format === 'BinarySI' && q.den === 1n) {
    const negative = q.num < 0n;
    let v = negative ? -q.num : q.num;
    if (v >= 1024n) {
      let exp = 0;
      while (v % 1024n === 0n && exp < 60) {
        v /= 1024n;
        exp += 10;
      }
      const suffix = Object.keys(BINARY_SUFFIX).find((k) => BINARY_SUFFIX[k] === exp);
      if (exp > 0 && suffix) return `${negative ? '-' : ''}${v}${suffix}`;
    } else {
      return `${negative ? '-' : ''}${v}`;
    }
  }
  // Decimal: mantissa * 10^exp with exp a multiple of 3, rounded up to the nano scale like Kubernetes.
  let scaled = q.num * pow10(9);
  const rem = scaled % q.den;
  scaled = scaled / q.den;
  if (rem !== 0n) scaled += q.num > 0n ? 1n : 0n;
  let exp = -9;
  const negative = scaled < 0n;
  let m = negative ? -scaled : scaled;
  while (m % 1000n === 0n && m !== 0n && exp < 18) {
    m /= 1000n;
    exp += 3;
  }
  const sign = negative ? '-' : '';
  if (q.format === 'DecimalExponent') return exp === 0 ? `${sign}${m}` : `${sign}${m}e${exp}`;
  const suffix = Object.keys(DECIMAL_SUFFIX).find((k) => DECIMAL_SUFFIX[k] === exp) ?? '';
  return `${sign}${m}${suffix}`;
}

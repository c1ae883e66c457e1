/** Go `time.ParseDuration` / `Duration.String()` in nanoseconds (BigInt, exact). */

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n,
  '\u03bcs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_NS = 9_223_372_036_854_775_807n;

/** Nanoseconds, or undefined when `input` is not a Go duration. */
export function parseDuration(input: string): bigint | undefined {
  if (input.length === 0 || input.length > 128) return undefined;
  let s = input;
  let negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s.length > 0) {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(s);
    if (!m) return undefined;
    const [whole, intPart = '', fracPart = '', unit = ''] = m;
    if (intPart === '' && fracPart === '') return undefined;
    const scale = UNIT_NS[unit];
    if (scale === undefined) return undefined;
    let value = BigInt(intPart || '0') * scale;
    if (fracPart) value += (BigInt(fracPart) * scale) / 10n ** BigInt(fracPart.length);
    total += value;
    if (total > MAX_NS) return undefined;
    s = s.slice(whole.length);
  }
  return negative ? -total : total;
}

function fmtFrac(v: bigint, prec: number): { text: string; rest: bigint } {
  let digits = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) digits = digit.toString() + digits;
    v /= 10n;
  }
  return { text: print ? '.' + digits : '', rest: v };
}

/** Go's `Duration.String()`: `1h0m0s`, `1.5s`, `500ms`, `0s`. */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const negative = ns < 0n;
  let u = negative ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    let unit: string;
    let prec: number;
    if (u < 1_000n) {
      return `${negative ? '-' : ''}${u}ns`;
    } else if (u < 1_000_000n) {
      unit = '\u00b5s';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    const f = fmtFrac(u, prec);
    out = `${f.rest}${f.text}${unit}`;
  } else {
    const f = fmtFrac(u, 9);
    u = f.rest;
    out = `${u % 60n}${f.text}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m` + out;
      u /= 60n;
      if (u > 0n) out = `${u}h` + out;
    }
  }
  return (negative ? '-' : '') + out;
}

export const NS_PER_SECOND = 1_000_000_000n;

export function durationSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

/**
 * Minimal Go `time` semantics for Kyverno's `time_*` JMESPath functions: RFC 3339 parsing and
 * formatting with the original UTC offset, Go reference-layout parsing (`2006-01-02 15:04:05`,
 * `Jan _2`, `Z07:00` …) and nanosecond arithmetic with BigInt.
 */

export interface GoTime {
  /** Nanoseconds since the Unix epoch. */
  ns: bigint;
  /** Offset east of UTC in seconds (kept for formatting). */
  offset: number;
}

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function fromParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  min: number,
  sec: number,
  fracNs: bigint,
  offset: number,
): GoTime | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, min, sec);
  if (!Number.isFinite(ms)) return undefined;
  const check = new Date(ms);
  if (check.getUTCDate() !== day) return undefined;
  return { ns: BigInt(ms) * NS_PER_MS + fracNs - BigInt(offset) * NS_PER_S, offset };
}

function fracToNs(frac: string): bigint {
  if (!frac) return 0n;
  const digits = frac.replace(/^[.,]/, '').slice(0, 9).padEnd(9, '0');
  return BigInt(digits);
}

/** RFC 3339 (fractional seconds allowed, like Go's parser). */
export function parseRFC3339(s: string): GoTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const zone = m[8]!;
  let offset = 0;
  if (zone !== 'Z' && zone !== 'z') {
    offset = (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60) * (zone[0] === '-' ? -1 : 1);
  }
  return fromParts(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, fracToNs(m[7] ?? ''), offset);
}

function pad(n: number, w: number): string {
  return String(Math.abs(n)).padStart(w, '0');
}

function civil(t: GoTime): { d: Date; frac: bigint } {
  const local = t.ns + BigInt(t.offset) * NS_PER_S;
  let ms = local / NS_PER_MS;
  let frac = local % NS_PER_S;
  if (frac < 0n) {
    frac += NS_PER_S;
  }
  if (local < 0n && local % NS_PER_MS !== 0n) ms -= 1n;
  return { d: new Date(Number(ms)), frac };
}

/** Go `time.Format(time.RFC3339)` (no fractional seconds; `Z` for UTC). */
export function formatRFC3339(t: GoTime): string {
  const { d } = civil(t);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  let zone = 'Z';
  if (t.offset !== 0) {
    const a = Math.abs(t.offset);
    zone = `${t.offset < 0 ? '-' : '+'}${pad(Math.floor(a / 3600), 2)}:${pad(Math.floor((a % 3600) / 60), 2)}`;
  }
  return `${date}T${time}${zone}`;
}

export function nowTime(): GoTime {
  return { ns: BigInt(Date.now()) * NS_PER_MS, offset: 0 };
}

export function toUTC(t: GoTime): GoTime {
  return { ns: t.ns, offset: 0 };
}

/** Cron fields `minute hour day month weekday` of t in UTC. */
export function toCron(t: GoTime): string {
  const { d } = civil(toUTC(t));
  return `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} ${d.getUTCDay()}`;
}

/** Round down to a multiple of `step` ns since the zero time (Go's Truncate, UTC-aligned). */
export function truncateTime(t: GoTime, step: bigint): GoTime {
  if (step <= 0n) return t;
  // Go measures from year 1; 62135596800 s separate year 1 from the Unix epoch.
  const sinceZero = t.ns + 62_135_596_800n * NS_PER_S;
  let r = sinceZero % step;
  if (r < 0n) r += step;
  return { ns: t.ns - r, offset: t.offset };
}

interface Token {
  re: string;
  apply?: (v: string, acc: Acc) => boolean;
}

interface Acc {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  frac: bigint;
  pm?: boolean;
  offset: number;
}

const num = (field: keyof Acc) => (v: string, acc: Acc) => {
  (acc as unknown as Record<string, number>)[field] = Number(v.trim());
  return true;
};

const LAYOUT_TOKENS: [string, Token][] = [
  ['January', { re: `(${MONTHS.join('|')})`, apply: (v, a) => ((a.month = MONTHS.indexOf(v) + 1), true) }],
  ['Monday', { re: `(?:${DAYS.join('|')})` }],
  [
    'Jan',
    {
      re: `(${MONTHS.map((m) => m.slice(0, 3)).join('|')})`,
      apply: (v, a) => ((a.month = MONTHS.findIndex((m) => m.startsWith(v)) + 1), true),
    },
  ],
  ['Mon', { re: `(?:${DAYS.map((d) => d.slice(0, 3)).join('|')})` }],
  ['2006', { re: '(\\d{4})', apply: num('year') }],
  ['Z07:00', { re: '(Z|[+-]\\d{2}:\\d{2})', apply: (v, a) => setOffset(v, a) }],
  ['Z0700', { re: '(Z|[+-]\\d{4})', apply: (v, a) => setOffset(v, a) }],
  ['Z07', { re: '(Z|[+-]\\d{2})', apply: (v, a) => setOffset(v, a) }],
  ['-07:00', { re: '([+-]\\d{2}:\\d{2})', apply: (v, a) => setOffset(v, a) }],
  ['-0700', { re: '([+-]\\d{4})', apply: (v, a) => setOffset(v, a) }],
  ['-07', { re: '([+-]\\d{2})', apply: (v, a) => setOffset(v, a) }],
  ['MST', { re: '(UTC|GMT|[A-Z]{3,4})', apply: () => true }],
  ['.000000000', { re: '(\\.\\d{9})', apply: (v, a) => ((a.frac = fracToNs(v)), true) }],
  ['.999999999', { re: '(\\.\\d{1,9})?', apply: (v, a) => ((a.frac = fracToNs(v)), true) }],
  ['.000000', { re: '(\\.\\d{6})', apply: (v, a) => ((a.frac = fracToNs(v)), true) }],
  ['.999999', { re: '(\\.\\d{1,9})?', apply: (v, a) => ((a.frac = fracToNs(v)), true) }],
  ['.000', { re: '(\\.\\d{3})', apply: (v, a) => ((a.frac = fracToNs(v)), true) }],
  ['.999', { re: '(\\.\\d{1,9})?', apply: (v, a) => ((a.frac = fracToNs(v)), true) }],
  ['PM', { re: '(AM|PM)', apply: (v, a) => ((a.pm = v === 'PM'), true) }],
  ['pm', { re: '(am|pm)', apply: (v, a) => ((a.pm = v === 'pm'), true) }],
  ['15', { re: '(\\d{2})', apply: num('hour') }],
  ['01', { re: '(\\d{2})', apply: num('month') }],
  ['02', { re: '(\\d{2})', apply: num('day') }],
  ['_2', { re: '( ?\\d{1,2})', apply: num('day') }],
  ['03', { re: '(\\d{2})', apply: num('hour') }],
  ['04', { re: '(\\d{2})', apply: num('min') }],
  ['05', { re: '(\\d{2})', apply: num('sec') }],
  [
    '06',
    { re: '(\\d{2})', apply: (v, a) => ((a.year = 2000 + Number(v) - (Number(v) >= 69 ? 100 : 0)), true) },
  ],
  ['1', { re: '(\\d{1,2})', apply: num('month') }],
  ['2', { re: '(\\d{1,2})', apply: num('day') }],
  ['3', { re: '(\\d{1,2})', apply: num('hour') }],
  ['4', { re: '(\\d{1,2})', apply: num('min') }],
  ['5', { re: '(\\d{1,2})', apply: num('sec') }],
];

function setOffset(v: string, a: Acc): boolean {
  if (v === 'Z') {
    a.offset = 0;
    return true;
  }
  const digits = v.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length >= 4 ? Number(digits.slice(2, 4)) : 0;
  a.offset = (h * 3600 + m * 60) * (v[0] === '-' ? -1 : 1);
  return true;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Go `time.Parse(layout, value)`; an empty layout means RFC 3339. */
export function parseWithLayout(layout: string, value: string): GoTime | undefined {
  if (layout === '' || layout === '2006-01-02T15:04:05Z07:00') return parseRFC3339(value);
  if (layout.length > 200 || value.length > 200) return undefined;
  let re = '^';
  const appliers: ((v: string, a: Acc) => boolean)[] = [];
  let i = 0;
  outer: while (i < layout.length) {
    for (const [tok, spec] of LAYOUT_TOKENS) {
      if (layout.startsWith(tok, i)) {
        re += spec.re;
        if (spec.apply) appliers.push(spec.apply);
        i += tok.length;
        continue outer;
      }
    }
    re += escapeRe(layout[i]!);
    i++;
  }
  const m = new RegExp(re + '$').exec(value);
  if (!m) return undefined;
  const acc: Acc = { year: 0, month: 1, day: 1, hour: 0, min: 0, sec: 0, frac: 0n, offset: 0 };
  for (let g = 0; g < appliers.length; g++) {
    const v = m[g + 1];
    if (v === undefined) continue;
    if (!appliers[g]!(v, acc)) return undefined;
  }
  if (acc.pm !== undefined) {
    if (acc.hour > 12) return undefined;
    if (acc.pm && acc.hour < 12) acc.hour += 12;
    if (!acc.pm && acc.hour === 12) acc.hour = 0;
  }
  return fromParts(acc.year, acc.month, acc.day, acc.hour, acc.min, acc.sec, acc.frac, acc.offset);
}

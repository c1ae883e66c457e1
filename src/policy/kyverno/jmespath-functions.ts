/**
 * Kyverno's custom JMESPath functions (pkg/engine/jmespath/functions.go), registered once on the
 * shared @jmespath-community/jmespath runtime. Where Kyverno replaces a community built-in
 * (`split`, `replace`, `items`, `sum`, `trim`) the Kyverno signature wins, as in Kyverno.
 */
import { createHash, randomInt } from 'node:crypto';
import {
  registerFunction,
  TYPE_ANY,
  TYPE_ARRAY,
  TYPE_NUMBER,
  TYPE_OBJECT,
  TYPE_STRING,
  type InputSignature,
  type JSONValue,
} from '@jmespath-community/jmespath';
import { parse as parseYamlText } from 'yaml';
import semver from 'semver';
import {
  addQuantity,
  divideQuantity,
  formatQuantity,
  multiplyQuantity,
  parseQuantity,
  quantityToNumber,
  type Quantity,
} from './quantity.js';
import { formatDuration, parseDuration } from './duration.js';
import { goRegexMatch, goRegexReplaceAll } from './goregex.js';
import { wildcardMatch } from './wildcard.js';
import {
  formatRFC3339,
  nowTime,
  parseRFC3339,
  parseWithLayout,
  toCron,
  toUTC,
  truncateTime,
  type GoTime,
} from './gotime.js';
import { normalizeImage } from './images.js';

const S = (...types: number[]): InputSignature => ({ types });
const MAX_TEXT = 1 << 20;

function fail(fn: string, msg: string): never {
  throw new Error(`JMESPath function '${fn}': ${msg}`);
}

function str(fn: string, v: unknown, i: number): string {
  if (typeof v !== 'string') fail(fn, `argument #${i + 1} is not of type String`);
  return v;
}

function numArg(fn: string, v: unknown, i: number): number {
  if (typeof v !== 'number') fail(fn, `argument #${i + 1} is not of type Number`);
  return v;
}

/** ifaceToString: numbers use Go's %g-like shortest form (32-bit precision in Kyverno; kept simple). */
function ifaceToString(fn: string, v: unknown, i: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return fail(fn, `argument #${i + 1} is not of type String or Real`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------- arithmetic (quantity / duration / scalar)

type Operand =
  { kind: 'scalar'; v: number } | { kind: 'quantity'; q: Quantity } | { kind: 'duration'; d: bigint };

function operand(fn: string, v: unknown): Operand {
  if (typeof v === 'number') return { kind: 'scalar', v };
  if (typeof v === 'string') {
    const q = parseQuantity(v);
    if (q) return { kind: 'quantity', q };
    const d = parseDuration(v);
    if (d !== undefined) return { kind: 'duration', d };
  }
  return fail(fn, 'invalid operands');
}

function scalarQuantity(v: number): Quantity {
  const q = parseQuantity(String(v));
  if (!q) throw new Error(`cannot convert ${v} to a quantity`);
  return q;
}

function add(fn: string, a: unknown, b: unknown, sign: 1 | -1): JSONValue {
  const x = operand(fn, a);
  const y = operand(fn, b);
  if (x.kind === 'scalar' && y.kind === 'scalar') return x.v + sign * y.v;
  if (x.kind === 'quantity' && y.kind === 'quantity') return formatQuantity(addQuantity(x.q, y.q, sign));
  if (x.kind === 'duration' && y.kind === 'duration') return formatDuration(x.d + BigInt(sign) * y.d);
  return fail(fn, 'types mismatch');
}

function durationTimesScalar(d: bigint, f: number): string {
  return formatDuration(BigInt(Math.trunc((Number(d) / 1e9) * f * 1e9)));
}

function multiply(a: unknown, b: unknown): JSONValue {
  const fn = 'multiply';
  let x = operand(fn, a);
  let y = operand(fn, b);
  if (x.kind === 'scalar' && y.kind !== 'scalar') [x, y] = [y, x];
  if (y.kind !== 'scalar') return fail(fn, 'types mismatch');
  if (x.kind === 'scalar') return x.v * y.v;
  if (x.kind === 'quantity') return formatQuantity(multiplyQuantity(x.q, scalarQuantity(y.v)));
  return durationTimesScalar(x.d, y.v);
}

function divide(a: unknown, b: unknown): JSONValue {
  const fn = 'divide';
  const x = operand(fn, a);
  const y = operand(fn, b);
  const zero = () => fail(fn, 'Zero divisor passed');
  if (x.kind === 'scalar') {
    if (y.kind !== 'scalar') return fail(fn, 'types mismatch');
    if (y.v === 0) zero();
    return x.v / y.v;
  }
  if (x.kind === 'quantity') {
    if (y.kind === 'quantity') {
      const d = quantityToNumber(y.q);
      if (d === 0) zero();
      return quantityToNumber(x.q) / d;
    }
    if (y.kind === 'scalar') {
      if (y.v === 0) zero();
      const r = divideQuantity(x.q, scalarQuantity(y.v));
      return r ? formatQuantity(r) : zero();
    }
    return fail(fn, 'types mismatch');
  }
  if (y.kind === 'duration') {
    if (y.d === 0n) zero();
    return Number(x.d) / Number(y.d);
  }
  if (y.kind === 'scalar') {
    if (y.v === 0) zero();
    return durationTimesScalar(x.d, 1 / y.v);
  }
  return fail(fn, 'types mismatch');
}

function modulo(a: unknown, b: unknown): JSONValue {
  const fn = 'modulo';
  const x = operand(fn, a);
  const y = operand(fn, b);
  if (x.kind === 'scalar' && y.kind === 'scalar') {
    if (!Number.isInteger(x.v) || !Number.isInteger(y.v))
      fail(fn, 'Non-integer argument(s) passed for modulo');
    if (y.v === 0) fail(fn, 'Zero divisor passed');
    return x.v % y.v;
  }
  if (x.kind === 'quantity' && y.kind === 'quantity') {
    const l = quantityToNumber(x.q);
    const r = quantityToNumber(y.q);
    if (!Number.isInteger(l) || !Number.isInteger(r)) fail(fn, 'Non-integer argument(s) passed for modulo');
    if (r === 0) fail(fn, 'Zero divisor passed');
    const q = parseQuantity(String(l % r));
    return q ? formatQuantity({ ...q, format: x.q.format }) : String(l % r);
  }
  if (x.kind === 'duration' && y.kind === 'duration') {
    if (y.d === 0n) fail(fn, 'Zero divisor passed');
    return formatDuration(x.d % y.d);
  }
  return fail(fn, 'types mismatch');
}

function sum(items: unknown): JSONValue {
  if (!Array.isArray(items)) return fail('sum', 'types mismatch');
  if (items.length === 0) return fail('sum', 'at least one element in the array is required');
  let acc = items[0] as JSONValue;
  for (const item of items.slice(1)) acc = add('sum', acc, item, 1);
  return acc;
}

// ---------------------------------------------------------------- strings

function goSplit(s: string, sep: string): string[] {
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

function goReplace(s: string, oldS: string, newS: string, n: number): string {
  if (n === 0 || oldS === newS) return s;
  if (oldS === '') {
    const chars = Array.from(s);
    let out = '';
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || done < n) {
        out += newS;
        done++;
      }
      if (i < chars.length) out += chars[i];
    }
    return out;
  }
  let out = '';
  let rest = s;
  let done = 0;
  while (n < 0 || done < n) {
    const at = rest.indexOf(oldS);
    if (at < 0) break;
    out += rest.slice(0, at) + newS;
    rest = rest.slice(at + oldS.length);
    done++;
  }
  return out + rest;
}

function goTrim(s: string, cutset: string): string {
  const set = new Set(Array.from(cutset));
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && set.has(chars[a]!)) a++;
  while (b > a && set.has(chars[b - 1]!)) b--;
  return chars.slice(a, b).join('');
}

/** Go `path.Clean` (filepath.Join of a single element on Unix). */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return rooted ? '/' + joined : joined || '.';
}

// ---------------------------------------------------------------- semver (blang/semver ranges)

/** blang wildcard versions (`1.x`, `>=1.2.x`) expanded to plain comparisons. */
function expandWildcard(op: string, ver: string): [string, string][] | undefined {
  const parts = ver.split('.');
  const wild = (p: string | undefined) => p === undefined || p === 'x' || p === 'X' || p === '*';
  if (!parts.some((p) => wild(p)) || parts.length > 3) return undefined;
  const [maj, min, pat] = [parts[0], parts[1], parts[2]];
  if (wild(maj)) return op === '<' || op === '>' || op === '!=' ? [['<', '0.0.0']] : [['>=', '0.0.0']];
  const major = Number(maj);
  if (wild(min)) {
    const lo = `${major}.0.0`;
    const hi = `${major + 1}.0.0`;
    return expandBounds(op, lo, hi);
  }
  if (wild(pat)) {
    const minor = Number(min);
    return expandBounds(op, `${major}.${minor}.0`, `${major}.${minor + 1}.0`);
  }
  return undefined;
}

function expandBounds(op: string, lo: string, hi: string): [string, string][] | undefined {
  switch (op) {
    case '>=':
      return [['>=', lo]];
    case '>':
      return [['>=', hi]];
    case '<':
      return [['<', lo]];
    case '<=':
      return [['<', hi]];
    case '=':
    case '==':
      return [
        ['>=', lo],
        ['<', hi],
      ];
    default:
      return undefined;
  }
}

function compareOp(v: semver.SemVer, op: string, target: string, range: string): boolean {
  const t = semver.parse(target);
  if (!t) throw new Error(`Could not parse Range "${range}": invalid version ${target}`);
  const c = semver.compare(v, t);
  return op === '>'
    ? c > 0
    : op === '>='
      ? c >= 0
      : op === '<'
        ? c < 0
        : op === '<='
          ? c <= 0
          : op === '!='
            ? c !== 0
            : c === 0;
}

function blangRangeMatches(version: string, range: string): boolean {
  const v = semver.parse(version) ?? new semver.SemVer('0.0.0');
  for (const alt of range.split('||').map((s) => s.trim())) {
    const parts = alt.split(/\s+/).filter(Boolean);
    if (parts.length === 0) throw new Error(`Could not parse Range "${range}"`);
    let all = true;
    for (const part of parts) {
      const m = /^(>=|<=|!=|==|=|>|<)?(.+)$/.exec(part);
      if (!m) throw new Error(`Could not parse Range "${range}"`);
      const op = m[1] ?? '=';
      const checks = expandWildcard(op, m[2]!) ?? [[op, m[2]!]];
      if (!checks.every(([o, t]) => compareOp(v, o, t, range))) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

// ---------------------------------------------------------------- random (tiny regex generator)

function randomFromPattern(pattern: string): string {
  if (pattern === '') throw new Error('no pattern provided');
  let out = '';
  let i = 0;
  const expandClass = (body: string): string[] => {
    const chars: string[] = [];
    for (let j = 0; j < body.length; j++) {
      if (body[j + 1] === '-' && j + 2 < body.length) {
        const from = body.charCodeAt(j);
        const to = body.charCodeAt(j + 2);
        for (let c = from; c <= to && chars.length < 4096; c++) chars.push(String.fromCharCode(c));
        j += 2;
      } else chars.push(body[j]!);
    }
    return chars;
  };
  while (i < pattern.length) {
    let pool: string[];
    if (pattern[i] === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new Error('unsupported random pattern');
      pool = expandClass(pattern.slice(i + 1, end));
      i = end + 1;
    } else if (pattern[i] === '\\' && pattern[i + 1] === 'd') {
      pool = expandClass('0-9');
      i += 2;
    } else if (/[a-zA-Z0-9_-]/.test(pattern[i]!)) {
      pool = [pattern[i]!];
      i++;
    } else {
      throw new Error('unsupported random pattern');
    }
    let count = 1;
    const q = /^\{(\d+)(?:,(\d+))?\}/.exec(pattern.slice(i));
    if (q) {
      const lo = Number(q[1]);
      const hi = q[2] !== undefined ? Number(q[2]) : lo;
      if (hi > 1024 || hi < lo) throw new Error('unsupported random pattern');
      count = lo + (hi > lo ? randomInt(hi - lo + 1) : 0);
      i += q[0].length;
    }
    if (pool.length === 0) throw new Error('unsupported random pattern');
    for (let k = 0; k < count; k++) out += pool[randomInt(pool.length)];
  }
  return out;
}

// ---------------------------------------------------------------- time

function timeArg(fn: string, v: unknown, i: number): GoTime {
  const t = parseRFC3339(str(fn, v, i));
  if (!t) fail(fn, `parsing time ${JSON.stringify(v)} as RFC3339 failed`);
  return t;
}

function durationArg(fn: string, v: unknown, i: number): bigint {
  const d = parseDuration(str(fn, v, i));
  if (d === undefined) fail(fn, `invalid duration ${JSON.stringify(v)}`);
  return d;
}

// ---------------------------------------------------------------- registration

let registered = false;

/** Registers the Kyverno functions on the shared JMESPath runtime (idempotent). */
export function registerKyvernoFunctions(): void {
  if (registered) return;
  registered = true;
  const reg = (name: string, fn: (args: unknown[]) => JSONValue, sig: InputSignature[]) =>
    registerFunction(name, fn as never, sig, { override: true });

  reg(
    'compare',
    ([a, b]) => {
      const x = str('compare', a, 0);
      const y = str('compare', b, 1);
      return x < y ? -1 : x > y ? 1 : 0;
    },
    [S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg(
    'equal_fold',
    ([a, b]) => str('equal_fold', a, 0).toLowerCase() === str('equal_fold', b, 1).toLowerCase(),
    [S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg(
    'replace',
    ([s, o, n, c]) =>
      goReplace(
        str('replace', s, 0),
        str('replace', o, 1),
        str('replace', n, 2),
        Math.trunc(numArg('replace', c, 3)),
      ),
    [S(TYPE_STRING), S(TYPE_STRING), S(TYPE_STRING), S(TYPE_NUMBER)],
  );
  reg(
    'replace_all',
    ([s, o, n]) =>
      goReplace(str('replace_all', s, 0), str('replace_all', o, 1), str('replace_all', n, 2), -1),
    [S(TYPE_STRING), S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg('to_upper', ([s]) => str('to_upper', s, 0).toUpperCase(), [S(TYPE_STRING)]);
  reg('to_lower', ([s]) => str('to_lower', s, 0).toLowerCase(), [S(TYPE_STRING)]);
  reg('trim', ([s, c]) => goTrim(str('trim', s, 0), str('trim', c, 1)), [S(TYPE_STRING), S(TYPE_STRING)]);
  reg(
    'trim_prefix',
    ([s, p]) => {
      const x = str('trim_prefix', s, 0);
      const pre = str('trim_prefix', p, 1);
      return x.startsWith(pre) ? x.slice(pre.length) : x;
    },
    [S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg('split', ([s, sep]) => goSplit(str('split', s, 0), str('split', sep, 1)), [
    S(TYPE_STRING),
    S(TYPE_STRING),
  ]);
  reg(
    'regex_replace_all',
    ([re, src, repl]) =>
      goRegexReplaceAll(
        str('regex_replace_all', re, 0),
        ifaceToString('regex_replace_all', src, 1),
        ifaceToString('regex_replace_all', repl, 2),
        false,
      ),
    [S(TYPE_STRING), S(TYPE_STRING, TYPE_NUMBER), S(TYPE_STRING, TYPE_NUMBER)],
  );
  reg(
    'regex_replace_all_literal',
    ([re, src, repl]) =>
      goRegexReplaceAll(
        str('regex_replace_all_literal', re, 0),
        ifaceToString('regex_replace_all_literal', src, 1),
        ifaceToString('regex_replace_all_literal', repl, 2),
        true,
      ),
    [S(TYPE_STRING), S(TYPE_STRING, TYPE_NUMBER), S(TYPE_STRING, TYPE_NUMBER)],
  );
  reg(
    'regex_match',
    ([re, src]) => goRegexMatch(str('regex_match', re, 0), ifaceToString('regex_match', src, 1)),
    [S(TYPE_STRING), S(TYPE_STRING, TYPE_NUMBER)],
  );
  reg(
    'pattern_match',
    ([p, src]) => wildcardMatch(str('pattern_match', p, 0), ifaceToString('pattern_match', src, 1)),
    [S(TYPE_STRING), S(TYPE_STRING, TYPE_NUMBER)],
  );
  reg(
    'label_match',
    ([sel, labels]) => {
      if (!isRecord(sel)) return fail('label_match', 'argument #1 is not of type Object');
      if (!isRecord(labels)) return fail('label_match', 'argument #2 is not of type Object');
      return Object.entries(sel).every(
        ([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v,
      );
    },
    [S(TYPE_OBJECT), S(TYPE_OBJECT)],
  );
  reg(
    'to_boolean',
    ([s]) => {
      const v = str('to_boolean', s, 0).toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      return fail('to_boolean', `lowercase argument must be 'true' or 'false' (provided: '${String(s)}')`);
    },
    [S(TYPE_STRING)],
  );
  reg('add', ([a, b]) => add('add', a, b, 1), [S(TYPE_ANY), S(TYPE_ANY)]);
  reg('subtract', ([a, b]) => add('subtract', a, b, -1), [S(TYPE_ANY), S(TYPE_ANY)]);
  reg('multiply', ([a, b]) => multiply(a, b), [S(TYPE_ANY), S(TYPE_ANY)]);
  reg('divide', ([a, b]) => divide(a, b), [S(TYPE_ANY), S(TYPE_ANY)]);
  reg('modulo', ([a, b]) => modulo(a, b), [S(TYPE_ANY), S(TYPE_ANY)]);
  reg('sum', ([items]) => sum(items), [S(TYPE_ARRAY)]);
  reg(
    'round',
    ([v, places]) => {
      const x = numArg('round', v, 0);
      const p = numArg('round', places, 1);
      if (!Number.isInteger(p)) fail('round', 'Non-integer argument(s) passed for round off');
      if (p < 0) fail('round', 'Argument out of bounds');
      const shift = 10 ** p;
      return Math.round(x * shift) / shift;
    },
    [S(TYPE_NUMBER), S(TYPE_NUMBER)],
  );
  reg(
    'base64_decode',
    ([s]) => {
      const v = str('base64_decode', s, 0);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
        return fail('base64_decode', 'illegal base64 data');
      return Buffer.from(v, 'base64').toString('utf8');
    },
    [S(TYPE_STRING)],
  );
  reg('base64_encode', ([s]) => Buffer.from(str('base64_encode', s, 0), 'utf8').toString('base64'), [
    S(TYPE_STRING),
  ]);
  reg('path_canonicalize', ([s]) => cleanPath(str('path_canonicalize', s, 0)), [S(TYPE_STRING)]);
  reg(
    'truncate',
    ([s, n]) =>
      Array.from(str('truncate', s, 0))
        .slice(0, Math.max(0, Math.trunc(numArg('truncate', n, 1))))
        .join(''),
    [S(TYPE_STRING), S(TYPE_NUMBER)],
  );
  reg(
    'semver_compare',
    ([v, r]) => blangRangeMatches(str('semver_compare', v, 0), str('semver_compare', r, 1)),
    [S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg(
    'parse_json',
    ([s]) => {
      const text = str('parse_json', s, 0);
      if (text.length > MAX_TEXT) return fail('parse_json', 'input too large');
      return JSON.parse(text) as JSONValue;
    },
    [S(TYPE_STRING)],
  );
  reg(
    'parse_yaml',
    ([s]) => {
      const text = str('parse_yaml', s, 0);
      if (text.length > MAX_TEXT) return fail('parse_yaml', 'input too large');
      return (parseYamlText(text, { maxAliasCount: 100 }) ?? null) as JSONValue;
    },
    [S(TYPE_STRING)],
  );
  reg(
    'lookup',
    ([obj, key]) => {
      if (isRecord(obj)) {
        if (typeof key !== 'string') return fail('lookup', 'argument #2 is not of type String');
        return (Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : null) as JSONValue;
      }
      if (Array.isArray(obj)) {
        if (typeof key !== 'number') return fail('lookup', 'argument #2 is not of type Number');
        if (!Number.isInteger(key)) return fail('lookup', 'argument #2: expected an integer');
        return (key < 0 || key >= obj.length ? null : obj[key]) as JSONValue;
      }
      return fail('lookup', 'argument #1 is not of type Object or Array');
    },
    [S(TYPE_OBJECT, TYPE_ARRAY), S(TYPE_STRING, TYPE_NUMBER)],
  );
  reg(
    'items',
    ([obj, k, v]) => {
      const kn = str('items', k, 1);
      const vn = str('items', v, 2);
      if (isRecord(obj))
        return Object.keys(obj)
          .sort()
          .map((key) => ({ [kn]: key, [vn]: obj[key] as JSONValue }));
      if (Array.isArray(obj)) return obj.map((value, i) => ({ [kn]: i, [vn]: value as JSONValue }));
      return fail('items', 'argument #1 is not of type Object or Array');
    },
    [S(TYPE_OBJECT, TYPE_ARRAY), S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg(
    'object_from_lists',
    ([keys, values]) => {
      if (!Array.isArray(keys)) return fail('object_from_lists', 'argument #1 is not of type Array');
      if (!Array.isArray(values)) return fail('object_from_lists', 'argument #2 is not of type Array');
      const out: Record<string, JSONValue> = {};
      keys.forEach((key, i) => {
        out[ifaceToString('object_from_lists', key, 0)] = (i < values.length ? values[i] : null) as JSONValue;
      });
      return out;
    },
    [S(TYPE_ARRAY), S(TYPE_ARRAY)],
  );
  reg('random', ([p]) => randomFromPattern(str('random', p, 0)), [S(TYPE_STRING)]);
  reg('x509_decode', () => fail('x509_decode', 'not supported by this engine'), [S(TYPE_STRING)]);
  reg(
    'image_normalize',
    ([s]) =>
      normalizeImage(str('image_normalize', s, 0)) ??
      fail('image_normalize', `invalid image reference ${String(s)}`),
    [S(TYPE_STRING)],
  );
  reg(
    'md5',
    ([s]) =>
      createHash('md5')
        .update(str('md5', s, 0))
        .digest('hex'),
    [S(TYPE_STRING)],
  );
  reg(
    'sha1',
    ([s]) =>
      createHash('sha1')
        .update(str('sha1', s, 0))
        .digest('hex'),
    [S(TYPE_STRING)],
  );
  reg(
    'sha256',
    ([s]) =>
      createHash('sha256')
        .update(str('sha256', s, 0))
        .digest('hex'),
    [S(TYPE_STRING)],
  );
  reg('is_external_url', ([s]) => isExternalUrl(str('is_external_url', s, 0)), [S(TYPE_STRING)]);

  reg(
    'time_since',
    ([layout, start, end]) => {
      const fn = 'time_since';
      const l = str(fn, layout, 0);
      const t1 = parseWithLayout(l, str(fn, start, 1)) ?? fail(fn, `cannot parse ${String(start)}`);
      const e = str(fn, end, 2);
      const t2 = e === '' ? nowTime() : (parseWithLayout(l, e) ?? fail(fn, `cannot parse ${e}`));
      return formatDuration(t2.ns - t1.ns);
    },
    [S(TYPE_STRING), S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg('time_now', () => formatRFC3339(nowTime()), []);
  reg('time_now_utc', () => formatRFC3339(nowTime()), []);
  reg(
    'time_add',
    ([t, d]) => {
      const time = timeArg('time_add', t, 0);
      return formatRFC3339({ ns: time.ns + durationArg('time_add', d, 1), offset: time.offset });
    },
    [S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg(
    'time_parse',
    ([layout, value]) => {
      const t = parseWithLayout(str('time_parse', layout, 0), str('time_parse', value, 1));
      return t ? formatRFC3339(t) : fail('time_parse', `cannot parse ${String(value)}`);
    },
    [S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg('time_utc', ([t]) => formatRFC3339(toUTC(timeArg('time_utc', t, 0))), [S(TYPE_STRING)]);
  reg(
    'time_diff',
    ([a, b]) => formatDuration(timeArg('time_diff', b, 1).ns - timeArg('time_diff', a, 0).ns),
    [S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg('time_before', ([a, b]) => timeArg('time_before', a, 0).ns < timeArg('time_before', b, 1).ns, [
    S(TYPE_STRING),
    S(TYPE_STRING),
  ]);
  reg('time_after', ([a, b]) => timeArg('time_after', a, 0).ns > timeArg('time_after', b, 1).ns, [
    S(TYPE_STRING),
    S(TYPE_STRING),
  ]);
  reg(
    'time_between',
    ([t, a, b]) => {
      const x = timeArg('time_between', t, 0).ns;
      return x > timeArg('time_between', a, 1).ns && x < timeArg('time_between', b, 2).ns;
    },
    [S(TYPE_STRING), S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg(
    'time_truncate',
    ([t, d]) =>
      formatRFC3339(truncateTime(timeArg('time_truncate', t, 0), durationArg('time_truncate', d, 1))),
    [S(TYPE_STRING), S(TYPE_STRING)],
  );
  reg('time_to_cron', ([t]) => toCron(timeArg('time_to_cron', t, 0)), [S(TYPE_STRING)]);
}

function isExternalUrl(s: string): boolean {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (
    host === '' ||
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.svc') ||
    host.includes('.svc.')
  )
    return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    )
      return false;
    return true;
  }
  if (host.includes(':'))
    return !(host === '::1' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80'));
  return host.includes('.');
}

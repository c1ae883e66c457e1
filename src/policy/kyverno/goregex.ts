/**
 * Go (RE2) regular expressions as used by Kyverno's `regex_match` / `regex_replace_all`, translated
 * to JavaScript. RE2 is linear-time while V8's engine backtracks, so expressions with nested
 * unbounded quantifiers in a shape that can backtrack exponentially (`(a+)+`, `(.*)*`, `(a|aa)*`)
 * are refused, and subject strings are capped in length.
 */

export const MAX_REGEX_SUBJECT = 16_384;
const MAX_REGEX_SOURCE = 4_096;
const CACHE_LIMIT = 512;

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, RegExp>();

/** Rejects `( ... X+ )+`-style groups where the last item of a repeated group is itself unbounded. */
function assertNoCatastrophicNesting(src: string): void {
  interface Group {
    hasUnboundedTail: boolean;
    hasAlternation: boolean;
    hasUnbounded: boolean;
    dotStar: boolean;
  }
  const stack: Group[] = [];
  let lastUnbounded = false;
  let i = 0;
  let inClass = false;
  const unboundedAt = (j: number): boolean => {
    const c = src[j];
    if (c === '*' || c === '+') return true;
    if (c === '{') {
      const m = /^\{\d*,\}/.exec(src.slice(j, j + 12));
      return m !== null;
    }
    return false;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      i += 2;
      lastUnbounded = unboundedAt(i);
      if (lastUnbounded && stack.length) stack[stack.length - 1]!.hasUnbounded = true;
      continue;
    }
    if (inClass) {
      if (c === ']') {
        inClass = false;
        i++;
        lastUnbounded = unboundedAt(i);
        if (lastUnbounded && stack.length) stack[stack.length - 1]!.hasUnbounded = true;
        continue;
      }
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      i++;
      if (src[i] === '^') i++;
      if (src[i] === ']') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ hasUnboundedTail: false, hasAlternation: false, hasUnbounded: false, dotStar: false });
      i++;
      lastUnbounded = false;
      continue;
    }
    if (c === '|') {
      if (stack.length) stack[stack.length - 1]!.hasAlternation = true;
      i++;
      lastUnbounded = false;
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      i++;
      const repeated = unboundedAt(i);
      if (g && repeated) {
        const tail = lastUnbounded;
        if (tail || g.dotStar || (g.hasAlternation && g.hasUnbounded))
          throw new Error('regular expression with nested unbounded repetition is not supported');
      }
      if (g && stack.length && (g.hasUnbounded || repeated)) stack[stack.length - 1]!.hasUnbounded = true;
      lastUnbounded = repeated;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      i++;
      if (src[i] === '?') i++;
      continue;
    }
    if (c === '{') {
      const q = /^\{\d+(,\d*)?\}\??/.exec(src.slice(i, i + 24));
      if (q) {
        i += q[0].length;
        continue;
      }
    }
    i++;
    lastUnbounded = unboundedAt(i);
    if (lastUnbounded && stack.length) {
      const top = stack[stack.length - 1]!;
      top.hasUnbounded = true;
      if (c === '.') top.dotStar = true;
    }
  }
}

function translate(src: string): { source: string; flags: string } {
  let flags = '';
  let body = src;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'U') throw new Error('ungreedy flag (?U) is not supported');
      if (!flags.includes(f)) flags += f;
    }
    body = body.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z-]+[:)]/.test(body)) throw new Error('inline regex flags are only supported at the start');
  body = body
    .replace(/\(\?P</g, '(?<')
    .replace(/\\z/g, '$')
    .replace(/\\A/g, '^')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, name: string) => {
      const cls = POSIX_CLASSES[name];
      if (!cls) return whole;
      if (neg) throw new Error('negated POSIX classes are not supported');
      return cls;
    });
  if (/\\[pP]/.test(body)) flags += 'u';
  return { source: body, flags };
}

/** Compiles a Go regular expression (cached); throws on invalid or unsafe expressions. */
export function compileGoRegex(src: string): RegExp {
  const hit = cache.get(src);
  if (hit) return hit;
  if (src.length > MAX_REGEX_SOURCE) throw new Error('regular expression too long');
  assertNoCatastrophicNesting(src);
  const { source, flags } = translate(src);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(src, re);
  return re;
}

function checkSubject(s: string): void {
  if (s.length > MAX_REGEX_SUBJECT)
    throw new Error(`regex subject longer than ${MAX_REGEX_SUBJECT} characters`);
}

export function goRegexMatch(src: string, subject: string): boolean {
  checkSubject(subject);
  const re = compileGoRegex(src);
  re.lastIndex = 0;
  return re.test(subject);
}

/** Go's `Regexp.Expand` template: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$' || i === template.length - 1) {
      out += c;
      continue;
    }
    const next = template[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      if (close < 0) {
        out += c;
        continue;
      }
      name = template.slice(i + 2, close);
      end = close;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (!m) {
        out += c;
        continue;
      }
      name = m[0];
      end = i + name.length;
    }
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      out += c;
      continue;
    }
    const value = /^\d+$/.test(name) ? match[Number(name)] : match.groups?.[name];
    out += value ?? '';
    i = end;
  }
  return out;
}

/** `regex_replace_all` (template expansion) and `regex_replace_all_literal`. */
export function goRegexReplaceAll(
  src: string,
  subject: string,
  replacement: string,
  literal: boolean,
): string {
  checkSubject(subject);
  const base = compileGoRegex(src);
  const re = new RegExp(base.source, base.flags.includes('g') ? base.flags : base.flags + 'g');
  let out = '';
  let last = 0;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = re.exec(subject)) !== null) {
    if (++guard > MAX_REGEX_SUBJECT + 1) break;
    out += subject.slice(last, m.index) + (literal ? replacement : expandTemplate(replacement, m));
    last = m.index + m[0].length;
    if (m[0].length === 0) re.lastIndex++;
  }
  return out + subject.slice(last);
}

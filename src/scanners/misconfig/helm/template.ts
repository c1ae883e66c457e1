/**
 * A small, bounded interpreter for the subset of Go text/template + Sprig that Helm charts use:
 * actions with whitespace trimming, if/else if/else, with, range, define/include/template,
 * variables, pipelines and ~60 functions. Enough to render a chart with its default values so the
 * Kubernetes checks can run on the result, as `helm template` would. Unknown functions raise a
 * TemplateError (the file is then reported as not rendered): nothing is guessed.
 */
import { parse as parseYaml, stringify as toYamlText } from 'yaml';

export class TemplateError extends Error {}

export const TEMPLATE_LIMITS = { maxOutput: 4 * 1024 * 1024, maxDepth: 40, maxSteps: 2_000_000 } as const;

type Value = unknown;
type Node =
  | { t: 'text'; s: string }
  | { t: 'action'; pipe: Pipe; assign?: string }
  | { t: 'if'; branches: { cond: Pipe; body: Node[] }[]; else: Node[] }
  | { t: 'with'; pipe: Pipe; assign?: string; body: Node[]; else: Node[] }
  | { t: 'range'; pipe: Pipe; vars: string[]; body: Node[]; else: Node[] }
  | { t: 'template'; name: string; pipe?: Pipe };
type Operand =
  | { k: 'field'; base: string; path: string[] }
  | { k: 'lit'; v: Value }
  | { k: 'ident'; name: string }
  | { k: 'sub'; pipe: Pipe; path: string[] };
type Pipe = Operand[][];

// ---------- lexing actions ----------
interface Action {
  text: string;
}
function splitTemplate(src: string): (string | Action)[] {
  const out: (string | Action)[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push(src.slice(i));
      break;
    }
    let text = src.slice(i, open);
    let j = open + 2;
    const trimLeft = src[j] === '-' && /\s/.test(src[j + 1] ?? '');
    if (trimLeft) {
      text = text.replace(/\s+$/, '');
      j++;
    }
    out.push(text);
    // find the closing braces outside string literals and comments
    let k = j;
    let quote = '';
    for (; k < src.length; k++) {
      const c = src[k]!;
      if (quote) {
        if (c === '\\' && quote === '"') k++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === '`') quote = c;
      else if (c === '/' && src[k + 1] === '*') {
        const end = src.indexOf('*/', k + 2);
        if (end < 0) throw new TemplateError('unterminated comment');
        k = end + 1;
      } else if (c === '}' && src[k + 1] === '}') break;
    }
    if (k >= src.length) throw new TemplateError('unclosed action');
    let inner = src.slice(j, k);
    let next = k + 2;
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -1);
      while (next < src.length && /\s/.test(src[next]!)) next++;
    }
    out.push({ text: inner.trim() });
    i = next;
  }
  return out;
}

// ---------- pipeline tokens ----------
const TOKEN =
  /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(-?\d+(?:\.\d+)?)(?![\w.])|(\$[\w]*(?:\.[\w]+)*)|(\.(?:[\w]+(?:\.[\w]+)*)?)|([A-Za-z_][\w]*)|(:=|=|\||\(|\)|,))/y;

function tokenize(s: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    if (/^\s*$/.test(s.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(s);
    if (!m) throw new TemplateError(`cannot read "${s.slice(pos, pos + 20)}"`);
    out.push(m[0].trim());
    pos = TOKEN.lastIndex;
    // a field chain right after `)` : `(…).Foo`
    if (m[0].trim() === ')' && s[pos] === '.') {
      const f = /^\.[\w]+(?:\.[\w]+)*/.exec(s.slice(pos))!;
      out.push('@' + f[0]);
      pos += f[0].length;
    }
  }
  return out;
}

function parsePipe(tokens: string[], start = 0, stopAtParen = false): { pipe: Pipe; end: number } {
  const pipe: Pipe = [];
  let cmd: Operand[] = [];
  let i = start;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === ')') {
      if (stopAtParen) break;
      throw new TemplateError('unexpected )');
    }
    if (t === '|') {
      pipe.push(cmd);
      cmd = [];
      continue;
    }
    if (t === '(') {
      const sub = parsePipe(tokens, i + 1, true);
      i = sub.end;
      let path: string[] = [];
      if (tokens[i + 1]?.startsWith('@')) {
        path = tokens[i + 1]!.slice(2).split('.');
        i++;
      }
      cmd.push({ k: 'sub', pipe: sub.pipe, path });
      continue;
    }
    cmd.push(operand(t));
  }
  if (cmd.length) pipe.push(cmd);
  return { pipe, end: i };
}

function operand(t: string): Operand {
  if (t.startsWith('"')) return { k: 'lit', v: JSON.parse(t.replace(/\\([^"\\/bfnrtu])/g, '$1')) as string };
  if (t.startsWith('`')) return { k: 'lit', v: t.slice(1, -1) };
  if (/^-?\d/.test(t)) return { k: 'lit', v: Number(t) };
  if (t === 'true' || t === 'false') return { k: 'lit', v: t === 'true' };
  if (t === 'nil') return { k: 'lit', v: null };
  if (t.startsWith('$')) {
    const [base, ...path] = t.split('.');
    return { k: 'field', base: base!, path };
  }
  if (t.startsWith('.')) return { k: 'field', base: '.', path: t === '.' ? [] : t.slice(1).split('.') };
  return { k: 'ident', name: t };
}

// ---------- parsing the tree ----------
function parseTree(parts: (string | Action)[], defines: Map<string, Node[]>): Node[] {
  let i = 0;
  const block = (): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (i < parts.length) {
      const p = parts[i++]!;
      if (typeof p === 'string') {
        if (p) nodes.push({ t: 'text', s: p });
        continue;
      }
      const a = p.text;
      if (a.startsWith('/*')) continue;
      const word = /^(\w+)\b/.exec(a)?.[1];
      const rest = a.slice(word?.length ?? 0).trim();
      if (word === 'end' || word === 'else') return { nodes, end: a };
      if (word === 'if') {
        const branches = [{ cond: parsePipe(tokenize(rest)).pipe, body: [] as Node[] }];
        let r = block();
        branches[0]!.body = r.nodes;
        let els: Node[] = [];
        while (r.end.startsWith('else')) {
          const after = r.end.slice(4).trim();
          if (after.startsWith('if ')) {
            const b = { cond: parsePipe(tokenize(after.slice(3))).pipe, body: [] as Node[] };
            r = block();
            b.body = r.nodes;
            branches.push(b);
          } else {
            r = block();
            els = r.nodes;
          }
        }
        nodes.push({ t: 'if', branches, else: els });
      } else if (word === 'with' || word === 'range') {
        const toks = tokenize(rest);
        const vars: string[] = [];
        const assignAt = toks.indexOf(':=');
        if (assignAt >= 0) for (const v of toks.slice(0, assignAt)) if (v !== ',') vars.push(v);
        const pipe = parsePipe(toks, assignAt >= 0 ? assignAt + 1 : 0).pipe;
        const r = block();
        let els: Node[] = [];
        if (r.end.startsWith('else')) els = block().nodes;
        if (word === 'with')
          nodes.push({ t: 'with', pipe, ...(vars[0] ? { assign: vars[0] } : {}), body: r.nodes, else: els });
        else nodes.push({ t: 'range', pipe, vars, body: r.nodes, else: els });
      } else if (word === 'define') {
        const name = JSON.parse(rest) as string;
        defines.set(name, block().nodes);
      } else if (word === 'template' || word === 'block') {
        const toks = tokenize(rest);
        const name = JSON.parse(toks[0]!) as string;
        const pipe = toks.length > 1 ? parsePipe(toks, 1).pipe : undefined;
        if (word === 'block') defines.set(name, block().nodes);
        nodes.push({ t: 'template', name, ...(pipe ? { pipe } : {}) });
      } else {
        const toks = tokenize(a);
        if ((toks[1] === ':=' || toks[1] === '=') && toks[0]!.startsWith('$'))
          nodes.push({ t: 'action', pipe: parsePipe(toks, 2).pipe, assign: toks[0]! });
        else nodes.push({ t: 'action', pipe: parsePipe(toks).pipe });
      }
    }
    return { nodes, end: '' };
  };
  const r = block();
  if (r.end) throw new TemplateError(`unexpected {{${r.end}}}`);
  return r.nodes;
}

/** Parses a template source; its `define`s go into `defines`. */
export function parseTemplate(src: string, defines: Map<string, Node[]>): Node[] {
  return parseTree(splitTemplate(src), defines);
}

// ---------- evaluation ----------
export function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}
function printValue(v: Value): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (typeof v === 'object')
    return `map[${Object.entries(v as object)
      .map(([k, x]) => `${k}:${printValue(x)}`)
      .join(' ')}]`;
  return String(v);
}
function toYaml(v: Value): string {
  if (v === null || v === undefined) return 'null';
  return toYamlText(v, { lineWidth: 0 }).replace(/\n$/, '');
}
function indentLines(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return String(s)
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
function goPrintf(fmt: string, ...args: Value[]): string {
  let i = 0;
  return fmt.replace(/%([-+ 0#]*\d*(?:\.\d+)?)([sdvqtfx%])/g, (_m, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    if (verb === 'q') return JSON.stringify(printValue(a));
    if (verb === 'd') return String(Math.trunc(Number(a)));
    return printValue(a);
  });
}
function cmp(a: Value, b: Value): boolean {
  return (
    a === b ||
    (a == null && b == null) ||
    (typeof a === 'number' && typeof b === 'number' && a === b) ||
    (String(a) === String(b) && typeof a === typeof b)
  );
}

export interface RenderContext {
  defines: Map<string, Node[]>;
  steps: number;
  depth: number;
}

type Scope = { dot: Value; root: Value; vars: Map<string, Value> };

function fieldOf(v: Value, path: readonly string[]): Value {
  let cur = v;
  for (const k of path) {
    if (cur === null || cur === undefined) return undefined;
    if (typeof cur !== 'object') throw new TemplateError(`can't evaluate field ${k} in ${typeof cur}`);
    cur = (cur as Record<string, Value>)[k];
  }
  return cur;
}

function makeFunctions(ctx: RenderContext, scope: () => Scope): Record<string, (...a: Value[]) => Value> {
  const include = (name: Value, dot: Value) => {
    const nodes = ctx.defines.get(String(name));
    if (!nodes) throw new TemplateError(`template "${String(name)}" not defined`);
    if (++ctx.depth > TEMPLATE_LIMITS.maxDepth) throw new TemplateError('include nesting too deep');
    const out = execNodes(nodes, { dot, root: scope().root, vars: new Map([['$', dot]]) }, ctx);
    ctx.depth--;
    return out;
  };
  const str = (v: Value) => printValue(v);
  return {
    include,
    tpl: (s, dot) => {
      const defs = ctx.defines;
      return execNodes(
        parseTemplate(String(s), defs),
        { dot, root: scope().root, vars: new Map([['$', dot]]) },
        ctx,
      );
    },
    toYaml,
    toJson: (v) => JSON.stringify(v ?? null),
    fromYaml: (s) => parseYaml(String(s), { maxAliasCount: 50 }) as Value,
    nindent: (n, s) => '\n' + indentLines(Number(n), str(s)),
    indent: (n, s) => indentLines(Number(n), str(s)),
    default: (d, v) => (truthy(v) ? v : d),
    required: (msg, v) => {
      if (v === null || v === undefined || v === '') throw new TemplateError(String(msg));
      return v;
    },
    fail: (msg) => {
      throw new TemplateError(String(msg));
    },
    quote: (...v) => v.map((x) => JSON.stringify(str(x))).join(' '),
    squote: (...v) => v.map((x) => `'${str(x)}'`).join(' '),
    printf: (f, ...a) => goPrintf(String(f), ...a),
    print: (...a) => a.map(str).join(''),
    println: (...a) => a.map(str).join(' ') + '\n',
    trunc: (n, s) => str(s).slice(0, Number(n)),
    trimSuffix: (x, s) => (str(s).endsWith(str(x)) ? str(s).slice(0, -str(x).length || undefined) : str(s)),
    trimPrefix: (x, s) => (str(s).startsWith(str(x)) ? str(s).slice(str(x).length) : str(s)),
    trim: (s) => str(s).trim(),
    trimAll: (c, s) => {
      const set = new Set(str(c).split(''));
      let a = str(s);
      while (a && set.has(a[0]!)) a = a.slice(1);
      while (a && set.has(a[a.length - 1]!)) a = a.slice(0, -1);
      return a;
    },
    replace: (a, b, s) => str(s).split(str(a)).join(str(b)),
    upper: (s) => str(s).toUpperCase(),
    lower: (s) => str(s).toLowerCase(),
    title: (s) => str(s).replace(/\b\w/g, (c) => c.toUpperCase()),
    contains: (sub, s) => str(s).includes(str(sub)),
    hasPrefix: (p, s) => str(s).startsWith(str(p)),
    hasSuffix: (p, s) => str(s).endsWith(str(p)),
    eq: (a, ...b) => b.some((x) => cmp(a, x)),
    ne: (a, b) => !cmp(a, b),
    lt: (a, b) => Number(a) < Number(b),
    le: (a, b) => Number(a) <= Number(b),
    gt: (a, b) => Number(a) > Number(b),
    ge: (a, b) => Number(a) >= Number(b),
    and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
    or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
    not: (a) => !truthy(a),
    empty: (a) => !truthy(a),
    coalesce: (...a) => a.find(truthy) ?? null,
    ternary: (a, b, c) => (truthy(c) ? a : b),
    toString: (a: Value) => str(a),
    int: (a) => Math.trunc(Number(a)) || 0,
    int64: (a) => Math.trunc(Number(a)) || 0,
    float64: (a) => Number(a) || 0,
    atoi: (a) => Math.trunc(Number(a)) || 0,
    add: (...a) => a.reduce((x: number, y) => x + Number(y), 0),
    sub: (a, b) => Number(a) - Number(b),
    mul: (...a) => a.reduce((x: number, y) => x * Number(y), 1),
    div: (a, b) => Math.trunc(Number(a) / Number(b)),
    max: (...a) => Math.max(...a.map(Number)),
    min: (...a) => Math.min(...a.map(Number)),
    list: (...a) => a,
    tuple: (...a) => a,
    dict: (...a) => {
      const o: Record<string, Value> = {};
      for (let i = 0; i + 1 < a.length; i += 2) o[str(a[i])] = a[i + 1];
      return o;
    },
    get: (m, k) => (m && typeof m === 'object' ? ((m as Record<string, Value>)[str(k)] ?? '') : ''),
    set: (m, k, v) => {
      if (m && typeof m === 'object') (m as Record<string, Value>)[str(k)] = v;
      return m;
    },
    has: (needle, list) => Array.isArray(list) && list.some((x) => cmp(x, needle)),
    hasKey: (m, k) => !!m && typeof m === 'object' && Object.prototype.hasOwnProperty.call(m, str(k)),
    keys: (m) => (m && typeof m === 'object' ? Object.keys(m as object).sort() : []),
    index: (m, ...ks) => {
      let cur = m;
      for (const k of ks)
        cur =
          cur && typeof cur === 'object'
            ? (cur as Record<string, Value>)[typeof k === 'number' ? k : str(k)]
            : undefined;
      return cur;
    },
    len: (a) =>
      typeof a === 'string' || Array.isArray(a)
        ? a.length
        : a && typeof a === 'object'
          ? Object.keys(a as object).length
          : 0,
    first: (a) => (Array.isArray(a) ? a[0] : undefined),
    last: (a) => (Array.isArray(a) ? a[a.length - 1] : undefined),
    join: (sep, a) => (Array.isArray(a) ? a.map(str).join(str(sep)) : str(a)),
    split: (sep, s) =>
      Object.fromEntries(
        str(s)
          .split(str(sep))
          .map((p, i) => [`_${i}`, p]),
      ),
    splitList: (sep, s) => str(s).split(str(sep)),
    uniq: (a) => (Array.isArray(a) ? [...new Set(a)] : a),
    without: (a, ...x) => (Array.isArray(a) ? a.filter((v) => !x.includes(v)) : a),
    append: (a, v) => [...(Array.isArray(a) ? a : []), v],
    concat: (...a) => a.flatMap((x) => (Array.isArray(x) ? x : [])),
    merge: (dst, ...srcs) => Object.assign({}, ...srcs.reverse(), dst),
    mergeOverwrite: (dst, ...srcs) => Object.assign({}, dst, ...srcs),
    deepCopy: (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v))),
    kindIs: (k, v) => kindOf(v) === k,
    kindOf: (v) => kindOf(v),
    typeOf: (v) => kindOf(v),
    regexMatch: (re, s) => safeRegex(str(re)).test(str(s)),
    regexReplaceAll: (re, s, r) =>
      str(s).replace(new RegExp(safeRegex(str(re)).source, 'g'), str(r).replace(/\$\{?(\d+)\}?/g, '$$$1')),
    b64enc: (s) => Buffer.from(str(s)).toString('base64'),
    b64dec: (s) => Buffer.from(str(s), 'base64').toString('utf8'),
    sha256sum: () => '0'.repeat(64),
    randAlphaNum: (n) => 'x'.repeat(Number(n)),
    uuidv4: () => '00000000-0000-4000-8000-000000000000',
    now: () => '2024-01-01T00:00:00Z',
    date: () => '2024-01-01',
    semverCompare: () => true,
    semver: (v) => ({ Major: Number(/\d+/.exec(str(v))?.[0] ?? 0) }),
    lookup: () => ({}),
    genCA: () => ({ Cert: '', Key: '' }),
    genSignedCert: () => ({ Cert: '', Key: '' }),
    genSelfSignedCert: () => ({ Cert: '', Key: '' }),
    toStrings: (a) => (Array.isArray(a) ? a.map(str) : []),
    sortAlpha: (a) => (Array.isArray(a) ? [...a].map(str).sort() : a),
    nospace: (s) => str(s).replace(/\s+/g, ''),
    kebabcase: (s) =>
      str(s)
        .replace(/([a-z])([A-Z])/g, '$1-$2')
        .toLowerCase(),
    camelcase: (s) => str(s),
    abbrev: (n, s) => str(s).slice(0, Number(n)),
    cat: (...a) =>
      a
        .filter((x) => x !== null && x !== undefined)
        .map(str)
        .join(' '),
    dir: (s) => str(s).replace(/\/[^/]*$/, ''),
    base: (s) => str(s).replace(/^.*\//, ''),
  };
}
function kindOf(v: Value): string {
  if (v === null || v === undefined) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}
/** Chart-supplied regexes run on chart values only; refuse nested quantifiers (catastrophic backtracking). */
function safeRegex(re: string): RegExp {
  if (re.length > 200 || /\([^)]*[+*][^)]*\)[+*{]/.test(re)) throw new TemplateError('regex refused');
  return new RegExp(re);
}

function evalOperand(
  o: Operand,
  s: Scope,
  ctx: RenderContext,
  fns: Record<string, (...a: Value[]) => Value>,
): Value {
  switch (o.k) {
    case 'lit':
      return o.v;
    case 'field': {
      const base =
        o.base === '.'
          ? s.dot
          : o.base === '$'
            ? s.vars.has('$')
              ? s.vars.get('$')
              : s.root
            : s.vars.get(o.base);
      if (o.base !== '.' && o.base !== '$' && !s.vars.has(o.base))
        throw new TemplateError(`undefined variable ${o.base}`);
      return fieldOf(base, o.path);
    }
    case 'sub':
      return fieldOf(evalPipe(o.pipe, s, ctx), o.path);
    case 'ident': {
      const f = fns[o.name];
      if (!f) throw new TemplateError(`function "${o.name}" not supported`);
      return f();
    }
  }
}

function evalPipe(pipe: Pipe, s: Scope, ctx: RenderContext): Value {
  const fns = makeFunctions(ctx, () => s);
  let prev: Value;
  let first = true;
  for (const cmd of pipe) {
    if (++ctx.steps > TEMPLATE_LIMITS.maxSteps) throw new TemplateError('template too expensive');
    const head = cmd[0];
    if (!head) continue;
    const args = cmd.slice(1).map((o) => evalOperand(o, s, ctx, fns));
    if (!first) args.push(prev);
    if (head.k === 'ident') {
      const f = fns[head.name];
      if (!f) throw new TemplateError(`function "${head.name}" not supported`);
      prev = f(...args);
    } else {
      const v = evalOperand(head, s, ctx, fns);
      prev = typeof v === 'function' ? (v as (...a: Value[]) => Value)(...args) : v;
    }
    first = false;
  }
  return prev;
}

function execNodes(nodes: readonly Node[], s: Scope, ctx: RenderContext): string {
  let out = '';
  const vars = new Map(s.vars);
  const scope: Scope = { dot: s.dot, root: s.root, vars };
  for (const n of nodes) {
    if (out.length > TEMPLATE_LIMITS.maxOutput) throw new TemplateError('rendered output too large');
    switch (n.t) {
      case 'text':
        out += n.s;
        break;
      case 'action': {
        const v = evalPipe(n.pipe, scope, ctx);
        if (n.assign) vars.set(n.assign, v);
        else out += printValue(v);
        break;
      }
      case 'if': {
        const b = n.branches.find((br) => truthy(evalPipe(br.cond, scope, ctx)));
        out += execNodes(b ? b.body : n.else, scope, ctx);
        break;
      }
      case 'with': {
        const v = evalPipe(n.pipe, scope, ctx);
        if (truthy(v)) {
          const inner = new Map(vars);
          if (n.assign) inner.set(n.assign, v);
          out += execNodes(n.body, { dot: v, root: s.root, vars: inner }, ctx);
        } else out += execNodes(n.else, scope, ctx);
        break;
      }
      case 'range': {
        const v = evalPipe(n.pipe, scope, ctx);
        const entries: [Value, Value][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v && typeof v === 'object'
            ? Object.keys(v as object)
                .sort()
                .map((k) => [k, (v as Record<string, Value>)[k]])
            : typeof v === 'number'
              ? Array.from({ length: Math.min(v, 10_000) }, (_, i) => [i, i])
              : [];
        if (!entries.length) out += execNodes(n.else, scope, ctx);
        for (const [k, x] of entries) {
          const inner = new Map(vars);
          if (n.vars.length === 1) inner.set(n.vars[0]!, x);
          if (n.vars.length === 2) {
            inner.set(n.vars[0]!, k);
            inner.set(n.vars[1]!, x);
          }
          out += execNodes(n.body, { dot: x, root: s.root, vars: inner }, ctx);
        }
        break;
      }
      case 'template': {
        const dot = n.pipe ? evalPipe(n.pipe, scope, ctx) : undefined;
        out += makeFunctions(ctx, () => scope).include!(n.name, dot);
        break;
      }
    }
  }
  return out;
}

/** Renders one parsed template with `root` as `.` and `$`. */
export function render(nodes: readonly Node[], root: Value, defines: Map<string, Node[]>): string {
  const ctx: RenderContext = { defines, steps: 0, depth: 0 };
  return execNodes(nodes, { dot: root, root, vars: new Map([['$', root]]) }, ctx);
}

/**
 * HCL2 expressions as Terraform writes them, parsed from the raw text the block parser kept
 * (`HclExpr.raw`): literals, templates (`"${var.a}-x"`, heredocs), references with attribute and
 * index access, operators, conditionals, lists, objects and function calls. For expressions, splats
 * and template directives (`%{if}`) are not supported: parsing fails and the caller keeps the
 * expression unknown. Every node keeps its source span so an unknown part can be shown as written.
 */

export type Node =
  | { k: 'lit'; v: string | number | boolean | null; s: number; e: number }
  | { k: 'tpl'; parts: (string | Node)[]; s: number; e: number }
  | { k: 'ref'; root: string; steps: Step[]; s: number; e: number }
  | { k: 'call'; name: string; args: Node[]; expand: boolean; s: number; e: number }
  | { k: 'un'; op: '!' | '-'; x: Node; s: number; e: number }
  | { k: 'bin'; op: string; l: Node; r: Node; s: number; e: number }
  | { k: 'cond'; c: Node; a: Node; b: Node; s: number; e: number }
  | { k: 'list'; items: Node[]; s: number; e: number }
  | { k: 'obj'; items: [Node, Node][]; s: number; e: number }
  | { k: 'access'; x: Node; steps: Step[]; s: number; e: number };

export type Step = { attr: string } | { index: Node };

export class ExprSyntaxError extends Error {}

/** Bounds for hostile input: nesting and source length of one expression. */
export const EXPR_LIMITS = { maxDepth: 64, maxLength: 256 * 1024 } as const;

const BINARY: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['>', '>=', '<', '<='],
  ['+', '-'],
  ['*', '/', '%'],
];

class ExprParser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  private fail(msg: string): never {
    throw new ExprSyntaxError(`${msg} at offset ${this.i}`);
  }
  private peek(n = 0): string {
    return this.s[this.i + n] ?? '';
  }
  /** Whitespace (newlines included: raw expressions only span lines inside brackets) and comments. */
  private ws(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.i++;
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) {
        while (this.i < this.s.length && this.peek() !== '\n') this.i++;
      } else if (c === '/' && this.peek(1) === '*') {
        const end = this.s.indexOf('*/', this.i + 2);
        if (end < 0) this.fail('unterminated comment');
        this.i = end + 2;
      } else return;
    }
  }
  private eat(tok: string): boolean {
    this.ws();
    if (this.s.startsWith(tok, this.i)) {
      this.i += tok.length;
      return true;
    }
    return false;
  }
  private expect(tok: string): void {
    if (!this.eat(tok)) this.fail(`expected "${tok}"`);
  }
  private ident(): string | undefined {
    const m = /[A-Za-z_][A-Za-z0-9_-]*/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) return undefined;
    this.i += r[0].length;
    return r[0];
  }
  private enter(): void {
    if (++this.depth > EXPR_LIMITS.maxDepth) this.fail('nesting too deep');
  }

  parseAll(): Node {
    const n = this.expr();
    this.ws();
    if (this.i < this.s.length) this.fail(`unexpected "${this.peek()}"`);
    return n;
  }

  expr(): Node {
    this.enter();
    const s = this.i;
    const c = this.binary(0);
    let out = c;
    this.ws();
    if (this.peek() === '?') {
      this.i++;
      const a = this.expr();
      this.expect(':');
      const b = this.expr();
      out = { k: 'cond', c, a, b, s, e: this.i };
    }
    this.depth--;
    return out;
  }

  private binary(level: number): Node {
    if (level >= BINARY.length) return this.unary();
    const s = this.i;
    let l = this.binary(level + 1);
    for (;;) {
      this.ws();
      // Longest operator first (`>=` before `>`); `=>` and a lone `=` are not binary operators.
      const op = [...BINARY[level]!]
        .sort((a, b) => b.length - a.length)
        .find((o) => this.s.startsWith(o, this.i));
      if (!op || ((op === '>' || op === '<') && this.peek(1) === '=')) return l;
      this.i += op.length;
      const r = this.binary(level + 1);
      l = { k: 'bin', op, l, r, s, e: this.i };
    }
  }

  private unary(): Node {
    this.ws();
    const s = this.i;
    const c = this.peek();
    if ((c === '!' && this.peek(1) !== '=') || (c === '-' && !/\d/.test(this.peek(1)))) {
      this.i++;
      this.enter();
      const x = this.unary();
      this.depth--;
      return { k: 'un', op: c, x, s, e: this.i };
    }
    return this.postfix(this.primary());
  }

  private steps(): Step[] {
    const out: Step[] = [];
    for (;;) {
      const save = this.i;
      this.ws();
      if (this.peek() === '.' && this.peek(1) !== '.') {
        this.i++;
        if (this.peek() === '*') this.fail('splat expressions are not evaluated');
        const n = /\d+/y;
        n.lastIndex = this.i;
        const num = n.exec(this.s);
        if (num) {
          this.i += num[0].length;
          out.push({ index: { k: 'lit', v: Number(num[0]), s: this.i - num[0].length, e: this.i } });
          continue;
        }
        const id = this.ident();
        if (!id) this.fail('expected attribute name');
        out.push({ attr: id });
      } else if (this.peek() === '[') {
        this.i++;
        this.ws();
        if (this.peek() === '*') this.fail('splat expressions are not evaluated');
        out.push({ index: this.expr() });
        this.expect(']');
      } else {
        this.i = save;
        return out;
      }
    }
  }

  private postfix(x: Node): Node {
    const steps = this.steps();
    if (!steps.length) return x;
    if (x.k === 'ref') return { ...x, steps: [...x.steps, ...steps], e: this.i };
    return { k: 'access', x, steps, s: x.s, e: this.i };
  }

  private primary(): Node {
    this.ws();
    const s = this.i;
    const c = this.peek();
    if (c === '(') {
      this.i++;
      const x = this.expr();
      this.expect(')');
      return x;
    }
    if (c === '"') return this.template();
    if (c === '<' && this.peek(1) === '<') return this.heredoc();
    if (c === '[') return this.list();
    if (c === '{') return this.object();
    const num = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    num.lastIndex = this.i;
    const m = num.exec(this.s);
    if (m) {
      this.i += m[0].length;
      return { k: 'lit', v: Number(m[0]), s, e: this.i };
    }
    const id = this.ident();
    if (!id) this.fail(`unexpected "${c}"`);
    if (id === 'true' || id === 'false') return { k: 'lit', v: id === 'true', s, e: this.i };
    if (id === 'null') return { k: 'lit', v: null, s, e: this.i };
    if (id === 'for') this.fail('for expressions are not evaluated');
    this.ws();
    if (this.peek() === '(' || (this.peek() === ':' && this.peek(1) === ':')) {
      let name = id;
      while (this.eat('::')) name += `::${this.ident() ?? this.fail('expected function name')}`;
      this.expect('(');
      this.enter();
      const args: Node[] = [];
      let expand = false;
      for (;;) {
        if (this.eat(')')) break;
        args.push(this.expr());
        if (this.eat('...')) expand = true;
        if (this.eat(',')) continue;
        this.expect(')');
        break;
      }
      this.depth--;
      return { k: 'call', name, args, expand, s, e: this.i };
    }
    return { k: 'ref', root: id, steps: [], s, e: this.i };
  }

  private list(): Node {
    const s = this.i;
    this.i++;
    this.enter();
    this.ws();
    if (/^for\b/.test(this.s.slice(this.i, this.i + 4))) this.fail('for expressions are not evaluated');
    const items: Node[] = [];
    for (;;) {
      if (this.eat(']')) break;
      items.push(this.expr());
      if (this.eat(',')) continue;
      this.expect(']');
      break;
    }
    this.depth--;
    return { k: 'list', items, s, e: this.i };
  }

  private object(): Node {
    const s = this.i;
    this.i++;
    this.enter();
    this.ws();
    if (/^for\b/.test(this.s.slice(this.i, this.i + 4))) this.fail('for expressions are not evaluated');
    const items: [Node, Node][] = [];
    for (;;) {
      if (this.eat('}')) break;
      this.ws();
      const ks = this.i;
      let key: Node;
      const id = /[A-Za-z_][A-Za-z0-9_-]*\s*[=:]/y;
      id.lastIndex = this.i;
      if (id.exec(this.s) && this.peek() !== '"') {
        const name = this.ident()!;
        key = { k: 'lit', v: name, s: ks, e: this.i };
      } else key = this.expr();
      this.ws();
      if (this.peek() === '=' && this.peek(1) !== '=') this.i++;
      else if (this.peek() === ':') this.i++;
      else this.fail('expected "=" in object');
      items.push([key, this.expr()]);
      this.eat(',');
    }
    this.depth--;
    return { k: 'obj', items, s, e: this.i };
  }

  /** `"…"` with `${…}` interpolations; `%{…}` directives are refused. */
  private template(): Node {
    const s = this.i;
    this.i++;
    const parts: (string | Node)[] = [];
    let lit = '';
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('unterminated string');
      if (c === '"') {
        this.i++;
        break;
      }
      if (c === '\\') {
        const e = this.peek(1);
        const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8;
          const hex = this.s.slice(this.i + 2, this.i + 2 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail('bad unicode escape');
          const cp = parseInt(hex, 16);
          if (cp > 0x10ffff) this.fail('bad unicode escape');
          lit += String.fromCodePoint(cp);
          this.i += 2 + len;
          continue;
        }
        if (esc[e] === undefined) this.fail(`bad escape \\${e}`);
        lit += esc[e];
        this.i += 2;
        continue;
      }
      const t = this.interpolation(parts, lit);
      if (t !== undefined) {
        lit = t === '' ? '' : lit + t;
        continue;
      }
      lit += c;
      this.i++;
    }
    if (lit) parts.push(lit);
    return this.simplify(parts, s);
  }

  /**
   * At `${` (interpolation: pushes `lit` then the expression, returns ''), `$${` / `%%{` (escapes:
   * returns the literal text) or anything else (returns undefined). `%{` directives are refused.
   */
  private interpolation(parts: (string | Node)[], lit: string): string | undefined {
    const c = this.peek();
    if ((c === '$' || c === '%') && this.peek(1) === c && this.peek(2) === '{') {
      this.i += 3;
      return `${c}{`;
    }
    if (c === '%' && this.peek(1) === '{') this.fail('template directives are not evaluated');
    if (c !== '$' || this.peek(1) !== '{') return undefined;
    if (lit) parts.push(lit);
    this.i += 2;
    this.eat('~');
    this.enter();
    parts.push(this.expr());
    this.depth--;
    this.eat('~');
    this.expect('}');
    return '';
  }

  private simplify(parts: (string | Node)[], s: number): Node {
    if (parts.length === 0) return { k: 'lit', v: '', s, e: this.i };
    if (parts.length === 1 && typeof parts[0] === 'string') return { k: 'lit', v: parts[0], s, e: this.i };
    return { k: 'tpl', parts, s, e: this.i };
  }

  private heredoc(): Node {
    const s = this.i;
    const m = /<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/y;
    m.lastIndex = this.i;
    const h = m.exec(this.s);
    if (!h) this.fail('invalid heredoc');
    this.i += h[0].length;
    const lines: string[] = [];
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated heredoc');
      const end = this.s.indexOf('\n', this.i);
      const line = this.s.slice(this.i, end < 0 ? this.s.length : end);
      this.i = end < 0 ? this.s.length : end + 1;
      if (line.trim() === h[2]) break;
      lines.push(line.replace(/\r$/, ''));
    }
    // Without the final newline, as the block parser reads heredocs without interpolation.
    let body = lines.join('\n');
    if (h[1]) {
      const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
      const cut = indents.length ? Math.min(...indents) : 0;
      body = lines.map((l) => l.slice(cut)).join('\n');
    }
    const sub = new ExprParser(body);
    const parts: (string | Node)[] = [];
    let lit = '';
    while (sub.i < body.length) {
      const t = sub.interpolation(parts, lit);
      if (t !== undefined) {
        lit = t === '' ? '' : lit + t;
        continue;
      }
      lit += body[sub.i];
      sub.i++;
    }
    if (lit) parts.push(lit);
    // Spans inside the heredoc body are relative to it: shift nothing, keep the whole span instead.
    const node = sub.simplify(parts, 0);
    return { ...node, s, e: this.i } as Node;
  }
}

/** Parses one expression; throws ExprSyntaxError for syntax it does not evaluate. */
export function parseExpr(src: string): Node {
  if (src.length > EXPR_LIMITS.maxLength) throw new ExprSyntaxError('expression too long');
  return new ExprParser(src).parseAll();
}

/**
 * A tolerant, hand-written parser for the HCL2 native syntax as Terraform uses it: blocks with
 * labels, attributes, comments (#, //, /* *\/), literals, lists, objects, quoted templates and
 * heredocs. Expressions it does not evaluate (references, calls, operators, conditionals, for
 * expressions) are kept as raw text (`HclExpr`): what cannot be resolved is not guessed.
 * Linear, bounded nesting; hostile input yields an HclSyntaxError, never a hang.
 */

export class HclExpr {
  constructor(readonly raw: string) {}
}
export type HclValue = string | number | boolean | null | HclExpr | HclValue[] | { [k: string]: HclValue };

export interface HclAttribute {
  value: HclValue;
  line: number;
}
export interface HclBlock {
  type: string;
  labels: string[];
  attributes: Record<string, HclAttribute>;
  blocks: HclBlock[];
  line: number;
  endLine: number;
}

export class HclSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export const HCL_LIMITS = { maxBytes: 4 * 1024 * 1024, maxDepth: 64 } as const;

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  private i = 0;
  private line = 1;
  private depth = 0;
  constructor(private readonly s: string) {}

  fail(msg: string): never {
    throw new HclSyntaxError(msg, this.line);
  }
  private peek(n = 0): string {
    return this.s[this.i + n] ?? '';
  }
  private advance(n = 1): void {
    for (let k = 0; k < n && this.i < this.s.length; k++) {
      if (this.s[this.i] === '\n') this.line++;
      this.i++;
    }
  }
  private rewind(i: number, line: number): void {
    this.i = i;
    this.line = line;
  }

  /** Consumes a bracketed group (the current char opens it), strings and comments included. */
  private skipBalanced(): void {
    let depth = 0;
    while (this.i < this.s.length) {
      const c = this.peek();
      if (c === '"') {
        this.quoted();
        continue;
      }
      if (c === '#' || (c === '/' && (this.peek(1) === '/' || this.peek(1) === '*'))) {
        this.skip(false);
        continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      this.advance();
      if (depth === 0) return;
      if (depth > HCL_LIMITS.maxDepth) this.fail('nesting too deep');
    }
    this.fail('unbalanced brackets');
  }

  private enter(): void {
    if (++this.depth > HCL_LIMITS.maxDepth) this.fail('nesting too deep');
  }

  /** Skips spaces, tabs and comments; newlines too when `newlines`. */
  private skip(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.advance();
      else if (c === '#' || (c === '/' && this.peek(1) === '/')) {
        while (this.i < this.s.length && this.peek() !== '\n') this.advance();
      } else if (c === '/' && this.peek(1) === '*') {
        const end = this.s.indexOf('*/', this.i + 2);
        if (end < 0) this.fail('unterminated comment');
        this.advance(end + 2 - this.i);
      } else return;
    }
  }

  private ident(): string | undefined {
    IDENT.lastIndex = this.i;
    const m = IDENT.exec(this.s);
    if (!m) return undefined;
    this.advance(m[0].length);
    return m[0];
  }

  parseBody(close: string): Pick<HclBlock, 'attributes' | 'blocks'> {
    const attributes: Record<string, HclAttribute> = {};
    const blocks: HclBlock[] = [];
    for (;;) {
      this.skip(true);
      if (this.i >= this.s.length) {
        if (close) this.fail(`missing "${close}"`);
        return { attributes, blocks };
      }
      if (close && this.peek() === close) {
        this.advance();
        return { attributes, blocks };
      }
      const line = this.line;
      const name = this.ident();
      if (!name) this.fail(`unexpected "${this.peek()}"`);
      this.skip(false);
      if (this.peek() === '=' && this.peek(1) !== '=') {
        this.advance();
        this.skip(false);
        attributes[name] = { value: this.expr(), line };
        continue;
      }
      const labels: string[] = [];
      for (;;) {
        this.skip(false);
        if (this.peek() === '"') {
          const v = this.quoted();
          labels.push(typeof v === 'string' ? v : v.raw);
        } else if (this.peek() === '{') break;
        else {
          const l = this.ident();
          if (!l) this.fail(`expected "{" after ${name}`);
          labels.push(l);
        }
      }
      this.advance();
      this.enter();
      const body = this.parseBody('}');
      this.depth--;
      blocks.push({ type: name, labels, ...body, line, endLine: this.line });
    }
  }

  /** An expression; literals become values, anything else raw text. */
  expr(): HclValue {
    const start = this.i;
    const v = this.primary();
    this.skip(false);
    const c = this.peek();
    if (c === '' || c === '\n' || c === ',' || c === ']' || c === '}' || c === ')') return v;
    // An operator, conditional, index or attribute access follows: keep the whole expression raw.
    this.rawUntilEnd();
    return new HclExpr(this.s.slice(start, this.i).trim());
  }

  /** Consumes the rest of an expression: up to a newline, `,`, or closing bracket at depth 0. */
  private rawUntilEnd(): void {
    let depth = 0;
    while (this.i < this.s.length) {
      const c = this.peek();
      if (c === '"') {
        this.quoted();
        continue;
      }
      if (c === '<' && this.peek(1) === '<' && /[-A-Za-z_]/.test(this.peek(2))) {
        this.heredoc();
        continue;
      }
      if (c === '(' || c === '[' || c === '{') {
        depth++;
        if (depth > HCL_LIMITS.maxDepth) this.fail('nesting too deep');
      } else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) return;
        depth--;
      } else if ((c === '\n' || c === ',') && depth === 0) return;
      else if (c === '#' || (c === '/' && (this.peek(1) === '/' || this.peek(1) === '*'))) {
        this.skip(false);
        continue;
      }
      this.advance();
    }
  }

  private primary(): HclValue {
    const c = this.peek();
    if (c === '"') return this.quoted();
    if (c === '<' && this.peek(1) === '<') return this.heredoc();
    if (c === '[') return this.list();
    if (c === '{') return this.object();
    NUMBER.lastIndex = this.i;
    const n = NUMBER.exec(this.s);
    if (n && !/[A-Za-z_.]/.test(this.s[this.i + n[0].length] ?? '')) {
      this.advance(n[0].length);
      return Number(n[0]);
    }
    const start = this.i;
    const id = this.ident();
    if (id === 'true' || id === 'false' || id === 'null') {
      const next = this.peek();
      if (!/[.([]/.test(next)) return id === 'null' ? null : id === 'true';
    }
    if (id === undefined && c !== '(' && c !== '!' && c !== '-') this.fail(`unexpected "${c}" in expression`);
    this.rawUntilEnd();
    return new HclExpr(this.s.slice(start, this.i).trim());
  }

  /** A quoted template: a plain string, or raw text when it interpolates `${…}`. */
  private quoted(): string | HclExpr {
    const startLine = this.line;
    const start = this.i;
    this.advance();
    let out = '';
    let template = false;
    while (this.i < this.s.length) {
      const c = this.peek();
      if (c === '"') {
        this.advance();
        // A template keeps its source text (escapes included) for the expression evaluator.
        return template ? new HclExpr(this.s.slice(start, this.i)) : out;
      }
      if (c === '\n') break;
      if (c === '\\') {
        const e = this.peek(1);
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        this.advance(2);
        continue;
      }
      if ((c === '$' || c === '%') && this.peek(1) === '{' && this.peek(-1) !== c) {
        // An interpolation or directive: up to its closing brace, nested strings included.
        template = true;
        out += `${c}{`;
        this.advance(2);
        let depth = 1;
        while (depth > 0) {
          const d = this.peek();
          if (d === '') this.fail('unterminated template interpolation');
          if (d === '"') {
            const from = this.i;
            this.enter();
            this.quoted();
            this.depth--;
            out += this.s.slice(from, this.i);
            continue;
          }
          if (d === '{') depth++;
          else if (d === '}') depth--;
          out += d;
          this.advance();
        }
        continue;
      }
      out += c;
      this.advance();
    }
    throw new HclSyntaxError('unterminated string', startLine);
  }

  /** A heredoc: its text (`<<-` strips the common indentation), or raw when it interpolates. */
  private heredoc(): string | HclExpr {
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(this.s.slice(this.i, this.i + 200));
    if (!m) this.fail('invalid heredoc');
    const startLine = this.line;
    const start = this.i;
    this.advance(m[0].length);
    const lines: string[] = [];
    while (this.i < this.s.length) {
      const end = this.s.indexOf('\n', this.i);
      const l = this.s.slice(this.i, end < 0 ? this.s.length : end).replace(/\r$/, '');
      this.advance((end < 0 ? this.s.length : end) - this.i);
      if (l.trim() === m[2]) {
        if (/(?<![$%])[$%]\{/.test(lines.join('\n'))) return new HclExpr(this.s.slice(start, this.i));
        let body = lines;
        if (m[1]) {
          const indents = lines.filter((x) => x.trim()).map((x) => /^[ \t]*/.exec(x)![0].length);
          const cut = indents.length ? Math.min(...indents) : 0;
          body = lines.map((x) => x.slice(cut));
        }
        return body.join('\n').replace(/([$%])\1\{/g, '$1{');
      }
      lines.push(l);
      if (end >= 0) this.advance();
    }
    throw new HclSyntaxError(`heredoc <<${m[2]} is not terminated`, startLine);
  }

  private list(): HclValue[] | HclExpr {
    const start = this.i;
    const startLine = this.line;
    this.advance();
    this.enter();
    this.skip(true);
    if (/^for\s/.test(this.s.slice(this.i, this.i + 4))) {
      // `[for x in … : …]`: keep the whole expression raw.
      this.rewind(start, startLine);
      this.skipBalanced();
      this.depth--;
      return new HclExpr(this.s.slice(start, this.i));
    }
    const out: HclValue[] = [];
    for (;;) {
      this.skip(true);
      if (this.peek() === ']') {
        this.advance();
        this.depth--;
        return out;
      }
      if (this.i >= this.s.length) this.fail('missing "]"');
      out.push(this.expr());
      this.skip(true);
      if (this.peek() === ',') this.advance();
    }
  }

  private object(): HclValue {
    const start = this.i;
    const startLine = this.line;
    this.advance();
    this.enter();
    const out: { [k: string]: HclValue } = {};
    for (;;) {
      this.skip(true);
      if (this.peek() === '}') {
        this.advance();
        this.depth--;
        return out;
      }
      if (this.i >= this.s.length) this.fail('missing "}"');
      let key: string | undefined;
      if (this.peek() === '"') {
        const k = this.quoted();
        key = typeof k === 'string' ? k : k.raw;
      } else key = this.ident();
      if (key === undefined || key === 'for') {
        // `{ for k, v in … : … }` or a computed key: keep the whole object raw.
        this.rewind(start, startLine);
        this.skipBalanced();
        this.depth--;
        return new HclExpr(this.s.slice(start, this.i));
      }
      this.skip(false);
      if (this.peek() !== '=' && this.peek() !== ':') this.fail(`expected "=" after ${key}`);
      this.advance();
      this.skip(false);
      out[key] = this.expr();
      this.skip(true);
      if (this.peek() === ',') this.advance();
    }
  }
}

/** Parses a `.tf` file into its top-level blocks. Throws HclSyntaxError with a line on bad input. */
export function parseHcl(text: string): HclBlock[] {
  return parseHclBody(text).blocks;
}

/** Top-level attributes and blocks (a `.tfvars` file is attributes only). */
export function parseHclBody(text: string): Pick<HclBlock, 'attributes' | 'blocks'> {
  const p = new Parser(text.replace(/^\uFEFF/, ''));
  return p.parseBody('');
}

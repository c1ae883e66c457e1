/**
 * A small JSON (and JSONC) reader that remembers the line of every object key, so lockfile
 * entries can be reported with their line, and syntax errors with a line and column.
 * Objects have no prototype (a `__proto__` key is an ordinary key), nesting is capped, and the
 * reader never throws to its caller.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface JsonOptions {
  /** Accept `//` and `/* *\/` comments and trailing commas (bun.lock, tsconfig style). */
  jsonc?: boolean;
  /** Deepest array/object nesting accepted; deeper input is a syntax error. Default 512. */
  maxDepth?: number;
}

export interface JsonSyntaxError {
  line: number;
  column: number;
  message: string;
}

export interface ParsedJson {
  value: JsonValue;
  /** 1-based line of `key` inside `object` (an object of this parse), when present. */
  keyLine(object: JsonObject, key: string): number | undefined;
}

export type JsonResult = { ok: true; json: ParsedJson } | { ok: false; error: JsonSyntaxError };

class JsonError extends Error {}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Reader {
  pos = 0;
  line = 1;
  lineStart = 0;
  readonly lines = new WeakMap<JsonObject, Map<string, number>>();

  constructor(
    private readonly text: string,
    private readonly jsonc: boolean,
    private readonly maxDepth: number,
  ) {}

  fail(message: string): never {
    throw new JsonError(message);
  }

  describe(): string {
    if (this.pos >= this.text.length) return 'end of input';
    return JSON.stringify(this.text.slice(this.pos, this.pos + 1));
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x0a) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) {
        this.pos++;
      } else if (c === 0x2f && this.jsonc) {
        this.skipComment();
      } else {
        return;
      }
    }
  }

  skipComment(): void {
    const t = this.text;
    const next = t.charCodeAt(this.pos + 1);
    if (next === 0x2f) {
      const end = t.indexOf('\n', this.pos);
      this.pos = end < 0 ? t.length : end;
    } else if (next === 0x2a) {
      const end = t.indexOf('*/', this.pos + 2);
      if (end < 0) this.fail('unterminated comment');
      for (let i = this.pos; i < end; i++) {
        if (t.charCodeAt(i) === 0x0a) {
          this.line++;
          this.lineStart = i + 1;
        }
      }
      this.pos = end + 2;
    } else {
      this.fail('unexpected "/"');
    }
  }

  value(depth: number): JsonValue {
    this.skipSpace();
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x22) return this.string();
    if (t.startsWith('true', this.pos)) return this.literal(4, true);
    if (t.startsWith('false', this.pos)) return this.literal(5, false);
    if (t.startsWith('null', this.pos)) return this.literal(4, null);
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(t);
    if (m) {
      this.pos += m[0].length;
      return Number(m[0]);
    }
    return this.fail(`unexpected ${this.describe()}, expected a value`);
  }

  literal(length: number, v: boolean | null): boolean | null {
    this.pos += length;
    return v;
  }

  object(depth: number): JsonObject {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
    this.pos++; // {
    const out = Object.create(null) as JsonObject;
    const lines = new Map<string, number>();
    this.lines.set(out, lines);
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x22) {
        if (this.jsonc && this.text.charCodeAt(this.pos) === 0x7d && lines.size > 0) {
          this.pos++; // trailing comma
          return out;
        }
        this.fail(`unexpected ${this.describe()}, expected a property name in double quotes`);
      }
      const line = this.line;
      const key = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail(`unexpected ${this.describe()}, expected ":"`);
      this.pos++;
      out[key] = this.value(depth);
      lines.set(key, line);
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x7d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail(`unexpected ${this.describe()}, expected "," or "}"`);
      }
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
    this.pos++; // [
    const out: JsonValue[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.jsonc && out.length > 0 && this.text.charCodeAt(this.pos) === 0x5d) {
        this.pos++; // trailing comma
        return out;
      }
      out.push(this.value(depth));
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail(`unexpected ${this.describe()}, expected "," or "]"`);
      }
    }
  }

  string(): string {
    const t = this.text;
    let i = ++this.pos; // opening quote
    let out = '';
    let from = i;
    for (;;) {
      if (i >= t.length) {
        this.pos = i;
        this.fail('unterminated string');
      }
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        out += t.slice(from, i);
        this.pos = i + 1;
        return out;
      }
      if (c < 0x20) {
        this.pos = i;
        this.fail('control character (such as a line break) inside a string');
      }
      if (c === 0x5c) {
        out += t.slice(from, i);
        const e = t.charAt(i + 1);
        if (e === 'u') {
          const hex = t.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = i;
            this.fail('invalid \\u escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          const s = ESCAPES[e];
          if (s === undefined) {
            this.pos = i;
            this.fail(`invalid escape "\\${e}"`);
          }
          out += s;
          i += 2;
        }
        from = i;
        continue;
      }
      i++;
    }
  }
}

/** Parses `text` as JSON (or JSONC with `options.jsonc`); never throws. */
export function parseJson(text: string, options: JsonOptions = {}): JsonResult {
  const reader = new Reader(text, options.jsonc ?? false, options.maxDepth ?? 512);
  try {
    const value = reader.value(0);
    reader.skipSpace();
    if (reader.pos < text.length)
      reader.fail(`unexpected ${reader.describe()} after the end of the document`);
    const lines = reader.lines;
    return { ok: true, json: { value, keyLine: (object, key) => lines.get(object)?.get(key) } };
  } catch (e) {
    const message = e instanceof JsonError ? e.message : `unreadable JSON (${String(e)})`;
    return { ok: false, error: { line: reader.line, column: reader.pos - reader.lineStart + 1, message } };
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The string-valued entries of an object (`{name: range}` maps); anything else is ignored. */
export function stringEntries(v: unknown): [string, string][] {
  if (!isObject(v)) return [];
  const out: [string, string][] = [];
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out.push([k, x]);
  return out;
}

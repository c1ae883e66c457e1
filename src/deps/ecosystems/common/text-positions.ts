/**
 * Line numbers for entries of JSON and TOML lockfiles. JSON.parse and smol-toml give no source
 * positions, so these helpers find them with one linear scan of the text. Shared by the pypi, cargo,
 * composer and nuget parsers.
 */

/** 1-based line of a character offset. */
export function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** JSON Pointer (RFC 6901) of a path of object keys and array indexes. */
export function jsonPointer(...segments: (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

interface Frame {
  kind: 'object' | 'array';
  pointer: string;
  index: number;
  expectKey: boolean;
}

/**
 * Maps the JSON Pointer of every object member and array element down to `maxDepth` levels to the
 * 1-based line where it starts (the line of the member's key, or of the element's first character).
 * Tolerant: on malformed text it returns what it found so far.
 */
export function jsonLines(text: string, maxDepth: number): Map<string, number> {
  const lines = new Map<string, number>();
  const stack: Frame[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;

  /** Records the start of a value inside the current array. */
  const arrayElement = (): void => {
    const top = stack[stack.length - 1];
    if (top?.kind === 'array' && stack.length <= maxDepth) lines.set(`${top.pointer}/${top.index}`, line);
  };
  /** Pointer of the value about to start (for pushing a container). */
  let pendingPointer = '';

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 44 /* , */ || c === 58 /* : */) {
      if (c === 44) {
        const top = stack[stack.length - 1];
        if (top?.kind === 'array') top.index++;
        else if (top) top.expectKey = true;
      }
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === 34 /* " */) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else {
          if (d === 10) line++;
          i++;
        }
      }
      i++;
      if (top?.kind === 'object' && top.expectKey) {
        top.expectKey = false;
        let key: string;
        try {
          key = JSON.parse(text.slice(start, i)) as string;
        } catch {
          key = text.slice(start + 1, i - 1);
        }
        pendingPointer = top.pointer + jsonPointer(key);
        if (stack.length <= maxDepth) lines.set(pendingPointer, line);
      } else {
        arrayElement();
      }
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      let pointer = '';
      if (top?.kind === 'array') {
        arrayElement();
        pointer = `${top.pointer}/${top.index}`;
      } else if (top) {
        pointer = pendingPointer;
      }
      stack.push({ kind: c === 123 ? 'object' : 'array', pointer, index: 0, expectKey: c === 123 });
      i++;
      continue;
    }
    if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      i++;
      continue;
    }
    // Scalar (number, true, false, null) or garbage: skip to the next delimiter.
    arrayElement();
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === 44 || d === 125 || d === 93 || d === 10 || d === 32 || d === 9 || d === 13) break;
      i++;
    }
  }
  return lines;
}

export interface ArrayTableEntry {
  /** 1-based line of the `[[header]]` line. */
  line: number;
  /** Value of the table's `name = "…"` key, when it is a plain basic or literal string. */
  name?: string;
}

/**
 * The `[[header]]` tables of a TOML text, in document order, with their line and `name` key. TOML
 * keeps array-of-tables order, so entry i belongs to element i of the parsed array; callers check the
 * name before trusting the line.
 */
export function arrayTableLines(text: string, header: string): ArrayTableEntry[] {
  const entries: ArrayTableEntry[] = [];
  const lines = text.split('\n');
  let current: ArrayTableEntry | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const t = raw.trim();
    if (t.startsWith('[')) {
      const m = /^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]\s*(#.*)?$/.exec(t);
      if (m?.[1] === header) {
        current = { line: i + 1 };
        entries.push(current);
        continue;
      }
      // Any other header ([package.dependencies], [metadata]…) ends the element's own keys.
      current = undefined;
      continue;
    }
    if (current && current.name === undefined) {
      const m = /^name\s*=\s*(?:"([^"\\]*)"|'([^']*)')/.exec(t);
      if (m) current.name = m[1] ?? m[2];
    }
  }
  return entries;
}

/**
 * Line of element `index` of a `[[header]]` array, when the scan agrees on the name (guards against
 * `[[header]]` lines inside multi-line strings shifting the count).
 */
export function tableLine(
  entries: readonly ArrayTableEntry[],
  index: number,
  name: string,
): number | undefined {
  const e = entries[index];
  return e && e.name === name ? e.line : undefined;
}

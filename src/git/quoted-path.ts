/**
 * Paths in git's patch headers. With `core.quotePath=false` git writes non-ASCII bytes as they are,
 * but still C-quotes a path that holds a control character, `"` or `\` (`"b/tab\there"`), and it
 * appends a TAB to an unquoted `---`/`+++` path that contains a space.
 */

const ESCAPES: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
  '"': 0x22,
  '\\': 0x5c,
};

/**
 * Reads one C-quoted token at the start of `text` (which must begin with `"`). Returns the decoded
 * value and the index just after the closing quote, or undefined when the quoting is malformed.
 */
export function readQuoted(text: string): { value: string; end: number } | undefined {
  if (text[0] !== '"') return undefined;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') return { value: Buffer.from(bytes).toString('utf8'), end: i + 1 };
    if (ch !== '\\') {
      // Keep the code point (it may be a surrogate pair) as its UTF-8 bytes.
      const cp = text.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      for (const b of encoder.encode(s)) bytes.push(b);
      i += s.length;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) return undefined;
    const octal = /^[0-3][0-7]{2}/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 4;
      continue;
    }
    const escaped = ESCAPES[next];
    if (escaped === undefined) return undefined;
    bytes.push(escaped);
    i += 2;
  }
  return undefined;
}

/**
 * The path of a `--- a/x` / `+++ b/x` header value: undefined for `/dev/null`, else the path without
 * its `a/` or `b/` prefix.
 */
export function headerPath(value: string, prefix: 'a/' | 'b/'): string | undefined {
  let p: string;
  if (value.startsWith('"')) {
    const q = readQuoted(value);
    if (!q) return undefined;
    p = q.value;
  } else {
    p = value.endsWith('\t') ? value.slice(0, -1) : value;
    if (p === '/dev/null') return undefined;
  }
  return p.startsWith(prefix) ? p.slice(prefix.length) : p;
}

/**
 * The new-side path of a `diff --git a/X b/Y` line's rest (`a/X b/Y`). Unquoted paths with spaces
 * are ambiguous in general; without a rename both sides are equal, which settles it, and otherwise
 * the last ` b/` wins. Only used when no `+++` line names the file (binary patches).
 */
export function diffGitNewPath(rest: string): string | undefined {
  if (rest.startsWith('"')) {
    const a = readQuoted(rest);
    if (!a || rest[a.end] !== ' ') return undefined;
    return headerPath(rest.slice(a.end + 1), 'b/');
  }
  const quotedB = rest.lastIndexOf(' "b/');
  if (quotedB !== -1 && rest.endsWith('"')) return headerPath(rest.slice(quotedB + 1), 'b/');
  const half = (rest.length - 5) / 2;
  if (Number.isInteger(half) && half > 0 && rest.startsWith('a/')) {
    const a = rest.slice(2, 2 + half);
    if (rest.slice(2 + half, 5 + half) === ' b/' && rest.slice(5 + half) === a) return a;
  }
  const b = rest.lastIndexOf(' b/');
  return b === -1 ? undefined : rest.slice(b + 3);
}

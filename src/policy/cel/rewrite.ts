/**
 * Source-level renames applied before parsing, outside string literals only, to get cel-go
 * (Kubernetes / Kyverno) semantics where the CEL library differs and its built-ins cannot be
 * overridden:
 *
 * - `matches` → `re2Matches`: RE2 syntax and linear-time matching instead of JavaScript's
 *   backtracking RegExp;
 * - `x.orValue(d)` / `x.or(o)` → `k8sOrValue` / `k8sOr`: like cel-go's interpreter, a receiver that
 *   is not optional is returned unchanged (policies call `field.orValue([])` on plain fields);
 * - `has(e.f)` → `k8sHas`: accepts any operand (e.g. `has(image.GetMetadata(x).config.Volumes)`),
 *   not only chains rooted at a variable.
 */

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

export const RENAMED = {
  matches: 're2Matches',
  orValue: 'k8sOrValue',
  or: 'k8sOr',
  has: 'k8sHas',
} as const;

/** Renamed when called as a method (`x.name(`). */
const MEMBER: Record<string, string> = { matches: RENAMED.matches, orValue: RENAMED.orValue, or: RENAMED.or };
/** Renamed when called as a global function (`name(`). */
const GLOBAL: Record<string, string> = { matches: RENAMED.matches, has: RENAMED.has };

/** Index just past the string literal whose opening quote is at `start`. */
function skipString(source: string, start: number, raw: boolean): number {
  const quote = source[start] ?? '';
  const triple = source.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = start + delimiter.length;
  while (i < source.length) {
    if (!raw && source[i] === '\\') {
      i += 2;
      continue;
    }
    if (source.startsWith(delimiter, i)) return i + delimiter.length;
    if (!triple && source[i] === '\n') return i;
    i++;
  }
  return source.length;
}

export function rewriteCelSource(source: string): string {
  let out = '';
  let previous = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? '';
    if (c === '"' || c === "'") {
      const end = skipString(source, i, false);
      out += source.slice(i, end);
      previous = '"';
      i = end;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < source.length && IDENT_PART.test(source[j] ?? '')) j++;
      const word = source.slice(i, j);
      const next = source[j];
      if (/^[rRbB]{1,2}$/.test(word) && (next === '"' || next === "'")) {
        const end = skipString(source, j, /[rR]/.test(word));
        out += source.slice(i, end);
        previous = '"';
        i = end;
        continue;
      }
      let k = j;
      while (k < source.length && /\s/.test(source[k] ?? '')) k++;
      const isCall = source[k] === '(';
      const table = previous === '.' ? MEMBER : GLOBAL;
      const renamed = isCall && Object.prototype.hasOwnProperty.call(table, word) ? table[word] : undefined;
      out += renamed ?? word;
      previous = 'a';
      i = j;
      continue;
    }
    out += c;
    if (!/\s/.test(c)) previous = c;
    i++;
  }
  return out;
}

const RESTORE = Object.entries(RENAMED).map(
  ([original, renamed]) => [new RegExp(`\\b${renamed}\\b`, 'g'), original] as const,
);

/** Undo the renames in messages shown to users. */
export function restoreCelNames(message: string): string {
  let out = message;
  for (const [pattern, original] of RESTORE) out = out.replace(pattern, original);
  return out;
}

import { createHash } from 'node:crypto';

/** sha256 over the parts joined by NUL, hex, truncated: a short stable identity. */
export function fingerprintOf(...parts: (string | number | undefined)[]): string {
  // One update of the joined text: the same bytes as one update per part, a fraction of the cost.
  let joined = '';
  for (const p of parts) joined += `${p === undefined ? '' : String(p)}\0`;
  return createHash('sha256').update(joined).digest('hex').slice(0, 32);
}

/**
 * GitHub's `primaryLocationLineHash`-style hash of a line's content with whitespace removed, so it
 * survives re-indentation and line shifts. Suffixed with the occurrence index like CodeQL does.
 */
export function lineHash(lineText: string, occurrence = 0): string {
  const normalised = lineText.replace(/\s+/g, '');
  return `${createHash('sha256').update(normalised).digest('hex').slice(0, 16)}:${occurrence + 1}`;
}

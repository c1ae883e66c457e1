/** Test helper: an in-memory image filesystem. */
import type { ImageFiles } from './types.js';

export function memFiles(
  files: Record<string, string | Uint8Array>,
  modes: Record<string, number> = {},
): ImageFiles {
  const map = new Map(
    Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : Buffer.from(v)]),
  );
  return {
    paths: [...map.keys()],
    read: (p) => map.get(p),
    mode: (p) => modes[p] ?? (map.has(p) ? 0o644 : undefined),
  };
}

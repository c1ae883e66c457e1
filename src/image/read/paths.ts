import { ImageError } from './errors.js';
import type { ImageLimits } from './limits.js';

/**
 * Normalises a tar entry name to path components below the image root.
 * `./a//b/` → ['a','b']; `a/../b` → ['b']; absolute names and names climbing above the root are refused.
 */
export function entryComponents(
  name: string,
  limits: Pick<ImageLimits, 'maxPathBytes' | 'maxPathDepth'>,
): string[] {
  if (name.includes('\0'))
    throw new ImageError('path-traversal', `entry name contains NUL: ${JSON.stringify(name)}`);
  if (Buffer.byteLength(name) > limits.maxPathBytes) {
    throw new ImageError('too-large', `entry name longer than ${limits.maxPathBytes} bytes`);
  }
  if (name.startsWith('/'))
    throw new ImageError('absolute-path', `absolute entry name: ${JSON.stringify(name)}`);
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0)
        throw new ImageError('path-traversal', `entry escapes the root: ${JSON.stringify(name)}`);
      out.pop();
      continue;
    }
    out.push(part);
  }
  if (out.length > limits.maxPathDepth)
    throw new ImageError('too-deep', `entry nested deeper than ${limits.maxPathDepth}`);
  return out;
}

/**
 * True when a symlink at `linkParts` pointing at `target` leaves the root when resolved lexically
 * (absolute targets are taken relative to the image root, as inside the container).
 */
export function symlinkEscapes(linkParts: readonly string[], target: string): boolean {
  const stack = target.startsWith('/') ? [] : linkParts.slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return true;
      stack.pop();
    } else stack.push(part);
  }
  return false;
}

/** Splits a caller's path ('/etc/os-release', 'etc/os-release') into components; `..` handled at lookup. */
export function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

export function joinPath(parts: readonly string[]): string {
  return '/' + parts.join('/');
}

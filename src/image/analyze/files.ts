/** Path handling shared by the analyzers. */
import type { ImageFiles } from './types.js';

/** `./etc/x`, `/etc/x`, `etc//x` → `etc/x` (forward slashes, no leading `/` or `./`). */
export function normalisePath(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** An index over `ImageFiles` by normalised path. */
export class FileIndex {
  readonly paths: string[];
  private readonly original = new Map<string, string>();

  constructor(private readonly files: ImageFiles) {
    this.paths = [];
    for (const p of files.paths) {
      const n = normalisePath(p);
      if (!n || this.original.has(n)) continue;
      this.original.set(n, p);
      this.paths.push(n);
    }
  }

  has(path: string): boolean {
    return this.original.has(normalisePath(path));
  }

  /** The file's bytes; undefined when absent, unreadable or larger than `maxBytes`. */
  read(path: string, maxBytes = Number.POSITIVE_INFINITY): Buffer | undefined {
    const n = normalisePath(path);
    const original = this.original.get(n);
    // A well-known path missing from the list (e.g. a symlink such as /etc/os-release) may still be
    // readable through the reader, which resolves links inside the image.
    const candidates = original === undefined ? [`/${n}`, n] : [original];
    for (const candidate of candidates) {
      let data: Buffer | undefined;
      try {
        data = this.files.read(candidate);
      } catch {
        data = undefined;
      }
      if (data) return data.length <= maxBytes ? data : undefined;
    }
    return undefined;
  }

  mode(path: string): number | undefined {
    const original = this.original.get(normalisePath(path));
    if (original === undefined || !this.files.mode) return undefined;
    try {
      return this.files.mode(original);
    } catch {
      return undefined;
    }
  }
}

export const MiB = 1024 * 1024;

/** UTF-8 text without a BOM. */
export function text(data: Buffer): string {
  const s = data.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

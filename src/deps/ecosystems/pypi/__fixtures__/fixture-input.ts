/** Test support: a ParseInput over a fixture folder (shared by the pypi, go, cargo, rubygems, composer and nuget tests). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParseInput } from '../../../model.js';

/** `path` is relative to `root`; `file()` serves any other file under `root`. */
export function fixtureInput(root: string, path: string): ParseInput {
  const read = (p: string): string | undefined => {
    const full = join(root, p);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  };
  return { path, text: read(path) ?? '', file: read };
}

/** A ParseInput over literal text, with optional sibling files. */
export function textInput(path: string, text: string, files: Record<string, string> = {}): ParseInput {
  return { path, text, file: (p) => files[p] };
}

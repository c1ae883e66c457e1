import type { Skipped } from '../walk/types.js';
import { walkFiles } from '../walk/walk.js';
import { isSkipped, readForScan } from '../walk/read.js';
import { decodeManifest, makeInventoryFilter } from './inventory.js';

export interface CollectOptions {
  root: string;
  maxFileSize: number;
  respectGitignore: boolean;
  skipPaths: readonly string[];
  onSkip(s: Skipped): void;
}

/**
 * Reads the lockfiles, manifests and their companion files under `root` (walker rules apply:
 * .gitignore, .rampartignore, size cap, no symlinks) into a path → text map for `buildInventory`.
 */
export async function collectManifests(opts: CollectOptions): Promise<Map<string, string>> {
  const wanted = makeInventoryFilter();
  const files = new Map<string, string>();
  for await (const file of walkFiles({ ...opts })) {
    if (!wanted(file.path)) continue;
    const content = await readForScan(file, opts.maxFileSize);
    if (isSkipped(content)) {
      opts.onSkip(content);
      continue;
    }
    files.set(file.path, decodeManifest(content));
  }
  return files;
}

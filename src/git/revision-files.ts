import { locate } from './repo.js';
import { gitOutput, spawnGit } from './run.js';

/**
 * The files of a revision (paths relative to `root`, as in a path scan) for which `want(path)` is
 * true, with their bytes. Used by dependency review to read lockfiles at the base and at HEAD
 * without touching the working tree. Files over `maxBytes` are left out.
 */
export async function filesAtRevision(
  root: string,
  rev: string,
  want: (path: string) => boolean,
  maxBytes: number,
): Promise<Map<string, Buffer>> {
  const loc = await locate(root);
  const ctx = { where: root, action: 'git ls-tree' };
  const listing = await gitOutput(['ls-tree', '-r', '-z', '-l', '--end-of-options', rev], loc.cwd, ctx);
  const out = new Map<string, Buffer>();
  for (const entry of listing.split('\0')) {
    // <mode> SP <type> SP <object> SP+ <size> TAB <path>
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, , size] = entry.slice(0, tab).split(/\s+/);
    const path = entry.slice(tab + 1);
    if (type !== 'blob' || !want(path) || Number(size) > maxBytes) continue;
    out.set(path, await blob(loc.cwd, `${rev}:./${path}`, root));
  }
  return out;
}

async function blob(cwd: string, spec: string, where: string): Promise<Buffer> {
  const proc = spawnGit(['cat-file', 'blob', spec], cwd, { where, action: 'git cat-file' });
  const chunks: Buffer[] = [];
  for await (const c of proc.stdout as AsyncIterable<Buffer>) chunks.push(c);
  await proc.done;
  return Buffer.concat(chunks);
}

/** `git merge-base base HEAD`: where the current branch forked from `base`. */
export async function mergeBaseWith(root: string, base: string): Promise<string> {
  const loc = await locate(root);
  const out = await gitOutput(['merge-base', '--end-of-options', base, 'HEAD'], loc.cwd, {
    where: root,
    action: 'git merge-base',
  });
  return out.trim();
}

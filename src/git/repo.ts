import { stat } from 'node:fs/promises';
import path from 'node:path';
import { RampartError } from '../core/errors.js';
import { gitOutput } from './run.js';

/** Where git runs for a scan root, and how its output is limited to that root. */
export interface RepoLocation {
  /** Directory git runs in: the root itself, or the directory of a single-file root. */
  cwd: string;
  /** Pathspec limiting the scan to a single-file root (else empty). */
  pathspec: string[];
  /** True when cwd is below the top of the work tree: git must print paths relative to cwd. */
  relative: boolean;
  bare: boolean;
}

export async function locate(root: string): Promise<RepoLocation> {
  const abs = path.resolve(root);
  let isFile: boolean;
  try {
    isFile = (await stat(abs)).isFile();
  } catch {
    throw new RampartError('PATH_UNREADABLE', `no such file or directory: ${root}`);
  }
  const cwd = isFile ? path.dirname(abs) : abs;
  const ctx = { where: root, action: 'git rev-parse' };
  const out = (
    await gitOutput(['rev-parse', '--is-bare-repository', '--is-inside-git-dir', '--show-prefix'], cwd, ctx)
  ).split('\n');
  const bare = out[0] === 'true';
  if (!bare && out[1] === 'true')
    throw new RampartError('GIT_FAILED', `not a git working tree (inside the .git directory): ${root}`);
  return {
    cwd,
    pathspec: isFile ? [`:(literal)${path.basename(abs)}`] : [],
    relative: !bare && (out[2] ?? '') !== '',
    bare,
  };
}

/**
 * The top directory of the work tree that contains `p` (a file or directory), or the git directory
 * of a bare repository. Throws RampartError('GIT_FAILED', 'not a git repository: p').
 */
export async function repoRootOf(p: string): Promise<string> {
  const loc = await locate(p);
  const ctx = { where: p, action: 'git rev-parse' };
  const flag = loc.bare ? '--absolute-git-dir' : '--show-toplevel';
  const top = (await gitOutput(['rev-parse', flag], loc.cwd, ctx)).replace(/\r?\n$/, '');
  return path.resolve(top);
}

import fs from 'node:fs';
import path from 'node:path';
import type { WalkOptions } from './types.js';
import { makeLayer, MAX_IGNORE_FILE_BYTES, testIgnored, type IgnoreLayer } from './ignore-rules.js';

/**
 * The I/O side of ignore rules: finding and reading `.gitignore`, `.rampartignore` and
 * `.git/info/exclude` files (never through a symlink, never more than MAX_IGNORE_FILE_BYTES), and
 * turning them into layers (see ignore-rules.ts for the matching).
 */

export const GITIGNORE = '.gitignore';
export const RAMPARTIGNORE = '.rampartignore';
/** How far above the scan root we look for the enclosing git repository. */
const MAX_ANCESTOR_LEVELS = 64;

/** Layers added by the ignore files of one directory (found in its listing: no extra syscalls). */
export function localLayers(
  inherited: readonly IgnoreLayer[],
  dirRel: string,
  dirAbs: string,
  entries: readonly fs.Dirent[],
  opts: WalkOptions,
): readonly IgnoreLayer[] {
  let layers = inherited;
  const names = opts.respectGitignore ? [GITIGNORE, RAMPARTIGNORE] : [RAMPARTIGNORE];
  for (const name of names) {
    const entry = entries.find((e) => e.name === name);
    if (!entry || !entry.isFile()) continue; // a symlinked ignore file is not followed either
    // Inside the root the ignore file is also a file to scan: if it cannot be read, the reader
    // reports it then (reporting it here too would count it twice).
    const text = readIgnoreFile(path.join(dirAbs, name), dirRel + name, undefined);
    if (text === undefined) continue;
    const layer = makeLayer(dirRel + name, text, dirRel);
    if (layer) layers = [...layers, layer];
  }
  return layers;
}

/** The text of an ignore file, or undefined (reported through `opts.onSkip` when given). */
function readIgnoreFile(abs: string, rel: string, opts: WalkOptions | undefined): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(
      abs,
      fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0),
    );
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return undefined;
    const buf = Buffer.allocUnsafe(Math.min(st.size, MAX_IGNORE_FILE_BYTES));
    let off = 0;
    let n: number;
    while (off < buf.length && (n = fs.readSync(fd, buf, off, buf.length - off, null)) > 0) off += n;
    return buf.toString('utf8', 0, off);
  } catch (err) {
    opts?.onSkip({ path: rel, reason: 'unreadable', detail: `ignore file not applied: ${codeOf(err)}` });
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Ignore files above the scan root: only inside a git repository (found by walking up to the
 * directory holding `.git`), from its top down to the root's parent, plus `.git/info/exclude`.
 * A layer that would exclude the scan root itself is dropped (the root was named explicitly).
 */
export function ancestorLayers(root: string, opts: WalkOptions): IgnoreLayer[] {
  const chain: string[] = []; // from the root's parent upwards
  let top: string | undefined;
  let dir = root;
  for (let level = 0; level < MAX_ANCESTOR_LEVELS; level++) {
    if (level > 0) chain.push(dir);
    if (fs.existsSync(path.join(dir, '.git'))) {
      top = dir;
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (!top || top === root) {
    // The root is the repository top (or not in a repository): only its own info/exclude applies.
    return top && opts.respectGitignore ? infoExcludeLayer(top, '', opts) : [];
  }
  const rootRel = (from: string) => `${path.relative(from, root).split(path.sep).join('/')}/`;
  const layers: IgnoreLayer[] = [];
  if (opts.respectGitignore) layers.push(...infoExcludeLayer(top, rootRel(top), opts));
  for (const ancestor of chain.reverse()) {
    const names = opts.respectGitignore ? [GITIGNORE, RAMPARTIGNORE] : [RAMPARTIGNORE];
    for (const name of names) {
      const file = path.join(ancestor, name);
      let st: fs.Stats | undefined;
      try {
        st = fs.lstatSync(file, { throwIfNoEntry: false });
      } catch {
        st = undefined;
      }
      if (!st?.isFile()) continue;
      const shown = path.relative(root, file).split(path.sep).join('/');
      const text = readIgnoreFile(file, shown, opts);
      if (text === undefined) continue;
      const layer = makeLayer(shown, text, '', rootRel(ancestor));
      if (layer) layers.push(layer);
    }
  }
  return layers.filter((l) => !testIgnored([l], '', true).ignored);
}

function infoExcludeLayer(top: string, prefix: string, opts: WalkOptions): IgnoreLayer[] {
  const gitDir = resolveGitDir(top);
  if (!gitDir) return [];
  const file = path.join(gitDir, 'info', 'exclude');
  if (!fs.existsSync(file)) return [];
  const text = readIgnoreFile(file, '.git/info/exclude', opts);
  if (text === undefined) return [];
  const layer = makeLayer('.git/info/exclude', text, '', prefix);
  return !layer || (prefix && testIgnored([layer], '', true).ignored) ? [] : [layer];
}

/** `.git` is a directory, or a file `gitdir: <path>` (worktrees, submodules) whose commondir holds info/. */
function resolveGitDir(top: string): string | undefined {
  const dotGit = path.join(top, '.git');
  try {
    const st = fs.lstatSync(dotGit);
    if (st.isDirectory()) return dotGit;
    if (!st.isFile() || st.size > 4096) return undefined;
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
    if (!m) return undefined;
    const gitDir = path.resolve(top, m[1]!);
    const commonFile = path.join(gitDir, 'commondir');
    if (fs.existsSync(commonFile)) return path.resolve(gitDir, fs.readFileSync(commonFile, 'utf8').trim());
    return gitDir;
  } catch {
    return undefined;
  }
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? String(err);
}

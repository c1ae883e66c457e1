import fs from 'node:fs';
import path from 'node:path';
import { RampartError } from '../core/errors.js';
import type { Skipped, WalkedFile, WalkOptions } from './types.js';
import { makeLayer, testIgnored, type IgnoreLayer } from './ignore-rules.js';
import { ancestorLayers, localLayers } from './ignore-files.js';

interface DirFrame {
  /** Root-relative directory with a trailing slash ('' for the root). */
  rel: string;
  abs: string;
  layers: readonly IgnoreLayer[];
}

/**
 * Walks a directory (or yields a single-file root) and yields the regular files to scan, in a
 * deterministic order: within each directory, names sorted by UTF-16 code units, files first, then
 * each subdirectory depth-first.
 *
 * - `.git` (directory or gitfile) is always skipped, never descended into.
 * - `.rampartignore` files (gitignore syntax, at any depth) and `skipPaths` always apply; with
 *   `respectGitignore`, so do `.gitignore` files at any depth, `.git/info/exclude`, and the
 *   `.gitignore` files between the enclosing repository's top and the scan root. Ignore files above
 *   the root never exclude the root itself: a directory the user names explicitly is scanned.
 * - Ignored entries are reported once through `onSkip` with reason 'ignored' (an ignored directory
 *   as `dir/`, not descended into, so its files are neither visited nor counted).
 * - Symlinks are never followed (reported as 'symlink' with their target): loops and escapes from
 *   the root are impossible. FIFOs, sockets and devices are 'special-file'. Files larger than
 *   `maxFileSize` are 'too-large' without being opened. A directory that cannot be listed is
 *   'unreadable' and the walk goes on.
 * - The root itself may be a symlink: it is the user's explicit choice and is resolved once.
 *
 * Throws RampartError('PATH_UNREADABLE') only when the root itself cannot be read.
 */
export async function* walkFiles(opts: WalkOptions): AsyncGenerator<WalkedFile> {
  const root = path.resolve(opts.root);
  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(root);
  } catch (err) {
    throw new RampartError('PATH_UNREADABLE', `cannot read ${opts.root}: ${codeOf(err)}`, { cause: err });
  }

  if (!rootStat.isDirectory()) {
    const name = path.basename(root);
    if (!rootStat.isFile()) opts.onSkip({ path: name, reason: 'special-file', detail: kindOf(rootStat) });
    else if (rootStat.size > opts.maxFileSize) opts.onSkip(tooLarge(name, rootStat.size, opts.maxFileSize));
    else yield { path: name, absPath: root, size: rootStat.size };
    return;
  }

  // Listing the root must work; deeper unreadable directories are only skipped.
  try {
    fs.accessSync(root, fs.constants.R_OK | fs.constants.X_OK);
  } catch (err) {
    throw new RampartError('PATH_UNREADABLE', `cannot read directory ${opts.root}: ${codeOf(err)}`, {
      cause: err,
    });
  }

  const skipLayer = makeLayer('skip-paths', opts.skipPaths.join('\n'), '');
  const skipMatcher = skipLayer ? [skipLayer] : [];
  const stack: DirFrame[] = [{ rel: '', abs: root, layers: ancestorLayers(root, opts) }];

  while (stack.length) {
    const frame = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(frame.abs, { withFileTypes: true });
    } catch (err) {
      opts.onSkip({ path: frame.rel || '.', reason: 'unreadable', detail: codeOf(err) });
      continue;
    }
    entries.sort(byName);
    const layers = localLayers(frame.layers, frame.rel, frame.abs, entries, opts);
    const subdirs: DirFrame[] = [];

    for (const entry of entries) {
      const name = entry.name;
      const rel = frame.rel + name;
      if (name === '.git') {
        opts.onSkip({
          path: entry.isDirectory() ? `${rel}/` : rel,
          reason: 'ignored',
          detail: 'git metadata',
        });
        continue;
      }
      const isDir = entry.isDirectory();
      const skip = testIgnored(skipMatcher, rel, isDir);
      const verdict = skip.ignored ? skip : testIgnored(layers, rel, isDir);
      if (verdict.ignored) {
        const s: Skipped = { path: isDir ? `${rel}/` : rel, reason: 'ignored' };
        if (verdict.by) s.detail = verdict.by;
        opts.onSkip(s);
        continue;
      }
      const abs = path.join(frame.abs, name);
      if (isDir) {
        subdirs.push({ rel: `${rel}/`, abs, layers });
      } else if (entry.isFile()) {
        const file = statFile(rel, abs, name, opts);
        if (file) yield file;
      } else if (entry.isSymbolicLink()) {
        opts.onSkip({ path: rel, reason: 'symlink', detail: `-> ${readlinkOrUnknown(abs)}` });
      } else {
        opts.onSkip({ path: rel, reason: 'special-file', detail: direntKind(entry) });
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

/** lstat (never stat: the entry may have been swapped for a symlink since readdir). */
function statFile(rel: string, abs: string, name: string, opts: WalkOptions): WalkedFile | undefined {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    opts.onSkip({ path: rel, reason: 'unreadable', detail: codeOf(err) });
    return undefined;
  }
  if (!st) {
    // Node decodes names as UTF-8; a name that is not valid UTF-8 cannot be opened by its string.
    const detail = name.includes('\uFFFD') ? 'file name is not valid UTF-8' : 'vanished during the walk';
    opts.onSkip({ path: rel, reason: 'unreadable', detail });
    return undefined;
  }
  if (st.isSymbolicLink()) {
    opts.onSkip({ path: rel, reason: 'symlink', detail: `-> ${readlinkOrUnknown(abs)}` });
    return undefined;
  }
  if (!st.isFile()) {
    opts.onSkip({ path: rel, reason: 'special-file', detail: kindOf(st) });
    return undefined;
  }
  if (st.size > opts.maxFileSize) {
    opts.onSkip(tooLarge(rel, st.size, opts.maxFileSize));
    return undefined;
  }
  return { path: rel, absPath: abs, size: st.size };
}

function tooLarge(rel: string, size: number, max: number): Skipped {
  return { path: rel, reason: 'too-large', detail: `${size} bytes > ${max}` };
}

function byName(a: fs.Dirent, b: fs.Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function readlinkOrUnknown(abs: string): string {
  try {
    return fs.readlinkSync(abs);
  } catch {
    return '?';
  }
}

function direntKind(e: fs.Dirent): string {
  if (e.isFIFO()) return 'fifo';
  if (e.isSocket()) return 'socket';
  if (e.isBlockDevice()) return 'block device';
  if (e.isCharacterDevice()) return 'character device';
  return 'unknown file type';
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice()) return 'block device';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isDirectory()) return 'directory';
  return 'unknown file type';
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? String(err);
}

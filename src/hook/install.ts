import { chmod, lstat, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RampartError } from '../core/errors.js';
import { gitOutput } from '../git/run.js';
import { HOOK_SCAN_ARGS, hookScript, isRampartHook, type HookName } from './script.js';

export interface HookOptions {
  /** A directory inside the repository (the hook goes to its hooks directory). */
  cwd: string;
  hook?: HookName;
  /** Replace a hook Rampart did not write (it is kept as `<hook>.backup`). */
  force?: boolean;
}

export interface InstallResult {
  /** Absolute path of the hook file. */
  path: string;
  action: 'installed' | 'updated';
  /** Where a foreign hook was moved (with --force). */
  backup?: string;
}

export interface UninstallResult {
  path: string;
  action: 'removed' | 'absent';
  /** A backup that was put back in place. */
  restored?: string;
}

type Existing = { kind: 'none' } | { kind: 'ours' } | { kind: 'foreign'; what: string };

/**
 * The hooks directory of the repository containing `cwd`: `core.hooksPath` when set, else
 * `.git/hooks` (of the main repository for a linked worktree).
 */
export async function hooksDir(cwd: string): Promise<string> {
  const ctx = { where: cwd, action: 'git rev-parse' };
  const out = (await gitOutput(['rev-parse', '--git-path', 'hooks'], cwd, ctx)).replace(/\r?\n$/, '');
  return path.resolve(cwd, out);
}

export async function installHook(options: HookOptions): Promise<InstallResult> {
  const hook = options.hook ?? 'pre-commit';
  const dir = await hooksDir(options.cwd);
  const file = path.join(dir, hook);
  const existing = await inspect(file);
  let backup: string | undefined;
  if (existing.kind === 'foreign') {
    if (!options.force) {
      throw new RampartError(
        'USAGE',
        `${file} already exists and was not written by rampart (${existing.what}): add "rampart ${HOOK_SCAN_ARGS}" to it, or rerun with --force to replace it (it is kept as ${hook}.backup)`,
      );
    }
    backup = await freeBackupName(file);
    await rename(file, backup);
  }
  await mkdir(dir, { recursive: true });
  // Write beside and rename: a commit running concurrently never sees half a hook.
  const tmp = `${file}.rampart-${process.pid}.tmp`;
  try {
    await writeFile(tmp, hookScript(hook), { mode: 0o755 });
    await chmod(tmp, 0o755); // the umask may have removed bits at creation
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new RampartError('OUTPUT_FAILED', `cannot write ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    path: file,
    action: existing.kind === 'ours' ? 'updated' : 'installed',
    ...(backup ? { backup } : {}),
  };
}

export async function uninstallHook(options: Omit<HookOptions, 'force'>): Promise<UninstallResult> {
  const hook = options.hook ?? 'pre-commit';
  const file = path.join(await hooksDir(options.cwd), hook);
  const existing = await inspect(file);
  if (existing.kind === 'none') return { path: file, action: 'absent' };
  if (existing.kind === 'foreign') {
    throw new RampartError('USAGE', `${file} was not written by rampart (${existing.what}); left untouched`);
  }
  await unlink(file);
  const backup = `${file}.backup`;
  if ((await inspect(backup)).kind !== 'none') {
    await rename(backup, file);
    return { path: file, action: 'removed', restored: backup };
  }
  return { path: file, action: 'removed' };
}

async function inspect(file: string): Promise<Existing> {
  let st;
  try {
    st = await lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw new RampartError('PATH_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (st.isSymbolicLink()) return { kind: 'foreign', what: 'a symbolic link' };
  if (!st.isFile()) return { kind: 'foreign', what: 'not a regular file' };
  // A hook is a small script; do not read a huge file to find out it is not ours.
  if (st.size > 64 * 1024) return { kind: 'foreign', what: 'another hook' };
  const content = await readFile(file, 'utf8');
  return isRampartHook(content) ? { kind: 'ours' } : { kind: 'foreign', what: 'another hook' };
}

async function freeBackupName(file: string): Promise<string> {
  for (let i = 1; i < 1000; i++) {
    const candidate = i === 1 ? `${file}.backup` : `${file}.backup.${i}`;
    if ((await inspect(candidate)).kind === 'none') return candidate;
  }
  throw new RampartError('OUTPUT_FAILED', `too many backups of ${file}`);
}

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

/** The repository of this test file (two levels up from test/git/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RAMPART_BIN = path.join(REPO_ROOT, 'bin', 'rampart.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(abs));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(abs).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  const main = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
  return existsSync(main) && statSync(main).mtimeMs >= newestSource(path.join(REPO_ROOT, 'src'));
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * The end-to-end tests run bin/rampart.js, which loads dist/. Build it when it is missing or older
 * than the sources; a lock directory keeps concurrent test files from building at the same time.
 */
export function ensureBuilt(): void {
  if (isFresh()) return;
  const lock = path.join(
    os.tmpdir(),
    `rampart-build-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`,
  );
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process builds; a lock older than 3 minutes is from a dead process.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmdirSync(lock);
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      sleep(200);
    }
  }
  try {
    if (isFresh()) return;
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`building dist/ failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
    }
  } finally {
    rmdirSync(lock);
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runRampart(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): RunResult {
  const r = spawnSync(process.execPath, [RAMPART_BIN, ...args], {
    cwd,
    env: { ...env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

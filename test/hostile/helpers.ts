import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { walkFiles } from '../../src/walk/walk.js';
import { readForScan } from '../../src/walk/read.js';
import type { Skipped, WalkOptions } from '../../src/walk/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fresh directory (realpath: macOS /tmp is a symlink), removed after the test. */
export function hostileDir(t: { after(fn: () => void): void }): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-hostile-')));
  t.after(() => {
    // undo chmod 000 so that the cleanup can descend
    const restore = (p: string) => {
      try {
        const st = fs.lstatSync(p);
        if (st.isDirectory()) {
          fs.chmodSync(p, 0o755);
          for (const e of fs.readdirSync(p)) restore(path.join(p, e));
        }
      } catch {
        // best effort
      }
    };
    restore(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export interface WalkAndReadResult {
  /** Relative path → content of every file handed to the scanners. */
  scanned: Map<string, Buffer>;
  skipped: Skipped[];
  ms: number;
}

/** The path pipeline without the scanners: walk, then read each file, collecting skips. */
export async function walkAndRead(root: string, opts: Partial<WalkOptions> = {}): Promise<WalkAndReadResult> {
  const t0 = performance.now();
  const skipped: Skipped[] = [];
  const scanned = new Map<string, Buffer>();
  const maxFileSize = opts.maxFileSize ?? 10 * 1024 * 1024;
  for await (const file of walkFiles({
    root,
    maxFileSize,
    respectGitignore: true,
    skipPaths: [],
    onSkip: (s) => skipped.push(s),
    ...opts,
  })) {
    const content = await readForScan(file, maxFileSize);
    if (Buffer.isBuffer(content)) scanned.set(file.path, content);
    else skipped.push(content);
  }
  return { scanned, skipped, ms: performance.now() - t0 };
}

export const isRoot = () => process.getuid?.() === 0;

/**
 * Runs an ES module snippet as the unprivileged user `nobody` (uid/gid 65534) in a child Node
 * process with tsx, from the repository root. Only possible when we are root. Returns stdout.
 */
export function runAsNobody(code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: repoRoot,
    uid: 65534,
    gid: 65534,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir() },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Deterministic pseudo-random generator (mulberry32) for generated inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

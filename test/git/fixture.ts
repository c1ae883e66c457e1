import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Temporary git repositories for the git-mode tests. The user's global and system git config are
 * kept out (GIT_CONFIG_GLOBAL/NOSYSTEM) so that a hooksPath, signing or template setting of the
 * machine cannot change the outcome; every child git (also the ones Rampart starts) inherits this.
 */
let isolated: string | undefined;
export function isolateGitConfig(): void {
  if (isolated) return;
  isolated = mkdtempSync(path.join(os.tmpdir(), 'rampart-gitcfg-'));
  const cfg = path.join(isolated, 'gitconfig');
  writeFileSync(cfg, '');
  const dir = isolated;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  process.env.GIT_CONFIG_GLOBAL = cfg;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  delete process.env.GIT_DIR;
  delete process.env.GIT_WORK_TREE;
  delete process.env.GIT_INDEX_FILE;
}

export interface Author {
  name: string;
  email: string;
}

export const ALICE: Author = { name: 'Alice Example', email: 'alice@example.org' };
export const BOB: Author = { name: 'Bob Sample', email: 'bob@example.org' };

export class TestRepo {
  readonly dir: string;
  private clock = Date.UTC(2024, 0, 1, 12, 0, 0) / 1000;

  constructor(prefix = 'rampart-git-') {
    isolateGitConfig();
    this.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.git('init', '-q', '--initial-branch=main');
    this.git('config', 'user.name', ALICE.name);
    this.git('config', 'user.email', ALICE.email);
    this.git('config', 'commit.gpgsign', 'false');
    this.git('config', 'init.defaultBranch', 'main');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  write(rel: string, content: string | Buffer): void {
    const abs = path.join(this.dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }

  remove(rel: string): void {
    rmSync(path.join(this.dir, rel));
  }

  /** Stages everything and commits with a distinct, increasing date; returns the date and sha. */
  commit(message: string, author: Author = ALICE): { sha: string; date: string } {
    this.clock += 3600;
    const date = new Date(this.clock * 1000).toISOString().replace('.000Z', '+00:00');
    this.git('add', '-A');
    execFileSync('git', ['commit', '-q', '--no-verify', '-m', message], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_AUTHOR_DATE: `${this.clock} +0000`,
        GIT_COMMITTER_DATE: `${this.clock} +0000`,
      },
    });
    return { sha: this.git('rev-parse', 'HEAD').trim(), date };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Deterministic token material. Built at run time so that no complete credential-shaped literal
 * sits in the repository (our own scan, push protection).
 */
export function tokenChars(seed: number, length: number, alphabet: string): string {
  let x = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An AWS access key id shape: AKIA + 16 of [A-Z2-7]. */
export const awsKeyId = (seed: number) => ['AK', 'IA', tokenChars(seed, 16, UPPER_B32)].join('');
/** A classic GitHub personal access token shape: ghp_ + 36 alphanumerics. */
export const githubPat = (seed: number) => ['gh', 'p_', tokenChars(seed, 36, ALNUM)].join('');

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { walkFiles } from './walk.js';
import type { Skipped, WalkOptions } from './types.js';
import { RampartError } from '../core/errors.js';
import { MAX_IGNORE_PATTERNS } from './ignore-rules.js';

function tmpDir(t: { after(fn: () => void): void }): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-walk-')));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Creates files from a map of relative path → content. */
function tree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

async function walk(
  root: string,
  opts: Partial<WalkOptions> = {},
): Promise<{ files: string[]; skipped: Skipped[] }> {
  const skipped: Skipped[] = [];
  const files: string[] = [];
  for await (const f of walkFiles({
    root,
    maxFileSize: 1 << 20,
    respectGitignore: true,
    skipPaths: [],
    onSkip: (s) => skipped.push(s),
    ...opts,
  })) {
    files.push(f.path);
  }
  return { files, skipped };
}

const reasons = (skipped: Skipped[]) => skipped.map((s) => `${s.reason} ${s.path}`).sort();

test('yields every file with root-relative forward-slash paths, sizes and absolute paths', async (t) => {
  const root = tmpDir(t);
  tree(root, { 'a.txt': 'aa', 'src/b.ts': 'bbb', 'src/deep/c.js': 'c' });
  const got: { path: string; absPath: string; size: number }[] = [];
  for await (const f of walkFiles({
    root,
    maxFileSize: 100,
    respectGitignore: true,
    skipPaths: [],
    onSkip: () => {},
  }))
    got.push(f);
  assert.deepEqual(
    got.map((f) => [f.path, f.size, f.absPath]),
    [
      ['a.txt', 2, path.join(root, 'a.txt')],
      ['src/b.ts', 3, path.join(root, 'src', 'b.ts')],
      ['src/deep/c.js', 1, path.join(root, 'src', 'deep', 'c.js')],
    ],
  );
});

test('order is deterministic: files of a directory sorted by name, then its subdirectories', async (t) => {
  const root = tmpDir(t);
  tree(root, { 'b/2': '', 'b/1': '', 'a/z': '', Z: '', c: '', 'a.txt': '', 'b/a/x': '' });
  const { files } = await walk(root);
  assert.deepEqual(files, ['Z', 'a.txt', 'c', 'a/z', 'b/1', 'b/2', 'b/a/x']);
});

test('a single-file root yields that file under its base name', async (t) => {
  const root = tmpDir(t);
  tree(root, { 'only.env': 'X=1\n' });
  const { files } = await walk(path.join(root, 'only.env'));
  assert.deepEqual(files, ['only.env']);
  const big = await walk(path.join(root, 'only.env'), { maxFileSize: 2 });
  assert.deepEqual(big.files, []);
  assert.deepEqual(reasons(big.skipped), ['too-large only.env']);
});

test('a missing root is a PATH_UNREADABLE error', async (t) => {
  const root = tmpDir(t);
  await assert.rejects(
    walk(path.join(root, 'nope')),
    (err: unknown) => err instanceof RampartError && err.code === 'PATH_UNREADABLE',
  );
});

test('.gitignore at any depth, with negation; ignored directories are not descended into', async (t) => {
  const root = tmpDir(t);
  tree(root, {
    '.gitignore': '*.log\nbuild/\n/top-only.txt\n',
    'app.log': '',
    'keep.txt': '',
    'top-only.txt': '',
    'build/out.js': '',
    'sub/top-only.txt': '',
    'sub/.gitignore': '!important.log\nlocal.txt\n',
    'sub/important.log': '',
    'sub/other.log': '',
    'sub/local.txt': '',
    'local.txt': '',
  });
  const { files, skipped } = await walk(root);
  assert.deepEqual(files, [
    '.gitignore',
    'keep.txt',
    'local.txt',
    'sub/.gitignore',
    'sub/important.log',
    'sub/top-only.txt',
  ]);
  assert.deepEqual(reasons(skipped), [
    'ignored app.log',
    'ignored build/',
    'ignored sub/local.txt',
    'ignored sub/other.log',
    'ignored top-only.txt',
  ]);
  assert.equal(skipped.find((s) => s.path === 'build/')?.detail, '.gitignore: build/');
});

test('respectGitignore=false ignores .gitignore but still honours .rampartignore (nested too)', async (t) => {
  const root = tmpDir(t);
  tree(root, {
    '.gitignore': '*.log\n',
    '.rampartignore': 'fixtures/\n',
    'a.log': '',
    'fixtures/x.txt': '',
    'pkg/.rampartignore': 'gen.js\n',
    'pkg/gen.js': '',
    'pkg/main.js': '',
  });
  const { files } = await walk(root, { respectGitignore: false });
  assert.deepEqual(files, ['.gitignore', '.rampartignore', 'a.log', 'pkg/.rampartignore', 'pkg/main.js']);
  const honoured = await walk(root, { respectGitignore: true });
  assert.ok(!honoured.files.includes('a.log'));
});

test('.rampartignore can re-include what .gitignore excludes in the same directory', async (t) => {
  const root = tmpDir(t);
  tree(root, { '.gitignore': '*.env\n', '.rampartignore': '!prod.env\n', 'prod.env': '', 'dev.env': '' });
  const { files } = await walk(root);
  assert.deepEqual(files, ['.gitignore', '.rampartignore', 'prod.env']);
});

test('skipPaths apply whatever the ignore files say', async (t) => {
  const root = tmpDir(t);
  tree(root, {
    '.rampartignore': '!vendor/keep.js\n',
    'vendor/keep.js': '',
    'src/a.min.js': '',
    'src/a.js': '',
  });
  const { files, skipped } = await walk(root, { skipPaths: ['vendor/', '*.min.js'] });
  assert.deepEqual(files, ['.rampartignore', 'src/a.js']);
  assert.deepEqual(reasons(skipped), ['ignored src/a.min.js', 'ignored vendor/']);
});

test('.git is never walked; .git/info/exclude and ancestor .gitignore files apply inside a repository', async (t) => {
  const repo = tmpDir(t);
  tree(repo, {
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.git/config': 'token = should-never-be-read\n',
    '.git/info/exclude': 'secret-notes.txt\n',
    '.gitignore': '*.tmp\n',
    'pkg/a.tmp': '',
    'pkg/a.js': '',
    'pkg/secret-notes.txt': '',
  });
  const whole = await walk(repo);
  assert.deepEqual(whole.files, ['.gitignore', 'pkg/a.js']);
  assert.ok(whole.skipped.some((s) => s.path === '.git/' && s.reason === 'ignored'));
  // Scanning a subdirectory still honours the repository's ignore files.
  const sub = await walk(path.join(repo, 'pkg'));
  assert.deepEqual(sub.files, ['a.js']);
});

test('an explicitly named root is scanned even when an ancestor .gitignore excludes it', async (t) => {
  const repo = tmpDir(t);
  tree(repo, {
    '.git/HEAD': '',
    '.gitignore': 'work/\n*.log\n',
    'work/corpus/a.js': '',
    'work/corpus/b.log': '',
  });
  const { files } = await walk(path.join(repo, 'work', 'corpus'));
  // The layer that excludes the root is dropped as a whole (so *.log from it no longer applies).
  assert.deepEqual(files, ['a.js', 'b.log']);
});

test('symlinks are reported, never followed: loops, parent links and escapes', async (t) => {
  const root = tmpDir(t);
  tree(root, { 'real/file.txt': 'x' });
  fs.symlinkSync('b', path.join(root, 'a'));
  fs.symlinkSync('a', path.join(root, 'b'));
  fs.symlinkSync('..', path.join(root, 'real', 'up'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'passwd'));
  const { files, skipped } = await walk(root);
  assert.deepEqual(files, ['real/file.txt']);
  assert.deepEqual(reasons(skipped), ['symlink a', 'symlink b', 'symlink passwd', 'symlink real/up']);
  assert.equal(skipped.find((s) => s.path === 'passwd')?.detail, '-> /etc/passwd');
});

test('special files are skipped', { skip: process.platform === 'win32' }, async (t) => {
  const root = tmpDir(t);
  tree(root, { 'a.txt': '' });
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  const { files, skipped } = await walk(root);
  assert.deepEqual(files, ['a.txt']);
  assert.deepEqual(skipped, [{ path: 'fifo', reason: 'special-file', detail: 'fifo' }]);
});

test('files over maxFileSize are skipped as too-large without being opened', async (t) => {
  const root = tmpDir(t);
  tree(root, { small: 'x', big: 'x'.repeat(11) });
  fs.chmodSync(path.join(root, 'big'), 0o000); // proves it is not opened (for non-root users)
  const { files, skipped } = await walk(root, { maxFileSize: 10 });
  assert.deepEqual(files, ['small']);
  assert.deepEqual(skipped, [{ path: 'big', reason: 'too-large', detail: '11 bytes > 10' }]);
});

test('an unlistable subdirectory is reported and the walk goes on', async (t) => {
  if (process.getuid?.() === 0) {
    t.skip('running as root: permission bits do not stop root from listing a directory');
    return;
  }
  const root = tmpDir(t);
  tree(root, { 'locked/x': '', 'ok/y': '' });
  fs.chmodSync(path.join(root, 'locked'), 0o000);
  t.after(() => fs.chmodSync(path.join(root, 'locked'), 0o755));
  const { files, skipped } = await walk(root);
  assert.deepEqual(files, ['ok/y']);
  assert.deepEqual(reasons(skipped), ['unreadable locked/']);
});

test('walks 5,000 files quickly', async (t) => {
  const root = tmpDir(t);
  for (let d = 0; d < 50; d++) {
    fs.mkdirSync(path.join(root, `d${d}`));
    for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(root, `d${d}`, `f${f}.js`), '');
  }
  const t0 = performance.now();
  const { files } = await walk(root);
  const ms = performance.now() - t0;
  assert.equal(files.length, 5000);
  assert.ok(ms < 1500, `took ${ms.toFixed(0)} ms`);
});

test('an ignore file is capped at MAX_IGNORE_PATTERNS patterns: the excess never hides a file', async (t) => {
  const root = tmpDir(t);
  const patterns = Array.from({ length: MAX_IGNORE_PATTERNS }, (_, i) => `# comment ${i}\nnothing-${i}.txt`);
  tree(root, { '.gitignore': `${patterns.join('\n')}\nlate.txt\n`, 'late.txt': '', 'nothing-7.txt': '' });
  const { files } = await walk(root);
  assert.deepEqual(files, ['.gitignore', 'late.txt']);
});

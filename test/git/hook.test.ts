import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RampartError } from '../../src/core/errors.js';
import { installHook, uninstallHook } from '../../src/hook/install.js';
import { hookScript } from '../../src/hook/script.js';
import { TestRepo, githubPat } from './fixture.js';

const repos: TestRepo[] = [];
const repo = () => {
  const r = new TestRepo('rampart-hook-');
  repos.push(r);
  return r;
};
const tmpDirs: string[] = [];
after(() => {
  repos.forEach((r) => r.cleanup());
  tmpDirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const isExecutable = (file: string) => (statSync(file).mode & 0o111) === 0o111;

/** A stand-in `rampart` that logs its arguments and fails when the staged diff holds "ghp_". */
function fakeRampart(file: string, log: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `#!/bin/sh\necho "$0 $*" >> '${log}'\nif git diff --cached | grep -q ghp_; then echo 'secret found' >&2; exit 1; fi\nexit 0\n`,
  );
  chmodSync(file, 0o755);
}

function commit(r: TestRepo, message: string, env: NodeJS.ProcessEnv = process.env) {
  return spawnSync('git', ['commit', '-q', '-m', message], { cwd: r.dir, encoding: 'utf8', env });
}

describe('hook install / uninstall', () => {
  test('install writes an executable hook in .git/hooks; reinstall updates it', async () => {
    const r = repo();
    const first = await installHook({ cwd: r.dir });
    const hookFile = path.join(r.dir, '.git', 'hooks', 'pre-commit');
    assert.deepEqual(first, { path: hookFile, action: 'installed' });
    assert.equal(readFileSync(hookFile, 'utf8'), hookScript('pre-commit'));
    assert.ok(isExecutable(hookFile));
    assert.deepEqual(await installHook({ cwd: r.dir }), { path: hookFile, action: 'updated' });
    assert.deepEqual(await uninstallHook({ cwd: r.dir }), { path: hookFile, action: 'removed' });
    assert.equal(existsSync(hookFile), false);
    assert.deepEqual(await uninstallHook({ cwd: r.dir }), { path: hookFile, action: 'absent' });
  });

  test('a foreign hook is refused without --force, backed up with it, and restored by uninstall', async () => {
    const r = repo();
    const hookFile = path.join(r.dir, '.git', 'hooks', 'pre-commit');
    const foreign = '#!/bin/sh\nnpx lint-staged\n';
    writeFileSync(hookFile, foreign, { mode: 0o755 });

    await assert.rejects(
      installHook({ cwd: r.dir }),
      (e: unknown) =>
        e instanceof RampartError && e.code === 'USAGE' && /not written by rampart.*--force/.test(e.message),
    );
    assert.equal(readFileSync(hookFile, 'utf8'), foreign);
    await assert.rejects(uninstallHook({ cwd: r.dir }), /left untouched/);
    assert.equal(readFileSync(hookFile, 'utf8'), foreign);

    const forced = await installHook({ cwd: r.dir, force: true });
    assert.deepEqual(forced, { path: hookFile, action: 'installed', backup: `${hookFile}.backup` });
    assert.equal(readFileSync(`${hookFile}.backup`, 'utf8'), foreign);
    assert.equal(readFileSync(hookFile, 'utf8'), hookScript('pre-commit'));

    assert.deepEqual(await uninstallHook({ cwd: r.dir }), {
      path: hookFile,
      action: 'removed',
      restored: `${hookFile}.backup`,
    });
    assert.equal(readFileSync(hookFile, 'utf8'), foreign);
    assert.equal(existsSync(`${hookFile}.backup`), false);
  });

  test('core.hooksPath is respected, also from a subdirectory', async () => {
    const r = repo();
    r.git('config', 'core.hooksPath', '.githooks');
    mkdirSync(path.join(r.dir, 'src', 'deep'), { recursive: true });
    const res = await installHook({ cwd: path.join(r.dir, 'src', 'deep'), hook: 'pre-merge-commit' });
    assert.equal(res.path, path.join(r.dir, '.githooks', 'pre-merge-commit'));
    assert.ok(isExecutable(res.path));
    assert.equal(existsSync(path.join(r.dir, '.git', 'hooks', 'pre-merge-commit')), false);
  });

  test('outside a repository: one clear error', async () => {
    const plain = mkdtempSync(path.join(os.tmpdir(), 'rampart-nohook-'));
    tmpDirs.push(plain);
    await assert.rejects(
      installHook({ cwd: plain }),
      (e: unknown) => e instanceof RampartError && e.message === `not a git repository: ${plain}`,
    );
  });
});

describe('the installed hook decides the commit', () => {
  test('prefers ./node_modules/.bin/rampart; its exit code blocks or lets the commit through', async () => {
    const r = repo();
    r.write('README.md', 'demo\n');
    r.commit('initial');
    await installHook({ cwd: r.dir });
    const log = path.join(r.dir, '..', `${path.basename(r.dir)}.calls`);
    tmpDirs.push(log);
    fakeRampart(path.join(r.dir, 'node_modules', '.bin', 'rampart'), log);
    writeFileSync(path.join(r.dir, '.gitignore'), 'node_modules/\n');

    const head = r.git('rev-parse', 'HEAD');
    r.write('token.txt', `token=${githubPat(3)}\n`);
    r.git('add', 'token.txt', '.gitignore');
    const blocked = commit(r, 'add token');
    assert.notEqual(blocked.status, 0);
    assert.match(blocked.stderr, /secret found/);
    assert.equal(r.git('rev-parse', 'HEAD'), head);

    r.git('rm', '-q', '--cached', 'token.txt');
    const clean = commit(r, 'add gitignore');
    assert.equal(clean.status, 0, clean.stderr);
    assert.notEqual(r.git('rev-parse', 'HEAD'), head);
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
      './node_modules/.bin/rampart scan --staged --scanners secret --exit-code 1',
      './node_modules/.bin/rampart scan --staged --scanners secret --exit-code 1',
    ]);
  });

  test('falls back to rampart on PATH', async () => {
    const r = repo();
    await installHook({ cwd: r.dir });
    const bin = mkdtempSync(path.join(os.tmpdir(), 'rampart-bin-'));
    tmpDirs.push(bin);
    const log = path.join(bin, 'calls');
    fakeRampart(path.join(bin, 'rampart'), log);
    r.write('a.txt', 'clean\n');
    r.git('add', 'a.txt');
    const res = commit(r, 'clean', {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    });
    assert.equal(res.status, 0, res.stderr);
    // A script found on PATH sees its full path as $0.
    assert.equal(
      readFileSync(log, 'utf8').trim(),
      `${path.join(bin, 'rampart')} scan --staged --scanners secret --exit-code 1`,
    );
  });
});

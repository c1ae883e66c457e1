import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RampartError } from '../../src/core/errors.js';
import type { ScanTarget } from '../../src/core/scanner.js';
import { gitTargets, repoRootOf, type GitMode, type GitTargetOptions } from '../../src/git/index.js';
import type { Skipped } from '../../src/walk/types.js';
import { ALICE, BOB, TestRepo, awsKeyId, githubPat } from './fixture.js';

async function collect(mode: GitMode, root: string, options: GitTargetOptions = {}) {
  const targets: ScanTarget[] = [];
  let commits = 0;
  for await (const t of gitTargets(mode, root, () => commits++, options)) targets.push(t);
  return { targets, commits };
}

/** The targets that contain `needle`, as (path, sha, line of the needle). */
function where(targets: ScanTarget[], needle: string) {
  return targets
    .filter((t) => t.content.includes(needle))
    .map((t) => {
      const lineIndex = t.content
        .toString('utf8')
        .split('\n')
        .findIndex((l) => l.includes(needle));
      return { path: t.path, sha: t.commit?.sha, line: t.lineMap?.[lineIndex] };
    });
}

const repos: TestRepo[] = [];
const repo = () => {
  const r = new TestRepo();
  repos.push(r);
  return r;
};
after(() => repos.forEach((r) => r.cleanup()));

describe('history', () => {
  test('a secret added in commit 2 and deleted in commit 4 appears only in commit 2, with its line', async () => {
    const r = repo();
    const key = awsKeyId(11);
    r.write('README.md', '# demo\n');
    const c1 = r.commit('initial');
    r.write('config/app.env', `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${key}\nDEBUG=false\n`);
    const c2 = r.commit('add configuration', BOB);
    r.write('config/app.env', `# settings\nREGION=eu-west-1\nAWS_ACCESS_KEY_ID=${key}\nDEBUG=true\n`);
    const c3 = r.commit('tweak configuration');
    r.write('config/app.env', `# settings\nREGION=eu-west-1\nDEBUG=true\n`);
    const c4 = r.commit('remove the key');

    const { targets, commits } = await collect({ kind: 'history', refs: [] }, r.dir);
    assert.equal(commits, 4);
    assert.deepEqual(where(targets, key), [{ path: 'config/app.env', sha: c2.sha, line: 2 }]);

    const first = targets.find((t) => t.commit?.sha === c2.sha);
    assert.ok(first);
    assert.equal(first.content.toString(), `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${key}\nDEBUG=false`);
    assert.deepEqual(first.lineMap, [1, 2, 3]);
    assert.deepEqual(first.commit, {
      sha: c2.sha,
      author: BOB.name,
      email: BOB.email,
      date: c2.date,
      message: 'add configuration',
    });

    // Oldest first; commit 3 adds only its two new lines, commit 4 (a deletion) adds nothing.
    assert.deepEqual(
      targets.map((t) => [t.commit?.sha, t.path, t.content.toString(), t.lineMap]),
      [
        [c1.sha, 'README.md', '# demo', [1]],
        [c2.sha, 'config/app.env', first.content.toString(), [1, 2, 3]],
        [c3.sha, 'config/app.env', '# settings\nDEBUG=true', [1, 4]],
      ],
    );
    assert.ok(!targets.some((t) => t.commit?.sha === c4.sha));
  });

  test('refs: --all reaches unmerged branches, a named ref only its own ancestry', async () => {
    const r = repo();
    r.write('a.txt', 'base\n');
    r.commit('base');
    r.git('checkout', '-q', '-b', 'side');
    const pat = githubPat(5);
    r.write('side.txt', `token=${pat}\n`);
    const side = r.commit('side work');
    r.git('checkout', '-q', 'main');

    assert.deepEqual(where((await collect({ kind: 'history', refs: [] }, r.dir)).targets, pat), [
      { path: 'side.txt', sha: side.sha, line: 1 },
    ]);
    assert.deepEqual(where((await collect({ kind: 'history', refs: ['main'] }, r.dir)).targets, pat), []);
    assert.deepEqual(
      where((await collect({ kind: 'history', refs: ['main..side'] }, r.dir)).targets, pat).length,
      1,
    );
  });

  test('a merge contributes only lines that are new against every parent (conflict resolutions)', async () => {
    const r = repo();
    const fromMain = githubPat(8);
    const resolution = githubPat(9);
    r.write('settings.py', 'A = 1\nB = 2\nC = 3\nD = 4\n');
    r.commit('base');
    r.git('checkout', '-q', '-b', 'feature');
    r.write('settings.py', 'A = 1\nB = feature\nC = feature\nD = 4\n');
    const feature = r.commit('feature');
    r.git('checkout', '-q', 'main');
    r.write('settings.py', `A = 1\nB = ${fromMain}\nC = main\nD = 4\n`);
    const main = r.commit('main');
    assert.throws(() => r.git('merge', '-q', '--no-edit', 'feature'), 'the merge should conflict');
    // The resolution keeps main's line 2 (seen in main's commit already) and writes a new line 3.
    r.write('settings.py', `A = 1\nB = ${fromMain}\nC = ${resolution}\nD = 4\n`);
    const merge = r.commit('merge feature');
    const { targets } = await collect({ kind: 'history', refs: [] }, r.dir);
    assert.deepEqual(where(targets, resolution), [{ path: 'settings.py', sha: merge.sha, line: 3 }]);
    assert.deepEqual(where(targets, fromMain), [{ path: 'settings.py', sha: main.sha, line: 2 }]);
    assert.deepEqual(where(targets, 'B = feature'), [{ path: 'settings.py', sha: feature.sha, line: 2 }]);
  });

  test('paths with spaces and unicode, binary files skipped with a reason, root in a subdirectory', async () => {
    const r = repo();
    r.write('docs/notes ünïcode.md', 'hello\n');
    r.write('docs/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02]));
    r.write('src/main.ts', 'export {};\n');
    const c = r.commit('docs');
    const skipped: Skipped[] = [];
    const { targets } = await collect({ kind: 'history', refs: [] }, r.dir, {
      onSkip: (s) => skipped.push(s),
    });
    assert.deepEqual(targets.map((t) => t.path).sort(), ['docs/notes ünïcode.md', 'src/main.ts']);
    assert.deepEqual(skipped, [
      { path: 'docs/logo.png', reason: 'binary', detail: `binary patch in commit ${c.sha.slice(0, 12)}` },
    ]);

    const sub = await collect({ kind: 'history', refs: [] }, path.join(r.dir, 'docs'));
    assert.deepEqual(
      sub.targets.map((t) => t.path),
      ['notes ünïcode.md'],
    );
    assert.equal(await repoRootOf(path.join(r.dir, 'docs')), await repoRootOf(r.dir));
  });

  test('a patch over the size cap is skipped as too-large', async () => {
    const r = repo();
    r.write('big.txt', 'x'.repeat(5000) + '\n');
    r.write('small.txt', 'ok\n');
    r.commit('big');
    const skipped: Skipped[] = [];
    const { targets } = await collect({ kind: 'history', refs: [] }, r.dir, {
      maxFileSize: 1000,
      onSkip: (s) => skipped.push(s),
    });
    assert.deepEqual(
      targets.map((t) => t.path),
      ['small.txt'],
    );
    assert.deepEqual(
      skipped.map((s) => [s.path, s.reason]),
      [['big.txt', 'too-large']],
    );
  });
});

describe('diff-base', () => {
  test('reports only what the branch adds since the merge base, committed changes only', async () => {
    const r = repo();
    const onMain = githubPat(1);
    const onBranch = awsKeyId(2);
    const laterOnMain = githubPat(3);
    const uncommitted = awsKeyId(4);
    r.write('app.cfg', `github=${onMain}\n`);
    r.commit('main has a secret');
    r.git('checkout', '-q', '-b', 'feature');
    r.write('app.cfg', `github=${onMain}\naws=${onBranch}\n`);
    const b1 = r.commit('branch adds one');
    r.write('notes.txt', 'text\n');
    r.commit('branch continues');
    r.git('checkout', '-q', 'main');
    r.write('other.cfg', `github=${laterOnMain}\n`);
    r.commit('main moves on');
    r.git('checkout', '-q', 'feature');
    r.write('wip.cfg', `aws=${uncommitted}\n`);

    const { targets, commits } = await collect({ kind: 'diff', base: 'main' }, r.dir);
    assert.equal(commits, 2);
    assert.deepEqual(where(targets, onBranch), [{ path: 'app.cfg', sha: b1.sha, line: 2 }]);
    for (const s of [onMain, laterOnMain, uncommitted]) assert.deepEqual(where(targets, s), []);
  });

  test('a secret added and removed inside the branch is still reported (it is pushed with the branch)', async () => {
    const r = repo();
    r.write('a.txt', 'a\n');
    r.commit('base');
    r.git('checkout', '-q', '-b', 'feature');
    const pat = githubPat(21);
    r.write('a.txt', `a\n${pat}\n`);
    const added = r.commit('oops');
    r.write('a.txt', 'a\n');
    r.commit('fix');
    assert.deepEqual(where((await collect({ kind: 'diff', base: 'main' }, r.dir)).targets, pat), [
      { path: 'a.txt', sha: added.sha, line: 2 },
    ]);
  });

  test('errors: unknown base, unrelated history', async () => {
    const r = repo();
    r.write('a.txt', 'a\n');
    r.commit('base');
    await assert.rejects(
      collect({ kind: 'diff', base: 'nope' }, r.dir),
      (e: unknown) =>
        e instanceof RampartError && e.code === 'GIT_FAILED' && e.message === 'unknown revision: nope',
    );
    r.git('checkout', '-q', '--orphan', 'island');
    r.write('b.txt', 'b\n');
    r.commit('unrelated');
    await assert.rejects(
      collect({ kind: 'diff', base: 'main' }, r.dir),
      /no common ancestor of main and HEAD/,
    );
  });
});

describe('staged', () => {
  test('sees what is staged, not unstaged edits or untracked files', async () => {
    const r = repo();
    const staged = awsKeyId(31);
    const unstaged = githubPat(32);
    const untracked = githubPat(33);
    r.write('app.env', 'NAME=demo\n');
    r.commit('base');
    r.write('app.env', `NAME=demo\nAWS_ACCESS_KEY_ID=${staged}\n`);
    r.git('add', 'app.env');
    r.write('app.env', `NAME=demo\nAWS_ACCESS_KEY_ID=${staged}\nGITHUB_TOKEN=${unstaged}\n`);
    r.write('new.env', `GITHUB_TOKEN=${untracked}\n`);

    const { targets, commits } = await collect({ kind: 'staged' }, r.dir);
    assert.equal(commits, 0);
    assert.deepEqual(targets, [
      { path: 'app.env', content: Buffer.from(`AWS_ACCESS_KEY_ID=${staged}`), lineMap: [2] },
    ]);
  });

  test('works before the first commit', async () => {
    const r = repo();
    r.write('first.txt', 'one\ntwo\n');
    r.git('add', '.');
    const { targets } = await collect({ kind: 'staged' }, r.dir);
    assert.deepEqual(
      targets.map((t) => [t.path, t.content.toString(), t.lineMap]),
      [['first.txt', 'one\ntwo', [1, 2]]],
    );
  });
});

describe('errors', () => {
  test('not a git repository, unknown revision, option-like refs', async () => {
    const plain = mkdtempSync(path.join(os.tmpdir(), 'rampart-nogit-'));
    try {
      await assert.rejects(
        collect({ kind: 'history', refs: [] }, plain),
        (e: unknown) =>
          e instanceof RampartError &&
          e.code === 'GIT_FAILED' &&
          e.message === `not a git repository: ${plain}`,
      );
      await assert.rejects(repoRootOf(plain), /^RampartError: not a git repository/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    const r = repo();
    r.write('a.txt', 'a\n');
    r.commit('base', ALICE);
    await assert.rejects(
      collect({ kind: 'history', refs: ['v9.9'] }, r.dir),
      /^RampartError: unknown revision: v9\.9$/,
    );
    await assert.rejects(
      collect({ kind: 'history', refs: ['--output=/tmp/x'] }, r.dir),
      (e: unknown) => e instanceof RampartError && e.code === 'USAGE',
    );
  });

  test('stopping early kills git and leaves no error behind', async () => {
    const r = repo();
    for (let i = 0; i < 30; i++) {
      r.write(`f${i}.txt`, `${i}\n`);
      r.commit(`c${i}`);
    }
    let seen = 0;
    for await (const _t of gitTargets({ kind: 'history', refs: [] }, r.dir)) {
      if (++seen === 3) break;
    }
    assert.equal(seen, 3);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../src/core/finding.js';
import type { ScanReport } from '../../src/core/report.js';
import { RAMPART_BIN, ensureBuilt, runRampart } from './cli.js';
import { BOB, TestRepo, awsKeyId, githubPat } from './fixture.js';

const repos: TestRepo[] = [];
const repo = () => {
  const r = new TestRepo('rampart-cli-');
  repos.push(r);
  return r;
};
after(() => repos.forEach((r) => r.cleanup()));
before(() => ensureBuilt());

function scanJson(r: TestRepo, ...modeArgs: string[]): { report: ScanReport; raw: string } {
  const res = runRampart(
    ['scan', ...modeArgs, '--scanners', 'secret', '--format', 'json', '--no-progress', r.dir],
    r.dir,
  );
  assert.equal(res.status, 0, `rampart failed: ${res.stderr}`);
  return { report: JSON.parse(res.stdout) as ScanReport, raw: res.stdout + res.stderr };
}

/** Findings whose masked evidence starts like `secret` (the report never holds the secret itself). */
function findingsOf(report: ScanReport, secret: string): Finding[] {
  return report.findings.filter(
    (f) => f.evidence?.startsWith(secret.slice(0, 4)) && f.evidence.includes(`(${secret.length})`),
  );
}

function assertNoSecret(raw: string, ...secrets: string[]): void {
  for (const s of secrets) assert.ok(!raw.includes(s), 'a secret was printed in clear');
}

describe('rampart scan --history (end to end)', () => {
  test('a secret added in commit 2, removed in 4 and re-added in 5 is reported once, with commit 2', () => {
    const r = repo();
    const key = awsKeyId(101);
    r.write('README.md', '# demo\n');
    r.commit('initial');
    r.write('config/app.env', `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${key}\n`);
    const c2 = r.commit('add configuration', BOB);
    r.write('config/app.env', `# settings\nREGION=eu-west-1\nAWS_ACCESS_KEY_ID=${key}\n`);
    r.commit('tweak');
    r.write('config/app.env', '# settings\nREGION=eu-west-1\n');
    r.commit('remove the key');
    r.write('config/app.env', `# settings\nREGION=eu-west-1\nAWS_ACCESS_KEY_ID=${key}\n`);
    r.commit('oops, again');

    const { report, raw } = scanJson(r, '--history');
    assertNoSecret(raw, key);
    assert.equal(report.mode, 'history');
    assert.equal(report.stats.commitsScanned, 5);
    const found = findingsOf(report, key);
    assert.equal(
      found.length,
      1,
      JSON.stringify(report.findings.map((f) => [f.ruleId, f.evidence, f.location?.commit?.sha])),
    );
    const f = found[0]!;
    assert.match(f.ruleId, /aws/);
    assert.equal(f.location?.path, 'config/app.env');
    assert.equal(f.location?.startLine, 2);
    assert.deepEqual(f.location?.commit, {
      sha: c2.sha,
      author: BOB.name,
      email: BOB.email,
      date: c2.date,
      message: 'add configuration',
    });
  });
});

describe('rampart scan --diff-base (end to end)', () => {
  test("reports only the branch's new secret", () => {
    const r = repo();
    const onMain = githubPat(201);
    const onBranch = awsKeyId(202);
    r.write('app.cfg', `github_token=${onMain}\n`);
    r.commit('main has a secret');
    r.git('checkout', '-q', '-b', 'feature');
    r.write('app.cfg', `github_token=${onMain}\naws_key=${onBranch}\n`);
    const b1 = r.commit('branch adds one');
    const { report, raw } = scanJson(r, '--diff-base', 'main');
    assertNoSecret(raw, onMain, onBranch);
    assert.equal(findingsOf(report, onMain).length, 0);
    const found = findingsOf(report, onBranch);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.location?.commit?.sha, b1.sha);
    assert.equal(found[0]!.location?.startLine, 2);
    // …and it is the only finding of the scan.
    assert.equal(report.findings.length, 1);
  });

  test('a secret whose line is edited again in a later branch commit is reported once, where it appeared', () => {
    const r = repo();
    r.write('a.txt', 'a\n');
    r.commit('base');
    r.git('checkout', '-q', '-b', 'feature');
    const pat = githubPat(203);
    r.write('ci.yml', `token: ${pat}\n`);
    const added = r.commit('add ci');
    r.write('ci.yml', `token: ${pat} # used by the nightly job\n`);
    r.commit('comment');
    const { report } = scanJson(r, '--diff-base', 'main');
    const found = findingsOf(report, pat);
    assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.location)));
    assert.equal(found[0]!.location?.commit?.sha, added.sha);
  });

  test('an unknown base ends with one clear line and the failure exit code', () => {
    const r = repo();
    r.write('a.txt', 'a\n');
    r.commit('base');
    const res = runRampart(['scan', '--diff-base', 'nope', '--scanners', 'secret', r.dir], r.dir);
    assert.equal(res.status, 2);
    assert.equal(res.stderr.trim(), 'rampart: unknown revision: nope');
  });
});

describe('rampart scan --staged (end to end)', () => {
  test('sees the staged secret, not the unstaged one', () => {
    const r = repo();
    const staged = awsKeyId(301);
    const unstaged = githubPat(302);
    r.write('app.env', 'NAME=demo\n');
    r.commit('base');
    r.write('app.env', `NAME=demo\nAWS_ACCESS_KEY_ID=${staged}\n`);
    r.git('add', 'app.env');
    r.write('app.env', `NAME=demo\nAWS_ACCESS_KEY_ID=${staged}\nGITHUB_TOKEN=${unstaged}\n`);
    const { report, raw } = scanJson(r, '--staged');
    assertNoSecret(raw, staged, unstaged);
    assert.equal(findingsOf(report, staged).length, 1);
    assert.equal(findingsOf(report, staged)[0]!.location?.startLine, 2);
    assert.equal(findingsOf(report, unstaged).length, 0);
  });
});

describe('rampart hook install (end to end)', () => {
  test('the installed hook blocks a commit with a secret and lets a clean commit through', () => {
    const r = repo();
    r.write('README.md', 'demo\n');
    r.write('.gitignore', 'node_modules/\n');
    r.commit('initial');
    // The project-local rampart the hook prefers: this checkout's CLI.
    const shim = path.join(r.dir, 'node_modules', '.bin', 'rampart');
    mkdirSync(path.dirname(shim), { recursive: true });
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${RAMPART_BIN}" "$@"\n`);
    chmodSync(shim, 0o755);

    const install = runRampart(['hook', 'install'], r.dir);
    assert.equal(install.status, 0, install.stderr);
    const hookFile = path.join(r.dir, '.git', 'hooks', 'pre-commit');
    assert.match(install.stdout, /installed pre-commit hook/);
    assert.equal(statSync(hookFile).mode & 0o111, 0o111);
    assert.match(readFileSync(hookFile, 'utf8'), /scan --staged --scanners secret --exit-code 1/);

    const pat = githubPat(401);
    const head = r.git('rev-parse', 'HEAD');
    r.write('deploy.sh', `export GITHUB_TOKEN=${pat}\n`);
    r.git('add', 'deploy.sh');
    const blocked = spawnSync('git', ['commit', '-q', '-m', 'add deploy script'], {
      cwd: r.dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(blocked.status, 1, blocked.stderr);
    assert.equal(r.git('rev-parse', 'HEAD'), head);
    assertNoSecret(blocked.stdout + blocked.stderr, pat);
    assert.match(blocked.stdout + blocked.stderr, /deploy\.sh/);

    r.write('deploy.sh', 'export GITHUB_TOKEN="$(vault read -field=token secret/ci)"\n');
    r.git('add', 'deploy.sh');
    const clean = spawnSync('git', ['commit', '-q', '-m', 'add deploy script'], {
      cwd: r.dir,
      encoding: 'utf8',
    });
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.notEqual(r.git('rev-parse', 'HEAD'), head);

    // A second install updates in place; uninstall removes only our hook.
    assert.match(runRampart(['hook', 'install'], r.dir).stdout, /updated pre-commit hook/);
    const un = runRampart(['hook', 'uninstall'], r.dir);
    assert.equal(un.status, 0, un.stderr);
    assert.match(un.stdout, /removed the pre-commit hook/);
  });

  test('refuses to replace a foreign hook without --force (exit 2, hook untouched)', () => {
    const r = repo();
    const hookFile = path.join(r.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hookFile, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const res = runRampart(['hook', 'install'], r.dir);
    assert.equal(res.status, 2);
    assert.match(res.stderr, /^rampart: .*not written by rampart.*--force/);
    assert.equal(readFileSync(hookFile, 'utf8'), '#!/bin/sh\nexit 0\n');
    const forced = runRampart(['hook', 'install', '--force'], r.dir);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(readFileSync(`${hookFile}.backup`, 'utf8'), '#!/bin/sh\nexit 0\n');
  });
});

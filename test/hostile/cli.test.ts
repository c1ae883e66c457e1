/**
 * One hostile tree through the real CLI (bin/rampart.js over dist/): the scan completes, every
 * hostile entry is skipped with its reason and counted, the secrets in the scannable files are
 * found, warnings are counted, and nothing hangs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { hostileDir, repoRoot } from './helpers.js';

const GITHUB_PAT = ['ghp', 'V3nQ8xK2rB7mT4wL9pZ1sD6fH0jC5aYe2uNi'].join('_');
const bin = path.join(repoRoot, 'bin', 'rampart.js');

interface Report {
  findings: { ruleId: string; location?: { path: string; startLine: number } }[];
  stats: { filesScanned: number; filesSkipped: Record<string, number>; warnings: number };
  skipped: { path: string; reason: string }[];
  warnings: string[];
}

function scan(
  root: string,
  extra: string[] = [],
): { status: number | null; report: Report; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [bin, 'scan', '--scanners', 'secret', '--format', 'json', ...extra, root],
    {
      cwd: root,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const ms = performance.now() - t0;
  assert.notEqual(r.signal, 'SIGTERM', `the scan hung: ${r.stderr}`);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    assert.fail(`no JSON report (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  }
  return { status: r.status, report, stderr: r.stderr, ms };
}

function buildHostileTree(root: string): void {
  const w = (rel: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  };
  w('ok/config.env', `GITHUB_TOKEN=${GITHUB_PAT}\n`);
  w(
    'ok/legacy.properties',
    Buffer.concat([
      Buffer.from([0xff, 0xfd, 0x0a]),
      Buffer.from(`gh.token=${GITHUB_PAT}`),
      Buffer.from([0x80, 0x0a]),
    ]),
  );
  w('ok/bundle.min.js', `${'var a=b.apiKey||c.token;'.repeat(80_000)}var t="${GITHUB_PAT}";\n`);
  w('bin/tool', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.from(GITHUB_PAT)]));
  w('img/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  w('huge/dump.sql', '');
  fs.truncateSync(path.join(root, 'huge', 'dump.sql'), 1024 ** 3);
  fs.symlinkSync('loop-b', path.join(root, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(root, 'loop-b'));
  fs.symlinkSync('..', path.join(root, 'ok', 'parent'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'passwd'));
  if (process.platform !== 'win32') execFileSync('mkfifo', [path.join(root, 'pipe')]);
}

test(
  'a hostile tree is scanned to the end with every skip counted and the secrets found',
  { timeout: 180_000 },
  async (t) => {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'))) {
      t.skip('dist/ is not built (npm test builds it first)');
      return;
    }
    const root = hostileDir(t);
    buildHostileTree(root);
    const { status, report, ms } = scan(root);
    assert.equal(status, 0);
    assert.ok(ms < 60_000, `took ${ms.toFixed(0)} ms`);

    const found = (p: string) => report.findings.filter((f) => f.location?.path === p).map((f) => f.ruleId);
    assert.ok(found('ok/config.env').includes('secret/github-pat'));
    assert.ok(found('ok/legacy.properties').includes('secret/github-pat'), 'a secret next to invalid UTF-8');
    assert.ok(found('ok/bundle.min.js').includes('secret/github-pat'), 'a secret at the end of a 2 MB line');
    assert.deepEqual(found('bin/tool'), [], 'binaries are not scanned');

    const skipped = Object.fromEntries(report.skipped.map((s) => [s.path, s.reason]));
    assert.equal(skipped['bin/tool'], 'binary');
    assert.equal(skipped['img/logo.png'], 'binary');
    assert.equal(skipped['huge/dump.sql'], 'too-large');
    for (const link of ['loop-a', 'loop-b', 'ok/parent', 'passwd'])
      assert.equal(skipped[link], 'symlink', link);
    if (process.platform !== 'win32') assert.equal(skipped['pipe'], 'special-file');
    assert.deepEqual(report.stats.filesSkipped, {
      binary: 2,
      'too-large': 1,
      symlink: 4,
      ...(process.platform !== 'win32' ? { 'special-file': 1 } : {}),
    });
    assert.equal(report.stats.filesScanned, 3);
    assert.equal(report.stats.warnings, report.warnings.length);
  },
);

test(
  'a per-file time budget that runs out is a counted warning and a timeout skip, not a failure',
  { timeout: 180_000 },
  async (t) => {
    if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'))) {
      t.skip('dist/ is not built (npm test builds it first)');
      return;
    }
    const root = hostileDir(t);
    fs.writeFileSync(path.join(root, 'flood.txt'), 'api_key=token=secret=password='.repeat(200_000));
    fs.writeFileSync(path.join(root, 'small.env'), `GITHUB_TOKEN=${GITHUB_PAT}\n`);
    const { status, report } = scan(root, ['--file-timeout', '1ms']);
    assert.equal(status, 0);
    assert.ok(report.stats.warnings >= 1, JSON.stringify(report.stats));
    assert.equal(report.stats.warnings, report.warnings.length);
    assert.ok(
      report.warnings.some((w) => w.startsWith('flood.txt')),
      report.warnings.join('\n'),
    );
    assert.ok(report.skipped.some((s) => s.path === 'flood.txt' && s.reason === 'timeout'));
    assert.equal(report.stats.filesScanned, 2);
  },
);

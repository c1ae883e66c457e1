import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runCli, tempDir } from '../helpers.js';

const demo = path.join(repoRoot, 'examples', 'demo-app');
const AWS_ID = 'AKIA4QX7R2MZ5WPLN3DT';

test('scans the demo app and reports every planted secret, masked', () => {
  const r = runCli(['scan', '--format', 'json', demo]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const byFile = new Map<string, string[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.location.path) ?? [];
    list.push(f.ruleId);
    byFile.set(f.location.path, list);
  }
  assert.ok((byFile.get('config/settings.env') ?? []).length >= 3, JSON.stringify([...byFile]));
  assert.ok((byFile.get('src/notify.js') ?? []).length >= 1);
  assert.ok((byFile.get('src/db.py') ?? []).length >= 2);
  assert.ok((byFile.get('deploy/values.yaml') ?? []).length >= 1);
  // never the secret itself, in any format
  for (const format of ['json', 'sarif', 'table', 'junit']) {
    const out = runCli(['scan', '--format', format, demo]);
    assert.ok(!out.stdout.includes(AWS_ID), `${format} output contains a secret in clear`);
    assert.ok(!out.stdout.includes('sk_live_51Mz8QtH2kLw9RvX4nB7cY3dPqT6fJ0aSgE1uV5oK'));
  }
});

test('--exit-code applies only when findings remain; tool failures use exit 2', () => {
  assert.equal(runCli(['scan', '--exit-code', '5', '--format', 'json', demo]).status, 5);
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(path.join(dir, 'clean.txt'), 'nothing to see here\n');
    assert.equal(runCli(['scan', '--exit-code', '5', dir]).status, 0);
  } finally {
    cleanup();
  }
});

test('bad input ends with one clear line and exit code 2, never a stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['scan', '/nonexistent/path/xyz'], /no such file or directory/],
    [['scan', '--format', 'yaml', demo], /invalid|allowed choices/i],
    [['scan', '--severity', 'BLOCKER', demo], /severity/i],
    [['scan', '--scanners', 'nope', demo], /scanner/i],
    [['scan', '--staged', '--history', demo], /cannot be combined/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [args, pattern] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')} → ${r.status} ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.ok(!/\n\s+at .+:\d+:\d+\)?/.test(r.stderr), `stack trace for ${args.join(' ')}: ${r.stderr}`);
  }
});

test('an invalid rampart.yaml is reported with file and line', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(path.join(dir, 'rampart.yaml'), 'severity: [high]\nexit-code: one\n');
    const r = runCli(['scan', dir], { cwd: dir });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /rampart\.yaml.*2/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    cleanup();
  }
});

test('--output writes the report atomically and leaves nothing behind on failure', () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = path.join(dir, 'reports', 'r.sarif');
    const r = runCli(['scan', '-f', 'sarif', '-o', out, demo]);
    assert.equal(r.status, 0, r.stderr);
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.ok(sarif.runs[0].results.length >= 6);
    // a directory where the file should go: the write fails cleanly
    mkdirSync(path.join(dir, 'blocked'));
    const bad = runCli(['scan', '-f', 'json', '-o', path.join(dir, 'blocked'), demo]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /cannot write/);
    assert.deepEqual(readdirSync(dir).sort(), ['blocked', 'reports']);
    assert.ok(!existsSync(path.join(dir, 'blocked.tmp')));
  } finally {
    cleanup();
  }
});

test('inline rampart:ignore and the ignore file suppress findings', () => {
  const { dir, cleanup } = tempDir();
  try {
    const key = 'ghp_' + 'R8mQ2xT7kL9vB4nZ1wC6yD3fH5jP0sA8gE2u';
    writeFileSync(path.join(dir, 'a.py'), `TOKEN = "${key}"  # rampart:ignore\n`);
    writeFileSync(path.join(dir, 'b.py'), `TOKEN = "${key}"\n`);
    writeFileSync(path.join(dir, 'c.py'), `TOKEN = "${key}"\n`);
    writeFileSync(
      path.join(dir, '.rampart-ignore.yaml'),
      'ignore:\n  - paths: ["c.py"]\n    reason: test fixture\n',
    );
    const r = runCli(['scan', '-f', 'json', dir]);
    const paths = JSON.parse(r.stdout).findings.map((f: { location: { path: string } }) => f.location.path);
    assert.deepEqual(paths, ['b.py']);
    const all = runCli(['scan', '-f', 'json', '--show-suppressed', dir]);
    const kinds = JSON.parse(all.stdout).findings.map(
      (f: { suppressed?: { kind: string } }) => f.suppressed?.kind ?? 'open',
    );
    assert.deepEqual(kinds.sort(), ['ignorefile', 'inline', 'open']);
  } finally {
    cleanup();
  }
});

test('a baseline report hides the findings it already lists', () => {
  const { dir, cleanup } = tempDir();
  const reports = tempDir();
  try {
    writeFileSync(path.join(dir, 'a.env'), 'GITHUB_TOKEN=ghp_R8mQ2xT7kL9vB4nZ1wC6yD3fH5jP0sA8gE2u\n');
    const base = path.join(reports.dir, 'baseline.json');
    assert.equal(runCli(['scan', '-f', 'json', '-o', base, dir]).status, 0);
    // shift the old secret down and add a new one: only the new one is reported
    writeFileSync(
      path.join(dir, 'a.env'),
      '# moved\n\nGITHUB_TOKEN=ghp_R8mQ2xT7kL9vB4nZ1wC6yD3fH5jP0sA8gE2u\nNPM_TOKEN=npm_Q7mX2kR9tL4vB8nZ1wC6yD3fH5jP0sA8gE2u\n',
    );
    const r = runCli(['scan', '-f', 'json', '--baseline', base, dir]);
    const f = JSON.parse(r.stdout).findings;
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].location.startLine, 4);
  } finally {
    cleanup();
    reports.cleanup();
  }
});

test('--help is available on every command', () => {
  for (const args of [['--help'], ['scan', '--help'], ['hook', '--help']]) {
    const r = runCli(args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /Usage: rampart/);
  }
});

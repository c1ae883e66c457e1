/**
 * Hostile file trees: every input is created on the fly (nothing big is committed). Each test has a
 * timeout, so a hang fails the test instead of blocking the suite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { hostileDir, isRoot, repoRoot, runAsNobody, walkAndRead } from './helpers.js';

const T = { timeout: 30_000 };
const reasonsOf = (skipped: { path: string; reason: string }[]) =>
  skipped.map((s) => `${s.reason} ${s.path}`).sort();

test('binary files are skipped as binary, text files next to them are scanned', T, async (t) => {
  const root = hostileDir(t);
  fs.writeFileSync(
    path.join(root, 'logo.png'),
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  );
  fs.writeFileSync(path.join(root, 'doc.pdf'), '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'); // no NUL: magic only
  fs.writeFileSync(path.join(root, 'app.bin'), Buffer.concat([Buffer.from('api_key='), Buffer.alloc(64, 0)]));
  fs.writeFileSync(path.join(root, 'archive.tar.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x41, 0x42]));
  fs.writeFileSync(path.join(root, 'ok.txt'), 'plain text\n');
  const { scanned, skipped } = await walkAndRead(root);
  assert.deepEqual([...scanned.keys()], ['ok.txt']);
  assert.deepEqual(reasonsOf(skipped), [
    'binary app.bin',
    'binary archive.tar.gz',
    'binary doc.pdf',
    'binary logo.png',
  ]);
});

test('a 1 GB sparse file is skipped as too-large quickly, without being read', T, async (t) => {
  const root = hostileDir(t);
  const big = path.join(root, 'huge.log');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 1024 ** 3);
  fs.writeFileSync(path.join(root, 'small.txt'), 'x\n');
  const { scanned, skipped, ms } = await walkAndRead(root);
  assert.deepEqual([...scanned.keys()], ['small.txt']);
  assert.deepEqual(skipped, [
    { path: 'huge.log', reason: 'too-large', detail: `${1024 ** 3} bytes > ${10 * 1024 * 1024}` },
  ]);
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
});

test('a 1 GB sparse file as the single root is skipped too', T, async (t) => {
  const root = hostileDir(t);
  const big = path.join(root, 'huge.sql');
  fs.writeFileSync(big, '');
  fs.truncateSync(big, 1024 ** 3);
  const { scanned, skipped } = await walkAndRead(big);
  assert.equal(scanned.size, 0);
  assert.deepEqual(reasonsOf(skipped), ['too-large huge.sql']);
});

test(
  'with a cap above 1 GB, the sparse file is sniffed as binary after 8 KiB instead of read whole',
  T,
  async (t) => {
    const root = hostileDir(t);
    const big = path.join(root, 'disk.img');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 1024 ** 3);
    const rssBefore = process.memoryUsage().rss;
    const { scanned, skipped, ms } = await walkAndRead(root, { maxFileSize: 2 * 1024 ** 3 });
    assert.equal(scanned.size, 0);
    assert.deepEqual(skipped, [{ path: 'disk.img', reason: 'binary', detail: 'NUL byte' }]);
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
    assert.ok(
      process.memoryUsage().rss - rssBefore < 256 * 1024 * 1024,
      'the gigabyte was not read into memory',
    );
  },
);

test('invalid UTF-8 is not binary: the bytes reach the scanners untouched', T, async (t) => {
  const root = hostileDir(t);
  const bytes = Buffer.concat([
    Buffer.from([0xff, 0xfe, 0xfd, 0x0a, 0xc3, 0x28]),
    Buffer.from(' key = "v"\n'),
    Buffer.from([0xed, 0xa0, 0x80]),
  ]);
  fs.writeFileSync(path.join(root, 'latin1.properties'), bytes);
  const { scanned, skipped } = await walkAndRead(root);
  assert.deepEqual(skipped, []);
  assert.deepEqual(scanned.get('latin1.properties'), bytes);
});

test(
  'symlink loops, a link to the parent and a link out of the root are reported, never followed',
  T,
  async (t) => {
    const root = hostileDir(t);
    fs.mkdirSync(path.join(root, 'sub'));
    fs.writeFileSync(path.join(root, 'sub', 'real.txt'), 'x\n');
    fs.symlinkSync('b', path.join(root, 'a')); // a → b → a
    fs.symlinkSync('a', path.join(root, 'b'));
    fs.symlinkSync('..', path.join(root, 'sub', 'parent')); // directory link to its parent
    fs.symlinkSync(root, path.join(root, 'sub', 'root-again')); // absolute link back to the root
    fs.symlinkSync('/etc/passwd', path.join(root, 'passwd')); // escape from the root
    fs.symlinkSync('self', path.join(root, 'self')); // a link to itself
    const { scanned, skipped, ms } = await walkAndRead(root);
    assert.deepEqual([...scanned.keys()], ['sub/real.txt']);
    assert.deepEqual(reasonsOf(skipped), [
      'symlink a',
      'symlink b',
      'symlink passwd',
      'symlink self',
      'symlink sub/parent',
      'symlink sub/root-again',
    ]);
    assert.ok(ms < 2000);
  },
);

test(
  'a FIFO and a socket are skipped as special files; the walk does not block on them',
  { ...T, skip: process.platform === 'win32' },
  async (t) => {
    const root = hostileDir(t);
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, 'sock'), resolve));
    t.after(() => server.close());
    const { scanned, skipped } = await walkAndRead(root);
    assert.equal(scanned.size, 0);
    assert.deepEqual(reasonsOf(skipped), ['special-file pipe', 'special-file sock']);
  },
);

test('deep nesting (500 levels) neither overflows the stack nor slows the walk', T, async (t) => {
  const root = hostileDir(t);
  let dir = root;
  for (let i = 0; i < 500; i++) {
    dir = path.join(dir, 'd');
    fs.mkdirSync(dir);
  }
  fs.writeFileSync(path.join(dir, 'bottom.txt'), 'x\n');
  const { scanned } = await walkAndRead(root);
  assert.deepEqual([...scanned.keys()], [`${'d/'.repeat(500)}bottom.txt`]);
});

test('a huge .gitignore and a pathological pattern do not stall the walk', T, async (t) => {
  const root = hostileDir(t);
  // 20,000 patterns would cost ~8 ms per path (minutes on a real repository): only the first
  // MAX_IGNORE_PATTERNS are applied. The pathological `**/**/…` pattern comes first so it is applied.
  const lines = [
    `${'**/'.repeat(200)}x`,
    ...Array.from({ length: 20_000 }, (_, i) => `generated-${i}/**/*.tmp`),
  ];
  fs.writeFileSync(path.join(root, '.gitignore'), `${lines.join('\n')}\n`);
  for (let d = 0; d < 10; d++) {
    fs.mkdirSync(path.join(root, `d${d}`));
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(root, `d${d}`, `f${i}.txt`), 'x\n');
  }
  fs.writeFileSync(path.join(root, 'd3', 'x'), 'ignored by the pathological pattern\n');
  const { scanned, skipped, ms } = await walkAndRead(root);
  assert.equal(scanned.size, 301);
  assert.deepEqual(reasonsOf(skipped), ['ignored d3/x']);
  assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
});

test('an unreadable file and an unlistable directory are reported as unreadable', T, async (t) => {
  const root = hostileDir(t);
  fs.writeFileSync(path.join(root, 'locked.env'), 'TOKEN=x\n');
  fs.mkdirSync(path.join(root, 'private'));
  fs.writeFileSync(path.join(root, 'private', 'inner.txt'), 'x\n');
  fs.writeFileSync(path.join(root, 'open.txt'), 'x\n');
  fs.chmodSync(path.join(root, 'locked.env'), 0o000);
  fs.chmodSync(path.join(root, 'private'), 0o000);
  const expected = ['unreadable locked.env', 'unreadable private/'];

  if (!isRoot()) {
    const { scanned, skipped } = await walkAndRead(root);
    assert.deepEqual([...scanned.keys()], ['open.txt']);
    assert.deepEqual(reasonsOf(skipped), expected);
    return;
  }
  // Root reads through permission bits, so the honest check is to run the same walk-and-read as an
  // unprivileged user: a child process running as `nobody`.
  fs.chmodSync(root, 0o755);
  const helpers = pathToFileURL(path.join(repoRoot, 'test', 'hostile', 'helpers.ts')).href;
  const r = runAsNobody(
    `import { walkAndRead } from ${JSON.stringify(helpers)};\n` +
      `const { scanned, skipped } = await walkAndRead(${JSON.stringify(root)});\n` +
      `console.log(JSON.stringify({ scanned: [...scanned.keys()], skipped }));`,
  );
  if (r.status !== 0 && /EPERM|setuid|setgid/i.test(r.stderr)) {
    t.skip(`running as root and cannot switch to user nobody: ${r.stderr.trim().split('\n')[0]}`);
    return;
  }
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    scanned: string[];
    skipped: { path: string; reason: string; detail?: string }[];
  };
  assert.deepEqual(out.scanned, ['open.txt']);
  assert.deepEqual(reasonsOf(out.skipped), expected);
  assert.equal(out.skipped.find((s) => s.path === 'locked.env')?.detail, 'permission denied');
});

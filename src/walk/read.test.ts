import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSkipped, readForScan } from './read.js';
import type { WalkedFile } from './types.js';

function tmpDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-read-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function walked(dir: string, name: string): WalkedFile {
  const abs = path.join(dir, name);
  let size = 0;
  try {
    size = fs.lstatSync(abs).size;
  } catch {
    // vanished files keep size 0
  }
  return { path: name, absPath: abs, size };
}

test('reads a text file whole', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'line 1\nline 2\n');
  const r = await readForScan(walked(dir, 'a.txt'), 1024);
  assert.ok(Buffer.isBuffer(r));
  assert.equal(r.toString(), 'line 1\nline 2\n');
  assert.equal(isSkipped(r), false);
});

test('reads an empty file as an empty buffer', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'empty'), '');
  const r = await readForScan(walked(dir, 'empty'), 1024);
  assert.ok(Buffer.isBuffer(r));
  assert.equal(r.length, 0);
});

test('a file exactly at the cap is read, one byte over is too large', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'at'), 'x'.repeat(100));
  fs.writeFileSync(path.join(dir, 'over'), 'x'.repeat(101));
  const at = await readForScan(walked(dir, 'at'), 100);
  assert.ok(Buffer.isBuffer(at) && at.length === 100);
  assert.deepEqual(await readForScan(walked(dir, 'over'), 100), {
    path: 'over',
    reason: 'too-large',
    detail: '101 bytes > 100',
  });
});

test('a file that grew past the cap after the walk is too large, whatever the walk saw', async (t) => {
  const dir = tmpDir(t);
  const f = path.join(dir, 'grows');
  fs.writeFileSync(f, 'small');
  const seen = walked(dir, 'grows');
  fs.writeFileSync(f, 'y'.repeat(5000));
  const r = await readForScan(seen, 1000);
  assert.ok(isSkipped(r));
  assert.equal(r.reason, 'too-large');
});

test('binary files are skipped with the reason', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'nul.bin'), Buffer.from([0x41, 0x42, 0x00, 0x43]));
  fs.writeFileSync(
    path.join(dir, 'img.png'),
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x41]),
  );
  assert.deepEqual(await readForScan(walked(dir, 'nul.bin'), 1024), {
    path: 'nul.bin',
    reason: 'binary',
    detail: 'NUL byte',
  });
  assert.deepEqual(await readForScan(walked(dir, 'img.png'), 1024), {
    path: 'img.png',
    reason: 'binary',
    detail: 'png',
  });
});

test('invalid UTF-8 is returned byte for byte', async (t) => {
  const dir = tmpDir(t);
  const bytes = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0x0a]);
  fs.writeFileSync(path.join(dir, 'bad.txt'), bytes);
  assert.deepEqual(await readForScan(walked(dir, 'bad.txt'), 1024), bytes);
});

test('UTF-16 LE text with a BOM is transcoded to UTF-8', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(
    path.join(dir, 'w.ps1'),
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('$key = "abc"\r\n', 'utf16le')]),
  );
  const r = await readForScan(walked(dir, 'w.ps1'), 1024);
  assert.ok(Buffer.isBuffer(r));
  assert.equal(r.toString('utf8'), '$key = "abc"\r\n');
});

test('a file that vanished after the walk is unreadable, not an exception', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'gone'), 'x');
  const seen = walked(dir, 'gone');
  fs.rmSync(seen.absPath);
  assert.deepEqual(await readForScan(seen, 1024), {
    path: 'gone',
    reason: 'unreadable',
    detail: 'vanished before it could be read',
  });
});

test('a file swapped for a symlink after the walk is not followed', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'target'), 'secret content');
  fs.writeFileSync(path.join(dir, 'swapped'), 'x');
  const seen = walked(dir, 'swapped');
  fs.rmSync(seen.absPath);
  fs.symlinkSync(path.join(dir, 'target'), seen.absPath);
  const r = await readForScan(seen, 1024);
  assert.ok(isSkipped(r));
  assert.equal(r.reason, 'symlink');
});

test(
  'a file swapped for a FIFO does not block the read',
  { timeout: 5000, skip: process.platform === 'win32' },
  async (t) => {
    const dir = tmpDir(t);
    fs.writeFileSync(path.join(dir, 'pipe'), 'x');
    const seen = walked(dir, 'pipe');
    fs.rmSync(seen.absPath);
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [seen.absPath]);
    const r = await readForScan(seen, 1024);
    assert.ok(isSkipped(r));
    assert.equal(r.reason, 'special-file');
  },
);

test('a directory where a file was is skipped, not thrown', async (t) => {
  const dir = tmpDir(t);
  fs.writeFileSync(path.join(dir, 'd'), 'x');
  const seen = walked(dir, 'd');
  fs.rmSync(seen.absPath);
  fs.mkdirSync(seen.absPath);
  const r = await readForScan(seen, 1024);
  assert.ok(isSkipped(r));
  assert.equal(r.reason, 'special-file');
});

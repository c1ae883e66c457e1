import { test } from 'node:test';
import assert from 'node:assert/strict';
import initSqlJs from 'sql.js';
import { analyzeRpm, rpmComponents } from './rpm.js';
import { parseRpmHeader, parseSourceRpm } from './rpm-header.js';
import { FileIndex } from './files.js';
import { memFiles } from './test-files.js';
import type { OsInfo } from './types.js';

const alma: OsInfo = {
  id: 'almalinux',
  versionId: '9.4',
  osvEcosystem: 'AlmaLinux:9',
  path: 'etc/os-release',
};

type Entry = [tag: number, value: string | number];

/** An rpm header blob as rpmdb.sqlite stores it: il, dl, index entries, data store (strings NUL-ended, int32 4-aligned). */
function header(entries: Entry[]): Buffer {
  const index: Buffer[] = [];
  const data: Buffer[] = [];
  let size = 0;
  // A region tag first, as real headers have (type BIN, ignored by the reader).
  const all: [number, number, Buffer][] = [[63, 7, Buffer.alloc(16)]];
  for (const [tag, value] of entries) {
    if (typeof value === 'number') {
      const b = Buffer.alloc(4);
      b.writeInt32BE(value);
      all.push([tag, 4, b]);
    } else all.push([tag, 6, Buffer.from(`${value}\0`)]);
  }
  for (const [tag, type, bytes] of all) {
    if (type === 4 && size % 4) {
      const pad = 4 - (size % 4);
      data.push(Buffer.alloc(pad));
      size += pad;
    }
    const e = Buffer.alloc(16);
    e.writeInt32BE(tag, 0);
    e.writeUInt32BE(type, 4);
    e.writeInt32BE(size, 8);
    e.writeUInt32BE(type === 7 ? 16 : 1, 12);
    index.push(e);
    data.push(bytes);
    size += bytes.length;
  }
  const head = Buffer.alloc(8);
  head.writeUInt32BE(all.length, 0);
  head.writeUInt32BE(size, 4);
  return Buffer.concat([head, ...index, ...data]);
}

const OPENSSL = header([
  [1000, 'openssl-libs'],
  [1001, '3.0.7'],
  [1002, '27.el9'],
  [1003, 1],
  [1014, 'ASL 2.0'],
  [1022, 'x86_64'],
  [1044, 'openssl-3.0.7-27.el9.src.rpm'],
]);
const BASH = header([
  [1000, 'bash'],
  [1001, '5.1.8'],
  [1002, '9.el9'],
  [1022, 'x86_64'],
  [1044, 'bash-5.1.8-9.el9.src.rpm'],
  [1014, 'GPLv3+'],
]);
const KEY = header([
  [1000, 'gpg-pubkey'],
  [1001, 'b86b3716'],
  [1002, '61e69f29'],
]);

test('rpm header: tags read, region tag skipped', () => {
  assert.deepEqual(parseRpmHeader(OPENSSL), {
    name: 'openssl-libs',
    version: '3.0.7',
    release: '27.el9',
    epoch: 1,
    arch: 'x86_64',
    sourceRpm: 'openssl-3.0.7-27.el9.src.rpm',
    license: 'ASL 2.0',
  });
  assert.equal(parseSourceRpm('not-a-source.rpm'), undefined);
  assert.deepEqual(parseSourceRpm('perl-Carp-1.50-460.el9.src.rpm'), {
    name: 'perl-Carp',
    version: '1.50',
    release: '460.el9',
  });
});

test('rpm header: hostile blobs are clear errors', () => {
  assert.throws(() => parseRpmHeader(Buffer.alloc(4)), /shorter than 8/);
  const huge = Buffer.alloc(8);
  huge.writeUInt32BE(0xffffff, 0);
  assert.throws(() => parseRpmHeader(huge), /implausible/);
  assert.throws(() => parseRpmHeader(OPENSSL.subarray(0, OPENSSL.length - 10)), /truncated/);
  const out = rpmComponents('db', [Buffer.from([0, 0, 0, 1, 0, 0, 0, 0])], alma);
  assert.equal(out.components.length, 0);
  assert.equal(out.problems.length, 1);
});

test('rpmdb.sqlite: packages with epoch, source rpm, licence, AlmaLinux advisory key; gpg-pubkey skipped', async () => {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  for (const blob of [OPENSSL, KEY, BASH]) db.run('INSERT INTO Packages (blob) VALUES (?)', [blob]);
  const bytes = db.export();
  db.close();
  const out = await analyzeRpm(new FileIndex(memFiles({ '/var/lib/rpm/rpmdb.sqlite': bytes })), alma);
  assert.deepEqual(out.problems, []);
  assert.deepEqual(
    out.components.map((c) => [c.name, c.version, c.arch, c.source, c.licenses, c.advisory, c.purl]),
    [
      [
        'openssl-libs',
        '1:3.0.7-27.el9',
        'x86_64',
        { name: 'openssl', version: '1:3.0.7-27.el9' },
        ['Apache-2.0'],
        { ecosystem: 'AlmaLinux:9', name: 'openssl-libs', version: '1:3.0.7-27.el9' },
        'pkg:rpm/almalinux/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=almalinux-9.4&epoch=1',
      ],
      [
        'bash',
        '5.1.8-9.el9',
        'x86_64',
        { name: 'bash', version: '5.1.8-9.el9' },
        ['GPL-3.0-or-later'],
        { ecosystem: 'AlmaLinux:9', name: 'bash', version: '5.1.8-9.el9' },
        'pkg:rpm/almalinux/bash@5.1.8-9.el9?arch=x86_64&distro=almalinux-9.4',
      ],
    ],
  );
});

test('rpm: not a database, and Berkeley DB reported as not read yet', async () => {
  const bad = await analyzeRpm(new FileIndex(memFiles({ 'var/lib/rpm/rpmdb.sqlite': 'garbage' })), alma);
  assert.equal(bad.components.length, 0);
  assert.match(bad.problems[0]?.message ?? '', /not a readable rpm sqlite database/);
  const bdb = await analyzeRpm(new FileIndex(memFiles({ 'var/lib/rpm/Packages': 'x' })), undefined);
  assert.match(bdb.problems[0]?.message ?? '', /not read yet/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { strFromU8, strToU8 } from 'fflate';
import { crc32, crc32ForTest } from './crc32.js';
import { patchDeclaredSize, zipOf } from './__fixtures__/archives.js';
import { DEFAULT_ZIP_LIMITS, ZipFormatError, readZipEntries, type ZipSkip } from './zip.js';

const read = (zip: Uint8Array, limits = DEFAULT_ZIP_LIMITS) => {
  const skips: ZipSkip[] = [];
  const entries = [...readZipEntries(zip, limits, (s) => skips.push(s))].map((e) => [
    e.name,
    strFromU8(e.data),
  ]);
  return { entries, skips };
};

test('CRC-32 check value (ISO 3309 / ITU-T V.42: "123456789" → 0xCBF43926)', () => {
  assert.equal(crc32(strToU8('123456789')), 0xcbf43926);
  assert.equal(crc32ForTest(strToU8('123456789')), 0xcbf43926);
});

test('reads plain <ID>.json members, stored and deflated, large and small', () => {
  const big = JSON.stringify({
    id: 'BIG-1',
    pad: 'x'.repeat(300_000) + Math.random().toString(36).repeat(5000),
  });
  const zip = zipOf({
    'A-1.json': '{"id":"A-1"}',
    'ALSA-2024:0001.json': '{"id":"ALSA-2024:0001"}',
    'BIG-1.json': big,
  });
  const { entries, skips } = read(zip);
  assert.deepEqual(
    entries.map((e) => e[0]),
    ['A-1.json', 'ALSA-2024:0001.json', 'BIG-1.json'],
  );
  assert.equal(entries[2]?.[1], big);
  assert.deepEqual(skips, []);
});

test('hostile names and oversized declarations are refused, others skipped', () => {
  const zip = patchDeclaredSize(
    zipOf({
      '../x.json': '{}',
      'a/b.json': '{}',
      '..\\c.json': '{}',
      'ok.txt': 'x',
      'HUGE.json': '{}',
      'OK-1.json': '{}',
    }),
    'HUGE.json',
    2 ** 31,
  );
  const { entries, skips } = read(zip);
  assert.deepEqual(
    entries.map((e) => e[0]),
    ['OK-1.json'],
  );
  assert.deepEqual(
    skips.map((s) => [s.name, s.reason]),
    [
      ['../x.json', 'refused'],
      ['a/b.json', 'refused'],
      ['..\\c.json', 'refused'],
      ['ok.txt', 'not-json'],
      ['HUGE.json', 'refused'],
    ],
  );
});

test('a member that inflates beyond its declared size is a corrupt archive', () => {
  const body = JSON.stringify({ id: 'X', pad: 'y'.repeat(10_000) });
  const zip = patchDeclaredSize(zipOf({ 'X.json': body }), 'X.json', 100);
  assert.throws(() => read(zip), ZipFormatError);
  // Same with an incompressible member large enough for the streaming path.
  let noise = '';
  for (let i = 0; i < 20_000; i++) noise += Math.random().toString(36).slice(2);
  const big = patchDeclaredSize(zipOf({ 'Y.json': noise }), 'Y.json', 1000);
  assert.throws(() => read(big), /inflates beyond its declared size|CRC or size mismatch/);
});

test('archive-wide caps: total uncompressed size and entry count', () => {
  const zip = zipOf({ 'A.json': 'a'.repeat(600), 'B.json': 'b'.repeat(600) });
  assert.throws(() => read(zip, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 1000 }), /beyond the 1000-byte cap/);
  assert.throws(() => read(zip, { ...DEFAULT_ZIP_LIMITS, maxEntries: 1 }), /too many entries/);
});

test('truncated or garbage input is not an archive', () => {
  const zip = zipOf({ 'A.json': '{"id":"A"}' });
  assert.throws(() => read(zip.subarray(0, zip.length - 10)), ZipFormatError);
  assert.throws(() => read(new Uint8Array(0)), ZipFormatError);
  assert.throws(() => read(strToU8('PK not really a zip')), ZipFormatError);
});

/** Rewrites a small archive's end records the ZIP64 way (APPNOTE 4.3.14–4.3.16), as big archives have. */
function asZip64(zip: Uint8Array): Uint8Array {
  const e = zip.length - 22;
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  assert.equal(v.getUint32(e, true), 0x06054b50);
  const count = v.getUint16(e + 10, true);
  const cdSize = v.getUint32(e + 12, true);
  const cdOffset = v.getUint32(e + 16, true);
  const out = new Uint8Array(e + 56 + 20 + 22);
  out.set(zip.subarray(0, e));
  const o = new DataView(out.buffer);
  o.setUint32(e, 0x06064b50, true);
  o.setBigUint64(e + 4, 44n, true);
  o.setUint16(e + 12, 45, true);
  o.setUint16(e + 14, 45, true);
  o.setBigUint64(e + 24, BigInt(count), true);
  o.setBigUint64(e + 32, BigInt(count), true);
  o.setBigUint64(e + 40, BigInt(cdSize), true);
  o.setBigUint64(e + 48, BigInt(cdOffset), true);
  const loc = e + 56;
  o.setUint32(loc, 0x07064b50, true);
  o.setBigUint64(loc + 8, BigInt(e), true);
  o.setUint32(loc + 16, 1, true);
  const end = loc + 20;
  o.setUint32(end, 0x06054b50, true);
  o.setUint16(end + 8, 0xffff, true);
  o.setUint16(end + 10, 0xffff, true);
  o.setUint32(end + 12, 0xffffffff, true);
  o.setUint32(end + 16, 0xffffffff, true);
  return out;
}

test('ZIP64 end records (archives with more than 65,535 members) are followed', () => {
  const zip = asZip64(zipOf({ 'A-1.json': '{"id":"A-1"}', 'B-1.json': '{"id":"B-1"}' }));
  assert.deepEqual(read(zip).entries, [
    ['A-1.json', '{"id":"A-1"}'],
    ['B-1.json', '{"id":"B-1"}'],
  ]);
});

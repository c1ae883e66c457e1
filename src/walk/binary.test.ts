import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryMagic, binaryReason, decodeUtf16, SNIFF_BYTES, utf16Bom } from './binary.js';

test('plain ASCII and UTF-8 text is not binary', () => {
  assert.equal(binaryReason(Buffer.from('const a = 1;\nconsole.log("héllo ✓");\n')), undefined);
  assert.equal(binaryReason(Buffer.alloc(0)), undefined);
});

test('invalid UTF-8 is not binary', () => {
  const bytes = Buffer.concat([
    Buffer.from('token = "'),
    Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80]),
    Buffer.from('"\n'),
  ]);
  assert.equal(binaryReason(bytes), undefined);
});

test('a NUL byte in the first 8 KiB makes a file binary, after it does not', () => {
  const early = Buffer.alloc(100, 0x61);
  early[50] = 0;
  assert.equal(binaryReason(early), 'NUL byte');
  const late = Buffer.alloc(SNIFF_BYTES + 10, 0x61);
  late[SNIFF_BYTES + 5] = 0;
  assert.equal(binaryReason(late), undefined);
  const edge = Buffer.alloc(SNIFF_BYTES + 10, 0x61);
  edge[SNIFF_BYTES - 1] = 0;
  assert.equal(binaryReason(edge), 'NUL byte');
});

test('magic numbers of NUL-free binary formats are recognised', () => {
  const withTail = (head: number[] | string) =>
    Buffer.concat([
      typeof head === 'string' ? Buffer.from(head, 'latin1') : Buffer.from(head),
      Buffer.from('abc\n'),
    ]);
  assert.equal(binaryMagic(withTail([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'png');
  assert.equal(binaryMagic(withTail('GIF89a')), 'gif');
  assert.equal(binaryMagic(withTail('%PDF-1.7')), 'pdf');
  assert.equal(binaryMagic(withTail('BZh91AY&SY')), 'bzip2');
  assert.equal(binaryMagic(withTail([0x7f, 0x45, 0x4c, 0x46])), 'elf');
  assert.equal(binaryMagic(withTail('RIFF\x10\x20\x30\x40WEBPVP8 ')), 'webp');
  assert.equal(binaryReason(withTail([0xff, 0xd8, 0xff, 0xe1])), 'jpeg');
});

test('text that merely resembles a signature is not binary', () => {
  assert.equal(binaryMagic(Buffer.from('BZh is not bzip2\n')), undefined);
  assert.equal(binaryMagic(Buffer.from('GIF image notes\n')), undefined);
  assert.equal(binaryMagic(Buffer.from('abcdefghWEBP but no RIFF\n')), undefined);
  assert.equal(binaryMagic(Buffer.from('%PD')), undefined);
});

test('UTF-16 byte-order marks are detected and transcoded to UTF-8', () => {
  const text = 'password = "hunter2-ü"\nnext line\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  assert.equal(utf16Bom(le), 'utf16le');
  assert.equal(decodeUtf16(le, 'utf16le').toString('utf8'), text);

  const be = Buffer.from(le.subarray(2));
  be.swap16();
  const beWithBom = Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
  const before = Buffer.from(beWithBom);
  assert.equal(utf16Bom(beWithBom), 'utf16be');
  assert.equal(decodeUtf16(beWithBom, 'utf16be').toString('utf8'), text);
  assert.deepEqual(beWithBom, before, 'the input buffer is not modified');

  assert.equal(
    utf16Bom(Buffer.from([0xff, 0xfe, 0, 0, 0x61, 0, 0, 0])),
    undefined,
    'UTF-32 LE is not UTF-16',
  );
  assert.equal(utf16Bom(Buffer.from('plain')), undefined);
});

test('a BOM-like start on text that is not UTF-16 is left alone', () => {
  const latin1 = Buffer.concat([
    Buffer.from([0xff, 0xfe]),
    Buffer.from('token = "abc"\nmore text here\n', 'latin1'),
  ]);
  assert.equal(utf16Bom(latin1), undefined);
  assert.equal(utf16Bom(Buffer.from([0xff, 0xfe])), 'utf16le', 'an empty UTF-16 file');
});

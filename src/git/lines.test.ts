import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './lines.js';

const text = (lines: { bytes: Buffer; truncated: boolean }[]) =>
  lines.map((l) => `${l.bytes.toString()}${l.truncated ? '…' : ''}`);

test('splits across chunk boundaries and keeps an unterminated last line', () => {
  const s = new LineSplitter(100);
  assert.deepEqual(text(s.push(Buffer.from('ab'))), []);
  assert.deepEqual(text(s.push(Buffer.from('c\n\nde'))), ['abc', '']);
  assert.deepEqual(text(s.push(Buffer.from('f\r\ng'))), ['def\r']);
  assert.deepEqual(text(s.end()), ['g']);
  assert.deepEqual(text(s.end()), []);
});

test('caps a line at maxLine bytes, flags it, and resumes at the next line', () => {
  const s = new LineSplitter(4);
  assert.deepEqual(text(s.push(Buffer.from('123'))), []);
  assert.deepEqual(text(s.push(Buffer.from('456789'))), []);
  assert.deepEqual(text(s.push(Buffer.from('0\nok\n12345'))), ['1234…', 'ok']);
  assert.deepEqual(text(s.end()), ['1234…']);
});

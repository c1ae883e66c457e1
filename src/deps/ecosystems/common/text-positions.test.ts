import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayTableLines, jsonLines, jsonPointer, lineOfOffset, tableLine } from './text-positions.js';

test('jsonLines: keys and array elements map to their lines, escaped keys included', () => {
  const text =
    '{\n  "a": {\n    "x/y": 1,\n    "q\\"z": [\n      {"name": "n"},\n      2\n    ]\n  },\n  "b": "s"\n}';
  const lines = jsonLines(text, 3);
  assert.equal(lines.get(jsonPointer('a')), 2);
  assert.equal(lines.get(jsonPointer('a', 'x/y')), 3);
  assert.equal(lines.get('/a/x~1y'), 3);
  assert.equal(lines.get(jsonPointer('a', 'q"z')), 4);
  assert.equal(lines.get(jsonPointer('a', 'q"z', 0)), 5);
  assert.equal(lines.get(jsonPointer('a', 'q"z', 1)), 6);
  assert.equal(lines.get(jsonPointer('a', 'q"z', 0, 'name')), undefined); // deeper than maxDepth
  assert.equal(lines.get(jsonPointer('b')), 9);
});

test('jsonLines: tolerates truncated and garbage input', () => {
  assert.equal(jsonLines('{"a": {"b": [1, 2', 5).get('/a/b/1'), 1);
  assert.doesNotThrow(() => jsonLines('}}]]"\\', 5));
  assert.doesNotThrow(() => jsonLines('['.repeat(100000), 5));
});

test('arrayTableLines: [[header]] lines with their names; other headers end the element', () => {
  const text =
    '[[package]]\nname = "a"\n\n[package.dependencies]\nname = "not-this"\n\n[[package]]\n# comment\nversion = "1"\nname = \'b\'\n[[other]]\nname = "c"\n';
  const entries = arrayTableLines(text, 'package');
  assert.deepEqual(entries, [
    { line: 1, name: 'a' },
    { line: 7, name: 'b' },
  ]);
  assert.equal(tableLine(entries, 1, 'b'), 7);
  assert.equal(tableLine(entries, 1, 'x'), undefined);
  assert.equal(lineOfOffset('a\nb\nc', 4), 3);
});

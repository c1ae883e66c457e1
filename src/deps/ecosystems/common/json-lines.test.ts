import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isObject, parseJson } from './json-lines.js';

test('values match JSON.parse and keys know their line', () => {
  const text = '{\n  "a": 1,\n  "b": {\n    "c": [true, false, null, -1.5e3, "x\\n\\u00e9"]\n  }\n}';
  const r = parseJson(text);
  assert.ok(r.ok);
  assert.deepEqual(JSON.parse(JSON.stringify(r.json.value)), JSON.parse(text));
  const root = r.json.value;
  assert.ok(isObject(root) && isObject(root.b));
  assert.equal(r.json.keyLine(root, 'a'), 2);
  assert.equal(r.json.keyLine(root, 'b'), 3);
  assert.equal(r.json.keyLine(root.b, 'c'), 4);
});

test('__proto__ is an ordinary key', () => {
  const r = parseJson('{"__proto__": {"polluted": true}}');
  assert.ok(r.ok && isObject(r.json.value));
  assert.deepEqual(Object.keys(r.json.value), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('syntax errors carry line and column', () => {
  assert.deepEqual(parseJson('{\n  "a": 1\n  "b": 2\n}'), {
    ok: false,
    error: { line: 3, column: 3, message: 'unexpected "\\"", expected "," or "}"' },
  });
  const r = parseJson('{"a": "line\nbreak"}');
  assert.ok(!r.ok && r.error.line === 1 && /control character/.test(r.error.message));
  assert.ok(!parseJson('{"a": 1,}').ok);
  assert.ok(!parseJson('').ok);
  assert.ok(!parseJson('{} x').ok);
});

test('JSONC: comments and trailing commas only when asked', () => {
  const text = '{\n  // note\n  "a": [1, 2,], /* block\n comment */ "b": {"c": 1,},\n}';
  assert.ok(!parseJson(text).ok);
  const r = parseJson(text, { jsonc: true });
  assert.ok(r.ok && isObject(r.json.value));
  assert.deepEqual(JSON.parse(JSON.stringify(r.json.value)), { a: [1, 2], b: { c: 1 } });
  assert.equal(r.json.keyLine(r.json.value, 'b'), 4);
});

test('nesting is capped', () => {
  const r = parseJson('['.repeat(10_000) + ']'.repeat(10_000));
  assert.ok(!r.ok && /nesting deeper than 512/.test(r.error.message));
  assert.ok(parseJson('['.repeat(100) + ']'.repeat(100)).ok);
});

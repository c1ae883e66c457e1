import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bunLockParser } from './bun-lock.js';
import { unsupportedLockfile } from '../../unsupported.js';
import { byKey, depsOf, fixtureInput, textInput } from './__fixtures__/input.js';

test('matches bun.lock, not the binary bun.lockb', () => {
  assert.ok(bunLockParser.matches('bun.lock'));
  assert.ok(!bunLockParser.matches('bun.lockb'));
});

test('bun.lock: JSONC, nested install paths, workspaces, git and file entries', () => {
  const r = bunLockParser.parse(fixtureInput('bun', 'bun.lock'));
  assert.equal(r.errors, undefined);
  const expected: [string, string, boolean, number][] = [
    ['chalk@github:chalk/chalk#bfbc492', 'prod', true, 31],
    ['fsevents@2.3.3', 'optional', true, 33],
    ['is-even@1.0.0', 'prod', true, 35],
    ['is-number@6.0.0', 'prod', false, 37],
    ['is-odd@3.0.1', 'prod', true, 39], // declared by the packages/lib workspace
    ['typescript@5.4.5', 'dev', true, 43],
    ['is-odd@0.1.2', 'prod', false, 45], // nested under is-even
    ['is-number@3.0.0', 'prod', false, 47],
  ];
  const got = byKey(r.components);
  assert.deepEqual([...got.keys()].sort(), expected.map((e) => e[0]).sort());
  for (const [key, scope, direct, line] of expected) {
    const c = got.get(key);
    assert.ok(c, key);
    assert.equal(c.scope, scope, `${key} scope`);
    assert.equal(c.direct, direct, `${key} direct`);
    assert.deepEqual(c.location, { path: 'bun.lock', line }, `${key} location`);
  }
  assert.deepEqual(depsOf(r.components, 'is-even@1.0.0'), ['is-odd@0.1.2']);
  assert.deepEqual(depsOf(r.components, 'is-odd@0.1.2'), ['is-number@3.0.0']);
  assert.deepEqual(depsOf(r.components, 'is-odd@3.0.1'), ['is-number@6.0.0']);
});

test('malformed bun.lock: error with the line; bad entries reported, not thrown', () => {
  const r = bunLockParser.parse(
    textInput(
      'bun.lock',
      '{\n  "lockfileVersion": 1,\n  "packages": {\n    "a": ["a@1.0.0" "", {}]\n  }\n}\n',
    ),
  );
  assert.deepEqual(r.components, []);
  assert.equal(r.errors?.[0]?.line, 4);
  assert.match(r.errors?.[0]?.message ?? '', /invalid JSONC/);

  const entries = bunLockParser.parse(
    textInput(
      'bun.lock',
      '{\n"packages": {\n"a": 5,\n"b": ["@@"],\n"c": ["c@1.0.0", "", {}, "sha512-x"],\n},\n}',
    ),
  );
  assert.deepEqual(
    entries.components.map((c) => c.purl),
    ['pkg:npm/c@1.0.0'],
  );
  assert.deepEqual(
    entries.errors?.map((e) => e.line),
    [3, 4],
  );
});

test('bun.lockb: listed as an unsupported format with the conversion command', () => {
  assert.match(unsupportedLockfile('x/bun.lockb') ?? '', /bun install --save-text-lockfile/);
});

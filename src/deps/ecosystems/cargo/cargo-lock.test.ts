import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from '../pypi/__fixtures__/fixture-input.js';
import { parseCargoLock } from './cargo-lock.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

test('Cargo.lock v1: "name version (source)" references; the local crate and its dependencies are direct', () => {
  const r = parseCargoLock(fixtureInput(fixtures, 'v1/Cargo.lock'));
  assert.equal(r.errors, undefined);
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.direct, c.location.line, c.purl]),
    [
      ['app', '0.1.0', true, 1, 'pkg:cargo/app@0.1.0'],
      ['libc', '0.2.80', true, 9, 'pkg:cargo/libc@0.2.80'],
      ['rand', '0.7.3', true, 14, 'pkg:cargo/rand@0.7.3'],
    ],
  );
  assert.deepEqual(r.components[0]?.dependsOn, ['pkg:cargo/libc@0.2.80', 'pkg:cargo/rand@0.7.3']);
  assert.deepEqual(r.components[2]?.dependsOn, ['pkg:cargo/libc@0.2.80']);
});

test('Cargo.lock v3 workspace: same crate in two versions, git source, members direct', () => {
  const r = parseCargoLock(fixtureInput(fixtures, 'v3/Cargo.lock'));
  assert.equal(r.errors, undefined);
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.direct, c.location.line, c.dependsOn]),
    [
      ['bitflags', '1.3.2', false, 5, undefined],
      ['bitflags', '2.4.0', true, 11, undefined],
      ['member_a', '0.1.0', true, 17, ['pkg:cargo/bitflags@2.4.0', 'pkg:cargo/member_b@0.2.0']],
      ['member_b', '0.2.0', true, 25, ['pkg:cargo/old_dep@0.5.0']],
      ['old_dep', '0.5.0', true, 32, ['pkg:cargo/bitflags@1.3.2']],
    ],
  );
});

test('Cargo.lock: malformed TOML, missing fields and dangling references are errors with lines', () => {
  const bad = parseCargoLock(
    textInput('Cargo.lock', 'version = 3\n\n[[package]]\nname = "x"\nversion = "1.0\n'),
  );
  assert.deepEqual(bad.components, []);
  assert.equal(bad.errors?.[0]?.line, 5);
  const partial = parseCargoLock(
    textInput(
      'Cargo.lock',
      'version = 4\n\n[[package]]\nname = "a"\nversion = "1.0.0"\ndependencies = ["ghost"]\n\n[[package]]\nname = "b"\n',
    ),
  );
  assert.deepEqual(
    partial.components.map((c) => c.name),
    ['a'],
  );
  assert.deepEqual(
    partial.errors?.map((e) => e.line),
    [8, 3],
  );
});

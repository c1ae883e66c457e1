import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from './__fixtures__/fixture-input.js';
import { parseUvLock } from './uv-lock.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

test('uv.lock: the editable project is not a component; its groups give direct and scope', () => {
  const r = parseUvLock(fixtureInput(fixtures, 'uv/uv.lock'));
  assert.equal(r.errors, undefined);
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.scope, c.direct, c.location.line]),
    [
      ['anyio', '4.6.0', 'prod', false, 4],
      ['h2', '4.1.0', 'prod', false, 30],
      ['httpx', '0.27.2', 'prod', true, 35],
      ['idna', '3.10', 'prod', false, 48],
      ['numpy', '1.26.4', 'dev', false, 53],
      ['numpy', '2.1.0', undefined, false, 59],
      ['pandas', '2.2.3', 'dev', false, 65],
      ['psycopg', '3.2.3', 'optional', true, 73],
      ['pytest', '8.3.3', 'dev', true, 78],
    ],
  );
});

test('uv.lock: graph edges follow versioned references and requested extras', () => {
  const r = parseUvLock(fixtureInput(fixtures, 'uv/uv.lock'));
  const byId = new Map(r.components.map((c) => [c.id, c]));
  assert.deepEqual(byId.get('pkg:pypi/httpx@0.27.2')?.dependsOn, [
    'pkg:pypi/anyio@4.6.0',
    'pkg:pypi/h2@4.1.0',
  ]);
  assert.deepEqual(byId.get('pkg:pypi/pandas@2.2.3')?.dependsOn, ['pkg:pypi/numpy@1.26.4']);
  assert.deepEqual(byId.get('pkg:pypi/pytest@8.3.3')?.dependsOn, [
    'pkg:pypi/idna@3.10',
    'pkg:pypi/pandas@2.2.3',
  ]);
  assert.equal(byId.get('pkg:pypi/h2@4.1.0')?.dependsOn, undefined);
});

test('uv.lock: a virtual root is skipped too; malformed TOML is an error with its line', () => {
  const lock =
    'version = 1\n\n[[package]]\nname = "app"\nversion = "1.0"\nsource = { virtual = "." }\ndependencies = [{ name = "six" }]\n\n[[package]]\nname = "six"\nversion = "1.16.0"\nsource = { registry = "https://pypi.org/simple" }\n';
  const r = parseUvLock(textInput('uv.lock', lock));
  assert.deepEqual(
    r.components.map((c) => [c.name, c.direct, c.scope, c.location.line]),
    [['six', true, 'prod', 9]],
  );
  const bad = parseUvLock(textInput('uv.lock', 'version = 1\n[[package]\nname = "x"\n'));
  assert.deepEqual(bad.components, []);
  assert.equal(bad.errors?.[0]?.line, 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from './__fixtures__/fixture-input.js';
import { parsePoetryLock, poetryLockParser } from './poetry-lock.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

test('poetry.lock 1.1: category gives scope, pyproject gives direct, dependencies give the graph', () => {
  const r = parsePoetryLock(fixtureInput(fixtures, 'poetry/poetry.lock'));
  assert.equal(r.errors, undefined);
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.scope, c.direct, c.location.line]),
    [
      ['certifi', '2021.5.30', 'prod', true, 1],
      ['Django', '3.2.4', 'prod', true, 9],
      ['asgiref', '3.4.0', 'prod', false, 24],
      ['pytz', '2021.1', 'prod', false, 32],
      ['psycopg2-binary', '2.9.1', 'optional', true, 40],
      ['pytest', '6.2.4', 'dev', true, 48],
      ['pluggy', '0.13.1', 'dev', false, 59],
    ],
  );
  const django = r.components[1];
  assert.equal(django?.purl, 'pkg:pypi/django@3.2.4');
  assert.deepEqual(django?.dependsOn, ['pkg:pypi/asgiref@3.4.0', 'pkg:pypi/pytz@2021.1']);
  assert.deepEqual(r.components[5]?.dependsOn, ['pkg:pypi/pluggy@0.13.1']);
  assert.equal(r.components[0]?.location.path, 'poetry/poetry.lock');
});

test('poetry.lock 2.0 (no category): scope from the pyproject groups through the graph', () => {
  const r = parsePoetryLock(fixtureInput(fixtures, 'poetry2/poetry.lock'));
  assert.deepEqual(
    r.components.map((c) => [c.name, c.scope, c.direct, c.location.line]),
    [
      ['black', 'dev', true, 3],
      ['click', 'prod', false, 15],
      ['flask', 'prod', true, 23],
      ['mypy-extensions', 'dev', false, 34],
    ],
  );
});

test('poetry.lock 2.1: groups give scope; without pyproject direct is unknown', () => {
  const lock = [
    '[[package]]',
    'name = "rich"',
    'version = "13.7.1"',
    'groups = ["main"]',
    '',
    '[[package]]',
    'name = "ruff"',
    'version = "0.4.0"',
    'groups = ["lint"]',
    '',
    '[metadata]',
    'lock-version = "2.1"',
  ].join('\n');
  const r = parsePoetryLock(textInput('poetry.lock', lock));
  assert.deepEqual(
    r.components.map((c) => [c.name, c.scope, c.direct, c.location.line]),
    [
      ['rich', 'prod', undefined, 1],
      ['ruff', 'dev', undefined, 6],
    ],
  );
});

test('poetry.lock: malformed TOML is an error with its line, not an exception', () => {
  const r = parsePoetryLock(textInput('poetry.lock', '[[package]]\nname = "a"\nversion = \n'));
  assert.deepEqual(r.components, []);
  assert.equal(r.errors?.length, 1);
  assert.equal(r.errors?.[0]?.line, 3);
  assert.match(r.errors?.[0]?.message ?? '', /invalid TOML/);
  const noName = parsePoetryLock(textInput('poetry.lock', '[[package]]\nversion = "1"\n'));
  assert.equal(noName.errors?.[0]?.line, 1);
  assert.ok(poetryLockParser.matches('sub/poetry.lock'));
});

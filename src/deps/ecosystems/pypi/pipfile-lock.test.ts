import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from './__fixtures__/fixture-input.js';
import { parsePipfileLock } from './pipfile-lock.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

test('Pipfile.lock: default is prod, develop is dev, Pipfile gives direct', () => {
  const r = parsePipfileLock(fixtureInput(fixtures, 'pipenv/Pipfile.lock'));
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.scope, c.direct, c.location.line, c.purl]),
    [
      ['requests', '2.28.1', 'prod', true, 19, 'pkg:pypi/requests@2.28.1'],
      ['urllib3', '1.26.12', 'prod', false, 26, 'pkg:pypi/urllib3@1.26.12'],
      ['pytest', '7.2.0', 'dev', true, 39, 'pkg:pypi/pytest@7.2.0'],
    ],
  );
  assert.deepEqual(r.unresolved, [
    {
      path: 'pipenv/Pipfile.lock',
      line: 33,
      name: 'private-lib',
      reason: 'no pinned version (https://github.com/example/private-lib.git)',
    },
  ]);
});

test('Pipfile.lock: without a Pipfile direct is unknown', () => {
  const r = parsePipfileLock(
    textInput('Pipfile.lock', '{"default": {"six": {"version": "==1.16.0"}}, "develop": {}}'),
  );
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.direct, c.scope, c.location.line]),
    [['six', '1.16.0', undefined, 'prod', 1]],
  );
});

test('Pipfile.lock: invalid JSON is an error with its line', () => {
  const r = parsePipfileLock(
    textInput('Pipfile.lock', '{\n  "default": {\n    "six": {"version": "==1.16.0"},\n  }\n}'),
  );
  assert.deepEqual(r.components, []);
  assert.equal(r.errors?.[0]?.line, 4);
  const notObject = parsePipfileLock(textInput('Pipfile.lock', '[]'));
  assert.match(notObject.errors?.[0]?.message ?? '', /JSON object/);
});

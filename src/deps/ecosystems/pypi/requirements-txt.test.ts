import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from './__fixtures__/fixture-input.js';
import {
  logicalLines,
  parseRequirementsTxt,
  requirementsTxtParser,
  scopeFromFileName,
} from './requirements-txt.js';

const root = fileURLToPath(new URL('./__fixtures__/requirements/', import.meta.url));

test('requirements.txt: pinned lines, hashes, extras, markers, === and constraints', () => {
  const r = parseRequirementsTxt(fixtureInput(root, 'requirements.txt'));
  const got = r.components.map((c) => [c.name, c.version, c.location.path, c.location.line]);
  assert.deepEqual(got, [
    ['six', '1.16.0', 'nested/base.txt', 2],
    ['Django', '3.2.1', 'requirements.txt', 6],
    ['requests', '2.25.1', 'requirements.txt', 9],
    ['zope.interface', '5.4.0', 'requirements.txt', 10],
    ['gunicorn', '20.1.0', 'requirements.txt', 12],
  ]);
  const django = r.components[1];
  assert.equal(django?.purl, 'pkg:pypi/django@3.2.1');
  assert.equal(django?.id, 'pkg:pypi/django@3.2.1');
  assert.equal(django?.direct, undefined);
  assert.equal(django?.scope, undefined);
  assert.equal(r.errors, undefined);
});

test('requirements.txt: unpinned, editable, wildcard and missing includes are unresolved; include loops stop', () => {
  const r = parseRequirementsTxt(fixtureInput(root, 'requirements.txt'));
  const un = (r.unresolved ?? []).map((u) => [u.name, u.path, u.line]);
  assert.deepEqual(un, [
    ['proj', 'requirements.txt', 13],
    ['missing.txt', 'requirements.txt', 15],
    ['flask', 'requirements.txt', 11],
    ['numpy', 'requirements.txt', 14],
  ]);
  assert.match(r.unresolved?.[2]?.reason ?? '', /not pinned/);
  // The loop nested/base.txt → ../requirements.txt is read once.
  assert.equal(r.components.filter((c) => c.name === 'Django').length, 1);
});

test('requirements.txt: pip-compile `# via` annotations give direct and the graph; file name gives scope', () => {
  const r = parseRequirementsTxt(fixtureInput(root, 'requirements-dev.txt'));
  const byName = new Map(r.components.map((c) => [c.name, c]));
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.direct, c.scope, c.location.line]),
    [
      ['asgiref', '3.5.2', false, 'dev', 4],
      ['django', '4.0.6', true, 'dev', 6],
      ['pytest', '7.1.2', true, 'dev', 8],
      ['pytest-django', '4.5.2', true, 'dev', 12],
      ['sqlparse', '0.4.2', false, 'dev', 14],
    ],
  );
  assert.deepEqual(byName.get('django')?.dependsOn, ['pkg:pypi/asgiref@3.5.2', 'pkg:pypi/sqlparse@0.4.2']);
  assert.deepEqual(byName.get('pytest-django')?.dependsOn, ['pkg:pypi/pytest@7.1.2']);
  assert.equal(byName.get('asgiref')?.dependsOn, undefined);
});

test('requirements.txt: continuation lines keep the first line number; comments end them', () => {
  assert.deepEqual(logicalLines('a==1 \\\n  --hash=x \\\n  --hash=y\nb==2\n'), [
    { line: 1, text: 'a==1   --hash=x   --hash=y' },
    { line: 4, text: 'b==2' },
    { line: 5, text: '' },
  ]);
});

test('requirements.txt: matching file names and scope from names', () => {
  assert.ok(requirementsTxtParser.matches('requirements.txt'));
  assert.ok(requirementsTxtParser.matches('app/requirements-dev.txt'));
  assert.ok(requirementsTxtParser.matches('requirements/prod.txt'));
  assert.ok(!requirementsTxtParser.matches('docs/notes.txt'));
  assert.ok(!requirementsTxtParser.matches('requirements.in'));
  assert.equal(scopeFromFileName('requirements/test.txt'), 'test');
  assert.equal(scopeFromFileName('requirements_dev.txt'), 'dev');
  assert.equal(scopeFromFileName('requirements-docker.txt'), undefined);
});

test('requirements.txt: garbage lines are unresolved, never thrown', () => {
  const r = parseRequirementsTxt(
    textInput('requirements.txt', 'ok==1.0\n!!!not a requirement\n==2\nname==\n\u0000\n'),
  );
  assert.deepEqual(
    r.components.map((c) => c.name),
    ['ok'],
  );
  assert.deepEqual(
    (r.unresolved ?? []).map((u) => u.line ?? 0).sort((a, b) => a - b),
    [2, 3, 4, 5],
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { fixtureInput, textInput } from '../pypi/__fixtures__/fixture-input.js';
import { goSumModules, parseGoMod, parseGoModText } from './go-mod.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

test('go.mod before Go 1.17: requires, indirect, replace, plus every go.sum module at its highest version', () => {
  const r = parseGoMod(fixtureInput(fixtures, 'legacy/go.mod'));
  assert.equal(r.errors, undefined);
  const got = r.components.map((c) => [c.name, c.version, c.direct, c.location.path, c.location.line]);
  assert.deepEqual(
    got.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      ['github.com/new/lib', '1.1.0', true, 'legacy/go.mod', 14],
      ['github.com/pkg/errors', '0.9.1', true, 'legacy/go.mod', 6],
      ['github.com/single/line', '1.2.3', true, 'legacy/go.mod', 12],
      ['github.com/sum/only', '1.10.0', false, 'legacy/go.sum', 7],
      ['golang.org/x/text', '0.3.2', false, 'legacy/go.mod', 7],
      ['golang.org/x/tools', '0.0.0-20180917221912-90fa682c2a6e', false, 'legacy/go.sum', 11],
    ],
  );
  const errors = r.components.find((c) => c.name === 'github.com/pkg/errors');
  assert.equal(errors?.purl, 'pkg:golang/github.com/pkg/errors@0.9.1');
  assert.equal(errors?.id, errors?.purl);
  assert.deepEqual(r.unresolved, [
    { path: 'legacy/go.mod', line: 16, name: 'example.com/local', reason: 'replaced by local path ../local' },
  ]);
});

test('go.mod from Go 1.17: go.sum is not read; toolchain adds stdlib; versioned replace applies only to that version', () => {
  const r = parseGoMod(fixtureInput(fixtures, 'modern/go.mod'));
  assert.deepEqual(
    r.components.map((c) => [c.name, c.version, c.direct, c.location.line]),
    [
      ['stdlib', '1.21.5', undefined, 5],
      ['github.com/a/b', '1.0.1', true, 12],
      ['github.com/c/d', '2.0.0+incompatible', false, 9],
    ],
  );
  assert.deepEqual(
    r.components.slice(0, 2).map((c) => c.purl),
    ['pkg:golang/stdlib@1.21.5', 'pkg:golang/github.com/a/b@1.0.1'],
  );
});

test('go.sum: highest version by semver, not by text order', () => {
  const m = goSumModules('x v1.9.0/go.mod h1:a\nx v1.10.0/go.mod h1:b\nx v1.2.0 h1:c\n\ngarbage\n');
  assert.deepEqual(m.get('x'), { version: 'v1.10.0', line: 2 });
});

test('go.mod: malformed lines and an unterminated block are errors with lines, never thrown', () => {
  const mod = parseGoModText(
    'go.mod',
    'module x\n\nfrobnicate y\nrequire (\n\tgithub.com/only/path\n\t"github.com/quoted/path" v1.0.0 // indirect\n',
  );
  assert.deepEqual(mod.errors, [
    { path: 'go.mod', line: 3, message: 'unknown directive "frobnicate"' },
    { path: 'go.mod', line: 5, message: 'malformed require: github.com/only/path' },
    { path: 'go.mod', line: 4, message: 'unterminated require block' },
  ]);
  assert.deepEqual(mod.requires, [
    { path: 'github.com/quoted/path', version: 'v1.0.0', indirect: true, line: 6 },
  ]);
  const r = parseGoMod(textInput('go.mod', 'replace =>\n'));
  assert.equal(r.errors?.[0]?.line, 1);
});

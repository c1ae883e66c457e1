import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeNode } from './node.js';
import { FileIndex } from './files.js';
import { memFiles } from './test-files.js';

test('node_modules: nested, scoped, app package.json as own; stray package.json files ignored', () => {
  const files = memFiles({
    '/app/package.json': JSON.stringify({ name: 'scanner-fixture-app', version: '1.0.0', private: true }),
    '/app/package-lock.json': '{}',
    '/app/node_modules/lodash/package.json': JSON.stringify({
      name: 'lodash',
      version: '4.17.20',
      license: 'MIT',
    }),
    '/app/node_modules/minimist/package.json': JSON.stringify({
      name: 'minimist',
      version: '1.2.5',
      license: { type: 'MIT' },
    }),
    '/app/node_modules/mkdirp/package.json': JSON.stringify({
      name: 'mkdirp',
      version: '0.5.1',
      licenses: [{ type: 'MIT' }],
    }),
    '/app/node_modules/mkdirp/node_modules/minimist/package.json': JSON.stringify({
      name: 'minimist',
      version: '0.0.8',
    }),
    '/app/node_modules/@isaacs/string-locale-compare/package.json': JSON.stringify({
      name: '@isaacs/string-locale-compare',
      version: '1.1.0',
      license: 'ISC',
    }),
    '/app/node_modules/lodash/fp/package.json': JSON.stringify({ main: '../fp.js' }),
    '/app/node_modules/broken/package.json': '{ not json',
    '/app/node_modules/noversion/package.json': JSON.stringify({ name: 'noversion' }),
    '/srv/other/package.json': JSON.stringify({ name: 'lonely', version: '1.0.0' }),
  });
  const out = analyzeNode(new FileIndex(files));
  assert.deepEqual(
    out.components.map((c) => [c.purl, c.location.path, c.licenses, c.own]),
    [
      ['pkg:npm/scanner-fixture-app@1.0.0', 'app/package.json', undefined, true],
      ['pkg:npm/lodash@4.17.20', 'app/node_modules/lodash/package.json', ['MIT'], undefined],
      ['pkg:npm/minimist@1.2.5', 'app/node_modules/minimist/package.json', ['MIT'], undefined],
      ['pkg:npm/mkdirp@0.5.1', 'app/node_modules/mkdirp/package.json', ['MIT'], undefined],
      [
        'pkg:npm/minimist@0.0.8',
        'app/node_modules/mkdirp/node_modules/minimist/package.json',
        undefined,
        undefined,
      ],
      [
        'pkg:npm/%40isaacs/string-locale-compare@1.1.0',
        'app/node_modules/@isaacs/string-locale-compare/package.json',
        ['ISC'],
        undefined,
      ],
    ],
  );
  assert.equal(out.problems.length, 1);
  assert.equal(out.problems[0]?.path, 'app/node_modules/broken/package.json');
});

test('node: the same package installed twice gets distinct ids', () => {
  const pj = JSON.stringify({ name: 'a', version: '1.0.0' });
  const out = analyzeNode(
    new FileIndex(memFiles({ 'x/node_modules/a/package.json': pj, 'y/node_modules/a/package.json': pj })),
  );
  assert.deepEqual(
    out.components.map((c) => c.id),
    ['pkg:npm/a@1.0.0#x/node_modules/a/package.json', 'pkg:npm/a@1.0.0#y/node_modules/a/package.json'],
  );
});

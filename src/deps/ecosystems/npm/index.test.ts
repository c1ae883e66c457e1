import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureInput } from './__fixtures__/input.js';
import { npmParsers } from './index.js';

const FIXTURES: [folder: string, file: string][] = [
  ['package-lock-v1', 'package-lock.json'],
  ['package-lock-v2', 'package-lock.json'],
  ['package-lock-v3', 'package-lock.json'],
  ['npm-shrinkwrap', 'npm-shrinkwrap.json'],
  ['yarn-v1', 'yarn.lock'],
  ['yarn-berry', 'yarn.lock'],
  ['pnpm-v5', 'pnpm-lock.yaml'],
  ['pnpm-v6', 'pnpm-lock.yaml'],
  ['pnpm-v9', 'pnpm-lock.yaml'],
  ['bun', 'bun.lock'],
];

test('one parser per lockfile name, all for the npm ecosystem', () => {
  for (const name of [
    'package-lock.json',
    'npm-shrinkwrap.json',
    'yarn.lock',
    'pnpm-lock.yaml',
    'bun.lock',
  ]) {
    assert.equal(npmParsers.filter((p) => p.matches(`x/${name}`)).length, 1, name);
  }
  assert.ok(
    !npmParsers.some((p) => p.matches('x/bun.lockb')),
    'the binary bun.lockb is listed as unsupported, not parsed',
  );
  assert.ok(npmParsers.every((p) => p.ecosystem === 'npm'));
  assert.equal(new Set(npmParsers.map((p) => p.id)).size, npmParsers.length);
});

test('truncated and corrupted fixtures never throw', () => {
  for (const [folder, file] of FIXTURES) {
    const input = fixtureInput(folder, file);
    const parser = npmParsers.find((p) => p.matches(file));
    assert.ok(parser);
    for (let cut = 0; cut < input.text.length; cut += 97) {
      const variants = [
        input.text.slice(0, cut),
        input.text.slice(0, cut) + '\u0000"{[:' + input.text.slice(cut + 3),
      ];
      for (const text of variants) {
        const result = parser.parse({ ...input, text });
        assert.ok(Array.isArray(result.components));
        for (const e of result.errors ?? []) assert.equal(e.path, file);
      }
    }
  }
});

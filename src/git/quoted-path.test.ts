import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffGitNewPath, headerPath, readQuoted } from './quoted-path.js';

test('readQuoted decodes C escapes and octal UTF-8 bytes', () => {
  assert.deepEqual(readQuoted('"a\\tb\\"c\\\\d" rest'), { value: 'a\tb"c\\d', end: 12 });
  assert.equal(readQuoted('"\\303\\251"')?.value, 'é');
  assert.equal(readQuoted('"é😀"')?.value, 'é😀');
  assert.equal(readQuoted('"unterminated'), undefined);
  assert.equal(readQuoted('"bad \\q escape"'), undefined);
  assert.equal(readQuoted('no quote'), undefined);
});

test('headerPath strips the prefix, the space-disambiguating TAB and /dev/null', () => {
  assert.equal(headerPath('b/src/a.ts', 'b/'), 'src/a.ts');
  assert.equal(headerPath('b/with space.txt\t', 'b/'), 'with space.txt');
  assert.equal(headerPath('"b/new\\nline"', 'b/'), 'new\nline');
  assert.equal(headerPath('/dev/null', 'b/'), undefined);
});

test('diffGitNewPath resolves the new path of a diff --git line', () => {
  assert.equal(diffGitNewPath('a/x.bin b/x.bin'), 'x.bin');
  assert.equal(diffGitNewPath('a/dir b/file b/dir b/file'), 'dir b/file');
  assert.equal(diffGitNewPath('a/old b/new'), 'new');
  assert.equal(diffGitNewPath('"a/t\\tb" "b/t\\tb"'), 't\tb');
  assert.equal(diffGitNewPath('a/plain "b/q\\"uote"'), 'q"uote');
  assert.equal(diffGitNewPath('garbage'), undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entryComponents, symlinkEscapes } from './paths.js';
import { isImageError } from './errors.js';

const L = { maxPathBytes: 4096, maxPathDepth: 8 };

test('entry names normalise to components below the root', () => {
  assert.deepEqual(entryComponents('./etc//passwd', L), ['etc', 'passwd']);
  assert.deepEqual(entryComponents('usr/lib/', L), ['usr', 'lib']);
  assert.deepEqual(entryComponents('a/../b', L), ['b']);
  assert.deepEqual(entryComponents('./', L), []);
});

test('absolute, climbing, NUL and too deep names are refused with a code', () => {
  assert.throws(
    () => entryComponents('/etc/passwd', L),
    (e) => isImageError(e, 'absolute-path'),
  );
  assert.throws(
    () => entryComponents('../etc/passwd', L),
    (e) => isImageError(e, 'path-traversal'),
  );
  assert.throws(
    () => entryComponents('a/../../x', L),
    (e) => isImageError(e, 'path-traversal'),
  );
  assert.throws(
    () => entryComponents('a\0b', L),
    (e) => isImageError(e, 'path-traversal'),
  );
  assert.throws(
    () => entryComponents('1/2/3/4/5/6/7/8/9', L),
    (e) => isImageError(e, 'too-deep'),
  );
  assert.throws(
    () => entryComponents('x'.repeat(5000), L),
    (e) => isImageError(e, 'too-large'),
  );
});

test('symlink escape is judged lexically from the link’s folder; absolute targets stay in the root', () => {
  assert.equal(symlinkEscapes(['etc', 'os-release'], '../usr/lib/os-release'), false);
  assert.equal(symlinkEscapes(['etc', 'localtime'], '/usr/share/zoneinfo/UTC'), false);
  assert.equal(symlinkEscapes(['etc', 'x'], '../../etc/shadow'), true);
  assert.equal(symlinkEscapes(['x'], '/../../etc'), true);
  assert.equal(symlinkEscapes(['a', 'b', 'c'], '../../d'), false);
});

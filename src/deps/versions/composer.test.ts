import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composerVersions, normalizeComposer, phpVersionCompare } from './composer.js';

// From composer/semver tests/VersionParserTest.php (MIT), commit 00a557826f35b96e65f261d0f8308c4e0dcf3ecd:
// successfulNormalizedVersions, minus the rows about master/trunk (Composer 2 keeps `dev-master`).
const NORMALIZED: [string, string][] = [
  ['1.0.0', '1.0.0.0'],
  ['1.2.3.4', '1.2.3.4'],
  ['1.0.0RC1dev', '1.0.0.0-RC1-dev'],
  ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0-rc1', '1.0.0.0-RC1'],
  ['1.0.0.pl3-dev', '1.0.0.0-patch3-dev'],
  ['1.0-dev', '1.0.0.0-dev'],
  ['0', '0.0.0.0'],
  ['10.4.13-beta', '10.4.13.0-beta'],
  ['10.4.13beta2', '10.4.13.0-beta2'],
  ['10.4.13beta.2', '10.4.13.0-beta2'],
  ['10.4.13-b', '10.4.13.0-beta'],
  ['10.4.13-b5', '10.4.13.0-beta5'],
  ['v1.0.0', '1.0.0.0'],
  ['2010.01', '2010.01.0.0'],
  ['2010.01.02', '2010.01.02.0'],
  ['2010.1.555', '2010.1.555.0'],
  ['2010.10.200', '2010.10.200.0'],
  ['v20100102', '20100102'],
  ['2010-01-02', '2010.01.02'],
  ['2010-01-02.5', '2010.01.02.5'],
  ['20100102-203040', '20100102.203040'],
  ['20150920.0.0', '20150920.0.0'],
  ['20100102203040-10', '20100102203040.10'],
  ['20100102-203040-p1', '20100102.203040-patch1'],
  ['1.x-dev', '1.9999999.9999999.9999999-dev'],
  ['dev-feature-foo', 'dev-feature-foo'],
  ['DEV-FOOBAR', 'dev-FOOBAR'],
  ['dev-feature/foo', 'dev-feature/foo'],
  ['dev-feature+issue-1', 'dev-feature+issue-1'],
  ['1.0.0-beta.5+foo', '1.0.0.0-beta5'],
  ['1.0.0+foo', '1.0.0.0'],
  ['1.0.0-alpha.3.1+foo', '1.0.0.0-alpha3.1'],
  ['1.0.0-alpha2.1+foo', '1.0.0.0-alpha2.1'],
  ['1.0.0-alpha-2.1-3+foo', '1.0.0.0-alpha2.1-3'],
  ['1.0.0+foo as 2.0', '1.0.0.0'],
];

// failingNormalizedVersions of the same file.
const REJECTED = ['', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0.0+foo bar'];

test('Composer normalisation matches composer/semver', () => {
  for (const [input, expected] of NORMALIZED) assert.equal(normalizeComposer(input), expected, input);
  for (const input of REJECTED) assert.equal(normalizeComposer(input), null, input);
  assert.equal(composerVersions.isValid('1.0.0.0.0'), false);
});

// PHP manual, version_compare(): "1.0rc1" < "1.0", special forms ordered
// dev < alpha = a < beta = b < RC = rc < # < pl = p, and "any string not found in this list" < dev.
test('PHP version_compare special forms', () => {
  const ordered = ['1.0-foo', '1.0-dev', '1.0-alpha', '1.0-beta', '1.0-RC1', '1.0', '1.0-pl1'];
  for (let i = 0; i + 1 < ordered.length; i++) {
    assert.equal(phpVersionCompare(ordered[i] as string, ordered[i + 1] as string), -1, ordered[i]);
  }
  assert.equal(phpVersionCompare('1.0a', '1.0alpha'), 0);
  assert.equal(phpVersionCompare('1.0.0', '1.0.0'), 0);
  assert.equal(phpVersionCompare('5.2', '5.10'), -1);
});

test('Packagist ordering: stabilities, patch releases and dev branches', () => {
  const ordered = [
    'dev-main',
    '1.0.0-dev',
    '1.0.0-alpha1',
    '1.0.0-beta2',
    '1.0.0-RC1',
    '1.0.0',
    '1.0.0-p1',
    '1.0.1',
    '1.0.x-dev',
  ];
  const shuffled = [...ordered].reverse().sort(composerVersions.compare);
  assert.deepEqual(shuffled, ordered);
  assert.equal(composerVersions.compare('v1.2', '1.2.0.0'), 0);
  assert.equal(composerVersions.compare('1.0.0-beta.2', '1.0.0beta2'), 0);
});

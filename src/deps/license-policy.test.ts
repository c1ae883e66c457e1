import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeLicenses } from './license-policy.js';

test('deny list: a denied id is reported only when no alternative avoids it', () => {
  const policy = { allow: [], deny: ['GPL-3.0-only', 'AGPL-3.0-only'] };
  assert.deepEqual(judgeLicenses(['GPL-3.0-only'], policy), { kind: 'denied', ids: ['GPL-3.0-only'] });
  assert.deepEqual(judgeLicenses(['MIT OR GPL-3.0-only'], policy), { kind: 'ok' });
  assert.deepEqual(judgeLicenses(['MIT AND GPL-3.0-only'], policy), {
    kind: 'denied',
    ids: ['GPL-3.0-only'],
  });
  assert.deepEqual(judgeLicenses(['(MIT OR AGPL-3.0-only) AND GPL-3.0-only'], policy).kind, 'denied');
  assert.deepEqual(judgeLicenses(['gpl-3.0-only'], policy).kind, 'denied', 'ids compare case-insensitively');
});

test('allow list: licences outside it are not allowed; alternatives and arrays count as choices', () => {
  const policy = { allow: ['MIT', 'Apache-2.0', 'BSD-3-Clause'], deny: [] };
  assert.deepEqual(judgeLicenses(['MIT'], policy), { kind: 'ok' });
  assert.deepEqual(judgeLicenses(['Apache-2.0 OR GPL-2.0-only'], policy), { kind: 'ok' });
  assert.deepEqual(judgeLicenses(['MIT AND GPL-2.0-only'], policy), {
    kind: 'not-allowed',
    ids: ['MIT', 'GPL-2.0-only'],
  });
  assert.deepEqual(judgeLicenses(['LicenseRef-Proprietary', 'MIT'], policy), { kind: 'ok' });
  assert.deepEqual(judgeLicenses(['LicenseRef-Proprietary'], policy).kind, 'not-allowed');
});

test('no licence information or no policy: nothing to judge', () => {
  assert.deepEqual(judgeLicenses(undefined, { allow: ['MIT'], deny: [] }), { kind: 'ok' });
  assert.deepEqual(judgeLicenses(['GPL-3.0-only'], { allow: [], deny: [] }), { kind: 'ok' });
});

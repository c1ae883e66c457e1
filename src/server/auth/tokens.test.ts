import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import {
  checkCsrf,
  csrfTokenFor,
  hashToken,
  newOpaqueToken,
  parseOpaqueToken,
  tokenMatchesHash,
} from './tokens.js';

test('newOpaqueToken: <prefix>_<id>_<32-byte secret>, hash is sha256 hex of the whole token', () => {
  for (const prefix of ['rps', 'rpt'] as const) {
    const { token, id, hash } = newOpaqueToken(prefix);
    const m = /^(rps|rpt)_([0-9a-f]+)_([A-Za-z0-9_-]+)$/.exec(token);
    assert.ok(m, token);
    assert.equal(m[1], prefix);
    assert.equal(m[2], id);
    assert.equal(Buffer.from(m[3]!, 'base64url').length, 32);
    assert.equal(hash, createHash('sha256').update(token).digest('hex'));
    assert.equal(hashToken(token), hash);
    assert.deepEqual(parseOpaqueToken(token), { prefix, id });
  }
});

test('newOpaqueToken: ids and secrets do not repeat', () => {
  const ids = new Set<string>();
  const tokens = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const t = newOpaqueToken('rpt');
    ids.add(t.id);
    tokens.add(t.token);
    assert.ok(parseOpaqueToken(t.token), t.token); // secrets containing '_' or '-' still parse
  }
  assert.equal(ids.size, 2000);
  assert.equal(tokens.size, 2000);
});

test('parseOpaqueToken refuses anything not shaped like one of ours', () => {
  const { token } = newOpaqueToken('rps');
  const secret = randomBytes(32).toString('base64url');
  for (const bad of [
    '',
    'rps',
    `rpx_0123456789abcdef_${secret}`,
    `RPS_0123456789abcdef_${secret}`,
    `rps_0123456789ABCDEF_${secret}`,
    `rps_0123456789abcde_${secret}`,
    `rps_0123456789abcdef_${secret}x`,
    `rps_0123456789abcdef_${secret.slice(1)}`,
    `rps_0123456789abcdef_${secret.slice(1)}=`,
    ` ${token}`,
    `${token}\n`,
    `Bearer ${token}`,
    undefined,
    42,
  ]) {
    assert.equal(parseOpaqueToken(bad as string), undefined, String(bad));
  }
});

test('tokenMatchesHash is true only for the token whose hash was stored', () => {
  const a = newOpaqueToken('rpt');
  const b = newOpaqueToken('rpt');
  assert.equal(tokenMatchesHash(a.token, a.hash), true);
  assert.equal(tokenMatchesHash(b.token, a.hash), false);
  assert.equal(tokenMatchesHash(a.token.slice(0, -1) + (a.token.endsWith('A') ? 'B' : 'A'), a.hash), false);
  assert.equal(tokenMatchesHash(a.token, 'not-a-hash'), false);
  assert.equal(tokenMatchesHash(a.token, a.hash.toUpperCase()), false);
  assert.equal(tokenMatchesHash(undefined as unknown as string, a.hash), false);
});

test('CSRF token is an HMAC of the session token under the server key', () => {
  const key = randomBytes(32);
  const session = newOpaqueToken('rps').token;
  const expected = createHmac('sha256', key).update(`rampart-csrf\0${session}`).digest('base64url');
  assert.equal(csrfTokenFor(session, key), expected);
  assert.equal(csrfTokenFor(session, createSecretKey(key)), expected);
  assert.equal(checkCsrf(session, expected, key), true);
});

test('checkCsrf refuses other sessions, other keys, tampering and absence', () => {
  const key = randomBytes(32);
  const session = newOpaqueToken('rps').token;
  const other = newOpaqueToken('rps').token;
  const csrf = csrfTokenFor(session, key);
  assert.equal(checkCsrf(other, csrf, key), false);
  assert.equal(checkCsrf(session, csrf, randomBytes(32)), false);
  assert.equal(checkCsrf(session, csrf.slice(0, -1), key), false);
  assert.equal(checkCsrf(session, csrf + 'A', key), false);
  assert.equal(checkCsrf(session, csrf.slice(0, -1) + (csrf.endsWith('A') ? 'B' : 'A'), key), false);
  assert.equal(checkCsrf(session, '', key), false);
  assert.equal(checkCsrf(session, undefined, key), false);
  assert.equal(checkCsrf('', csrfTokenFor('', key), key), false);
  assert.equal(checkCsrf(session, 'é'.repeat(22), key), false);
});

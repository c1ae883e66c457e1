import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { checkPasswordPolicy, hashPassword, needsRehash, verifyPassword } from './password.js';

const b64u = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

test('hashPassword writes scrypt$N$r$p$salt$hash that plain node:crypto scrypt reproduces', async () => {
  const encoded = await hashPassword('tr0ub4dor&3-horse');
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(encoded);
  assert.ok(m, encoded);
  const [, n, r, p, salt, hash] = m;
  assert.ok(Number(n) === 2 ** 15 || Number(n) === 2 ** 16, `N=${n}`);
  assert.equal(Number(r), 8);
  assert.equal(Number(p), 1);
  assert.equal(Buffer.from(salt!, 'base64url').length, 16);
  const expected = scryptSync('tr0ub4dor&3-horse', Buffer.from(salt!, 'base64url'), 32, {
    N: Number(n),
    r: 8,
    p: 1,
    maxmem: 256 * 1024 * 1024,
  });
  assert.equal(hash, b64u(expected));
});

test('verifyPassword accepts the right password, refuses a wrong one, salts differ', async () => {
  const a = await hashPassword('correct battery staple horse');
  const b = await hashPassword('correct battery staple horse');
  assert.notEqual(a, b);
  assert.equal(await verifyPassword('correct battery staple horse', a), true);
  assert.equal(await verifyPassword('correct battery staple horse', b), true);
  assert.equal(await verifyPassword('correct battery staple hors', a), false);
  assert.equal(await verifyPassword('Correct battery staple horse', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('verifyPassword checks the RFC 7914 §12 scrypt test vector (N=16384, r=8, p=1, 64-byte key)', async () => {
  const rfcKey =
    '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2' +
    'd5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887';
  const encoded = `scrypt$16384$8$1$${b64u('SodiumChloride')}$${b64u(Buffer.from(rfcKey, 'hex'))}`;
  assert.equal(await verifyPassword('pleaseletmein', encoded), true);
  assert.equal(await verifyPassword('pleaseletmeIn', encoded), false);
  assert.equal(needsRehash(encoded), true, 'older parameters ask for a rehash');
});

test('verifyPassword is false, never throws, on malformed encodings', async () => {
  const good = await hashPassword('a perfectly fine passphrase');
  const [, , , , salt, hash] = good.split('$');
  const malformed: unknown[] = [
    '',
    'scrypt',
    'bcrypt$2b$10$abcdefghijklmnopqrstuv',
    `scrypt$65536$8$1$${salt}`,
    `scrypt$65536$8$1$${salt}$${hash}$extra`,
    `scrypt$65535$8$1$${salt}$${hash}`, // N not a power of two
    `scrypt$1073741824$8$1$${salt}$${hash}`, // N = 2^30: would need 128 GiB
    `scrypt$1024$8$1$${salt}$${hash}`, // N too small to be one of ours
    `scrypt$65536$0$1$${salt}$${hash}`,
    `scrypt$65536$8$1$${salt}$not+base64/url`,
    `scrypt$65536$8$1$$${hash}`,
    `scrypt$-65536$8$1$${salt}$${hash}`,
    `scrypt$6.5e4$8$1$${salt}$${hash}`,
    `scrypt$65536$8$1$${salt}$${b64u('short')}`,
    undefined,
    null,
    42,
  ];
  for (const enc of malformed) {
    assert.equal(await verifyPassword('a perfectly fine passphrase', enc as string), false, String(enc));
    assert.equal(needsRehash(enc as string), true, String(enc));
  }
  assert.equal(await verifyPassword('x'.repeat(5000), good), false);
  assert.equal(await verifyPassword(undefined as unknown as string, good), false);
});

test('needsRehash is false for a fresh hash', async () => {
  assert.equal(needsRehash(await hashPassword('fresh hash for today')), false);
});

test('passwords are NFKC-normalised: composed and decomposed forms verify alike', async () => {
  const composed = 'Sk\u00e5l for the \u00c5land islands';
  const decomposed = 'Sk\u0061\u030al for the \u0041\u030aland islands';
  assert.notEqual(composed, decomposed);
  assert.equal(await verifyPassword(decomposed, await hashPassword(composed)), true);
});

test('checkPasswordPolicy: length, repeated, digits-only, common, context', () => {
  assert.equal(checkPasswordPolicy('purple-otter-canoe'), undefined);
  assert.equal(checkPasswordPolicy('zebra ledger 9'), undefined);
  assert.equal(checkPasswordPolicy('Gr\u00fcn ist sch\u00f6n!'), undefined);
  assert.match(checkPasswordPolicy('short1!A')!, /at least 12/);
  assert.match(checkPasswordPolicy('\u00e9'.repeat(11))!, /at least 12/);
  assert.match(checkPasswordPolicy('x'.repeat(257))!, /at most 256/);
  assert.match(checkPasswordPolicy('aaaaaaaaaaaaaa')!, /repeated/);
  assert.match(checkPasswordPolicy('839201746530')!, /digits/);
  assert.match(checkPasswordPolicy('Password2024!')!, /common/);
  assert.match(checkPasswordPolicy('qwertyuiop123')!, /common/);
  assert.match(checkPasswordPolicy('CorrectHorseBatteryStaple')!, /common/);
  assert.match(checkPasswordPolicy('!!!!!!!!!!!!??')!, /common/);
  assert.match(checkPasswordPolicy('margaretha1984', ['Margaretha', 'm@example.com'])!, /name, login/);
  assert.match(checkPasswordPolicy('mar@example.com', ['margaretha', 'mar@example.com'])!, /name, login/);
  assert.equal(checkPasswordPolicy('margaretha sails north', ['margaretha']), undefined);
});

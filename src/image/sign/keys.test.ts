import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decryptCosignPrivateKey, encryptCosignPrivateKey } from './cosign-key.js';
import { envKeyProvider, fileKeyProvider, generateKeyPair, PemKeyProvider, SigningKeyError } from './keys.js';
import { poly1305, secretboxOpen, secretboxSeal } from './secretbox.js';

/**
 * A real key written by cosign (`ENCRYPTED SIGSTORE PRIVATE KEY`, scrypt N=65536, empty password), from
 * conforma/cli internal/validate/vsa/vsa_test.go @ 34643b3ba1765f50366a585f55889db52708f882 (TestSignVSA, "key is unencrypted" i.e.
 * COSIGN_PASSWORD=""). Decrypting it checks scrypt, XSalsa20 and the Poly1305 tag end to end.
 */
const COSIGN_KEY = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjo2NTUzNiwiciI6
OCwicCI6MX0sInNhbHQiOiJLYU9OQzduQVJLOVgxM1FoaWFucjAwTTBGYys2Sitr
dnAxN1FuanpiVk9nPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94
Iiwibm9uY2UiOiJVOHZqWWtqMlZOUFZGdlZFZWZ3bXZ5VGloUERrelBoaCJ9LCJj
aXBoZXJ0ZXh0IjoidWNWMnQ4TTZVNFJvb29FOXc0d3dkc3E1RDYrS2RKY245dERT
KzFwRDRGN040SVJOWEgzSTBua3h1a3NackFOUHR1emIvTkVYQ201dUp3Zjh3Qzl1
VlprbXdwNU5jRUZ6b3ZNS3JCZmNvdXdjaEkrMzkrQ0NhbVZPbzBucmRnZjhvcmpK
dXdrWDBYL1phY0RUTERGaUxyc1laMWVMMmlqMGU1MVRpZmVQNTl4WXNPK1FnM1Jv
OURRVjNQMk9ndDFDaVFHeGg1VXhUZytGc3c9PSJ9
-----END ENCRYPTED SIGSTORE PRIVATE KEY-----`;

test('poly1305 matches the RFC 8439 §2.5.2 test vector', () => {
  const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
  const tag = poly1305(key, Buffer.from('Cryptographic Forum Research Group'));
  assert.equal(Buffer.from(tag).toString('hex'), 'a8061dc1305136c6c22b8baf0c0127a9');
});

test('secretbox seal/open round trip; a flipped bit fails authentication', () => {
  const key = new Uint8Array(32).fill(7);
  const nonce = new Uint8Array(24).fill(9);
  const msg = new TextEncoder().encode('x'.repeat(200));
  const box = secretboxSeal(msg, nonce, key);
  assert.equal(box.length, 216);
  assert.deepEqual(secretboxOpen(box, nonce, key), msg);
  box[100]! ^= 1;
  assert.equal(secretboxOpen(box, nonce, key), undefined);
});

test('a key written by cosign decrypts to a P-256 key; a wrong password is refused', () => {
  const key = decryptCosignPrivateKey(COSIGN_KEY, '');
  assert.equal(key.asymmetricKeyType, 'ec');
  assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.throws(() => decryptCosignPrivateKey(COSIGN_KEY, 'nope'), /wrong password/);
  assert.throws(() => PemKeyProvider.fromPem(COSIGN_KEY, 'nope'), SigningKeyError);
});

test('cosign-format keys written here read back', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = encryptCosignPrivateKey(
    privateKey,
    'pw',
    new Uint8Array(32).fill(1),
    new Uint8Array(24).fill(2),
  );
  assert.match(pem, /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
  const back = decryptCosignPrivateKey(pem, 'pw');
  assert.equal(
    createPublicKey(back).export({ type: 'spki', format: 'pem' }),
    createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }),
  );
});

test('cosign key with absurd scrypt cost or garbage is refused with a clear error', () => {
  const doc = (params: object) =>
    `-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n${Buffer.from(
      JSON.stringify({
        kdf: { name: 'scrypt', params, salt: 'AAAA' },
        cipher: { name: 'nacl/secretbox', nonce: Buffer.alloc(24).toString('base64') },
        ciphertext: 'AAAA',
      }),
    ).toString('base64')}\n-----END ENCRYPTED COSIGN PRIVATE KEY-----`;
  assert.throws(() => decryptCosignPrivateKey(doc({ N: 2 ** 30, r: 8, p: 1 }), ''), /out of range/);
  assert.throws(() => decryptCosignPrivateKey(doc({ N: 1000, r: 8, p: 1 }), ''), /out of range/);
  assert.throws(() => decryptCosignPrivateKey(doc({ N: 16, r: 1, p: 1 }), ''), /wrong password/);
  assert.throws(
    () =>
      decryptCosignPrivateKey(
        '-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n!!\n-----END ENCRYPTED COSIGN PRIVATE KEY-----',
        '',
      ),
    /not base64 JSON/,
  );
});

test('generateKeyPair writes encrypted PKCS#8; the file provider signs with it', async () => {
  const pair = generateKeyPair('s3cret');
  assert.match(pair.privateKeyPem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  assert.match(pair.publicKeyPem, /^-----BEGIN PUBLIC KEY-----/);
  assert.throws(() => generateKeyPair(''), SigningKeyError);
  const dir = mkdtempSync(join(tmpdir(), 'rampart-sign-'));
  try {
    const file = join(dir, 'key.pem');
    writeFileSync(file, pair.privateKeyPem);
    const provider = await fileKeyProvider(file, 's3cret');
    assert.equal(provider.description, `file:${file}`);
    assert.equal(await provider.publicKeyPem(), pair.publicKeyPem);
    const data = Buffer.from('hello');
    const sig = await provider.sign(data);
    assert.equal(sig[0], 0x30, 'DER SEQUENCE');
    assert.ok(verify('sha256', data, { key: pair.publicKeyPem, dsaEncoding: 'der' }, sig));
    await assert.rejects(fileKeyProvider(file, 'wrong'), /wrong passphrase/);
    await assert.rejects(fileKeyProvider(file, undefined), /passphrase is required/);
    await assert.rejects(fileKeyProvider(join(dir, 'missing.pem'), 'x'), /cannot read key file .*ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('env provider reads RAMPART_SIGNING_KEY / RAMPART_SIGNING_PASSWORD', async () => {
  const pair = generateKeyPair('pw');
  const provider = envKeyProvider({
    RAMPART_SIGNING_KEY: pair.privateKeyPem,
    RAMPART_SIGNING_PASSWORD: 'pw',
  });
  assert.equal(await provider.publicKeyPem(), pair.publicKeyPem);
  assert.throws(() => envKeyProvider({}), /RAMPART_SIGNING_KEY is not set/);
  assert.throws(() => envKeyProvider({ RAMPART_SIGNING_KEY: 'not a key' }), /no PEM private key/);
  assert.throws(
    () => envKeyProvider({ RAMPART_SIGNING_KEY: pair.privateKeyPem, RAMPART_SIGNING_PASSWORD: 'bad' }),
    /wrong passphrase/,
  );
});

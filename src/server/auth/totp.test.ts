import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { newTotpSecret, totpUri, verifyTotp, type TotpAlgorithm } from './totp.js';

/** RFC 4648 base32, written here so the tests do not depend on the library under test. */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** Reference RFC 4226 HOTP with node:crypto, for app-style codes at arbitrary times. */
function referenceTotp(key: Buffer, unixSeconds: number, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

// RFC 6238 Appendix B: seeds are the ASCII digits repeated to 20/32/64 bytes.
const SEEDS: Record<TotpAlgorithm, string> = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
};
const RFC6238_VECTORS: Array<[number, string, TotpAlgorithm]> = [
  [59, '94287082', 'SHA1'],
  [59, '46119246', 'SHA256'],
  [59, '90693936', 'SHA512'],
  [1111111109, '07081804', 'SHA1'],
  [1111111109, '68084774', 'SHA256'],
  [1111111109, '25091201', 'SHA512'],
  [1111111111, '14050471', 'SHA1'],
  [1111111111, '67062674', 'SHA256'],
  [1111111111, '99943326', 'SHA512'],
  [1234567890, '89005924', 'SHA1'],
  [1234567890, '91819424', 'SHA256'],
  [1234567890, '93441116', 'SHA512'],
  [2000000000, '69279037', 'SHA1'],
  [2000000000, '90698825', 'SHA256'],
  [2000000000, '38618901', 'SHA512'],
  [20000000000, '65353130', 'SHA1'],
  [20000000000, '77737706', 'SHA256'],
  [20000000000, '47863826', 'SHA512'],
];

const RFC_SHA1_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

test('test helper base32 agrees with the well-known encoding of the RFC seed', () => {
  assert.equal(base32(Buffer.from(SEEDS.SHA1)), RFC_SHA1_BASE32);
});

test('RFC 6238 Appendix B vectors (8 digits, SHA1/SHA256/SHA512) verify at their exact step', () => {
  for (const [seconds, code, algorithm] of RFC6238_VECTORS) {
    const secret = base32(Buffer.from(SEEDS[algorithm]));
    const result = verifyTotp(secret, code, { now: seconds * 1000, window: 0, digits: 8, algorithm });
    assert.deepEqual(result, { ok: true, step: Math.floor(seconds / 30) }, `${algorithm} @ ${seconds}`);
  }
});

test('6-digit app-style codes: the RFC SHA1 codes truncated to 6 digits', () => {
  const sixDigit: Array<[number, string]> = [
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ];
  for (const [seconds, code] of sixDigit) {
    assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, code, { now: seconds * 1000 }), {
      ok: true,
      step: Math.floor(seconds / 30),
    });
  }
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, '287 082', { now: 59_000 }), { ok: true, step: 1 });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, '287082', { now: new Date(59_000) }), { ok: true, step: 1 });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, '287083', { now: 59_000 }), { ok: false, reason: 'mismatch' });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, '94287082', { now: 59_000 }), {
    ok: false,
    reason: 'malformed',
  });
});

test('clock drift: ±1 step is tolerated by default, 2 steps is not, window 0 is exact', () => {
  const t = 1111111109; // step 37037036
  const code = '081804';
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, code, { now: (t + 30) * 1000 }), { ok: true, step: 37037036 });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, code, { now: (t - 30) * 1000 }), { ok: true, step: 37037036 });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, code, { now: (t + 60) * 1000 }), {
    ok: false,
    reason: 'mismatch',
  });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, code, { now: (t + 30) * 1000, window: 0 }), {
    ok: false,
    reason: 'mismatch',
  });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, code, { now: (t + 60) * 1000, window: 2 }), {
    ok: true,
    step: 37037036,
  });
});

test('replay: a step at or before lastStep is refused, a later one is accepted', () => {
  const now = 1111111109 * 1000;
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, '081804', { now, lastStep: 37037036 }), {
    ok: false,
    reason: 'replayed',
  });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, '081804', { now, lastStep: 37037040 }), {
    ok: false,
    reason: 'replayed',
  });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, '081804', { now, lastStep: 37037035 }), {
    ok: true,
    step: 37037036,
  });
  // The previous step's code (still inside the window) after the current one was used: refused.
  const key = Buffer.from(SEEDS.SHA1);
  const previous = referenceTotp(key, 1111111109 - 30);
  const current = referenceTotp(key, 1111111109);
  const first = verifyTotp(RFC_SHA1_BASE32, current, { now });
  assert.deepEqual(first, { ok: true, step: 37037036 });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, previous, { now, lastStep: 37037036 }), {
    ok: false,
    reason: 'replayed',
  });
});

test('malformed code or secret is refused, not thrown', () => {
  for (const code of ['', '12345', '1234567', 'abcdef', '12345a', '１２３４５６']) {
    assert.deepEqual(
      verifyTotp(RFC_SHA1_BASE32, code, { now: 59_000 }),
      { ok: false, reason: 'malformed' },
      code,
    );
  }
  assert.deepEqual(verifyTotp('not base32!', '287082', { now: 59_000 }), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifyTotp('', '287082', { now: 59_000 }), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifyTotp(RFC_SHA1_BASE32, undefined as unknown as string), {
    ok: false,
    reason: 'malformed',
  });
});

test('newTotpSecret: 160 random bits in base32; codes from an independent HOTP verify now', () => {
  const a = newTotpSecret();
  const b = newTotpSecret();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Z2-7]{32}$/);
  const key = base32Decode(a);
  assert.equal(key.length, 20);
  const now = Date.now();
  const code = referenceTotp(key, Math.floor(now / 1000));
  assert.deepEqual(verifyTotp(a, code, { now }), { ok: true, step: Math.floor(now / 30_000) });
});

test('totpUri is an otpauth://totp URI authenticator apps understand', () => {
  const uri = new URL(totpUri({ secret: RFC_SHA1_BASE32, account: 'alice@example.com', issuer: 'Rampart' }));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), '/Rampart:alice@example.com');
  assert.equal(uri.searchParams.get('secret'), RFC_SHA1_BASE32);
  assert.equal(uri.searchParams.get('issuer'), 'Rampart');
  assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
  assert.equal(uri.searchParams.get('digits'), '6');
  assert.equal(uri.searchParams.get('period'), '30');
});

/**
 * cosign's own encrypted private key format (`cosign generate-key-pair`): a PEM block
 * `ENCRYPTED SIGSTORE PRIVATE KEY` (cosign ≥ 2) or `ENCRYPTED COSIGN PRIVATE KEY` (cosign 1) whose body is
 * JSON `{"kdf":{"name":"scrypt","params":{"N","r","p"},"salt"},"cipher":{"name":"nacl/secretbox",
 * "nonce"},"ciphertext"}`; the secretbox key is scrypt(password, salt, N, r, p, 32) and the plaintext the
 * PKCS#8 DER private key. Reading only (Rampart writes standard encrypted PKCS#8, which cosign also
 * imports with `cosign import-key-pair`).
 */
import { createPrivateKey, scryptSync, type KeyObject } from 'node:crypto';
import { secretboxOpen, secretboxSeal } from './secretbox.js';

export const COSIGN_PEM_LABELS = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'] as const;

/** Caps on the KDF cost a key file may ask for (cosign uses N = 32768 or 65536, r = 8, p = 1). */
const MAX_LOG_N = 20;
const MAX_R = 32;
const MAX_P = 16;

export class CosignKeyError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function b64(v: unknown, what: string): Buffer {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
    throw new CosignKeyError(`cosign key: bad ${what}`);
  return Buffer.from(v, 'base64');
}

/** Decrypts a cosign private key PEM; throws CosignKeyError with a clear message. */
export function decryptCosignPrivateKey(pem: string, password: string): KeyObject {
  const m = /-----BEGIN (ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new CosignKeyError('not a cosign encrypted private key');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64').toString('utf8'));
  } catch {
    throw new CosignKeyError('cosign key: body is not base64 JSON');
  }
  if (!isRecord(doc) || !isRecord(doc.kdf) || !isRecord(doc.cipher))
    throw new CosignKeyError('cosign key: bad JSON');
  const { kdf, cipher } = doc;
  if (kdf.name !== 'scrypt' || !isRecord(kdf.params)) throw new CosignKeyError(`cosign key: unsupported kdf`);
  if (cipher.name !== 'nacl/secretbox') throw new CosignKeyError('cosign key: unsupported cipher');
  const { N, r, p } = kdf.params;
  if (
    typeof N !== 'number' ||
    typeof r !== 'number' ||
    typeof p !== 'number' ||
    !Number.isInteger(Math.log2(N)) ||
    N < 2 ||
    N > 2 ** MAX_LOG_N ||
    !Number.isInteger(r) ||
    r < 1 ||
    r > MAX_R ||
    !Number.isInteger(p) ||
    p < 1 ||
    p > MAX_P
  ) {
    throw new CosignKeyError('cosign key: scrypt parameters out of range');
  }
  const salt = b64(kdf.salt, 'salt');
  const nonce = b64(cipher.nonce, 'nonce');
  if (nonce.length !== 24) throw new CosignKeyError('cosign key: nonce is not 24 bytes');
  const box = b64(doc.ciphertext, 'ciphertext');
  const key = scryptSync(Buffer.from(password, 'utf8'), salt, 32, {
    N,
    r,
    p,
    maxmem: 256 * N * r + 1024 * 1024,
  });
  const der = secretboxOpen(box, nonce, key);
  if (!der) throw new CosignKeyError('cosign key: wrong password (or corrupted key)');
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw new CosignKeyError('cosign key: decrypted content is not a PKCS#8 private key');
  }
}

/**
 * Writes a key in cosign's format (scrypt N = 32768, r = 8, p = 1; `ENCRYPTED SIGSTORE PRIVATE KEY`).
 * Salt and nonce are parameters so tests are deterministic; callers pass random bytes.
 */
export function encryptCosignPrivateKey(
  key: KeyObject,
  password: string,
  salt: Uint8Array,
  nonce: Uint8Array,
): string {
  const params = { N: 32768, r: 8, p: 1 };
  const box = secretboxSeal(
    new Uint8Array(key.export({ format: 'der', type: 'pkcs8' })),
    nonce,
    scryptSync(Buffer.from(password, 'utf8'), salt, 32, { ...params, maxmem: 64 * 1024 * 1024 }),
  );
  const doc = {
    kdf: { name: 'scrypt', params, salt: Buffer.from(salt).toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: Buffer.from(nonce).toString('base64') },
    ciphertext: Buffer.from(box).toString('base64'),
  };
  const body = Buffer.from(JSON.stringify(doc))
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${body.trimEnd()}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
}

/**
 * Signing keys behind a provider interface. A provider holds (or reaches) one private key and signs
 * bytes with it; the verifier only ever needs the public key PEM. Providers here: a PEM held in memory
 * (from a file or the environment). KMS backends (Azure Key Vault `keys/sign`, HashiCorp Vault
 * Transit `sign/:name` with `prehashed`/`marshaling_algorithm=asn1`) implement the same interface:
 * `publicKeyPem()` from the service's public-key endpoint and `sign()` sending the SHA-256 digest and
 * returning the DER (ASN.1) ECDSA signature, which is what cosign stores.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CosignKeyError, decryptCosignPrivateKey } from './cosign-key.js';

export interface KeyProvider {
  /** Human-readable origin for messages and logs (never secret material), e.g. `file:cosign.key`. */
  readonly description: string;
  /** The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  publicKeyPem(): Promise<string>;
  /** Signs `data` (SHA-256 is applied by the signer); ECDSA signatures are DER-encoded as cosign's. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export class SigningKeyError extends Error {}

/** Largest key file read (a PEM key is a few hundred bytes). */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Signs with Node's crypto: ECDSA (DER signature) and RSA PKCS#1 v1.5 over SHA-256, or Ed25519. */
export function signWithKey(key: KeyObject, data: Uint8Array): Uint8Array {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return new Uint8Array(nodeSign(null, data, key));
  if (type === 'ec' || type === 'rsa')
    return new Uint8Array(nodeSign('sha256', data, { key, dsaEncoding: 'der' }));
  throw new SigningKeyError(`unsupported key type ${String(type)}`);
}

/** Verifies a signature made by `signWithKey` (or cosign) with a public key; never throws. */
export function verifyWithKey(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const type = key.asymmetricKeyType;
    if (type === 'ed25519') return nodeVerify(null, data, key, signature);
    if (type === 'ec' || type === 'rsa')
      return nodeVerify('sha256', data, { key, dsaEncoding: 'der' }, signature);
    return false;
  } catch {
    return false;
  }
}

/** Parses a public key PEM (SPKI), or derives it from a private key; undefined when unreadable. */
export function parsePublicKey(pem: string): KeyObject | undefined {
  try {
    const key = createPublicKey(pem);
    return key.type === 'public' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a private key PEM: encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`, passphrase required), cosign's
 * `ENCRYPTED SIGSTORE|COSIGN PRIVATE KEY`, or an unencrypted PKCS#8 / SEC1 key. Throws
 * SigningKeyError with a message that never includes key material.
 */
export function parsePrivateKey(pem: string, passphrase: string | undefined): KeyObject {
  if (/-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----/.test(pem)) {
    try {
      return decryptCosignPrivateKey(pem, passphrase ?? '');
    } catch (e) {
      throw new SigningKeyError(
        e instanceof CosignKeyError ? e.message : 'cannot read the cosign private key',
      );
    }
  }
  if (!/-----BEGIN (ENCRYPTED |EC |RSA )?PRIVATE KEY-----/.test(pem)) {
    throw new SigningKeyError('no PEM private key found (expected ENCRYPTED PRIVATE KEY or a cosign key)');
  }
  const encrypted = pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  if (encrypted && !passphrase)
    throw new SigningKeyError('the private key is encrypted: a passphrase is required');
  try {
    const key = createPrivateKey(encrypted ? { key: pem, format: 'pem', passphrase: passphrase ?? '' } : pem);
    if (!['ec', 'rsa', 'ed25519'].includes(key.asymmetricKeyType ?? '')) {
      throw new SigningKeyError(`unsupported key type ${String(key.asymmetricKeyType)}`);
    }
    return key;
  } catch (e) {
    if (e instanceof SigningKeyError) throw e;
    throw new SigningKeyError(
      encrypted ? 'cannot decrypt the private key: wrong passphrase?' : 'cannot read the private key PEM',
    );
  }
}

/** A provider over an in-memory private key. */
export class PemKeyProvider implements KeyProvider {
  readonly description: string;
  readonly #key: KeyObject;

  constructor(key: KeyObject, description: string) {
    this.#key = key;
    this.description = description;
  }

  static fromPem(pem: string, passphrase: string | undefined, description = 'pem'): PemKeyProvider {
    return new PemKeyProvider(parsePrivateKey(pem, passphrase), description);
  }

  publicKeyPem(): Promise<string> {
    return Promise.resolve(createPublicKey(this.#key).export({ type: 'spki', format: 'pem' }).toString());
  }

  sign(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(signWithKey(this.#key, data));
  }
}

/** Reads an (encrypted) PEM private key file. */
export async function fileKeyProvider(path: string, passphrase: string | undefined): Promise<KeyProvider> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new SigningKeyError(
      `cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  if (buf.byteLength > MAX_KEY_FILE_BYTES) throw new SigningKeyError(`key file ${path} is too large`);
  return PemKeyProvider.fromPem(buf.toString('utf8'), passphrase, `file:${path}`);
}

export const SIGNING_KEY_ENV = 'RAMPART_SIGNING_KEY';
export const SIGNING_PASSWORD_ENV = 'RAMPART_SIGNING_PASSWORD';

/** The key in `RAMPART_SIGNING_KEY` (PEM text), passphrase in `RAMPART_SIGNING_PASSWORD`. */
export function envKeyProvider(env: NodeJS.ProcessEnv = process.env): KeyProvider {
  const pem = env[SIGNING_KEY_ENV];
  if (!pem) throw new SigningKeyError(`${SIGNING_KEY_ENV} is not set`);
  if (pem.length > MAX_KEY_FILE_BYTES) throw new SigningKeyError(`${SIGNING_KEY_ENV} is too large`);
  return PemKeyProvider.fromPem(pem, env[SIGNING_PASSWORD_ENV], `env:${SIGNING_KEY_ENV}`);
}

export interface GeneratedKeyPair {
  /** Encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC, as OpenSSL writes it). */
  privateKeyPem: string;
  publicKeyPem: string;
}

/** A new ECDSA P-256 key pair, the private key encrypted with `passphrase`. */
export function generateKeyPair(passphrase: string): GeneratedKeyPair {
  if (!passphrase) throw new SigningKeyError('a non-empty passphrase is required to encrypt the private key');
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

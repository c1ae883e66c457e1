/**
 * Password hashing with Node's memory-hard scrypt, stored as a self-describing string
 * `scrypt$<N>$<r>$<p>$<salt>$<hash>` (salt and hash base64url), plus a NIST SP 800-63B style policy.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** Current parameters: N=2^16, r=8, p=1 → 64 MiB of memory per hash (128·N·r bytes). */
export const SCRYPT_PARAMS = { N: 2 ** 16, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Longer input is refused outright: nobody types it, and it only costs CPU. */
const MAX_PASSWORD_CHARS = 1024;
/** Bounds on parameters read back from storage, so a corrupted row cannot exhaust memory. */
const MAX_LOG2_N = 20;
const MIN_LOG2_N = 14;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

interface DecodedHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

function scryptAsync(password: string, salt: Buffer, keylen: number, params: ScryptParams): Promise<Buffer> {
  // maxmem must exceed 128·N·r; twice that leaves room for OpenSSL's own bookkeeping.
  const maxmem = 2 * 128 * params.N * params.r;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** NFKC so the same password typed on different keyboards/IMEs hashes the same (800-63B §5.1.1.2). */
function normalise(password: string): string {
  return password.normalize('NFKC');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(normalise(password), salt, HASH_BYTES, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const POSITIVE_INT = /^[1-9][0-9]{0,9}$/;

function decodeHash(encoded: string): DecodedHash | undefined {
  if (typeof encoded !== 'string') return undefined;
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [, nText, rText, pText, saltText, hashText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (![nText, rText, pText].every((t) => POSITIVE_INT.test(t))) return undefined;
  if (!BASE64URL.test(saltText) || !BASE64URL.test(hashText)) return undefined;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  const log2N = Math.log2(N);
  if (!Number.isInteger(log2N) || log2N < MIN_LOG2_N || log2N > MAX_LOG2_N) return undefined;
  if (r > 32 || p > 16) return undefined;
  const salt = Buffer.from(saltText, 'base64url');
  const hash = Buffer.from(hashText, 'base64url');
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { N, r, p, salt, hash };
}

/** True when the password matches. Never throws: a malformed or unsupported encoding is just `false`. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (typeof password !== 'string' || password.length > MAX_PASSWORD_CHARS) return false;
  const decoded = decodeHash(encoded);
  if (!decoded) return false;
  try {
    const candidate = await scryptAsync(normalise(password), decoded.salt, decoded.hash.length, decoded);
    return timingSafeEqual(candidate, decoded.hash);
  } catch {
    return false;
  }
}

/** True when the stored hash is malformed or was made with other parameters than today's. */
export function needsRehash(encoded: string): boolean {
  const decoded = decodeHash(encoded);
  if (!decoded) return true;
  return (
    decoded.N !== SCRYPT_PARAMS.N ||
    decoded.r !== SCRYPT_PARAMS.r ||
    decoded.p !== SCRYPT_PARAMS.p ||
    decoded.salt.length !== SALT_BYTES ||
    decoded.hash.length !== HASH_BYTES
  );
}

export const PASSWORD_MIN_CHARS = 12;
export const PASSWORD_MAX_CHARS = 256;

/**
 * A short blocklist of the most common passwords and their base words (800-63B §3.1.1.2 asks for a
 * check against commonly used values). Compared case-insensitively, also after stripping trailing
 * digits and punctuation, so "Password2024!" is caught too.
 */
const COMMON_PASSWORDS = new Set([
  'password',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword',
  'qwerty',
  'qwertyuiop',
  'qwertyuiop[]',
  'asdfghjkl',
  'zxcvbnm',
  'letmein',
  'welcome',
  'admin',
  'administrator',
  'iloveyou',
  'monkey',
  'dragon',
  'football',
  'baseball',
  'superman',
  'batman',
  'sunshine',
  'princess',
  'starwars',
  'trustno1',
  'master',
  'changeme',
  'secret',
  'default',
  'rampart',
  'abc',
  'abcdef',
  'abcdefghijkl',
  '123456789012',
  '1234567890',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'qazwsxedc',
  'qazwsxedcrfv',
  'correcthorsebatterystaple',
  'correct horse battery staple',
]);

function baseWord(password: string): string {
  return password.toLowerCase().replace(/[\d\s!@#$%^&*()_+=.,;:?~-]+$/u, '');
}

/**
 * Returns a one-line reason when the password is not acceptable, otherwise undefined. Following
 * 800-63B: length matters, composition rules do not; obviously guessable values are refused.
 * `context` holds words specific to the user or service (login name, e-mail) that must not be the password.
 */
export function checkPasswordPolicy(password: string, context: string[] = []): string | undefined {
  const chars = [...normalise(password)];
  if (chars.length < PASSWORD_MIN_CHARS) return `password must be at least ${PASSWORD_MIN_CHARS} characters`;
  if (chars.length > PASSWORD_MAX_CHARS) return `password must be at most ${PASSWORD_MAX_CHARS} characters`;
  if (new Set(chars).size === 1) return 'password must not be a single repeated character';
  if (/^\d+$/u.test(password)) return 'password must not be only digits';
  const lower = normalise(password).toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(baseWord(lower)) || baseWord(lower) === '') {
    return 'password is too common';
  }
  for (const word of context) {
    const w = word.trim().toLowerCase();
    if (w.length >= 3 && (lower === w || baseWord(lower) === w)) {
      return 'password must not be your name, login or e-mail';
    }
  }
  return undefined;
}

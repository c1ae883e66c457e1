/**
 * The server's master key and what is derived from it. Secrets the server must read back (TOTP
 * seeds, webhook signing secrets) are stored encrypted with AES-256-GCM; the audit chain, CSRF
 * tokens and short-lived signed cookies use HMAC keys derived with HKDF, one per purpose, so no key
 * serves two jobs.
 *
 * Where the key comes from: `RAMPART_SECRET_KEY` (32 bytes, base64) — required when several
 * replicas share a PostgreSQL server — or, in embedded mode, `<data dir>/secret.key`, created with
 * mode 0600 on first start.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RampartError } from '../../core/errors.js';

export type KeyPurpose = 'audit' | 'csrf' | 'cookie' | 'encryption';

export interface ServerKeys {
  /** HMAC/encryption key for one purpose (32 bytes). */
  key(purpose: KeyPurpose): Buffer;
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function serverKeysFrom(master: Buffer): ServerKeys {
  if (master.length !== 32) throw new RampartError('CONFIG_INVALID', 'the server key must be 32 bytes');
  const cache = new Map<KeyPurpose, Buffer>();
  const key = (purpose: KeyPurpose): Buffer => {
    let k = cache.get(purpose);
    if (!k) {
      k = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `rampart/${purpose}`, 32));
      cache.set(purpose, k);
    }
    return k;
  };
  return {
    key,
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key('encryption'), iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      const raw = sealed.startsWith('v1.') ? Buffer.from(sealed.slice(3), 'base64url') : undefined;
      if (!raw || raw.length < 28)
        throw new RampartError('CONFIG_INVALID', 'a stored secret is not readable');
      const decipher = createDecipheriv('aes-256-gcm', key('encryption'), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new RampartError(
          'CONFIG_INVALID',
          'a stored secret does not decrypt with this server key (was RAMPART_SECRET_KEY changed?)',
        );
      }
    },
  };
}

export function parseServerKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32)
    throw new RampartError('CONFIG_INVALID', 'RAMPART_SECRET_KEY must be 32 bytes, base64-encoded');
  return key;
}

/** The master key: from the environment, else (embedded mode) from the data folder, created once. */
export function loadServerKey(options: { env?: string; dataDir?: string }): Buffer {
  if (options.env) return parseServerKey(options.env);
  if (!options.dataDir)
    throw new RampartError(
      'CONFIG_INVALID',
      'set RAMPART_SECRET_KEY (32 bytes, base64: `openssl rand -base64 32`) when using DATABASE_URL',
    );
  const file = path.join(options.dataDir, 'secret.key');
  if (existsSync(file)) return parseServerKey(readFileSync(file, 'utf8'));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

/**
 * Opaque bearer secrets for sessions (`rps_…`) and API tokens (`rpt_…`), and the CSRF synchronizer
 * token bound to a session. Only the SHA-256 of a bearer token is ever stored.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

export type TokenPrefix = 'rps' | 'rpt';

export interface OpaqueToken {
  /** `<prefix>_<id>_<secret>`: shown to the user once, never stored. */
  token: string;
  /** Public lookup key (16 lowercase hex characters): safe to store, log and show. */
  id: string;
  /** sha256 hex of the whole token: what is stored. */
  hash: string;
}

const ID_BYTES = 8;
const SECRET_BYTES = 32;
/** The id alphabet has no '_', so the first two underscores always delimit it; the secret may hold '_'. */
const TOKEN_SHAPE = /^(rps|rpt)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function newOpaqueToken(prefix: TokenPrefix): OpaqueToken {
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  const token = `${prefix}_${id}_${secret}`;
  return { token, id, hash: hashToken(token) };
}

/** The prefix and lookup id of a well-formed token, or undefined. Says nothing about validity. */
export function parseOpaqueToken(token: string): { prefix: TokenPrefix; id: string } | undefined {
  if (typeof token !== 'string') return undefined;
  const m = TOKEN_SHAPE.exec(token);
  if (!m) return undefined;
  return { prefix: m[1] as TokenPrefix, id: m[2]! };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Timing-safe comparison of a presented token against the stored hash of the row found by its id. */
export function tokenMatchesHash(token: string, storedHash: string): boolean {
  if (typeof token !== 'string' || typeof storedHash !== 'string' || !/^[0-9a-f]{64}$/.test(storedHash)) {
    return false;
  }
  return timingSafeEqual(Buffer.from(hashToken(token), 'hex'), Buffer.from(storedHash, 'hex'));
}

export type CsrfKey = string | Buffer | KeyObject;

/**
 * The CSRF token for a session: HMAC-SHA256(key, session token), base64url. Stateless (nothing to
 * store), changes with the session, and cannot be derived without the server key.
 */
export function csrfTokenFor(sessionToken: string, key: CsrfKey): string {
  return createHmac('sha256', key).update('rampart-csrf\0').update(sessionToken, 'utf8').digest('base64url');
}

/** True when `presented` is the CSRF token of this session (timing-safe). */
export function checkCsrf(sessionToken: string, presented: string | undefined, key: CsrfKey): boolean {
  if (typeof sessionToken !== 'string' || sessionToken === '' || typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken, key), 'utf8');
  const given = Buffer.from(presented, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Time-based one-time passwords (RFC 6238) for second-factor login, via `otpauth`. The caller stores
 * the base32 secret and the last accepted time step per user, and passes that step back so a code
 * cannot be used twice.
 */
import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

/** What authenticator apps expect: SHA-1, 6 digits, 30 s. */
export const TOTP_DEFAULTS = { algorithm: 'SHA1' as TotpAlgorithm, digits: 6, period: 30 };

/** A new random 160-bit secret (the RFC 4226 recommended length), base32 without padding. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans from a QR code. */
export function totpUri({
  secret,
  account,
  issuer,
}: {
  secret: string;
  account: string;
  issuer: string;
}): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    ...TOTP_DEFAULTS,
  }).toString();
}

export interface VerifyTotpOptions {
  /** A Date or milliseconds since the epoch; default now. */
  now?: number | Date;
  /** Steps tolerated either side of the current one (clock drift); default 1. */
  window?: number;
  /** The step of the last code this user had accepted: that step and earlier ones are refused. */
  lastStep?: number;
  digits?: number;
  algorithm?: TotpAlgorithm;
  period?: number;
}

export type TotpResult =
  { ok: true; step: number } | { ok: false; reason: 'malformed' | 'mismatch' | 'replayed' };

/**
 * Checks `code` against the steps around `now`. On success returns the step that matched: store it as
 * the user's `lastStep`. Codes from steps at or before `lastStep` are refused as replayed.
 */
export function verifyTotp(secret: string, code: string, options: VerifyTotpOptions = {}): TotpResult {
  const {
    now = Date.now(),
    window = 1,
    lastStep,
    digits = TOTP_DEFAULTS.digits,
    algorithm = TOTP_DEFAULTS.algorithm,
    period = TOTP_DEFAULTS.period,
  } = options;
  const presented = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
  if (!/^\d+$/.test(presented) || presented.length !== digits) return { ok: false, reason: 'malformed' };
  let key: Secret;
  try {
    key = Secret.fromBase32(secret);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (key.bytes.length === 0) return { ok: false, reason: 'malformed' };

  const current = TOTP.counter({ period, timestamp: typeof now === 'number' ? now : now.getTime() });
  let replayed = false;
  // Every candidate step is computed and compared, so the time taken does not reveal which one matched.
  let accepted: number | undefined;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const expected = HOTP.generate({ secret: key, algorithm, digits, counter: step });
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(presented))) continue;
    if (lastStep !== undefined && step <= lastStep) replayed = true;
    else accepted ??= step;
  }
  if (accepted !== undefined) return { ok: true, step: accepted };
  return { ok: false, reason: replayed ? 'replayed' : 'mismatch' };
}

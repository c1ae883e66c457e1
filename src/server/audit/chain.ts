import { createHmac, timingSafeEqual } from 'node:crypto';
import { RampartError } from '../../core/errors.js';
import { canonicalJson } from './canonical.js';

/**
 * A tamper-evident audit log: each entry carries the HMAC-SHA256 (hex) of its canonical JSON
 * `{seq, at, actor, action, target, details, prevHash}`, and `prevHash` is the hash of the entry
 * before it (64 zeros for the first, seq 1). Without the key nobody can edit, insert, delete or
 * reorder entries unnoticed; deleting the newest entries is caught when the expected head (kept
 * elsewhere) is given to verifyChain.
 */

export const GENESIS_HASH = '0'.repeat(64);
/** The key must be at least this long: 32 random bytes (e.g. `openssl rand -hex 32`). */
export const MIN_KEY_BYTES = 32;

export interface AuditEntry {
  seq: number;
  /** ISO 8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  at: string;
  actor: string;
  action: string;
  target: string;
  /** JSON object; `null` (what a database returns for "none") is the same as absent. */
  details?: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

export interface AuditFields {
  at: Date | string;
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

export type AuditKey = string | Uint8Array;

export type AuditProblem = 'edited' | 'deleted' | 'reordered' | 'inserted' | 'truncated';
export type VerifyResult =
  { ok: true; count: number } | { ok: false; seq: number; problem: AuditProblem; detail: string };

export interface VerifyOptions {
  /** The newest entry known to exist (stored apart from the log): catches deleted newest entries. */
  expectedHead?: { seq: number; hash: string };
}

/** The next entry of the chain after `prev` (undefined: the first entry). */
export function appendEntry(
  prev: Pick<AuditEntry, 'seq' | 'hash'> | undefined,
  fields: AuditFields,
  key: AuditKey,
): AuditEntry {
  checkKey(key);
  for (const name of ['actor', 'action', 'target'] as const) {
    if (typeof fields[name] !== 'string' || !fields[name].trim()) {
      throw new RampartError('USAGE', `audit entry needs a non-empty ${name}`);
    }
  }
  const time = fields.at instanceof Date ? fields.at.getTime() : Date.parse(fields.at);
  if (!Number.isFinite(time))
    throw new RampartError('USAGE', `audit entry time is not a valid date: ${String(fields.at)}`);
  if (fields.details !== undefined && !isPlainObject(fields.details)) {
    throw new RampartError('USAGE', 'audit entry details must be a JSON object');
  }
  const body = {
    seq: prev ? prev.seq + 1 : 1,
    at: new Date(time).toISOString(),
    actor: fields.actor,
    action: fields.action,
    target: fields.target,
    ...(fields.details !== undefined ? { details: fields.details } : {}),
    prevHash: prev ? prev.hash : GENESIS_HASH,
  };
  return { ...body, hash: entryHash(body, key) };
}

/** HMAC-SHA256 (hex) of the entry's canonical JSON, `hash` excluded. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>, key: AuditKey): string {
  const { seq, at, actor, action, target, details, prevHash } = entry;
  const payload = canonicalJson({ seq, at, actor, action, target, details: details ?? undefined, prevHash });
  return createHmac('sha256', key).update(payload, 'utf8').digest('hex');
}

/**
 * Walks the entries in order (streaming: any iterable, e.g. rows read page by page) and reports the
 * first problem: an entry whose hash does not match its content (edited), a gap in `seq` (deleted),
 * an entry out of order (reordered), an entry that does not belong (inserted), or a chain that stops
 * before the expected head (truncated).
 */
export function verifyChain(
  entries: Iterable<AuditEntry>,
  key: AuditKey,
  options: VerifyOptions = {},
): VerifyResult {
  checkKey(key);
  const head = options.expectedHead;
  const it = entries[Symbol.iterator]();
  let prev: AuditEntry | undefined;
  let count = 0;
  let next = it.next();
  while (!next.done) {
    const entry = next.value;
    next = it.next();
    const expectedSeq = prev ? prev.seq + 1 : 1;
    const expectedPrevHash = prev ? prev.hash : GENESIS_HASH;

    if (!authentic(entry, key)) {
      const following = next.done ? undefined : next.value;
      // The chain carries on from `prev` right after this entry: it was slipped in, not edited.
      if (
        following &&
        authentic(following, key) &&
        following.seq === expectedSeq &&
        following.prevHash === expectedPrevHash
      ) {
        return fail(
          expectedSeq,
          'inserted',
          `an entry that is not part of the chain precedes entry ${expectedSeq}`,
        );
      }
      return fail(expectedSeq, 'edited', `entry ${expectedSeq}'s content does not match its hash`);
    }
    if (entry.seq > expectedSeq) {
      let found = false;
      for (let rest = next; !rest.done; rest = it.next()) {
        if (rest.value?.seq === expectedSeq) {
          found = true;
          break;
        }
      }
      return found
        ? fail(expectedSeq, 'reordered', `entry ${entry.seq} comes before entry ${expectedSeq}`)
        : fail(
            expectedSeq,
            'deleted',
            entry.seq === expectedSeq + 1
              ? `entry ${expectedSeq} is missing`
              : `entries ${expectedSeq} to ${entry.seq - 1} are missing`,
          );
    }
    if (entry.seq < expectedSeq) {
      return prev && entry.seq === prev.seq && entry.hash === prev.hash
        ? fail(entry.seq, 'inserted', `entry ${entry.seq} appears twice`)
        : fail(expectedSeq, 'reordered', `entry ${entry.seq} comes after entry ${expectedSeq - 1}`);
    }
    if (entry.prevHash !== expectedPrevHash) {
      return fail(entry.seq, 'edited', `entry ${entry.seq} does not link to entry ${entry.seq - 1}`);
    }
    if (head && entry.seq === head.seq && entry.hash !== head.hash) {
      return fail(entry.seq, 'edited', `entry ${entry.seq} is not the expected head`);
    }
    prev = entry;
    count++;
  }
  if (head && (prev?.seq ?? 0) < head.seq) {
    const last = prev?.seq ?? 0;
    return fail(
      last + 1,
      'truncated',
      `the chain ends at entry ${last}, the expected head is entry ${head.seq}`,
    );
  }
  return { ok: true, count };
}

/** Well-formed, and its hash is the HMAC of its content (compared in constant time). */
function authentic(entry: unknown, key: AuditKey): entry is AuditEntry {
  if (!isPlainObject(entry)) return false;
  const e = entry as Partial<AuditEntry>;
  const wellFormed =
    Number.isSafeInteger(e.seq) &&
    (e.seq as number) >= 1 &&
    typeof e.at === 'string' &&
    typeof e.actor === 'string' &&
    typeof e.action === 'string' &&
    typeof e.target === 'string' &&
    (e.details === undefined || e.details === null || isPlainObject(e.details)) &&
    typeof e.prevHash === 'string' &&
    HEX64.test(e.prevHash) &&
    typeof e.hash === 'string' &&
    HEX64.test(e.hash);
  if (!wellFormed) return false;
  let expected: string;
  try {
    expected = entryHash(e as AuditEntry, key);
  } catch {
    return false; // details that cannot be serialised (a cycle, a BigInt…)
  }
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(e.hash!, 'hex'));
}

const HEX64 = /^[0-9a-f]{64}$/;

function fail(seq: number, problem: AuditProblem, detail: string): VerifyResult {
  return { ok: false, seq, problem, detail };
}

function checkKey(key: AuditKey): void {
  const length = typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : key.byteLength;
  if (length < MIN_KEY_BYTES) {
    throw new RampartError(
      'USAGE',
      `audit key must be at least ${MIN_KEY_BYTES} bytes (e.g. openssl rand -hex 32)`,
    );
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One JSON object per line, fields in a fixed order (seq, at, actor, action, target, details, prevHash, hash). */
export function* jsonLines(entries: Iterable<AuditEntry>): Generator<string> {
  for (const e of entries) {
    const { seq, at, actor, action, target, details, prevHash, hash } = e;
    yield `${JSON.stringify({ seq, at, actor, action, target, ...(details ? { details } : {}), prevHash, hash })}\n`;
  }
}

/** The whole chain as JSON Lines for a SIEM. */
export function toJsonLines(entries: Iterable<AuditEntry>): string {
  let out = '';
  for (const line of jsonLines(entries)) out += line;
  return out;
}

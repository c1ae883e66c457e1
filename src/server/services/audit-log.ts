/**
 * The audit trail in the database: every mutating action appends one entry to a hash chain
 * (HMAC-SHA256 with the server's audit key, see src/server/audit). The chain head is kept in its own
 * row and updated in the same transaction, so a deleted last entry is detected too.
 */
import type { Queryable } from '../db/types.js';
import { appendEntry, verifyChain, type AuditEntry } from '../audit/index.js';
import type { ServerContext } from '../http/context.js';

export interface AuditFields {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

interface AuditRow {
  seq: string | number;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
}

export function rowToEntry(r: AuditRow): AuditEntry {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    ...(r.details ? { details: r.details } : {}),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Appends within the caller's transaction (the head row lock orders concurrent writers). */
export async function audit(ctx: ServerContext, tx: Queryable, fields: AuditFields): Promise<AuditEntry> {
  const head = await tx.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE',
  );
  const h = head.rows[0];
  if (!h) throw new Error('audit head row missing');
  const entry = appendEntry(
    Number(h.seq) === 0 ? undefined : { seq: Number(h.seq), hash: h.hash },
    { at: ctx.now().toISOString(), ...fields },
    ctx.keys.key('audit'),
  );
  await tx.query(
    'INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [
      entry.seq,
      entry.at,
      entry.actor,
      entry.action,
      entry.target,
      entry.details ?? null,
      entry.prevHash,
      entry.hash,
    ],
  );
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [entry.seq, entry.hash]);
  return entry;
}

export async function* auditEntries(q: Queryable, batch = 5000): AsyncGenerator<AuditEntry> {
  let after = -1;
  for (;;) {
    const r = await q.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
      after,
      batch,
    ]);
    for (const row of r.rows) yield rowToEntry(row);
    if (r.rows.length < batch) return;
    after = Number(r.rows[r.rows.length - 1]!.seq);
  }
}

/**
 * Verifies the whole chain in sequence order: an edited field, a deleted row, rows whose sequence
 * numbers were swapped (reordered) or a removed tail (against the head row) all break it.
 */
export async function verifyAuditTrail(ctx: Pick<ServerContext, 'db' | 'keys'>) {
  const rows = await ctx.db.query<AuditRow>('SELECT * FROM audit_log ORDER BY seq');
  const head = await ctx.db.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM audit_head WHERE id = 1',
  );
  const h = head.rows[0];
  return verifyChain(
    rows.rows.map(rowToEntry),
    ctx.keys.key('audit'),
    h ? { expectedHead: { seq: Number(h.seq), hash: h.hash } } : {},
  );
}

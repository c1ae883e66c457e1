/**
 * Brings the database schema up to date: runs each not-yet-applied migration of
 * migrations/index.ts in order, each in its own transaction, and records it in schema_migrations.
 *
 * Safe when several processes start at once against one PostgreSQL database (server and workers):
 * every transaction first takes a transaction-scoped advisory lock (per schema), so migrations run
 * one at a time and a waiting process sees what the first one applied. Refuses to start
 * (DB_MIGRATION_FAILED) when an applied migration's SQL was edited afterwards.
 */
import { createHash } from 'node:crypto';
import { RampartError, errorMessage } from '../../core/errors.js';
import { migrations as defaultMigrations } from './migrations/index.js';
import type { Db, Queryable } from './types.js';

export interface Migration {
  /** `NNN_name`; applied in array order, which must be ascending id order. */
  id: string;
  /** One or more statements, no parameters. */
  sql: string;
}

export interface MigrateResult {
  /** Ids this call applied (empty when the schema was already up to date). */
  applied: string[];
}

/** First key of the advisory lock ("RAMP"); the second is the schema's hash. */
const LOCK_NAMESPACE = 0x52414d50;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now(),
  checksum text NOT NULL
)`;

export async function migrate(
  db: Db,
  migrations: readonly Migration[] = defaultMigrations,
): Promise<MigrateResult> {
  assertWellFormed(migrations);
  const appliedBefore = await db.transaction(async (tx) => {
    await takeMigrationLock(tx);
    await tx.query(CREATE_TABLE);
    const { rows } = await tx.query<{ id: string; checksum: string }>(
      'SELECT id, checksum FROM schema_migrations',
    );
    return new Map(rows.map((row) => [row.id, row.checksum]));
  });
  for (const migration of migrations) {
    const recorded = appliedBefore.get(migration.id);
    if (recorded !== undefined) assertUnchanged(migration, recorded);
  }

  const applied: string[] = [];
  for (const migration of migrations) {
    if (appliedBefore.has(migration.id)) continue;
    if (await applyOnce(db, migration)) applied.push(migration.id);
  }
  return { applied };
}

/** Applies `migration` unless another process did meanwhile; true when this call applied it. */
async function applyOnce(db: Db, migration: Migration): Promise<boolean> {
  try {
    return await db.transaction(async (tx) => {
      await takeMigrationLock(tx);
      const { rows } = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE id = $1',
        [migration.id],
      );
      if (rows[0] !== undefined) {
        assertUnchanged(migration, rows[0].checksum);
        return false;
      }
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (id, applied_at, checksum) VALUES ($1, now(), $2)', [
        migration.id,
        checksumOf(migration.sql),
      ]);
      return true;
    });
  } catch (err) {
    if (err instanceof RampartError) throw err;
    throw new RampartError(
      'DB_MIGRATION_FAILED',
      `database migration ${migration.id} failed: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
}

async function takeMigrationLock(tx: Queryable): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock($1, hashtext(coalesce(current_schema(), '')))", [
    LOCK_NAMESPACE,
  ]);
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

function assertUnchanged(migration: Migration, recordedChecksum: string): void {
  if (checksumOf(migration.sql) !== recordedChecksum) {
    throw new RampartError(
      'DB_MIGRATION_FAILED',
      `database migration ${migration.id} was edited after it was applied (checksum differs); restore it and add a new migration instead`,
    );
  }
}

/** Ids unique and ascending: a programming error otherwise, caught by the first test run. */
export function assertWellFormed(migrations: readonly Migration[]): void {
  for (let i = 0; i < migrations.length; i++) {
    const id = migrations[i]!.id;
    if (!/^\d{3,}_[a-z0-9_]+$/.test(id)) {
      throw new RampartError('DB_MIGRATION_FAILED', `invalid migration id "${id}": expected NNN_name`);
    }
    const previous = migrations[i - 1]?.id;
    if (previous !== undefined && previous >= id) {
      throw new RampartError('DB_MIGRATION_FAILED', `migration ${id} is out of order (after ${previous})`);
    }
  }
}

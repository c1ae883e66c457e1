/** `Db` over a PostgreSQL server through a `pg.Pool`. */
import pg from 'pg';
import { RampartError } from '../../core/errors.js';
import { connectionFailureReason, describePostgresTarget, isConnectionError, sqlState } from './db-errors.js';
import { pgTypeParsers } from './pg-compat.js';
import {
  TransactionClosedGuard,
  transactionAbortedError,
  withTransactionRetries,
} from './transaction-handle.js';
import { assertNotInTransaction, runInTransactionScope } from './transaction-scope.js';
import type { Db, QueryResult, Queryable } from './types.js';

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  schema?: string;
  connectTimeoutMs?: number;
}

export async function openPostgres(opts: PostgresOptions): Promise<Db> {
  const target = describePostgresTarget(opts.url);
  const password = passwordOf(opts.url);
  const toRampartError = (err: unknown): unknown => {
    if (!isConnectionError(err)) return err;
    let reason = connectionFailureReason(err);
    if (password) reason = reason.split(password).join('***');
    return new RampartError('DB_UNAVAILABLE', `cannot connect to PostgreSQL at ${target}: ${reason}`, {
      cause: err,
    });
  };

  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: 'rampart',
    types: pgTypeParsers,
    ...(opts.schema !== undefined ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  // An idle client losing its connection (server restart) must not crash the process; the next
  // query gets a fresh connection or a DB_UNAVAILABLE error.
  pool.on('error', () => undefined);

  const db = new PostgresDb(pool, toRampartError);
  try {
    if (opts.schema !== undefined) await createSchema(pool, opts.schema);
    else await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw toRampartError(err);
  }
  return db;
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    // Two processes creating it at once: one wins, the other sees a duplicate.
    if (sqlState(err) !== '23505' && sqlState(err) !== '42P06') throw err;
  }
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;

  constructor(
    private readonly pool: pg.Pool,
    private readonly toRampartError: (err: unknown) => unknown,
  ) {}

  async query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<T>> {
    assertNotInTransaction(this, 'query');
    try {
      return toQueryResult<T>(await this.pool.query(sql, params as unknown[] | undefined));
    } catch (err) {
      throw this.toRampartError(err);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    assertNotInTransaction(this, 'transaction');
    try {
      return await withTransactionRetries(() => this.runTransactionOnce(fn));
    } catch (err) {
      throw this.toRampartError(err);
    }
  }

  private async runTransactionOnce<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const guard = new TransactionClosedGuard();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const tx: Queryable = {
        query: async <R>(sql: string, params?: readonly unknown[]) => {
          guard.assertOpen();
          return toQueryResult<R>(await client.query(sql, params as unknown[] | undefined));
        },
      };
      const result = await runInTransactionScope(this, () => fn(tx));
      const commit = await client.query('COMMIT');
      // COMMIT of a transaction aborted by an earlier (caught) error rolls back without error.
      if (commit.command === 'ROLLBACK') throw transactionAbortedError();
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    } finally {
      guard.close();
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.pool.ending) return;
    await this.pool.end();
  }
}

function toQueryResult<T>(result: pg.QueryResult | pg.QueryResult[]): QueryResult<T> {
  // Several statements in one parameterless query: node-postgres returns one result each.
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  if (last === undefined) return { rows: [], rowCount: 0 };
  return { rows: last.rows as T[], rowCount: last.rowCount ?? last.rows.length };
}

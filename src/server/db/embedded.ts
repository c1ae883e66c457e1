/**
 * `Db` over PGlite (PostgreSQL compiled to WASM, in-process), in a data folder or in memory.
 * PGlite is one connection: its own mutex serialises `query()`, `exec()` and `transaction()`, so
 * concurrent callers simply queue, and a transaction sees no foreign statements.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, TransactionAbortedError, type Results, type Transaction } from '@electric-sql/pglite';
import { RampartError, errorMessage } from '../../core/errors.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { prepareParam, textParserFor } from './pg-compat.js';
import {
  TransactionClosedGuard,
  transactionAbortedError,
  withTransactionRetries,
} from './transaction-handle.js';
import { assertNotInTransaction, runInTransactionScope } from './transaction-scope.js';
import type { Db, QueryResult, Queryable } from './types.js';

export interface EmbeddedOptions {
  dataDir?: string;
  schema?: string;
}

export async function openEmbedded(opts: EmbeddedOptions): Promise<Db> {
  const dataDir = opts.dataDir === undefined ? undefined : path.resolve(opts.dataDir);
  const where = dataDir === undefined ? 'in memory' : `in ${dataDir}`;
  let lock: DataDirLock | undefined;
  let lite: PGlite;
  try {
    if (dataDir !== undefined) {
      await mkdir(dataDir, { recursive: true });
      lock = await lockDataDir(dataDir);
    }
    lite = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  } catch (err) {
    await lock?.release();
    if (err instanceof RampartError) throw err;
    throw new RampartError(
      'DB_UNAVAILABLE',
      `cannot open the embedded database ${where}: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  try {
    await useNodePostgresParsers(lite);
    if (opts.schema !== undefined) {
      await lite.exec(`CREATE SCHEMA IF NOT EXISTS ${opts.schema}; SET search_path TO ${opts.schema}`);
    }
  } catch (err) {
    await lite.close().catch(() => undefined);
    await lock?.release();
    throw err;
  }
  return new EmbeddedDb(lite, lock);
}

/**
 * Gives every type known at start-up (built-ins and their arrays) node-postgres' text parser, so
 * results have the same JS types as on a PostgreSQL server (see pg-compat.ts). Types created
 * later are unknown to both and come back as text on both.
 */
async function useNodePostgresParsers(lite: PGlite): Promise<void> {
  const { rows } = await lite.query<{ oid: number }>('SELECT oid::int4 AS oid FROM pg_type');
  for (const { oid } of rows) lite.parsers[oid] = textParserFor(oid);
}

class EmbeddedDb implements Db {
  readonly kind = 'embedded' as const;

  constructor(
    private readonly lite: PGlite,
    private readonly lock: DataDirLock | undefined,
  ) {}

  async query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<T>> {
    assertNotInTransaction(this, 'query');
    return runQuery<T>(this.lite, sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    assertNotInTransaction(this, 'transaction');
    try {
      return await withTransactionRetries(() => this.runTransactionOnce(fn));
    } catch (err) {
      if (err instanceof TransactionAbortedError) throw transactionAbortedError();
      throw err;
    }
  }

  private runTransactionOnce<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.lite.transaction(async (liteTx) => {
      const guard = new TransactionClosedGuard();
      const tx: Queryable = {
        query: async <R>(sql: string, params?: readonly unknown[]) => {
          guard.assertOpen();
          return runQuery<R>(liteTx, sql, params);
        },
      };
      try {
        return await runInTransactionScope(this, () => fn(tx));
      } finally {
        guard.close();
      }
    });
  }

  async close(): Promise<void> {
    if (!this.lite.closed) await this.lite.close();
    await this.lock?.release();
  }
}

/**
 * Without parameters a query may hold several statements (simple protocol, as node-postgres
 * does); the result is the last statement's. With parameters it is one prepared statement.
 */
async function runQuery<T>(
  target: PGlite | Transaction,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<QueryResult<T>> {
  if (params === undefined || params.length === 0) {
    const results = await target.exec(sql);
    return toQueryResult<T>(results[results.length - 1]);
  }
  return toQueryResult<T>(await target.query(sql, params.map(prepareParam)));
}

function toQueryResult<T>(result: Results | undefined): QueryResult<T> {
  if (result === undefined) return { rows: [], rowCount: 0 };
  return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
}

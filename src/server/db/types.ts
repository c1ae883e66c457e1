/**
 * The control plane's one view of its database, whichever engine is behind it: an embedded
 * PostgreSQL (PGlite, in a data folder) or a PostgreSQL server (`DATABASE_URL`). Everything above
 * this interface writes plain PostgreSQL SQL with `$1` placeholders and never imports a driver.
 */
export interface QueryResult<T> {
  rows: T[];
  /** Rows affected by INSERT/UPDATE/DELETE, or returned by SELECT. */
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  /**
   * Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK when it throws). Every query of the
   * transaction goes through the `tx` argument. On PostgreSQL a serialization failure or deadlock
   * (SQLSTATE 40001 / 40P01) is retried up to 3 times.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** `postgres://…`: use a PostgreSQL server. */
  url?: string;
  /** Folder of the embedded database; omitted → in memory (tests). */
  dataDir?: string;
  /** Connection pool size for PostgreSQL (default 10). */
  poolSize?: number;
}

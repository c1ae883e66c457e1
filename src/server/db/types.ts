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
  /**
   * Runs one statement with `$1…` parameters, or, without parameters, one or more statements
   * (the result is the last one's). Result and parameter JS types are the same on both engines:
   * see pg-compat.ts (int8/count → string, timestamptz → Date, bytea → Buffer, jsonb → value).
   * A failing statement rejects with the database error, its SQLSTATE in `.code` (sqlState()).
   */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  /**
   * Runs `fn` in one transaction (BEGIN … COMMIT, ROLLBACK when it throws). Every query of the
   * transaction goes through the `tx` argument. On PostgreSQL a serialization failure or deadlock
   * (SQLSTATE 40001 / 40P01) is retried up to 3 times (the embedded engine never produces them),
   * so `fn` may run more than once. Calling this handle's `query()`/`transaction()` from inside
   * `fn` is refused (RampartError INTERNAL) on both engines: it would deadlock the embedded one.
   * Transactions on the embedded engine run one at a time (one connection).
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
  /**
   * Schema to work in (created if absent; lowercase letters, digits, `_`). It becomes the only
   * schema on the `search_path` (plus the implicit `pg_catalog`), so every unqualified table lives
   * there. Used by tests to give each run its own namespace in a shared PostgreSQL database, and
   * usable to host Rampart next to other applications. Omitted → the server's default (`public`).
   */
  schema?: string;
  /** How long to wait for a PostgreSQL connection before failing with DB_UNAVAILABLE (default 10 s). */
  connectTimeoutMs?: number;
}

export type { Db, OpenDbOptions, QueryResult, Queryable } from './types.js';
export { openDb } from './open.js';
export { migrate, type Migration, type MigrateResult } from './migrate.js';
export { sqlState } from './db-errors.js';

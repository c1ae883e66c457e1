/**
 * Opens the control plane's database: a PostgreSQL server when `url` is given (`DATABASE_URL`),
 * otherwise the embedded engine (PGlite) in `dataDir`, or in memory when that is omitted too.
 * Both return the same JS types for the same SQL (see pg-compat.ts for the table) and fail the
 * same way; a database that cannot be reached or opened is a RampartError 'DB_UNAVAILABLE'.
 */
import { RampartError } from '../../core/errors.js';
import { openEmbedded } from './embedded.js';
import { openPostgres } from './postgres.js';
import type { Db, OpenDbOptions } from './types.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    throw new RampartError(
      'CONFIG_INVALID',
      `invalid database schema name "${opts.schema}": use lowercase letters, digits and _`,
    );
  }
  if (opts.url !== undefined && opts.url !== '') {
    return openPostgres({
      url: opts.url,
      poolSize: opts.poolSize,
      schema: opts.schema,
      connectTimeoutMs: opts.connectTimeoutMs,
    });
  }
  return openEmbedded({ dataDir: opts.dataDir, schema: opts.schema });
}

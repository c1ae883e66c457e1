/**
 * One set of JS ↔ PostgreSQL value conversions for both engines, so code above `Db` never sees
 * which engine it talks to. The reference is node-postgres' defaults; PGlite (whose own
 * conversions differ) is given the same parsers and the same parameter preparation.
 *
 * Result types, identical on both engines (checked by src/server/db/open.test.ts):
 *   int2, int4, oid, float4, float8   → number
 *   int8 / bigint / count(*)          → string   (never silently rounded; Number() it when safe)
 *   numeric                           → string
 *   boolean                           → boolean
 *   json, jsonb                       → parsed JS value
 *   text, varchar, uuid, enum         → string
 *   timestamptz                       → Date
 *   timestamp, date (no time zone)    → Date, read in the process' local time zone (pg default)
 *   interval                          → postgres-interval object ({ days, hours, …, toPostgres() })
 *   bytea                             → Buffer
 *   arrays of the above (text[], int4[], int8[] …) → JS arrays of the element's JS type
 *   arrays of types created later (enum[]) → the raw text '{a,b}' on both engines
 *
 * Parameters, identical on both engines (node-postgres' `prepareValue`):
 *   null/undefined → NULL; Date → timestamp with offset; Buffer/Uint8Array → bytea;
 *   JS array → PostgreSQL array literal (so a JS array bound to a json/jsonb parameter is an error:
 *   pass JSON.stringify(array)); other objects → JSON.stringify; a string bound to json/jsonb is
 *   sent as is (it must already be JSON); bigint/number/boolean → their text.
 */
import { createRequire } from 'node:module';
import pg from 'pg';

type TextParser = (value: string) => unknown;

/** Type parsers for a `pg.Pool`'s own `types` option (never the process-wide registry). */
export const pgTypeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** node-postgres' text parser for a type oid (identity for types it does not know). */
export function textParserFor(oid: number): TextParser {
  return pg.types.getTypeParser(oid, 'text') as TextParser;
}

const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue(value: unknown): string | Buffer | null;
};

/** Converts one JS parameter exactly as node-postgres does before sending it. */
export function prepareParam(value: unknown): string | Buffer | null {
  return pgUtils.prepareValue(value);
}

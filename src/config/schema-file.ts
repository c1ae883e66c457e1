import { readFileSync } from 'node:fs';

const cache = new Map<string, object>();

/**
 * Reads one of the JSON Schemas that ship with the package in `schema/` (next to `src/` and `dist/`,
 * two levels above this module in both layouts).
 */
export function loadSchemaFile(
  name: 'rampart.schema.json' | 'ignorefile.schema.json' | 'report.schema.json',
): object {
  const hit = cache.get(name);
  if (hit) return hit;
  const schema = JSON.parse(readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8')) as object;
  cache.set(name, schema);
  return schema;
}

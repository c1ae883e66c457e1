import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the plugin function itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export type SbomKind = 'cyclonedx' | 'spdx';

/**
 * Both official schemas are JSON Schema draft-07 (`$schema` http://json-schema.org/draft-07/schema#),
 * Ajv's default dialect. The CycloneDX schema `$ref`s spdx.schema.json (licence ids) and
 * jsf-0.82.schema.json (signatures) by relative URI, resolved against its `$id`, so they are added
 * under their own `$id`s.
 */
const SCHEMA_FILES: Record<SbomKind, { main: string; refs: string[] }> = {
  cyclonedx: { main: 'bom-1.6.schema.json', refs: ['spdx.schema.json', 'jsf-0.82.schema.json'] },
  spdx: { main: 'spdx-schema.json', refs: [] },
};

/**
 * schema/sbom/ of the package: the first folder above this module that holds package.json (src/sbom
 * in the repository, dist/sbom once built; `schema/` ships next to both).
 */
function schemaDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'schema', 'sbom');
    const up = path.dirname(dir);
    if (up === dir) throw new Error('rampart: cannot find the package root (package.json) above src/sbom');
    dir = up;
  }
}

const compiled = new Map<SbomKind, ValidateFunction>();

function validator(kind: SbomKind): ValidateFunction {
  const hit = compiled.get(kind);
  if (hit) return hit;
  const dir = schemaDir();
  const load = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Formats the schemas use that ajv-formats does not define (RFC 3987 IRIs, RFC 6531 addresses):
  // accepted as they are rather than ignored with a warning.
  ajv.addFormat('iri-reference', true);
  ajv.addFormat('idn-email', true);
  const files = SCHEMA_FILES[kind];
  for (const ref of files.refs) ajv.addSchema(load(ref));
  const validate = ajv.compile(load(files.main));
  compiled.set(kind, validate);
  return validate;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath || '/';
  const extra =
    e.keyword === 'additionalProperties'
      ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
      : e.keyword === 'enum'
        ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues).slice(0, 120)})`
        : '';
  return `${where}: ${e.message ?? e.keyword}${extra}`;
}

/**
 * Checks a generated SBOM against the official JSON Schema of its format, plus what the schemas
 * cannot express: unique identifiers and relationships that point at existing elements. Returns
 * the problems found (empty: valid).
 */
export function validateSbom(kind: SbomKind, doc: unknown): string[] {
  const validate = validator(kind);
  const errors = validate(doc) ? [] : (validate.errors ?? []).map(describe);
  return [
    ...new Set([...errors, ...(kind === 'cyclonedx' ? cycloneDxReferences(doc) : spdxReferences(doc))]),
  ];
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    : [];
}

function cycloneDxReferences(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null) return [];
  const bom = doc as Record<string, unknown>;
  const errors: string[] = [];
  const refs = new Set<string>();
  const metadata = bom.metadata as Record<string, unknown> | undefined;
  const root = metadata?.component as Record<string, unknown> | undefined;
  for (const c of [...(root ? [root] : []), ...records(bom.components)]) {
    const ref = c['bom-ref'];
    if (typeof ref !== 'string') continue;
    if (refs.has(ref)) errors.push(`bom-ref "${ref}" is not unique`);
    refs.add(ref);
  }
  for (const d of records(bom.dependencies)) {
    for (const ref of [d.ref, ...(Array.isArray(d.dependsOn) ? d.dependsOn : [])]) {
      if (typeof ref === 'string' && !refs.has(ref))
        errors.push(`dependency refers to unknown bom-ref "${ref}"`);
    }
  }
  return errors;
}

function spdxReferences(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null) return [];
  const spdx = doc as Record<string, unknown>;
  const errors: string[] = [];
  const ids = new Set<string>(typeof spdx.SPDXID === 'string' ? [spdx.SPDXID] : []);
  for (const p of records(spdx.packages)) {
    const id = p.SPDXID;
    if (typeof id !== 'string') continue;
    if (!/^SPDXRef-[A-Za-z0-9.-]+$/.test(id))
      errors.push(`SPDXID "${id}" is not SPDXRef- followed by letters, digits, "." or "-"`);
    if (ids.has(id)) errors.push(`SPDXID "${id}" is not unique`);
    ids.add(id);
  }
  for (const r of records(spdx.relationships)) {
    for (const id of [r.spdxElementId, r.relatedSpdxElement]) {
      if (typeof id === 'string' && !ids.has(id) && id !== 'NONE' && id !== 'NOASSERTION') {
        errors.push(`relationship refers to unknown element "${id}"`);
      }
    }
  }
  return errors;
}

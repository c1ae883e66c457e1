/**
 * OpenVEX (https://github.com/openvex/spec) input: statements that a vulnerability does not affect a
 * product (`not_affected`, with a justification) or is `fixed` in it. Pure: parse text, answer
 * "does a statement cover this vulnerability in this package?".
 */

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  /** Vulnerability name plus its aliases, as written in the document. */
  vulnerabilities: string[];
  /** Product and subcomponent identifiers (purls or other IRIs). Empty: applies to every product. */
  products: string[];
  status: VexStatus;
  justification?: string;
  impactStatement?: string;
  /** File the statement came from and its index, for messages. */
  source: string;
}

const STATUSES = new Set<VexStatus>(['not_affected', 'affected', 'fixed', 'under_investigation']);

export class VexError extends Error {}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Identifiers of a product or subcomponent entry: a string, or `{ "@id", identifiers: { purl } }`. */
function productIds(p: unknown): string[] {
  if (typeof p === 'string') return [p];
  if (!isObj(p)) return [];
  const out: string[] = [];
  const id = str(p['@id']);
  if (id) out.push(id);
  if (isObj(p.identifiers))
    for (const v of Object.values(p.identifiers)) if (typeof v === 'string') out.push(v);
  if (Array.isArray(p.subcomponents)) for (const s of p.subcomponents) out.push(...productIds(s));
  return out;
}

/** Parses an OpenVEX document (v0.0.x and v0.2.x shapes). Throws VexError with a one-line reason. */
export function parseOpenVex(text: string, source: string): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new VexError(`${source}: not JSON (${(err as Error).message})`);
  }
  if (!isObj(doc) || !Array.isArray(doc.statements))
    throw new VexError(`${source}: not an OpenVEX document (no "statements" array)`);
  return doc.statements.map((raw, i): VexStatement => {
    const where = `${source} statement ${i + 1}`;
    if (!isObj(raw)) throw new VexError(`${where}: not an object`);
    const status = str(raw.status) as VexStatus | undefined;
    if (!status || !STATUSES.has(status))
      throw new VexError(`${where}: status must be one of ${[...STATUSES].join(', ')}`);
    const vulnerabilities: string[] = [];
    const v = raw.vulnerability;
    if (typeof v === 'string') vulnerabilities.push(v);
    else if (isObj(v)) {
      for (const k of ['name', '@id']) if (str(v[k])) vulnerabilities.push(str(v[k])!);
      if (Array.isArray(v.aliases))
        for (const a of v.aliases) if (typeof a === 'string') vulnerabilities.push(a);
    }
    if (!vulnerabilities.length) throw new VexError(`${where}: no vulnerability name`);
    const products = Array.isArray(raw.products) ? raw.products.flatMap(productIds) : [];
    const statement: VexStatement = { vulnerabilities, products, status, source: where };
    const justification = str(raw.justification);
    if (justification) statement.justification = justification;
    const impact = str(raw.impact_statement);
    if (impact) statement.impactStatement = impact;
    return statement;
  });
}

/** purl without qualifiers/subpath, lower-cased type; and without version for "any version" entries. */
function purlKey(purl: string): { base: string; version?: string } | undefined {
  if (!purl.startsWith('pkg:')) return undefined;
  const clean = purl.split(/[?#]/)[0]!;
  const at = clean.lastIndexOf('@');
  const slash = clean.lastIndexOf('/');
  if (at > slash)
    return { base: clean.slice(0, at).toLowerCase(), version: decodeURIComponent(clean.slice(at + 1)) };
  return { base: clean.toLowerCase() };
}

function productMatches(product: string, purl: string): boolean {
  const p = purlKey(product);
  const c = purlKey(purl);
  if (!p || !c) return product === purl;
  return p.base === c.base && (p.version === undefined || p.version === c.version);
}

/**
 * The last statement (documents are read in order; later statements win, as in OpenVEX) that
 * covers one of the vulnerability ids for the package `purl`, if any.
 */
export function vexStatementFor(
  statements: readonly VexStatement[],
  vulnIds: readonly string[],
  purl: string,
): VexStatement | undefined {
  const ids = new Set(vulnIds.map((x) => x.toUpperCase()));
  let found: VexStatement | undefined;
  for (const s of statements) {
    if (!s.vulnerabilities.some((v) => ids.has(v.toUpperCase()))) continue;
    if (s.products.length && !s.products.some((p) => productMatches(p, purl))) continue;
    found = s;
  }
  return found;
}

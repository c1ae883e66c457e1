import { createRequire } from 'node:module';
import parse from 'spdx-expression-parse';

const require = createRequire(import.meta.url);
const SPDX_IDS = new Set<string>([
  ...(require('spdx-license-ids') as string[]),
  ...(require('spdx-license-ids/deprecated.json') as string[]),
]);

/** A licence id of the SPDX License List (current or deprecated), e.g. `MIT`, `GPL-2.0`. */
export function isSpdxLicenseId(text: string): boolean {
  return SPDX_IDS.has(text);
}

/** `LicenseRef-<idstring>` as SPDX defines it (letters, digits, `.` and `-`). */
export function isLicenseRef(text: string): boolean {
  return /^LicenseRef-[A-Za-z0-9.-]+$/.test(text);
}

/**
 * The licences of a component as valid SPDX expressions: already-valid expressions are kept, anything
 * else (a parser that did not normalise) becomes a `LicenseRef-`, so the SBOM never carries an
 * expression that its consumers cannot parse.
 */
export function validExpressions(licenses: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of licenses) {
    const text = raw.trim();
    if (!text) continue;
    let expression = text;
    try {
      parse(text);
    } catch {
      expression = `LicenseRef-${
        text
          .replace(/[^A-Za-z0-9.-]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .slice(0, 64) || 'unknown'
      }`;
    }
    if (!out.includes(expression)) out.push(expression);
  }
  return out;
}

/**
 * Several licences declared for one package, as one expression: joined with AND, the conservative
 * reading when the metadata does not say whether they are alternatives.
 */
export function combinedExpression(expressions: readonly string[]): string | undefined {
  if (expressions.length === 0) return undefined;
  if (expressions.length === 1) return expressions[0];
  return expressions.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' AND ');
}

/** The `LicenseRef-…` ids used in an expression. */
export function licenseRefsIn(expression: string): string[] {
  return expression.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [];
}

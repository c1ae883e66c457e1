import correct from 'spdx-correct';
import parse from 'spdx-expression-parse';

/**
 * Normalises a licence string found in a lockfile or package metadata to an SPDX expression:
 * valid expressions are kept, common spellings corrected (`Apache 2.0` → `Apache-2.0`,
 * `GPLv3` → `GPL-3.0-or-later`), anything else becomes `LicenseRef-<sanitised>` so that it is still
 * reported and can be matched by an allow/deny list, without pretending to be an SPDX id.
 */
export function normaliseLicense(raw: string): string | undefined {
  // SPDX operators are upper-case; lockfiles often write `(MIT or Apache-2.0)`.
  const text = raw.trim().replace(/\s+(or|and|with)\s+/gi, (_m, op: string) => ` ${op.toUpperCase()} `);
  if (!text || /^(unknown|none|see license( file)?|unlicensed)$/i.test(text)) {
    return /^unlicensed$/i.test(text) ? 'LicenseRef-UNLICENSED' : undefined;
  }
  try {
    parse(text);
    return text;
  } catch {
    /* not a valid expression as written */
  }
  const fixed = correct(text, { upgrade: true });
  if (fixed) return fixed;
  // `(MIT OR Apache-2.0)` style with sloppy ids inside: correct each id.
  const parts = text.split(/\s+(OR|AND)\s+|\s*\/\s*|\s*,\s*/i).filter((p) => p && !/^(or|and)$/i.test(p));
  if (parts.length > 1) {
    const ids = parts.map((p) => correct(p.replace(/[()]/g, ''), { upgrade: true }));
    if (ids.every((x): x is string => Boolean(x))) return ids.join(/\bAND\b/i.test(text) ? ' AND ' : ' OR ');
  }
  return `LicenseRef-${
    text
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'unknown'
  }`;
}

/** The SPDX license ids named in an expression (for allow/deny lists). */
export function licenseIds(expression: string): string[] {
  try {
    const ids: string[] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as { license?: string; left?: unknown; right?: unknown };
      if (n.license) ids.push(n.license);
      walk(n.left);
      walk(n.right);
    };
    walk(parse(expression));
    return ids;
  } catch {
    return [expression];
  }
}

import type { Finding, Suppression } from '../core/finding.js';

/**
 * Inline suppressions, written in a comment of any language:
 *
 *     key = "…"  # rampart:ignore                       every rule, this line
 *     key = "…"  // rampart:ignore github-pat, secret/generic-api-key -- test fixture
 *     <!-- rampart:ignore-next-line secret/private-key -->
 *
 * `rampart:ignore` applies to the finding's start line, `rampart:ignore-next-line` to the line after
 * the comment. Rule ids are matched with or without the scanner prefix (`secret/`), case-insensitively;
 * no rule means all rules. Text after ` -- ` is the reason. The line is attacker-controlled: parsing
 * is a bounded left-to-right scan, no regex backtracking over the line.
 */

export const INLINE_MARKER = 'rampart:ignore';
const NEXT_LINE = '-next-line';
const MAX_RULES = 64;
const MAX_REASON = 200;

export interface InlineDirective {
  /** true for `rampart:ignore-next-line`. */
  nextLine: boolean;
  /** Rule ids as written; empty = every rule. */
  rules: string[];
  reason?: string;
}

/** Every directive in one line of text. */
export function parseInlineDirectives(line: string): InlineDirective[] {
  const out: InlineDirective[] = [];
  let from = 0;
  for (;;) {
    const at = line.indexOf(INLINE_MARKER, from);
    if (at < 0) return out;
    let i = at + INLINE_MARKER.length;
    from = i;
    // `foorampart:ignore` is not the marker.
    if (at > 0 && /[A-Za-z0-9_]/.test(line[at - 1]!)) continue;
    let nextLine = false;
    if (line.startsWith(NEXT_LINE, i)) {
      nextLine = true;
      i += NEXT_LINE.length;
    }
    // `rampart:ignored`, `rampart:ignore-foo` are not the marker; `rampart:ignore-->` is.
    if (
      i < line.length &&
      (/[A-Za-z0-9_]/.test(line[i]!) || (line[i] === '-' && /[A-Za-z]/.test(line[i + 1] ?? '')))
    )
      continue;
    const directive: InlineDirective = { nextLine, rules: [] };
    while (i < line.length && directive.rules.length < MAX_RULES) {
      while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === ',')) i++;
      if (
        line.startsWith('--', i) &&
        (i + 2 === line.length || line[i + 2] === ' ' || line[i + 2] === '\t')
      ) {
        const reason = stripCommentCloser(line.slice(i + 2, i + 2 + MAX_REASON * 2))
          .trim()
          .slice(0, MAX_REASON);
        if (reason) directive.reason = reason;
        break;
      }
      const start = i;
      if (!/[A-Za-z0-9]/.test(line[i] ?? '')) break;
      while (i < line.length && /[A-Za-z0-9._/:-]/.test(line[i]!)) i++;
      // A trailing `-->` or `:` belongs to the comment syntax, not to the rule id.
      let token = line.slice(start, i);
      while (/[-:.]$/.test(token)) token = token.slice(0, -1);
      if (token) directive.rules.push(token);
    }
    out.push(directive);
    from = i;
  }
}

function stripCommentCloser(text: string): string {
  return text.replace(/\s*(\*\/|-->|%>|#\}|\}\}|\*\))\s*$/, '');
}

function normaliseRule(id: string, scanner: string): string {
  const lower = id.toLowerCase();
  const prefix = `${scanner}/`;
  return lower.startsWith(prefix) ? lower.slice(prefix.length) : lower;
}

function applies(d: InlineDirective, f: Finding): boolean {
  if (d.rules.length === 0) return true;
  const want = normaliseRule(f.ruleId, f.scanner);
  return d.rules.some((r) => normaliseRule(r, f.scanner) === want);
}

/**
 * Pure: the inline suppression that covers `finding`, if any. `lineAt(n)` returns line n (1-based)
 * of the file the finding is in, or undefined when there is no such line (e.g. an excerpt).
 */
export function inlineSuppression(
  finding: Finding,
  lineAt: (n: number) => string | undefined,
): Suppression | undefined {
  const line = finding.location?.startLine ?? finding.package?.line ?? finding.resource?.line;
  if (line === undefined) return undefined;
  const path = finding.location?.path ?? finding.package?.path ?? finding.resource?.path ?? '';
  const candidates: [number, boolean][] = [
    [line, false],
    [line - 1, true],
  ];
  for (const [n, nextLine] of candidates) {
    if (n < 1) continue;
    const text = lineAt(n);
    if (text === undefined || !text.includes(INLINE_MARKER)) continue;
    for (const d of parseInlineDirectives(text)) {
      if (d.nextLine !== nextLine || !applies(d, finding)) continue;
      return { kind: 'inline', ...(d.reason ? { reason: d.reason } : {}), source: `${path}:${n}` };
    }
  }
  return undefined;
}

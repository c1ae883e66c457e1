/** Severity scale shared by every scanner, ordered from most to least severe. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** Higher number = more severe; handy for sorting and thresholds. */
export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

/** GitHub code scanning's `security-severity` (a numeric string). */
export function securitySeverityScore(s: Severity): string {
  switch (s) {
    case 'critical':
      return '9.5';
    case 'high':
      return '8.0';
    case 'medium':
      return '5.5';
    case 'low':
      return '2.0';
    case 'info':
      return '0.0';
  }
}

/** Parses a comma-separated severity list such as `HIGH,CRITICAL` (case-insensitive). */
export function parseSeverityList(input: string): Severity[] {
  const out: Severity[] = [];
  for (const raw of input.split(',')) {
    const s = raw.trim().toLowerCase();
    if (!s) continue;
    if (s === 'unknown') {
      out.push('info');
      continue;
    }
    if (!isSeverity(s))
      throw new Error(`unknown severity "${raw.trim()}" (expected one of ${SEVERITIES.join(', ')})`);
    out.push(s);
  }
  return out;
}

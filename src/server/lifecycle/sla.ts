import type { Severity } from '../../core/severity.js';
import { LifecycleError } from './errors.js';
import type { Instant, SlaPolicy } from './types.js';

/** Default days to fix: critical 7, high 30, medium 90, low 180, info none. */
export const DEFAULT_SLA_DAYS: Readonly<Record<Severity, number | null>> = {
  critical: 7,
  high: 30,
  medium: 90,
  low: 180,
  info: null,
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a finding of this severity first seen at `firstSeen` must be fixed, or undefined (no deadline). */
export function slaDueDate(severity: Severity, firstSeen: Instant, policy: SlaPolicy = {}): Date | undefined {
  const days = policy[severity] !== undefined ? policy[severity] : DEFAULT_SLA_DAYS[severity];
  if (days === null || days === undefined) return undefined;
  if (!Number.isFinite(days) || days < 0) {
    throw new LifecycleError(
      'invalid-input',
      `SLA for ${severity} must be a number of days ≥ 0 or none, not ${days}`,
    );
  }
  return new Date(toTime(firstSeen, 'firstSeen') + days * DAY_MS);
}

/** Milliseconds since the epoch of an instant; an unparsable one is an input error. */
export function toTime(value: Instant, what: string): number {
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(t))
    throw new LifecycleError('invalid-input', `${what} is not a valid date: ${String(value)}`);
  return t;
}

export function toIso(value: Instant, what: string): string {
  return new Date(toTime(value, what)).toISOString();
}

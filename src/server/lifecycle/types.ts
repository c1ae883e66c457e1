import type { Severity } from '../../core/severity.js';

/**
 * new: first seen in the latest scan · open: seen again · fixed: absent from a later complete scan ·
 * dismissed: a person said it is not a problem · risk-accepted: a person accepted it until a date.
 */
export const FINDING_STATUSES = ['new', 'open', 'fixed', 'dismissed', 'risk-accepted'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const DISMISS_REASONS = ['false-positive', 'wont-fix', 'used-in-tests'] as const;
export type DismissReason = (typeof DISMISS_REASONS)[number];

/** A point in time as stored: an ISO 8601 string or a Date (what `pg` returns for timestamptz). */
export type Instant = string | Date;

export interface Dismissal {
  reason: DismissReason;
  comment?: string;
  by: string;
  at: string;
}

export interface RiskAcceptance {
  /** The acceptance ends at this instant; the finding then becomes open again. */
  until: string;
  comment: string;
  by: string;
  at: string;
}

/** What the control plane stores per finding (per project + branch): the lifecycle part of it. */
export interface StoredFindingState {
  fingerprint: string;
  /** The tool that reports it; with `tools` in reconcile, only that tool's complete scans can fix it. */
  tool?: string;
  status: FindingStatus;
  severity: Severity;
  firstSeenAt: Instant;
  lastSeenAt?: Instant;
  fixedAt?: Instant;
  slaDueAt?: Instant;
  dismissal?: Dismissal;
  riskAcceptance?: Omit<RiskAcceptance, 'until'> & { until: Instant };
}

export type TransitionReason =
  | 'seen-again'
  | 'reappeared'
  | 'absent-from-complete-scan'
  | 'risk-acceptance-expired'
  | 'dismissed'
  | 'risk-accepted'
  | 'reopened';

export interface Transition {
  fingerprint: string;
  from: FindingStatus;
  to: FindingStatus;
  reason: TransitionReason;
}

/** Days to fix, per severity; null: no deadline. */
export type SlaPolicy = Partial<Record<Severity, number | null>>;

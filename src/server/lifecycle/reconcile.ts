import { severityRank, type Severity } from '../../core/severity.js';
import type { IngestedFinding } from '../ingest/types.js';
import { slaDueDate, toTime } from './sla.js';
import type { SlaPolicy, StoredFindingState, Transition } from './types.js';

/** The part of an incoming finding the lifecycle needs (an IngestedFinding fits). */
export type IncomingFinding = Pick<IngestedFinding, 'fingerprint' | 'severity'> & { tool?: string };

export interface ReconcileInput<F extends IncomingFinding = IngestedFinding> {
  /** The stored states of this project + branch (normally already narrowed to the scan's tools). */
  existing: readonly StoredFindingState[];
  incoming: readonly F[];
  /**
   * True when the scan covered everything it would report (a full scan, not a diff or a partial
   * upload): only then does a missing finding count as fixed.
   */
  complete: boolean;
  now: Date;
  sla?: SlaPolicy;
  /** The tools the scan covered (IngestedScan.tools); when given, only their stored findings can become fixed. */
  tools?: readonly string[];
}

export interface CreatedFinding<F extends IncomingFinding = IngestedFinding> {
  fingerprint: string;
  status: 'new';
  severity: Severity;
  firstSeenAt: string;
  lastSeenAt: string;
  slaDueAt?: string;
  /** The first occurrence in the upload (with the highest severity among its duplicates). */
  finding: F;
}

export interface ReconcileResult<F extends IncomingFinding = IngestedFinding> {
  created: CreatedFinding<F>[];
  /** At most one per fingerprint, in the order of `existing`. */
  transitions: Transition[];
  /** Every distinct fingerprint of the upload, in upload order (update their lastSeenAt). */
  seen: string[];
}

/**
 * One scan against the stored states:
 * - unknown fingerprint → created as `new` (with its SLA due date);
 * - `new` seen again → `open`; `fixed` seen again → `open` (reappeared); `open` stays;
 * - `dismissed` stays dismissed when seen again; `risk-accepted` stays until its date, then → `open`
 *   (also when not seen: the acceptance is over);
 * - after a complete scan, `new`, `open` and `risk-accepted` findings that are absent → `fixed`
 *   (`dismissed` and `fixed` ones stay as they are).
 * Duplicate fingerprints within one upload count once.
 */
export function reconcile<F extends IncomingFinding>(input: ReconcileInput<F>): ReconcileResult<F> {
  const now = input.now.getTime();
  const nowIso = input.now.toISOString();
  const unique = new Map<string, F>();
  for (const f of input.incoming) {
    const first = unique.get(f.fingerprint);
    if (!first) unique.set(f.fingerprint, f);
    else if (severityRank(f.severity) > severityRank(first.severity)) {
      unique.set(f.fingerprint, { ...first, severity: f.severity });
    }
  }
  const tools = input.tools ? new Set(input.tools) : undefined;
  const transitions: Transition[] = [];
  const known = new Set<string>();

  for (const state of input.existing) {
    known.add(state.fingerprint);
    const seen = unique.has(state.fingerprint);
    const move = (to: Transition['to'], reason: Transition['reason']) =>
      transitions.push({ fingerprint: state.fingerprint, from: state.status, to, reason });
    const inScope = !tools || state.tool === undefined || tools.has(state.tool);
    const fixable = input.complete && !seen && inScope;

    switch (state.status) {
      case 'new':
        if (seen) move('open', 'seen-again');
        else if (fixable) move('fixed', 'absent-from-complete-scan');
        break;
      case 'open':
        if (fixable) move('fixed', 'absent-from-complete-scan');
        break;
      case 'fixed':
        if (seen) move('open', 'reappeared');
        break;
      case 'risk-accepted':
        if (fixable) move('fixed', 'absent-from-complete-scan');
        else if (isExpired(state, now)) move('open', 'risk-acceptance-expired');
        break;
      case 'dismissed':
        break;
    }
  }

  const created: CreatedFinding<F>[] = [];
  for (const [fingerprint, finding] of unique) {
    if (known.has(fingerprint)) continue;
    const due = slaDueDate(finding.severity, input.now, input.sla);
    created.push({
      fingerprint,
      status: 'new',
      severity: finding.severity,
      firstSeenAt: nowIso,
      lastSeenAt: nowIso,
      ...(due ? { slaDueAt: due.toISOString() } : {}),
      finding,
    });
  }
  return { created, transitions, seen: [...unique.keys()] };
}

/** Risk acceptances whose date has come → `open` (run it periodically, independently of scans). */
export function expireRiskAcceptances(states: readonly StoredFindingState[], now: Date): Transition[] {
  return states
    .filter((s) => s.status === 'risk-accepted' && isExpired(s, now.getTime()))
    .map((s) => ({
      fingerprint: s.fingerprint,
      from: s.status,
      to: 'open',
      reason: 'risk-acceptance-expired',
    }));
}

/** An acceptance without a date is treated as expired: it should not exist, and must not hide a finding forever. */
function isExpired(state: StoredFindingState, now: number): boolean {
  const until = state.riskAcceptance?.until;
  return until === undefined || toTime(until, 'riskAcceptance.until') <= now;
}

import { LifecycleError } from './errors.js';
import { toIso, toTime } from './sla.js';
import {
  DISMISS_REASONS,
  type DismissReason,
  type FindingStatus,
  type Instant,
  type StoredFindingState,
  type Transition,
} from './types.js';

export type TriageAction =
  | { type: 'dismiss'; reason: DismissReason; comment?: string }
  | { type: 'accept-risk'; until: Instant; comment: string }
  | { type: 'reopen'; comment?: string };

/** Which states each action applies to; a fixed finding is not triaged (it is gone). */
const ALLOWED_FROM: Record<TriageAction['type'], readonly FindingStatus[]> = {
  dismiss: ['new', 'open', 'risk-accepted'],
  // From risk-accepted too: renewing an acceptance before it runs out.
  'accept-risk': ['new', 'open', 'dismissed', 'risk-accepted'],
  reopen: ['dismissed', 'risk-accepted'],
};

const MAX_COMMENT = 2000;

/** A person's decision on a finding → its new state and the transition to record; refuses what does not apply. */
export function applyTriage(
  state: StoredFindingState,
  action: TriageAction,
  actor: string,
  now: Date,
): { state: StoredFindingState; transition: Transition } {
  if (!actor.trim()) throw new LifecycleError('invalid-input', 'triage needs an actor');
  if (!ALLOWED_FROM[action.type].includes(state.status)) {
    throw new LifecycleError(
      'invalid-transition',
      `cannot ${action.type} a finding that is ${state.status} (allowed from ${ALLOWED_FROM[action.type].join(', ')})`,
    );
  }
  const at = now.toISOString();
  const comment = checkComment(action.comment, action.type === 'accept-risk');
  const { dismissal: _d, riskAcceptance: _r, ...rest } = state;
  let next: StoredFindingState;
  let reason: Transition['reason'];
  switch (action.type) {
    case 'dismiss':
      if (!(DISMISS_REASONS as readonly string[]).includes(action.reason)) {
        throw new LifecycleError(
          'invalid-input',
          `dismiss reason must be one of ${DISMISS_REASONS.join(', ')}`,
        );
      }
      next = {
        ...rest,
        status: 'dismissed',
        dismissal: { reason: action.reason, ...(comment ? { comment } : {}), by: actor, at },
      };
      reason = 'dismissed';
      break;
    case 'accept-risk': {
      const until = toIso(action.until, 'until');
      if (toTime(until, 'until') <= now.getTime()) {
        throw new LifecycleError('invalid-input', `risk acceptance must end in the future, not ${until}`);
      }
      next = {
        ...rest,
        status: 'risk-accepted',
        riskAcceptance: { until, comment: comment!, by: actor, at },
      };
      reason = 'risk-accepted';
      break;
    }
    case 'reopen':
      next = { ...rest, status: 'open' };
      reason = 'reopened';
      break;
  }
  return {
    state: next,
    transition: { fingerprint: state.fingerprint, from: state.status, to: next.status, reason },
  };
}

function checkComment(comment: string | undefined, required: boolean): string | undefined {
  const c = comment?.trim();
  if (required && !c) throw new LifecycleError('invalid-input', 'a risk acceptance needs a comment');
  if (c && c.length > MAX_COMMENT) {
    throw new LifecycleError('invalid-input', `comment is longer than ${MAX_COMMENT} characters`);
  }
  return c || undefined;
}

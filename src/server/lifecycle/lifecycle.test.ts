import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity } from '../../core/severity.js';
import {
  applyTriage,
  expireRiskAcceptances,
  LifecycleError,
  reconcile,
  slaDueDate,
  type FindingStatus,
  type IncomingFinding,
  type StoredFindingState,
} from './index.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const EARLIER = '2025-05-01T12:00:00.000Z';

function stored(
  fingerprint: string,
  status: FindingStatus,
  extra: Partial<StoredFindingState> = {},
): StoredFindingState {
  return { fingerprint, status, severity: 'high', firstSeenAt: EARLIER, lastSeenAt: EARLIER, ...extra };
}
const incoming = (fingerprint: string, severity: Severity = 'high', tool = 'CodeQL'): IncomingFinding => ({
  fingerprint,
  severity,
  tool,
});
function run(existing: StoredFindingState[], found: IncomingFinding[], complete = true, tools?: string[]) {
  return reconcile({ existing, incoming: found, complete, now: NOW, ...(tools ? { tools } : {}) });
}
function assertLifecycleError(fn: () => unknown, kind: LifecycleError['kind'], part: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof LifecycleError, String(err));
    assert.equal(err.kind, kind);
    assert.equal(err.code, 'USAGE');
    assert.ok(err.message.includes(part), err.message);
    return true;
  });
}

describe('reconcile', () => {
  it('creates unseen fingerprints as new, with their SLA due date, and lists what was seen', () => {
    const r = run([], [incoming('a', 'critical'), incoming('b', 'info')]);
    assert.deepEqual(
      r.created.map((c) => [c.fingerprint, c.status, c.severity, c.firstSeenAt, c.slaDueAt]),
      [
        ['a', 'new', 'critical', '2025-06-01T12:00:00.000Z', '2025-06-08T12:00:00.000Z'],
        ['b', 'new', 'info', '2025-06-01T12:00:00.000Z', undefined],
      ],
    );
    assert.deepEqual(r.seen, ['a', 'b']);
    assert.deepEqual(r.transitions, []);
  });

  it('moves each state as documented when seen again', () => {
    const existing = [
      stored('new', 'new'),
      stored('open', 'open'),
      stored('fixed', 'fixed'),
      stored('dismissed', 'dismissed', {
        dismissal: { reason: 'false-positive', by: 'ana', at: EARLIER },
      }),
      stored('accepted', 'risk-accepted', {
        riskAcceptance: { until: '2025-07-01T00:00:00Z', comment: 'c', by: 'ana', at: EARLIER },
      }),
      stored('expired', 'risk-accepted', {
        riskAcceptance: { until: new Date('2025-06-01T11:59:59Z'), comment: 'c', by: 'ana', at: EARLIER },
      }),
    ];
    const r = run(
      existing,
      existing.map((s) => incoming(s.fingerprint)),
    );
    assert.deepEqual(r.transitions, [
      { fingerprint: 'new', from: 'new', to: 'open', reason: 'seen-again' },
      { fingerprint: 'fixed', from: 'fixed', to: 'open', reason: 'reappeared' },
      { fingerprint: 'expired', from: 'risk-accepted', to: 'open', reason: 'risk-acceptance-expired' },
    ]);
    assert.deepEqual(r.created, []);
  });

  it('fixes what a complete scan no longer reports, but not dismissed or already fixed findings', () => {
    const existing = [
      stored('new', 'new'),
      stored('open', 'open'),
      stored('fixed', 'fixed'),
      stored('dismissed', 'dismissed'),
      stored('accepted', 'risk-accepted', {
        riskAcceptance: { until: '2026-01-01T00:00:00Z', comment: 'c', by: 'ana', at: EARLIER },
      }),
    ];
    assert.deepEqual(run(existing, []).transitions, [
      { fingerprint: 'new', from: 'new', to: 'fixed', reason: 'absent-from-complete-scan' },
      { fingerprint: 'open', from: 'open', to: 'fixed', reason: 'absent-from-complete-scan' },
      { fingerprint: 'accepted', from: 'risk-accepted', to: 'fixed', reason: 'absent-from-complete-scan' },
    ]);
  });

  it('fixes nothing after an incomplete scan', () => {
    const existing = [stored('new', 'new'), stored('open', 'open')];
    assert.deepEqual(run(existing, [incoming('other')], false).transitions, []);
  });

  it('fixes only the findings of the tools the scan covered', () => {
    const existing = [
      stored('codeql', 'open', { tool: 'CodeQL' }),
      stored('semgrep', 'open', { tool: 'Semgrep OSS' }),
      stored('untagged', 'open'),
    ];
    assert.deepEqual(
      run(existing, [], true, ['CodeQL']).transitions.map((t) => t.fingerprint),
      ['codeql', 'untagged'],
    );
  });

  it('counts duplicate fingerprints of one upload once, with their highest severity', () => {
    const r = run(
      [stored('known', 'new')],
      [incoming('x', 'low'), incoming('x', 'critical'), incoming('known'), incoming('known')],
    );
    assert.deepEqual(r.seen, ['x', 'known']);
    assert.equal(r.created.length, 1);
    assert.equal(r.created[0]!.severity, 'critical');
    assert.equal(r.transitions.length, 1);
  });

  it('a fixed finding that comes back in a later scan is open again', () => {
    const first = run([], [incoming('f')]);
    const afterFirst = first.created.map((c) => stored(c.fingerprint, c.status));
    const second = run(afterFirst, []);
    assert.deepEqual(second.transitions, [
      { fingerprint: 'f', from: 'new', to: 'fixed', reason: 'absent-from-complete-scan' },
    ]);
    const third = run([stored('f', 'fixed')], [incoming('f')]);
    assert.deepEqual(third.transitions, [
      { fingerprint: 'f', from: 'fixed', to: 'open', reason: 'reappeared' },
    ]);
  });
});

describe('expireRiskAcceptances', () => {
  it('reopens acceptances whose date has come, and only those', () => {
    const states = [
      stored('past', 'risk-accepted', {
        riskAcceptance: { until: '2025-05-31T00:00:00Z', comment: 'c', by: 'a', at: EARLIER },
      }),
      stored('exact', 'risk-accepted', {
        riskAcceptance: { until: NOW, comment: 'c', by: 'a', at: EARLIER },
      }),
      stored('future', 'risk-accepted', {
        riskAcceptance: { until: '2025-06-02T00:00:00Z', comment: 'c', by: 'a', at: EARLIER },
      }),
      stored('open', 'open'),
    ];
    assert.deepEqual(expireRiskAcceptances(states, NOW), [
      { fingerprint: 'past', from: 'risk-accepted', to: 'open', reason: 'risk-acceptance-expired' },
      { fingerprint: 'exact', from: 'risk-accepted', to: 'open', reason: 'risk-acceptance-expired' },
    ]);
  });
});

describe('applyTriage', () => {
  it('dismisses with reason, comment and actor', () => {
    const { state, transition } = applyTriage(
      stored('a', 'open'),
      { type: 'dismiss', reason: 'used-in-tests', comment: ' fixture key ' },
      'ana@example.com',
      NOW,
    );
    assert.equal(state.status, 'dismissed');
    assert.deepEqual(state.dismissal, {
      reason: 'used-in-tests',
      comment: 'fixture key',
      by: 'ana@example.com',
      at: '2025-06-01T12:00:00.000Z',
    });
    assert.deepEqual(transition, { fingerprint: 'a', from: 'open', to: 'dismissed', reason: 'dismissed' });
  });

  it('accepts a risk until a future date, and a reopen clears the decision', () => {
    const accepted = applyTriage(
      stored('a', 'new'),
      { type: 'accept-risk', until: '2025-09-01', comment: 'vendor fix due in Q3' },
      'bob',
      NOW,
    ).state;
    assert.equal(accepted.status, 'risk-accepted');
    assert.deepEqual(accepted.riskAcceptance, {
      until: '2025-09-01T00:00:00.000Z',
      comment: 'vendor fix due in Q3',
      by: 'bob',
      at: '2025-06-01T12:00:00.000Z',
    });
    const reopened = applyTriage(accepted, { type: 'reopen' }, 'carol', NOW);
    assert.equal(reopened.state.status, 'open');
    assert.equal(reopened.state.riskAcceptance, undefined);
    assert.deepEqual(reopened.transition, {
      fingerprint: 'a',
      from: 'risk-accepted',
      to: 'open',
      reason: 'reopened',
    });
  });

  it('allows exactly the documented transitions', () => {
    const actions = {
      dismiss: { type: 'dismiss', reason: 'wont-fix' },
      'accept-risk': { type: 'accept-risk', until: '2030-01-01T00:00:00Z', comment: 'ok' },
      reopen: { type: 'reopen' },
    } as const;
    const expected: Record<keyof typeof actions, FindingStatus[]> = {
      dismiss: ['new', 'open', 'risk-accepted'],
      'accept-risk': ['new', 'open', 'dismissed', 'risk-accepted'],
      reopen: ['dismissed', 'risk-accepted'],
    };
    const statuses: FindingStatus[] = ['new', 'open', 'fixed', 'dismissed', 'risk-accepted'];
    for (const [name, action] of Object.entries(actions) as [
      keyof typeof actions,
      (typeof actions)[keyof typeof actions],
    ][]) {
      const allowed = statuses.filter((s) => {
        try {
          applyTriage(stored('x', s), action, 'ana', NOW);
          return true;
        } catch (err) {
          assert.ok(err instanceof LifecycleError && err.kind === 'invalid-transition', String(err));
          return false;
        }
      });
      assert.deepEqual(allowed, expected[name], name);
    }
  });

  it('refuses bad input with a clear message', () => {
    const open = stored('a', 'open');
    assertLifecycleError(
      () => applyTriage(open, { type: 'dismiss', reason: 'boring' as never }, 'ana', NOW),
      'invalid-input',
      'false-positive, wont-fix, used-in-tests',
    );
    assertLifecycleError(
      () => applyTriage(open, { type: 'accept-risk', until: '2025-05-01', comment: 'x' }, 'ana', NOW),
      'invalid-input',
      'in the future',
    );
    assertLifecycleError(
      () => applyTriage(open, { type: 'accept-risk', until: 'someday', comment: 'x' }, 'ana', NOW),
      'invalid-input',
      'not a valid date',
    );
    assertLifecycleError(
      () => applyTriage(open, { type: 'accept-risk', until: '2030-01-01', comment: ' ' }, 'ana', NOW),
      'invalid-input',
      'needs a comment',
    );
    assertLifecycleError(() => applyTriage(open, { type: 'reopen' }, ' ', NOW), 'invalid-input', 'actor');
    assertLifecycleError(
      () => applyTriage(stored('a', 'fixed'), { type: 'reopen' }, 'ana', NOW),
      'invalid-transition',
      'cannot reopen a finding that is fixed',
    );
  });
});

describe('slaDueDate', () => {
  it('uses 7/30/90/180 days and no deadline for info by default', () => {
    const first = '2025-01-01T00:00:00.000Z';
    assert.equal(slaDueDate('critical', first)?.toISOString(), '2025-01-08T00:00:00.000Z');
    assert.equal(slaDueDate('high', first)?.toISOString(), '2025-01-31T00:00:00.000Z');
    assert.equal(slaDueDate('medium', first)?.toISOString(), '2025-04-01T00:00:00.000Z');
    assert.equal(slaDueDate('low', new Date(first))?.toISOString(), '2025-06-30T00:00:00.000Z');
    assert.equal(slaDueDate('info', first), undefined);
  });

  it('follows a policy that overrides some severities', () => {
    const policy = { critical: 1, low: null, info: 365 };
    const first = '2025-01-01T00:00:00.000Z';
    assert.equal(slaDueDate('critical', first, policy)?.toISOString(), '2025-01-02T00:00:00.000Z');
    assert.equal(slaDueDate('high', first, policy)?.toISOString(), '2025-01-31T00:00:00.000Z');
    assert.equal(slaDueDate('low', first, policy), undefined);
    assert.equal(slaDueDate('info', first, policy)?.toISOString(), '2026-01-01T00:00:00.000Z');
    assertLifecycleError(() => slaDueDate('high', first, { high: -1 }), 'invalid-input', 'SLA for high');
  });
});

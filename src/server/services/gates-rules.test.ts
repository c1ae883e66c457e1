import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGate, evaluateGates, gateRules, type GateFacts } from './gates-rules.js';
import { approvalRule, protectionProblem } from './gates-protection.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function facts(over: (f: GateFacts) => void = () => undefined): GateFacts {
  const f: GateFacts = {
    artifact: {
      name: 'registry.example/shop',
      digest: DIGEST,
      registered: true,
      signature: { verified: true, recordedAt: '2026-11-01T09:00:00.000Z' },
      sbom: { present: true, uploadedAt: '2026-11-01T08:00:00.000Z', components: 12 },
      attestations: [],
    },
    stream: { branch: 'main' },
    scan: { latestAt: '2026-11-01T07:00:00.000Z', ageHours: 3 },
    findings: {
      open: { critical: 0, high: 0 },
      openOlderThan: { critical: 0, high: 0 },
      olderThanDays: { critical: 7, high: 30 },
    },
    dast: { present: true, passed: true, openCriticalHigh: 0 },
  };
  over(f);
  return f;
}

const strict = {
  requireSignature: true,
  requireSbom: true,
  maxOpenAgeDays: { critical: 7, high: 30 },
  maxScanAgeHours: 24,
  requireDast: true,
};

test('every gate passes on clean facts, with a reason for each', () => {
  const results = evaluateGates(strict, facts(), 'shop');
  assert.deepEqual(
    results.map((r) => [r.name, r.passed]),
    [
      ['artifact-registered', true],
      ['signature-verified', true],
      ['sbom-present', true],
      ['no-critical-findings-older-than-7d', true],
      ['no-high-findings-older-than-30d', true],
      ['scan-fresh', true],
      ['dast-passed', true],
    ],
  );
  assert.equal(results[1]!.reason, 'signature verified (recorded 2026-11-01T09:00:00.000Z)');
  assert.equal(results[5]!.reason, 'latest scan of branch main is 3 hours old (limit 24 hours)');
});

test('old critical findings fail the gate with a count and the age limit', () => {
  const r = evaluateGates(
    strict,
    facts((f) => {
      f.findings.open.critical = 3;
      f.findings.openOlderThan.critical = 2;
    }),
    'shop',
  );
  const gate = r.find((g) => g.name === 'no-critical-findings-older-than-7d')!;
  assert.equal(gate.passed, false);
  assert.equal(gate.reason, '2 critical findings open for more than 7 days');
  const high = r.find((g) => g.name === 'no-high-findings-older-than-30d')!;
  assert.equal(high.passed, true);
});

test('newer findings do not fail the age gate; 0 days means none open at all', () => {
  const newer = facts((f) => {
    f.findings.open.high = 4;
    f.findings.openOlderThan.high = 0;
  });
  const [rule] = gateRules({ maxOpenAgeDays: { high: 30 } });
  assert.deepEqual(evaluateGate(rule!, newer), {
    name: 'no-high-findings-older-than-30d',
    passed: true,
    reason: 'no high finding open for more than 30 days (4 newer)',
  });
  const [zero] = gateRules({ maxOpenAgeDays: { critical: 0 } });
  const one = facts((f) => {
    f.findings.open.critical = 1;
    f.findings.openOlderThan.critical = 1;
  });
  assert.deepEqual(evaluateGate(zero!, one), {
    name: 'no-critical-findings-older-than-0d',
    passed: false,
    reason: '1 critical finding open',
  });
});

test('signature: missing and failed verification are told apart', () => {
  const [rule] = gateRules({ requireSignature: true });
  const none = evaluateGate(
    rule!,
    facts((f) => (f.artifact.signature = { verified: false, recordedAt: null })),
  );
  assert.equal(none.passed, false);
  assert.match(none.reason, /^no verified signature recorded/);
  const failed = evaluateGate(
    rule!,
    facts((f) => (f.artifact.signature = { verified: false, recordedAt: '2026-11-01T09:00:00.000Z' })),
  );
  assert.equal(failed.passed, false);
  assert.equal(failed.reason, 'the latest signature verification failed (recorded 2026-11-01T09:00:00.000Z)');
});

test('SBOM, scan freshness (stale and never scanned) and DAST', () => {
  const sbom = gateRules({ requireSbom: true })[0]!;
  assert.deepEqual(
    evaluateGate(
      sbom,
      facts((f) => (f.artifact.sbom = { present: false, uploadedAt: null, components: 0 })),
    ),
    { name: 'sbom-present', passed: false, reason: 'no SBOM uploaded for the artifact' },
  );
  const fresh = gateRules({ maxScanAgeHours: 24 })[0]!;
  const stale = evaluateGate(
    fresh,
    facts((f) => (f.scan.ageHours = 30.5)),
  );
  assert.equal(stale.passed, false);
  assert.equal(stale.reason, 'latest scan of branch main is 30 hours old (limit 24 hours): scan again');
  const never = evaluateGate(
    fresh,
    facts((f) => (f.scan = { latestAt: null, ageHours: null })),
  );
  assert.deepEqual(never, { name: 'scan-fresh', passed: false, reason: 'no scan recorded for branch main' });
  const dast = gateRules({ requireDast: true })[0]!;
  assert.equal(
    evaluateGate(
      dast,
      facts((f) => (f.dast = { present: false, passed: false, openCriticalHigh: 0 })),
    ).reason,
    'no DAST results for branch main',
  );
  assert.deepEqual(
    evaluateGate(
      dast,
      facts((f) => (f.dast = { present: true, passed: false, openCriticalHigh: 2 })),
    ),
    { name: 'dast-passed', passed: false, reason: 'DAST found 2 open critical/high findings' },
  );
});

test('an unregistered artifact is rejected before any other gate', () => {
  const r = evaluateGates(
    strict,
    facts((f) => (f.artifact.registered = false)),
    'shop',
  );
  assert.equal(r.length, 1);
  assert.equal(r[0]!.name, 'artifact-registered');
  assert.equal(r[0]!.passed, false);
  assert.match(r[0]!.reason, /^registry\.example\/shop@sha256:abab.* is not registered in project shop/);
});

test('a condition that cannot be evaluated fails the gate (fail closed)', () => {
  const broken = facts();
  delete (broken as Partial<GateFacts>).dast;
  const r = evaluateGate(gateRules({ requireDast: true })[0]!, broken);
  assert.equal(r.passed, false);
  assert.match(r.reason, /^gate could not be evaluated: .*dast/);
});

test('no rule, no gate; approval rules default to every approver role', () => {
  assert.deepEqual(gateRules({}), []);
  assert.deepEqual(approvalRule({}), { required: 0, roles: ['admin', 'security-admin', 'operator'] });
  assert.deepEqual(approvalRule({ approvals: { count: 2, roles: ['security-admin'] } }), {
    required: 2,
    roles: ['security-admin'],
  });
  assert.match(
    protectionProblem({ approvals: { count: 1, roles: ['developer'] } })!,
    /role developer cannot approve/,
  );
  assert.equal(protectionProblem({ approvals: { count: 1, roles: ['operator'] } }), undefined);
});

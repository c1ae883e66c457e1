import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuleResult } from '../policy/engine/types.js';
import { podReview } from './__fixtures__/client.js';
import { decide, toAdmissionResponse } from './decision.js';
import { parseDurationMs } from './duration.js';
import { maxNestingDepth, parseJsonBody } from './json-body.js';
import { buildRequestContext, describeResource, parseAdmissionReview, subjectOf } from './review.js';

const enc = (s: string) => Buffer.from(s, 'utf8');

describe('parseJsonBody', () => {
  it('parses valid JSON', () => {
    assert.deepEqual(parseJsonBody(enc('{"a":[1,{"b":"ü"}]}')), { ok: true, value: { a: [1, { b: 'ü' }] } });
  });
  it('counts nesting outside strings only', () => {
    assert.equal(maxNestingDepth(enc('{"a":"[[[[{{{{","b":[[1]]}')), 3);
    assert.equal(maxNestingDepth(enc('{"a":"\\"[[[["}')), 1);
  });
  it('rejects deep nesting before parsing, at the configured limit', () => {
    assert.equal(parseJsonBody(enc('[[[1]]]'), 3).ok, true);
    assert.deepEqual(parseJsonBody(enc('[[[[1]]]]'), 3), {
      ok: false,
      reason: 'JSON nesting deeper than 3 levels',
    });
  });
  it('does not quote the input in syntax errors', () => {
    const r = parseJsonBody(enc('{"password":"hunter2" x}'));
    assert.equal(r.ok, false);
    assert.ok(!r.ok && !r.reason.includes('hunter2'), !r.ok ? r.reason : '');
  });
  it('rejects invalid UTF-8 and __proto__ keys', () => {
    assert.deepEqual(parseJsonBody(Buffer.from([0x22, 0xc3, 0x28, 0x22])), {
      ok: false,
      reason: 'body is not valid UTF-8',
    });
    assert.equal(parseJsonBody(enc('{"a":{"__proto__":{"x":1}}}')).ok, false);
  });
});

describe('parseAdmissionReview', () => {
  it('accepts a Kubernetes AdmissionReview and reads every field the engine needs', () => {
    const r = parseAdmissionReview(podReview({ operation: 'UPDATE', dryRun: true }));
    assert.ok(r.ok);
    assert.equal(r.request.operation, 'UPDATE');
    assert.equal(r.request.dryRun, true);
    assert.deepEqual(r.request.kind, { group: '', version: 'v1', kind: 'Pod' });
    const ctx = buildRequestContext(r.request);
    assert.equal(ctx.operation, 'UPDATE');
    assert.equal(ctx.dryRun, true);
    assert.equal((ctx.oldObject as { kind: string }).kind, 'Pod');
    assert.deepEqual(ctx.variables?.['request.kind'], { group: '', version: 'v1', kind: 'Pod' });
    assert.equal(describeResource(r.request, subjectOf(r.request)), 'Pod/default/web');
  });
  it('treats a missing dryRun as false and a DELETE subject as oldObject', () => {
    const review = podReview({ operation: 'DELETE' });
    delete (review.request as Record<string, unknown>).dryRun;
    const r = parseAdmissionReview(review);
    assert.ok(r.ok);
    assert.equal(buildRequestContext(r.request).dryRun, false);
    assert.equal(subjectOf(r.request)?.kind, 'Pod');
  });
  it('names the generateName of an object without a name', () => {
    const review = podReview();
    const req = review.request as Record<string, unknown>;
    delete req.name;
    (req.object as { metadata: Record<string, unknown> }).metadata = {
      generateName: 'web-',
      namespace: 'ns',
    };
    const r = parseAdmissionReview(review);
    assert.ok(r.ok);
    assert.equal(describeResource(r.request, subjectOf(r.request)), 'Pod/default/web-*');
  });
  it('rejects odd shapes with a reason', () => {
    const base = podReview();
    const req = base.request as Record<string, unknown>;
    const bad: [unknown, RegExp][] = [
      [null, /not a JSON object/],
      [{ ...base, request: { ...req, kind: 'Pod' } }, /request\.kind\.kind/],
      [{ ...base, request: { ...req, uid: 'x'.repeat(200) } }, /longer than 128/],
      [{ ...base, request: { ...req, namespace: 7 } }, /request\.namespace must be a string/],
      [{ ...base, request: { ...req, resource: { group: { toString: 1 } } } }, /request\.resource/],
      [{ ...base, request: { ...req, userInfo: 'alice' } }, /userInfo must be an object/],
    ];
    for (const [body, reason] of bad) {
      const r = parseAdmissionReview(body);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.reason : '', reason);
    }
  });
});

const res = (
  status: RuleResult['status'],
  failureAction: RuleResult['failureAction'],
  extra: Partial<RuleResult> = {},
): RuleResult => ({
  policy: 'p',
  rule: 'r',
  status,
  failureAction,
  message: 'm',
  resource: { apiVersion: 'v1', kind: 'Pod', name: 'x' },
  ...extra,
});

describe('decide', () => {
  it('denies on Enforce fail and error, warns on Audit fail/error and on warn, ignores pass and skip', () => {
    assert.equal(decide([res('fail', 'Enforce')], 'Pod/ns/x').allowed, false);
    assert.equal(decide([res('error', 'Enforce')], 'Pod/ns/x').allowed, false);
    const d = decide(
      [
        res('fail', 'Audit'),
        res('error', 'Audit', { rule: 'e' }),
        res('warn', 'Enforce', { rule: 'w' }),
        res('pass', 'Enforce'),
        res('skip', 'Enforce'),
      ],
      'Pod/ns/x',
    );
    assert.equal(d.allowed, true);
    assert.deepEqual(d.warnings, ['policy p.r: m', 'policy p.e: m', 'policy p.w: m']);
  });
  it('names a namespaced Policy as namespace/name', () => {
    const d = decide([res('fail', 'Enforce', { policyNamespace: 'team' })], 'Pod/team/x');
    assert.deepEqual(d.denied, [{ policy: 'team/p', rule: 'r' }]);
    assert.match(d.message ?? '', /^team\/p:$/m);
  });
  it('keeps each denial on its own line and bounds the number of warnings', () => {
    const d = decide([res('fail', 'Enforce', { message: 'line one\n  line two' })], 'Pod/ns/x');
    assert.match(d.message ?? '', /^ {2}r: line one line two$/m);
    const many = decide(
      Array.from({ length: 150 }, (_, i) => res('fail', 'Audit', { rule: `r${i}` })),
      'Pod/ns/x',
    );
    assert.equal(many.warnings.length, 101);
    assert.equal(many.warnings[100], '… 50 more policy warnings');
  });
  it('builds the AdmissionResponse', () => {
    assert.deepEqual(toAdmissionResponse('u', decide([], 'Pod/ns/x')), { uid: 'u', allowed: true });
    const denied = toAdmissionResponse('u', decide([res('fail', 'Enforce')], 'Pod/ns/x'));
    assert.equal(denied.status?.code, 403);
    assert.equal(denied.status?.reason, 'Forbidden');
  });
});

describe('parseDurationMs', () => {
  it('reads Go-style durations and rejects bare numbers', () => {
    assert.equal(parseDurationMs('2s'), 2000);
    assert.equal(parseDurationMs('500ms'), 500);
    assert.equal(parseDurationMs('1.5s'), 1500);
    assert.equal(parseDurationMs('1m'), 60_000);
    assert.equal(parseDurationMs('2'), undefined);
    assert.equal(parseDurationMs('-1s'), undefined);
  });
});

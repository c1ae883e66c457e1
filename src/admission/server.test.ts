import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject, RequestContext, RuleResult } from '../policy/engine/types.js';
import { createClient, podReview, type Client } from './__fixtures__/client.js';
import { createAdmissionServer, type AdmissionServer } from './server.js';
import type { Evaluator } from './types.js';

function result(
  policy: string,
  rule: string,
  status: RuleResult['status'],
  failureAction: RuleResult['failureAction'],
  message: string,
): RuleResult {
  return {
    policy,
    rule,
    status,
    failureAction,
    message,
    resource: { apiVersion: 'v1', kind: 'Pod', name: 'web' },
  };
}

/** An evaluator answering with fixed results and remembering what it was asked. */
function recordingEvaluator(
  results: RuleResult[] = [],
): Evaluator & { calls: { resource: KubeObject; ctx: RequestContext }[] } {
  const calls: { resource: KubeObject; ctx: RequestContext }[] = [];
  return {
    calls,
    errors: [],
    policyCount: 3,
    ruleCount: 5,
    evaluate(resource, ctx) {
      calls.push({ resource, ctx });
      return results;
    },
  };
}

async function start(
  evaluator: Evaluator | undefined,
  extra: Partial<Parameters<typeof createAdmissionServer>[0]> = {},
): Promise<{ server: AdmissionServer; client: Client; logs: string[] }> {
  const logs: string[] = [];
  const server = createAdmissionServer({
    ...(evaluator ? { evaluator } : {}),
    log: { stream: { write: (line: string) => logs.push(line) } },
    ...extra,
  });
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, client: createClient(`http://127.0.0.1:${port}`), logs };
}

const review = (o: Parameters<typeof podReview>[0] = {}) => JSON.stringify(podReview(o));

describe('POST /validate: malformed reviews get 400 with a one-line reason', () => {
  let server: AdmissionServer;
  let client: Client;
  before(async () => ({ server, client } = await start(recordingEvaluator())));
  after(async () => {
    client.close();
    await server.close();
  });

  const good = podReview();
  const req = good.request as Record<string, unknown>;
  const cases: [string, string | Buffer, RegExp][] = [
    ['not JSON', '{"apiVersion": ', /invalid JSON/],
    ['empty body', '', /empty body/],
    ['a JSON array', '[1,2,3]', /not a JSON object/],
    ['a JSON string', '"AdmissionReview"', /not a JSON object/],
    [
      'wrong apiVersion',
      JSON.stringify({ ...good, apiVersion: 'admission.k8s.io/v1beta1' }),
      /apiVersion must be admission\.k8s\.io\/v1/,
    ],
    ['wrong kind', JSON.stringify({ ...good, kind: 'Pod' }), /kind must be AdmissionReview/],
    [
      'no request',
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
      /request is missing/,
    ],
    [
      'missing request.uid',
      JSON.stringify({ ...good, request: { ...req, uid: undefined } }),
      /request\.uid is missing/,
    ],
    [
      'numeric request.uid',
      JSON.stringify({ ...good, request: { ...req, uid: 42 } }),
      /request\.uid is missing/,
    ],
    [
      'unknown operation',
      JSON.stringify({ ...good, request: { ...req, operation: 'PATCH' } }),
      /request\.operation/,
    ],
    [
      'CREATE without object',
      JSON.stringify({ ...good, request: { ...req, object: null } }),
      /request\.object is required/,
    ],
    [
      'object is a list',
      JSON.stringify({ ...good, request: { ...req, object: [1] } }),
      /request\.object must be an object/,
    ],
    [
      'groups not strings',
      JSON.stringify({ ...good, request: { ...req, userInfo: { groups: [1] } } }),
      /groups/,
    ],
    ['dryRun a string', JSON.stringify({ ...good, request: { ...req, dryRun: 'yes' } }), /dryRun/],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      /UTF-8/,
    ],
    ['deep nesting', '['.repeat(5000) + ']'.repeat(5000), /nesting deeper than 100/],
    ['__proto__ key', '{"__proto__":{"polluted":true},"apiVersion":"admission.k8s.io/v1"}', /__proto__/],
  ];
  for (const [name, body, reason] of cases) {
    it(name, async () => {
      const r = await client.post('/validate', body);
      assert.equal(r.status, 400, r.body);
      assert.match(r.body, reason);
      assert.equal(r.body.trimEnd().includes('\n'), false, 'one line');
    });
  }

  it('answers 413 above the body size cap', async () => {
    const small = createAdmissionServer({ evaluator: recordingEvaluator(), log: false, bodyLimit: 1024 });
    const { port } = await small.listen({ port: 0, host: '127.0.0.1' });
    const c = createClient(`http://127.0.0.1:${port}`);
    try {
      const r = await c.post('/validate', JSON.stringify({ pad: 'x'.repeat(4096) }));
      assert.equal(r.status, 413);
    } finally {
      c.close();
      await small.close();
    }
  });
});

describe('POST /validate: decisions', () => {
  it('denies with the messages of failing Enforce rules, grouped per policy (Kyverno layout)', async () => {
    const ev = recordingEvaluator([
      result(
        'disallow-latest-tag',
        'validate-image-tag',
        'fail',
        'Enforce',
        "validation error: Using a mutable image tag e.g. 'latest' is not allowed.",
      ),
      result('disallow-latest-tag', 'require-image-tag', 'pass', 'Enforce', 'ok'),
      result('require-labels', 'check-team', 'fail', 'Enforce', 'validation error: label team is required.'),
      result('audit-only', 'check', 'fail', 'Audit', 'advisory'),
    ]);
    const { server, client } = await start(ev);
    try {
      const r = await client.post('/validate', review({ uid: 'u-deny' }));
      assert.equal(r.status, 200);
      const body = JSON.parse(r.body);
      assert.equal(body.apiVersion, 'admission.k8s.io/v1');
      assert.equal(body.kind, 'AdmissionReview');
      assert.equal(body.response.uid, 'u-deny');
      assert.equal(body.response.allowed, false);
      assert.equal(body.response.status.code, 403);
      assert.equal(
        body.response.status.message,
        [
          'resource Pod/default/web was blocked due to the following policies',
          '',
          'disallow-latest-tag:',
          "  validate-image-tag: validation error: Using a mutable image tag e.g. 'latest' is not allowed.",
          'require-labels:',
          '  check-team: validation error: label team is required.',
        ].join('\n'),
      );
      assert.deepEqual(body.response.warnings, ['policy audit-only.check: advisory']);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('admits failing Audit rules with warnings "policy <policy>.<rule>: <message>"', async () => {
    const ev = recordingEvaluator([
      result(
        'require-requests-limits',
        'validate-resources',
        'fail',
        'Audit',
        'CPU and memory resource requests are required.',
      ),
      result('disallow-latest-tag', 'validate-image-tag', 'pass', 'Enforce', 'passed'),
      result('x', 'y', 'skip', 'Enforce', 'skipped'),
    ]);
    const { server, client } = await start(ev);
    try {
      const body = JSON.parse((await client.post('/validate', review())).body);
      assert.equal(body.response.allowed, true);
      assert.equal(body.response.status, undefined);
      assert.deepEqual(body.response.warnings, [
        'policy require-requests-limits.validate-resources: CPU and memory resource requests are required.',
      ]);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('admits without warnings when every rule passes or skips', async () => {
    const { server, client } = await start(recordingEvaluator([result('p', 'r', 'pass', 'Enforce', 'ok')]));
    try {
      const body = JSON.parse((await client.post('/validate', review())).body);
      assert.deepEqual(body.response, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
    } finally {
      client.close();
      await server.close();
    }
  });

  it('passes operation, user, dryRun, oldObject and namespace to the engine; DELETE evaluates oldObject', async () => {
    const ev = recordingEvaluator();
    const { server, client } = await start(ev);
    try {
      await client.post('/validate', review({ dryRun: true, operation: 'UPDATE', namespace: 'team-a' }));
      await client.post('/validate', review({ operation: 'DELETE', name: 'gone' }));
      assert.equal(ev.calls.length, 2);
      const [update, del] = ev.calls;
      assert.equal(update!.ctx.dryRun, true);
      assert.equal(update!.ctx.operation, 'UPDATE');
      assert.deepEqual(update!.ctx.userInfo, {
        username: 'alice',
        uid: 'u-1',
        groups: ['system:authenticated'],
      });
      assert.equal((update!.ctx.oldObject as { kind: string }).kind, 'Pod');
      assert.equal(update!.ctx.variables?.['request.namespace'], 'team-a');
      assert.equal(del!.ctx.dryRun, false);
      assert.equal(del!.ctx.operation, 'DELETE');
      assert.equal((del!.resource.metadata as { name: string }).name, 'gone');
    } finally {
      client.close();
      await server.close();
    }
  });

  it('admits a DELETE without oldObject without asking the engine', async () => {
    const ev = recordingEvaluator([result('p', 'r', 'fail', 'Enforce', 'no')]);
    const { server, client } = await start(ev);
    try {
      const r = podReview({ operation: 'DELETE' });
      (r.request as Record<string, unknown>).oldObject = null;
      const body = JSON.parse((await client.post('/validate', JSON.stringify(r))).body);
      assert.equal(body.response.allowed, true);
      assert.equal(ev.calls.length, 0);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('reports an engine exception through the failure policy', async () => {
    const throwing: Evaluator = {
      errors: [],
      policyCount: 1,
      evaluate() {
        throw new Error('boom');
      },
    };
    const { server, client } = await start(throwing, { failurePolicy: 'Fail' });
    try {
      const body = JSON.parse((await client.post('/validate', review())).body);
      assert.equal(body.response.allowed, false);
      assert.equal(body.response.status.code, 500);
      assert.match(
        body.response.status.message,
        /policy evaluation failed: boom; denied \(failurePolicy Fail\)/,
      );
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('time budget', () => {
  const never: Evaluator = {
    errors: [],
    policyCount: 1,
    evaluate: () => new Promise<RuleResult[]>(() => undefined),
  };

  it('Ignore: an evaluation that never finishes is admitted with a warning once the budget expires', async () => {
    const { server, client } = await start(never, { timeoutMs: 150 });
    try {
      const r = await client.post('/validate', review());
      const body = JSON.parse(r.body);
      assert.equal(body.response.allowed, true);
      assert.match(
        body.response.warnings[0],
        /exceeded the time budget of 150 ms; admitted \(failurePolicy Ignore\)/,
      );
      assert.ok(r.ms >= 140 && r.ms < 1000, `answered after ${r.ms} ms`);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('Fail: the same request is denied with code 500', async () => {
    const { server, client } = await start(never, { timeoutMs: 150, failurePolicy: 'Fail' });
    try {
      const r = await client.post('/validate', review());
      const body = JSON.parse(r.body);
      assert.equal(body.response.allowed, false);
      assert.equal(body.response.status.code, 500);
      assert.ok(r.ms < 1000);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('a synchronous evaluation that overruns the budget is decided by the failure policy', async () => {
    const slow: Evaluator = {
      errors: [],
      policyCount: 1,
      evaluate() {
        const until = performance.now() + 200;
        while (performance.now() < until);
        return [result('p', 'r', 'fail', 'Enforce', 'would deny')];
      },
    };
    const { server, client } = await start(slow, { timeoutMs: 50 });
    try {
      const body = JSON.parse((await client.post('/validate', review())).body);
      assert.equal(body.response.allowed, true);
      assert.match(body.response.warnings[0], /time budget of 50 ms/);
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('health, readiness, metrics, decision log', () => {
  it('is live but not ready until policies are loaded; requests meanwhile follow the failure policy', async () => {
    const { server, client } = await start(undefined);
    try {
      assert.equal((await client.get('/healthz')).status, 200);
      const notReady = await client.get('/readyz');
      assert.equal(notReady.status, 503);
      assert.equal(JSON.parse(notReady.body).status, 'policies not loaded');
      const body = JSON.parse((await client.post('/validate', review())).body);
      assert.equal(body.response.allowed, true);
      assert.match(body.response.warnings[0], /policies are not loaded yet/);
      server.setEvaluator(recordingEvaluator());
      const ready = await client.get('/readyz');
      assert.equal(ready.status, 200);
      assert.deepEqual(JSON.parse(ready.body), { status: 'ready', policies: 3, rules: 5, loadErrors: [] });
    } finally {
      client.close();
      await server.close();
    }
  });

  it('exposes request counts by decision, the latency histogram and the policy count', async () => {
    const ev = recordingEvaluator([result('pol', 'rule-a', 'fail', 'Enforce', 'no')]);
    const { server, client } = await start(ev);
    try {
      await client.post('/validate', review());
      await client.post('/validate', review());
      await client.post('/validate', 'garbage');
      const r = await client.get('/metrics');
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'] ?? '', /text\/plain/);
      assert.match(r.body, /^rampart_admission_requests_total\{decision="denied"\} 2$/m);
      assert.match(r.body, /^rampart_admission_requests_total\{decision="invalid"\} 1$/m);
      assert.match(r.body, /^rampart_admission_requests_total\{decision="allowed"\} 0$/m);
      assert.match(r.body, /^rampart_admission_request_duration_seconds_bucket\{le="0\.01"\} \d+$/m);
      assert.match(r.body, /^rampart_admission_request_duration_seconds_count 3$/m);
      assert.match(r.body, /^rampart_admission_policies 3$/m);
      assert.match(r.body, /^rampart_admission_rules 5$/m);
      assert.match(
        r.body,
        /^rampart_admission_rule_outcomes_total\{policy="pol",rule="rule-a",outcome="denied"\} 2$/m,
      );
    } finally {
      client.close();
      await server.close();
    }
  });

  it('writes one JSON decision line per request with ids, decision and rules, never the object', async () => {
    const ev = recordingEvaluator([result('pol', 'rule-a', 'fail', 'Enforce', 'no')]);
    const { server, client, logs } = await start(ev);
    try {
      const r = podReview({ uid: 'uid-log', labels: { secret: 'hunter2-do-not-log' } });
      await client.post('/validate', JSON.stringify(r));
      await client.post('/validate', '{"apiVersion":"v0","password":"hunter2-do-not-log"}');
      const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      const decision = lines.find((l) => l.msg === 'admission decision');
      assert.ok(decision, logs.join(''));
      assert.equal(decision.uid, 'uid-log');
      assert.equal(decision.decision, 'denied');
      assert.equal(decision.resource, 'Pod/default/web');
      assert.equal(decision.operation, 'CREATE');
      assert.equal(decision.user, 'alice');
      assert.equal(decision.dryRun, false);
      assert.deepEqual(decision.denied, ['pol/rule-a']);
      assert.equal(typeof decision.durationMs, 'number');
      const rejected = lines.find((l) => l.msg === 'admission request rejected');
      assert.equal(rejected?.decision, 'invalid');
      assert.equal(logs.join('').includes('hunter2'), false);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('shuts down gracefully: readiness drops, the request in flight is answered', async () => {
    const slow: Evaluator = {
      errors: [],
      policyCount: 1,
      evaluate: () => new Promise<RuleResult[]>((resolve) => setTimeout(() => resolve([]), 300)),
    };
    const { server, client } = await start(slow);
    try {
      const pending = client.post('/validate', review());
      await new Promise((r) => setTimeout(r, 50));
      const closing = server.close();
      assert.equal(server.isReady(), false);
      const r = await pending;
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body).response.allowed, true);
      await closing;
    } finally {
      client.close();
    }
  });
});

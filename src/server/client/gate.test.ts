import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RampartError } from '../../core/errors.js';
import {
  formatElapsed,
  parseDuration,
  rejectionReason,
  runGate,
  waitingMessage,
  type GateDeployment,
} from './gate.js';

test('durations: units, compounds, bare seconds; nonsense is refused', () => {
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('90'), 90_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('ten minutes'), undefined);
  assert.equal(parseDuration('5d'), undefined);
  assert.equal(parseDuration(''), undefined);
});

test('elapsed time and the waiting message', () => {
  assert.equal(formatElapsed(42_400), '00:42');
  assert.equal(formatElapsed(12 * 60_000 + 5000), '12:05');
  assert.equal(formatElapsed(3_723_000), '1:02:03');
  const d = deployment('pending-approval', 1);
  assert.equal(waitingMessage(d), 'waiting for 1 of 2 approvals (security-admin, operator)');
});

test('the rejection reason names failed gates, else the rejecting person and comment', () => {
  const gates = deployment('rejected', 0);
  gates.gates = [
    { name: 'sbom-present', passed: true, reason: 'ok' },
    { name: 'scan-fresh', passed: false, reason: 'latest scan is 30 hours old' },
  ];
  assert.equal(rejectionReason(gates), 'gates failed: scan-fresh: latest scan is 30 hours old');
  const person = deployment('rejected', 0);
  person.approvals.decisions = [
    { by: 'user:ops@example.test', role: 'operator', decision: 'reject', comment: 'freeze', at: '' },
  ];
  assert.equal(rejectionReason(person), 'rejected by user:ops@example.test: freeze');
});

function deployment(status: GateDeployment['status'], received: number): GateDeployment {
  return {
    id: '5b0e8d8e-0000-4000-8000-000000000001',
    status,
    environment: 'production',
    artifact: `shop@sha256:${'a'.repeat(64)}`,
    gates: [{ name: 'artifact-registered', passed: true, reason: 'registered' }],
    approvals: { required: 2, received, roles: ['security-admin', 'operator'], decisions: [] },
  };
}

/** A stand-in control plane on 127.0.0.1 answering from a script of responses. */
async function scriptedServer(
  answer: (req: IncomingMessage, body: string, n: number) => { status: number; json: unknown },
) {
  const seen: { method: string; url: string; auth: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? '', body });
      const a = answer(req, body, seen.length);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const target = (server: string) => ({
  server,
  projectId: '5b0e8d8e-0000-4000-8000-0000000000aa',
  environment: 'production',
  artifact: `shop@sha256:${'a'.repeat(64)}`,
  branch: 'main',
});

test('waits through pending polls and a 503 until approved; refreshes a credential after a 401', async () => {
  const s = await scriptedServer((_req, _body, n) => {
    if (n === 1) return { status: 201, json: deployment('pending-approval', 0) };
    if (n === 2) return { status: 503, json: { error: 'restarting' } };
    if (n === 3) return { status: 401, json: { error: 'invalid or expired credential' } };
    if (n === 4) return { status: 200, json: deployment('pending-approval', 1) };
    return { status: 200, json: deployment('approved', 2) };
  });
  try {
    const updates: number[] = [];
    const retries: string[] = [];
    let issued = 0;
    const out = await runGate(target(s.url), {
      credential: async () => `jwt-${++issued}`,
      timeoutMs: 60_000,
      pollMs: 100,
      onUpdate: (d) => updates.push(d.approvals.received),
      onRetry: (p) => retries.push(p),
    });
    assert.equal(out.result, 'approved');
    assert.deepEqual(updates, [0, 1, 2]);
    assert.deepEqual(retries, ['503 restarting']);
    assert.deepEqual(
      s.seen.map((r) => [r.method, r.url, r.auth]),
      [
        ['POST', '/api/v1/projects/5b0e8d8e-0000-4000-8000-0000000000aa/deployments', 'Bearer jwt-1'],
        ['GET', '/api/v1/deployments/5b0e8d8e-0000-4000-8000-000000000001', 'Bearer jwt-1'],
        ['GET', '/api/v1/deployments/5b0e8d8e-0000-4000-8000-000000000001', 'Bearer jwt-1'],
        ['GET', '/api/v1/deployments/5b0e8d8e-0000-4000-8000-000000000001', 'Bearer jwt-2'],
        ['GET', '/api/v1/deployments/5b0e8d8e-0000-4000-8000-000000000001', 'Bearer jwt-2'],
      ],
    );
    assert.deepEqual(JSON.parse(s.seen[0]!.body), {
      environment: 'production',
      artifact: `shop@sha256:${'a'.repeat(64)}`,
      branch: 'main',
    });
  } finally {
    await s.close();
  }
});

test('times out while still pending; a refused request is a tool error', async () => {
  const s = await scriptedServer((req) => ({
    status: req.method === 'POST' ? 201 : 200,
    json: deployment('pending-approval', 0),
  }));
  try {
    let t = 0;
    const out = await runGate(target(s.url), {
      credential: async () => 'rpt_x',
      timeoutMs: 5000,
      pollMs: 2000,
      clock: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    assert.equal(out.result, 'timed-out');
    assert.equal(out.elapsedMs, 5000);
    assert.equal(s.seen.length, 4, 'the request, then polls at 2 s, 4 s and 5 s');
  } finally {
    await s.close();
  }
  const refusing = await scriptedServer(() => ({
    status: 403,
    json: { error: 'credential lacks deployments:request' },
  }));
  try {
    await assert.rejects(
      runGate(target(refusing.url), { credential: async () => 'rpt_x', timeoutMs: 1000, pollMs: 100 }),
      (err: unknown) =>
        err instanceof RampartError &&
        err.message === 'the server refused: 403 credential lacks deployments:request',
    );
  } finally {
    await refusing.close();
  }
});

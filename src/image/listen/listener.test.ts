import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { checkDrift, type DriftDeps } from './drift.js';
import { EVENTS_MEDIA_TYPE, parseEnvelope, reportFileName, type ScanJob } from './envelope.js';
import { ScanQueue, authorized, handleRequest, startListener } from './listener.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const OCI = 'application/vnd.oci.image.manifest.v1+json';

/** An event shaped like those distribution 2.8 sends (see the registry-events sample). */
function event(action: string, repo: string, digest: string, extra: Record<string, unknown> = {}) {
  return {
    id: `id-${action}-${digest.slice(7, 11)}`,
    timestamp: '2026-11-22T11:18:08.805216757Z',
    action,
    target: {
      mediaType: OCI,
      size: 350,
      digest,
      repository: repo,
      url: `http://127.0.0.1:5000/v2/${repo}/manifests/${digest}`,
      tag: 'bookworm',
      ...extra,
    },
    request: {
      id: 'r',
      addr: '127.0.0.1:40188',
      host: '127.0.0.1:5000',
      method: 'PUT',
      useragent: 'skopeo/1.9.3',
    },
    actor: {},
    source: { addr: 'vm:5000', instanceID: 'x' },
  };
}
const body = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'rampart-listen-test-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('envelope: push of a manifest → job; pull, delete, blob, signature tag ignored', () => {
  const parsed = parseEnvelope(
    body({
      events: [
        event('push', 'test/debian', D1),
        event('pull', 'test/debian', D1),
        { ...event('delete', 'test/debian', D1), target: { repository: 'test/debian', digest: D1 } },
        event('push', 'test/debian', D2, { mediaType: 'application/octet-stream' }),
        event('push', 'test/debian', D2, { tag: `sha256-${'1'.repeat(64)}.sig` }),
      ],
    }),
  );
  assert.deepEqual(parsed.jobs, [
    {
      host: '127.0.0.1:5000',
      repository: 'test/debian',
      digest: D1,
      mediaType: OCI,
      tag: 'bookworm',
      reference: `127.0.0.1:5000/test/debian@${D1}`,
      eventId: 'id-push-1111',
      timestamp: '2026-11-22T11:18:08.805216757Z',
    },
  ]);
  assert.deepEqual(
    parsed.ignored.map((i) => i.reason),
    ['action pull', 'action delete', 'media type application/octet-stream', 'signature/attestation tag'],
  );
  assert.equal(
    reportFileName({ repository: 'test/bookworm-app', digest: D1 }),
    `test_bookworm-app@${'1'.repeat(64)}.json`,
  );
});

test('envelope: hostile values are ignored or refused, never thrown as anything else', () => {
  const bad = [
    event('push', '../../etc', D1),
    event('push', 'Test/UPPER', D1),
    event('push', 'test/x', 'sha256:zz'),
    {
      ...event('push', 'test/x', D1),
      request: { host: 'evil host/..' },
      target: { ...event('push', 'test/x', D1).target, url: 'not a url' },
    },
  ];
  const parsed = parseEnvelope(body({ events: bad }));
  assert.equal(parsed.jobs.length, 0);
  assert.deepEqual(
    parsed.ignored.map((i) => i.reason),
    ['invalid repository', 'invalid repository', 'no sha256 digest', 'no registry host'],
  );
  for (const b of [
    '',
    '{',
    'null',
    '[]',
    '{"events":{}}',
    '{"events":[1]}',
    '{"events":[{"action":"push"}]}',
  ])
    assert.throws(() => parseEnvelope(new TextEncoder().encode(b)), { name: 'EnvelopeError' });
  assert.throws(() => parseEnvelope(new Uint8Array([0xff, 0xfe])), { name: 'EnvelopeError' });
  assert.throws(() => parseEnvelope({ events: new Array(1001).fill({}) }), /more than 1000/);
});

test('auth: bearer token compared in constant time; wrong, missing, or other schemes refused', () => {
  assert.equal(authorized('Bearer local-test-token', 'local-test-token'), true);
  assert.equal(authorized(['Bearer local-test-token'], 'local-test-token'), true);
  assert.equal(authorized('Bearer local-test-tokeN', 'local-test-token'), false);
  assert.equal(authorized('Basic local-test-token', 'local-test-token'), false);
  assert.equal(authorized(undefined, 'local-test-token'), false);
  assert.equal(authorized('Bearer ', ''), true);
});

function fakeQueue(out: string, calls: ScanJob[], fail = new Set<string>()) {
  return new ScanQueue({
    outDir: out,
    scan: async (job) => {
      calls.push(job);
      await new Promise((r) => setTimeout(r, 5));
      if (fail.has(job.digest)) throw new Error('boom');
      return { scanned: job.reference };
    },
  });
}

test('handler: routes, auth, content type, 400 on malformed, dedupe by digest, one scan at a time', async () => {
  const out = tmp();
  const calls: ScanJob[] = [];
  const queue = fakeQueue(out, calls);
  const headers = { 'content-type': EVENTS_MEDIA_TYPE, authorization: 'Bearer s3cret' };
  const post = (b: Uint8Array, h: Record<string, string> = headers) =>
    handleRequest({ method: 'POST', path: '/events', headers: h, body: b }, queue, 's3cret');
  const env = body({
    events: [event('push', 'test/a', D1), event('push', 'test/b', D1), event('push', 'test/b', D2)],
  });

  assert.equal(post(env, { 'content-type': EVENTS_MEDIA_TYPE }).status, 401);
  assert.equal(post(env, { ...headers, authorization: 'Bearer nope' }).status, 401);
  assert.equal(post(env, { ...headers, 'content-type': 'text/plain' }).status, 415);
  assert.equal(post(body({ nope: 1 })).status, 400);
  assert.equal(post(new TextEncoder().encode('{"events":[')).status, 400);
  assert.equal(
    handleRequest({ method: 'GET', path: '/events', headers, body: new Uint8Array() }, queue).status,
    405,
  );
  assert.equal(
    handleRequest({ method: 'GET', path: '/x', headers, body: new Uint8Array() }, queue).status,
    404,
  );

  const r = post(env);
  assert.deepEqual(r, { status: 202, body: { queued: 2, duplicate: 1, full: 0, ignored: 0 } });
  assert.deepEqual(post(env).body, { queued: 0, duplicate: 3, full: 0, ignored: 0 });
  const health = handleRequest(
    { method: 'GET', path: '/healthz', headers: {}, body: new Uint8Array() },
    queue,
  );
  assert.equal(health.status, 200);
  assert.equal(health.body.queued, 2);
  await queue.idle();
  assert.deepEqual(
    calls.map((c) => c.reference),
    [`127.0.0.1:5000/test/a@${D1}`, `127.0.0.1:5000/test/b@${D2}`],
  );
  const file = path.join(out, `test_a@${'1'.repeat(64)}.json`);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { scanned: `127.0.0.1:5000/test/a@${D1}` });
  assert.equal(queue.scanned, 2);
  // a new listener over the same folder does not rescan what already has a report
  const again: ScanJob[] = [];
  const q2 = fakeQueue(out, again);
  assert.equal(
    handleRequest({ method: 'POST', path: '/events', headers, body: env }, q2, 's3cret').body.queued,
    0,
  );
});

test('queue: a failed scan writes nothing and the digest may be retried; backlog cap → 503', async () => {
  const out = tmp();
  const calls: ScanJob[] = [];
  const queue = fakeQueue(out, calls, new Set([D1]));
  const job = parseEnvelope(body({ events: [event('push', 'test/a', D1)] })).jobs[0];
  assert.ok(job);
  assert.equal(queue.push(job), 'queued');
  await queue.idle();
  assert.equal(queue.failed, 1);
  assert.equal(existsSync(path.join(out, reportFileName(job))), false);
  assert.equal(queue.push(job), 'queued');
  await queue.idle();

  const small = new ScanQueue({
    outDir: out,
    maxPending: 1,
    scan: () => new Promise((r) => setTimeout(r, 20)),
  });
  const many = body({
    events: ['3', '4', '5'].map((c) => event('push', 'test/c', `sha256:${c.repeat(64)}`)),
  });
  const r = handleRequest(
    { method: 'POST', path: '/events', headers: { 'content-type': 'application/json' }, body: many },
    small,
  );
  // the first job starts running at once, the second waits, the third does not fit
  assert.equal(r.status, 503);
  assert.equal(r.body.full, 1);
  await small.idle();
});

test('http server: body cap → 413, healthz, events accepted', async () => {
  const out = tmp();
  const calls: ScanJob[] = [];
  const l = await startListener({
    port: 0,
    host: '127.0.0.1',
    outDir: out,
    maxBodyBytes: 4096,
    scan: async (job) => {
      calls.push(job);
      return { ok: true };
    },
  });
  try {
    const h = await fetch(`${l.url}/healthz`);
    assert.equal(h.status, 200);
    const big = await fetch(`${l.url}/events`, {
      method: 'POST',
      headers: { 'content-type': EVENTS_MEDIA_TYPE },
      body: 'x'.repeat(10_000),
    });
    assert.equal(big.status, 413);
    const ok = await fetch(`${l.url}/events`, {
      method: 'POST',
      headers: { 'content-type': EVENTS_MEDIA_TYPE },
      body: JSON.stringify({ events: [event('push', 'test/a', D1)] }),
    });
    assert.equal(ok.status, 202);
    const garbage = await fetch(`${l.url}/events`, {
      method: 'POST',
      headers: { 'content-type': EVENTS_MEDIA_TYPE },
      body: '\u0000garbage',
    });
    assert.equal(garbage.status, 400);
    await l.queue.idle();
    assert.equal(calls.length, 1);
  } finally {
    await l.close();
  }
});

test('drift: annotated or recorded digest vs what the base tag resolves to now', async () => {
  const deps = (annotations: Record<string, string> | undefined, now: string | undefined): DriftDeps => ({
    annotations: () => Promise.resolve(annotations),
    resolve: () => Promise.resolve(now),
  });
  const ann = {
    'org.opencontainers.image.base.name': 'reg/base:1',
    'org.opencontainers.image.base.digest': D1,
  };
  assert.deepEqual(await checkDrift('reg/app:1', deps(ann, D1)), {
    state: 'up-to-date',
    base: 'reg/base:1',
    digest: D1,
  });
  assert.deepEqual(await checkDrift('reg/app:1', deps(ann, D2)), {
    state: 'moved',
    base: 'reg/base:1',
    old: D1,
    new: D2,
  });
  assert.equal((await checkDrift('reg/app:1', deps(undefined, D2))).state, 'unknown');
  assert.equal((await checkDrift('reg/app:1', deps(ann, undefined))).state, 'unknown');
  // --base without a recorded digest: unknown; with --report's digest: compared
  assert.equal((await checkDrift('reg/app:1', deps(undefined, D2), { base: 'reg/base:1' })).state, 'unknown');
  assert.deepEqual(await checkDrift('reg/app:1', deps(undefined, D2), { base: 'reg/base:1', recorded: D2 }), {
    state: 'up-to-date',
    base: 'reg/base:1',
    digest: D2,
  });
});

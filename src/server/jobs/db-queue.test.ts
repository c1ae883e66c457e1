import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RampartError } from '../../core/errors.js';
import { forEachEngine } from '../db/__fixtures__/engines.js';
import type { Db } from '../db/types.js';
import { exponentialBackoff } from './backoff.js';
import { DbJobQueue, type DbJobQueueOptions } from './db-queue.js';
import type { JobInfo } from './types.js';

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface JobRow {
  state: string;
  attempts: number;
  last_error: string | null;
}

async function jobRow(db: Db, id: string): Promise<JobRow> {
  const { rows } = await db.query<JobRow>('SELECT state, attempts, last_error FROM jobs WHERE id = $1', [id]);
  assert.ok(rows[0], `job ${id} exists`);
  return rows[0];
}

forEachEngine('job queue', (getDb, engine) => {
  const queues: DbJobQueue[] = [];
  const newQueue = (db: Db = getDb(), opts: DbJobQueueOptions = {}): DbJobQueue => {
    const queue = new DbJobQueue(db, {
      backoff: () => 5,
      onError: (err) => assert.fail(err as Error),
      ...opts,
    });
    queues.push(queue);
    return queue;
  };
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.stop()));
    await getDb().query('DELETE FROM jobs');
  });

  it('runs an enqueued job with its JSON payload and records success', async () => {
    const queue = newQueue();
    const seen: Array<{ payload: unknown; job: JobInfo }> = [];
    queue.work('t.echo', async (payload, job) => {
      seen.push({ payload, job });
    });
    queue.start();
    const ids = [
      await queue.enqueue('t.echo', { repo: 'a/b', n: [1, 2] }),
      await queue.enqueue('t.echo', ['list']),
      await queue.enqueue('t.echo', 'text'),
    ];
    await queue.drain();
    assert.ok(ids.every((id) => typeof id === 'string' && /^\d+$/.test(id)));
    const payloadOf = (id: string | null) => seen.find((s) => s.job.id === id)?.payload;
    assert.equal(seen.length, 3);
    assert.deepEqual(payloadOf(ids[0]!), { repo: 'a/b', n: [1, 2] });
    assert.deepEqual(payloadOf(ids[1]!), ['list']);
    assert.equal(payloadOf(ids[2]!), 'text');
    const first = seen.find((s) => s.job.id === ids[0])!;
    assert.deepEqual(first.job, { id: ids[0], name: 't.echo', key: null, attempt: 1, maxAttempts: 5 });
    for (const id of ids)
      assert.deepEqual(await jobRow(getDb(), id!), { state: 'succeeded', attempts: 1, last_error: null });
  });

  it('de-duplicates by key while the job is unfinished, and frees the key afterwards', async () => {
    const queue = newQueue();
    const release = deferred();
    const started = deferred();
    let runs = 0;
    queue.work('t.dedupe', async () => {
      runs++;
      started.resolve();
      await release.promise;
    });
    const first = await queue.enqueue('t.dedupe', { n: 1 }, { key: 'repo-1' });
    assert.ok(first);
    assert.equal(await queue.enqueue('t.dedupe', { n: 2 }, { key: 'repo-1' }), null, 'queued duplicate');
    assert.ok(await queue.enqueue('t.dedupe', { n: 3 }, { key: 'repo-2' }), 'other key');
    assert.ok(await queue.enqueue('t.other', { n: 4 }, { key: 'repo-1' }), 'same key, other name');
    queue.start();
    await started.promise;
    assert.equal(await queue.enqueue('t.dedupe', { n: 5 }, { key: 'repo-1' }), null, 'running duplicate');
    release.resolve();
    await queue.drain();
    assert.equal(runs, 2);
    assert.ok(await queue.enqueue('t.dedupe', { n: 6 }, { key: 'repo-1' }), 'key free once finished');
    await queue.drain();
    assert.equal(runs, 3);
  });

  it('retries a failing job with back-off, then marks it failed with the last error', async () => {
    const delays: number[] = [];
    const queue = newQueue(getDb(), {
      backoff: (attempt) => {
        delays.push(attempt);
        return 5;
      },
    });
    const attempts: number[] = [];
    queue.work('t.fail', async (_payload, job) => {
      attempts.push(job.attempt);
      throw new Error(`boom ${job.attempt}`);
    });
    queue.start();
    const id = await queue.enqueue('t.fail', {}, { maxAttempts: 3 });
    await queue.drain();
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.deepEqual(delays, [1, 2, 3]);
    assert.deepEqual(await jobRow(getDb(), id!), { state: 'failed', attempts: 3, last_error: 'boom 3' });
  });

  it('succeeds on a retry after a failure', async () => {
    const queue = newQueue();
    queue.work('t.flaky', async (_payload, job) => {
      if (job.attempt === 1) throw new Error('transient');
    });
    queue.start();
    const id = await queue.enqueue('t.flaky', {});
    await queue.drain();
    assert.deepEqual(await jobRow(getDb(), id!), {
      state: 'succeeded',
      attempts: 2,
      last_error: 'transient',
    });
  });

  it('runs again a job whose worker crashed (lease expired), or fails it when no attempt is left', async () => {
    const db = getDb();
    const producer = newQueue();
    const orphan = await producer.enqueue('t.crash', { n: 1 }, { maxAttempts: 3 });
    const exhausted = await producer.enqueue('t.crash', { n: 2 }, { maxAttempts: 1 });
    // What a worker that died mid-job leaves behind: running, lease in the past.
    await db.query(
      `UPDATE jobs SET state = 'running', attempts = 1, lock_token = 'dead-worker',
                       locked_until = now() - interval '1 second' WHERE id = ANY($1::bigint[])`,
      [[orphan, exhausted]],
    );
    const queue = newQueue();
    const seen: Array<[unknown, number]> = [];
    queue.work('t.crash', async (payload, job) => {
      seen.push([payload, job.attempt]);
    });
    queue.start();
    await queue.drain();
    assert.deepEqual(seen, [[{ n: 1 }, 2]]);
    assert.equal((await jobRow(db, orphan!)).state, 'succeeded');
    const failed = await jobRow(db, exhausted!);
    assert.equal(failed.state, 'failed');
    assert.match(failed.last_error!, /visibility timeout/);
  });

  it('keeps the lease of a long-running job alive', async () => {
    const db = getDb();
    const queue = newQueue(db, { visibilityTimeoutMs: 300 });
    const started = deferred();
    const release = deferred();
    queue.work('t.long', async () => {
      started.resolve();
      await release.promise;
    });
    queue.start();
    const id = await queue.enqueue('t.long', {});
    await started.promise;
    // Wait until the lease has been renewed at least twice, well past the original expiry.
    const firstLease = await db.query<{ until: Date }>(
      'SELECT locked_until AS until FROM jobs WHERE id = $1',
      [id],
    );
    for (;;) {
      const { rows } = await db.query<{ renewed: boolean }>(
        `SELECT locked_until > $2::timestamptz + interval '250 milliseconds' AS renewed FROM jobs WHERE id = $1`,
        [id, firstLease.rows[0]!.until],
      );
      if (rows[0]!.renewed) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await jobRow(db, id!)).state, 'running');
    release.resolve();
    await queue.drain();
    assert.deepEqual(await jobRow(db, id!), { state: 'succeeded', attempts: 1, last_error: null });
  });

  it('does not run a job before its runAt', async () => {
    const queue = newQueue();
    const ran: string[] = [];
    const nowDone = deferred();
    queue.work('t.later', async (payload) => {
      ran.push(payload as string);
      if (payload === 'now') nowDone.resolve();
    });
    const later = await queue.enqueue('t.later', 'later', { runAt: new Date(Date.now() + 3_600_000) });
    queue.start();
    await queue.enqueue('t.later', 'now');
    await nowDone.promise;
    await queue.stop();
    assert.deepEqual(ran, ['now']);
    assert.equal((await jobRow(getDb(), later!)).state, 'queued');
  });

  it('enqueues inside a transaction only when it commits', async () => {
    const db = getDb();
    const queue = newQueue();
    const ran: unknown[] = [];
    queue.work('t.tx', async (payload) => {
      ran.push(payload);
    });
    queue.start();
    await assert.rejects(
      db.transaction(async (tx) => {
        await queue.enqueue('t.tx', 'rolled back', { tx });
        throw new Error('abort');
      }),
      /abort/,
    );
    await db.transaction(async (tx) => {
      await queue.enqueue('t.tx', 'committed', { tx });
    });
    await queue.drain();
    assert.deepEqual(ran, ['committed']);
  });

  it('never runs a job twice with two queues on one database (200 jobs)', async () => {
    const [a, b] = [newQueue(await engine.openHandle()), newQueue(await engine.openHandle())];
    const runs = new Map<string, number>();
    const byQueue = { a: 0, b: 0 };
    for (const [queue, label] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      queue.work(
        't.many',
        async (_payload, job) => {
          runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
          byQueue[label]++;
          await new Promise((resolve) => setImmediate(resolve));
        },
        { concurrency: 4 },
      );
    }
    const ids = [];
    for (let i = 0; i < 200; i++) ids.push(await a.enqueue('t.many', { i }));
    a.start();
    b.start();
    await Promise.all([a.drain(), b.drain()]);
    assert.equal(runs.size, 200);
    assert.deepEqual(new Set(runs.values()), new Set([1]));
    assert.deepEqual([...runs.keys()].sort(), ids.map(String).sort());
    assert.equal(byQueue.a + byQueue.b, 200);
    const { rows } = await getDb().query<{ state: string; n: string }>(
      'SELECT state, count(*) AS n FROM jobs GROUP BY state',
    );
    assert.deepEqual(rows, [{ state: 'succeeded', n: '200' }]);
  });

  it('stop() waits for the running handler and records its outcome', async () => {
    const queue = newQueue();
    const started = deferred();
    const release = deferred();
    queue.work('t.graceful', async () => {
      started.resolve();
      await release.promise;
    });
    queue.start();
    const id = await queue.enqueue('t.graceful', {});
    await started.promise;
    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'stop() resolved while the handler was still running');
    release.resolve();
    await stopping;
    assert.deepEqual(await jobRow(getDb(), id!), { state: 'succeeded', attempts: 1, last_error: null });
    // Stopped: new jobs stay queued.
    const next = await queue.enqueue('t.graceful', {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await jobRow(getDb(), next!)).state, 'queued');
  });

  it('rejects invalid options and a second handler for a name', async () => {
    const queue = newQueue();
    queue.work('t.once', async () => undefined);
    assert.throws(() => queue.work('t.once', async () => undefined), RampartError);
    assert.throws(() => queue.work('t.c', async () => undefined, { concurrency: 0 }), RampartError);
    await assert.rejects(queue.enqueue('t.once', {}, { maxAttempts: 0 }), RampartError);
    await assert.rejects(queue.drain(), RampartError);
  });
});

describe('exponentialBackoff', () => {
  it('doubles from 1 s, caps at 1 h, and stays within ±20 %', () => {
    assert.equal(
      exponentialBackoff(1, () => 0.5),
      1000,
    );
    assert.equal(
      exponentialBackoff(2, () => 0.5),
      2000,
    );
    assert.equal(
      exponentialBackoff(4, () => 0.5),
      8000,
    );
    assert.equal(
      exponentialBackoff(30, () => 0.5),
      3_600_000,
    );
    assert.equal(
      exponentialBackoff(1, () => 0),
      800,
    );
    assert.equal(
      exponentialBackoff(1, () => 1),
      1200,
    );
  });
});

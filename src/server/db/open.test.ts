import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { RampartError } from '../../core/errors.js';
import { TEST_DATABASE_URL, forEachEngine, postgresSkipReason } from './__fixtures__/engines.js';
import { sqlState } from './db-errors.js';
import { LOCK_FILE } from './data-dir-lock.js';
import { openDb } from './open.js';
import type { Db, Queryable } from './types.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

forEachEngine(
  'db result types',
  (getDb) => {
    it('returns the documented JS type for each PostgreSQL type', async () => {
      const { rows } = await getDb().query(`
        SELECT 7::int4 AS i4, 7::int2 AS i2, (SELECT count(*) FROM generate_series(1, 3)) AS n,
               9007199254740993::int8 AS big, 1.50::numeric AS num, 0.5::float8 AS f8,
               true AS yes, false AS no, NULL::text AS nothing,
               '{"a": [1, "x", null]}'::jsonb AS doc, '[1, 2]'::json AS list,
               '2024-05-06T07:08:09.123Z'::timestamptz AS at,
               ARRAY['a', 'b"c', NULL]::text[] AS texts, ARRAY[1, 2]::int4[] AS ints,
               ARRAY[1, 2]::int8[] AS bigs, '\\x00ff10'::bytea AS bytes,
               '0b6c9d6e-2f4f-4b8a-9c52-8b7f4f0e9a11'::uuid AS id`);
      const row = rows[0]!;
      assert.equal(row.i4, 7);
      assert.equal(row.i2, 7);
      assert.equal(row.n, '3');
      assert.equal(row.big, '9007199254740993');
      assert.equal(row.num, '1.50');
      assert.equal(row.f8, 0.5);
      assert.equal(row.yes, true);
      assert.equal(row.no, false);
      assert.equal(row.nothing, null);
      assert.deepEqual(row.doc, { a: [1, 'x', null] });
      assert.deepEqual(row.list, [1, 2]);
      assert.ok(row.at instanceof Date);
      assert.equal(row.at.getTime(), Date.parse('2024-05-06T07:08:09.123Z'));
      assert.deepEqual(row.texts, ['a', 'b"c', null]);
      assert.deepEqual(row.ints, [1, 2]);
      assert.deepEqual(row.bigs, ['1', '2']);
      assert.ok(Buffer.isBuffer(row.bytes));
      assert.deepEqual([...(row.bytes as Buffer)], [0x00, 0xff, 0x10]);
      assert.equal(row.id, '0b6c9d6e-2f4f-4b8a-9c52-8b7f4f0e9a11');
    });

    it('reads date and timestamp without time zone in local time, and interval as an object', async () => {
      const { rows } = await getDb().query(
        `SELECT '2024-01-02'::date AS day, '2024-01-02 03:04:05'::timestamp AS local,
                interval '1 day 2 hours' AS span`,
      );
      const row = rows[0]!;
      assert.equal((row.day as Date).getTime(), new Date(2024, 0, 2).getTime());
      assert.equal((row.local as Date).getTime(), new Date(2024, 0, 2, 3, 4, 5).getTime());
      assert.equal((row.span as { days: number }).days, 1);
      assert.equal((row.span as { hours: number }).hours, 2);
    });

    it('binds parameters the same way (objects, JSON text, arrays, dates, bytes, bigint)', async () => {
      const db = getDb();
      await db.query(`CREATE TABLE param_types (doc jsonb, raw jsonb, list jsonb, at timestamptz,
                      bytes bytea, tags text[], big int8, flag boolean)`);
      await db.query('INSERT INTO param_types VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        { a: 1, nested: { b: [true] } },
        '{"already": "json"}',
        JSON.stringify([1, 'two']),
        new Date('2020-02-29T12:00:00.000Z'),
        Buffer.from([1, 2, 3]),
        ['x', 'y,z', 'q"uote'],
        12345678901234n,
        true,
      ]);
      const { rows } = await db.query('SELECT * FROM param_types');
      assert.deepEqual(rows[0], {
        doc: { a: 1, nested: { b: [true] } },
        raw: { already: 'json' },
        list: [1, 'two'],
        at: new Date('2020-02-29T12:00:00.000Z'),
        bytes: Buffer.from([1, 2, 3]),
        tags: ['x', 'y,z', 'q"uote'],
        big: '12345678901234',
        flag: true,
      });
    });

    it('rejects a bare JS array bound to a jsonb parameter on both engines', async () => {
      await assert.rejects(
        getDb().query('SELECT $1::jsonb AS v', [[1, 2]]),
        (err) => sqlState(err) === '22P02',
      );
    });

    it('reports rowCount like node-postgres', async () => {
      const db = getDb();
      assert.equal((await db.query('CREATE TABLE counted (n int)')).rowCount, 0);
      assert.equal((await db.query('INSERT INTO counted VALUES (1), (2), (3)')).rowCount, 3);
      const updated = await db.query('UPDATE counted SET n = n * 10 WHERE n > $1 RETURNING n', [1]);
      assert.equal(updated.rowCount, 2);
      assert.deepEqual(updated.rows.map((r) => r.n).sort(), [20, 30]);
      assert.equal((await db.query('SELECT * FROM counted')).rowCount, 3);
      assert.equal((await db.query('DELETE FROM counted WHERE n = $1', [99])).rowCount, 0);
    });

    it('runs several statements in a parameterless query and returns the last result', async () => {
      const { rows } = await getDb().query(
        'CREATE TABLE multi (n int); INSERT INTO multi VALUES (4); SELECT n FROM multi',
      );
      assert.deepEqual(rows, [{ n: 4 }]);
    });

    it('exposes the SQLSTATE of database errors', async () => {
      const db = getDb();
      await assert.rejects(db.query('SELECT * FROM no_such_table'), (err) => sqlState(err) === '42P01');
      await db.query('CREATE TABLE uniq (k text PRIMARY KEY)');
      await db.query('INSERT INTO uniq VALUES ($1)', ['a']);
      await assert.rejects(
        db.query('INSERT INTO uniq VALUES ($1)', ['a']),
        (err) => sqlState(err) === '23505',
      );
    });
  },
  { migrate: false },
);

forEachEngine(
  'db transactions',
  (getDb, engine) => {
    it('commits and returns the value of fn', async () => {
      const db = getDb();
      await db.query('CREATE TABLE tx_commit (n int)');
      const value = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_commit VALUES ($1)', [1]);
        await tx.query('INSERT INTO tx_commit VALUES ($1)', [2]);
        return 'done';
      });
      assert.equal(value, 'done');
      assert.deepEqual((await db.query('SELECT n FROM tx_commit ORDER BY n')).rows, [{ n: 1 }, { n: 2 }]);
    });

    it('rolls back and rethrows when fn throws', async () => {
      const db = getDb();
      await db.query('CREATE TABLE tx_rollback (n int)');
      const boom = new Error('boom');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO tx_rollback VALUES (1)');
          throw boom;
        }),
        (err) => err === boom,
      );
      assert.equal((await db.query('SELECT * FROM tx_rollback')).rows.length, 0);
    });

    it('refuses to commit a transaction whose statement failed even if fn caught the error', async () => {
      const db = getDb();
      await db.query('CREATE TABLE tx_aborted (n int PRIMARY KEY)');
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO tx_aborted VALUES (1)');
          await tx.query('INSERT INTO tx_aborted VALUES (1)').catch(() => undefined);
        }),
        (err) => sqlState(err) === '25P02',
      );
      assert.equal((await db.query('SELECT * FROM tx_aborted')).rows.length, 0);
    });

    it('refuses db.query() and nested db.transaction() inside a transaction', async () => {
      const db = getDb();
      for (const misuse of [() => db.query('SELECT 1'), () => db.transaction(async () => undefined)]) {
        await assert.rejects(
          db.transaction(async () => {
            await misuse();
          }),
          (err) => err instanceof RampartError && err.code === 'INTERNAL' && /tx argument/.test(err.message),
        );
      }
    });

    it('refuses a tx used after its transaction ended', async () => {
      let leaked: Queryable | undefined;
      await getDb().transaction(async (tx) => {
        leaked = tx;
      });
      await assert.rejects(
        leaked!.query('SELECT 1'),
        (err) => err instanceof RampartError && err.code === 'INTERNAL',
      );
    });

    it('never lets another caller see uncommitted changes', async () => {
      const db = getDb();
      await db.query('CREATE TABLE tx_isolated (id int PRIMARY KEY, v text)');
      const inserted = deferred();
      const release = deferred();
      const writer = db.transaction(async (tx) => {
        await tx.query(`INSERT INTO tx_isolated VALUES (1, 'draft')`);
        inserted.resolve();
        await release.promise;
        await tx.query(`UPDATE tx_isolated SET v = 'final' WHERE id = 1`);
      });
      await inserted.promise;
      const reader = db.query<{ v: string }>('SELECT v FROM tx_isolated WHERE id = $1', [1]);
      release.resolve();
      const [{ rows }] = await Promise.all([reader, writer]);
      assert.ok(rows.length === 0 || rows[0]!.v === 'final', `saw ${JSON.stringify(rows)}`);
    });

    it('serialises concurrent read-modify-write transactions (row lock)', async () => {
      const db = getDb();
      await db.query('CREATE TABLE tx_counter (id int PRIMARY KEY, n int NOT NULL)');
      await db.query('INSERT INTO tx_counter VALUES (1, 0)');
      const increments = Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query<{ n: number }>('SELECT n FROM tx_counter WHERE id = 1 FOR UPDATE');
          await new Promise((resolve) => setImmediate(resolve));
          await tx.query('UPDATE tx_counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
        }),
      );
      await Promise.all(increments);
      assert.deepEqual((await db.query('SELECT n FROM tx_counter')).rows, [{ n: 20 }]);
    });

    it('runs concurrent queries safely while transactions are open', async () => {
      const db = getDb();
      await db.query('CREATE TABLE tx_mixed (n int)');
      const work = [];
      for (let i = 0; i < 30; i++) {
        work.push(
          i % 3 === 0
            ? db.transaction(async (tx) => {
                await tx.query('INSERT INTO tx_mixed VALUES ($1)', [i]);
                await tx.query('INSERT INTO tx_mixed VALUES ($1)', [-i]);
              })
            : db.query('INSERT INTO tx_mixed VALUES ($1)', [i]),
        );
      }
      await Promise.all(work);
      const { rows } = await db.query<{ n: string; s: string }>(
        'SELECT count(*) AS n, sum(n) AS s FROM tx_mixed',
      );
      assert.deepEqual(rows[0], {
        n: '40',
        s: String([...Array(30).keys()].filter((i) => i % 3 !== 0).reduce((a, b) => a + b, 0)),
      });
    });

    it('retries fn after a serialization failure, at most 3 times', async () => {
      const db = getDb();
      let runs = 0;
      const value = await db.transaction(async () => {
        runs++;
        if (runs === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
        return runs;
      });
      assert.equal(value, 2);

      runs = 0;
      await assert.rejects(
        db.transaction(async () => {
          runs++;
          throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        }),
        /deadlock detected/,
      );
      assert.equal(runs, 4);
    });

    it(
      'retries a real write-skew conflict under SERIALIZABLE',
      { skip: engine.kind === 'embedded' && 'one connection: no conflict possible' },
      async () => {
        const db = getDb();
        await db.query('CREATE TABLE tx_skew (seen int)');
        const bothRead = { count: 0, gate: deferred() };
        let runs = 0;
        const insertWhatWasSeen = () =>
          db.transaction(async (tx) => {
            runs++;
            const first = runs <= 2;
            await tx.query('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
            const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM tx_skew');
            if (first) {
              if (++bothRead.count === 2) bothRead.gate.resolve();
              await bothRead.gate.promise;
            }
            await tx.query('INSERT INTO tx_skew VALUES ($1)', [Number(rows[0]!.n)]);
          });
        await Promise.all([insertWhatWasSeen(), insertWhatWasSeen()]);
        assert.equal(runs, 3);
        assert.deepEqual((await db.query('SELECT seen FROM tx_skew ORDER BY seen')).rows, [
          { seen: 0 },
          { seen: 1 },
        ]);
      },
    );
  },
  { migrate: false },
);

describe('openDb errors', () => {
  it('turns an unreachable PostgreSQL into DB_UNAVAILABLE naming host:port, never the password', async () => {
    await assert.rejects(openDb({ url: 'postgres://rampart:sekret-pw@127.0.0.1:1/rampart' }), (err) => {
      assert.ok(err instanceof RampartError);
      assert.equal(err.code, 'DB_UNAVAILABLE');
      assert.match(err.message, /127\.0\.0\.1:1\/rampart/);
      assert.doesNotMatch(err.message, /sekret-pw/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  });

  it('turns a missing database into DB_UNAVAILABLE', { skip: postgresSkipReason ?? false }, async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = '/rampart_no_such_database';
    await assert.rejects(
      openDb({ url: url.toString() }),
      (err) =>
        err instanceof RampartError &&
        err.code === 'DB_UNAVAILABLE' &&
        /rampart_no_such_database/.test(err.message),
    );
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await assert.rejects(
      openDb({ url: TEST_DATABASE_URL, schema: 'x; DROP TABLE jobs' }),
      (err) => err instanceof RampartError && err.code === 'CONFIG_INVALID',
    );
  });
});

describe('embedded database in a data folder', () => {
  const dirs: string[] = [];
  const opened: Db[] = [];
  after(async () => {
    await Promise.allSettled(opened.map((db) => db.close()));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('creates the folder, keeps data across reopen, and refuses a second opener meanwhile', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'rampart-db-'));
    dirs.push(root);
    const dataDir = path.join(root, 'nested', 'db');

    const first = await openDb({ dataDir });
    opened.push(first);
    assert.equal(first.kind, 'embedded');
    await first.query('CREATE TABLE kept (v text)');
    await first.query('INSERT INTO kept VALUES ($1)', ['persisted']);
    await assert.rejects(
      openDb({ dataDir }),
      (err) =>
        err instanceof RampartError && err.code === 'DB_UNAVAILABLE' && /in use by process/.test(err.message),
    );
    await first.close();

    // A lock left behind by a process that no longer exists does not block.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(path.join(dataDir, LOCK_FILE), `${deadPid}\n`);
    const second = await openDb({ dataDir });
    opened.push(second);
    assert.deepEqual((await second.query('SELECT v FROM kept')).rows, [{ v: 'persisted' }]);
    await second.close();
  });
});

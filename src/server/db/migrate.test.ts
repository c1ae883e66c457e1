import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RampartError } from '../../core/errors.js';
import { forEachEngine } from './__fixtures__/engines.js';
import { assertWellFormed, checksumOf, migrate, type Migration } from './migrate.js';
import { migrations } from './migrations/index.js';

const isMigrationFailure = (pattern: RegExp) => (err: unknown) =>
  err instanceof RampartError && err.code === 'DB_MIGRATION_FAILED' && pattern.test(err.message);

// Each test uses its own id range and tables, so they share one database per engine.
forEachEngine(
  'migrate',
  (getDb, engine) => {
    it('applies the control plane migrations, then nothing on a re-run', async () => {
      const db = getDb();
      assert.deepEqual(await migrate(db), { applied: migrations.map((m) => m.id) });
      assert.deepEqual(await migrate(db), { applied: [] });
      const { rows } = await db.query<{ id: string; checksum: string }>(
        'SELECT id, checksum FROM schema_migrations WHERE id = $1',
        ['001_jobs'],
      );
      assert.equal(rows.length, 1);
      assert.match(rows[0]!.checksum, /^[0-9a-f]{64}$/);
      assert.equal((await db.query('SELECT count(*) AS n FROM jobs')).rows[0]!.n, '0');
    });

    it('applies in order, each in its own transaction, and only the new ones later', async () => {
      const db = getDb();
      const first: Migration[] = [
        { id: '101_order_parent', sql: 'CREATE TABLE order_parent (id int PRIMARY KEY)' },
        {
          id: '102_order_child',
          sql: 'CREATE TABLE order_child (parent int REFERENCES order_parent (id)); INSERT INTO order_parent VALUES (1)',
        },
      ];
      assert.deepEqual(await migrate(db, first), { applied: ['101_order_parent', '102_order_child'] });
      const broken: Migration = {
        id: '104_order_broken',
        sql: 'INSERT INTO order_parent VALUES (2); SELECT nope',
      };
      const more: Migration[] = [
        ...first,
        { id: '103_order_more', sql: 'INSERT INTO order_child VALUES (1)' },
        broken,
      ];
      await assert.rejects(migrate(db, more), isMigrationFailure(/104_order_broken failed: .*nope/));
      // 103 committed on its own; 104's half was rolled back and it is not recorded.
      assert.deepEqual((await db.query('SELECT parent FROM order_child')).rows, [{ parent: 1 }]);
      assert.deepEqual((await db.query('SELECT id FROM order_parent')).rows, [{ id: 1 }]);
      const recorded = await db.query<{ id: string }>(
        `SELECT id FROM schema_migrations WHERE id LIKE '10%' ORDER BY id`,
      );
      assert.deepEqual(
        recorded.rows.map((r) => r.id),
        ['101_order_parent', '102_order_child', '103_order_more'],
      );
    });

    it('refuses to start when an applied migration was edited', async () => {
      const db = getDb();
      const original: Migration = { id: '201_edited', sql: 'CREATE TABLE edited (a int)' };
      await migrate(db, [original]);
      const edited = { ...original, sql: 'CREATE TABLE edited (a int, b int)' };
      const next: Migration = { id: '202_after_edited', sql: 'CREATE TABLE after_edited (a int)' };
      await assert.rejects(migrate(db, [edited, next]), isMigrationFailure(/201_edited was edited/));
      // Nothing after the edited migration ran.
      await assert.rejects(db.query('SELECT * FROM after_edited'));
    });

    it('applies each migration exactly once when 4 processes migrate at the same time', async () => {
      const db = getDb();
      await db.query('CREATE TABLE concurrent_log (id text)');
      const list: Migration[] = ['301', '302', '303', '304', '305'].map((n) => ({
        id: `${n}_concurrent`,
        // CREATE TABLE without IF NOT EXISTS fails if run twice; the log counts the runs.
        sql: `CREATE TABLE concurrent_${n} (a int); INSERT INTO concurrent_log VALUES ('${n}')`,
      }));
      const handles = await Promise.all([1, 2, 3, 4].map(() => engine.openHandle()));
      const results = await Promise.all(handles.map((handle) => migrate(handle, list)));
      const appliedAnywhere = results.flatMap((r) => r.applied).sort();
      assert.deepEqual(
        appliedAnywhere,
        list.map((m) => m.id),
      );
      const { rows } = await db.query<{ id: string; runs: string }>(
        'SELECT id, count(*) AS runs FROM concurrent_log GROUP BY id ORDER BY id',
      );
      assert.deepEqual(rows, [
        { id: '301', runs: '1' },
        { id: '302', runs: '1' },
        { id: '303', runs: '1' },
        { id: '304', runs: '1' },
        { id: '305', runs: '1' },
      ]);
      await Promise.all(handles.map((handle) => handle.close()));
    });
  },
  { migrate: false },
);

describe('migration list', () => {
  it('ships ids that are well formed, unique and ascending', () => {
    assert.doesNotThrow(() => assertWellFormed(migrations));
    assert.equal(new Set(migrations.map((m) => m.id)).size, migrations.length);
    assert.equal(migrations[0]?.id, '001_jobs');
  });

  it('rejects out-of-order, duplicate and malformed ids', () => {
    const m = (id: string): Migration => ({ id, sql: 'SELECT 1' });
    assert.throws(() => assertWellFormed([m('002_b'), m('001_a')]), isMigrationFailure(/out of order/));
    assert.throws(() => assertWellFormed([m('001_a'), m('001_a')]), isMigrationFailure(/out of order/));
    assert.throws(() => assertWellFormed([m('jobs')]), isMigrationFailure(/invalid migration id/));
  });

  it('checksums the SQL text (sha256)', () => {
    assert.equal(checksumOf(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.notEqual(checksumOf('CREATE TABLE a (x int)'), checksumOf('CREATE TABLE a (x int) '));
  });
});

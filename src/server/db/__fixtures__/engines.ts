/**
 * Runs one suite of server tests against both database engines:
 *
 *   forEachEngine('users', (getDb, engine) => {
 *     it('creates a user', async () => { await getDb().query('…'); });
 *   });
 *
 * registers `users [embedded]` (a PGlite instance in memory, shared by the suite's tests) and
 * `users [postgres]` (a fresh schema in the PostgreSQL test database, dropped afterwards; skipped
 * with the reason when the server is not reachable). Both are migrated before the first test
 * unless `{ migrate: false }`; pass a list to run other migrations instead.
 *
 * PostgreSQL: RAMPART_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test.
 */
import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { connectionFailureReason, describePostgresTarget } from '../db-errors.js';
import { migrate, type Migration } from '../migrate.js';
import { openDb } from '../open.js';
import type { Db } from '../types.js';

export const TEST_DATABASE_URL = process.env.RAMPART_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export type EngineKind = Db['kind'];

export interface Engine {
  kind: EngineKind;
  /** Schema of the suite on PostgreSQL (undefined on the embedded engine). */
  schema: string | undefined;
  /**
   * Another handle to the suite's database, like a second process would have: on PostgreSQL a new
   * pool on the same schema; on the embedded engine (one connection per process) the same
   * instance. Closed by the suite; closing it early is allowed.
   */
  openHandle(): Promise<Db>;
}

export interface ForEachEngineOptions {
  /** true (default): run the control plane's migrations; false: none; a list: those. */
  migrate?: boolean | readonly Migration[];
  /** Only these engines (default both). */
  engines?: readonly EngineKind[];
}

/** Why PostgreSQL tests are skipped, or undefined when the server answers. */
export const postgresSkipReason: string | undefined = await probePostgres(TEST_DATABASE_URL);

export function forEachEngine(
  name: string,
  register: (getDb: () => Db, engine: Engine) => void,
  opts: ForEachEngineOptions = {},
): void {
  for (const kind of opts.engines ?? (['embedded', 'postgres'] as const)) {
    const skip = kind === 'postgres' ? (postgresSkipReason ?? false) : false;
    describe(`${name} [${kind}]`, { skip }, () => {
      const suite = new SuiteDatabase(kind);
      before(async () => {
        await suite.open();
        const migrations = opts.migrate ?? true;
        if (migrations === true) await migrate(suite.db);
        else if (migrations !== false) await migrate(suite.db, migrations);
      });
      after(() => suite.close());
      register(() => suite.db, suite);
    });
  }
}

class SuiteDatabase implements Engine {
  schema: string | undefined;
  private current: Db | undefined;
  private readonly handles: Db[] = [];

  constructor(readonly kind: EngineKind) {
    this.schema = kind === 'postgres' ? `rampart_test_${randomBytes(6).toString('hex')}` : undefined;
  }

  get db(): Db {
    if (this.current === undefined) throw new Error('the suite database is opened in before(): use getDb() inside tests');
    return this.current;
  }

  async open(): Promise<void> {
    this.current = await this.openOwn();
  }

  async openHandle(): Promise<Db> {
    if (this.kind === 'embedded') {
      const shared = this.db;
      return {
        kind: shared.kind,
        query: (sql, params) => shared.query(sql, params),
        transaction: (fn) => shared.transaction(fn),
        close: async () => undefined,
      };
    }
    const handle = await this.openOwn();
    this.handles.push(handle);
    return handle;
  }

  private openOwn(): Promise<Db> {
    return this.kind === 'postgres' ? openDb({ url: TEST_DATABASE_URL, schema: this.schema }) : openDb({});
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.handles.map((handle) => handle.close()));
    if (this.current === undefined) return;
    if (this.schema !== undefined) await this.current.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
    await this.current.close();
    this.current = undefined;
  }
}

async function probePostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL not reachable at ${describePostgresTarget(url)} (${connectionFailureReason(err)}); set RAMPART_TEST_DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

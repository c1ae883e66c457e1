import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { matchComponent } from '../osv/match.js';
import {
  LODASH,
  MAL_NPM,
  PYSEC,
  WITHDRAWN_NPM,
  json,
  patchDeclaredSize,
  recordsZip,
  serve,
  zipOf,
} from './__fixtures__/archives.js';
import { AdvisoryDbError } from './errors.js';
import { LOCK_FILE } from './lock.js';
import { openDatabase } from './open.js';
import { status } from './status.js';
import { updateDatabase } from './update.js';

const tmpRoot = mkdtempSync(path.join(tmpdir(), 'rampart-osvdb-'));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;
const freshDir = () => path.join(tmpRoot, `db${++n}`);

const isDbError = (code: string) => (e: unknown) => e instanceof AdvisoryDbError && e.code === code;

function lookupIds(dir: string, ecosystem: string, name: string): string[] | undefined {
  const db = openDatabase(dir);
  if (!db) return undefined;
  try {
    return db
      .lookup(ecosystem, name)
      .map((r) => r.id)
      .sort();
  } finally {
    db.close();
  }
}

test('update from an HTTP source, open, lookup, match, status; a 404 ecosystem is a warning', async () => {
  const server = await serve({
    '/npm/all.zip': recordsZip([LODASH, MAL_NPM, WITHDRAWN_NPM]),
    '/PyPI/all.zip': recordsZip([PYSEC]),
  });
  try {
    const dir = freshDir();
    assert.equal(openDatabase(dir), undefined);
    assert.equal(status(dir), undefined);
    const phases = new Set<string>();
    const r = await updateDatabase({
      source: server.url,
      dir,
      ecosystems: ['npm', 'PyPI', 'Debian'],
      onProgress: (p) => phases.add(p.phase),
    });
    assert.equal(r.records, 4);
    assert.deepEqual(r.meta.missing, ['Debian']);
    assert.match(r.meta.warnings.join('\n'), /Debian.*not found/);
    assert.ok(phases.has('warning') && phases.has('done') && phases.has('download'));
    assert.ok(r.recordsPerSecond > 0 && r.mbPerSecond > 0);

    const db = openDatabase(dir);
    assert.ok(db);
    try {
      assert.deepEqual(db.ecosystems().sort(), ['PyPI', 'npm']);
      const lodash = db.lookup('npm', 'lodash');
      assert.deepEqual(lodash.map((x) => x.id).sort(), ['GHSA-test-lodash-0001', 'GHSA-test-withdrawn']);
      const stored = lodash.find((x) => x.id === LODASH.id)!;
      assert.equal(stored.details, undefined, 'details are dropped');
      assert.deepEqual(stored.database_specific, { severity: 'HIGH' });
      assert.deepEqual(
        stored.affected?.map((a) => a.package?.ecosystem),
        ['npm'],
        "only the npm store's own affected entries are kept",
      );
      assert.deepEqual(db.lookup('npm', 'Lodash'), [], 'npm names are case-sensitive');
      assert.deepEqual(db.lookup('npm', 'constructor'), []);
      assert.deepEqual(db.lookup('Go', 'lodash'), []);
      // PyPI keys are PEP 503-normalised; a missing summary is taken from the details' first line.
      const py = db.lookup('PyPI', 'requests');
      assert.equal(py.length, 1);
      assert.equal(py[0]?.summary, 'Requests leaks credentials.');

      const hits = matchComponent(db, { ecosystem: 'npm', name: 'lodash', version: '4.17.20' });
      assert.deepEqual(
        hits.map((h) => [h.id, h.severity, h.fixed]),
        [['GHSA-test-lodash-0001', 'high', '4.17.21']],
      );
      const mal = matchComponent(db, { ecosystem: 'npm', name: 'evil-pkg', version: '9.9.9' });
      assert.deepEqual(
        mal.map((h) => [h.id, h.severity, h.malicious]),
        [['MAL-2099-0001', 'critical', true]],
      );
      assert.equal(matchComponent(db, { ecosystem: 'PyPI', name: 'REQUESTS', version: '2.1.0' }).length, 1);
      assert.equal(matchComponent(db, { ecosystem: 'PyPI', name: 'requests', version: '2.2.0' }).length, 0);
    } finally {
      db.close();
    }

    const s = status(dir, new Date(Date.now() + 2 * 86_400_000));
    assert.ok(s);
    assert.equal(s.source, server.url);
    assert.equal(s.schemaVersion, 1);
    assert.equal(s.ecosystems.npm?.records, 3);
    assert.equal(s.ecosystems.npm?.newestModified, '2024-05-01T00:00:00Z');
    assert.equal(s.ecosystems.PyPI?.newestModified, '2023-07-01T10:00:00.123456Z');
    assert.equal(s.totalRecords, 4);
    assert.ok(s.ageDays > 1.99 && s.ageDays < 2.01);
    assert.ok(s.sizeBytes > 0);
  } finally {
    await server.close();
  }
});

test('a local folder works as a source', async () => {
  const src = path.join(tmpRoot, 'local-src');
  mkdirSync(path.join(src, 'npm'), { recursive: true });
  writeFileSync(path.join(src, 'npm', 'all.zip'), recordsZip([LODASH]));
  const dir = freshDir();
  const r = await updateDatabase({ source: src, dir, ecosystems: ['npm', 'crates.io'] });
  assert.equal(r.records, 1);
  assert.deepEqual(r.meta.missing, ['crates.io']);
  assert.deepEqual(lookupIds(dir, 'npm', 'lodash'), [LODASH.id]);
});

test('a corrupt or truncated archive fails the update and the previous generation keeps answering', async () => {
  const good = recordsZip([LODASH]);
  const corrupt = good.slice();
  // Flip bytes inside the first member's compressed data (after its 30-byte header and name).
  for (let i = 60; i < 80; i++) corrupt[i] = corrupt[i]! ^ 0xff;
  let current: Uint8Array = good;
  const server = await serve({ '/npm/all.zip': (_req, res) => res.writeHead(200).end(Buffer.from(current)) });
  try {
    const dir = freshDir();
    await updateDatabase({ source: server.url, dir, ecosystems: ['npm'] });
    const before = status(dir)?.generation;
    for (const bad of [corrupt, good.subarray(0, Math.floor(good.length / 2)), new Uint8Array(0)]) {
      current = bad;
      await assert.rejects(
        updateDatabase({ source: server.url, dir, ecosystems: ['npm'] }),
        isDbError('DB_ARCHIVE_INVALID'),
      );
      assert.equal(status(dir)?.generation, before);
      assert.deepEqual(lookupIds(dir, 'npm', 'lodash'), [LODASH.id]);
      assert.deepEqual(
        readdirSync(dir).filter((f) => f.startsWith('gen-')),
        [before],
        'the failed generation is removed',
      );
      assert.equal(existsSync(path.join(dir, LOCK_FILE)), false, 'the lock is released');
    }
  } finally {
    await server.close();
  }
});

test('hostile members are refused, non-JSON members and malformed records are skipped and counted', async () => {
  const zip = patchDeclaredSize(
    zipOf({
      [`${LODASH.id}.json`]: json(LODASH),
      '../escape.json': json(MAL_NPM),
      'nested/inner.json': json(MAL_NPM),
      'HUGE-1.json': json(MAL_NPM),
      'README.txt': 'hello',
      'BROKEN-1.json': '{ not json',
      'EMPTY-1.json': '{}',
      'OTHER-1.json': json({
        ...MAL_NPM,
        id: 'OTHER-1',
        affected: [{ package: { ecosystem: 'PyPI', name: 'x' } }],
      }),
    }),
    'HUGE-1.json',
    0xfffffff0,
  );
  const server = await serve({ '/npm/all.zip': zip });
  try {
    const dir = freshDir();
    const r = await updateDatabase({ source: server.url, dir, ecosystems: ['npm'] });
    assert.equal(r.records, 1);
    assert.deepEqual(r.meta.ecosystems.npm?.skipped, { malformed: 3, refused: 3, notJson: 1 });
    assert.match(
      r.meta.warnings.join('\n'),
      /npm: skipped 3 malformed record\(s\), 3 refused and 1 non-JSON/,
    );
    assert.deepEqual(lookupIds(dir, 'npm', 'evil-pkg'), []);
    assert.equal(existsSync(path.join(tmpRoot, 'escape.json')), false);
  } finally {
    await server.close();
  }
});

test('network failures and HTTP errors fail clearly and keep the old database', async () => {
  const server = await serve({
    '/npm/all.zip': recordsZip([LODASH]),
    '/PyPI/all.zip': (_req, res) => res.writeHead(500).end('boom'),
  });
  const dir = freshDir();
  try {
    await updateDatabase({ source: server.url, dir, ecosystems: ['npm'] });
    await assert.rejects(
      updateDatabase({ source: server.url, dir, ecosystems: ['npm', 'PyPI'] }),
      (e: unknown) => isDbError('DB_DOWNLOAD_FAILED')(e) && /HTTP 500/.test((e as Error).message),
    );
  } finally {
    await server.close();
  }
  // The server is gone: connection refused.
  await assert.rejects(
    updateDatabase({ source: server.url, dir, ecosystems: ['npm'] }),
    isDbError('DB_DOWNLOAD_FAILED'),
  );
  // Every ecosystem missing: nothing to install.
  const empty = await serve({});
  try {
    await assert.rejects(
      updateDatabase({ source: empty.url, dir, ecosystems: ['npm', 'Go'] }),
      isDbError('DB_SOURCE_EMPTY'),
    );
  } finally {
    await empty.close();
  }
  assert.deepEqual(lookupIds(dir, 'npm', 'lodash'), [LODASH.id]);
});

test('a stalled download times out; oversized archives are refused', async () => {
  const server = await serve({
    '/npm/all.zip': (_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      res.write(Buffer.alloc(10));
    },
    '/Go/all.zip': recordsZip([LODASH]),
  });
  try {
    const dir = freshDir();
    await assert.rejects(
      updateDatabase({ source: server.url, dir, ecosystems: ['npm'], download: { idleTimeoutMs: 300 } }),
      (e: unknown) => isDbError('DB_DOWNLOAD_FAILED')(e) && /no data/.test((e as Error).message),
    );
    await assert.rejects(
      updateDatabase({ source: server.url, dir, ecosystems: ['Go'], download: { maxBytes: 100 } }),
      isDbError('DB_ARCHIVE_INVALID'),
    );
  } finally {
    await server.close();
  }
});

test('a second concurrent update fails with a clear lock message; a stale lock is taken over', async () => {
  let release: (() => void) | undefined;
  const server = await serve({
    '/npm/all.zip': (_req, res) => {
      const body = Buffer.from(recordsZip([LODASH]));
      release = () => res.writeHead(200, { 'content-length': body.length }).end(body);
    },
  });
  try {
    const dir = freshDir();
    const first = updateDatabase({ source: server.url, dir, ecosystems: ['npm'] });
    while (!release) await new Promise((r) => setTimeout(r, 10));
    await assert.rejects(
      updateDatabase({ source: server.url, dir, ecosystems: ['npm'] }),
      (e: unknown) =>
        isDbError('DB_LOCKED')(e) && /another advisory database update is running/.test((e as Error).message),
    );
    release();
    await first;
    assert.deepEqual(lookupIds(dir, 'npm', 'lodash'), [LODASH.id]);

    // A lock left by a process that no longer exists does not block.
    writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        host: (await import('node:os')).hostname(),
        startedAt: new Date().toISOString(),
      }),
    );
    const again = serve({ '/npm/all.zip': recordsZip([LODASH, MAL_NPM]) });
    const s2 = await again;
    try {
      const r = await updateDatabase({ source: s2.url, dir, ecosystems: ['npm'] });
      assert.equal(r.records, 2);
    } finally {
      await s2.close();
    }
  } finally {
    await server.close();
  }
});

test('an update killed half-way (SIGKILL) leaves the previous generation answering', async () => {
  const dir = freshDir();
  const first = await serve({ '/npm/all.zip': recordsZip([LODASH]) });
  try {
    await updateDatabase({ source: first.url, dir, ecosystems: ['npm'] });
  } finally {
    await first.close();
  }
  const before = status(dir)?.generation;

  const next = Buffer.from(recordsZip([LODASH, MAL_NPM]));
  let stalled!: () => void;
  const reachedStall = new Promise<void>((resolve) => (stalled = resolve));
  const server = await serve({
    '/npm/all.zip': (_req, res) => {
      res.writeHead(200, { 'content-length': next.length });
      res.write(next.subarray(0, Math.floor(next.length / 2)), () => stalled());
      // …and never finishes.
    },
  });
  const fixture = fileURLToPath(new URL('./__fixtures__/update-child.ts', import.meta.url));
  const repoRoot = path.resolve(path.dirname(fixture), '../../../..');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, server.url, dir, 'npm'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  try {
    await Promise.race([
      reachedStall,
      exited.then(() => assert.fail(`child exited before the stall: ${stderr}`)),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`child never reached the stall: ${stderr}`)), 20_000),
      ),
    ]);
    assert.ok(existsSync(path.join(dir, LOCK_FILE)), 'the child holds the lock');
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server.close();
  }

  assert.equal(status(dir)?.generation, before);
  assert.deepEqual(lookupIds(dir, 'npm', 'lodash'), [LODASH.id]);
  assert.deepEqual(lookupIds(dir, 'npm', 'evil-pkg'), []);
  assert.ok(
    readdirSync(dir).filter((f) => f.startsWith('gen-')).length >= 2,
    'the killed update left its half-written generation',
  );

  // The next update takes over the dead process's lock and cleans the leftovers.
  const last = await serve({ '/npm/all.zip': next });
  try {
    await updateDatabase({ source: last.url, dir, ecosystems: ['npm'] });
  } finally {
    await last.close();
  }
  assert.deepEqual(lookupIds(dir, 'npm', 'evil-pkg'), [MAL_NPM.id]);
  assert.equal(readdirSync(dir).filter((f) => f.startsWith('gen-')).length, 1);
});

test('a handle opened before an update keeps reading its own generation', async () => {
  const dir = freshDir();
  const s1 = await serve({ '/npm/all.zip': recordsZip([LODASH]) });
  try {
    await updateDatabase({ source: s1.url, dir, ecosystems: ['npm'] });
  } finally {
    await s1.close();
  }
  const old = openDatabase(dir);
  assert.ok(old);
  const s2 = await serve({ '/npm/all.zip': recordsZip([MAL_NPM]) });
  try {
    await updateDatabase({ source: s2.url, dir, ecosystems: ['npm'] });
    assert.deepEqual(
      old.lookup('npm', 'lodash').map((r) => r.id),
      [LODASH.id],
    );
    assert.deepEqual(lookupIds(dir, 'npm', 'lodash'), []);
    assert.deepEqual(lookupIds(dir, 'npm', 'evil-pkg'), [MAL_NPM.id]);
  } finally {
    old.close();
    await s2.close();
  }
});

test('bad options are usage errors', async () => {
  await assert.rejects(updateDatabase({ dir: freshDir(), ecosystems: ['../etc'] }), isDbError('DB_USAGE'));
  await assert.rejects(updateDatabase({ dir: freshDir(), ecosystems: [] }), isDbError('DB_USAGE'));
});

test('a damaged installation reads as "no database" or fails lookups clearly, never crashes', async () => {
  const dir = freshDir();
  const s = await serve({ '/npm/all.zip': recordsZip([LODASH]) });
  try {
    await updateDatabase({ source: s.url, dir, ecosystems: ['npm'] });
  } finally {
    await s.close();
  }
  const gen = status(dir)!.generation;
  const genDir = path.join(dir, gen);

  writeFileSync(path.join(genDir, 'npm.index'), 'garbage');
  const db = openDatabase(dir);
  assert.ok(db);
  try {
    assert.throws(() => db.lookup('npm', 'lodash'), isDbError('DB_CORRUPT'));
  } finally {
    db.close();
  }

  rmSync(path.join(genDir, 'npm.records'));
  assert.equal(openDatabase(dir), undefined);
  writeFileSync(path.join(dir, 'CURRENT'), '../../etc\n');
  assert.equal(openDatabase(dir), undefined);
  assert.equal(status(dir), undefined);
  rmSync(path.join(dir, 'CURRENT'));
  assert.equal(openDatabase(dir), undefined);
});

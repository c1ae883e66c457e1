import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { strToU8 } from 'fflate';
import { matchComponent } from '../osv/match.js';
import type { OsvRecord } from '../osv/record.js';
import { recordsZip, serve } from './__fixtures__/archives.js';
import { SecdbFormatError, convertSecdb, secfixIds } from './alpine-secdb.js';
import { AdvisoryDbError } from './errors.js';
import { openDatabase } from './open.js';
import { updateDatabase } from './update.js';

// Hand-written secdb documents (the shape of https://secdb.alpinelinux.org/v3.19/main.json); ids are made up.
const MAIN_319 = {
  apkurl: '{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk',
  archs: ['x86_64'],
  reponame: 'main',
  urlprefix: 'https://dl-cdn.alpinelinux.org/alpine',
  distroversion: 'v3.19',
  packages: [
    {
      pkg: {
        name: 'openssl',
        secfixes: {
          '0': ['CVE-2099-1000'],
          '3.1.4-r0': ['CVE-2099-1001 GHSA-2222-3333-4444', 'CVE-2099-1002 CVE-2099-1003 XSA-999'],
          '3.1.7-r1': ['CVE-2099-1004'],
        },
      },
    },
    { pkg: { name: 'xen', secfixes: { '4.18.0-r1': ['XSA-1000', 'CVE-2099-1005 (SMB only)'] } } },
    { pkg: { name: 'broken', secfixes: { '4.8.0.-r1': ['CVE-2099-1006'] } } },
    { pkg: { name: 'nofixes' } },
  ],
};
const COMMUNITY_319 = {
  ...MAIN_319,
  reponame: 'community',
  packages: [{ pkg: { name: 'py3-jinja2', secfixes: { '3.1.3-r0': ['GHSA-5555-6666-7777'] } } }],
};
const MAIN_318 = {
  ...MAIN_319,
  distroversion: 'v3.18',
  packages: [{ pkg: { name: 'openssl', secfixes: { '3.1.7-r2': ['CVE-2099-1004'] } } }],
};

const range = (fixed: string) => [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }];
const pkg = (name: string, branch = 'v3.19') => ({
  ecosystem: `Alpine:${branch}`,
  name,
  purl: `pkg:apk/alpine/${name}?arch=source`,
});

const tmpRoot = mkdtempSync(path.join(tmpdir(), 'rampart-secdb-'));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;

function secdbFolder(files: Record<string, unknown>): string {
  const dir = path.join(tmpRoot, `src${++n}`);
  for (const [rel, doc] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), typeof doc === 'string' ? doc : JSON.stringify(doc));
  }
  return dir;
}

test('secfix id strings: CVEs each, a lone CVE takes the GHSA as alias, other ids dropped', () => {
  assert.deepEqual(secfixIds('CVE-2099-1001'), [{ id: 'CVE-2099-1001', aliases: [] }]);
  assert.deepEqual(secfixIds('CVE-2099-1001 GHSA-2222-3333-4444'), [
    { id: 'CVE-2099-1001', aliases: ['GHSA-2222-3333-4444'] },
  ]);
  assert.deepEqual(
    secfixIds('CVE-2099-1002 CVE-2099-1003 XSA-999').map((x) => x.id),
    ['CVE-2099-1002', 'CVE-2099-1003'],
  );
  assert.deepEqual(secfixIds('CVE-2099-1005 (SMB only)'), [{ id: 'CVE-2099-1005', aliases: [] }]);
  assert.deepEqual(secfixIds('CVE-2017-17434-1'), [{ id: 'CVE-2017-17434', aliases: [] }]);
  assert.deepEqual(secfixIds('XSA-1000'), []);
  assert.deepEqual(secfixIds('CVE-????-????? XSA-312'), []);
  assert.deepEqual(secfixIds('ALPINE-13661'), []);
  assert.deepEqual(secfixIds('GHSA-5555-6666-7777'), [{ id: 'GHSA-5555-6666-7777', aliases: [] }]);
});

test('convertSecdb: one OSV record per id, introduced 0 → fixed per package and branch, as OSV derives them', () => {
  const c = convertSecdb(MAIN_319);
  assert.equal(c.branch, 'v3.19');
  assert.equal(c.invalidVersions, 1, '4.8.0.-r1 is not an apk version');
  assert.equal(c.ignoredIds, 1, 'XSA-1000');
  assert.equal(c.entries, 6);
  assert.deepEqual([...c.records.keys()].sort(), [
    'ALPINE-CVE-2099-1000',
    'ALPINE-CVE-2099-1001',
    'ALPINE-CVE-2099-1002',
    'ALPINE-CVE-2099-1003',
    'ALPINE-CVE-2099-1004',
    'ALPINE-CVE-2099-1005',
  ]);
  assert.deepEqual(c.records.get('ALPINE-CVE-2099-1001'), {
    id: 'ALPINE-CVE-2099-1001',
    upstream: ['CVE-2099-1001'],
    aliases: ['GHSA-2222-3333-4444'],
    affected: [{ package: pkg('openssl'), ranges: range('3.1.4-r0') }],
    references: [{ type: 'ADVISORY', url: 'https://security.alpinelinux.org/vuln/CVE-2099-1001' }],
  });
  // `0`: never affected in Alpine. OSV writes introduced 0 / fixed 0, which covers no version.
  assert.deepEqual(c.records.get('ALPINE-CVE-2099-1000')?.affected, [
    { package: pkg('openssl'), ranges: range('0') },
  ]);
  assert.deepEqual(c.records.get('ALPINE-CVE-2099-1005')?.affected, [
    { package: pkg('xen'), ranges: range('4.18.0-r1') },
  ]);
});

test('convertSecdb refuses documents that are not secdb files', () => {
  assert.throws(() => convertSecdb([]), SecdbFormatError);
  assert.throws(() => convertSecdb({ ...MAIN_319, distroversion: '../x' }), /distroversion/);
  assert.throws(() => convertSecdb({ ...MAIN_319, packages: {} }), /"packages" is not an array/);
});

test('matching the converted records: a vulnerable version matches, the fixed one and a `0` entry do not', () => {
  const records = [...convertSecdb(MAIN_319).records.values()];
  const db = {
    lookup: (_e: string, name: string): OsvRecord[] =>
      records.filter((r) => r.affected?.some((a) => a.package?.name === name)),
  };
  const at = (version: string, ecosystem = 'Alpine:v3.19') =>
    matchComponent(db, { ecosystem, name: 'openssl', version }).map((m) => [m.id, m.fixed]);
  assert.deepEqual(at('3.1.7-r0'), [['ALPINE-CVE-2099-1004', '3.1.7-r1']]);
  assert.deepEqual(at('3.1.7-r1'), []);
  assert.deepEqual(
    at('3.1.3-r5')
      .map((x) => x[0])
      .sort(),
    ['ALPINE-CVE-2099-1001', 'ALPINE-CVE-2099-1002', 'ALPINE-CVE-2099-1003', 'ALPINE-CVE-2099-1004'],
  );
  assert.deepEqual(at('3.1.7-r0', 'Alpine:v3.18'), [], 'another branch has its own records');
});

test('db update --alpine-secdb from a folder alone: the Alpine ecosystem of the generation, matched per branch', async () => {
  const src = secdbFolder({
    'v3.19/main.json': MAIN_319,
    'v3.19/community.json': COMMUNITY_319,
    'v3.18/main.json': MAIN_318,
    'edge/main.json': MAIN_319,
    'README.txt': 'not a branch',
  });
  const dir = path.join(tmpRoot, `db${++n}`);
  const r = await updateDatabase({ dir, ecosystems: [], alpineSecdb: src });
  assert.deepEqual(Object.keys(r.meta.ecosystems), ['Alpine']);
  assert.equal(r.meta.alpineSecdb, src);
  assert.equal(r.meta.source, src);
  assert.equal(r.records, 7, 'six openssl/xen ids and one GHSA of v3.19/v3.18 (edge left out)');
  assert.match(r.meta.warnings.join('\n'), /v3\.18\/community\.json/);
  const db = openDatabase(dir);
  assert.ok(db);
  try {
    const hit = matchComponent(db, { ecosystem: 'Alpine:v3.18', name: 'openssl', version: '3.1.7-r1' });
    assert.deepEqual(
      hit.map((m) => [m.id, m.aliases, m.fixed]),
      [['ALPINE-CVE-2099-1004', ['CVE-2099-1004'], '3.1.7-r2']],
    );
    const stored = db.lookup('Alpine', 'openssl').find((x) => x.id === 'ALPINE-CVE-2099-1004');
    assert.deepEqual(
      stored?.affected?.map((a) => a.package?.ecosystem),
      ['Alpine:v3.18', 'Alpine:v3.19'],
      'one record, both branches',
    );
    assert.equal(
      matchComponent(db, { ecosystem: 'Alpine:v3.19', name: 'py3-jinja2', version: '3.1.2-r0' })[0]?.id,
      'ALPINE-GHSA-5555-6666-7777',
    );
  } finally {
    db.close();
  }
});

test('db update with an OSV Alpine archive and secdb from HTTP: one record per id, OSV severity, secdb ranges', async () => {
  const osv: OsvRecord & { upstream: string[] } = {
    id: 'ALPINE-CVE-2099-1004',
    upstream: ['CVE-2099-1004'],
    modified: '2024-06-01T00:00:00Z',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    affected: [
      { package: { ecosystem: 'Alpine:v3.19', name: 'openssl' }, ranges: range('3.1.6-r0') },
      { package: { ecosystem: 'Alpine:v3.17', name: 'openssl' }, ranges: range('3.0.15-r1') },
    ],
  };
  const other: OsvRecord = {
    id: 'ALPINE-CVE-2099-2000',
    affected: [{ package: { ecosystem: 'Alpine:v3.19', name: 'curl' }, ranges: range('8.0.0-r0') }],
  };
  const listing = strToU8(
    '<html><a href="../">../</a><a href="v3.19/">v3.19/</a><a href="edge/">edge/</a></html>',
  );
  const server = await serve({
    '/osv/Alpine/all.zip': recordsZip([osv, other]),
    '/secdb/': listing,
    '/secdb/v3.19/main.json': strToU8(JSON.stringify(MAIN_319)),
    '/secdb/v3.19/community.json': strToU8(JSON.stringify(COMMUNITY_319)),
  });
  try {
    const dir = path.join(tmpRoot, `db${++n}`);
    const r = await updateDatabase({
      dir,
      source: `${server.url}/osv`,
      ecosystems: ['Alpine'],
      alpineSecdb: `${server.url}/secdb`,
    });
    assert.equal(r.records, 8, 'two OSV records + six secdb ids, the shared one once');
    assert.equal(r.meta.ecosystems.Alpine?.secdbRecords, 7);
    assert.ok(!server.requests.some((u) => u.includes('edge')));
    const db = openDatabase(dir);
    assert.ok(db);
    try {
      const m = matchComponent(db, { ecosystem: 'Alpine:v3.19', name: 'openssl', version: '3.1.6-r0' });
      assert.deepEqual(
        m.map((x) => [x.id, x.fixed, x.severity]),
        [['ALPINE-CVE-2099-1004', '3.1.7-r1', 'critical']],
        "secdb's fix (3.1.7-r1) replaces OSV's older range for v3.19; OSV's CVSS kept",
      );
      const stored = db.lookup('Alpine', 'openssl').filter((x) => x.id === 'ALPINE-CVE-2099-1004');
      assert.equal(stored.length, 1);
      assert.deepEqual(stored[0]?.affected?.map((a) => a.package?.ecosystem).sort(), [
        'Alpine:v3.17',
        'Alpine:v3.19',
      ]);
      assert.equal(
        matchComponent(db, { ecosystem: 'Alpine:v3.19', name: 'curl', version: '7.0.0-r0' }).length,
        1,
      );
    } finally {
      db.close();
    }
  } finally {
    await server.close();
  }
});

test('malformed, oversized or empty secdb sources fail with a message naming the file; the old generation stays', async () => {
  const dir = path.join(tmpRoot, `db${++n}`);
  const good = secdbFolder({ 'v3.19/main.json': MAIN_319 });
  await updateDatabase({ dir, ecosystems: [], alpineSecdb: good });
  const before = openDatabase(dir)!.generation;

  const bad = secdbFolder({
    'v3.19/main.json': MAIN_319,
    'v3.20/main.json': '{"distroversion": "v3.20", "packages": [',
  });
  await assert.rejects(
    updateDatabase({ dir, ecosystems: [], alpineSecdb: bad }),
    (e: unknown) =>
      e instanceof AdvisoryDbError &&
      e.code === 'DB_ARCHIVE_INVALID' &&
      e.message.includes(path.join('v3.20', 'main.json')) &&
      /not valid JSON/.test(e.message),
  );
  const wrong = secdbFolder({ 'v3.20/main.json': MAIN_319 });
  await assert.rejects(
    updateDatabase({ dir, ecosystems: [], alpineSecdb: wrong }),
    /describes v3\.19, not v3\.20/,
  );
  await assert.rejects(
    updateDatabase({ dir, ecosystems: [], alpineSecdb: good, secdbLimits: { maxFileBytes: 100 } }),
    (e: unknown) =>
      e instanceof AdvisoryDbError &&
      e.code === 'DB_ARCHIVE_INVALID' &&
      /over the 100-byte cap/.test(e.message),
  );
  await assert.rejects(
    updateDatabase({ dir, ecosystems: [], alpineSecdb: secdbFolder({ 'edge/main.json': MAIN_319 }) }),
    (e: unknown) => e instanceof AdvisoryDbError && e.code === 'DB_SOURCE_EMPTY',
  );
  await assert.rejects(
    updateDatabase({ dir, ecosystems: [], alpineSecdb: path.join(tmpRoot, 'nope') }),
    (e: unknown) => e instanceof AdvisoryDbError && e.code === 'DB_DOWNLOAD_FAILED',
  );
  assert.equal(openDatabase(dir)!.generation, before);
});

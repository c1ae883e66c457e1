import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { updateDatabase } from '../../deps/db/index.js';
import { configOf, dockerArchive, layer, type TEntry } from '../read/test-fixtures.js';
import { scanImage } from './index.js';

// An Alpine 3.19 image assembled here: apk database with a vulnerable libcrypto3 (origin openssl), a
// fixed libssl3 (same origin), busybox listed under secdb's `0` ("never affected"), and musl with an
// advisory that has no fix yet. Advisories: a secdb folder and an OSV Alpine archive written here
// (made-up ids).
const OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.4\nPRETTY_NAME="Alpine Linux v3.19"\n';
const apkRecord = (p: string, v: string, o: string) =>
  `C:Q1x=\nP:${p}\nV:${v}\nA:x86_64\no:${o}\nL:Apache-2.0\n`;
const INSTALLED = [
  apkRecord('libcrypto3', '3.1.7-r0', 'openssl'),
  apkRecord('libssl3', '3.1.7-r1', 'openssl'),
  apkRecord('busybox', '1.36.1-r19', 'busybox'),
  apkRecord('musl', '1.2.4_git20230717-r4', 'musl'),
].join('\n');
const SECDB = (branch: string, packages: unknown[]) => ({
  distroversion: branch,
  reponame: 'main',
  urlprefix: 'https://dl-cdn.alpinelinux.org/alpine',
  apkurl: '{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk',
  packages,
});
const NO_FIX = {
  id: 'ALPINE-CVE-2099-3000',
  upstream: ['CVE-2099-3000'],
  summary: 'musl: test advisory without a fix',
  affected: [
    {
      package: { ecosystem: 'Alpine:v3.19', name: 'musl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
    },
  ],
};

const tmp = mkdtempSync(path.join(tmpdir(), 'rampart-image-scan-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const dbDir = path.join(tmp, 'db');

async function archive(name: string, entries: TEntry[], config: Record<string, unknown>): Promise<string> {
  const l = await layer(entries);
  const file = path.join(tmp, `${name}.docker.tar`);
  writeFileSync(file, await dockerArchive([l], { config: configOf([l], config) }));
  return file;
}

const alpineFiles: TEntry[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/os-release', data: OS_RELEASE },
  { name: 'etc/alpine-release', data: '3.19.4\n' },
  { name: 'lib/apk/db/installed', data: INSTALLED },
];
const history = [
  { created_by: '/bin/sh -c #(nop) ADD file:0123abcd in / ' },
  { created_by: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer: true },
  { created_by: 'RUN /bin/sh -c apk add curl # buildkit' },
  { created_by: 'EXPOSE map[22/tcp:{}]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
];

before(async () => {
  const secdb = path.join(tmp, 'secdb');
  mkdirSync(path.join(secdb, 'v3.19'), { recursive: true });
  mkdirSync(path.join(secdb, 'v3.18'), { recursive: true });
  writeFileSync(
    path.join(secdb, 'v3.19', 'main.json'),
    JSON.stringify(
      SECDB('v3.19', [
        { pkg: { name: 'openssl', secfixes: { '3.1.7-r1': ['CVE-2099-1004'], '0': ['CVE-2099-1000'] } } },
        { pkg: { name: 'busybox', secfixes: { '0': ['CVE-2099-2000'], '1.36.1-r19': ['CVE-2099-2001'] } } },
      ]),
    ),
  );
  // Another branch fixes a CVE later: must not apply to a v3.19 image.
  writeFileSync(
    path.join(secdb, 'v3.18', 'main.json'),
    JSON.stringify(
      SECDB('v3.18', [{ pkg: { name: 'busybox', secfixes: { '1.36.1-r30': ['CVE-2099-2002'] } } }]),
    ),
  );
  const osv = path.join(tmp, 'osv');
  mkdirSync(path.join(osv, 'Alpine'), { recursive: true });
  writeFileSync(
    path.join(osv, 'Alpine', 'all.zip'),
    zipSync({ [`${NO_FIX.id}.json`]: strToU8(JSON.stringify(NO_FIX)) }),
  );
  await updateDatabase({ dir: dbDir, source: osv, ecosystems: ['Alpine'], alpineSecdb: secdb });
});

test('rampart image on an Alpine image: apk packages matched by origin and branch against secdb and OSV records', async () => {
  const file = await archive('alpine', alpineFiles, { history, config: { ExposedPorts: { '22/tcp': {} } } });
  const warnings: string[] = [];
  const r = await scanImage(file, { scanners: ['vuln', 'config'], dbDir, warn: (m) => warnings.push(m) });
  assert.equal(r.os?.osvEcosystem, 'Alpine:v3.19');
  const vulns = r.findings
    .filter((f) => f.ruleId.startsWith('deps/'))
    .map((f) => [
      f.package?.name,
      f.properties?.vulnerabilityId,
      f.properties?.fixedVersion,
      f.properties?.fixStatus,
    ])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  assert.deepEqual(vulns, [
    ['libcrypto3', 'ALPINE-CVE-2099-1004', '3.1.7-r1', 'fixed'],
    ['musl', 'ALPINE-CVE-2099-3000', undefined, 'no-fix-yet'],
  ]);
  const crypto = r.findings.find((f) => f.package?.name === 'libcrypto3');
  assert.deepEqual(crypto?.properties?.aliases, ['CVE-2099-1004']);
  assert.match(crypto?.message ?? '', /3\.1\.7-r0 → 3\.1\.7-r1/);
  const musl = r.findings.find((f) => f.package?.name === 'musl');
  assert.match(musl?.message ?? '', /no fixed version yet/);
  assert.deepEqual(warnings, []);

  // Config: the Dockerfile rules on the reconstructed history, base image (ADD file: in /) skipped.
  const config = r.findings
    .filter((f) => f.ruleId.startsWith('misconfig/'))
    .map((f) => f.ruleId)
    .sort();
  assert.deepEqual(config, [
    'misconfig/docker-apk-no-cache',
    'misconfig/docker-no-healthcheck',
    'misconfig/docker-port-22',
    'misconfig/docker-root-user',
  ]);
  const root = r.findings.find((f) => f.ruleId === 'misconfig/docker-root-user');
  assert.equal(root?.message, 'the image sets no USER: it runs as root');
  assert.equal(root?.scanner, 'image');
  assert.deepEqual(root?.resource, { kind: 'Image', name: 'docker.io/test/app:latest' });
  assert.deepEqual(root?.equivalents, { trivy: ['DS002'] });
  assert.equal(
    r.findings.find((f) => f.ruleId === 'misconfig/docker-apk-no-cache')?.properties?.historyIndex,
    2,
  );
  assert.ok(r.rules.some((x) => x.id === 'misconfig/docker-root-user' && x.scanner === 'image'));
});

test('a hardened config has no config findings; USER root and HEALTHCHECK NONE are reported', async () => {
  const good = await archive('good', alpineFiles, {
    history,
    config: { User: '65532', Healthcheck: { Test: ['CMD-SHELL', 'wget -q -O- localhost/health'] } },
  });
  const clean = await scanImage(good, { scanners: ['config'], warn: () => {} });
  assert.deepEqual(
    clean.findings.map((f) => f.ruleId),
    ['misconfig/docker-apk-no-cache'],
  );
  const bad = await archive('bad', alpineFiles, {
    history: history.slice(0, 2),
    config: { User: 'root', Healthcheck: { Test: ['NONE'] } },
  });
  const r = await scanImage(bad, { scanners: ['config'], warn: () => {} });
  assert.deepEqual(r.findings.map((f) => [f.ruleId, f.message]).sort(), [
    ['misconfig/docker-no-healthcheck', 'HEALTHCHECK is disabled (NONE)'],
    ['misconfig/docker-root-user', 'the image runs as USER root'],
  ]);
});

test('without os-release the apk packages are not matched against every branch, with one warning', async () => {
  const file = await archive(
    'no-os',
    alpineFiles.filter((e) => !e.name.startsWith('etc/')),
    { history },
  );
  const warnings: string[] = [];
  const r = await scanImage(file, { scanners: ['vuln'], dbDir, warn: (m) => warnings.push(m) });
  assert.equal(r.components.filter((c) => c.ecosystem === 'Alpine').length, 4);
  assert.deepEqual(r.findings, []);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^Alpine packages not matched: the image's release is unknown/);
});

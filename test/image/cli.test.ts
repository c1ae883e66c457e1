import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { runCli, tempDir } from '../helpers.js';
import { configOf, dockerArchive, layer } from '../../src/image/read/test-fixtures.js';
import { validateSbom } from '../../src/sbom/validate.js';
import { tokenChars } from '../git/fixture.js';

// A two-layer image: Debian-style dpkg database, an npm lockfile, and a credential file that the
// second layer deletes (a whiteout) — it must still be reported, with the layer that added it.
const AWS_ID = `AKIA${tokenChars(7, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`;
const STATUS = [
  'Package: libssl3',
  'Status: install ok installed',
  'Architecture: amd64',
  'Source: openssl',
  'Version: 3.0.11-1~deb12u2',
  '',
  'Package: base-files',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 12.4+deb12u5',
  '',
].join('\n');
const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\nVERSION_CODENAME=bookworm\n';
const LOCK = JSON.stringify({
  name: 'app',
  lockfileVersion: 3,
  packages: {
    '': { name: 'app', dependencies: { lodash: '^4.17.15' } },
    'node_modules/lodash': { version: '4.17.15' },
  },
});

const tmp = tempDir('rampart-image-cli-');
const archive = path.join(tmp.dir, 'app.docker.tar');
const dbDir = path.join(tmp.dir, 'db');

before(async () => {
  const l1 = await layer([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/os-release', data: OS_RELEASE },
    { name: 'var/lib/dpkg/status', data: STATUS },
    { name: 'app/package-lock.json', data: LOCK },
    { name: 'app/deploy.env', data: `AWS_ACCESS_KEY_ID=${AWS_ID}\n` },
  ]);
  const l2 = await layer([{ name: 'app/.wh.deploy.env', data: '' }]);
  const config = configOf([l1, l2], { config: { Env: ['PATH=/usr/bin'] } });
  writeFileSync(archive, await dockerArchive([l1, l2], { config, repoTags: ['test/app:1.0'] }));
  // Advisories in the OSV bucket layout: a Debian source-package record and an npm record (made up ids).
  const adv = path.join(tmp.dir, 'advisories');
  const put = (eco: string, rec: object) => {
    mkdirSync(path.join(adv, eco), { recursive: true });
    writeFileSync(
      path.join(adv, eco, 'all.zip'),
      zipSync({ [`${(rec as { id: string }).id}.json`]: strToU8(JSON.stringify(rec)) }),
    );
  };
  put('Debian', {
    id: 'DSA-TEST-0001',
    summary: 'openssl: test advisory',
    modified: '2024-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
      },
    ],
  });
  put('npm', {
    id: 'GHSA-test-lodash-img1',
    summary: 'lodash test advisory',
    modified: '2024-01-01T00:00:00Z',
    database_specific: { severity: 'HIGH' },
    affected: [
      {
        package: { ecosystem: 'npm', name: 'lodash' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
      },
    ],
  });
  const r = runCli(['db', 'update', '--source', adv, '--db-dir', dbDir, '--ecosystems', 'Debian,npm']);
  assert.equal(r.status, 0, r.stderr);
});
after(() => tmp.cleanup());

interface JsonReport {
  findings: {
    ruleId: string;
    message: string;
    location?: { path: string; layer?: string };
    package?: { name: string; version: string };
  }[];
}

test('rampart image: OS and lockfile vulnerabilities, the deleted secret with its layer, config checks', () => {
  const r = runCli(['image', '--db-dir', dbDir, '--format', 'json', archive]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  const ids = report.findings.map((f) => f.ruleId);
  const ssl = report.findings.find((f) => f.ruleId === 'deps/DSA-TEST-0001');
  assert.ok(ssl, JSON.stringify(ids));
  assert.equal(ssl.package?.name, 'libssl3', 'reported on the binary package, matched by its source package');
  assert.match(ssl.message, /→ 3\.0\.13-1~deb12u1/);
  assert.ok(ids.includes('deps/GHSA-test-lodash-img1'));
  assert.ok(!report.findings.some((f) => f.package?.name === 'base-files'));
  const secret = report.findings.find((f) => f.ruleId.startsWith('secret/aws'));
  assert.ok(secret, 'the secret deleted by a later layer is still in the image');
  assert.equal(secret.location?.path, 'app/deploy.env');
  assert.match(secret.location?.layer ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.ok(!r.stdout.includes(AWS_ID), 'the secret is masked');
  assert.ok(ids.includes('misconfig/docker-no-healthcheck') && ids.includes('misconfig/docker-root-user'));
});

test('rampart image --format cyclonedx: the image SBOM validates and lists OS and npm packages', () => {
  const out = path.join(tmp.dir, 'image.cdx.json');
  const r = runCli(['image', '--format', 'cyclonedx', '-o', out, archive]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { components: { purl: string }[] };
  assert.deepEqual(validateSbom('cyclonedx', doc), []);
  const purls = doc.components.map((c) => c.purl);
  assert.ok(
    purls.some((p) => p.startsWith('pkg:deb/debian/libssl3@3.0.11-1~deb12u2')),
    purls.join(' '),
  );
  assert.ok(purls.includes('pkg:npm/lodash@4.17.15'));
});

test('rampart image: a hostile or missing archive is one clear line, exit 2', () => {
  const bad = path.join(tmp.dir, 'bad.tar');
  writeFileSync(bad, 'not a tar at all');
  const r = runCli(['image', bad]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^rampart: /);
  assert.ok(!r.stderr.includes('    at '));
  assert.equal(runCli(['image', path.join(tmp.dir, 'nope.tar')]).status, 2);
});

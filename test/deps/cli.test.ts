import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { TestRepo } from '../git/fixture.js';
import { validateSbom } from '../../src/sbom/validate.js';
import { runSarifMultitool } from '../../src/report/__fixtures__/sarif-validate.js';
import { packageLock, writeAdvisoryFolder, writeProject } from './fixture.js';

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  location: { path: string; startLine: number };
  package?: { name: string; version: string };
  suppressed?: { kind: string; reason?: string };
  properties?: Record<string, unknown>;
}
interface JsonReport {
  findings: JsonFinding[];
  warnings: string[];
  skipped: { path: string; reason: string; detail?: string }[];
}

const tmp = tempDir('rampart-deps-cli-');
const advisories = path.join(tmp.dir, 'advisories');
const dbDir = path.join(tmp.dir, 'db');
const project = path.join(tmp.dir, 'project');

before(() => {
  writeAdvisoryFolder(advisories);
  writeProject(project);
  const r = runCli(['db', 'update', '--source', advisories, '--db-dir', dbDir, '--ecosystems', 'npm,PyPI']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /imported 4 advisories \(npm 3, PyPI 1\)/);
});
after(() => tmp.cleanup());

function scan(args: string[], cwd?: string): JsonReport {
  const r = runCli(
    ['scan', '--scanners', 'deps', '--db-dir', dbDir, '--format', 'json', ...args],
    cwd ? { cwd } : {},
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as JsonReport;
}

test('db status prints the source, freshness and counts', () => {
  const r = runCli(['db', 'status', '--db-dir', dbDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`source: +${advisories.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(r.stdout, /records: +4 in 2 ecosystems/);
  assert.match(r.stdout, /npm +3 records/);
});

test('one finding per vulnerable component at its lockfile line, installed → fixed; malware worded as such', () => {
  const report = scan([project]);
  const byRule = new Map(report.findings.map((f) => [f.ruleId, f]));
  const lodash = byRule.get('deps/GHSA-test-lodash-pp01');
  assert.ok(lodash, JSON.stringify(report.findings.map((f) => f.ruleId)));
  assert.equal(lodash.severity, 'critical', 'CVSS 3.1 base 9.8');
  assert.equal(lodash.location.path, 'web/package-lock.json');
  const lockLines = readFileSync(path.join(project, 'web/package-lock.json'), 'utf8').split('\n');
  assert.match(lockLines[lodash.location.startLine - 1]!, /"node_modules\/lodash"/);
  assert.match(lodash.message, /lodash 4\.17\.15 → 4\.17\.21/);
  assert.equal(lodash.properties?.fixedVersion, '4.17.21');

  const mal = byRule.get('deps/MAL-2099-0007');
  assert.ok(mal);
  assert.equal(mal.severity, 'critical');
  assert.match(mal.message, /known malware/);

  const django = byRule.get('deps/PYSEC-2099-11') ?? byRule.get('deps/GHSA-test-django-0001');
  assert.ok(django, 'aliases merged into one finding');
  assert.equal(report.findings.filter((f) => f.package?.name === 'Django').length, 1);
  assert.match(django.message, /3\.2\.5 → 3\.2\.19/);
  assert.ok(!report.findings.some((f) => f.package?.name === 'requests'));
  assert.ok(!report.findings.some((f) => f.package?.name === 'minimist'));
});

test('a malformed lockfile is a warning naming file and line; an unsupported one is listed as skipped', () => {
  const report = scan([project]);
  assert.ok(
    report.warnings.some((w) => /^php\/composer\.lock:3: /.test(w)),
    JSON.stringify(report.warnings),
  );
  assert.ok(!report.findings.some((f) => f.location.path.startsWith('php/')));
  const pod = report.skipped.find((s) => s.path === 'ios/Podfile.lock');
  assert.equal(pod?.reason, 'unsupported');
  assert.match(pod?.detail ?? '', /CocoaPods/);
});

test('licence policy: denied ids are findings unless an alternative avoids them', () => {
  const cfg = path.join(tmp.dir, 'rampart.yaml');
  writeFileSync(cfg, 'deps:\n  license-deny: [GPL-3.0-only]\n');
  const report = scan(['--config', cfg, project]);
  const lic = report.findings.filter((f) => f.ruleId === 'deps/license-denied');
  assert.deepEqual(
    lic.map((f) => f.package?.name),
    ['gpl-thing'],
  );
  assert.equal(lic[0]!.severity, 'high');
});

test('OpenVEX not_affected suppresses a finding; --show-suppressed shows it with the justification', () => {
  const vex = path.join(tmp.dir, 'vex.json');
  writeFileSync(
    vex,
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      statements: [
        {
          vulnerability: { name: 'CVE-2099-1001' },
          products: [{ '@id': 'pkg:npm/lodash@4.17.15' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    }),
  );
  const hidden = scan(['--vex', vex, project]);
  assert.ok(!hidden.findings.some((f) => f.ruleId === 'deps/GHSA-test-lodash-pp01'));
  const shown = scan(['--vex', vex, '--show-suppressed', project]);
  const f = shown.findings.find((x) => x.ruleId === 'deps/GHSA-test-lodash-pp01');
  assert.equal(f?.suppressed?.kind, 'vex');
  assert.match(f?.suppressed?.reason ?? '', /not_affected: vulnerable_code_not_in_execute_path/);
});

test('an inline rampart:ignore comment on a lockfile line suppresses the finding (cross-file findings honour it too)', () => {
  const dir = path.join(tmp.dir, 'inline');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'requirements.txt'),
    'Django==3.2.5  # rampart:ignore PYSEC-2099-11 -- not deployed\n',
  );
  const report = scan(['--show-suppressed', dir]);
  const f = report.findings.find((x) => x.package?.name === 'Django');
  assert.equal(f?.suppressed?.kind, 'inline', JSON.stringify(report.findings));
  assert.match(f?.suppressed?.reason ?? '', /not deployed/);
  assert.equal(scan([dir]).findings.length, 0);
});

test('a database older than deps.db-max-age-days gives a warning, not a failure', () => {
  const stale = path.join(tmp.dir, 'stale-db');
  const r = runCli(['db', 'update', '--source', advisories, '--db-dir', stale, '--ecosystems', 'npm']);
  assert.equal(r.status, 0, r.stderr);
  const meta = path.join(stale, readFileSync(path.join(stale, 'CURRENT'), 'utf8').trim(), 'meta.json');
  const doc = JSON.parse(readFileSync(meta, 'utf8')) as { updatedAt: string };
  doc.updatedAt = new Date(Date.now() - 30 * 86_400_000).toISOString();
  writeFileSync(meta, JSON.stringify(doc));
  const out = runCli(['scan', '--scanners', 'deps', '--db-dir', stale, '--format', 'json', project]);
  assert.equal(out.status, 0, out.stderr);
  const report = JSON.parse(out.stdout) as JsonReport;
  assert.ok(
    report.warnings.some((w) => /advisory database is 30 days old \(over 7\)/.test(w)),
    JSON.stringify(report.warnings),
  );
  assert.ok(report.findings.some((f) => f.ruleId === 'deps/GHSA-test-lodash-pp01'));
});

test('no database: one clear line with the command to create it, exit 2', () => {
  const r = runCli(['scan', '--scanners', 'deps', '--db-dir', path.join(tmp.dir, 'nothing'), project]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^rampart: no advisory database in .*nothing: create it with `rampart db update`/);
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');
  const bad = runCli([
    'db',
    'update',
    '--source',
    path.join(tmp.dir, 'missing-source'),
    '--db-dir',
    path.join(tmp.dir, 'db2'),
  ]);
  assert.equal(bad.status, 2);
  assert.equal(
    bad.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('rampart: db update')).length,
    1,
    bad.stderr,
  );
});

test('SARIF of a deps scan passes the official validator', (t) => {
  const r = runCli(['scan', '--scanners', 'deps', '--db-dir', dbDir, '--format', 'sarif', project]);
  assert.equal(r.status, 0, r.stderr);
  const sarif = JSON.parse(r.stdout) as {
    runs: { tool: { driver: { rules: { id: string }[] } }; results: unknown[] }[];
  };
  assert.ok(sarif.runs[0]!.tool.driver.rules.some((x) => x.id === 'deps/GHSA-test-lodash-pp01'));
  const verdict = runSarifMultitool(r.stdout);
  if (!verdict) return t.skip('SARIF multitool not available on this platform');
  assert.deepEqual(verdict.errors, []);
});

test('rampart sbom writes CycloneDX 1.6 and SPDX 2.3 that validate against the shipped schemas', () => {
  for (const format of ['cyclonedx', 'spdx'] as const) {
    const out = path.join(tmp.dir, `sbom.${format}.json`);
    const r = runCli(['sbom', '--format', format, '-o', out, project]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(out));
    const doc = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(validateSbom(format, doc), []);
    const text = JSON.stringify(doc);
    for (const purl of ['pkg:npm/lodash@4.17.15', 'pkg:pypi/django@3.2.5', 'pkg:pypi/requests@2.31.0'])
      assert.ok(text.includes(purl), purl);
    assert.match(r.stderr, /composer\.lock:3/, 'parse problems are reported on stderr');
  }
});

test('--diff-base: dependency review reports only what the branch adds or changes', () => {
  const repo = new TestRepo('rampart-deps-review-');
  try {
    repo.write(
      'package-lock.json',
      packageLock({ lodash: { version: '4.17.15' }, minimist: { version: '1.2.8' } }),
    );
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write(
      'package-lock.json',
      packageLock({
        lodash: { version: '4.17.15' },
        minimist: { version: '1.2.5' },
        'evil-pkg': { version: '1.0.0' },
      }),
    );
    repo.write('README.md', 'uncommitted lockfile changes are not part of the review\n');
    repo.commit('add and downgrade');
    const report = scan(['--diff-base', 'main', repo.dir]);
    const ids = report.findings.map((f) => `${f.ruleId} ${f.package?.name}@${f.package?.version}`).sort();
    assert.deepEqual(ids, ['deps/GHSA-test-minimist-01 minimist@1.2.5', 'deps/MAL-2099-0007 evil-pkg@1.0.0']);
    // The full scan of the same tree still reports the pre-existing lodash finding.
    assert.ok(scan([repo.dir]).findings.some((f) => f.package?.name === 'lodash'));
  } finally {
    repo.cleanup();
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import { SEVERITIES, securitySeverityScore } from '../core/severity.js';
import { sampleReport } from './__fixtures__/report.js';
import { formatAjvErrors, runSarifMultitool, sarifSchemaValidator } from './__fixtures__/sarif-validate.js';
import {
  GITHUB_MAX_RESULTS,
  RAMPART_FINGERPRINT_KEY,
  cweTag,
  renderSarif,
  ruleName,
  sarifLevel,
  toSarif,
} from './sarif.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- walking parsed SARIF

function parsed(report: ScanReport, srcRoot?: string): Json {
  return JSON.parse(renderSarif(report, srcRoot ? { srcRoot } : {})) as Json;
}

test('SARIF output validates against the OASIS SARIF 2.1.0 schema', () => {
  const validate = sarifSchemaValidator();
  for (const log of [parsed(sampleReport(), '/tmp/scan root'), parsed(sampleReport())]) {
    assert.equal(validate(log), true, formatAjvErrors(validate.errors));
  }
});

test('the schema validator rejects what SARIF forbids (it is really checking)', () => {
  const validate = sarifSchemaValidator();
  const log = parsed(sampleReport());
  log.runs[0].results[0].level = 'critical';
  delete log.runs[0].tool.driver.name;
  assert.equal(validate(log), false);
  const text = formatAjvErrors(validate.errors);
  assert.match(text, /\/runs\/0\/results\/0\/level/);
  assert.match(text, /missingProperty":"name"/);
});

test('tool.driver and rules carry what GitHub code scanning reads', () => {
  const run = parsed(sampleReport()).runs[0];
  assert.equal(run.tool.driver.name, 'Rampart');
  assert.equal(run.tool.driver.version, '0.1.0');
  assert.equal(run.tool.driver.semanticVersion, '0.1.0');
  assert.match(run.tool.driver.informationUri, /^https:\/\//);
  const rules: Json[] = run.tool.driver.rules;
  assert.deepEqual(
    rules.map((r) => r.id),
    ['secret/github-pat', 'secret/generic-api-key', 'deps/GHSA-xxxx-yyyy-zzzz', 'misconfig/k8s-privileged'],
  );
  const pat = rules[0]!;
  assert.equal(pat.name, 'SecretGithubPat');
  assert.equal(pat.shortDescription.text, 'GitHub personal access token.');
  assert.match(pat.fullDescription.text, /classic personal access token/);
  assert.match(pat.help.markdown, /\*\*GitHub personal access token\*\*/);
  assert.doesNotMatch(pat.help.text, /\*\*|`/);
  assert.equal(pat.defaultConfiguration.level, 'error');
  assert.equal(pat.properties.precision, 'very-high');
  assert.equal(pat.properties['security-severity'], '9.5');
  assert.deepEqual(pat.properties.tags, ['security', 'secret', 'external/cwe/cwe-798']);
  assert.deepEqual(pat.properties.equivalents, { gitleaks: ['github-pat'], trivy: ['github-pat'] });
  assert.deepEqual(pat.properties['trivy-ids'], ['github-pat']);
  assert.deepEqual(pat.properties['gitleaks-ids'], ['github-pat']);
  // The rule of the package finding was not in report.rules: it is synthesised from the finding.
  const deps = rules[2]!;
  assert.equal(deps.name, 'DepsGhsaXxxxYyyyZzzz');
  assert.equal(deps.properties['security-severity'], '8.0');
  assert.deepEqual(deps.properties.tags, ['security', 'deps', 'external/cwe/cwe-1321']);
  for (const r of rules) {
    assert.notEqual(r.name, r.id);
    assert.match(r.properties['security-severity'], /^\d+\.\d$/);
  }
});

test('results: ruleIndex, level, repo-relative URI, region, fingerprints, suppression, commit', () => {
  const report = sampleReport();
  const run = parsed(report, '/repo').runs[0];
  const rules: Json[] = run.tool.driver.rules;
  const results: Json[] = run.results;
  assert.equal(results.length, report.findings.length);
  results.forEach((r, i) => {
    assert.equal(rules[r.ruleIndex]!.id, r.ruleId);
    assert.equal(r.level, sarifLevel(report.findings[i]!.severity));
    assert.equal(r.fingerprints[RAMPART_FINGERPRINT_KEY], report.findings[i]!.fingerprint);
    assert.match(r.partialFingerprints.primaryLocationLineHash, /^[0-9a-f]{16}:1$/);
    assert.match(r.message.text, /[.!?]$/);
  });

  const [pat, generic, deps, misconfig] = results as [Json, Json, Json, Json];
  assert.deepEqual(pat.locations[0].physicalLocation, {
    artifactLocation: { uri: 'src/config/settings.py', uriBaseId: '%SRCROOT%' },
    region: { startLine: 12, startColumn: 15, endLine: 12, endColumn: 55 },
  });
  assert.deepEqual(pat.properties.commit, {
    sha: '0123456789abcdef0123456789abcdef01234567',
    author: 'Dev One',
    date: '2024-03-01T10:00:00Z',
  });
  assert.equal(pat.properties.evidence, 'ghp_…(40)');
  assert.equal(pat.suppressions, undefined);

  // Hostile path: percent-encoded per segment, decodes back to the original path.
  const uri: string = generic.locations[0].physicalLocation.artifactLocation.uri;
  assert.doesNotMatch(uri, /[\s<>"#?\u001b]/);
  assert.equal(uri.split('/').map(decodeURIComponent).join('/'), report.findings[1]!.location!.path);
  // An empty one-line range keeps its start but no inconsistent end column.
  assert.deepEqual(generic.locations[0].physicalLocation.region, {
    startLine: 3,
    startColumn: 9,
    endLine: 3,
  });
  assert.deepEqual(generic.suppressions, [
    {
      kind: 'inSource',
      status: 'accepted',
      justification: 'test fixture, not a real key',
      properties: { rampartKind: 'inline', source: 'weird dir/x.env:3' },
    },
  ]);

  assert.deepEqual(deps.locations[0].physicalLocation, {
    artifactLocation: { uri: 'package-lock.json', uriBaseId: '%SRCROOT%' },
    region: { startLine: 240 },
  });
  // No file at all: a logical location, because GitHub requires a location on every result.
  assert.deepEqual(misconfig.locations, [
    { logicalLocations: [{ name: 'web', fullyQualifiedName: 'prod/Deployment/web', kind: 'resource' }] },
  ]);

  assert.deepEqual(run.originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///repo/' } });
  assert.equal(run.invocations[0].executionSuccessful, true);
  const notes: string[] = run.invocations[0].toolExecutionNotifications.map((n: Json) => n.message.text);
  assert.ok(
    notes.includes('vendor/min.js: secret scan stopped at the per-file time budget; results may be partial.'),
  );
  assert.ok(notes.some((t) => /13 files skipped \(binary 2, too-large 1, ignored 10\)/.test(t)));
});

test('primaryLocationLineHash is independent of the line and of the secret, distinct per finding', () => {
  const a = sampleReport().findings[0]!;
  const moved: Finding = {
    ...a,
    location: { ...a.location!, startLine: 99, endLine: 99 },
    evidence: 'ghp_…(40)',
  };
  const other: Finding = { ...a, fingerprint: `${a.fingerprint.slice(0, -1)}0` };
  const hash = (f: Finding) =>
    toSarif({ ...sampleReport(), findings: [f] }).runs[0]!.results[0]!.partialFingerprints
      .primaryLocationLineHash;
  assert.equal(hash(moved), hash(a));
  assert.notEqual(hash(other), hash(a));
});

test('a Trivy-parity scorer finds the equivalent ids where score-iac.py looks (rule or result properties)', () => {
  // Same normalisation as ../shared/tools/score-iac.py: KSV017, KSV-017, AVD-KSV-0017 → KSV-17.
  const ID = /\b(?:AVD-)?([A-Z]{2,4})-?(\d{3,4})\b/g;
  const strings = (o: unknown): string[] =>
    typeof o === 'string'
      ? [o]
      : Array.isArray(o)
        ? o.flatMap(strings)
        : o && typeof o === 'object'
          ? Object.values(o).flatMap(strings)
          : [];
  const run = parsed(sampleReport()).runs[0];
  const result = run.results.find((r: Json) => r.ruleId === 'misconfig/k8s-privileged');
  const rule = run.tool.driver.rules[result.ruleIndex];
  const ids = new Set<string>();
  for (const s of [...strings(rule.properties), ...strings(result.properties)]) {
    for (const m of s.matchAll(ID)) ids.add(`${m[1]}-${Number(m[2])}`);
  }
  assert.ok(ids.has('KSV-17'), [...ids].join(','));
});

test('severity → level and security-severity follow GitHub’s bands', () => {
  const expected = {
    critical: ['error', 9],
    high: ['error', 7],
    medium: ['warning', 4],
    low: ['note', 0.1],
    info: ['note', 0],
  } as const;
  for (const s of SEVERITIES) {
    assert.equal(sarifLevel(s), expected[s][0]);
    const score = Number(securitySeverityScore(s));
    assert.ok(score >= expected[s][1], `${s}: ${score}`);
  }
  assert.ok(Number(securitySeverityScore('high')) < 9 && Number(securitySeverityScore('medium')) < 7);
  assert.equal(cweTag('CWE-798'), 'external/cwe/cwe-798');
  assert.equal(cweTag('cwe-22 '), 'external/cwe/cwe-22');
  assert.equal(cweTag('NVD-CWE-Other'), undefined);
  assert.equal(ruleName('secret/aws-access-key-id'), 'SecretAwsAccessKeyId');
});

test('more results than GitHub accepts: truncated to 25,000 with a notification', () => {
  const base = sampleReport();
  const f0 = base.findings[0]!;
  const findings: Finding[] = Array.from({ length: GITHUB_MAX_RESULTS + 7 }, (_, i) => ({
    ...f0,
    location: { ...f0.location!, startLine: i + 1, endLine: i + 1 },
    fingerprint: `${i}`.padStart(32, '0'),
  }));
  const run = toSarif({ ...base, findings }).runs[0]!;
  assert.equal(run.results.length, GITHUB_MAX_RESULTS);
  const texts = run.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text);
  assert.ok(
    texts.some((t) => t.startsWith(`SARIF output truncated: 7 of ${GITHUB_MAX_RESULTS + 7} results omitted`)),
    texts.join('\n'),
  );
  const small = toSarif({ ...base, findings: findings.slice(0, 5) }, { maxResults: 3 }).runs[0]!;
  assert.equal(small.results.length, 3);
});

test('the official SARIF validator (sarif-multitool, SARIF + GitHub rules) reports no error or warning', (t) => {
  const verdict = runSarifMultitool(renderSarif(sampleReport(), { srcRoot: '/tmp/scan root' }));
  if (!verdict) {
    t.skip('no SARIF validator: set SARIF_MULTITOOL (the devDependency ships only a linux-x64 binary)');
    return;
  }
  assert.deepEqual(verdict.errors, []);
  assert.deepEqual(verdict.warnings, []);
  const empty: ScanReport = { ...sampleReport(), findings: [], rules: [], warnings: [], skipped: [] };
  assert.deepEqual(runSarifMultitool(renderSarif(empty))!.errors, []);
  // The harness really sees the validator's errors: a result without a location breaks GitHub's rules.
  const broken = parsed(sampleReport());
  delete broken.runs[0].results[0].locations;
  assert.ok(runSarifMultitool(JSON.stringify(broken))!.errors.some((e) => e.startsWith('GH')));
});

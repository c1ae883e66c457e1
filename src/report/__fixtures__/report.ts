import type { Finding, RuleDescriptor } from '../../core/finding.js';
import { fingerprintOf } from '../../core/fingerprint.js';
import type { ScanReport } from '../../core/report.js';

/**
 * A scan report with the awkward cases every reporter must survive: a commit, an inline-suppressed
 * finding, a hostile path (spaces, XML/HTML metacharacters, non-ASCII, an ANSI escape), a package
 * finding whose rule the report does not describe, a resource finding with no file at all, and an
 * empty one-line range.
 */
export function sampleReport(): ScanReport {
  const githubPat: RuleDescriptor = {
    id: 'secret/github-pat',
    scanner: 'secret',
    title: 'GitHub personal access token',
    description: 'A GitHub classic personal access token (ghp_ prefix) grants API access as its owner.',
    helpMarkdown:
      '**GitHub personal access token**\n\nRevoke it at https://github.com/settings/tokens and load it from a secret store.\n\nSuppress with `rampart:ignore secret/github-pat`.',
    severity: 'critical',
    precision: 'very-high',
    tags: ['security', 'secret', 'external/cwe/cwe-798'],
    cwe: ['CWE-798'],
    references: ['https://docs.github.com/en/authentication'],
    equivalents: { gitleaks: ['github-pat'], trivy: ['github-pat'] },
  };
  const generic: RuleDescriptor = {
    id: 'secret/generic-api-key',
    scanner: 'secret',
    title: 'Generic API key',
    description: 'A high-entropy value assigned to a key-like name.',
    helpMarkdown: 'A high-entropy value assigned to a name such as `api_key`.',
    severity: 'medium',
    precision: 'medium',
    tags: ['secret'],
    cwe: ['CWE-798'],
    references: [],
  };

  const base = {
    references: [] as string[],
    cwe: ['CWE-798'],
    remediation: 'Rotate the credential and load it from a secret store.',
  };
  const findings: Finding[] = [
    {
      ...base,
      scanner: 'secret',
      ruleId: 'secret/github-pat',
      title: 'GitHub personal access token',
      message: 'GitHub personal access token: ghp_…(40)',
      severity: 'critical',
      confidence: 'high',
      location: {
        path: 'src/config/settings.py',
        startLine: 12,
        startColumn: 15,
        endLine: 12,
        endColumn: 55,
        commit: {
          sha: '0123456789abcdef0123456789abcdef01234567',
          author: 'Dev One',
          email: 'dev@example.com',
          date: '2024-03-01T10:00:00Z',
          message: 'add settings',
        },
      },
      fingerprint: fingerprintOf('secret', 'github-pat', 'src/config/settings.py', 'a'.repeat(64), 0),
      evidence: 'ghp_…(40)',
      equivalents: { gitleaks: ['github-pat'], trivy: ['github-pat'] },
      tags: ['secret'],
      properties: { entropy: 5.1 },
    },
    {
      ...base,
      scanner: 'secret',
      ruleId: 'secret/generic-api-key',
      title: 'Generic API key',
      message: 'Generic API key: Zx9q…(32)',
      severity: 'medium',
      confidence: 'medium',
      location: {
        path: 'weird dir/<a>&"b\'\u001b[31m/données ключ#1?.env',
        startLine: 3,
        startColumn: 9,
        endLine: 3,
        endColumn: 9,
      },
      fingerprint: fingerprintOf('secret', 'generic-api-key', 'weird', 'b'.repeat(64), 0),
      evidence: 'Zx9q…(32)',
      suppressed: { kind: 'inline', reason: 'test fixture, not a real key', source: 'weird dir/x.env:3' },
    },
    {
      scanner: 'deps',
      ruleId: 'deps/GHSA-xxxx-yyyy-zzzz',
      title: 'Prototype pollution in lodash',
      message: 'lodash@4.17.15 is affected by GHSA-xxxx-yyyy-zzzz (fixed in 4.17.21)',
      severity: 'high',
      confidence: 'high',
      package: { ecosystem: 'npm', name: 'lodash', version: '4.17.15', path: 'package-lock.json', line: 240 },
      fingerprint: fingerprintOf('deps', 'GHSA-xxxx-yyyy-zzzz', 'npm', 'lodash', '4.17.15'),
      references: ['https://osv.dev/vulnerability/GHSA-xxxx-yyyy-zzzz'],
      cwe: ['CWE-1321'],
      equivalents: { trivy: ['CVE-2020-8203'] },
    },
    {
      scanner: 'misconfig',
      ruleId: 'misconfig/k8s-privileged',
      title: 'Privileged container',
      message: 'Container "app" of Deployment web runs privileged',
      severity: 'low',
      confidence: 'high',
      resource: { kind: 'Deployment', name: 'web', namespace: 'prod' },
      fingerprint: fingerprintOf('misconfig', 'k8s-privileged', 'Deployment', 'prod', 'web'),
      references: [],
      cwe: ['CWE-250'],
      equivalents: { trivy: ['KSV017'] },
    },
  ];

  return {
    schemaVersion: '1',
    tool: { name: 'rampart', version: '0.1.0' },
    target: 'examples/demo-app',
    mode: 'path',
    scanners: ['secret', 'deps', 'misconfig'],
    startedAt: '2024-05-01T12:00:00.000Z',
    finishedAt: '2024-05-01T12:00:02.500Z',
    findings,
    rules: [githubPat, generic],
    stats: {
      filesScanned: 42,
      bytesScanned: 123_456,
      filesSkipped: { binary: 2, 'too-large': 1, ignored: 10 },
      warnings: 1,
      suppressed: 1,
    },
    skipped: [
      { path: 'assets/logo.png', reason: 'binary' },
      { path: 'dump.sql', reason: 'too-large', detail: '52428800 bytes > 10485760' },
    ],
    warnings: ['vendor/min.js: secret scan stopped at the per-file time budget; results may be partial'],
  };
}

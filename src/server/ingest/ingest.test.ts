import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ScanReport } from '../../core/report.js';
import { toSarif } from '../../report/sarif.js';
import { IngestError, parseUpload, type IngestedFinding, type IngestedScan } from './index.js';
import { severityFromScore } from './normalise.js';
import { artifactPath } from './sarif.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
const LIMITS = { maxBytes: 5_000_000, maxFindings: 10_000 };
const parse = (
  bytes: Uint8Array | string,
  extra: { contentType?: string; maxBytes?: number; maxFindings?: number } = {},
) =>
  parseUpload(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, { ...LIMITS, ...extra });
const parseJson = (doc: unknown) => parse(JSON.stringify(doc));
const byRule = (scan: IngestedScan, ruleId: string) => scan.findings.filter((f) => f.ruleId === ruleId);

/** Asserts an IngestError (code INGEST_INVALID) whose one-line message contains every `parts`. */
function assertRejected(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof IngestError, `expected IngestError, got ${String(err)}`);
    assert.equal(err.code, 'INGEST_INVALID');
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    for (const p of parts) assert.ok(err.message.includes(p), `"${err.message}" should contain "${p}"`);
    return true;
  });
}

/** A minimal SARIF log of one run of `tool`, with the given rules and results. */
function sarif(results: object[], rules: object[] = [{ id: 'r1' }], tool = 'Acme Analyzer'): object {
  return { version: '2.1.0', runs: [{ tool: { driver: { name: tool, rules } }, results }] };
}
function result(extra: object = {}, path = 'src/a.js', startLine = 10): object {
  return {
    ruleId: 'r1',
    message: { text: 'Bad thing.' },
    locations: [{ physicalLocation: { artifactLocation: { uri: path }, region: { startLine } } }],
    ...extra,
  };
}

describe('parseUpload: Rampart JSON report', () => {
  const raw = JSON.parse(fixture('rampart-demo.json').toString('utf8')) as ScanReport;
  const scan = parse(fixture('rampart-demo.json'));

  it('keeps every finding with its own fingerprint, severity, scanner and region', () => {
    assert.equal(scan.format, 'rampart');
    assert.equal(scan.tool, 'rampart');
    assert.equal(scan.toolVersion, raw.tool.version);
    assert.equal(scan.findings.length, 7);
    assert.deepEqual(
      scan.findings.map((f) => [
        f.ruleId,
        f.fingerprint,
        f.severity,
        f.scanner,
        f.location?.path,
        f.location?.startLine,
      ]),
      raw.findings.map((f) => [
        f.ruleId,
        f.fingerprint,
        f.severity,
        f.scanner,
        f.location?.path,
        f.location?.startLine,
      ]),
    );
  });

  it('reads the first finding field by field', () => {
    assert.deepEqual(scan.findings[0], {
      tool: 'rampart',
      scanner: 'secret',
      ruleId: 'secret/aws-access-key-id',
      title: 'AWS access key ID',
      message: 'AWS access key ID: AKIA…(20)',
      severity: 'critical',
      fingerprint: '6feed6d3b8fe97774caf50b93b4259a9',
      location: { path: 'config/settings.env', startLine: 4, endLine: 4, startColumn: 19, endColumn: 39 },
      evidence: 'AKIA…(20)',
      remediation: raw.findings[0]!.remediation,
      cwe: ['CWE-798'],
      references: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html'],
    });
  });

  it('rejects a finding without a fingerprint, naming its path', () => {
    const doc = structuredClone(raw) as unknown as { findings: Record<string, unknown>[] };
    delete doc.findings[3]!.fingerprint;
    assertRejected(() => parseJson(doc), 'Rampart report', '/findings/3/fingerprint', 'required');
  });
});

describe('parseUpload: Rampart SARIF round-trips to the JSON report identities', () => {
  const key = (f: IngestedFinding) =>
    [
      f.fingerprint,
      f.tool,
      f.scanner,
      f.ruleId,
      f.severity,
      f.title,
      f.location?.path,
      f.location?.startLine,
    ].join('|');

  it('the SARIF written by `rampart scan --format sarif` gives the same findings as the JSON report', () => {
    const fromJson = parse(fixture('rampart-demo.json'));
    const fromSarif = parse(fixture('rampart-demo.sarif'));
    assert.equal(fromSarif.format, 'sarif');
    assert.equal(fromSarif.tool, 'rampart');
    assert.deepEqual(fromSarif.tools, ['rampart']);
    assert.deepEqual(fromSarif.findings.map(key).sort(), fromJson.findings.map(key).sort());
    assert.deepEqual(
      fromSarif.findings.map((f) => f.cwe),
      fromJson.findings.map((f) => f.cwe),
    );
  });

  it('also for package findings, suppressed findings and a severity that differs from the rule', () => {
    const report: ScanReport = {
      schemaVersion: '1',
      tool: { name: 'rampart', version: '0.1.0' },
      target: '.',
      mode: 'path',
      scanners: ['deps', 'secret'],
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:00:01.000Z',
      findings: [
        {
          scanner: 'deps',
          ruleId: 'deps/GHSA-35jh-r3h4-6jhm',
          title: 'Command injection in lodash',
          message: 'lodash 4.17.15 → 4.17.21: command injection — GHSA-35jh-r3h4-6jhm',
          severity: 'high',
          confidence: 'high',
          package: {
            ecosystem: 'npm',
            name: 'lodash',
            version: '4.17.15',
            purl: 'pkg:npm/lodash@4.17.15',
            path: 'package-lock.json',
            line: 15,
          },
          fingerprint: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
          references: [],
          cwe: ['CWE-94'],
        },
        {
          scanner: 'secret',
          ruleId: 'secret/generic-api-key',
          title: 'Generic API key',
          message: 'API key in a test fixture',
          severity: 'low',
          confidence: 'medium',
          location: { path: 'test/fixture.env', startLine: 3, endLine: 3 },
          fingerprint: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
          references: [],
          cwe: [],
        },
        {
          scanner: 'secret',
          ruleId: 'secret/github-pat',
          title: 'GitHub token',
          message: 'ignored',
          severity: 'critical',
          confidence: 'high',
          location: { path: 'a.env', startLine: 1, endLine: 1 },
          fingerprint: 'cccccccccccccccccccccccccccccccc',
          references: [],
          cwe: [],
          suppressed: { kind: 'inline' },
        },
      ],
      rules: [
        {
          id: 'secret/generic-api-key',
          scanner: 'secret',
          title: 'Generic API key',
          description: 'd',
          helpMarkdown: 'h',
          severity: 'high',
          precision: 'medium',
          tags: [],
          cwe: [],
          references: [],
        },
      ],
      stats: { filesScanned: 1, bytesScanned: 1, filesSkipped: {}, warnings: 0, suppressed: 1 },
      skipped: [],
      warnings: [],
    };
    const fromJson = parseJson(report);
    const fromSarif = parseJson(toSarif(report));
    assert.deepEqual(fromJson.findings.map((f) => f.fingerprint).sort(), [
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
    ]);
    assert.deepEqual(fromSarif.findings.map(key).sort(), fromJson.findings.map(key).sort());
    const dep = fromSarif.findings.find((f) => f.scanner === 'deps')!;
    assert.deepEqual(dep.package, {
      ecosystem: 'npm',
      name: 'lodash',
      version: '4.17.15',
      purl: 'pkg:npm/lodash@4.17.15',
    });
    assert.deepEqual(dep.location, { path: 'package-lock.json', startLine: 15 });
    assert.equal(fromSarif.findings.find((f) => f.ruleId === 'secret/generic-api-key')!.severity, 'low');
  });
});

describe('parseUpload: CodeQL SARIF', () => {
  const scan = parse(fixture('codeql.sarif'), { contentType: 'application/sarif+json' });

  it('reads rules from the query-pack extension and drops the suppressed result', () => {
    assert.equal(scan.tool, 'CodeQL');
    assert.equal(scan.toolVersion, '2.17.6');
    assert.deepEqual(
      scan.findings.map((f) => [f.ruleId, f.location?.path, f.severity, f.scanner]),
      [
        ['js/sql-injection', 'src/routes/users.js', 'high', 'sast'],
        ['js/sql-injection', 'src/routes/admin.js', 'high', 'sast'],
        ['js/reflected-xss', 'src/routes/users.js', 'medium', 'sast'],
        ['js/unused-local-variable', 'src/util/format.js', 'low', 'sast'],
      ],
    );
    const sqli = scan.findings[0]!;
    assert.equal(sqli.title, 'Database query built from user-controlled sources');
    assert.deepEqual(sqli.cwe, ['CWE-89', 'CWE-90', 'CWE-943']);
    assert.deepEqual(sqli.location, {
      path: 'src/routes/users.js',
      startLine: 14,
      startColumn: 20,
      endColumn: 63,
    });
  });

  it('gives the same line hash in two files two identities', () => {
    const [a, b] = byRule(scan, 'js/sql-injection');
    assert.notEqual(a!.fingerprint, b!.fingerprint);
  });

  it('keeps identities when lines move and when fingerprint keys are written in another order', () => {
    const doc = JSON.parse(fixture('codeql.sarif').toString('utf8'));
    const results = doc.runs[0].results;
    for (const r of results) r.locations[0].physicalLocation.region.startLine += 7;
    const pf = results[2].partialFingerprints;
    results[2].partialFingerprints = Object.fromEntries(Object.entries(pf).reverse());
    assert.deepEqual(
      parseJson(doc).findings.map((f) => f.fingerprint),
      scan.findings.map((f) => f.fingerprint),
    );
  });
});

describe('parseUpload: Semgrep SARIF', () => {
  const scan = parse(fixture('semgrep.sarif'));

  it('maps rule default levels, CWE tags, snippets, and drops a nosemgrep (status-less) suppression', () => {
    assert.equal(scan.tool, 'Semgrep OSS');
    assert.deepEqual(
      scan.findings.map((f) => [f.ruleId.split('.').pop(), f.severity, f.cwe, f.location?.startLine]),
      [
        ['formatted-sql-query', 'high', ['CWE-89'], 22],
        ['debug-enabled', 'medium', ['CWE-489'], 9],
      ],
    );
    assert.equal(scan.findings[0]!.title, 'Detected possible formatted SQL query');
    assert.equal(
      scan.findings[0]!.evidence,
      `cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)`,
    );
    assert.deepEqual(scan.findings[1]!.references, [
      'https://semgrep.dev/r/python.flask.security.audit.debug-enabled.debug-enabled',
    ]);
  });
});

describe('parseUpload: Trivy SARIF', () => {
  const scan = parse(fixture('trivy.sarif'));

  it('classifies vulnerabilities and misconfigurations and reads the package from the message', () => {
    assert.deepEqual(
      scan.findings.map((f) => [
        f.ruleId,
        f.scanner,
        f.severity,
        f.location?.path,
        f.package?.name,
        f.package?.version,
      ]),
      [
        ['CVE-2021-23337', 'deps', 'high', 'package-lock.json', 'lodash', '4.17.15'],
        ['CVE-2020-28500', 'deps', 'medium', 'package-lock.json', 'lodash', '4.17.15'],
        ['DS002', 'misconfig', 'high', 'Dockerfile', undefined, undefined],
      ],
    );
  });

  it('keeps the identity of a vulnerable package when its installed version changes', () => {
    const doc = JSON.parse(fixture('trivy.sarif').toString('utf8'));
    doc.runs[0].results[0].message.text = doc.runs[0].results[0].message.text.replace('4.17.15', '4.17.19');
    assert.equal(parseJson(doc).findings[0]!.fingerprint, scan.findings[0]!.fingerprint);
  });
});

describe('parseUpload: SARIF details', () => {
  it('maps security-severity scores at the documented thresholds', () => {
    const cases: [number | string, string][] = [
      [10, 'critical'],
      ['9.0', 'critical'],
      [8.99, 'high'],
      [7, 'high'],
      [6.9, 'medium'],
      [4, 'medium'],
      [3.9, 'low'],
      [0.1, 'low'],
      ['0.0', 'info'],
    ];
    for (const [score, expected] of cases) assert.equal(severityFromScore(score), expected, String(score));
    assert.equal(severityFromScore('high'), undefined);
    assert.equal(severityFromScore(11), undefined);
  });

  it('takes severity from the result score, then the rule score, then level, then the rule default', () => {
    const rules = [
      { id: 'scored', properties: { 'security-severity': '9.1' }, defaultConfiguration: { level: 'note' } },
      { id: 'plain', defaultConfiguration: { level: 'note' } },
      { id: 'bare' },
    ];
    const scan = parseJson(
      sarif(
        [
          result({ ruleId: 'scored', properties: { 'security-severity': 2.5 } }, 'a'),
          result({ ruleId: 'scored', level: 'none' }, 'b'),
          result({ ruleId: 'plain', level: 'error' }, 'c'),
          result({ ruleId: 'plain' }, 'd'),
          result({ ruleId: 'bare', level: 'none' }, 'e'),
          result({ ruleId: 'bare' }, 'f'),
        ],
        rules,
      ),
    );
    assert.deepEqual(
      scan.findings.map((f) => f.severity),
      ['low', 'critical', 'high', 'low', 'info', 'medium'],
    );
  });

  it('without tool fingerprints, hashes tool, rule, path and the message without its numbers', () => {
    const fp = (r: object) => parseJson(sarif([r])).findings[0]!.fingerprint;
    const base = fp(result({ message: { text: 'Value defined at line 12 is unused.' } }, 'src/a.js', 12));
    assert.equal(
      fp(result({ message: { text: 'Value defined at line 40 is  unused.' } }, 'src/a.js', 40)),
      base,
    );
    assert.notEqual(
      fp(result({ message: { text: 'Value defined at line 12 is unused.' } }, 'src/b.js', 12)),
      base,
    );
    assert.notEqual(
      fp(result({ ruleId: 'r2', message: { text: 'Value defined at line 12 is unused.' } })),
      base,
    );
    assert.match(base, /^[0-9a-f]{32}$/);
  });

  it('prefers the snippet, whitespace-insensitive, over the message', () => {
    const withSnippet = (text: string, line: number, message: string) =>
      parseJson(
        sarif([
          {
            ruleId: 'r1',
            message: { text: message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'x.py' },
                  region: { startLine: line, snippet: { text } },
                },
              },
            ],
          },
        ]),
      ).findings[0]!.fingerprint;
    assert.equal(withSnippet('eval(x)', 3, 'one'), withSnippet('    eval( x )', 90, 'two'));
    assert.notEqual(withSnippet('eval(x)', 3, 'one'), withSnippet('eval(y)', 3, 'one'));
  });

  it('drops accepted suppressions, passes and absent baseline results; keeps rejected and under-review ones', () => {
    const scan = parseJson(
      sarif([
        result({ suppressions: [{ kind: 'external', status: 'accepted' }] }, 'accepted'),
        result({ suppressions: [{ kind: 'inSource' }] }, 'no-status'),
        result({ suppressions: [{ kind: 'external', status: 'rejected' }] }, 'rejected'),
        result(
          { suppressions: [{ kind: 'inSource' }, { kind: 'external', status: 'underReview' }] },
          'review',
        ),
        result({ kind: 'pass' }, 'pass'),
        result({ kind: 'notApplicable' }, 'na'),
        result({ baselineState: 'absent' }, 'absent'),
        result({ baselineState: 'unchanged' }, 'unchanged'),
      ]),
    );
    assert.deepEqual(
      scan.findings.map((f) => f.location?.path),
      ['rejected', 'review', 'unchanged'],
    );
  });

  it('resolves rules by ruleIndex alone and fills message templates', () => {
    const rules = [
      { id: 'first' },
      {
        id: 'second',
        shortDescription: { text: 'Second rule.' },
        messageStrings: { default: { text: 'Call to {0} with {1}.' } },
      },
    ];
    const scan = parseJson(
      sarif([{ ruleIndex: 1, message: { id: 'default', arguments: ['exec', 'user input'] } }], rules),
    );
    assert.equal(scan.findings[0]!.ruleId, 'second');
    assert.equal(scan.findings[0]!.title, 'Second rule');
    assert.equal(scan.findings[0]!.message, 'Call to exec with user input.');
    assert.equal(scan.findings[0]!.location, undefined);
  });

  it('rejects results whose rule cannot be identified or indexed', () => {
    assertRejected(() => parseJson(sarif([{ message: { text: 'x' } }])), '/runs/0/results/0', 'no ruleId');
    assertRejected(
      () => parseJson(sarif([{ ruleIndex: 4, message: { text: 'x' } }])),
      '/runs/0/results/0/ruleIndex',
      'out of range',
    );
    assertRejected(
      () =>
        parseJson(
          sarif([{ rule: { id: 'r1', index: 0, toolComponent: { index: 2 } }, message: { text: 'x' } }]),
        ),
      '/runs/0/results/0/rule/toolComponent/index',
    );
  });

  it('keeps one scan tool per driver and lists every tool, even a run without results', () => {
    const doc = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'ESLint', rules: [{ id: 'no-eval' }] } },
          results: [result({ ruleId: 'no-eval' })],
        },
        { tool: { driver: { name: 'gitleaks' } }, results: [] },
        { tool: { driver: { name: 'CodeQL' } } },
      ],
    };
    const scan = parseJson(doc);
    assert.deepEqual(scan.tools, ['ESLint', 'gitleaks', 'CodeQL']);
    assert.equal(scan.tool, 'ESLint, gitleaks, CodeQL');
    assert.equal(scan.toolVersion, undefined);
    assert.equal(scan.findings[0]!.tool, 'ESLint');
    assert.equal(scan.findings[0]!.scanner, 'sast');
  });

  it('never stores a secret scanner snippet as evidence', () => {
    const doc = sarif(
      [
        {
          ruleId: 'aws-access-token',
          message: { text: 'aws-access-token has detected secret for file .env.' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: '.env' },
                region: { startLine: 2, snippet: { text: 'AWS_KEY=AKIAIOSFODNN7EXAMPLE' } },
              },
            },
          ],
          partialFingerprints: { commitSha: '', email: '', author: '', date: '', commitMessage: '' },
        },
      ],
      [{ id: 'aws-access-token' }],
      'gitleaks',
    );
    const f = parseJson(doc).findings[0]!;
    assert.equal(f.scanner, 'secret');
    assert.equal(f.evidence, undefined);
    assert.ok(!JSON.stringify(f).includes('AKIAIOSFODNN7EXAMPLE'));
  });

  it('makes file: URIs relative to their uriBaseId and decodes percent-encoding', () => {
    const run = {
      originalUriBaseIds: { ROOT: { uri: 'file:///work/app/' }, SRC: { uri: 'src/', uriBaseId: 'ROOT' } },
    };
    assert.equal(
      artifactPath({ uri: 'file:///work/app/lib/a%20b.js', uriBaseId: 'ROOT' }, run),
      'lib/a b.js',
    );
    assert.equal(artifactPath({ uri: 'file:///work/app/src/x.go', uriBaseId: 'SRC' }, run), 'x.go');
    assert.equal(artifactPath({ uri: 'file:///elsewhere/y.go' }, run), '/elsewhere/y.go');
    assert.equal(artifactPath({ uri: './src/%E2%82%AC.ts' }, run), 'src/€.ts');
    assert.equal(
      artifactPath({ index: 0 }, { artifacts: [{ location: { uri: 'from/index.c' } }] }),
      'from/index.c',
    );
  });
});

describe('parseUpload: CycloneDX', () => {
  it('reads nested components and vulnerabilities on their affected components, skipping not_affected ones', () => {
    const scan = parse(fixture('trivy-vulns.cdx.json'), { contentType: 'application/vnd.cyclonedx+json' });
    assert.equal(scan.format, 'cyclonedx');
    assert.equal(scan.tool, 'trivy');
    assert.equal(scan.toolVersion, '0.52.2');
    assert.deepEqual(
      scan.components?.map((c) => [c.name, c.version, c.ecosystem]),
      [
        ['package-lock.json', undefined, undefined],
        ['lodash', '4.17.15', 'npm'],
        ['@babel/traverse', '7.22.5', 'npm'],
        ['minimist', '1.2.8', 'npm'],
        ['openssl', '3.0.11-1~deb12u1', 'Debian'],
      ],
    );
    assert.deepEqual(
      scan.findings.map((f) => [f.ruleId, f.severity, f.package?.name, f.package?.version, f.scanner]),
      [
        ['CVE-2021-23337', 'high', 'lodash', '4.17.15', 'deps'],
        ['CVE-2023-45133', 'critical', '@babel/traverse', '7.22.5', 'deps'],
        ['CVE-2023-5678', 'medium', 'openssl', '3.0.11-1~deb12u1', 'deps'],
      ],
    );
    const lodash = scan.findings[0]!;
    assert.deepEqual(lodash.cwe, ['CWE-77', 'CWE-94']);
    assert.equal(lodash.remediation, 'Upgrade lodash to version 4.17.21 or later.');
    assert.ok(lodash.references.includes('https://nvd.nist.gov/vuln/detail/CVE-2021-23337'));
  });

  it('reads the SBOM Rampart writes (components, no findings)', () => {
    const scan = parse(fixture('rampart-demo.cdx.json'));
    assert.equal(scan.tool, 'rampart');
    assert.equal(scan.findings.length, 0);
    assert.deepEqual(
      scan.components?.map((c) => c.purl).sort(),
      (JSON.parse(fixture('rampart-demo.cdx.json').toString('utf8')).components as { purl: string }[])
        .map((c) => c.purl)
        .sort(),
    );
  });

  it('rejects an affects ref that names no component, and unsupported spec versions', () => {
    const doc = JSON.parse(fixture('trivy-vulns.cdx.json').toString('utf8'));
    doc.vulnerabilities[1].affects[0].ref = 'pkg:npm/missing@1.0.0';
    assertRejected(() => parseJson(doc), 'CycloneDX /vulnerabilities/1/affects/0/ref', 'names no component');
    assertRejected(
      () => parseJson({ bomFormat: 'CycloneDX', specVersion: '1.3' }),
      'CycloneDX /specVersion',
      '1.4',
    );
  });
});

describe('parseUpload: refusals', () => {
  it('refuses oversized, empty, non-UTF-8, non-JSON and too deeply nested uploads', () => {
    assertRejected(() => parse('{"runs": []}', { maxBytes: 5 }), '12 bytes', 'limit of 5');
    assertRejected(() => parse(''), 'empty');
    assertRejected(() => parse(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 'not UTF-8');
    assertRejected(() => parse('{"a": 1,'), 'not valid JSON');
    assertRejected(() => parse(`${'['.repeat(500)}${']'.repeat(500)}`), 'nested more than');
  });

  it('does not quote the input in a JSON syntax error', () => {
    assertRejected(
      () => parse('{"token": "ghp_abcdefghijklmnopqrstuvwxyz0123456789" oops}'),
      'not valid JSON',
    );
    try {
      parse('{"token": "ghp_abcdefghijklmnopqrstuvwxyz0123456789" oops}');
    } catch (err) {
      assert.ok(!(err as Error).message.includes('ghp_'));
    }
  });

  it('refuses uploads of no known format, or of a known format in the wrong shape', () => {
    assertRejected(() => parse('[1,2]'), 'JSON array');
    assertRejected(() => parseJson({ hello: 'world' }), 'not a Rampart JSON report');
    assertRejected(() => parseJson({ version: '2.0.0', runs: [] }), 'SARIF /version');
    assertRejected(
      () => parseJson({ version: '2.1.0', runs: [{ results: [] }] }),
      'SARIF /runs/0/tool',
      'required',
    );
    assertRejected(
      () => parseJson(sarif([result({}, 'a.js', 0)])),
      'SARIF /runs/0/results/0/locations/0/physicalLocation/region/startLine',
    );
    assertRejected(() => parseJson(sarif([result({ level: 'fatal' })])), 'SARIF /runs/0/results/0/level');
    assertRejected(() => parseJson(sarif([{ ruleId: 'r1' }])), '/runs/0/results/0/message', 'required');
  });

  it('refuses more results than maxFindings, across all runs', () => {
    const doc = {
      version: '2.1.0',
      runs: [0, 1].map(() => ({ tool: { driver: { name: 't' } }, results: [result(), result()] })),
    };
    assert.equal(parse(JSON.stringify(doc), { maxFindings: 4 }).findings.length, 4);
    assertRejected(() => parse(JSON.stringify(doc), { maxFindings: 3 }), '4 entries', 'limit of 3');
  });

  it('refuses XML and a body that contradicts its Content-Type', () => {
    assertRejected(() => parse('<bom/>', { contentType: 'application/vnd.cyclonedx+xml' }), 'XML');
    assertRejected(
      () => parse(fixture('codeql.sarif'), { contentType: 'application/vnd.cyclonedx+json; charset=utf-8' }),
      'body is a SARIF log',
    );
    assert.equal(parse(fixture('codeql.sarif'), { contentType: 'application/json' }).format, 'sarif');
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { RampartError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { fingerprintOf } from '../core/fingerprint.js';
import { applyIgnoreFile, loadIgnoreFile } from './ignorefile.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-ignore-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function write(name: string, text: string): string {
  const file = path.join(dir, `${n++}`, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function finding(ruleId: string, file: string, extra: Partial<Finding> = {}): Finding {
  return {
    scanner: 'secret',
    ruleId,
    title: 't',
    message: 'm',
    severity: 'high',
    confidence: 'high',
    location: { path: file, startLine: 3, endLine: 3 },
    fingerprint: fingerprintOf('secret', ruleId, file),
    references: [],
    cwe: ['CWE-798'],
    ...extra,
  };
}

const pat = finding('secret/github-pat', 'src/app.ts', {
  equivalents: { trivy: ['github-pat'], gitleaks: ['github-pat'] },
});
const fixtureKey = finding('secret/generic-api-key', 'test/fixtures/keys/a.env');
const envKey = finding('secret/generic-api-key', 'deploy/prod/.env');
const awsInDocs = finding('secret/aws-access-key-id', 'docs/setup.md', {
  equivalents: { trivy: ['aws-access-key-id'] },
});
const inlineOne = finding('secret/jwt', 'src/auth.ts', {
  suppressed: { kind: 'inline', source: 'src/auth.ts:3' },
});
const all = [pat, fixtureKey, envKey, awsInDocs, inlineOne];
const NOW = new Date('2025-06-15T12:00:00Z');

test('YAML ignore file: every field given must match', () => {
  const file = write(
    '.rampart-ignore.yaml',
    `# accepted findings
ignore:
  - rule: generic-api-key
    paths: ["test/fixtures/**"]
    reason: test data
  - fingerprint: ${pat.fingerprint.toUpperCase()}
    expires: 2025-06-15
    reason: rotating this week
  - rule: secret/aws-access-key-id
    paths: src/
  - paths: "*.env"
    rule: secret/stripe-key
`,
  );
  const ignore = loadIgnoreFile(file);
  assert.equal(ignore.format, 'yaml');
  assert.deepEqual(
    ignore.entries.map((e) => e.source),
    [`${file}:3`, `${file}:6`, `${file}:9`, `${file}:11`],
  );
  const { findings, warnings } = applyIgnoreFile(all, ignore, NOW);
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    findings[0]!.suppressed,
    { kind: 'ignorefile', reason: 'rotating this week', source: `${file}:6` },
    'fingerprint, expiring today',
  );
  assert.deepEqual(
    findings[1]!.suppressed,
    { kind: 'ignorefile', reason: 'test data', source: `${file}:3` },
    'rule + glob',
  );
  assert.equal(findings[2]!.suppressed, undefined, 'same rule, path outside the glob');
  assert.equal(findings[3]!.suppressed, undefined, 'rule matches but the path does not');
  assert.deepEqual(
    findings[4]!.suppressed,
    { kind: 'inline', source: 'src/auth.ts:3' },
    'an inline suppression is kept',
  );
  assert.equal(all[1]!.suppressed, undefined, 'inputs are not mutated');
});

test('expired entries do not suppress and warn once each', () => {
  const file = write(
    'ignore.yaml',
    `ignore:\n  - rule: github-pat\n    expires: 2025-06-14\n  - rule: generic-api-key\n`,
  );
  const { findings, warnings } = applyIgnoreFile(all, loadIgnoreFile(file), NOW);
  assert.equal(findings[0]!.suppressed, undefined);
  assert.equal(findings[1]!.suppressed?.kind, 'ignorefile');
  assert.equal(findings[2]!.suppressed?.kind, 'ignorefile');
  assert.deepEqual(warnings, [
    `${file}:2: ignore entry expired on 2025-06-14 and no longer suppresses (rule github-pat)`,
  ]);
});

test('globs: a trailing slash is a directory, a glob without slash matches the file name at any depth', () => {
  const file = write('i.yaml', `ignore:\n  - paths: [deploy/]\n  - paths: ["*.md"]\n`);
  const { findings } = applyIgnoreFile(all, loadIgnoreFile(file), NOW);
  assert.deepEqual(
    findings.map((f) => f.suppressed?.kind),
    [undefined, undefined, 'ignorefile', 'ignorefile', 'inline'],
  );
});

test('Trivy-style plain text: ids, fingerprints, exp:, comments; peer ids match through equivalents', () => {
  const file = write(
    '.trivyignore',
    `# Trivy ids work too
aws-access-key-id
${fixtureKey.fingerprint}   # the fixture key
secret/github-pat exp:2025-01-31

`,
  );
  const ignore = loadIgnoreFile(file);
  assert.equal(ignore.format, 'text');
  assert.deepEqual(
    ignore.entries.map((e) => [e.rule, e.fingerprint, e.expires, e.source]),
    [
      ['aws-access-key-id', undefined, undefined, `${file}:2`],
      [undefined, fixtureKey.fingerprint, undefined, `${file}:3`],
      ['secret/github-pat', undefined, '2025-01-31', `${file}:4`],
    ],
  );
  const { findings, warnings } = applyIgnoreFile(all, ignore, NOW);
  assert.deepEqual(
    findings.map((f) => f.suppressed?.kind),
    [undefined, 'ignorefile', undefined, 'ignorefile', 'inline'],
  );
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /:4: ignore entry expired on 2025-01-31/);
});

test('a file without .yaml extension but starting with "ignore:" is read as YAML', () => {
  const file = write('.rampart-ignore', '# comment\nignore:\n  - rule: github-pat\n');
  assert.equal(loadIgnoreFile(file).format, 'yaml');
});

test('invalid ignore files: IGNOREFILE_INVALID with file:line and one line of text', () => {
  const cases: [string, string, string][] = [
    [
      'a.yaml',
      'ignore:\n  - rule: github-pat\n    path: src/\n',
      ':3: unknown key "ignore[0].path" (did you mean "paths"?)',
    ],
    [
      'b.yaml',
      'ignore:\n  - rule: x\n  - reason: no matcher\n',
      ':3: "ignore[1]" needs at least one of rule, paths, fingerprint',
    ],
    [
      'c.yaml',
      'ignore:\n  - rule: x\n    expires: 2025-02-30\n',
      ':3: "ignore[0].expires" must be a date YYYY-MM-DD',
    ],
    [
      'd.yaml',
      'ignore:\n  - fingerprint: not-hex\n',
      ':2: "ignore[0].fingerprint" must be a finding fingerprint (hexadecimal, from a JSON or SARIF report)',
    ],
    ['e.yaml', 'rules:\n  - x\n', ':1: unknown key "rules" (allowed: ignore)'],
    ['f.yaml', 'ignore: [\n', ':2: invalid YAML: '],
    ['g.txt', 'github-pat\ngithub-pat exp:tomorrow\n', ':2: "tomorrow" is not a date YYYY-MM-DD'],
    ['h.txt', 'github-pat until:2025-01-01\n', ':1: unexpected "until:2025-01-01"'],
    ['i.txt', '\n\n<script>\n', ':3: "<script>" is not a rule id or fingerprint'],
  ];
  for (const [name, text, expected] of cases) {
    const file = write(name, text);
    assert.throws(
      () => loadIgnoreFile(file),
      (e: unknown) =>
        e instanceof RampartError &&
        e.code === 'IGNOREFILE_INVALID' &&
        e.message.startsWith(`${file}${expected}`) &&
        !e.message.includes('\n'),
      `${name}: expected "${expected}"`,
    );
  }
  assert.throws(() => loadIgnoreFile(path.join(dir, 'missing.yaml')), /missing\.yaml: cannot read: ENOENT/);
  assert.throws(() => loadIgnoreFile(dir), /: not a file/);
});

test('the ignore-file examples in docs/configuration.md load', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const yamlBlock = /```yaml\n(# \.rampart-ignore\.yaml\n[\s\S]*?)```/.exec(doc);
  const textBlock = /```text\n(# one rule id or fingerprint per line\n[\s\S]*?)```/.exec(doc);
  assert.ok(yamlBlock && textBlock);
  const yaml = loadIgnoreFile(write('.rampart-ignore.yaml', yamlBlock[1]!));
  assert.deepEqual(
    yaml.entries.map((e) => [e.rule, e.paths, e.expires]),
    [
      ['secret/generic-api-key', ['test/fixtures/**'], undefined],
      [undefined, undefined, '2025-12-31'],
      [undefined, ['docs/'], undefined],
    ],
  );
  const text = loadIgnoreFile(write('.trivyignore', textBlock[1]!));
  assert.deepEqual(
    text.entries.map((e) => e.rule ?? e.fingerprint),
    ['generic-api-key', 'aws-access-key-id', '3f1c0c8e5d2b7a9e1f4c6d8b0a2e4f6c'],
  );
});

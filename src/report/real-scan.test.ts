import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newAjv } from '../config/ajv.js';
import { loadSchemaFile } from '../config/schema-file.js';
import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import { compileRules, detectSecrets } from '../scanners/secret/engine.js';
import { builtinSecretRules, createSecretScanner } from '../scanners/secret/index.js';
import { inlineSuppression } from '../suppress/inline.js';
import {
  formatAjvErrors,
  runSarifMultitool,
  sarifMultitoolPath,
  sarifSchemaValidator,
} from './__fixtures__/sarif-validate.js';
import { renderReport } from './index.js';

/**
 * End to end through the real secret scanner: a file made of every built-in rule's own
 * true-positive examples (so no credential-shaped literal lives in this repository), one of them
 * suppressed inline, rendered in every format and checked by the validators.
 */
let cached: Promise<{ report: ScanReport; lines: string[] }> | undefined;
const realReport = () => (cached ??= buildReport());

async function buildReport(): Promise<{ report: ScanReport; lines: string[] }> {
  const scanner = await createSecretScanner({ config: {} });
  const lines: string[] = [];
  for (const rule of builtinSecretRules()) for (const tp of rule.truePositives) lines.push(...tp.split('\n'));
  lines[0] = `${lines[0]} # rampart:ignore -- documented example`;
  const content = Buffer.from(lines.join('\n'));
  const findings: Finding[] = scanner
    .scan(
      { path: 'config/every rule <example>.txt', content },
      { warn: () => {}, deadline: Date.now() + 30_000 },
    )
    .map((f) => {
      const s = inlineSuppression(f, (n) => lines[n - 1]);
      return s ? { ...f, suppressed: s } : f;
    });
  const rules = scanner.rules();
  return {
    lines,
    report: {
      schemaVersion: '1',
      tool: { name: 'rampart', version: '0.1.0' },
      target: 'config',
      mode: 'path',
      scanners: ['secret'],
      startedAt: new Date(Date.now() - 1000).toISOString(),
      finishedAt: new Date().toISOString(),
      findings,
      rules: rules.filter((r) => findings.some((f) => f.ruleId === r.id)),
      stats: { filesScanned: 1, bytesScanned: content.length, filesSkipped: {}, warnings: 0, suppressed: 1 },
      skipped: [],
      warnings: [],
    },
  };
}

test('real secret findings: JSON and SARIF validate against their schemas, no secret leaks', async () => {
  const { report, lines } = await realReport();
  assert.ok(report.findings.length >= 150, `${report.findings.length} findings`);
  assert.ok(report.findings.some((f) => f.suppressed?.kind === 'inline'));

  const json = renderReport(report, 'json', { color: false });
  const validateJson = newAjv({ strict: true }).compile(loadSchemaFile('report.schema.json'));
  assert.equal(validateJson(JSON.parse(json)), true, formatAjvErrors(validateJson.errors));

  const sarif = renderReport(report, 'sarif', { color: false, srcRoot: '/tmp/project' });
  const validateSarif = sarifSchemaValidator();
  assert.equal(validateSarif(JSON.parse(sarif)), true, formatAjvErrors(validateSarif.errors));

  // No output contains any detected secret beyond the (at most 4) characters its mask shows.
  const outputs = (['table', 'json', 'sarif', 'junit'] as const).map((f) =>
    renderReport(report, f, { color: false }),
  );
  const secrets = detectSecrets(lines.join('\n'), 'x.txt', compileRules(builtinSecretRules())).matches.map(
    (m) => m.secret,
  );
  assert.ok(secrets.length >= report.findings.length);
  for (const secret of secrets.filter((s) => s.length >= 16)) {
    for (const out of outputs)
      assert.ok(!out.includes(secret.slice(4)), `a secret leaked: ${secret.slice(0, 4)}…(${secret.length})`);
  }
});

test('real secret findings: the official SARIF validator reports no error or warning', async (t) => {
  if (!sarifMultitoolPath()) {
    t.skip('no SARIF validator: set SARIF_MULTITOOL (the devDependency ships only a linux-x64 binary)');
    return;
  }
  const { report } = await realReport();
  const verdict = runSarifMultitool(
    renderReport(report, 'sarif', { color: false, srcRoot: '/tmp/project' }),
  )!;
  assert.deepEqual(verdict.errors, []);
  assert.deepEqual(verdict.warnings, []);
});

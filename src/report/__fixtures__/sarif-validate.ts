import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../../config/ajv.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let compiled: ValidateFunction | undefined;

/**
 * A validator for the OASIS SARIF 2.1.0 schema shipped as schema/sarif-2.1.0.json. Two
 * accommodations, both for defects of the published schema itself, not of the logs it checks:
 * it cannot pass meta-validation (`region.properties.anyOf` is an array where a schema is due), so
 * meta-validation is off; and `language` uses the non-ECMAScript inline flag `^(?i)…`, which is
 * compiled as the case-insensitive regex it means.
 */
export function sarifSchemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = JSON.parse(
    readFileSync(path.join(repoRoot, 'schema', 'sarif-2.1.0.json'), 'utf8'),
  ) as object;
  const regExp = Object.assign(
    (pattern: string, flags: string) =>
      pattern.startsWith('^(?i)')
        ? new RegExp(`^${pattern.slice(5)}`, `${flags}i`)
        : new RegExp(pattern, flags),
    { code: 'new RegExp' },
  );
  const ajv = newAjv({ strict: false, validateSchema: false, code: { regExp } });
  compiled = ajv.compile(schema);
  return compiled;
}

export function formatAjvErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

export interface MultitoolVerdict {
  errors: string[];
  warnings: string[];
}

/**
 * Runs the official validator (`$SARIF_MULTITOOL validate`, from @microsoft/sarif-multitool) with the
 * SARIF rules and the GitHub ingestion rules, and returns its error- and warning-level findings.
 * The validator is `$SARIF_MULTITOOL`, else the devDependency's Linux binary in node_modules.
 * Undefined when neither is there (another platform).
 */
export function sarifMultitoolPath(): string | undefined {
  if (process.env.SARIF_MULTITOOL) return process.env.SARIF_MULTITOOL;
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  const local = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '../../../node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool',
  );
  return existsSync(local) ? local : undefined;
}

export function runSarifMultitool(sarifText: string): MultitoolVerdict | undefined {
  const tool = sarifMultitoolPath();
  if (!tool) return undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-sarif-'));
  try {
    const input = path.join(dir, 'input.sarif');
    const output = path.join(dir, 'validation.sarif');
    writeFileSync(input, sarifText);
    execFileSync(
      tool,
      ['validate', input, '--output', output, '--level', 'Error;Warning', '--rule-kind', 'Sarif;Gh'],
      {
        stdio: 'pipe',
        timeout: 120_000,
      },
    );
    const log = JSON.parse(readFileSync(output, 'utf8')) as {
      runs: {
        results?: { ruleId?: string; level?: string; message?: { text?: string; arguments?: string[] } }[];
      }[];
    };
    const verdict: MultitoolVerdict = { errors: [], warnings: [] };
    for (const run of log.runs) {
      for (const r of run.results ?? []) {
        const line = `${r.ruleId ?? '?'} ${r.message?.text ?? (r.message?.arguments ?? []).join(' | ')}`;
        if ((r.level ?? 'warning') === 'error') verdict.errors.push(line);
        else if ((r.level ?? 'warning') === 'warning') verdict.warnings.push(line);
      }
    }
    return verdict;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

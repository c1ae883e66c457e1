import { readFileSync, statSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import picomatch from 'picomatch';
import { newAjv } from '../config/ajv.js';
import { loadSchemaFile } from '../config/schema-file.js';
import { YamlProblem, describeSchemaErrors, lineOf, parseYaml, type ParsedYaml } from '../config/yaml.js';
import { RampartError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';

/**
 * The ignore file: `.rampart-ignore.yaml` in the scan root, or --ignorefile. Two syntaxes:
 *
 * YAML (schema/ignorefile.schema.json):
 *
 *     ignore:
 *       - rule: secret/generic-api-key
 *         paths: ["test/fixtures/**"]
 *         reason: test data
 *       - fingerprint: 9f2c4e…
 *         expires: 2025-12-31
 *
 * or Trivy-style plain text (`.trivyignore`): one rule id or fingerprint per line, `#` comments,
 * optional `exp:YYYY-MM-DD`.
 */

export interface IgnoreEntry {
  rule?: string;
  paths?: string[];
  fingerprint?: string;
  /** Last day (UTC) on which the entry suppresses, YYYY-MM-DD. */
  expires?: string;
  reason?: string;
  /** `file:line` of the entry, for messages and the suppression's `source`. */
  source: string;
}

export interface IgnoreFile {
  path: string;
  format: 'yaml' | 'text';
  entries: IgnoreEntry[];
}

export const MAX_IGNOREFILE_BYTES = 4 * 1024 * 1024;

export function loadIgnoreFile(file: string): IgnoreFile {
  const fail = (message: string, line?: number): never => {
    throw new RampartError(
      'IGNOREFILE_INVALID',
      `${file}${line !== undefined ? `:${line}` : ''}: ${message}`,
    );
  };
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) fail('not a file');
    if (st.size > MAX_IGNOREFILE_BYTES) fail(`larger than ${MAX_IGNOREFILE_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof RampartError) throw err;
    return fail(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return isYaml(file, text) ? parseYamlIgnore(file, text, fail) : parsePlainIgnore(file, text, fail);
}

function isYaml(file: string, text: string): boolean {
  if (/\.ya?ml$/i.test(file)) return true;
  const first = text.split('\n').find((l) => l.trim() && !l.trimStart().startsWith('#'));
  return first !== undefined && /^ignore\s*:/.test(first);
}

let validator: ValidateFunction | undefined;
function ignoreValidator(): ValidateFunction {
  if (!validator) {
    // strictRequired off: the anyOf branches name properties declared by the parent schema.
    const ajv = newAjv({ strict: true, strictRequired: false, verbose: true, allowUnionTypes: true });
    ajv.addVocabulary(['x-error']);
    validator = ajv.compile(loadSchemaFile('ignorefile.schema.json'));
  }
  return validator;
}

const ENTRY_KEYS = ['rule', 'paths', 'fingerprint', 'expires', 'reason'];

function parseYamlIgnore(file: string, text: string, fail: (m: string, line?: number) => never): IgnoreFile {
  let parsed: ParsedYaml;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    if (err instanceof YamlProblem) return fail(err.message, err.line);
    throw err;
  }
  const value = parsed.value ?? { ignore: [] };
  const validate = ignoreValidator();
  if (!validate(value)) {
    const problems = describeSchemaErrors(validate.errors ?? [], parsed, (p) =>
      p.length === 0 ? ['ignore'] : ENTRY_KEYS,
    );
    const first = problems[0]!;
    fail(first.message, first.line);
  }
  const raw = (value as { ignore: Record<string, unknown>[] }).ignore;
  const entries = raw.map((e, i): IgnoreEntry => {
    const line = lineOf(parsed, ['ignore', i]);
    const entry: IgnoreEntry = { source: `${file}:${line ?? '?'}` };
    if (typeof e.rule === 'string') entry.rule = e.rule;
    if (e.paths !== undefined) entry.paths = Array.isArray(e.paths) ? e.paths.map(String) : [String(e.paths)];
    if (typeof e.fingerprint === 'string') entry.fingerprint = e.fingerprint.toLowerCase();
    if (typeof e.expires === 'string') entry.expires = e.expires;
    if (typeof e.reason === 'string' && e.reason.trim()) entry.reason = e.reason.trim();
    for (const glob of entry.paths ?? []) {
      try {
        picomatch.makeRe(glob);
      } catch {
        fail(`invalid glob "${glob}"`, lineOf(parsed, ['ignore', i, 'paths']));
      }
    }
    return entry;
  });
  return { path: file, format: 'yaml', entries };
}

const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
const FINGERPRINT = /^[0-9a-fA-F]{16,64}$/;

/** Trivy's `.trivyignore`: `id [exp:YYYY-MM-DD]` per line, `#` comments (whole-line or after a space). */
function parsePlainIgnore(file: string, text: string, fail: (m: string, line?: number) => never): IgnoreFile {
  const entries: IgnoreEntry[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = i + 1;
    const hash = rawLine.search(/(^|\s)#/);
    const content = (hash >= 0 ? rawLine.slice(0, hash) : rawLine).trim();
    if (!content) return;
    const [id, ...rest] = content.split(/\s+/);
    if (!TOKEN.test(id!)) fail(`"${clip(id!)}" is not a rule id or fingerprint`, line);
    const entry: IgnoreEntry = { source: `${file}:${line}` };
    if (FINGERPRINT.test(id!)) entry.fingerprint = id!.toLowerCase();
    else entry.rule = id!;
    for (const word of rest) {
      const m = /^exp:(.*)$/.exec(word);
      if (!m) fail(`unexpected "${clip(word)}" (expected exp:YYYY-MM-DD or a # comment)`, line);
      if (!isDate(m![1]!)) fail(`"${clip(m![1]!)}" is not a date YYYY-MM-DD`, line);
      entry.expires = m![1]!;
    }
    entries.push(entry);
  });
  return { path: file, format: 'text', entries };
}

function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function clip(s: string): string {
  const j = JSON.stringify(s).slice(1, -1);
  return j.length > 60 ? `${j.slice(0, 57)}...` : j;
}

/** True once the expiry day (UTC) is over. */
export function isExpired(entry: IgnoreEntry, now: Date): boolean {
  return entry.expires !== undefined && entry.expires < now.toISOString().slice(0, 10);
}

function ruleMatches(rule: string, f: Finding): boolean {
  const norm = (id: string) => {
    const lower = id.toLowerCase();
    return lower.startsWith(`${f.scanner}/`) ? lower.slice(f.scanner.length + 1) : lower;
  };
  const want = norm(rule);
  if (norm(f.ruleId) === want) return true;
  // A peer tool's id (e.g. from an existing .trivyignore) matches the rules that declare it.
  return Object.values(f.equivalents ?? {}).some((ids) =>
    ids.some((id) => id.toLowerCase() === rule.toLowerCase()),
  );
}

type PathMatcher = (p: string) => boolean;

function pathMatcher(globs: readonly string[]): PathMatcher {
  const matchers = globs.map((g) => {
    const glob = g.startsWith('./') ? g.slice(2) : g;
    const dirGlob = glob.endsWith('/') ? `${glob}**` : glob;
    return picomatch(dirGlob, { dot: true, basename: !dirGlob.includes('/') });
  });
  return (p) => matchers.some((m) => m(p));
}

function findingPath(f: Finding): string | undefined {
  return f.location?.path ?? f.package?.path ?? f.resource?.path;
}

/**
 * Pure: marks the findings an active entry matches as suppressed (kind `ignorefile`); findings that
 * are already suppressed keep their suppression. Expired entries do not suppress; each yields a warning.
 */
export function applyIgnoreFile(
  findings: readonly Finding[],
  ignore: IgnoreFile,
  now: Date,
): { findings: Finding[]; warnings: string[] } {
  const warnings: string[] = [];
  const active: { entry: IgnoreEntry; paths?: PathMatcher }[] = [];
  for (const entry of ignore.entries) {
    if (isExpired(entry, now)) {
      const what = [
        entry.rule && `rule ${entry.rule}`,
        entry.paths && `paths ${entry.paths.join(', ')}`,
        entry.fingerprint && `fingerprint ${entry.fingerprint}`,
      ]
        .filter(Boolean)
        .join(', ');
      warnings.push(
        `${entry.source}: ignore entry expired on ${entry.expires} and no longer suppresses (${what})`,
      );
      continue;
    }
    active.push({ entry, ...(entry.paths ? { paths: pathMatcher(entry.paths) } : {}) });
  }
  const out = findings.map((f) => {
    if (f.suppressed) return f;
    const hit = active.find(({ entry, paths }) => {
      if (entry.fingerprint !== undefined && entry.fingerprint !== f.fingerprint.toLowerCase()) return false;
      if (entry.rule !== undefined && !ruleMatches(entry.rule, f)) return false;
      if (paths) {
        const p = findingPath(f);
        if (p === undefined || !paths(p)) return false;
      }
      return true;
    });
    if (!hit) return f;
    return {
      ...f,
      suppressed: {
        kind: 'ignorefile' as const,
        ...(hit.entry.reason ? { reason: hit.entry.reason } : {}),
        source: hit.entry.source,
      },
    };
  });
  return { findings: out, warnings };
}

/**
 * Non-throwing JSON and TOML parsing for lockfiles, with the problem's line. Shared by the pypi,
 * cargo, composer and nuget parsers.
 */
import { parse as parseTomlText, TomlError } from 'smol-toml';
import type { ParseProblem } from '../../model.js';
import { parseJson as parsePositional } from './json-lines.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: ParseProblem };

export type JsonRecord = Record<string, unknown>;

export function isRecord(x: unknown): x is JsonRecord {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A string value, or undefined for anything else. */
export function asString(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/**
 * Parses JSON natively (fast); on a syntax error, re-reads the text with the positional reader for
 * the line and a message that does not quote the file (V8's messages echo a slice of the input,
 * which may hold a credential).
 */
export function parseJson(path: string, text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const located = parsePositional(text);
    const where = located.ok ? undefined : located.error;
    return {
      ok: false,
      problem: {
        path,
        ...(where ? { line: where.line } : {}),
        message: `invalid JSON${where ? ` (column ${where.column}): ${where.message}` : ''}`,
      },
    };
  }
}

/** A JSON document whose top level must be an object. */
export function parseJsonObject(path: string, text: string): Parsed<JsonRecord> {
  const parsed = parseJson(path, text);
  if (!parsed.ok) return parsed;
  if (!isRecord(parsed.value))
    return { ok: false, problem: { path, line: 1, message: 'expected a JSON object at the top level' } };
  return { ok: true, value: parsed.value };
}

export function parseToml(path: string, text: string): Parsed<JsonRecord> {
  try {
    const value = parseTomlText(text, { maxDepth: 64, unsafeKeyBehaviour: 'drop' }) as unknown;
    return { ok: true, value: isRecord(value) ? value : {} };
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0] ?? e.message;
      return {
        ok: false,
        problem: { path, line: e.line, message: first.replace(/^Invalid TOML document: /, 'invalid TOML: ') },
      };
    }
    return {
      ok: false,
      problem: { path, message: `invalid TOML: ${e instanceof Error ? e.message : String(e)}` },
    };
  }
}

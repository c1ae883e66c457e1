import type { SecretRule } from './rule.js';

/** A secret found in a text: positions are 1-based lines and columns of the content. */
export interface SecretMatch {
  ruleId: string;
  /** The secret value itself — callers must mask it before it leaves the process. */
  secret: string;
  /** The full regex match (also sensitive). */
  match: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** Shannon entropy of the secret, bits per character. */
  entropy: number;
}

export interface CompiledRuleSet {
  readonly rules: readonly SecretRule[];
}

export interface DetectOptions {
  /** Epoch ms; detection stops (returns what it found, with `timedOut`) when passed. */
  deadline?: number;
}

export interface DetectResult {
  matches: SecretMatch[];
  timedOut: boolean;
}

/** Validates and compiles a rule set; throws one error listing every invalid rule. */
export function compileRules(_rules: readonly SecretRule[]): CompiledRuleSet {
  throw new Error('not implemented yet');
}

/** Pure: finds secrets in `content` (bytes of one file or excerpt). */
export function detectSecrets(
  _content: Buffer | string,
  _path: string,
  _set: CompiledRuleSet,
  _options: DetectOptions = {},
): DetectResult {
  throw new Error('not implemented yet');
}

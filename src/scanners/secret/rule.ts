import type { Severity } from '../../core/severity.js';

/**
 * A secret rule is data. Regexes are JavaScript RegExp source (no inline `(?i)`: use `flags`).
 * Every rule carries its own true-positive and false-positive examples, checked by a test and
 * again when the rule set is compiled.
 */
export interface SecretRule {
  /** Stable id without the `secret/` prefix, kebab-case, e.g. `github-pat`. */
  id: string;
  title: string;
  description: string;
  /** JS RegExp source. Must be linear-time friendly: no nested quantifiers over the same chars. */
  regex: string;
  /** RegExp flags besides `g`/`d`/`y` which the engine adds (`i` is the usual one). */
  flags?: string;
  /**
   * Which capture holds the secret: a group number or a named group. Default: group 1 when the
   * regex has a capture group, else the whole match.
   */
  secretGroup?: number | string;
  /**
   * Lower-case literal strings; the rule only runs on text windows that contain one of them (the
   * Aho-Corasick prefilter). At least one is required, each ≥ 3 characters.
   */
  keywords: string[];
  /**
   * How far (in bytes) from a keyword occurrence the match may reach, on either side. The rule's
   * regex runs only on these windows (extended to whole lines when lines are short). Default 320;
   * multi-line rules such as PEM private-key blocks need more (e.g. 16384).
   */
  span?: number;
  /**
   * Lower-case names (≥ 5 chars, not common words) that identify this rule's provider in the text
   * around a credential, e.g. `['abyssale']`. When a generic rule's match has one of these names
   * within its context (same line or the few lines before) and no provider rule matched that
   * secret, the generic match is dropped: the provider's own format check decides. Names are
   * added to the keyword prefilter automatically.
   */
  provider?: string[];
  /**
   * A pure structural check of the secret (decoding, checksum, documented example values): when it
   * returns false the match is dropped. Must be fast and must not throw.
   */
  validate?: (secret: string) => boolean;
  /** Minimum Shannon entropy (bits per char) of the secret. */
  entropy?: number;
  allow?: {
    /** JS regex sources tested against the secret (or `target: 'match'|'line'`). */
    regexes?: string[];
    regexTarget?: 'secret' | 'match' | 'line';
    /** Lower-case substrings: a secret containing one is not reported. */
    stopwords?: string[];
    /** Picomatch globs of paths where this rule is not applied. */
    paths?: string[];
  };
  severity: Severity;
  confidence?: 'high' | 'medium' | 'low';
  references?: string[];
  /** Equivalent rule ids in peer tools, for the docs and SARIF properties. */
  equivalents?: { gitleaks?: string[]; trivy?: string[] };
  /** Lines that the rule must match (the secret must be found) … */
  truePositives: string[];
  /** … and lines it must not match. */
  falsePositives: string[];
}

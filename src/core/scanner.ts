import type { CommitInfo, Finding, RuleDescriptor, ScannerKind } from './finding.js';
import type { Skipped } from '../walk/types.js';

/**
 * One unit of bytes handed to a scanner: a file of the working tree, a staged blob, or the lines a
 * commit added. Parsers and matchers only ever see this (pure functions over bytes); the I/O that
 * produced it lives at the edges (walker, git).
 */
export interface ScanTarget {
  /** Path relative to the scan root, forward slashes. */
  path: string;
  content: Buffer;
  /**
   * When the content is an excerpt (the added lines of a diff), lineMap[i] is the real 1-based line
   * number of the content's line i+1. Absent: content line numbers are the file's.
   */
  lineMap?: readonly number[];
  commit?: CommitInfo;
  layer?: string;
}

export interface ScanContext {
  /** Record a non-fatal problem (counted and shown in the summary, logged with --debug). */
  warn(message: string): void;
  /** Epoch ms after which the scanner must stop working on this target and warn. */
  deadline: number;
  /** Available in finalize: list a file as skipped, e.g. a lockfile of an unsupported format. */
  skip?(skipped: Skipped): void;
}

/** Every scanner of the platform implements this one interface and is listed in the registry. */
export interface Scanner {
  readonly kind: ScannerKind;
  /** Bumped whenever detection changes; part of any cache key. */
  readonly version: string;
  /** Cheap path prefilter: files for which it returns false are never opened for this scanner. */
  required(path: string): boolean;
  /** Scan one target. Must not throw on malformed input: return findings and call ctx.warn. */
  scan(target: ScanTarget, ctx: ScanContext): Finding[];
  /** Cross-file checks, run once after every target was scanned. */
  finalize?(ctx: ScanContext): Finding[];
  /**
   * Scanners with cross-file state (read by finalize) and scanning in worker threads: each worker
   * drains its instance's state (plain, structured-cloneable data) after a batch, and the
   * main-thread instance absorbs every drained state before finalize.
   */
  drainState?(): unknown;
  absorbState?(state: unknown): void;
  /** Descriptors of every rule this scanner can report. */
  rules(): RuleDescriptor[];
}

export interface ScannerFactoryOptions {
  /** The resolved `rampart.yaml` section for this scanner (already schema-validated). */
  config: Record<string, unknown>;
}

export type ScannerFactory = (options: ScannerFactoryOptions) => Promise<Scanner>;

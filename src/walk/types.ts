/** Why the walker (or the loader) did not hand a file to the scanners. */
export type SkipReason =
  | 'ignored' // .gitignore / .rampartignore / skip-paths (not reported individually, only counted)
  | 'binary'
  | 'too-large'
  | 'symlink' // symlinks are never followed
  | 'special-file' // fifo, socket, device
  | 'unreadable'
  | 'timeout' // the per-file time budget ran out (set by the pipeline)
  | 'unsupported'; // a lockfile of a format Rampart does not read yet (set by the dependency scanner)

export interface Skipped {
  /** Path relative to the root, forward slashes. */
  path: string;
  reason: SkipReason;
  detail?: string;
}

export interface WalkOptions {
  /** Absolute path of the scan root (a directory or a single file). */
  root: string;
  /** Bytes; larger files are skipped as 'too-large' without being read. */
  maxFileSize: number;
  /** Honour .gitignore files (root and nested) and .git/info/exclude. .rampartignore is always honoured. */
  respectGitignore: boolean;
  /** Extra gitignore-style patterns (config `skip-paths`, flag `--skip-paths`). */
  skipPaths: readonly string[];
  onSkip(skipped: Skipped): void;
}

export interface WalkedFile {
  /** Relative to the root, forward slashes (for a single-file root: its base name). */
  path: string;
  absPath: string;
  size: number;
}

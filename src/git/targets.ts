import { RampartError } from '../core/errors.js';
import type { ScanTarget } from '../core/scanner.js';
import type { Skipped } from '../walk/types.js';
import { LineSplitter } from './lines.js';
import { LOG_FORMAT, PatchParser, lineCapFor } from './patch-parser.js';
import { locate, type RepoLocation } from './repo.js';
import { gitOutput, spawnGit } from './run.js';

/**
 * What a git-mode scan reads:
 * - `staged`: the lines the next commit would add (index against HEAD) — the pre-commit view.
 * - `history`: the lines each commit reachable from `refs` added (default `--all`), oldest first.
 * - `diff`: the lines each commit in `merge-base(base, HEAD)..HEAD` added — what the branch adds.
 *   Committed changes only: uncommitted or unstaged edits are not part of it (scan them with
 *   `--staged` or a path scan), like GitHub dependency review and `gitleaks --log-opts base..HEAD`.
 *   Each commit is scanned, so a secret added and removed again inside the branch is still reported
 *   (it is pushed with the branch).
 */
export type GitMode =
  { kind: 'staged' } | { kind: 'history'; refs: string[] } | { kind: 'diff'; base: string };

export interface GitTargetOptions {
  /** Cap on the added bytes of one file in one commit; bigger patches are skipped as too-large. */
  maxFileSize?: number;
  /** Told about binary and oversized patches (they are not scanned). */
  onSkip?: (skipped: Skipped) => void;
}

export const DEFAULT_MAX_PATCH_BYTES = 10 * 1024 * 1024;

/** Pseudo-refs of `git log` accepted in `refs`; anything else that starts with `-` is refused. */
const PSEUDO_REFS = new Set(['--all', '--branches', '--tags', '--remotes']);

const DIFF_OPTIONS = [
  '-p',
  '--unified=0',
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '--src-prefix=a/',
  '--dst-prefix=b/',
  '--submodule=short',
  '-M',
];

/**
 * Streams the added lines of `mode` as ScanTargets: one per (commit, file) with `content` = the added
 * lines joined by `\n`, `lineMap` = their line numbers in the new file, and `commit` (history and
 * diff modes). Paths are relative to `root` (pass `repoRootOf(x)` to scan the whole repository; a
 * subdirectory limits the scan to it). `onCommit` is called once per commit read.
 * Errors: RampartError('GIT_FAILED') with one line such as `not a git repository: X`,
 * `unknown revision: main`.
 */
export async function* gitTargets(
  mode: GitMode,
  root: string,
  onCommit?: () => void,
  options: GitTargetOptions = {},
): AsyncIterable<ScanTarget> {
  const loc = await locate(root);
  const args = await gitArgs(mode, loc, root);
  const maxFileBytes = options.maxFileSize ?? DEFAULT_MAX_PATCH_BYTES;
  const proc = spawnGit(args, loc.cwd, { where: root, action: `git ${args[0]}` });
  const splitter = new LineSplitter(lineCapFor(maxFileBytes));
  const parser = new PatchParser({ maxFileBytes });
  let finished = false;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      for (const line of splitter.push(chunk)) parser.line(line);
      yield* emit(parser, onCommit, options.onSkip);
    }
    for (const line of splitter.end()) parser.line(line);
    parser.end();
    // Only trust the tail once git said it completed: a failing git must not look like a clean scan.
    await proc.done;
    finished = true;
    yield* emit(parser, onCommit, options.onSkip);
  } finally {
    if (!finished) proc.kill();
  }
}

function* emit(
  parser: PatchParser,
  onCommit: (() => void) | undefined,
  onSkip: GitTargetOptions['onSkip'],
): Generator<ScanTarget> {
  for (const ev of parser.drain()) {
    if (ev.kind === 'commit') {
      onCommit?.();
    } else if (ev.kind === 'skip') {
      onSkip?.({ path: ev.path, reason: ev.reason, detail: ev.detail });
    } else {
      const target: ScanTarget = { path: ev.path, content: ev.content, lineMap: ev.lineMap };
      if (ev.commit) target.commit = ev.commit;
      yield target;
    }
  }
}

async function gitArgs(mode: GitMode, loc: RepoLocation, root: string): Promise<string[]> {
  const diff = loc.relative ? [...DIFF_OPTIONS, '--relative'] : DIFF_OPTIONS;
  const paths = ['--', ...loc.pathspec];
  // Parents before children, then by date: the first commit that shows a line is where it appeared.
  const log = [
    'log',
    '--reverse',
    '--date-order',
    '--full-history',
    '--cc',
    `--format=${LOG_FORMAT}`,
    ...diff,
  ];
  switch (mode.kind) {
    case 'staged':
      return ['diff', '--cached', ...diff, ...paths];
    case 'history': {
      const refs = mode.refs.length ? mode.refs : ['--all'];
      const pseudo = refs.filter((r) => PSEUDO_REFS.has(r));
      const named = refs.filter((r) => !PSEUDO_REFS.has(r));
      for (const r of named) checkRevision(r);
      return [...log, ...pseudo, '--end-of-options', ...named, ...paths];
    }
    case 'diff': {
      checkRevision(mode.base);
      const base = await mergeBase(mode.base, loc, root);
      return [...log, '--end-of-options', `${base}..HEAD`, ...paths];
    }
  }
}

function checkRevision(rev: string): void {
  if (rev === '' || rev.startsWith('-') || /[\0\n]/.test(rev)) {
    throw new RampartError('USAGE', `invalid revision "${rev}" (a revision may not start with "-")`);
  }
}

async function mergeBase(ref: string, loc: RepoLocation, root: string): Promise<string> {
  const ctx = { where: root, action: 'git merge-base' };
  // Resolve first, for a precise "unknown revision" instead of merge-base's generic message.
  await gitOutput(
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    loc.cwd,
    ctx,
  ).catch(() => {
    throw new RampartError('GIT_FAILED', `unknown revision: ${ref}`);
  });
  await gitOutput(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], loc.cwd, ctx).catch(() => {
    throw new RampartError('GIT_FAILED', `the repository has no commit yet (HEAD is unborn): ${root}`);
  });
  try {
    return (await gitOutput(['merge-base', '--end-of-options', ref, 'HEAD'], loc.cwd, ctx)).trim();
  } catch (err) {
    const shallow =
      (await gitOutput(['rev-parse', '--is-shallow-repository'], loc.cwd, ctx).catch(() => '')).trim() ===
      'true';
    const hint = shallow
      ? ' (this is a shallow clone: fetch the full history, e.g. actions/checkout with fetch-depth: 0)'
      : '';
    throw new RampartError('GIT_FAILED', `no common ancestor of ${ref} and HEAD${hint}`, { cause: err });
  }
}

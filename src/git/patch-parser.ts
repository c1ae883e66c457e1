import type { CommitInfo } from '../core/finding.js';
import { LineSplitter, type Line } from './lines.js';
import { diffGitNewPath, headerPath, readQuoted } from './quoted-path.js';

/**
 * A pure, incremental parser of `git log -p` / `git diff` output. It keeps only the added lines of
 * the file being parsed, so a history of any length streams through in bounded memory.
 *
 * Commit headers are lines that start with NUL (see LOG_FORMAT): a patch line never does, since
 * every line of a hunk starts with `+`, `-`, ` ` or `\`.
 */

/** `git log --format` for the commit header line: NUL, then sha, author, email, ISO date, subject. */
export const LOG_FORMAT = '%x00%H%x00%an%x00%ae%x00%aI%x00%s';

/** The added lines of one file in one commit (or in the index). */
export interface FilePatch {
  kind: 'file';
  /** New-side path, as git printed it (relative to the repository, or to the cwd with --relative). */
  path: string;
  /** The added lines joined by `\n`. */
  content: Buffer;
  /** lineMap[i] = line number in the new file of content line i+1. */
  lineMap: number[];
  commit?: CommitInfo;
}

export interface SkippedPatch {
  kind: 'skip';
  path: string;
  reason: 'binary' | 'too-large';
  detail: string;
  commit?: CommitInfo;
}

export interface CommitStart {
  kind: 'commit';
  commit: CommitInfo;
}

export type PatchEvent = CommitStart | FilePatch | SkippedPatch;

export interface PatchParserOptions {
  /** Cap on the content (added lines joined by `\n`) of one file of one commit; beyond it the file is skipped. */
  maxFileBytes: number;
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const SPACE = 0x20;
const AT = 0x40;
const NUL = 0x00;
const BACKSLASH = 0x5c;

interface FileState {
  /** Best path known so far: from `diff --git`, then `rename to`, finally `+++`. */
  path: string | undefined;
  /** Set by `+++ /dev/null`: the file is deleted, nothing is added. */
  deleted: boolean;
  binary: boolean;
  /** A submodule (gitlink, mode 160000): its "content" is a commit id. */
  gitlink: boolean;
  /** Number of parents of a combined (`diff --cc`) patch; 1 for a plain patch. */
  parents: number;
  inHunks: boolean;
  nextLine: number;
  lines: Buffer[];
  lineMap: number[];
  bytes: number;
  tooLarge: boolean;
}

const HUNK_HEADER = /^(@{2,}) (?:-\d+(?:,\d+)? )+\+(\d+)(?:,\d+)? @{2,}/;
/** Only this many bytes of a hunk header are decoded: the rest is the function context. */
const HUNK_HEADER_PREFIX = 256;

export class PatchParser {
  private readonly events: PatchEvent[] = [];
  private commit: CommitInfo | undefined;
  private file: FileState | undefined;

  constructor(private readonly options: PatchParserOptions) {}

  /** Feeds one line (without `\n`). */
  line({ bytes, truncated }: Line): void {
    const first = bytes[0];
    if (first === NUL) {
      this.flush();
      this.commit = parseCommitHeader(bytes);
      if (this.commit) this.events.push({ kind: 'commit', commit: this.commit });
      return;
    }
    const file = this.file;
    if (file?.inHunks) {
      if (first === PLUS || first === SPACE || first === MINUS) {
        this.hunkLine(file, bytes, truncated);
        return;
      }
      if (first === BACKSLASH) return; // "\ No newline at end of file"
      if (first === AT) {
        this.hunkHeader(file, bytes);
        return;
      }
    }
    if (startsWith(bytes, 'diff ')) {
      this.flush();
      this.file = newFile(bytes.toString('utf8'));
      return;
    }
    if (file && !file.inHunks) this.extendedHeader(file, bytes);
  }

  /** Ends the input: the last file is complete. */
  end(): void {
    this.flush();
  }

  /** Takes the events produced so far. */
  drain(): PatchEvent[] {
    return this.events.splice(0, this.events.length);
  }

  private extendedHeader(file: FileState, bytes: Buffer): void {
    if (bytes[0] === AT) {
      this.hunkHeader(file, bytes);
      return;
    }
    const text = bytes.toString('utf8');
    if (text.startsWith('+++ ')) {
      const p = headerPath(text.slice(4), 'b/');
      if (p === undefined) file.deleted = true;
      else file.path = p;
    } else if (text.startsWith('rename to ') || text.startsWith('copy to ')) {
      const rest = text.slice(text.indexOf(' to ') + 4);
      file.path = rest.startsWith('"') ? (readQuoted(rest)?.value ?? file.path) : rest;
    } else if (text.startsWith('deleted file mode')) {
      file.deleted = true;
    } else if (text.startsWith('Binary files ') || text === 'GIT binary patch') {
      file.binary = true;
    } else if (/^(?:new file mode|index \S+) 160000$/.test(text)) {
      file.gitlink = true;
    }
  }

  private hunkHeader(file: FileState, bytes: Buffer): void {
    const m = HUNK_HEADER.exec(bytes.subarray(0, HUNK_HEADER_PREFIX).toString('latin1'));
    if (!m) return;
    file.inHunks = true;
    file.parents = m[1]!.length - 1;
    file.nextLine = Number(m[2]);
  }

  private hunkLine(file: FileState, bytes: Buffer, truncated: boolean): void {
    const n = file.parents;
    let added: boolean;
    if (n === 1) {
      if (bytes[0] === MINUS) return;
      added = bytes[0] === PLUS;
    } else {
      // Combined diff of a merge: one column per parent. A line with a `-` is not in the result; a
      // line with `+` in every column is new in the merge itself (an evil merge or a conflict
      // resolution); a line `+` against some parents only came from another parent, whose own
      // commit is scanned already.
      let plus = 0;
      for (let i = 0; i < n; i++) {
        const c = bytes[i];
        if (c === MINUS) return;
        if (c === PLUS) plus++;
      }
      added = plus === n;
    }
    const lineNo = file.nextLine++;
    if (!added || file.deleted || file.binary || file.gitlink || file.tooLarge) return;
    const text = bytes.subarray(n);
    const size = file.bytes + (file.lines.length > 0 ? 1 : 0) + text.length;
    if (truncated || size > this.options.maxFileBytes) {
      file.tooLarge = true;
      file.lines = [];
      file.lineMap = [];
      return;
    }
    file.lines.push(text);
    file.lineMap.push(lineNo);
    file.bytes = size;
  }

  private flush(): void {
    const file = this.file;
    this.file = undefined;
    if (!file || file.deleted || file.gitlink || file.path === undefined) return;
    const commit = this.commit;
    const base = commit ? { path: file.path, commit } : { path: file.path };
    if (file.binary) {
      this.events.push({ kind: 'skip', ...base, reason: 'binary', detail: describe('binary patch', commit) });
    } else if (file.tooLarge) {
      const cap = this.options.maxFileBytes;
      this.events.push({
        kind: 'skip',
        ...base,
        reason: 'too-large',
        detail: describe(`added lines exceed ${cap} bytes`, commit),
      });
    } else if (file.lines.length > 0) {
      const content = joinLines(file.lines, file.bytes);
      this.events.push({ kind: 'file', ...base, content, lineMap: file.lineMap });
    }
  }
}

/**
 * Parses a whole patch text at once (tests, small diffs). The streaming path (gitTargets) feeds a
 * PatchParser line by line instead.
 */
export function parseUnifiedDiff(
  patch: string | Buffer,
  options: Partial<PatchParserOptions> = {},
): PatchEvent[] {
  const bytes = typeof patch === 'string' ? Buffer.from(patch, 'utf8') : patch;
  const maxFileBytes = options.maxFileBytes ?? Number.MAX_SAFE_INTEGER;
  const parser = new PatchParser({ maxFileBytes });
  const splitter = new LineSplitter(lineCapFor(Math.min(maxFileBytes, bytes.length + 1)));
  for (const l of splitter.push(bytes)) parser.line(l);
  for (const l of splitter.end()) parser.line(l);
  parser.end();
  return parser.drain();
}

/**
 * The longest line worth keeping whole: an added line longer than the per-file cap makes the file
 * too large anyway (the margin covers the `+`/`++` columns and header lines).
 */
export function lineCapFor(maxFileBytes: number): number {
  return maxFileBytes + 4096;
}

function newFile(header: string): FileState {
  let path: string | undefined;
  let parents = 1;
  if (header.startsWith('diff --git ')) {
    path = diffGitNewPath(header.slice('diff --git '.length));
  } else {
    // `diff --cc <path>` / `diff --combined <path>`: no a/ b/ prefixes.
    const rest = header.replace(/^diff --(?:cc|combined) /, '');
    path = rest.startsWith('"') ? readQuoted(rest)?.value : rest;
    parents = 2;
  }
  return {
    path,
    deleted: false,
    binary: false,
    gitlink: false,
    parents,
    inHunks: false,
    nextLine: 1,
    lines: [],
    lineMap: [],
    bytes: 0,
    tooLarge: false,
  };
}

function parseCommitHeader(bytes: Buffer): CommitInfo | undefined {
  const [, sha, author, email, date, subject] = bytes.toString('utf8').split('\0');
  if (!sha || !/^[0-9a-f]{40,64}$/.test(sha)) return undefined;
  const commit: CommitInfo = { sha };
  if (author) commit.author = author;
  if (email) commit.email = email;
  if (date) commit.date = date;
  if (subject !== undefined) commit.message = subject;
  return commit;
}

function describe(what: string, commit: CommitInfo | undefined): string {
  return commit ? `${what} in commit ${commit.sha.slice(0, 12)}` : what;
}

function joinLines(lines: Buffer[], total: number): Buffer {
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  lines.forEach((l, i) => {
    if (i > 0) out[at++] = 0x0a;
    at += l.copy(out, at);
  });
  return out;
}

function startsWith(bytes: Buffer, ascii: string): boolean {
  if (bytes.length < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[i] !== ascii.charCodeAt(i)) return false;
  return true;
}

import ignore, { type Ignore } from 'ignore';

/**
 * Layered gitignore-style rules: one layer per ignore file (`.git/info/exclude`, each `.gitignore`,
 * each `.rampartignore`), ordered from the least to the most specific. As in git, a deeper file
 * overrides a shallower one, and within one file the last matching pattern wins.
 *
 * Paths given to `test` are relative to the scan root with forward slashes; each layer translates
 * them to be relative to the directory of its own file.
 */
export interface IgnoreLayer {
  /** Where the rules come from, for the skip detail (e.g. `src/.gitignore`). */
  readonly source: string;
  /** Prepended to the root-relative path (layers of ignore files above the scan root). */
  readonly prefix: string;
  /** Length of the root-relative directory of the file (with its trailing slash), stripped. */
  readonly strip: number;
  readonly matcher: Ignore;
}

export interface IgnoreVerdict {
  ignored: boolean;
  /** `source: pattern` of the deciding rule when ignored. */
  by?: string;
}

/** Git matches case-insensitively where the filesystem is (core.ignorecase). */
export const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

/** Max bytes read from one ignore file (a hostile repository could ship a huge one). */
export const MAX_IGNORE_FILE_BYTES = 1 << 20;

/**
 * Max patterns taken from one ignore file. Each pattern is a regex tested against every path below
 * its directory (~0.4 µs each), so a hostile repository with a 20,000-line .gitignore could stall
 * the walk for minutes. Real ignore files have tens to hundreds of patterns. Dropping patterns
 * errs on the safe side: more files get scanned, none is hidden.
 */
export const MAX_IGNORE_PATTERNS = 2000;

/** The pattern lines of an ignore file (blank lines and comments dropped), capped. */
export function patternLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim() || line.startsWith('#')) continue;
    out.push(line);
    if (out.length >= MAX_IGNORE_PATTERNS) break;
  }
  return out;
}

export function makeMatcher(patterns: readonly string[]): Ignore {
  return ignore({ ignorecase: IGNORE_CASE }).add([...patterns]);
}

/** The layer of one ignore file; undefined when it holds no pattern (nothing to test paths against). */
export function makeLayer(
  source: string,
  text: string,
  dirRel: string,
  prefix = '',
): IgnoreLayer | undefined {
  const patterns = patternLines(text);
  if (!patterns.length) return undefined;
  return { source, prefix, strip: dirRel.length, matcher: makeMatcher(patterns) };
}

/**
 * Decides whether `relPath` (root-relative, no trailing slash) is ignored. Directories are tested
 * with a trailing slash so that `build/` patterns match them only.
 *
 * Known simplification: each layer also applies its own parent-directory exclusions (the `ignore`
 * package has no way to test a path alone), so a directory excluded by an outer file and re-included
 * by a deeper one keeps its files excluded unless they are re-included themselves.
 */
export function testIgnored(layers: readonly IgnoreLayer[], relPath: string, isDir: boolean): IgnoreVerdict {
  let verdict: IgnoreVerdict = { ignored: false };
  for (const layer of layers) {
    const local = layer.prefix + relPath.slice(layer.strip) + (isDir ? '/' : '');
    let r: ReturnType<Ignore['test']>;
    try {
      r = layer.matcher.test(local);
    } catch {
      continue; // a path the package refuses (not relative): no rule can apply to it
    }
    if (r.ignored) verdict = { ignored: true, by: `${layer.source}: ${r.rule?.pattern ?? '?'}` };
    else if (r.unignored) verdict = { ignored: false };
  }
  return verdict;
}

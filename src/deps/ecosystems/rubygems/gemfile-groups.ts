/**
 * Best-effort reading of Gemfile groups (https://bundler.io/guides/groups.html): which gems the
 * Gemfile declares inside `group :development, :test do … end` blocks or with `group:` / `groups:`
 * options. A Gemfile is Ruby, so this is a line-based approximation: `do`/`end` and `if`/`unless`/
 * `def`… openers are counted to find where a group block ends; anything it cannot read is left out.
 */

export interface GemGroups {
  /** Gem name → every group it is declared in (`default` when outside any group). */
  groups: Map<string, Set<string>>;
}

const OPENER = /^(if|unless|case|begin|while|until|def|class|module)\b/;
const DO_BLOCK = /\bdo(\s*\|[^|]*\|)?\s*$/;

function symbols(text: string): string[] {
  return [...text.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)|["']([A-Za-z_][A-Za-z0-9_]*)["']/g)]
    .map((m) => m[1] ?? m[2] ?? '')
    .filter(Boolean);
}

/** Removes a trailing `# comment` that is not inside a string (good enough for Gemfiles). */
function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#') {
      return line.slice(0, i);
    }
  }
  return line;
}

export function parseGemfileGroups(text: string): GemGroups {
  const groups = new Map<string, Set<string>>();
  const stack: string[][] = [];
  for (const raw of text.split('\n')) {
    // Gemfile lines are short; very long ones are not worth the regexes below.
    const line = raw.length > 2000 ? '' : stripComment(raw).trim();
    if (!line) continue;
    if (/^end\b/.test(line)) {
      stack.pop();
      continue;
    }
    const group = /^group\s*\(?\s*(.*?)\)?\s+do\s*$/.exec(line);
    if (group) {
      stack.push(symbols(group[1] ?? ''));
      continue;
    }
    const gem = /^gem\s*\(?\s*["']([^"']+)["'](.*)$/.exec(line);
    if (gem?.[1]) {
      const set = groups.get(gem[1]) ?? new Set<string>();
      const enclosing = stack.flat();
      const inline =
        /(?:\bgroups?:|:groups?\s*=>)\s*(\[[^\]]*\]|:[A-Za-z_][A-Za-z0-9_]*|["'][^"']*["'])/.exec(
          gem[2] ?? '',
        );
      const own = inline?.[1] ? symbols(inline[1]) : [];
      const all = [...enclosing, ...own];
      for (const g of all.length ? all : ['default']) set.add(g);
      groups.set(gem[1], set);
      if (DO_BLOCK.test(line)) stack.push([]);
      continue;
    }
    if (OPENER.test(line) || DO_BLOCK.test(line)) {
      // One-line forms (`if x then y end`, `def f; end`) close themselves.
      if (!/\bend\s*$/.test(line)) stack.push([]);
    }
  }
  return { groups };
}

const DEV_GROUPS = new Set([
  'development',
  'dev',
  'lint',
  'linting',
  'rubocop',
  'doc',
  'docs',
  'debug',
  'tools',
  'ci',
]);
const TEST_GROUPS = new Set(['test', 'tests', 'testing', 'ci', 'spec', 'features', 'cucumber']);

/**
 * The scope a Gemfile gives a gem: `dev` when every group is a development one, `test` when every
 * group is a test one (or a mix of test and development), `prod` otherwise (default and deployment
 * groups such as `production` or `mysql` are installed by default).
 */
export function scopeOfGroups(groups: Set<string>): 'prod' | 'dev' | 'test' {
  const list = [...groups];
  if (list.every((g) => TEST_GROUPS.has(g))) return 'test';
  if (list.every((g) => DEV_GROUPS.has(g) || TEST_GROUPS.has(g))) return 'dev';
  return 'prod';
}

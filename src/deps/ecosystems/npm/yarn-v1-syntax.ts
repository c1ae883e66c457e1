/**
 * The syntax of a Yarn 1 lockfile (`# yarn lockfile v1`): blocks headed by one or more
 * comma-separated patterns at column 0, fields indented by two spaces (`version "1.2.3"`), and
 * maps such as `dependencies:` whose entries are indented by four.
 *
 *     "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.8.3":
 *       version "7.8.3"
 *       dependencies:
 *         "@babel/highlight" "^7.8.3"
 */

export interface YarnV1Block {
  patterns: string[];
  /** 1-based line of the header. */
  line: number;
  fields: Map<string, string>;
  maps: Map<string, Map<string, string>>;
}

export interface YarnV1Problem {
  line: number;
  message: string;
}

/** Splits a line into tokens: double-quoted strings (JSON escapes) or bare words. */
function tokens(text: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return undefined;
      const raw = text.slice(i, j + 1);
      try {
        out.push(JSON.parse(raw) as string);
      } catch {
        out.push(raw.slice(1, -1));
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ' ' && text[j] !== '\t') j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** `"a@^1", a@~1.2` → [`a@^1`, `a@~1.2`]. */
function headerPatterns(header: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < header.length) {
    while (header[i] === ' ') i++;
    let j = i;
    if (header[i] === '"') {
      j = i + 1;
      while (j < header.length && header[j] !== '"') j += header[j] === '\\' ? 2 : 1;
      if (j >= header.length) return undefined;
      const t = tokens(header.slice(i, j + 1));
      if (!t || t.length !== 1) return undefined;
      out.push(t[0] as string);
      j++;
    } else {
      while (j < header.length && header[j] !== ',') j++;
      out.push(header.slice(i, j).trim());
    }
    while (header[j] === ' ') j++;
    if (j < header.length && header[j] !== ',') return undefined;
    i = j + 1;
  }
  return out.filter((p) => p.length > 0);
}

export function parseYarnV1(text: string): { blocks: YarnV1Block[]; problems: YarnV1Problem[] } {
  const blocks: YarnV1Block[] = [];
  const problems: YarnV1Problem[] = [];
  const lines = text.split('\n');
  let block: YarnV1Block | undefined;
  let map: Map<string, string> | undefined;
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] as string).replace(/\r$/, '');
    const content = raw.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const line = n + 1;
    const indent = raw.length - content.length;
    const body = content.trimEnd();
    if (indent === 0) {
      map = undefined;
      block = undefined;
      const patterns = body.endsWith(':') ? headerPatterns(body.slice(0, -1)) : undefined;
      if (!patterns || patterns.length === 0) {
        problems.push({
          line,
          message: `expected a package header such as "name@range:", found ${JSON.stringify(body.slice(0, 80))}`,
        });
        continue;
      }
      block = { patterns, line, fields: new Map(), maps: new Map() };
      blocks.push(block);
      continue;
    }
    if (!block) continue; // indented lines of a header we could not read: already reported
    const t = tokens(body);
    if (!t || t.length === 0) {
      problems.push({ line, message: 'unterminated quoted string' });
      continue;
    }
    const key = (t[0] as string).replace(/:$/, '');
    if (indent <= 2) {
      if (t.length === 1 && body.endsWith(':')) {
        map = new Map();
        block.maps.set(key, map);
      } else {
        map = undefined;
        block.fields.set(key, t[1] ?? '');
      }
    } else if (map) {
      map.set(key, t[1] ?? '');
    }
  }
  return { blocks, problems };
}

/**
 * Placeholder filtering: decides whether a matched secret value is an obvious fake, a template or a
 * reference to a secret kept elsewhere rather than a credential written in clear.
 *
 * The engine calls `isPlaceholder` for every rule after a regex match. It must stay conservative:
 * real test credentials often contain words (`...fake...`, `...test...`) or look tidy, so a value is
 * only rejected on structural evidence — templating syntax, a variable reference, a masked or
 * constant body, a value made only of placeholder vocabulary, or a documented example key.
 *
 * Pure and linear-time: the input comes from hostile files, so nothing here backtracks.
 */

/** Longest value examined; a secret longer than this is judged on its first part. */
const MAX_EXAMINED = 4096;

/** AWS documentation keys (and their well-known variants), compared exactly. */
const DOCUMENTED_EXAMPLE_KEYS = new Set([
  'AKIAIOSFODNN7EXAMPLE',
  'AKIAI44QH8DHBEXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
]);

/**
 * Words that, when a value is made only of them (plus separators and at most a few digits), make it
 * a placeholder: `your_api_key`, `INSERT-TOKEN-HERE`, `changeme`, `dummy-password`…
 */
const PLACEHOLDER_WORDS = (
  'a an for goes is of to with ' + // connectors
  'access account api apikey app auth bearer change changeme client code credential ' +
  'credentials default dummy enter example fake foo bar baz here id insert key mock my none ' +
  'not null pass passwd password placeholder private put real redacted removed replace ' +
  'replaceme sample secret service some string test testing the this todo token undefined ' +
  'user username value xxx your yours'
).split(' ');
const PLACEHOLDER_WORD_SET = new Set(PLACEHOLDER_WORDS);

/**
 * Words that mark a value as a placeholder wherever they appear as a whole segment (delimited by
 * non-letters or a case change), e.g. `sk_live_REDACTED`, `token-goes-here`, `AKIA...EXAMPLE`.
 */
const MARKER_SEGMENTS = new Set('redacted placeholder changeme replaceme your yours dummy'.split(' '));

/** Characters that people use to mask a value: `xxxx`, `****`, `####`, `0000`, `••••`, `????`. */
const MASK_CHARS = new Set(['x', 'X', '*', '#', '•', '0', '?']);

export function isPlaceholder(secret: string, line?: string): boolean {
  const value = secret.length > MAX_EXAMINED ? secret.slice(0, MAX_EXAMINED) : secret;
  if (value.trim() === '') return true;
  if (DOCUMENTED_EXAMPLE_KEYS.has(value)) return true;
  if (isTemplateOrReference(value)) return true;
  if (line !== undefined && isInsideTemplate(value, line)) return true;
  if (value.includes('EXAMPLE')) return true;
  // Elided in documentation or logs: `sk_live_...`, `ops_eyJzaWdu...`, `…6wqX…`.
  if (value.includes('...') || value.includes('…')) return true;
  if (isMaskedOrConstant(value)) return true;
  if (isMostlySequential(value)) return true;
  if (isPlaceholderWording(value)) return true;
  if (isEncodedPlaceholder(value)) return true;
  return false;
}

/**
 * Base64 of placeholder wording (`ZHVtbXkgdGV4dA==` is `dummy text`): decoded, the value is printable
 * text whose words include a placeholder marker. Encoded credentials decode to random bytes or to a
 * credential (`user:pa55w0rd`), which this does not match.
 */
function isEncodedPlaceholder(v: string): boolean {
  if (v.length < 12 || v.length > 1024 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 !== 0)
    return false;
  const decoded = Buffer.from(v, 'base64').toString('latin1');
  if (!/^[\x20-\x7e]+$/.test(decoded)) return false;
  const words = decoded
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w.length > 0);
  return words.some((w) => MARKER_SEGMENTS.has(w) || ENCODED_MARKERS.has(w));
}

/** Words that mark decoded text as filler: `dummy text data`, `lorem ipsum`, `not valid json`. */
const ENCODED_MARKERS = new Set([
  'dummy',
  'lorem',
  'ipsum',
  'placeholder',
  'example',
  'sample',
  'fake',
  'invalid',
]);

/** `${VAR}`, `{{ .Values.x }}`, `<token>`, `%(name)s`, `$VAR`, `process.env.X`, `os.environ[...]`. */
function isTemplateOrReference(v: string): boolean {
  if (v.includes('${') || v.includes('{{') || v.includes('}}') || v.includes('%(') || v.includes('#{'))
    return true;
  if (v.includes('<%') || v.includes('%>')) return true;
  // <your token>, <TOKEN>, [PASSWORD], {api_key}
  if (/^[<[{(][^<>[\]{}()]*[>\]})]$/.test(v)) return true;
  if (/<[A-Za-z][\w .-]*>/.test(v)) return true;
  // $VAR, $(cmd), %VAR%, %s / %v / %d formats
  if (/^\$[A-Za-z_(]/.test(v)) return true;
  if (/^%[A-Za-z_][\w]*%$/.test(v)) return true;
  if (/^%[-+ #0-9.]*[sdvqxf]$/.test(v)) return true;
  // Environment and secret-store lookups written as code.
  if (
    /\b(?:process\.env|os\.environ|os\.getenv|System\.getenv|Environment\.GetEnvironmentVariable|getenv|ENV\[|secrets\.|vault:|ssm:|env\.)/i.test(
      v,
    )
  ) {
    return true;
  }
  return false;
}

/** The value sits inside `${ … }`, `{{ … }}` or `<…>` on its line (the regex captured only part of it). */
function isInsideTemplate(v: string, line: string): boolean {
  const text = line.length > MAX_EXAMINED * 2 ? line.slice(0, MAX_EXAMINED * 2) : line;
  let from = 0;
  for (let guard = 0; guard < 8; guard++) {
    const at = text.indexOf(v, from);
    if (at < 0) return false;
    const before = text.slice(Math.max(0, at - 12), at);
    const after = text.slice(at + v.length, at + v.length + 12);
    if (/(?:\$\{\{?|\{\{|\$\(|%\()\s*[\w.[\]'"-]*$/.test(before) && /^[\w.[\]'"-]*\s*(?:\}|\))/.test(after))
      return true;
    if (/<\s*$/.test(before) && /^\s*>/.test(after)) return true;
    from = at + 1;
  }
  return false;
}

/**
 * A value whose body is masked (`ghp_xxxxxxxxxxxx`, `****`, `sk-0000…`) or nearly constant: after
 * dropping a leading provider prefix, one mask character fills most of it, or a single run of the
 * same character covers at least half of a long value, or it uses at most two distinct characters.
 */
function isMaskedOrConstant(v: string): boolean {
  const body = stripPrefix(v);
  if (body.length === 0) return true;
  const distinct = new Set(body);
  if (body.length >= 6 && distinct.size <= 2) return true;
  let maskCount = 0;
  let longestRun = 0;
  let run = 0;
  let prev = '';
  for (const ch of body) {
    if (MASK_CHARS.has(ch)) maskCount++;
    run = ch === prev ? run + 1 : 1;
    prev = ch;
    if (run > longestRun) longestRun = run;
  }
  const significant = body.replace(/[^A-Za-z0-9*#•?]/g, '');
  if (significant.length >= 4 && maskCount >= significant.length * 0.6) return true;
  if (body.length >= 8 && longestRun >= Math.max(6, body.length * 0.5)) return true;
  // Blocks of repeated characters: aaaaaaaaaa1111111111bbbbbbbbbb…, …AAAABBBBCCCC…
  if (body.length >= 16 && (runCoverage(body, 5) >= 0.7 || runCoverage(body, 4) >= 0.25)) return true;
  return false;
}

/** Share of the string covered by runs of at least `minRun` identical characters. */
function runCoverage(s: string, minRun: number): number {
  let covered = 0;
  let run = 1;
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && s[i] === s[i - 1]) {
      run++;
    } else {
      if (run >= minRun) covered += run;
      run = 1;
    }
  }
  return covered / s.length;
}

/**
 * `abcdefghijklmnop`, `1234567890`, `0123456789abcdef…`: most of the alphanumeric body is made of
 * ascending runs. A run counts from 5 characters, so tidy test values such as `abcd1234abcd1234` or
 * `A1B2C3D4…` pass: the labeled corpora treat those as real credentials of their test suites.
 */
function isMostlySequential(v: string): boolean {
  const body = stripPrefix(v).replace(/[^A-Za-z0-9]/g, '');
  if (body.length < 8) return false;
  return sequentialCoverage(body, 5) >= 0.6;
}

/** Share of `s` covered by ascending runs (`abcd`, `4567`) of at least `minRun` characters. */
function sequentialCoverage(s: string, minRun: number): number {
  let covered = 0;
  let run = 1;
  for (let i = 1; i <= s.length; i++) {
    const cur = i < s.length ? s.charCodeAt(i) : -1;
    const prev = s.charCodeAt(i - 1);
    if (cur === prev + 1 && sameClass(cur, prev)) {
      run++;
    } else {
      if (run >= minRun) covered += run;
      run = 1;
    }
  }
  return covered / s.length;
}

function sameClass(a: number, b: number): boolean {
  const cls = (c: number): number =>
    c >= 48 && c <= 57 ? 0 : c >= 65 && c <= 90 ? 1 : c >= 97 && c <= 122 ? 2 : 3;
  return cls(a) === cls(b) && cls(a) !== 3;
}

/**
 * The value is wording rather than a credential: every segment is placeholder vocabulary
 * (`your_api_key`, `insert-token-here`, `changeme`), or a marker word such as `redacted` or `your`
 * is one of its segments (`sk_live_REDACTED`, `YOUR_SCRAPING_BEE_API_KEY`).
 */
function isPlaceholderWording(v: string): boolean {
  const segments = segmentsOf(v);
  if (segments.length === 0) return false;
  if (segments.some((s) => MARKER_SEGMENTS.has(s))) return true;
  let digits = 0;
  for (const s of segments) {
    if (/^[0-9]+$/.test(s)) {
      digits += s.length;
      continue;
    }
    if (!PLACEHOLDER_WORD_SET.has(s) && !/^x+$/.test(s) && !isWordCompound(s)) return false;
  }
  return digits <= 3;
}

/** `yourapikey`, `mypassword`, `secrettoken`: a run of letters that splits into placeholder words. */
function isWordCompound(s: string): boolean {
  if (s.length > 64) return false;
  // reachable[i]: s.slice(0, i) splits into words of two letters or more
  const reachable = new Array<boolean>(s.length + 1).fill(false);
  reachable[0] = true;
  for (let i = 0; i < s.length; i++) {
    if (!reachable[i]) continue;
    for (let j = i + 2; j <= Math.min(s.length, i + 12); j++) {
      if (PLACEHOLDER_WORD_SET.has(s.slice(i, j))) reachable[j] = true;
    }
  }
  return reachable[s.length]!;
}

/** Lower-case segments split on non-alphanumerics, letter/digit boundaries and camelCase humps. */
function segmentsOf(v: string): string[] {
  const parts = v
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/);
  return parts.filter((p) => p.length > 0).map((p) => p.toLowerCase());
}

/** Drops a short leading provider prefix such as `ghp_`, `sk-live-`, `xoxb-`, `glpat-`, `AKIA`. */
function stripPrefix(v: string): string {
  const m = /^(?:[A-Za-z0-9]{1,10}[_-]){1,3}/.exec(v);
  if (m && m[0].length < v.length - 4) return v.slice(m[0].length);
  if (/^(?:AKIA|ASIA|AIza)/.test(v)) return v.slice(4);
  return v;
}

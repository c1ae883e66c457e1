/**
 * Building blocks for the provider rules. Everything here returns plain JS RegExp *source* strings,
 * so the rule files stay data. Every quantifier is bounded: a rule must stay linear-time on hostile
 * input (a 10 MB line of `a`s, of `=`s, of base64…).
 */

/** The token does not continue an alphanumeric word on its left (`xghp_…` is not a GitHub token). */
export const L = '(?<![A-Za-z0-9])';
/** Left boundary for tokens whose own alphabet includes `_` and `-`. */
export const LW = '(?<![A-Za-z0-9_-])';
/** Right boundary: no further alphanumeric character (a longer token is a different thing). */
export const R = '(?![A-Za-z0-9])';
/** Right boundary for tokens whose alphabet includes `_` and `-` (URL-safe base64, GitLab…). */
export const RW = '(?![A-Za-z0-9_-])';
/** Right boundary for standard base64 values (`+`, `/`, `=`). */
export const RB64 = '(?![A-Za-z0-9+/=])';

/** A UUID, lower or upper case hex. */
export const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/**
 * Case-insensitive literal without the `i` flag (which would also loosen the value's alphabet):
 * `ci('snyk')` → `[sS][nN][yY][kK]`. Regex metacharacters are escaped; `_`, `-`, `.` and space in
 * the word also accept any of `_ - .` or nothing, so `api_key`, `api-key`, `apikey` and `API.KEY`
 * all match `ci('api_key')`.
 */
export function ci(word: string): string {
  let out = '';
  for (const ch of word) {
    if (/[a-zA-Z]/.test(ch)) out += `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    else if (ch === '_' || ch === '-' || ch === '.' || ch === ' ') out += '[_.\\- ]?';
    else if (/[\\^$*+?()[\]{}|/]/.test(ch)) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/**
 * `ci` for a short word that must start a name segment: not glued to the end of another lower-case
 * word (`rookTable` does not contain the name `okta`), but a camelCase hump (`myOktaToken`) or any
 * separator before it is fine.
 */
export function ciw(word: string): string {
  return `(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))${ci(word)}`;
}

/** `ci` over alternatives: `anyOf('snyk', 'snyk_token')` → `(?:[sS]…|…)`. */
export function anyOf(...words: string[]): string {
  return `(?:${words.map(ci).join('|')})`;
}

/**
 * A value assigned to a name that contains `context` (already a regex source, usually from `ci`/
 * `anyOf`): covers `KEY=v`, `KEY = "v"`, `key: v`, `"key": "v"`, `key := v`, `KEY ?= v`,
 * `key => 'v'`, `--key v`, `-H "X-Key: v"`, `<key>v</key>`, `setKey("v")`, and a few words of prose
 * between the name and the value (`new relic license key = v`). The value is capture group 1 and
 * must be followed by `end` (a right boundary).
 *
 * Bounded gaps keep it linear: at most 40 characters of name tail, 4 of quoting/space either side
 * of the operator.
 */
export function assigned(context: string, value: string, end: string = RW): string {
  return (
    `${context}[A-Za-z0-9_.\\- ]{0,40}?` +
    `['"\\])]{0,2}[\\t ]{0,4}(?:[:=?]{1,4}>?|,|\\(|>|[\\t ])[\\t ]{0,4}` +
    `(?:[\\[(]?['"\`])?` +
    `(${value})${end}`
  );
}

/**
 * A random token of 20+ letters and digits virtually always contains a digit; a value without any is
 * a word or an identifier (`searchConfluenceUsingCql`), so context rules drop it.
 */
export const NO_DIGIT = '^[^0-9]+$';

/**
 * Placeholders that are not secrets even when they have the right shape: runs of the same filler
 * character and template syntax. Used as `allow.regexes` (tested against the secret).
 */
export const PLACEHOLDER_ALLOW: string[] = [
  '[xX*]{6,}',
  '(?:0{10,}|1{10,}|9{10,})',
  '(?:[Yy]our|YOUR|[Ee]xample|EXAMPLE|[Pp]laceholder|PLACEHOLDER|[Dd]ummy|DUMMY|[Rr]edacted|REDACTED|[Cc]hangeme|CHANGEME)',
  '\\$\\{|\\{\\{|<[A-Za-z_ -]{1,40}>',
];

import type { SecretRule } from '../rule.js';
import { providerRules } from './index.js';

/**
 * Generic rules: a literal value assigned to something named like a credential. They catch the long
 * tail of providers that have no recognisable token format. Provider rules win over them: the engine
 * drops a generic match that overlaps a provider match, and a value that starts with a provider's
 * token prefix is left to that provider's rule (see `providerPrefixes`).
 *
 * `generic-api-key`, read left to right:
 *   name        – a credential word (key, token, secret, auth, authorization, credential, creds, api,
 *                 access, bearer, private, pass, passwd, password, passphrase, pwd) that ends where the
 *                 word ends (`apiKey`, `API_KEY`; not `keyboard`, `accessor`), not qualified as public
 *                 (`publicKey`, `csrf_token`), then up to 30 name characters that do not end in a word
 *                 naming an identifier or a setting (`_id`, `Name`, `_url`, `_file`, `_hash`…)
 *   assignment  – `=`, `:`, `:=`, `::=`, `=>`, `?=`, `||=`, `,` (arguments, tuples), ` - `, ` | `, ` is `
 *                 (logs, tables, prose), `key="Name" value=` (XML attributes), `>` (XML element), with an
 *                 optional closing quote or `]` after the name and a type (`key string =`, `key: str =`)
 *   value       – optionally quoted (`"`, `'`, `` ` ``, `\"`), optionally after a scheme (`Bearer `,
 *                 `Token `, `X-Auth `); 12–1024 token characters `[\w.+/=~-]` with at most one `:`;
 *                 a quoted value must end at its closing quote and an unquoted one at a delimiter, so a
 *                 value with `?`, `$`, `!`, `%`, `@` or spaces inside never matches (nor does a URL)
 *   checks      – a digit or random-looking letter case, no leading `=`, Shannon entropy ≥ 3, not a
 *                 placeholder (placeholder.ts), and not one of the allow-listed shapes below
 *
 * `generic-password`: a password-named literal with any printable characters (8–128), quoted, or
 * unquoted at the end of a line; stricter filters (no references, no words, no paths).
 */

/** `a b c` → `['a', 'b', 'c']`: word lists kept readable. */
const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** Credential words that introduce the name of a secret, written in lower case. */
const CREDENTIAL_WORDS = words(
  'key token secret auth authorization credential creds api access bearer private pass passwd password passphrase pwd',
);

/** Words that name a password; the password rule accepts any printable value after them. */
const PASSWORD_WORDS = words('password passwd pass pwd passphrase passcode');

/** Name endings that make the value an identifier, a location or a setting, not a secret. */
const NON_SECRET_NAME_ENDINGS = words(`
  id ids name names arn url uri urls endpoint host path file dir type types size length len format version
  mode count prefix header field param params label region algorithm alg hash checksum digest fingerprint
  expiry expires ttl timeout enabled required`);

/**
 * Words right before the credential word that make it public or not a secret (`publicKey`, `csrf_token`),
 * or that turn it into another word (`bypass`, `compass`, `surpass`, `trespass`).
 */
const NON_SECRET_QUALIFIERS = words(`
  public pub publishable csrf xsrf authenticity cache sort partition primary foreign idempotency dedup lookup
  by com sur tres`);

/** `word`, `Word` and `WORD`: names are matched case-sensitively so that word boundaries show. */
function caseForms(word: string): string[] {
  return [word, word[0]!.toUpperCase() + word.slice(1), word.toUpperCase()];
}

function alternation(forms: readonly string[]): string {
  return `(?:${[...new Set(forms)].sort((a, b) => b.length - a.length || a.localeCompare(b)).join('|')})`;
}

/**
 * A name word that ends where the word ends: for `key`, `apiKey`, `API_KEY`, `access_keys` match;
 * `keyboard`, `tokenizer`, `accessor`, `SECRETARY` do not (a plural `s` is allowed).
 */
function nameWord(list: readonly string[]): string {
  return alternation([
    `${alternation(list.flatMap((w) => caseForms(w).slice(0, 2)))}(?![a-rt-z]|s[a-z])`,
    `${alternation(list.map((w) => w.toUpperCase()))}(?![A-RT-Z]|S[A-Z])`,
  ]);
}

/**
 * The credential word of a name, not preceded by a qualifier that makes it public (`publicKey`,
 * `csrf_token`). The word comes first and the qualifier is checked behind it, so the regex engine only
 * does work where a credential word starts (a leading lookbehind would run at every position).
 */
function nameStart(word: string): string {
  return `(?<kw>${word})(?<!${alternation(NON_SECRET_QUALIFIERS.flatMap(caseForms))}[_.-]?\\k<kw>)`;
}

const notIdentifierName = `(?<!${alternation(NON_SECRET_NAME_ENDINGS.flatMap(caseForms))})`;
const VALUE_CHARS = '[\\w.+/=~-]';
const NAME_TAIL = '[\\w.-]{0,30}';
/** After the name: a closing quote (`"api_key": …`, `\"key\"`) and/or bracket (`ENV['KEY'] = …`). */
const NAME_CLOSE = '(?:\\\\?["\'\\x60])?\\]?';
/** A type between the name and the operator: `key string = …` (Go), `key: str = …` (Python). */
const TYPE_ANNOTATION = '(?:[ \\t]*:?[ \\t]*(?:string|String|str|&str)(?!\\w))?';
/** Assignment operators, plus `<add key="ApiKey" value="…">` and ` - ` / ` | ` / ` is ` separators. */
const ASSIGN =
  '(?:[ \\t]{0,4}(?:::=|:=|=>|\\?=|\\|\\|=|=|:|,)|[ \\t]{1,4}(?:[-|]|is(?!\\w))|[ \\t]+(?:value|Value|VALUE)[ \\t]*=)';
/** The same without `,`: a password named in a list or an argument list (`'password', 'x'`) is a name. */
const ASSIGN_NO_COMMA = ASSIGN.replace('=|:|,)', '=|:)');
/**
 * An unquoted password is a configuration value (`.env`, properties, YAML), not code: it does not start
 * with `$`, holds no brackets, `,` or `;`, and is not an identifier or member expression
 * (`BinaryLike`, `slots.fixPasses`, `!!passThrough`).
 */
const UNQUOTED_PASSWORD = '(?!\\$|[^\\s]*[(){}\\[\\],;]|[!&*]*[A-Za-z_][\\w$.]*(?:\\s|$))';
/** An opening quote, captured so that the value must end with the same one; `\"` inside JSON strings. */
const OPEN_QUOTE = '(?<q>\\\\?["\'\\x60])?';
/** An authorisation scheme before the value: `Bearer x`, `"Token x"`, `"X-Authorization x"`. */
const SCHEME = `(?:${alternation(['bearer', 'token', 'basic'].flatMap(caseForms))}[ \\t]+|[Xx]-[\\w-]{1,30}[ \\t]+)?`;
/** XML element content: `<secret>value</secret>`, `<token>{AQAAABAAA value}</token>` (Jenkins). */
const XML_CONTENT = '>[ \\t]*\\{?(?:[\\w.-]{1,40}[ \\t]+){0,3}';

/**
 * The value contains a digit, or mixes letter case the way random text does: at least three
 * lower-to-upper changes and two pairs of adjacent capitals (`PSIYbVgfkbEPQoqJfzHp…`). Values without
 * either are words and identifiers (`ExternalIdentityProviderFactory`, `CommentOrToken`,
 * `MySecretManagerKey`, `some-config-name`). Case-sensitive, so it lives in the pattern rather than in
 * the (case-insensitive) allow list.
 */
const RANDOM_LOOKING = `(?=${VALUE_CHARS}*?[0-9]|(?:${VALUE_CHARS}*?[a-z][A-Z]){3}(?:${VALUE_CHARS}*?[A-Z][A-Z]){2})`;

/**
 * `generic-api-key`, with the secret in the named group `secret`. A quoted value may be padded with
 * one or two blanks (or a stray carriage return) inside its quotes (`' abc… '`). Exported for the tests.
 */
export const GENERIC_ASSIGNMENT_REGEX =
  `${nameStart(nameWord(CREDENTIAL_WORDS))}${NAME_TAIL}${notIdentifierName}${NAME_CLOSE}${TYPE_ANNOTATION}` +
  `(?:${ASSIGN}[ \\t]{0,4}${OPEN_QUOTE}(?:(?<=["'\\x60])[ \\t]{1,2})?${SCHEME}|${XML_CONTENT})` +
  `(?!=)${RANDOM_LOOKING}(?<secret>${VALUE_CHARS}{12,1024}(?::${VALUE_CHARS}{4,512})?)` +
  `(?:(?<=[^ \\t])[ \\t\\r]{1,2}(?=["'\\x60]))?\\k<q>(?:(?<=["'\\x60])|(?=[\\s;,)}\\]<>&|\\\\"'\\x60]|$))`;

/** Printable characters of a password literal: anything but blanks, quotes, backslashes and `<>`. */
const PASSWORD_CHARS = '[^\\s"\'\\x60\\\\<>]';

/**
 * `generic-password`: `<password word><name tail> <assign> "<literal>"`, quoted or at the end of a line
 * (`.env`, properties, YAML). Unquoted values must not contain brackets or start with `$`, which mark
 * code (`getPassword()`, `$DB_PASS`, `cfg[pwd]`). Exported for the tests.
 */
export const GENERIC_PASSWORD_REGEX =
  `${nameStart(nameWord(PASSWORD_WORDS))}${NAME_TAIL}${notIdentifierName}${NAME_CLOSE}${TYPE_ANNOTATION}` +
  `${ASSIGN_NO_COMMA}[ \\t]{0,4}${OPEN_QUOTE}(?:(?<=["'\\x60])|${UNQUOTED_PASSWORD})` +
  `(?<secret>${PASSWORD_CHARS}{8,128})` +
  `\\k<q>(?:(?<=["'\\x60])|(?=[ \\t]*(?:#|//|;|$)))`;

/* Allow list (regex sources, matched case-insensitively against the secret by the engine). */

/**
 * A value made of words, numbers and word+number parts joined by separators: a name, a version, a
 * host or a path (`jetbrains.mps.v8_elimination`, `rc0.15.0_20231217-SNAPSHOT`, `sm02915.int.contoso.com`),
 * not random material. Random tokens mix letters and digits inside their parts (`usa87a`, `1c73ff35`).
 */
const IDENTIFIER_LIKE =
  '^[._/+=~:-]*(?:[A-Za-z]+|[0-9]+|[A-Za-z]+[0-9]+)(?:[._/+=~:-]+(?:[A-Za-z]+|[0-9]+|[A-Za-z]+[0-9]+))+[._/+=~:-]*$';

/** A single word followed by a short number: a generated name (`__classPrivateFieldGet2`, `buildStep12`). */
const NUMBERED_WORD = '^[_$]*[A-Za-z]+[0-9]{1,4}$';

/**
 * A part of 16+ letters and digits that is hexadecimal except for one or two letters
 * (`81a1411a7e276fd88819df3137eJ406e…`): the output of a hex generator with a typo or a deliberate
 * corruption, not a credential — a random value over a larger alphabet almost never looks like this.
 */
const NEAR_HEX =
  '(?:^|[-_.])(?=[0-9a-z]{16,}(?:[-_.]|$))[0-9a-f]*[g-z][0-9a-f]*(?:[g-z][0-9a-f]*)?(?:[-_.]|$)';

/**
 * A version-1 UUID: a timestamp and a MAC address, predictable by construction (RFC 4122 §6), used as
 * an identifier but never generated as a secret.
 */
const TIME_BASED_UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

/** A host name (`db01.corp.example.com`, `tenant.invoiceocean.net`). */
const HOST_NAME = '\\.(?:com|net|org|io|dev|app|cloud|local|internal|corp|co|ai)$';

/**
 * Provider keywords that are token prefixes (`ghp_`, `xoxb-`, `sk-ant-`, `aiza`, `pcsk_`…). A value
 * that starts with one belongs to that provider's format: when the provider rule did not report it
 * (wrong length, alphabet or checksum), the generic rules do not report it either — the provider rule
 * is the authority on its own format. Excluded: credential words themselves, short all-letter words,
 * and `eyj` (base64 of `{"`, the start of any JWT or encoded JSON, not a provider's prefix).
 */
export function providerPrefixes(providers: readonly SecretRule[]): string[] {
  const own = new Set<string>([...CREDENTIAL_WORDS, ...PASSWORD_WORDS]);
  const out = new Set<string>();
  for (const rule of providers) {
    for (const k of rule.keywords) {
      if (k.length < 3 || k === 'eyj' || own.has(k)) continue;
      if (/^[a-z]+$/.test(k) && k.length < 4) continue;
      out.add(k);
    }
  }
  return [...out].sort();
}

/** Allow-list regex source matching values that start with one of `prefixes`. */
export function providerPrefixRegex(prefixes: readonly string[]): string {
  const escaped = [...prefixes]
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'));
  return escaped.length ? `^(?:${escaped.join('|')})` : '(?!)';
}

const PROVIDER_PREFIX = providerPrefixRegex(providerPrefixes(providerRules));

export const genericRules: SecretRule[] = [
  {
    id: 'generic-api-key',
    title: 'Generic API key or token',
    description:
      'A high-entropy value assigned to a name that denotes a credential (key, token, secret, auth, api, ' +
      'access, bearer, private, password), in code, configuration, environment files, logs or XML.',
    regex: GENERIC_ASSIGNMENT_REGEX,
    flags: 'm',
    secretGroup: 'secret',
    keywords: words('key token secret auth credential creds api access bearer private pass pwd'),
    entropy: 3,
    allow: {
      regexes: [IDENTIFIER_LIKE, NUMBERED_WORD, NEAR_HEX, PROVIDER_PREFIX, TIME_BASED_UUID, HOST_NAME],
    },
    severity: 'high',
    confidence: 'medium',
    references: ['https://cwe.mitre.org/data/definitions/798.html'],
    equivalents: { gitleaks: ['generic-api-key'] },
    truePositives: [
      "serphouse token = 'H8VuKAcg3pmwH3NbhOSDJSbVqCxslaOQ7lVqF61be25HEGzCJXzzCGoxw8sE'",
      'export ACME_API_KEY=q8Zr2TfW9LmN4xVb7KcP1sYd',
      '  "formcraft_secret": "zgej8qae3ehc0mjo",',
      'const acmeAuth = "Zx81Qm4Lp0Rt7Vb2Nc6Yd9Ke"',
      'widgetToken := "k3J9xq2LmP8vR4tW7yB1nZ6c"',
      '[DEBUG] Using amadeus Key=ttdveNai3Gj6Zrjvgz4fyBEWRLARCG6a',
      "sinchmessage token - 'k255nuzmx8fzlkjfjz5unlrdbd658bon'",
      'req.Header.Set("X-Acme-Api-Key", "DyVdf7qAXw4MH9gT1CPzLk2w")',
      'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      'acme.secret.value: Q2FzZTEyMzQ1Njc4OTBhYmNkZWZnaGlq',
      '<secret>{acme AQAAABAAA zgtj0q3v38u4pthc6nmy02n60bj244u5}</secret>',
    ],
    falsePositives: [
      // references and templates, not values
      'api_key = os.environ["ACME_API_KEY"]',
      'token: ${{ secrets.GITHUB_TOKEN }}',
      'secret_key: "{{ .Values.secretKey }}"',
      // words and identifiers
      'authProvider = "ExternalIdentityProviderFactory"',
      'signing_key = "jetbrains.mps.v8_elimination"',
      'keyboardLayout = "Xk29fLq8Wm3Zr7Pt"',
      // masked or example values
      'API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'api_key = "your_api_key_goes_here"',
      // identifiers behind id-like names, public keys, time-based UUIDs
      '"kms_key_id": "555ea4a3-d53a-4412-9c66-3a7cb667b0d6",',
      'publicToken = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"',
      '_authToken=743b294a-cd03-11ec-9d64-0242ac120002',
      // a character that cannot be part of the token ends the match before the closing quote
      "acme token = 'xyclb6zdiq9hyexe?4ah4lvp3ea02sbv'",
      // a hex value with one stray letter
      'acme_key = "81a1411a7e276fd88819df3137eJ406e"',
      // too short
      'api_key = "a1b2c3d4"',
    ],
  },
  {
    id: 'generic-password',
    title: 'Password in clear',
    description:
      'A literal value assigned to a name that denotes a password (password, passwd, pwd, pass, passphrase) in ' +
      'code, configuration or environment files. Values that are references, templates, words or placeholders ' +
      'are not reported.',
    regex: GENERIC_PASSWORD_REGEX,
    flags: 'm',
    secretGroup: 'secret',
    keywords: words('pass pwd'),
    entropy: 2.5,
    allow: {
      regexes: [
        IDENTIFIER_LIKE,
        PROVIDER_PREFIX,
        // letters only: a word, a name, a variable
        '^[a-z]+$',
        // a URL or a path
        '://|^/|^~/',
      ],
    },
    severity: 'high',
    confidence: 'medium',
    references: ['https://cwe.mitre.org/data/definitions/259.html'],
    equivalents: { gitleaks: ['generic-api-key'] },
    truePositives: [
      'DB_PASSWORD=Sup3r$ecret!Pw',
      'administrator_login_password = "thisIsDog11"',
      "  password: 'A:J$NL9~6:u:L$_:VO4tf))h#v0i}O'",
      'spring.datasource.password=Xk2#pL9!qR',
      '"smtpPassword": "N4v!gat0r-2024",',
    ],
    falsePositives: [
      'password = getPassword(user)',
      'password: $DB_PASS  # do not share',
      'DB_PASSWORD=${DB_PASSWORD}',
      'password = var.db_password',
      'passwordField = "password"',
      'password: "********"',
      'password_file = "/run/secrets/db-password"',
      'bypass = "Xk2#pL9!qR"',
    ],
  },
];

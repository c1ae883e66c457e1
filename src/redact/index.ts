/**
 * `rampart/redact`: masks secrets in arbitrary text (log lines, error messages, HTTP dumps) with the
 * secret scanner's own rules — the provider rules and the generic credential-assignment rules —
 * compiled once, lazily, on first use.
 *
 *   import { redact } from 'rampart/redact';
 *   logger.info(redact(`calling API with ${header}`));   // → "… Bearer <redacted:generic-api-key>"
 *
 * Cost: one keyword pass (Aho-Corasick over the UTF-8 bytes) per call; the rules' regexes run only
 * when a keyword is present, and only around it. Redaction never gives up on a deadline: a partial
 * answer would leak.
 */
import { maskSecret } from '../core/mask.js';
import { compileRules, detectSecrets, type CompiledRuleSet } from '../scanners/secret/engine.js';
import type { SecretRule } from '../scanners/secret/rule.js';
import { providerRules } from '../scanners/secret/rules/index.js';
import { genericRules } from '../scanners/secret/rules/generic.js';

/** What a custom mask function receives. */
export interface RedactMatch {
  /** Rule id without the `secret/` prefix, e.g. `github-pat`. */
  ruleId: string;
  /** The secret itself: the mask function must not return it (or log it). */
  secret: string;
}

/**
 * - `'rule'` (default): `<redacted:github-pat>`
 * - `'prefix'`: the first (at most) 4 characters, an ellipsis and the length: `ghp_…(40)` — enough to
 *   tell two tokens apart in a log without revealing either
 * - a function of the match
 */
export type MaskStyle = 'rule' | 'prefix' | ((match: RedactMatch) => string);

export interface RedactOptions {
  mask?: MaskStyle;
  /** Only these rules (ids with or without `secret/`); default: every built-in rule. */
  rules?: readonly string[];
  /** Rules to leave out (ids with or without `secret/`). */
  disableRules?: readonly string[];
  /**
   * The text is JSON (e.g. a serialized log line): the rules run on the text with its escape
   * sequences decoded (so `\nghp_…` and PEM blocks with `\n` line breaks are recognised), a mask
   * replaces whole escape sequences only, and the mask is JSON-escaped: the output stays valid JSON.
   */
  jsonSafe?: boolean;
}

export interface Redactor {
  /** `text` with every secret replaced by its mask; the same string when nothing was found. */
  redact(text: string): string;
  /** True when `text` holds at least one secret. */
  hasSecret(text: string): boolean;
  /** Ids of the rules this redactor applies. */
  readonly ruleIds: readonly string[];
}

const stripPrefix = (id: string) => id.replace(/^secret\//, '');

function allRules(): SecretRule[] {
  return [...providerRules, ...genericRules];
}

let builtin: CompiledRuleSet | undefined;
/** The full built-in set, compiled on first use and shared by every redactor that needs it. */
function builtinSet(): CompiledRuleSet {
  return (builtin ??= compileRules(allRules()));
}

function selectSet(options: RedactOptions): CompiledRuleSet {
  if (!options.rules && !options.disableRules?.length) return builtinSet();
  const rules = allRules();
  const known = new Set(rules.map((r) => r.id));
  const wanted = options.rules?.map(stripPrefix);
  const disabled = new Set(options.disableRules?.map(stripPrefix) ?? []);
  const unknown = [...(wanted ?? []), ...disabled].filter((id) => !known.has(id));
  if (unknown.length) throw new Error(`rampart/redact: unknown rule id(s): ${unknown.join(', ')}`);
  const wantedSet = wanted ? new Set(wanted) : undefined;
  const selected = rules.filter((r) => (!wantedSet || wantedSet.has(r.id)) && !disabled.has(r.id));
  if (!selected.length) throw new Error('rampart/redact: the options select no rule');
  return compileRules(selected);
}

/** Creates a redactor; the rule subset is compiled once here, so create it once and reuse it. */
export function createRedactor(options: RedactOptions = {}): Redactor {
  // The full set stays lazy (compiled at the first redact() call); subsets are compiled now so that
  // a bad rule id fails at configuration time, not in the middle of logging.
  let set = options.rules || options.disableRules?.length ? selectSet(options) : undefined;
  const getSet = () => (set ??= builtinSet());
  const maskOf = maskFunction(options.mask ?? 'rule', options.jsonSafe ?? false);
  const jsonSafe = options.jsonSafe ?? false;
  return {
    redact(text: string): string {
      if (typeof text !== 'string' || text.length === 0) return text;
      const found = findSpans(getSet(), text, jsonSafe);
      return found ? applyMasks(text, found.view, found.spans, maskOf) : text;
    },
    hasSecret(text: string): boolean {
      if (typeof text !== 'string' || text.length === 0) return false;
      return findSpans(getSet(), text, jsonSafe) !== undefined;
    },
    get ruleIds(): readonly string[] {
      return getSet().rules.map((r) => r.id);
    },
  };
}

const defaultRedactors = new Map<string, Redactor>();
const MAX_CACHED_REDACTORS = 32;

/**
 * Replaces every secret in `text` with a mask (default `<redacted:RULE-ID>`). Redactors for each
 * distinct `options` are cached; for a rule subset used on a hot path, prefer `createRedactor`.
 */
export function redact(text: string, options: RedactOptions = {}): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  if (typeof options.mask === 'function') return createRedactor(options).redact(text);
  const key = JSON.stringify([
    options.mask ?? 'rule',
    options.rules ?? null,
    options.disableRules ?? [],
    !!options.jsonSafe,
  ]);
  let r = defaultRedactors.get(key);
  if (!r) {
    r = createRedactor(options);
    if (defaultRedactors.size >= MAX_CACHED_REDACTORS) defaultRedactors.clear();
    defaultRedactors.set(key, r);
  }
  return r.redact(text);
}

function maskFunction(style: MaskStyle, jsonSafe: boolean): (m: RedactMatch) => string {
  const base =
    style === 'rule'
      ? (m: RedactMatch) => `<redacted:${m.ruleId}>`
      : style === 'prefix'
        ? (m: RedactMatch) => maskSecret(m.secret)
        : style;
  if (!jsonSafe) return base;
  return (m) => JSON.stringify(String(base(m))).slice(1, -1);
}

interface Span {
  /** UTF-16 indexes into the text the rules ran on (the decoded view for JSON). */
  vStart: number;
  vEnd: number;
  /** UTF-16 indexes into the original text. */
  start: number;
  end: number;
  ruleId: string;
}

/** The secrets of `text` as spans, or undefined when there is none. */
function findSpans(
  set: CompiledRuleSet,
  text: string,
  jsonSafe: boolean,
): { view: string; spans: Span[] } | undefined {
  // In JSON, rules must see the decoded text: a token right after an escaped newline (`\nghp_…`)
  // would otherwise fail its left boundary, and a PEM block would have no real line breaks.
  const decoded = jsonSafe && text.includes('\\') ? decodeJsonEscapes(text) : undefined;
  const view = decoded ? decoded.view : text;
  const bytes = Buffer.from(view, 'utf8');
  // Fast path: no keyword of any rule, no secret possible.
  if (!set.automaton.test(bytes)) return undefined;
  const { matches } = detectSecrets(bytes, '', set);
  if (!matches.length) return undefined;

  const ascii = bytes.length === view.length;
  const toViewIndex = ascii ? (b: number) => b : byteToIndexMapper(view);
  // A decoded character maps to the start of its escape sequence in the original; a span's end to
  // the start of the next character, i.e. the end of the last escape: masks never split an escape.
  const toTextIndex = decoded ? (i: number) => decoded.origin[i]! : (i: number) => i;
  const spans = matches
    .map((m) => {
      const vStart = toViewIndex(m.startOffset);
      const vEnd = toViewIndex(m.endOffset);
      return { vStart, vEnd, start: toTextIndex(vStart), end: toTextIndex(vEnd), ruleId: m.ruleId };
    })
    .sort((a, b) => a.start - b.start || b.end - a.end);
  return { view, spans };
}

function applyMasks(
  text: string,
  view: string,
  spans: readonly Span[],
  maskOf: (m: RedactMatch) => string,
): string {
  let out = '';
  let pos = 0;
  for (let i = 0; i < spans.length; i++) {
    const first = spans[i]!;
    let { end, vEnd } = first;
    // Overlapping secrets (two rules on one token) are masked once, with the first rule's mask.
    while (i + 1 < spans.length && spans[i + 1]!.start < end) {
      const next = spans[++i]!;
      if (next.end > end) ({ end, vEnd } = next);
    }
    if (first.start < pos) continue;
    out +=
      text.slice(pos, first.start) + maskOf({ ruleId: first.ruleId, secret: view.slice(first.vStart, vEnd) });
    pos = end;
  }
  return out + text.slice(pos);
}

/**
 * UTF-8 byte offsets → UTF-16 indexes of `text`, for increasing offsets, in one pass. Encodes the
 * way Buffer.from does: a lone surrogate counts as the 3 bytes of U+FFFD.
 */
function byteToIndexMapper(text: string): (byteOffset: number) => number {
  let i = 0;
  let b = 0;
  return (target) => {
    if (target < b) {
      i = 0;
      b = 0;
    }
    while (b < target && i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        b += 1;
        i += 1;
      } else if (c < 0x800) {
        b += 2;
        i += 1;
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          b += 4;
          i += 2;
        } else {
          b += 3;
          i += 1;
        }
      } else {
        b += 3;
        i += 1;
      }
    }
    return i;
  };
}

interface DecodedJson {
  /** The text with JSON escape sequences decoded. */
  view: string;
  /** origin[i] = index in the original text where view[i] comes from; origin[view.length] = text.length. */
  origin: Int32Array;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  '\\': '\\',
  '/': '/',
};

/** Decodes `\n`, `\"`, `\uXXXX`… everywhere (outside strings valid JSON has no backslash). */
function decodeJsonEscapes(text: string): DecodedJson {
  const parts: string[] = [];
  const origin = new Int32Array(text.length + 1);
  let n = 0;
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const e = text[i + 1]!;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        parts.push(simple);
        origin[n++] = i;
        i += 2;
        continue;
      }
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        parts.push(String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16)));
        origin[n++] = i;
        i += 6;
        continue;
      }
    }
    parts.push(c);
    origin[n++] = i;
    i += 1;
  }
  origin[n] = text.length;
  return { view: parts.join(''), origin: origin.subarray(0, n + 1) };
}

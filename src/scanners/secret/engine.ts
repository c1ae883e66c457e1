import picomatch from 'picomatch';
import type { SecretRule } from './rule.js';
import { buildKeywordAutomaton, type KeywordAutomaton } from './aho-corasick.js';
import { shannonEntropy } from './entropy.js';
import { isPlaceholder } from './placeholder.js';

/** A secret found in a text: positions are 1-based lines and columns of the content. */
export interface SecretMatch {
  ruleId: string;
  /** The secret value itself — callers must mask it before it leaves the process. */
  secret: string;
  /** The full regex match (also sensitive). */
  match: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** Byte offsets of the secret in the content (end exclusive). */
  startOffset: number;
  endOffset: number;
  /** Shannon entropy of the secret, bits per character. */
  entropy: number;
}

interface CompiledRule {
  readonly rule: SecretRule;
  readonly re: RegExp;
  readonly group: number | string | undefined;
  readonly span: number;
  readonly allowRegexes: readonly RegExp[];
  readonly allowTarget: 'secret' | 'match' | 'line';
  readonly stopwords: readonly string[];
  readonly excludePath: ((path: string) => boolean) | undefined;
  /** Generic rules lose to provider rules on overlapping secrets. */
  readonly generic: boolean;
}

export interface CompiledRuleSet {
  readonly rules: readonly SecretRule[];
  /** @internal */
  readonly compiled: readonly CompiledRule[];
  /** @internal */
  readonly automaton: KeywordAutomaton;
  /** @internal keyword index → indexes of the rules that need it */
  readonly keywordRules: readonly Int32Array[];
  /** @internal keyword byte lengths */
  readonly keywordLengths: Int32Array;
  /** @internal 1 when the keyword is a provider name (see SecretRule.provider) */
  readonly providerKeyword: Uint8Array;
}

export interface DetectOptions {
  /** Epoch ms; detection stops (returns what it found, with `timedOut`) when passed. */
  deadline?: number;
}

export interface DetectResult {
  matches: SecretMatch[];
  timedOut: boolean;
}

const DEFAULT_SPAN = 320;
/** Windows are widened to whole lines only when the line is at most this much longer. */
const LINE_EXTENSION_CAP = 2048;
/** Longest stretch of text one regex run sees; longer merged windows are chunked. */
const MAX_CHUNK = 16 * 1024;
const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export class RuleSetError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid secret rules:\n  ${problems.join('\n  ')}`);
    this.name = 'RuleSetError';
  }
}

/** Validates and compiles a rule set; throws one RuleSetError listing every invalid rule. */
export function compileRules(rules: readonly SecretRule[]): CompiledRuleSet {
  const problems: string[] = [];
  const compiled: CompiledRule[] = [];
  const seen = new Set<string>();
  const keywordIndex = new Map<string, number>();
  const keywordRuleLists: number[][] = [];
  const providerNames = new Set<string>();

  rules.forEach((rule) => {
    const where = `rule ${rule.id || '(no id)'}`;
    const before = problems.length;
    if (!ID_RE.test(rule.id)) problems.push(`${where}: id must be kebab-case`);
    if (seen.has(rule.id)) problems.push(`${where}: duplicate id`);
    seen.add(rule.id);
    if (!rule.keywords.length) problems.push(`${where}: needs at least one keyword`);
    for (const name of rule.provider ?? []) {
      if (name.length < 5 || name !== name.toLowerCase())
        problems.push(`${where}: provider name "${name}" must be lower-case and at least 5 characters`);
    }
    for (const k of rule.keywords) {
      if (k.length < 3) problems.push(`${where}: keyword "${k}" shorter than 3 characters`);
      if (k !== k.toLowerCase()) problems.push(`${where}: keyword "${k}" must be lower-case`);
    }
    let re: RegExp | undefined;
    try {
      const flags = (rule.flags ?? '').replace(/[gdy]/g, '');
      re = new RegExp(rule.regex, `${flags}gd`);
    } catch (err) {
      problems.push(`${where}: regex does not compile: ${(err as Error).message}`);
    }
    let group: number | string | undefined = rule.secretGroup;
    if (re) {
      const groupCount = countCaptureGroups(rule.regex);
      if (typeof group === 'number' && group > groupCount)
        problems.push(`${where}: secretGroup ${group} but the regex has ${groupCount} groups`);
      if (typeof group === 'string' && !rule.regex.includes(`(?<${group}>`))
        problems.push(`${where}: secretGroup "${group}" is not a named group of the regex`);
      if (group === undefined) group = groupCount > 0 ? 1 : 0;
    }
    const allowRegexes: RegExp[] = [];
    for (const src of rule.allow?.regexes ?? []) {
      try {
        allowRegexes.push(new RegExp(src, 'i'));
      } catch (err) {
        problems.push(`${where}: allow regex /${src}/ does not compile: ${(err as Error).message}`);
      }
    }
    if (problems.length > before || !re) return;
    const ruleIdx = compiled.length;
    compiled.push({
      rule,
      re,
      group,
      span: rule.span ?? DEFAULT_SPAN,
      allowRegexes,
      allowTarget: rule.allow?.regexTarget ?? 'secret',
      stopwords: (rule.allow?.stopwords ?? []).map((s) => s.toLowerCase()),
      excludePath: rule.allow?.paths?.length ? picomatch(rule.allow.paths, { dot: true }) : undefined,
      generic: rule.id.startsWith('generic-'),
    });
    for (const k of new Set([...rule.keywords, ...(rule.provider ?? [])])) {
      let ki = keywordIndex.get(k);
      if (ki === undefined) {
        ki = keywordRuleLists.length;
        keywordIndex.set(k, ki);
        keywordRuleLists.push([]);
      }
      keywordRuleLists[ki]!.push(ruleIdx);
    }
    for (const name of rule.provider ?? []) providerNames.add(name);
  });
  if (problems.length) throw new RuleSetError(problems);
  const keywords = [...keywordIndex.keys()];
  return {
    rules: compiled.map((c) => c.rule),
    compiled,
    automaton: buildKeywordAutomaton(keywords),
    keywordRules: keywordRuleLists.map((l) => Int32Array.from(l)),
    keywordLengths: Int32Array.from(keywords.map((k) => Buffer.byteLength(k))),
    providerKeyword: Uint8Array.from(keywords.map((k) => (providerNames.has(k) ? 1 : 0))),
  };
}

/** Capturing groups of a regex source: `(` not escaped, not in a class, not `(?:`/lookaround. */
export function countCaptureGroups(source: string): number {
  let count = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (
      c === '(' &&
      (source[i + 1] !== '?' || (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!'))
    )
      count++;
  }
  return count;
}

interface RawMatch {
  rule: number;
  start: number; // byte offsets of the secret
  end: number;
  secret: string;
  match: string;
  entropy: number;
}

/** Pure: finds secrets in `content` (bytes of one file or of an excerpt). */
export function detectSecrets(
  content: Buffer | string,
  path: string,
  set: CompiledRuleSet,
  options: DetectOptions = {},
): DetectResult {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const { compiled, keywordRules, keywordLengths } = set;
  const n = bytes.length;

  // 1. One pass of the keyword automaton: collect, per rule, merged byte windows around hits.
  const active = compiled.map((c) => !c.excludePath || !c.excludePath(path));
  const windows: number[][] = new Array(compiled.length);
  const providerHits: number[] = []; // end offsets of provider names, ascending
  set.automaton.scan(bytes, (kw, end) => {
    const kwStart = end - keywordLengths[kw]!;
    // a provider name counts at a word start only (`stripe` in `striped` does, in `unstriped` not)
    if (set.providerKeyword[kw] === 1 && (kwStart === 0 || !isAsciiLetter(bytes[kwStart - 1]!)))
      providerHits.push(end);
    const rulesForKw = keywordRules[kw]!;
    for (let j = 0; j < rulesForKw.length; j++) {
      const r = rulesForKw[j]!;
      if (!active[r]) continue;
      const span = compiled[r]!.span;
      const s = kwStart > span ? kwStart - span : 0;
      const e = end + span < n ? end + span : n;
      let list = windows[r];
      if (!list) windows[r] = list = [];
      const len = list.length;
      if (len && s <= list[len - 1]!) {
        if (e > list[len - 1]!) list[len - 1] = e;
      } else {
        list.push(s, e);
      }
    }
  });

  // 2. Run each triggered rule's regex on its windows. Windows that merged into a long stretch
  //    (keyword-dense text) are cut into overlapping chunks so the deadline is checked often and
  //    no single regex run sees more than MAX_CHUNK bytes.
  const raw: RawMatch[] = [];
  // The content as latin1 (one char per byte: string index = byte offset). Decoded whole once when
  // the windows cover much of it, else window by window.
  let windowBytes = 0;
  for (const list of windows)
    if (list) for (let w = 0; w < list.length; w += 2) windowBytes += list[w + 1]! - list[w]!;
  const whole = windowBytes * 2 > n ? bytes.toString('latin1') : undefined;
  const textOf = (ws: number, we: number) =>
    whole !== undefined ? whole.slice(ws, we) : bytes.toString('latin1', ws, we);
  let timedOut = false;
  const deadline = options.deadline;
  let checks = 0;
  const expired = () => deadline !== undefined && (checks++ & 7) === 0 && Date.now() > deadline;
  outer: for (let r = 0; r < compiled.length; r++) {
    const list = windows[r];
    if (!list) continue;
    const c = compiled[r]!;
    let lastEnd = -1;
    for (let w = 0; w < list.length; w += 2) {
      let ws = widenStart(bytes, list[w]!);
      const we = widenEnd(bytes, list[w + 1]!);
      if (ws < lastEnd) ws = lastEnd; // windows may overlap after widening
      if (ws >= we) continue;
      lastEnd = we;
      if (we - ws <= MAX_CHUNK) {
        if (expired()) {
          timedOut = true;
          break outer;
        }
        runRule(c, r, textOf(ws, we), ws, raw);
        continue;
      }
      const overlap = Math.min(2 * c.span + 256, MAX_CHUNK / 2);
      for (let cs = ws; ;) {
        if (expired()) {
          timedOut = true;
          break outer;
        }
        const ce = cs + MAX_CHUNK >= we ? we : cutAtDelimiter(bytes, cs + MAX_CHUNK, -1);
        runRule(c, r, textOf(cs, ce), cs, raw);
        if (ce >= we) break;
        const next = cutAtDelimiter(bytes, ce - overlap, -1);
        cs = next > cs ? next : ce;
      }
    }
  }

  // 3. Resolve overlaps (provider rules beat generic ones), let providers named nearby veto generic
  //    matches, then compute positions.
  const kept = resolveOverlaps(raw, compiled).filter(
    (m) => !compiled[m.rule]!.generic || !providerNamedNear(providerHits, m.start, m.end),
  );
  const locator = new Locator(bytes);
  const matches = kept.map((m): SecretMatch => {
    const start = locator.position(m.start);
    const end = locator.position(m.end);
    return {
      ruleId: compiled[m.rule]!.rule.id,
      secret: m.secret,
      match: m.match,
      startLine: start.line,
      startColumn: start.column,
      endLine: end.line,
      endColumn: end.column,
      startOffset: m.start,
      endOffset: m.end,
      entropy: m.entropy,
    };
  });
  return { matches, timedOut };
}

/**
 * Runs one rule on `text`, the window of the content starting at byte `ws`, decoded as latin1: one
 * character per byte, so string indexes are byte offsets. Secrets are ASCII in practice; one that
 * is not is re-decoded as UTF-8 before it is reported.
 */
function runRule(c: CompiledRule, r: number, text: string, ws: number, out: RawMatch[]): void {
  const re = c.re;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const span = secretSpan(m, c.group);
    if (!span) continue;
    const secret = utf8Of(text.slice(span[0], span[1]));
    if (!secret) continue;
    const entropy = shannonEntropy(secret);
    if (c.rule.entropy !== undefined && entropy < c.rule.entropy) continue;
    const lower = secret.toLowerCase();
    if (c.stopwords.some((w) => lower.includes(w))) continue;
    const line = lineAround(text, m.index, m.index + m[0].length);
    if (c.allowRegexes.length) {
      const target = c.allowTarget === 'secret' ? secret : c.allowTarget === 'match' ? m[0] : line;
      if (c.allowRegexes.some((a) => a.test(target))) continue;
    }
    if (isPlaceholder(secret, line)) continue;
    if (c.rule.validate && !safeValidate(c.rule.validate, secret)) continue;
    out.push({ rule: r, start: ws + span[0], end: ws + span[1], secret, match: utf8Of(m[0]), entropy });
  }
}

const NON_ASCII = /[\x80-\xff]/;

function utf8Of(latin1: string): string {
  return NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

function safeValidate(validate: (secret: string) => boolean, secret: string): boolean {
  try {
    return validate(secret);
  } catch {
    return false;
  }
}

function secretSpan(m: RegExpExecArray, group: number | string | undefined): [number, number] | undefined {
  const indices = m.indices;
  if (!indices) return undefined;
  if (typeof group === 'string') return indices.groups?.[group] ?? undefined;
  if (group !== undefined && group > 0) {
    const g = indices[group];
    if (g) return g;
    // the named group did not participate (alternation): take the first group that did
    for (let i = 1; i < indices.length; i++) if (indices[i]) return indices[i];
    return undefined;
  }
  return indices[0];
}

/** The text of the line(s) around a match, capped, for placeholder and allowlist checks. */
function lineAround(text: string, start: number, end: number): string {
  let s = text.lastIndexOf('\n', start - 1) + 1;
  let e = text.indexOf('\n', end);
  if (e === -1) e = text.length;
  if (start - s > 200) s = start - 200;
  if (e - end > 200) e = end + 200;
  return text.slice(s, e);
}

function widenStart(bytes: Buffer, s: number): number {
  if (s === 0) return 0;
  const lo = Math.max(0, s - LINE_EXTENSION_CAP);
  for (let i = s - 1; i >= lo; i--) if (bytes[i] === 0x0a) return i + 1;
  return s > LINE_EXTENSION_CAP ? cutAtDelimiter(bytes, s, -1) : 0;
}

function widenEnd(bytes: Buffer, e: number): number {
  const n = bytes.length;
  if (e >= n) return n;
  const hi = Math.min(n, e + LINE_EXTENSION_CAP);
  for (let i = e; i < hi; i++) if (bytes[i] === 0x0a) return i;
  return hi === n ? n : cutAtDelimiter(bytes, e, 1);
}

/** On a very long line, cut the window at a delimiter so no token is cut in half. */
function cutAtDelimiter(bytes: Buffer, at: number, dir: 1 | -1): number {
  for (let k = 0; k < 256; k++) {
    const i = at + k * dir;
    if (i <= 0 || i >= bytes.length) return Math.max(0, Math.min(bytes.length, i));
    const b = bytes[i]!;
    if (b === 0x20 || b === 0x09 || b === 0x22 || b === 0x27 || b === 0x2c || b === 0x3b || b === 0x60)
      return dir === 1 ? i : i + 1;
  }
  return at;
}

function isAsciiLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** How far before / after a generic match a provider name takes the decision away from it. */
const PROVIDER_CONTEXT_BEFORE = 256;
const PROVIDER_CONTEXT_AFTER = 64;

function providerNamedNear(hits: readonly number[], start: number, end: number): boolean {
  if (!hits.length) return false;
  const lo = start - PROVIDER_CONTEXT_BEFORE;
  const hi = end + PROVIDER_CONTEXT_AFTER;
  // first hit ≥ lo
  let a = 0;
  let b = hits.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (hits[mid]! < lo) a = mid + 1;
    else b = mid;
  }
  return a < hits.length && hits[a]! <= hi;
}

function resolveOverlaps(raw: RawMatch[], compiled: readonly CompiledRule[]): RawMatch[] {
  if (raw.length <= 1) return raw;
  raw.sort((a, b) => a.start - b.start || b.end - a.end || a.rule - b.rule);
  const out: RawMatch[] = [];
  let i = 0;
  while (i < raw.length) {
    // a group of matches whose secret spans overlap transitively
    let groupEnd = raw[i]!.end;
    let j = i + 1;
    while (j < raw.length && raw[j]!.start < groupEnd) {
      groupEnd = Math.max(groupEnd, raw[j]!.end);
      j++;
    }
    const group = raw.slice(i, j);
    const specific = group.filter((m) => !compiled[m.rule]!.generic);
    if (specific.length) {
      const seen = new Set<string>();
      for (const m of specific) {
        const key = `${m.start}:${m.end}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(m);
      }
    } else {
      let best = group[0]!;
      for (const m of group) if (m.end - m.start > best.end - best.start) best = m;
      out.push(best);
    }
    i = j;
  }
  return out;
}

/** Byte offset → 1-based line and (UTF-16 code unit) column, computed lazily. */
class Locator {
  private newlines: number[] | undefined;
  constructor(private readonly bytes: Buffer) {}
  position(offset: number): { line: number; column: number } {
    if (!this.newlines) {
      const nl: number[] = [];
      let i = this.bytes.indexOf(0x0a);
      while (i !== -1) {
        nl.push(i);
        i = this.bytes.indexOf(0x0a, i + 1);
      }
      this.newlines = nl;
    }
    const nl = this.newlines;
    // number of newlines strictly before offset
    let lo = 0;
    let hi = nl.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nl[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    const lineStart = lo === 0 ? 0 : nl[lo - 1]! + 1;
    const width = offset - lineStart;
    const column = width > 100_000 ? width + 1 : this.bytes.toString('utf8', lineStart, offset).length + 1;
    return { line: lo + 1, column };
  }
}

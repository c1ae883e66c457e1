/**
 * Strict JSON body parsing for hostile input: valid UTF-8 only, a nesting-depth cap checked on the
 * raw bytes before anything is built (JSON.parse copes with deep nesting, but everything that walks
 * the result afterwards — the engine, JSON.stringify — is recursive), and no `__proto__` keys
 * (the engine may copy objects with assignment, where such a key would replace a prototype).
 */

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; reason: string };

export const DEFAULT_MAX_DEPTH = 100;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Parses a request body; never throws. */
export function parseJsonBody(body: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): JsonParseResult {
  if (body.length === 0) return { ok: false, reason: 'empty body' };
  const depth = maxNestingDepth(body, maxDepth);
  if (depth > maxDepth) return { ok: false, reason: `JSON nesting deeper than ${maxDepth} levels` };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, reason: 'body is not valid UTF-8' };
  }
  let value: unknown;
  try {
    // The reviver costs several times a plain parse; only texts that can spell the key need it
    // (literally, or through a \u escape).
    const suspicious = text.includes('__proto__') || text.includes('\\u');
    value = suspicious ? JSON.parse(text, rejectProtoKeys) : JSON.parse(text);
  } catch (err) {
    if (err instanceof ProtoKeyError) return { ok: false, reason: 'JSON key "__proto__" is not allowed' };
    return { ok: false, reason: `invalid JSON: ${describeJsonError(err)}` };
  }
  return { ok: true, value };
}

class ProtoKeyError extends Error {}

/**
 * V8's JSON.parse messages can quote a piece of the input (`Unexpected token 'x', "…" is not valid
 * JSON`); the reason goes back to the caller and into the log, so keep only the part before the quote
 * and the position.
 */
function describeJsonError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const position = /at position (\d+)/.exec(message)?.[1];
  const head = oneLine(message.split(/,\s*"|\s+in JSON/)[0] ?? 'syntax error', 80);
  return position === undefined ? head : `${head} at position ${position}`;
}

function rejectProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new ProtoKeyError();
  return value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Maximum `{`/`[` nesting of a JSON text, ignoring brackets inside strings. Linear; stops counting
 * once `limit` is exceeded (returns limit + 1). Malformed input gives some number; JSON.parse
 * rejects it afterwards.
 */
export function maxNestingDepth(bytes: Uint8Array, limit = Number.MAX_SAFE_INTEGER): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return max;
}

/** Collapses a message to one line and bounds its length. */
export function oneLine(message: string, max = 200): string {
  const flat = message.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

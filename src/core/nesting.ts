/**
 * Deepest nesting of JSON/YAML flow collections (`[` `{`) outside quoted strings, stopping as soon as
 * `limit` is exceeded. A cheap guard before handing hostile text to a recursive parser: the `yaml`
 * package recurses per level, and near the stack limit V8 can abort the whole process (regexp
 * compilation cannot allocate) instead of throwing a catchable RangeError.
 */
export function exceedsFlowNesting(text: string, limit: number): boolean {
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === 0x5c /* \ */ && quote === 0x22) i++;
      else if (c === quote || c === 0x0a) quote = 0;
      continue;
    }
    if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return false;
}

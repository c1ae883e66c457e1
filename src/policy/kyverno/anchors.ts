/** Kyverno pattern anchors on map keys: `(k)` `=(k)` `^(k)` `X(k)` `<(k)` `+(k)`. */

export type AnchorType = 'condition' | 'equality' | 'existence' | 'negation' | 'global' | 'addIfNotPresent';

export interface Anchor {
  type: AnchorType;
  key: string;
}

const MODIFIERS: Record<string, AnchorType> = {
  '=': 'equality',
  '^': 'existence',
  X: 'negation',
  '<': 'global',
  '+': 'addIfNotPresent',
};

/** Parses an anchored key (`^([+<=X^])?\((.+)\)$` after trimming); undefined for plain keys. */
export function parseAnchor(raw: string): Anchor | undefined {
  const s = raw.trim();
  if (s.length < 3 || s[s.length - 1] !== ')') return undefined;
  if (s[0] === '(') {
    const key = s.slice(1, -1);
    return key ? { type: 'condition', key } : undefined;
  }
  const type = MODIFIERS[s[0]!];
  if (type && s[1] === '(' && s.length > 3) return { type, key: s.slice(2, -1) };
  return undefined;
}

export function anchorString(type: AnchorType, key: string): string {
  const prefix = Object.keys(MODIFIERS).find((m) => MODIFIERS[m] === type) ?? '';
  return `${prefix}(${key})`;
}

/** The key without its anchor. */
export function stripAnchor(raw: string): string {
  return parseAnchor(raw)?.key ?? raw;
}

/**
 * deb822 control stanzas (dpkg `status`, `status.d/*`; https://manpages.debian.org/deb822): `Field: value`
 * lines, continuation lines starting with a space or tab, stanzas separated by blank lines.
 */

export interface Stanza {
  /** Field names as written; look-ups go through `field()` (case-insensitive as deb822 says). */
  fields: Map<string, string>;
  /** 1-based line of the stanza's first field. */
  line: number;
}

export function field(stanza: Stanza, name: string): string | undefined {
  return stanza.fields.get(name.toLowerCase());
}

/** Splits text into stanzas; stops after `maxStanzas` (the caller reports the cap). */
export function parseStanzas(input: string, maxStanzas = 100_000): Stanza[] {
  const out: Stanza[] = [];
  let current: Stanza | undefined;
  let last: string | undefined;
  const lines = input.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      current = undefined;
      last = undefined;
      continue;
    }
    if (line.startsWith('#')) continue;
    if ((line[0] === ' ' || line[0] === '\t') && current && last !== undefined) {
      current.fields.set(last, `${current.fields.get(last) ?? ''}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    if (!current) {
      if (out.length >= maxStanzas) break;
      current = { fields: new Map(), line: i + 1 };
      out.push(current);
    }
    last = line.slice(0, colon).trim().toLowerCase();
    current.fields.set(last, line.slice(colon + 1).trim());
  }
  return out;
}

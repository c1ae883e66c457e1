/**
 * Canonical JSON in the manner of RFC 8785 (JCS): object keys sorted by UTF-16 code units, no
 * whitespace, numbers and strings serialised as ECMAScript does (which is what JCS specifies).
 * Like JSON.stringify, `toJSON` is honoured (Dates become ISO strings), undefined and function
 * members are left out of objects and become null in arrays. Not representable in JSON, so
 * refused: NaN, ±Infinity, BigInt, cycles.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set());
}

function serialise(value: unknown, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return serialise(withToJson.toJSON(), ancestors);
  if (ancestors.has(value)) throw new TypeError('canonical JSON cannot hold a cycle');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map((v: unknown) => (skipped(v) ? 'null' : serialise(v, ancestors)));
      return `[${items.join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((k) => !skipped(record[k]))
      .sort()
      .map((k) => `${JSON.stringify(k)}:${serialise(record[k], ancestors)}`);
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}

function skipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

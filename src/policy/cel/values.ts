/**
 * Conversion between parsed YAML/JSON and CEL values: JSON integers become CEL `int` (bigint, as in
 * Kubernetes' unstructured objects), other numbers `double`. Conversion is depth-capped and cached
 * per input object so one resource evaluated by many policies is converted once.
 */

export const MAX_VALUE_DEPTH = 100;

export class CelInputError extends Error {}

type Converted = unknown;

const cache = new WeakMap<object, Converted>();

function convert(value: unknown, depth: number): Converted {
  if (depth > MAX_VALUE_DEPTH) throw new CelInputError(`input nested deeper than ${MAX_VALUE_DEPTH} levels`);
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? BigInt(value) : value;
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'object':
      break;
    default:
      return null;
  }
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((item) => convert(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    out[key] = convert(item, depth + 1);
  }
  return out;
}

/** JSON-like value → CEL input value. Throws CelInputError when nested too deeply. */
export function toCel(value: unknown): Converted {
  if (value === null || typeof value !== 'object') return convert(value, 0);
  const hit = cache.get(value);
  if (hit !== undefined) return hit;
  const converted = convert(value, 0);
  cache.set(value, converted);
  return converted;
}

/** CEL value → plain JSON-like value (bigint → number when safe, else string). */
export function fromCel(value: unknown, depth = 0): unknown {
  if (depth > MAX_VALUE_DEPTH) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => fromCel(item, depth + 1));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of value) out[String(key)] = fromCel(item, depth + 1);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>))
    out[key] = fromCel(item, depth + 1);
  return out;
}

/** Compact text of a CEL value for messages. */
export function describeCelValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(fromCel(value)) ?? String(value);
  } catch {
    return String(value);
  }
}

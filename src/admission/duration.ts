/** Go-style durations as used on the command line: `2s`, `500ms`, `1.5s`, `1m`. */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not a duration with a unit. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * (UNITS[m[2]!] ?? NaN);
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

/** Delay before retrying a job whose `attempt`-th run failed: 1 s, 2 s, 4 s … capped at 1 h, ±20 %. */
export function exponentialBackoff(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

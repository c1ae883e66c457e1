/**
 * A progress bar on stderr for long scans. Only drawn on a TTY (never in CI logs), throttled, and
 * erased when done so it never mixes with the report.
 */
export interface Progress {
  setTotal(total: number, unit: string): void;
  tick(count?: number, bytes?: number): void;
  done(): void;
}

export function createProgress(
  mode: 'auto' | 'always' | 'never',
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const enabled = mode === 'always' || (mode === 'auto' && stream.isTTY === true && !process.env.CI);
  if (!enabled) return { setTotal() {}, tick() {}, done() {} };
  let total = 0;
  let unit = 'files';
  let count = 0;
  let bytes = 0;
  let last = 0;
  const started = Date.now();
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const width = 28;
    const ratio = total > 0 ? Math.min(1, count / total) : 0;
    const filled = Math.round(ratio * width);
    const secs = (now - started) / 1000;
    const mb = bytes / 1048576;
    const rate = secs > 0 ? ` ${(mb / secs).toFixed(1)} MB/s` : '';
    const line = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${count}/${total || '?'} ${unit}${bytes ? ` ${mb.toFixed(1)} MB` : ''}${rate}`;
    stream.write(`\r${line}\x1b[K`);
  };
  return {
    setTotal(t, u) {
      total = t;
      unit = u;
      draw(true);
    },
    tick(c = 1, b = 0) {
      count += c;
      bytes += b;
      draw();
    },
    done() {
      stream.write('\r\x1b[K');
    },
  };
}

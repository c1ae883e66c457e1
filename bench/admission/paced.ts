/**
 * An open-loop load generator: request i is due at start + i / rate, whatever happened to the
 * earlier ones, over a keep-alive HTTPS pool. Latency is measured from the due time (so a late
 * generator or a queue in front of the server counts against the server, no coordinated omission).
 *
 * Why next to autocannon: autocannon's `overallRate` is a per-second quota per connection — each
 * connection sends back-to-back until it has made its share for the current second, then waits for
 * the next second — so "500 req/s over 10 connections" arrives as bursts of 10 concurrent requests
 * for part of each second. The API server's traffic to a webhook looks more like this generator.
 */
import https from 'node:https';

export interface PacedOptions {
  port: number;
  ca: string;
  rate: number;
  durationS: number;
  bodies: string[];
  /** Per-request timeout (ms). */
  timeoutMs?: number;
}

export interface PacedResult {
  sent: number;
  completed: number;
  errors: number;
  non2xx: number;
  durationS: number;
  latenciesMs: Float64Array;
}

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function runPaced(options: PacedOptions): Promise<PacedResult> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: options.ca });
  const total = Math.round(options.rate * options.durationS);
  const intervalMs = 1000 / options.rate;
  const latencies = new Float64Array(total);
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let non2xx = 0;
  let finished = 0;
  const start = performance.now();

  return new Promise((resolve) => {
    const done = () => {
      if (++finished < total) return;
      clearInterval(timer);
      agent.destroy();
      const durationS = (performance.now() - start) / 1000;
      resolve({
        sent,
        completed,
        errors,
        non2xx,
        durationS,
        latenciesMs: latencies.slice(0, completed).sort(),
      });
    };
    const send = (i: number, due: number) => {
      const body = options.bodies[i % options.bodies.length]!;
      const req = https.request(
        {
          host: '127.0.0.1',
          port: options.port,
          method: 'POST',
          path: '/validate',
          servername: 'localhost',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: options.timeoutMs ?? 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies[completed++] = performance.now() - due;
            if (res.statusCode !== 200) non2xx++;
            done();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        done();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        send(sent, start + sent * intervalMs);
        sent++;
      }
    };
    const timer = setInterval(tick, 1);
    tick();
  });
}

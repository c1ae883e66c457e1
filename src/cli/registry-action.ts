import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RampartError } from '../core/errors.js';
import type { ImageScannerKind } from '../image/scan/index.js';
import type { DriftFlags, ListenFlags } from './commands/registry.js';
import { rampartVersion } from './version.js';

const KINDS: readonly ImageScannerKind[] = ['vuln', 'secret', 'config'];

/** Runs the listener until SIGINT/SIGTERM, then lets the running scan finish. */
export async function executeListen(flags: ListenFlags): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RampartError('USAGE', `--port: not a port number: ${flags.port}`);
  const scanners = flags.scanners
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (!(KINDS as readonly string[]).includes(s))
        throw new RampartError('USAGE', `--scanners: unknown "${s}" (expected ${KINDS.join(', ')})`);
      return s as ImageScannerKind;
    });
  let token: string | undefined;
  if (flags.tokenEnv !== undefined) {
    token = process.env[flags.tokenEnv];
    if (!token)
      throw new RampartError(
        'USAGE',
        `--token-env: environment variable ${flags.tokenEnv} is empty or unset`,
      );
  }
  const { registryScanFn, startListener } = await import('../image/listen/index.js');
  const log = (line: string) => process.stderr.write(`rampart: ${line}\n`);
  const out = path.resolve(flags.out);
  let listener;
  try {
    listener = await startListener({
      port,
      host: flags.host,
      outDir: out,
      ...(token !== undefined ? { token } : {}),
      log,
      scan: registryScanFn({
        scanners,
        toolVersion: rampartVersion(),
        ...(flags.dbDir ? { dbDir: path.resolve(flags.dbDir) } : {}),
        ...(flags.insecure ? { insecure: true } : {}),
      }),
    });
  } catch (err) {
    throw new RampartError('USAGE', `cannot listen on ${flags.host}:${port}: ${(err as Error).message}`);
  }
  log(`listening on ${listener.url}/events (reports in ${out})${token ? ', bearer token required' : ''}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('stopping: waiting for the running scan');
  await listener.close();
  await listener.queue.idle();
  return 0;
}

function recordedFromReport(file: string): { name?: string; digest?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RampartError('PATH_UNREADABLE', `--report ${file}: ${(err as Error).message}`);
  }
  const base = (doc as { image?: { base?: { name?: unknown; digest?: unknown } } } | null)?.image?.base;
  return {
    ...(typeof base?.name === 'string' ? { name: base.name } : {}),
    ...(typeof base?.digest === 'string' ? { digest: base.digest } : {}),
  };
}

/** Exit 1 when the base moved, 0 when up to date; unknown → an error (exit 2). */
export async function executeDrift(image: string, flags: DriftFlags): Promise<number> {
  const { checkDrift, registryDriftDeps } = await import('../image/listen/index.js');
  const { isRegistryError } = await import('../image/registry/index.js');
  const rec = flags.report ? recordedFromReport(flags.report) : {};
  const base = flags.base ?? rec.name;
  let result;
  try {
    result = await checkDrift(image, registryDriftDeps({ ...(flags.insecure ? { insecure: true } : {}) }), {
      ...(base !== undefined ? { base } : {}),
      ...(rec.digest !== undefined ? { recorded: rec.digest } : {}),
    });
  } catch (err) {
    if (isRegistryError(err)) throw new RampartError('PATH_UNREADABLE', err.message);
    throw err;
  }
  if (result.state === 'unknown') throw new RampartError('USAGE', result.reason);
  if (result.state === 'moved') {
    process.stdout.write(
      `${image}: base image moved: ${result.base} ${result.old} → ${result.new}, rebuild\n`,
    );
    return 1;
  }
  process.stdout.write(`${image}: up to date (base ${result.base} ${result.digest})\n`);
  return 0;
}

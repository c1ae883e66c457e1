/**
 * A real CNCF distribution registry (Debian package `docker-registry`) for integration tests: found on
 * PATH, started on a free loopback port with a temp config and storage folder, stopped by `stop()`.
 * `registrySkipReason()` says why the tests must skip (binary missing, RAMPART_REGISTRY_IT=0).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { RegistryClient } from '../client.js';

/** The registry binary on PATH (`docker-registry`, else `registry`), if any. */
export function registryBinary(): string | undefined {
  for (const name of ['docker-registry', 'registry'])
    for (const d of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      const p = join(d, name);
      if (existsSync(p)) return p;
    }
  return undefined;
}

/** A reason to skip the real-registry tests, or false when they can run. */
export function registrySkipReason(): string | false {
  if (process.env.RAMPART_REGISTRY_IT === '0') return 'RAMPART_REGISTRY_IT=0';
  return registryBinary() === undefined ? 'docker-registry not installed (apt-get install docker-registry)' : false;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface RealRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** Scratch folder of this registry (config, storage); tests may put their own files in it. */
  dir: string;
  stop(): Promise<void>;
}

/** Starts the registry; `extraConfig` lines are appended to its config (e.g. a `notifications:` block). */
export async function startRealRegistry(prefix: string, extraConfig: readonly string[] = []): Promise<RealRegistry> {
  const bin = registryBinary();
  if (!bin) throw new Error('docker-registry not installed');
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const host = `127.0.0.1:${await freePort()}`;
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      '  secret: test-only-not-a-secret',
      ...extraConfig,
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(bin, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const stop = async () => {
    if (proc.pid !== undefined && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const client = new RegistryClient(host, { dockerConfig: false, timeoutMs: 1000 });
  for (let i = 0; ; i++) {
    try {
      await client.ping();
      return { host, dir, stop };
    } catch (e) {
      if (i > 100 || proc.exitCode !== null) {
        await stop();
        throw new Error(`registry did not start: ${String(e)}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

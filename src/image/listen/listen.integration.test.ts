/**
 * End to end against a real registry (Debian `docker-registry`, CNCF distribution 2.8) whose
 * notifications point at the listener: push → envelope → pull by digest → scan → report file;
 * then base-image drift after the base tag moves. Skipped when the binary is missing
 * (RAMPART_REGISTRY_IT=0 skips it too).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../cli/main.js';
import { OCI_MANIFEST, buildImage } from '../registry/__fixtures__/image.js';
import { RegistryClient, pushImage } from '../registry/index.js';
import { checkDrift, registryDriftDeps } from './drift.js';
import { reportFileName } from './envelope.js';
import { startListener, type RunningListener } from './listener.js';
import { registryScanFn, type ListenReport } from './scan-job.js';

const BIN = ['/usr/bin/docker-registry', '/usr/bin/registry'].find((p) => existsSync(p));
const skip =
  process.env.RAMPART_REGISTRY_IT === '0'
    ? 'RAMPART_REGISTRY_IT=0'
    : BIN === undefined
      ? 'docker-registry not installed (apt-get install docker-registry)'
      : false;
const TOKEN = 'it-only-token';
const opts = { dockerConfig: false as const };

let proc: ChildProcess | undefined;
let listener: RunningListener | undefined;
let dir = '';
let host = '';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

before(async () => {
  if (skip !== false || BIN === undefined) return;
  dir = await mkdtemp(join(tmpdir(), 'rampart-listen-it-'));
  listener = await startListener({
    port: 0,
    host: '127.0.0.1',
    outDir: join(dir, 'reports'),
    token: TOKEN,
    scan: registryScanFn({
      scanners: ['secret', 'config'],
      toolVersion: 'test',
      cacheDir: join(dir, 'cache'),
      ...opts,
    }),
  });
  host = `127.0.0.1:${await freePort()}`;
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
      'http:',
      `  addr: ${host}`,
      '  secret: test-only-not-a-secret',
      'notifications:',
      '  events:',
      '    includereferences: true',
      '  endpoints:',
      '    - name: rampart',
      `      url: ${listener.url}/events`,
      '      headers:',
      `        Authorization: [Bearer ${TOKEN}]`,
      '      timeout: 2s',
      '      threshold: 5',
      '      backoff: 200ms',
      '      ignoredmediatypes:',
      '        - application/octet-stream',
      '',
    ].join('\n'),
  );
  proc = spawn(BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const client = new RegistryClient(host, { ...opts, timeoutMs: 1000 });
  for (let i = 0; ; i++) {
    try {
      await client.ping();
      break;
    } catch (e) {
      if (i > 100 || proc.exitCode !== null) throw new Error(`registry did not start: ${String(e)}\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

after(async () => {
  if (proc?.pid !== undefined && proc.exitCode === null) {
    const exited = new Promise((r) => proc?.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  await listener?.close();
  await listener?.queue.idle(); // base v2's push may still be scanning
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function push(ref: string, files: Record<string, string>[], annotations?: Record<string, string>) {
  const img = await buildImage(files);
  let manifest = img.manifest;
  if (annotations) {
    const doc = JSON.parse(new TextDecoder().decode(img.manifest)) as Record<string, unknown>;
    manifest = new TextEncoder().encode(JSON.stringify({ ...doc, annotations }));
  }
  const blobs = [{ bytes: img.config }, ...img.layers.map((l) => ({ bytes: l.bytes }))];
  return pushImage(ref, { blobs, manifestBytes: manifest, manifestMediaType: OCI_MANIFEST }, opts);
}

async function waitFor(file: string, ms: number): Promise<void> {
  for (const t0 = Date.now(); !existsSync(file);) {
    if (Date.now() - t0 > ms) throw new Error(`no report ${file} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('real registry: push → notification → scan report; base moves → drift', { skip }, async () => {
  assert.ok(listener);
  const baseRef = `${host}/test/base:1`;
  const base1 = await push(baseRef, [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.4\n' }]);
  const t0 = performance.now();
  const app = await push(
    `${host}/test/app:1`,
    [
      { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.4\n' },
      { 'app/config/credentials': '[default]\naws_access_key_id = AKIA' + 'Q3EGRNA5XK2PLM7B\n' },
    ],
    { 'org.opencontainers.image.base.name': baseRef, 'org.opencontainers.image.base.digest': base1.digest },
  );

  const file = join(dir, 'reports', reportFileName({ repository: 'test/app', digest: app.digest }));
  await waitFor(file, 20_000);
  const pushToReportMs = Math.round(performance.now() - t0);
  const report = JSON.parse(readFileSync(file, 'utf8')) as ListenReport;
  assert.equal(report.image.reference, `${host}/test/app@${app.digest}`);
  assert.equal(report.image.manifestDigest, app.digest);
  assert.equal(report.image.tag, '1');
  assert.equal(report.image.layers, 2);
  assert.deepEqual(report.image.base, { name: baseRef, digest: base1.digest, source: 'annotation' });
  assert.ok(
    report.findings.some((f) => f.location?.path === 'app/config/credentials'),
    'the planted key is found',
  );
  // the base's own push was scanned too, and nothing twice
  await waitFor(
    join(dir, 'reports', reportFileName({ repository: 'test/base', digest: base1.digest })),
    20_000,
  );
  await listener.queue.idle();
  assert.equal(listener.queue.scanned, 2);
  process.stderr.write(`# push → report file: ${pushToReportMs} ms\n`);

  const deps = registryDriftDeps(opts);
  assert.equal((await checkDrift(`${host}/test/app:1`, deps)).state, 'up-to-date');
  assert.equal(await main(['registry', 'drift', `${host}/test/app:1`]), 0);
  const base2 = await push(baseRef, [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.19.5\n' }]);
  assert.notEqual(base2.digest, base1.digest);
  assert.deepEqual(await checkDrift(`${host}/test/app:1`, deps), {
    state: 'moved',
    base: baseRef,
    old: base1.digest,
    new: base2.digest,
  });
  assert.equal(await main(['registry', 'drift', `${host}/test/app:1`]), 1);
  // drift from a listen report's record, with --base naming the base explicitly
  assert.equal(
    await main(['registry', 'drift', `${host}/test/app:1`, '--base', baseRef, '--report', file]),
    1,
  );
});

/**
 * End to end against a real registry (Debian `docker-registry`, CNCF distribution 2.8) whose
 * notifications point at the listener: push → envelope → pull by digest → scan → report file;
 * then base-image drift after the base tag moves. Skipped when the binary is missing
 * (RAMPART_REGISTRY_IT=0 skips it too).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../cli/main.js';
import { OCI_MANIFEST, buildImage } from '../registry/__fixtures__/image.js';
import {
  registrySkipReason,
  startRealRegistry,
  type RealRegistry,
} from '../registry/__fixtures__/real-registry.js';
import { pushImage } from '../registry/index.js';
import { checkDrift, registryDriftDeps } from './drift.js';
import { reportFileName } from './envelope.js';
import { startListener, type RunningListener } from './listener.js';
import { registryScanFn, type ListenReport } from './scan-job.js';

const skip = registrySkipReason();
const TOKEN = 'it-only-token';
const opts = { dockerConfig: false as const };

let registry: RealRegistry | undefined;
let listener: RunningListener | undefined;
let dir = '';
let host = '';

before(async () => {
  if (skip !== false) return;
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
  registry = await startRealRegistry('rampart-listen-registry-', [
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
  ]);
  host = registry.host;
});

after(async () => {
  await registry?.stop();
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

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError } from './errors.js';
import { readImage } from './index.js';
import { normaliseRef } from './docker-archive.js';
import { type BuiltLayer, configOf, dockerArchive, hex, layer } from './test-fixtures.js';

const tmp = await mkdtemp(join(tmpdir(), 'rampart-docker-'));
after(() => rm(tmp, { recursive: true, force: true }));
let n = 0;
async function file(b: Buffer): Promise<string> {
  const p = join(tmp, `a${n++}.tar`);
  await writeFile(p, b);
  return p;
}

test('legacy docker-archive: symlinked <id>/layer.tar, uncompressed layers verified by diff_id', async () => {
  const l0 = await layer(
    [
      { name: 'etc/os-release', data: 'ID=debian\n' },
      { name: 'app/x', data: 'x' },
    ],
    'none',
  );
  const l1 = await layer(
    [
      { name: 'app/.wh.x', data: '' },
      { name: 'app/y', data: 'y' },
    ],
    'none',
  );
  const path = await file(await dockerArchive([l0, l1], { legacy: true }));
  const img = await readImage(path, { want: () => true });
  assert.equal(img.source, 'docker-archive');
  assert.deepEqual(img.repoTags, ['docker.io/test/app:latest']);
  assert.equal(img.fs.read('/etc/os-release')?.toString(), 'ID=debian\n');
  assert.deepEqual(img.fs.list('/app/'), ['/app/y']);
  assert.equal(img.fs.layerOf('/app/y'), l1.diffId);
  assert.deepEqual(
    img.layers.map((l) => [l.digest, l.diffId, l.size]),
    [
      [l0.diffId, l0.diffId, l0.stored.length],
      [l1.diffId, l1.diffId, l1.stored.length],
    ],
  );
  assert.equal(img.config.user, '1000');
  assert.equal(img.configDigest, 'sha256:' + hex(configOf([l0, l1])));
});

test('gzip layers inside a docker-archive and tag selection among several images', async () => {
  const a = await layer([{ name: 'who', data: 'a' }]);
  const b = await layer([{ name: 'who', data: 'b' }]);
  const ca = configOf([a]);
  const cb = configOf([b], { created: '2025-02-02T00:00:00Z' });
  const manifest = JSON.stringify([
    {
      Config: `${hex(ca)}.json`,
      RepoTags: ['docker.io/test/a:latest'],
      Layers: [`${a.diffId.slice(7)}.tar`],
    },
    {
      Config: `${hex(cb)}.json`,
      RepoTags: ['docker.io/library/b:1.0'],
      Layers: [`${b.diffId.slice(7)}.tar`],
    },
  ]);
  const { tarOf } = await import('./test-fixtures.js');
  const archive = await tarOf([
    { name: `${a.diffId.slice(7)}.tar`, data: a.stored },
    { name: `${b.diffId.slice(7)}.tar`, data: b.stored },
    { name: `${hex(ca)}.json`, data: ca },
    { name: `${hex(cb)}.json`, data: cb },
    { name: 'manifest.json', data: manifest },
  ]);
  const path = await file(archive);
  assert.equal((await readImage(path, { tag: 'test/a', want: () => true })).fs.read('/who')?.toString(), 'a');
  assert.equal((await readImage(path, { tag: 'b:1.0', want: () => true })).fs.read('/who')?.toString(), 'b');
  await assert.rejects(readImage(path), (e) => isImageError(e, 'ambiguous-image'));
  await assert.rejects(readImage(path, { tag: 'c' }), (e) => isImageError(e, 'no-matching-image'));
});

test('refs normalise like docker: docker.io/library and :latest', () => {
  assert.equal(normaliseRef('docker.io/library/alpine'), 'alpine:latest');
  assert.equal(normaliseRef('docker.io/test/app:latest'), 'test/app:latest');
  assert.equal(normaliseRef('localhost:5000/app'), 'localhost:5000/app:latest');
});

test('a layer or config that does not match its digest is refused', async () => {
  const l0 = await layer([{ name: 'a', data: 'a' }], 'none');
  const forged: BuiltLayer = { ...(await layer([{ name: 'a', data: 'evil' }], 'none')), diffId: l0.diffId };
  const path = await file(await dockerArchive([forged], { config: configOf([l0]) }));
  await assert.rejects(readImage(path), (e) => isImageError(e, 'digest-mismatch'));
  const cfg = configOf([l0]);
  const lying = JSON.stringify([
    { Config: `${'a'.repeat(64)}.json`, RepoTags: [], Layers: [`${l0.diffId.slice(7)}.tar`] },
  ]);
  const { tarOf } = await import('./test-fixtures.js');
  const p2 = await file(
    await tarOf([
      { name: `${l0.diffId.slice(7)}.tar`, data: l0.stored },
      { name: `${'a'.repeat(64)}.json`, data: cfg },
      { name: 'manifest.json', data: lying },
    ]),
  );
  await assert.rejects(readImage(p2), (e) => isImageError(e, 'digest-mismatch'));
});

test('oversized or missing manifest.json, missing layer member', async () => {
  const l0 = await layer([{ name: 'a', data: 'a' }], 'none');
  const big = JSON.stringify([{ Config: 'x.json', Layers: [], pad: 'x'.repeat(5 * 1024 * 1024) }]);
  await assert.rejects(readImage(await file(await dockerArchive([l0], { manifest: big }))), (e) =>
    isImageError(e, 'too-large'),
  );
  const { tarOf } = await import('./test-fixtures.js');
  await assert.rejects(readImage(await file(await tarOf([{ name: 'x', data: 'y' }]))), (e) =>
    isImageError(e, 'not-found'),
  );
  const noLayer = JSON.stringify([{ Config: `${hex(configOf([l0]))}.json`, Layers: ['missing.tar'] }]);
  await assert.rejects(readImage(await file(await dockerArchive([l0], { manifest: noLayer }))), (e) =>
    isImageError(e, 'not-found'),
  );
  await assert.rejects(readImage(await file(Buffer.from('not a tar at all'.repeat(64)))), (e) =>
    isImageError(e, 'bad-format'),
  );
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readOciLayout } from '../read/index.js';
import { FakeRegistry } from './__fixtures__/fake-registry.js';
import { buildImage, storeImage } from './__fixtures__/image.js';
import { pullImage, writeOciLayout } from './pull.js';

let reg: FakeRegistry;
let tmp: string;
before(async () => {
  reg = await new FakeRegistry().start();
  tmp = await mkdtemp(join(tmpdir(), 'rampart-registry-layout-'));
});
after(async () => {
  await reg.stop();
  await rm(tmp, { recursive: true, force: true });
});

test('a pulled image written as an OCI layout opens with the image reader', async () => {
  const img = await buildImage([
    { 'etc/os-release': 'ID=alpine\n', 'app/a.txt': 'first' },
    { 'app/a.txt': 'second' },
  ]);
  storeImage(reg, 'lay/out', ['v1'], img);
  const pulled = await pullImage(`${reg.host}/lay/out:v1`, {
    cacheDir: join(tmp, 'cache'),
    dockerConfig: false,
  });
  const dir = join(tmp, 'layout');
  await writeOciLayout(pulled, dir);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  assert.equal(index.manifests[0]?.digest, img.manifestDigest);
  const image = await readOciLayout(dir, { tag: 'v1' });
  assert.equal(image.manifestDigest, img.manifestDigest);
  assert.equal(image.configDigest, img.configDigest);
  assert.deepEqual(
    image.layers.map((l) => l.digest),
    img.layers.map((l) => l.digest),
  );
  assert.ok(image.fs.stat('/app/a.txt'));
  assert.equal(image.fs.layerOf('/app/a.txt'), img.layers[1]?.diffId);
});

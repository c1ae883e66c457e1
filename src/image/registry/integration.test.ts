/**
 * Opt-out integration test against a real registry: CNCF distribution 2.8 (Debian package
 * `docker-registry`), started on a free loopback port with a temp config and storage folder.
 * Skipped with a message when the binary is missing; RAMPART_REGISTRY_IT=0 skips it too.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { sha256 } from './__fixtures__/fake-registry.js';
import { registrySkipReason, startRealRegistry, type RealRegistry } from './__fixtures__/real-registry.js';
import { OCI_INDEX, OCI_MANIFEST, buildImage } from './__fixtures__/image.js';
import { RegistryClient } from './client.js';
import { isRegistryError } from './errors.js';
import { fetchArtifact, pullImage, pushArtifact, pushImage } from './pull.js';

const skip = registrySkipReason();
let registry: RealRegistry | undefined;
let dir = '';
let host = '';

before(async () => {
  if (skip !== false) return;
  registry = await startRealRegistry('rampart-registry-it-');
  ({ dir, host } = registry);
});

after(async () => {
  await registry?.stop();
});

const opts = { dockerConfig: false as const };

test('real registry: push, HEAD, pull back by tag and digest, cosign tag, 404', { skip }, async () => {
  const img = await buildImage([{ 'etc/os-release': 'ID=debian\n' }, { 'app/x': 'x'.repeat(100_000) }]);
  const input = {
    blobs: [{ bytes: img.config }, ...img.layers.map((l) => ({ bytes: l.bytes }))],
    manifestBytes: img.manifest,
    manifestMediaType: OCI_MANIFEST,
  };
  const t0 = performance.now();
  const pushed = await pushImage(`${host}/test/app:1.0`, input, opts);
  const pushMs = performance.now() - t0;
  assert.deepEqual([pushed.digest, pushed.uploaded], [img.manifestDigest, 3]);
  assert.equal((await pushImage(`${host}/test/app:1.0`, input, opts)).skipped, 3);

  const client = new RegistryClient(host, opts);
  assert.equal((await client.headManifest('test/app', '1.0'))?.digest, img.manifestDigest);

  const cacheDir = join(dir, 'cache');
  const t1 = performance.now();
  const pulled = await pullImage(`${host}/test/app:1.0`, { cacheDir, ...opts });
  const pullMs = performance.now() - t1;
  assert.equal(pulled.manifestDigest, img.manifestDigest);
  assert.deepEqual(new Uint8Array(await readFile(pulled.layers[1]?.path ?? '')), img.layers[1]?.bytes);
  const byDigest = await pullImage(`${host}/test/app@${img.manifestDigest}`, { cacheDir, ...opts });
  assert.equal(byDigest.configDigest, img.configDigest);

  // cosign-style signature artifact under sha256-<hex>.sig in the same repository.
  const payload = new TextEncoder().encode(
    '{"critical":{"image":{"docker-manifest-digest":"' + img.manifestDigest + '"}}}',
  );
  const cfg = new TextEncoder().encode('{}');
  const layerDesc = {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    digest: sha256(payload),
    size: payload.byteLength,
  };
  const cfgDesc = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: sha256(cfg),
    size: cfg.byteLength,
  };
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: cfgDesc, layers: [layerDesc] };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const tag = `${img.manifestDigest.replace(':', '-')}.sig`;
  await pushArtifact(
    `${host}/test/app`,
    {
      tag,
      config: { descriptor: cfgDesc, bytes: cfg },
      layers: [{ descriptor: layerDesc, bytes: payload }],
      manifest,
      manifestBytes,
      manifestDigest: sha256(manifestBytes),
    },
    opts,
  );
  const sig = await fetchArtifact(`${host}/test/app`, tag, opts);
  assert.deepEqual(sig?.blobs.get(layerDesc.digest), payload);

  await assert.rejects(
    pullImage(`${host}/test/app:nope`, { cacheDir, ...opts }),
    (e: unknown) => isRegistryError(e, 'not-found') && /MANIFEST_UNKNOWN/.test(e.message),
  );
  await assert.rejects(pullImage(`${host}/test/absent:1`, { cacheDir, ...opts }), (e: unknown) =>
    isRegistryError(e, 'not-found'),
  );
  console.log(
    `# docker-registry: push ${pushMs.toFixed(0)} ms, pull ${pullMs.toFixed(0)} ms (3 blobs, ~100 kB)`,
  );
});

test('real registry: image index with two platforms', { skip }, async () => {
  const amd = await buildImage([{ arch: 'amd64' }], 'amd64');
  const arm = await buildImage([{ arch: 'arm64' }], 'arm64');
  for (const [img, tag] of [
    [amd, 'amd'],
    [arm, 'arm'],
  ] as const) {
    await pushImage(
      `${host}/test/multi:${tag}`,
      {
        blobs: [{ bytes: img.config }, ...img.layers.map((l) => ({ bytes: l.bytes }))],
        manifestBytes: img.manifest,
        manifestMediaType: OCI_MANIFEST,
      },
      opts,
    );
  }
  const index = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: arm.manifestDigest,
          size: arm.manifest.byteLength,
          platform: { os: 'linux', architecture: 'arm64' },
        },
        {
          mediaType: OCI_MANIFEST,
          digest: amd.manifestDigest,
          size: amd.manifest.byteLength,
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ],
    }),
  );
  await pushImage(
    `${host}/test/multi:latest`,
    { blobs: [], manifestBytes: index, manifestMediaType: OCI_INDEX },
    opts,
  );
  const cacheDir = join(dir, 'cache');
  assert.equal(
    (await pullImage(`${host}/test/multi`, { cacheDir, ...opts })).manifestDigest,
    amd.manifestDigest,
  );
  const a = await pullImage(`${host}/test/multi`, { cacheDir, platform: 'linux/arm64', ...opts });
  assert.deepEqual([a.manifestDigest, a.indexDigest], [arm.manifestDigest, sha256(index)]);
});

// The real distroless OCI layout of the shared corpus (RAMPART_SHARED, else ../shared next to the repository).
const FIXTURE =
  process.env.RAMPART_IMAGE_FIXTURE ??
  join(
    process.env.RAMPART_SHARED ?? join(fileURLToPath(new URL('../../../..', import.meta.url)), 'shared'),
    'data/images/fixtures/distroless-statusd.oci',
  );

test(
  'real registry: a real OCI image (distroless-statusd fixture) pushed and pulled back bit for bit',
  { skip: skip || (existsSync(join(FIXTURE, 'index.json')) ? false : `${FIXTURE} not present`) },
  async () => {
    const blob = (d: string): Promise<Buffer> => readFile(join(FIXTURE, 'blobs', 'sha256', d.slice(7)));
    const index = JSON.parse(await readFile(join(FIXTURE, 'index.json'), 'utf8')) as {
      manifests: { digest: string; mediaType: string }[];
    };
    const desc = index.manifests[0];
    assert.ok(desc);
    const manifestBytes = await blob(desc.digest);
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    const blobs = await Promise.all(
      [manifest.config, ...manifest.layers].map(async (d) => ({
        bytes: await blob(d.digest),
        digest: d.digest,
      })),
    );
    const t0 = performance.now();
    const pushed = await pushImage(
      `${host}/test/distroless:statusd`,
      { blobs, manifestBytes, manifestMediaType: desc.mediaType },
      opts,
    );
    const pushMs = performance.now() - t0;
    assert.equal(pushed.digest, desc.digest);
    const t1 = performance.now();
    const pulled = await pullImage(`${host}/test/distroless:statusd`, {
      cacheDir: join(dir, 'cache-real'),
      ...opts,
    });
    const pullMs = performance.now() - t1;
    assert.equal(pulled.manifestDigest, desc.digest);
    for (const l of pulled.layers) assert.ok((await readFile(l.path)).equals(await blob(l.digest)));
    const bytes = blobs.reduce((n, b) => n + b.bytes.byteLength, 0);
    console.log(
      `# real image ${(bytes / 1e6).toFixed(1)} MB: push ${pushMs.toFixed(0)} ms, pull ${pullMs.toFixed(0)} ms`,
    );
  },
);

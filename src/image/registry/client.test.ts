import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { FakeRegistry, sha256 } from './__fixtures__/fake-registry.js';
import { OCI_INDEX, OCI_MANIFEST, buildImage, storeImage } from './__fixtures__/image.js';
import { RegistryClient } from './client.js';
import { isRegistryError } from './errors.js';
import { fetchArtifact, pullImage, pushArtifact, pushImage } from './pull.js';

let reg: FakeRegistry;
let tmp: string;
let cacheDir: string;

before(async () => {
  reg = await new FakeRegistry().start();
  tmp = await mkdtemp(join(tmpdir(), 'rampart-registry-'));
});
after(async () => {
  await reg.stop();
  await rm(tmp, { recursive: true, force: true });
});
let n = 0;
beforeEach(() => {
  reg.auth = { kind: 'anonymous' };
  reg.log.length = 0;
  reg.tokenRequests = [];
  reg.tampered.clear();
  reg.chunkedManifests = false;
  cacheDir = join(tmp, `cache-${n++}`);
});

const noDockerConfig = { dockerConfig: false as const };

test('anonymous pull: manifest, config and every layer verified into the cache; second pull hits the cache', async () => {
  const img = await buildImage([{ 'etc/os-release': 'ID=debian\n' }, { 'app/a.txt': 'hello' }]);
  storeImage(reg, 'test/app', ['v1'], img);
  const pulled = await pullImage(`${reg.host}/test/app:v1`, { cacheDir, ...noDockerConfig });
  assert.equal(pulled.manifestDigest, img.manifestDigest);
  assert.equal(pulled.configDigest, img.configDigest);
  assert.equal((pulled.config as { architecture: string }).architecture, 'amd64');
  assert.equal(pulled.layers.length, 2);
  for (const [i, l] of pulled.layers.entries()) {
    assert.equal(l.digest, img.layers[i]?.digest);
    assert.equal(l.path, join(cacheDir, 'blobs', 'sha256', l.digest.slice(7)));
    assert.deepEqual(new Uint8Array(await readFile(l.path)), img.layers[i]?.bytes);
  }
  // Manifest and config are cached as blobs too; no temp file left behind.
  assert.deepEqual(
    new Uint8Array(await readFile(join(cacheDir, 'blobs', 'sha256', img.manifestDigest.slice(7)))),
    img.manifest,
  );
  assert.deepEqual(await readdir(join(cacheDir, 'tmp')), []);

  reg.log.length = 0;
  const again = await pullImage(`${reg.host}/test/app@${img.manifestDigest}`, {
    cacheDir,
    ...noDockerConfig,
  });
  assert.equal(again.manifestDigest, img.manifestDigest);
  const layerGets = reg.log.filter(
    (r) => r.path.includes('/blobs/') && img.layers.some((l) => r.path.endsWith(l.digest)),
  );
  assert.deepEqual(layerGets, []);
});

test('basic auth: credentials from options or docker config; rejected/missing credentials give clear errors without secrets', async () => {
  const img = await buildImage([{ 'b.txt': 'basic' }]);
  storeImage(reg, 'priv/app', ['latest'], img);
  const password = 'pa55-w0rd-SECRET';
  reg.auth = { kind: 'basic', username: 'alice', password };
  const ok = await pullImage(`${reg.host}/priv/app`, {
    cacheDir,
    credentials: { username: 'alice', password },
  });
  assert.equal(ok.manifestDigest, img.manifestDigest);
  assert.ok(reg.log.some((r) => r.authorization?.startsWith('Basic ')));

  const cfg = join(tmp, 'docker-config.json');
  const auth = Buffer.from(`alice:${password}`).toString('base64');
  await writeFile(cfg, JSON.stringify({ auths: { [`http://${reg.host}`]: { auth } } }));
  const viaConfig = await pullImage(`${reg.host}/priv/app:latest`, { cacheDir, dockerConfig: cfg });
  assert.equal(viaConfig.manifestDigest, img.manifestDigest);

  await assert.rejects(
    pullImage(`${reg.host}/priv/app`, {
      cacheDir,
      credentials: { username: 'alice', password: 'wrong-SECRET' },
    }),
    (e: unknown) =>
      isRegistryError(e, 'unauthorized') &&
      e.message.includes('rejected the credentials') &&
      e.message.includes('priv/app') &&
      !e.message.includes('SECRET') &&
      !e.message.includes('alice:'),
  );
  await assert.rejects(
    pullImage(`${reg.host}/priv/app`, { cacheDir, ...noDockerConfig }),
    (e: unknown) =>
      isRegistryError(e, 'unauthorized') && /no credentials configured/.test(e.message) && e.status === 401,
  );
});

test('bearer tokens: challenge → token endpoint (with basic credentials) → retry; one token per scope is reused', async () => {
  const img = await buildImage([{ 'x.txt': 'one' }, { 'y.txt': 'two' }, { 'z.txt': 'three' }]);
  storeImage(reg, 'team/svc', ['1.0'], img);
  reg.auth = { kind: 'bearer', username: 'bob', password: 'tok-pass-SECRET', token: 'opaque-token-SECRET' };
  const client = new RegistryClient(reg.host, {
    credentials: { username: 'bob', password: 'tok-pass-SECRET' },
  });
  await pullImage(`${reg.host}/team/svc:1.0`, { cacheDir, client });
  assert.equal(reg.tokenRequests.length, 1, 'manifest + config + 3 layers with one token');
  assert.deepEqual(reg.tokenRequests[0]?.scope, ['repository:team/svc:pull']);
  assert.ok(reg.tokenRequests[0]?.authorization?.startsWith('Basic '));
  assert.ok(reg.log.filter((r) => r.authorization === 'Bearer opaque-token-SECRET').length >= 5);
  await pullImage(`${reg.host}/team/svc:1.0`, { cacheDir, client });
  assert.equal(reg.tokenRequests.length, 1, 'cached token reused by a second pull');

  await assert.rejects(
    pullImage(`${reg.host}/team/svc:1.0`, {
      cacheDir,
      credentials: { username: 'bob', password: 'nope-SECRET' },
    }),
    (e: unknown) =>
      isRegistryError(e, 'unauthorized') && /token endpoint/.test(e.message) && !/SECRET/.test(e.message),
  );
  // Anonymous bearer (Docker Hub style public repo): token endpoint without credentials.
  reg.auth = { kind: 'bearer', token: 'anon' };
  reg.tokenRequests = [];
  const anon = await pullImage(`${reg.host}/team/svc:1.0`, { cacheDir, ...noDockerConfig });
  assert.equal(anon.manifestDigest, img.manifestDigest);
  assert.equal(reg.tokenRequests[0]?.authorization, undefined);
});

test('image index with two platforms: linux/amd64 by default, another by option; unknown platform is a clear error', async () => {
  const amd = await buildImage([{ 'arch.txt': 'amd64' }], 'amd64');
  const arm = await buildImage([{ 'arch.txt': 'arm64' }], 'arm64');
  storeImage(reg, 'multi/app', [], amd);
  storeImage(reg, 'multi/app', [], arm);
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        mediaType: OCI_MANIFEST,
        digest: arm.manifestDigest,
        size: arm.manifest.byteLength,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
      {
        mediaType: OCI_MANIFEST,
        digest: amd.manifestDigest,
        size: amd.manifest.byteLength,
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ],
  };
  const idx = reg.addManifest('multi/app', ['latest'], index, OCI_INDEX);
  const a = await pullImage(`${reg.host}/multi/app`, { cacheDir, ...noDockerConfig });
  assert.equal(a.manifestDigest, amd.manifestDigest);
  assert.equal(a.indexDigest, idx.digest);
  const b = await pullImage(`${reg.host}/multi/app`, {
    cacheDir,
    platform: 'linux/arm64',
    ...noDockerConfig,
  });
  assert.equal(b.manifestDigest, arm.manifestDigest);
  assert.equal((b.config as { architecture: string }).architecture, 'arm64');
  await assert.rejects(
    pullImage(`${reg.host}/multi/app`, {
      cacheDir,
      platform: { os: 'linux', architecture: 's390x' },
      ...noDockerConfig,
    }),
    (e: unknown) =>
      isRegistryError(e, 'no-matching-platform') && e.message.includes('linux/arm64/v8, linux/amd64'),
  );
});

test('a blob whose bytes do not match its digest is refused and never enters the cache', async () => {
  const img = await buildImage([{ 'good.txt': 'good' }]);
  storeImage(reg, 'evil/app', ['latest'], img);
  const layer = img.layers[0];
  assert.ok(layer);
  const forged = new Uint8Array(layer.bytes);
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0xff; // same size, other bytes
  reg.tampered.set(layer.digest, forged);
  await assert.rejects(
    pullImage(`${reg.host}/evil/app`, { cacheDir, ...noDockerConfig }),
    (e: unknown) => isRegistryError(e, 'digest-mismatch') && e.message.includes(layer.digest),
  );
  const cached = await readdir(join(cacheDir, 'blobs', 'sha256'));
  assert.ok(!cached.includes(layer.digest.slice(7)));
  assert.deepEqual(await readdir(join(cacheDir, 'tmp')), []);

  // Longer than declared: refused as a size mismatch. Tampered config: refused too.
  reg.tampered.set(layer.digest, new Uint8Array([...layer.bytes, 0]));
  await assert.rejects(pullImage(`${reg.host}/evil/app`, { cacheDir, ...noDockerConfig }), (e: unknown) =>
    isRegistryError(e, 'size-mismatch'),
  );
  reg.tampered.clear();
  reg.tampered.set(
    img.configDigest,
    new TextEncoder().encode('{"architecture":"evil" }'.padEnd(img.config.byteLength, ' ')),
  );
  await assert.rejects(pullImage(`${reg.host}/evil/app`, { cacheDir, ...noDockerConfig }), (e: unknown) =>
    isRegistryError(e, 'digest-mismatch'),
  );
});

test('a manifest served for a digest must hash to that digest', async () => {
  const img = await buildImage([{ a: 'a' }]);
  storeImage(reg, 'swap/app', ['latest'], img);
  const other = `sha256:${'0'.repeat(64)}`;
  reg.manifests.set(`swap/app@${other}`, { bytes: img.manifest, contentType: OCI_MANIFEST });
  await assert.rejects(
    pullImage(`${reg.host}/swap/app@${other}`, { cacheDir, ...noDockerConfig }),
    (e: unknown) => isRegistryError(e, 'digest-mismatch'),
  );
});

test('404 and schema1 give clear messages', async () => {
  await assert.rejects(
    pullImage(`${reg.host}/missing/app:v9`, { cacheDir, ...noDockerConfig }),
    (e: unknown) =>
      isRegistryError(e, 'not-found') &&
      e.message === `${reg.host}/missing/app: manifest v9: not found (MANIFEST_UNKNOWN "manifest unknown")`,
  );
  reg.addManifest(
    'old/app',
    ['latest'],
    { schemaVersion: 1, name: 'old/app', tag: 'latest', fsLayers: [] },
    'application/vnd.docker.distribution.manifest.v1+prettyjws',
  );
  await assert.rejects(
    pullImage(`${reg.host}/old/app`, { cacheDir, ...noDockerConfig }),
    (e: unknown) => isRegistryError(e, 'unsupported-manifest') && /schema1/.test(e.message),
  );
  const client = new RegistryClient(reg.host, noDockerConfig);
  assert.equal(await client.headManifest('missing/app', 'v9'), undefined);
  assert.equal(await client.hasBlob('missing/app', `sha256:${'1'.repeat(64)}`), false);
  await client.ping();
});

test('oversized manifests are refused, with or without Content-Length', async () => {
  const big = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {},
    layers: [],
    padding: 'x'.repeat(4 * 1024 * 1024),
  };
  reg.addManifest('big/app', ['latest'], big, OCI_MANIFEST);
  for (const chunked of [false, true]) {
    reg.chunkedManifests = chunked;
    await assert.rejects(
      pullImage(`${reg.host}/big/app`, { cacheDir, ...noDockerConfig }),
      (e: unknown) => isRegistryError(e, 'too-large') && /4194304-byte cap/.test(e.message),
    );
  }
});

test('push then pull round trip (bearer, pull+push scope); pushing again skips existing blobs', async () => {
  reg.auth = { kind: 'bearer', username: 'ci', password: 'ci-pw', token: 'push-token' };
  const img = await buildImage([{ 'etc/issue': 'pushed\n' }, { 'srv/data': 'payload' }]);
  const credentials = { username: 'ci', password: 'ci-pw' };
  const input = {
    blobs: [{ bytes: img.config }, ...img.layers.map((l) => ({ bytes: l.bytes, digest: l.digest }))],
    manifestBytes: img.manifest,
    manifestMediaType: OCI_MANIFEST,
  };
  const first = await pushImage(`${reg.host}/roundtrip/app:2.0`, input, { credentials });
  assert.deepEqual([first.digest, first.uploaded, first.skipped], [img.manifestDigest, 3, 0]);
  assert.ok(reg.tokenRequests.some((t) => t.scope.includes('repository:roundtrip/app:pull,push')));
  const second = await pushImage(`${reg.host}/roundtrip/app:2.1`, input, { credentials });
  assert.deepEqual([second.uploaded, second.skipped], [0, 3]);

  const pulled = await pullImage(`${reg.host}/roundtrip/app:2.0`, { cacheDir, credentials });
  assert.equal(pulled.manifestDigest, img.manifestDigest);
  assert.deepEqual(pulled.configBytes, img.config);
  assert.deepEqual(new Uint8Array(await readFile(pulled.layers[1]?.path ?? '')), img.layers[1]?.bytes);

  await assert.rejects(
    pushImage(
      `${reg.host}/roundtrip/app:bad`,
      { ...input, blobs: [{ bytes: img.config, digest: sha256('other') }] },
      { credentials },
    ),
    (e: unknown) => isRegistryError(e, 'digest-mismatch'),
  );
});

test('cosign-style artifact: pushed under sha256-<hex>.sig and fetched back with verified blobs', async () => {
  const imageDigest = `sha256:${'ab'.repeat(32)}`;
  const payload = new TextEncoder().encode('{"critical":{}}');
  const config = new TextEncoder().encode('{"rootfs":{"type":"layers","diff_ids":[]}}');
  const layerDesc = {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    digest: sha256(payload),
    size: payload.byteLength,
  };
  const configDesc = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    digest: sha256(config),
    size: config.byteLength,
  };
  const manifest = {
    schemaVersion: 2 as const,
    mediaType: OCI_MANIFEST,
    config: configDesc,
    layers: [layerDesc],
  };
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
  const tag = `${imageDigest.replace(':', '-')}.sig`;
  await pushArtifact(
    `${reg.host}/signed/app:latest`,
    {
      tag,
      config: { descriptor: configDesc, bytes: config },
      layers: [{ descriptor: layerDesc, bytes: payload }],
      manifest,
      manifestBytes,
      manifestDigest: sha256(manifestBytes),
    },
    noDockerConfig,
  );
  const fetched = await fetchArtifact(`${reg.host}/signed/app`, tag, noDockerConfig);
  assert.ok(fetched);
  assert.deepEqual(fetched.manifest, manifestBytes);
  assert.deepEqual(fetched.blobs.get(layerDesc.digest), payload);
  assert.equal(await fetchArtifact(`${reg.host}/signed/app`, 'sha256-00.sig', noDockerConfig), undefined);
});

test('a registry that never answers times out with a clear error', async () => {
  const sockets: import('node:net').Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as AddressInfo).port;
  try {
    await assert.rejects(
      pullImage(`127.0.0.1:${port}/slow/app`, { cacheDir, timeoutMs: 200, ...noDockerConfig }),
      (e: unknown) => isRegistryError(e, 'timeout') && /within 200 ms/.test(e.message),
    );
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

test('https registries: http token realms are refused; credentials never follow a cross-origin redirect', async () => {
  const seen: { url: string; auth: string | undefined }[] = [];
  const fakeFetch = async (url: string, init: RequestInit): Promise<Response> => {
    const auth = (init.headers as Record<string, string>).Authorization;
    seen.push({ url, auth });
    if (url.includes('/manifests/')) {
      return new Response('', {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="http://evil.example/token",service="x"' },
      });
    }
    if (url.startsWith('https://registry.example.com/v2/r/blobs/')) {
      return new Response('', { status: 307, headers: { Location: 'https://cdn.example.net/blob?sig=1' } });
    }
    return new Response('abc', { status: 200 });
  };
  const client = new RegistryClient('registry.example.com', {
    fetch: fakeFetch,
    credentials: { username: 'u', password: 'p' },
  });
  await assert.rejects(client.getManifest('r', 'latest'), (e: unknown) => isRegistryError(e, 'insecure'));
  assert.ok(!seen.some((s) => s.url.startsWith('http://evil.example')));

  seen.length = 0;
  const basic = new RegistryClient('registry.example.com', {
    credentials: { username: 'u', password: 'p' },
    fetch: async (url, init) => {
      const auth = (init.headers as Record<string, string>).Authorization;
      if (url.startsWith('https://registry.example.com') && auth === undefined) {
        seen.push({ url, auth });
        return new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="r"' } });
      }
      return fakeFetch(url, init);
    },
  });
  const bytes = await basic.getBlobBytes('r', { mediaType: 'x', digest: sha256('abc'), size: 3 });
  assert.equal(new TextDecoder().decode(bytes), 'abc');
  assert.ok(
    seen.some((s) => s.url.startsWith('https://registry.example.com') && s.auth?.startsWith('Basic ')),
  );
  assert.deepEqual(
    seen.filter((s) => s.url.startsWith('https://cdn.example.net')).map((s) => s.auth),
    [undefined],
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRegistryError } from './errors.js';
import {
  MAX_MANIFEST_BYTES,
  MEDIA_TYPES,
  type ImageIndex,
  parseManifest,
  parsePlatform,
  selectPlatform,
} from './manifest.js';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const d = (n: number): string => `sha256:${n.toString(16).padStart(2, '0').repeat(32)}`;

test('schema1 is refused with a clear error, by header or by body', () => {
  const body = enc({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] });
  for (const ct of [undefined, MEDIA_TYPES.dockerSchema1Signed]) {
    assert.throws(
      () => parseManifest(body, ct, 'm'),
      (e: unknown) => isRegistryError(e, 'unsupported-manifest') && /schema1/.test(e.message),
    );
  }
});

test('OCI and Docker manifests and indexes parse; mediaType may come from Content-Type', () => {
  const m = parseManifest(
    enc({
      schemaVersion: 2,
      config: { mediaType: 'c', digest: d(1), size: 3 },
      layers: [{ mediaType: 'l', digest: d(2), size: 9 }],
    }),
    `${MEDIA_TYPES.dockerManifest}; charset=utf-8`,
    'm',
  );
  assert.equal(m.kind, 'manifest');
  assert.equal(m.mediaType, MEDIA_TYPES.dockerManifest);
  const i = parseManifest(enc({ schemaVersion: 2, manifests: [] }), undefined, 'i');
  assert.deepEqual(i, { kind: 'index', mediaType: MEDIA_TYPES.ociIndex, manifests: [] });
  assert.throws(
    () => parseManifest(enc({ schemaVersion: 2, mediaType: 'application/x-other' }), undefined, 'x'),
    (e: unknown) => isRegistryError(e, 'unsupported-manifest'),
  );
  assert.throws(
    () =>
      parseManifest(
        enc({ schemaVersion: 2, config: { digest: '../../etc', size: 1, mediaType: 'c' }, layers: [] }),
        undefined,
        'x',
      ),
    (e: unknown) => isRegistryError(e, 'bad-manifest'),
  );
  assert.throws(
    () => parseManifest(new Uint8Array(MAX_MANIFEST_BYTES + 1), undefined, 'x'),
    (e: unknown) => isRegistryError(e, 'too-large'),
  );
  assert.throws(
    () => parseManifest(enc([1]), undefined, 'x'),
    (e: unknown) => isRegistryError(e, 'bad-manifest'),
  );
});

test('platform selection: exact, variant preference, unknown entries skipped, clear miss', () => {
  const index: ImageIndex = {
    kind: 'index',
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: d(1),
        size: 1,
        platform: { os: 'unknown', architecture: 'unknown' },
      },
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: d(2),
        size: 1,
        platform: { os: 'linux', architecture: 'arm', variant: 'v6' },
      },
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: d(3),
        size: 1,
        platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
      },
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: d(4),
        size: 1,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: d(5),
        size: 1,
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ],
  };
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' }, 'i').digest, d(5));
  assert.equal(selectPlatform(index, parsePlatform('linux/arm64'), 'i').digest, d(4));
  assert.equal(selectPlatform(index, parsePlatform('linux/arm/v7'), 'i').digest, d(3));
  assert.throws(
    () => selectPlatform(index, parsePlatform('windows/amd64'), 'i'),
    (e: unknown) => isRegistryError(e, 'no-matching-platform') && e.message.includes('linux/arm/v7'),
  );
  assert.throws(
    () => parsePlatform('linux'),
    (e: unknown) => isRegistryError(e, 'bad-reference'),
  );
});

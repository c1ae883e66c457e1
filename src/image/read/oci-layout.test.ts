import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isImageError } from './errors.js';
import { readImage } from './index.js';
import { configOf, descOf, hex, layer, ociImage, writeLayout } from './test-fixtures.js';

const tmp = await mkdtemp(join(tmpdir(), 'rampart-oci-'));
after(() => rm(tmp, { recursive: true, force: true }));
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
let n = 0;
const newDir = (): string => join(tmp, `l${n++}`);

async function twoArchImages() {
  const amd = ociImage([await layer([{ name: 'arch', data: 'amd64' }])]);
  const arm = ociImage([await layer([{ name: 'arch', data: 'arm64' }])]);
  const nested = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        descOf(arm.manifest, OCI_MANIFEST, {
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        }),
        descOf(amd.manifest, OCI_MANIFEST, { platform: { os: 'linux', architecture: 'amd64' } }),
      ],
    }),
  );
  const blobs = new Map([...amd.blobs, ...arm.blobs, [hex(nested), nested]]);
  return { amd, arm, nested, blobs };
}

test('tag selection by ref.name, nested index, linux/amd64 by default, other platform on request', async () => {
  const { amd, arm, nested, blobs } = await twoArchImages();
  const other = ociImage([await layer([{ name: 'arch', data: 'other' }])]);
  for (const [h, b] of other.blobs) blobs.set(h, b);
  const dir = newDir();
  await writeLayout(dir, blobs, {
    schemaVersion: 2,
    manifests: [
      descOf(nested, OCI_INDEX, { annotations: { 'org.opencontainers.image.ref.name': 'multi' } }),
      descOf(other.manifest, OCI_MANIFEST, {
        annotations: { 'org.opencontainers.image.ref.name': 'single' },
      }),
    ],
  });
  const a = await readImage(dir, { tag: 'multi', want: () => true });
  assert.equal(a.fs.read('/arch')?.toString(), 'amd64');
  assert.equal(a.manifestDigest, 'sha256:' + hex(amd.manifest));
  assert.deepEqual(a.repoTags, ['multi']);
  assert.equal(a.source, 'oci-layout');
  const b = await readImage(dir, {
    tag: 'multi',
    platform: { os: 'linux', architecture: 'arm64' },
    want: () => true,
  });
  assert.equal(b.fs.read('/arch')?.toString(), 'arm64');
  assert.equal(b.manifestDigest, 'sha256:' + hex(arm.manifest));
  const s = await readImage(dir, { tag: 'single', want: () => true });
  assert.equal(s.fs.read('/arch')?.toString(), 'other');
  await assert.rejects(readImage(dir, { tag: 'nope' }), (e) => isImageError(e, 'no-matching-image'));
  await assert.rejects(readImage(dir), (e) => isImageError(e, 'ambiguous-image'));
  await assert.rejects(
    readImage(dir, { tag: 'multi', platform: { os: 'linux', architecture: 's390x' } }),
    (e) => isImageError(e, 'no-matching-image'),
  );
});

test('every blob is verified: layer, config, manifest, size field, diff_id', async () => {
  const l = await layer([{ name: 'a', data: 'a' }]);
  const img = ociImage([l]);
  const index = { schemaVersion: 2, manifests: [descOf(img.manifest, OCI_MANIFEST)] };

  const tamperedLayer = newDir();
  await writeLayout(tamperedLayer, img.blobs, index);
  const flipped = Buffer.from(l.stored);
  flipped.writeUInt8(flipped.readUInt8(flipped.length - 9) ^ 1, flipped.length - 9); // gzip trailer byte (CRC) or data: the stored digest no longer matches
  await writeFile(join(tamperedLayer, 'blobs/sha256', hex(l.stored)), flipped);
  await assert.rejects(
    readImage(tamperedLayer),
    (e) => isImageError(e) && ['digest-mismatch', 'corrupt-layer'].includes(e.code),
  );

  const tamperedConfig = newDir();
  await writeLayout(tamperedConfig, img.blobs, index);
  const cfg = Buffer.from(img.config.toString().replace('"1000"', '"0000"'));
  await writeFile(join(tamperedConfig, 'blobs/sha256', hex(img.config)), cfg);
  await assert.rejects(readImage(tamperedConfig), (e) => isImageError(e, 'digest-mismatch'));

  const badSize = newDir();
  await writeLayout(badSize, img.blobs, {
    schemaVersion: 2,
    manifests: [{ ...descOf(img.manifest, OCI_MANIFEST), size: 5 }],
  });
  await assert.rejects(readImage(badSize), (e) => isImageError(e, 'digest-mismatch'));

  // config lists a diff_id that the (correctly stored) layer does not decompress to
  const wrongDiff = ociImage([l], configOf([{ ...l, diffId: 'sha256:' + '0'.repeat(64) }]));
  const wd = newDir();
  await writeLayout(wd, wrongDiff.blobs, {
    schemaVersion: 2,
    manifests: [descOf(wrongDiff.manifest, OCI_MANIFEST)],
  });
  await assert.rejects(readImage(wd), (e) => isImageError(e, 'digest-mismatch') && /diff_id/.test(e.message));

  const missing = newDir();
  const blobs = new Map(img.blobs);
  blobs.delete(hex(l.stored));
  await writeLayout(missing, blobs, index);
  await assert.rejects(readImage(missing), (e) => isImageError(e, 'not-found'));
});

test('digests that are not sha256 hex (path tricks) are refused before any file access', async () => {
  const dir = newDir();
  await writeLayout(dir, new Map(), {
    schemaVersion: 2,
    manifests: [{ mediaType: OCI_MANIFEST, digest: 'sha256:../../../../etc/passwd', size: 10 }],
  });
  await assert.rejects(readImage(dir), (e) => isImageError(e, 'bad-format'));
});

test('oversized index.json and manifest are refused', async () => {
  const dir = newDir();
  await writeLayout(
    dir,
    new Map(),
    JSON.stringify({ schemaVersion: 2, manifests: [], pad: 'x'.repeat(5 * 1024 * 1024) }),
  );
  await assert.rejects(readImage(dir), (e) => isImageError(e, 'too-large'));
  const l = await layer([{ name: 'a', data: 'a' }]);
  const img = ociImage([l]);
  const dir2 = newDir();
  await writeLayout(dir2, img.blobs, { schemaVersion: 2, manifests: [descOf(img.manifest, OCI_MANIFEST)] });
  await assert.rejects(readImage(dir2, { limits: { maxJsonBytes: 100 } }), (e) =>
    isImageError(e, 'too-large'),
  );
});

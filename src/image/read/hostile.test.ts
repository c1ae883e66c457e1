import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ImageErrorCode, isImageError } from './errors.js';
import { readImage } from './index.js';
import type { ImageLimits } from './limits.js';
import {
  type BuiltLayer,
  type TEntry,
  descOf,
  dig,
  dockerArchive,
  gz,
  hex,
  layer,
  ociImage,
  tarOf,
  writeLayout,
} from './test-fixtures.js';

const tmp = await mkdtemp(join(tmpdir(), 'rampart-hostile-'));
after(() => rm(tmp, { recursive: true, force: true }));
let n = 0;

async function archiveOf(layers: BuiltLayer[]): Promise<string> {
  const p = join(tmp, `h${n++}.tar`);
  await writeFile(p, await dockerArchive(layers));
  return p;
}

async function refused(
  layers: BuiltLayer[],
  code: ImageErrorCode,
  limits?: Partial<ImageLimits>,
): Promise<void> {
  const path = await archiveOf(layers);
  await assert.rejects(readImage(path, { want: () => true, ...(limits ? { limits } : {}) }), (e: unknown) => {
    assert.ok(isImageError(e), `expected ImageError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

const one = async (entries: TEntry[], c: 'none' | 'gzip' = 'gzip'): Promise<BuiltLayer[]> => [
  await layer(entries, c),
];

test('path traversal and absolute names are refused', async () => {
  await refused(await one([{ name: '../../evil', data: 'x' }]), 'path-traversal');
  await refused(await one([{ name: 'a/../../evil', data: 'x' }]), 'path-traversal');
  await refused(await one([{ name: '/etc/evil', data: 'x' }]), 'absolute-path');
});

test('symlinks leaving the root are refused', async () => {
  await refused(
    await one([{ name: 'etc/x', type: 'symlink', linkname: '../../../etc/shadow' }]),
    'symlink-escape',
  );
  await refused(await one([{ name: 'x', type: 'symlink', linkname: '..' }]), 'symlink-escape');
});

test('hardlinks to missing, later or outside paths are refused', async () => {
  await refused(await one([{ name: 'a', type: 'link', linkname: 'nowhere' }]), 'hardlink-missing');
  await refused(
    await one([
      { name: 'a', type: 'link', linkname: 'b' },
      { name: 'b', data: 'later' },
    ]),
    'hardlink-missing',
  );
  await refused(await one([{ name: 'a', type: 'link', linkname: '../../etc/passwd' }]), 'path-traversal');
  await refused(
    await one([
      { name: 'd/', type: 'directory' },
      { name: 'a', type: 'link', linkname: 'd' },
    ]),
    'hardlink-missing',
  );
});

test('decompression bombs: 1000:1 gzip refused with default limits; absolute layer and total caps', async () => {
  const t = await tarOf([{ name: 'zeros', data: Buffer.alloc(24 * 1024 * 1024) }]);
  const bomb: BuiltLayer = {
    stored: gz(t),
    diffId: dig(t),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  };
  assert.ok(t.length / bomb.stored.length > 900, `ratio ${t.length / bomb.stored.length}`);
  await refused([bomb], 'decompression-bomb');
  const plain = await one([{ name: 'f', data: Buffer.alloc(200_000, 7) }], 'none');
  await refused(plain, 'too-large', { maxLayerBytes: 100_000 });
  const small = await layer([{ name: 'g', data: Buffer.alloc(60_000, 1) }], 'none');
  await refused([small, small], 'too-large', { maxTotalBytes: 100_000 });
});

test('too many entries, layers, and unreadable layers are refused', async () => {
  const many = Array.from({ length: 50 }, (_, i): TEntry => ({ name: `f${i}`, data: '' }));
  await refused(await one(many), 'too-many-entries', { maxEntries: 20 });
  const l = await layer([{ name: 'a', data: '' }]);
  await refused([l, l, l], 'too-large', { maxLayers: 2 });
  const bz: BuiltLayer = {
    stored: Buffer.from('BZh91AY&SY' + 'x'.repeat(100)),
    diffId: dig('x'),
    mediaType: 'x',
  };
  await refused([bz], 'unsupported-compression');
  const broken: BuiltLayer = {
    stored: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(600, 0x41)]),
    diffId: dig('x'),
    mediaType: 'x',
  };
  await refused([broken], 'corrupt-layer');
  const notTar: BuiltLayer = {
    stored: Buffer.alloc(1024, 0x41),
    diffId: dig(Buffer.alloc(1024, 0x41)),
    mediaType: 'x',
  };
  await refused([notTar], 'corrupt-layer');
});

test('index nesting deeper than the cap is refused', async () => {
  const img = ociImage([await layer([{ name: 'a', data: '' }])]);
  const blobs = new Map(img.blobs);
  let inner = descOf(img.manifest, 'application/vnd.oci.image.manifest.v1+json');
  for (let i = 0; i < 6; i++) {
    const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [inner] }));
    blobs.set(hex(idx), idx);
    inner = descOf(idx, 'application/vnd.oci.image.index.v1+json');
  }
  const dir = join(tmp, 'deep');
  await writeLayout(dir, blobs, { schemaVersion: 2, manifests: [inner] });
  await assert.rejects(readImage(dir), (e) => isImageError(e, 'too-deep'));
});

test('nothing is written: the work folder and the system temp folder gain no files', async () => {
  const before = (await readdir(tmpdir())).sort();
  const mine = (await readdir(tmp)).sort();
  await refused(await one([{ name: '../rampart-escaped-file', data: 'x' }]), 'path-traversal');
  await refused(
    await one([{ name: 'x', type: 'symlink', linkname: '../../rampart-escaped-link' }]),
    'symlink-escape',
  );
  const ok = await archiveOf(await one([{ name: 'fine/file', data: 'x' }]));
  await readImage(ok);
  const added = (await readdir(tmp)).filter((f) => !mine.includes(f));
  assert.equal(added.length, 3, 'only the three archives this test wrote');
  assert.ok(added.every((f) => f.endsWith('.tar')));
  const after = (await readdir(tmpdir())).filter(
    (f) => !before.includes(f) && f.startsWith('rampart-escaped'),
  );
  assert.deepEqual(after, []);
});

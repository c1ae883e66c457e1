import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOciLayout } from './oci-layout.js';
import type { ReadImageOptions } from './image.js';
import {
  type BuiltLayer,
  ZSTD_LAYER,
  ZSTD_LAYER_DIFF_ID,
  descOf,
  layer,
  ociImage,
  writeLayout,
} from './test-fixtures.js';

const tmp = await mkdtemp(join(tmpdir(), 'rampart-image-read-'));
after(() => rm(tmp, { recursive: true, force: true }));
let n = 0;

async function read(layers: BuiltLayer[], opts: ReadImageOptions = { want: () => true }) {
  const img = ociImage(layers);
  const dir = join(tmp, `img${n++}`);
  await writeLayout(dir, img.blobs, {
    schemaVersion: 2,
    manifests: [descOf(img.manifest, 'application/vnd.oci.image.manifest.v1+json')],
  });
  return readOciLayout(dir, opts);
}

test('whiteouts delete lower files and folders; opaque folders drop only lower-layer children', async () => {
  const l0 = await layer([
    { name: 'app/', type: 'directory' },
    { name: 'app/keep.txt', data: 'keep' },
    { name: 'app/secret.env', data: 'AWS=1' },
    { name: 'app/cache/old/entry.json', data: '{}' },
    { name: 'app/cache/index.json', data: 'old' },
    { name: 'usr/share/wheels/a.whl', data: 'w' },
  ]);
  const l1 = await layer([
    { name: 'app/.wh.secret.env', data: '' },
    { name: 'usr/share/.wh.wheels', data: '' },
    // same-layer content survives its own layer's opaque marker, whatever the order
    { name: 'app/cache/index.json', data: 'new' },
    { name: 'app/cache/.wh..wh..opq', data: '' },
    { name: 'app/.wh..wh.plnk', data: '' },
  ]);
  const img = await read([l0, l1]);
  assert.equal(img.fs.read('/app/secret.env'), undefined);
  assert.equal(img.fs.stat('/app/secret.env'), undefined);
  assert.equal(img.fs.stat('/usr/share/wheels'), undefined);
  assert.equal(img.fs.stat('/usr/share')?.kind, 'dir');
  assert.deepEqual(img.fs.list('/app/cache/'), ['/app/cache/index.json']);
  assert.equal(img.fs.read('/app/cache/index.json')?.toString(), 'new');
  assert.equal(img.fs.read('/app/keep.txt')?.toString(), 'keep');
  assert.equal(img.fs.layerOf('/app/keep.txt'), l0.diffId);
  assert.equal(img.fs.layerOf('/app/cache/index.json'), l1.diffId);
  assert.ok(!img.fs.list('/').some((p) => p.includes('.wh.')), 'no whiteout markers in the view');
  assert.deepEqual(
    img.layers.map((l) => l.diffId),
    [l0.diffId, l1.diffId],
  );
});

test('a file re-added after deletion comes back; a folder replaced by a file loses its children', async () => {
  const l0 = await layer([
    { name: 'a/b/c.txt', data: '1' },
    { name: 'x.txt', data: 'x0' },
  ]);
  const l1 = await layer([
    { name: '.wh.x.txt', data: '' },
    { name: 'a/b', data: 'now a file' },
  ]);
  const l2 = await layer([{ name: 'x.txt', data: 'x2' }]);
  const img = await read([l0, l1, l2]);
  assert.equal(img.fs.read('/x.txt')?.toString(), 'x2');
  assert.equal(img.fs.read('/a/b')?.toString(), 'now a file');
  assert.equal(img.fs.stat('/a/b/c.txt'), undefined);
  assert.deepEqual(img.fs.list('/a'), ['/a', '/a/b']);
});

test('hardlinks share content with an earlier entry; modes and owners are kept', async () => {
  const l0 = await layer(
    [
      { name: 'usr/bin/perl', data: 'PERL', mode: 0o755 },
      { name: 'usr/bin/perl5.36.0', type: 'link', linkname: 'usr/bin/perl' },
      { name: 'etc/shadow', data: 's', mode: 0o640 },
    ],
    'none',
  );
  const img = await read([l0]);
  assert.equal(img.fs.read('/usr/bin/perl5.36.0')?.toString(), 'PERL');
  assert.equal(img.fs.stat('/usr/bin/perl5.36.0')?.mode, 0o755);
  assert.equal(img.fs.stat('/etc/shadow')?.mode, 0o640);
  assert.equal(img.layers[0]?.compression, 'none');
  assert.equal(img.layers[0]?.digest, img.layers[0]?.diffId);
});

test('symlinks stay links and resolve inside the root (relative, absolute, chained; loops give undefined)', async () => {
  const l0 = await layer([
    { name: 'usr/lib/os-release', data: 'ID=debian\n' },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'etc/alt', type: 'symlink', linkname: '/etc/os-release' },
    { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
    { name: 'loop1', type: 'symlink', linkname: 'loop2' },
    { name: 'loop2', type: 'symlink', linkname: 'loop1' },
    { name: 'dangling', type: 'symlink', linkname: '/nope' },
  ]);
  const img = await read([l0]);
  assert.equal(img.fs.read('/etc/os-release')?.toString(), 'ID=debian\n');
  assert.equal(img.fs.read('/etc/alt')?.toString(), 'ID=debian\n');
  assert.equal(img.fs.read('/lib/os-release')?.toString(), 'ID=debian\n');
  // `..` after a symlink is physical, as in the kernel: /lib/.. is /usr
  assert.equal(img.fs.read('lib/../lib/os-release')?.toString(), 'ID=debian\n');
  assert.equal(img.fs.read('lib/../etc/os-release'), undefined);
  assert.equal(
    img.fs.read('/../../etc/os-release')?.toString(),
    'ID=debian\n',
    '.. at the root stays at the root',
  );
  assert.equal(img.fs.lstat('/etc/os-release')?.kind, 'symlink');
  assert.equal(img.fs.lstat('/etc/os-release')?.linkTarget, '../usr/lib/os-release');
  assert.equal(img.fs.stat('/etc/os-release')?.kind, 'file');
  assert.equal(img.fs.read('/loop1'), undefined);
  assert.equal(img.fs.read('/dangling'), undefined);
});

test('zstd and gzip layers mix; the zstd frame decodes to the expected diff_id', async () => {
  const zl: BuiltLayer = {
    stored: ZSTD_LAYER,
    diffId: ZSTD_LAYER_DIFF_ID,
    mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
  };
  const g = await layer([{ name: 'g.txt', data: 'gzip' }]);
  const img = await read([g, zl]);
  assert.equal(img.fs.read('/z/hello.txt')?.toString(), 'zstd layer\n');
  assert.equal(img.fs.read('/g.txt')?.toString(), 'gzip');
  assert.deepEqual(
    img.layers.map((l) => l.compression),
    ['gzip', 'zstd'],
  );
  assert.equal(img.fs.layerOf('/z/hello.txt'), ZSTD_LAYER_DIFF_ID);
});

test('content is kept only when wanted; keep() filters after reading; onFile sees later-deleted files', async () => {
  const l0 = await layer([
    { name: 'var/lib/dpkg/status', data: 'Package: a\n' },
    { name: 'usr/bin/tool', data: 'ELF?', mode: 0o755 },
    { name: 'app/deploy.env', data: 'KEY=1' },
    { name: 'big.bin', data: Buffer.alloc(2000) },
  ]);
  const l1 = await layer([{ name: 'app/.wh.deploy.env', data: '' }]);
  const seen: string[] = [];
  const img = await read([l0, l1], {
    want: (e) => e.path !== '/big.bin' || e.size > 0,
    keep: (e) => e.path === '/var/lib/dpkg/status' || e.path === '/big.bin',
    onFile: (e, data) => seen.push(`${e.layer}:${e.path}:${data.length}`),
    limits: { maxFileBytes: 1000 },
  });
  assert.equal(img.fs.read('/var/lib/dpkg/status')?.toString(), 'Package: a\n');
  assert.equal(img.fs.read('/usr/bin/tool'), undefined, 'read but not kept');
  assert.equal(img.fs.stat('/usr/bin/tool')?.size, 4);
  assert.equal(img.fs.read('/big.bin'), undefined, 'over the file cap');
  assert.equal(img.warnings.length, 1);
  assert.match(img.warnings[0] ?? '', /big\.bin/);
  assert.deepEqual(seen.sort(), ['0:/app/deploy.env:5', '0:/usr/bin/tool:4', '0:/var/lib/dpkg/status:11']);
});

test('image config fields are exposed', async () => {
  const img = await read([await layer([{ name: 'a', data: '' }])]);
  assert.equal(img.config.user, '1000');
  assert.deepEqual(img.config.env, ['PATH=/usr/bin', 'TOKEN=abc']);
  assert.deepEqual(img.config.healthcheck, { test: ['CMD', 'true'] });
  assert.equal(img.config.created, '2025-01-01T00:00:00Z');
  assert.equal(img.config.history[0]?.createdBy, 'step 0');
});

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isImageError } from './errors.js';
import { hostileSummary, runHostileSet, zstdBomb } from './hostile-set.js';
import { readImage } from './index.js';
import { dig, dockerArchive } from './test-fixtures.js';

const tmp = await mkdtemp(join(tmpdir(), 'rampart-hostile-set-'));
after(() => rm(tmp, { recursive: true, force: true }));

test('hostile-archive acceptance set: every archive refused with its code, nothing written outside', async () => {
  const r = await runHostileSet(join(tmp, 'sentinel'));
  assert.equal(r.total, 9);
  assert.deepEqual(
    r.outcomes
      .filter((o) => !o.refused || o.code !== o.expected)
      .map((o) => `${o.name}: ${o.code ?? ''} ${o.message}`),
    [],
  );
  assert.deepEqual(r.writtenOutside, []);
  assert.equal(hostileSummary(r), 'hostile archives refused 9/9, files written outside temp: 0');
});

test('a zstd bomb is stopped while decoding, before gigabytes are held in memory', async () => {
  const bomb = zstdBomb(2 * 1024 ** 3);
  assert.ok(bomb.stored.length < 100_000, `${bomb.stored.length} bytes`);
  const file = join(tmp, 'zstd-bomb.tar');
  await writeFile(
    file,
    await dockerArchive([
      { stored: bomb.stored, diffId: dig('x'), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' },
    ]),
  );
  const before = process.memoryUsage();
  // Ratio check off: only the per-layer cap (16 MiB) stops it.
  await assert.rejects(
    readImage(file, { want: () => true, limits: { maxRatio: 1e9, maxLayerBytes: 16 * 1024 * 1024 } }),
    (e: unknown) => isImageError(e, 'decompression-bomb') && /expands beyond 16777216 bytes/.test(e.message),
  );
  const grown = process.memoryUsage().arrayBuffers - before.arrayBuffers;
  assert.ok(grown < 512 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
});

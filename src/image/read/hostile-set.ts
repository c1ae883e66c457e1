/**
 * The hostile-archive acceptance set (test and eval material, not product API): one docker-archive
 * per attack, built into a folder, read with the default limits, and one figure — how many were
 * refused, and whether any file appeared outside the folder the archives were written to.
 *
 * Attacks: path traversal, absolute path, an escaping symlink followed by a write through it, a
 * hardlink leaving the root, a 1000:1 gzip bomb, a zstd bomb (~18,000:1, 2 GiB declared by RLE
 * blocks), an oversized manifest.json and config, and more layers than the cap. Every payload names
 * a unique `rampart-hostile-<tag>-…` target so a write anywhere can be searched for.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ImageErrorCode } from './errors.js';
import { isImageError } from './errors.js';
import { readImage } from './index.js';
import {
  type BuiltLayer,
  type TEntry,
  configOf,
  dig,
  dockerArchive,
  gz,
  layer,
  tarOf,
} from './test-fixtures.js';

export interface HostileCase {
  name: string;
  file: string;
  /** The refusal expected (any refusal counts; the code is reported). */
  expect: ImageErrorCode;
}

export interface HostileOutcome {
  name: string;
  refused: boolean;
  code?: string;
  expected: ImageErrorCode;
  message: string;
}

export interface HostileReport {
  total: number;
  refused: number;
  outcomes: HostileOutcome[];
  /** Paths that appeared during the reads outside the archives' folder (must be empty). */
  writtenOutside: string[];
}

/** A zstd frame whose tar holds one file of `bytes` zeros, written as RLE blocks (4 bytes per 128 KiB). */
export function zstdBomb(bytes: number): { stored: Buffer; diffId?: string } {
  const header = Buffer.alloc(512);
  // A ustar header for `zeros` of `bytes` bytes (the tar body after it is all zeros).
  header.write('zeros', 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${bytes.toString(8).padStart(11, '0')}\0`, 124);
  header.write('14540000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const zeros = Math.ceil(bytes / 512) * 512 + 1024;
  const parts: Buffer[] = [
    Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), // magic
    Buffer.from([0x00, (17 - 10) << 3]), // no content size, window 128 KiB
  ];
  const raw = Buffer.alloc(3);
  raw.writeUIntLE((512 << 3) | (0 << 1), 0, 3); // Raw block: the tar header
  parts.push(raw, header);
  const BLOCK = 128 * 1024;
  for (let left = zeros; left > 0; left -= BLOCK) {
    const size = Math.min(BLOCK, left);
    const h = Buffer.alloc(4);
    h.writeUIntLE((size << 3) | (1 << 1) | (left <= BLOCK ? 1 : 0), 0, 3); // RLE block of 0x00
    parts.push(h);
  }
  return { stored: Buffer.concat(parts) };
}

/** Builds every hostile archive into `dir`; payload targets are tagged with `tag`. */
export async function buildHostileSet(dir: string, tag: string): Promise<HostileCase[]> {
  await mkdir(dir, { recursive: true });
  const cases: HostileCase[] = [];
  const target = (what: string) => `rampart-hostile-${tag}-${what}`;
  const add = async (name: string, expect: ImageErrorCode, data: Buffer) => {
    const file = join(dir, `${name}.tar`);
    await writeFile(file, data);
    cases.push({ name, file, expect });
  };
  const one = async (entries: TEntry[]) => dockerArchive([await layer(entries)]);

  await add('traversal', 'path-traversal', await one([{ name: `../../${target('traversal')}`, data: 'x' }]));
  await add('absolute-path', 'absolute-path', await one([{ name: `/tmp/${target('absolute')}`, data: 'x' }]));
  await add(
    'symlink-escape-write',
    'symlink-escape',
    await one([
      { name: 'esc', type: 'symlink', linkname: '../../..' },
      { name: `esc/${target('through-symlink')}`, data: 'x' },
    ]),
  );
  await add(
    'hardlink-escape',
    'path-traversal',
    await one([{ name: target('hardlink'), type: 'link', linkname: '../../../etc/passwd' }]),
  );
  const zeros = await tarOf([{ name: 'zeros', data: Buffer.alloc(24 * 1024 * 1024) }]);
  const gzBomb: BuiltLayer = {
    stored: gz(zeros),
    diffId: dig(zeros),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  };
  await add('gzip-bomb-1000to1', 'decompression-bomb', await dockerArchive([gzBomb]));
  const zb = zstdBomb(2 * 1024 ** 3);
  await add(
    'zstd-bomb',
    'decompression-bomb',
    await dockerArchive([
      { stored: zb.stored, diffId: dig('unknown'), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' },
    ]),
  );
  const small = await layer([{ name: 'ok', data: 'x' }]);
  const hugeManifest = JSON.stringify([
    { Config: 'c.json', RepoTags: ['x:y'], Layers: [], pad: 'x'.repeat(5 * 1024 * 1024) },
  ]);
  await add('huge-manifest', 'too-large', await dockerArchive([small], { manifest: hugeManifest }));
  const hugeConfig = configOf([small], { pad: 'x'.repeat(5 * 1024 * 1024) });
  await add('huge-config', 'too-large', await dockerArchive([small], { config: hugeConfig }));
  await add('too-many-layers', 'too-large', await dockerArchive(Array.from({ length: 300 }, () => small)));
  return cases;
}

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let names;
    try {
      names = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of names) {
      const p = join(d, e.name);
      out.push(p);
      if (e.isDirectory() && !e.isSymbolicLink()) await walk(p);
    }
  };
  await walk(root);
  return out.sort();
}

/**
 * Builds the set in `<sentinel>/work/archives/…`, snapshots the whole sentinel tree, reads every
 * archive, and reports refusals plus any new path under the sentinel (outside the archives folder) or
 * any `rampart-hostile-<tag>` name in the system temp folder and the working directory.
 */
export async function runHostileSet(sentinel: string): Promise<HostileReport> {
  const tag = randomBytes(4).toString('hex');
  const archives = join(sentinel, 'work', 'archives');
  const cases = await buildHostileSet(archives, tag);
  const before = new Set(await listTree(sentinel));
  const outcomes: HostileOutcome[] = [];
  for (const c of cases) {
    try {
      await readImage(c.file, { want: () => true });
      outcomes.push({ name: c.name, refused: false, expected: c.expect, message: 'read without error' });
    } catch (e) {
      outcomes.push({
        name: c.name,
        refused: isImageError(e),
        ...(isImageError(e) ? { code: e.code } : {}),
        expected: c.expect,
        message: e instanceof Error ? e.message : String(e),
      });
    }
  }
  const after = await listTree(sentinel);
  const writtenOutside = after.filter((p) => !before.has(p));
  for (const dir of [tmpdir(), process.cwd(), dirname(sentinel)]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) if (n.includes(`rampart-hostile-${tag}`)) writtenOutside.push(join(dir, n));
  }
  return {
    total: cases.length,
    refused: outcomes.filter((o) => o.refused).length,
    outcomes,
    writtenOutside,
  };
}

export function hostileSummary(r: HostileReport): string {
  return `hostile archives refused ${r.refused}/${r.total}, files written outside temp: ${r.writtenOutside.length}`;
}

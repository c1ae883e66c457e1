import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { ecosystemBase, normalisePackageName } from '../osv/ecosystem.js';
import type { AdvisoryLookup } from '../osv/match.js';
import type { OsvRecord } from '../osv/record.js';
import { AdvisoryDbError } from './errors.js';
import { defaultDbDir } from './paths.js';
import {
  CURRENT_FILE,
  DB_SCHEMA_VERSION,
  GENERATION_NAME,
  META_FILE,
  type DbMeta,
  type IndexFile,
} from './store.js';

export interface AdvisoryDatabase extends AdvisoryLookup {
  readonly dir: string;
  /** Folder name of the generation this handle reads. */
  readonly generation: string;
  readonly meta: DbMeta;
  /** Ecosystems present in this generation. */
  ecosystems(): string[];
  /** Records naming `name` in `ecosystem` (any `:` suffix ignored for the lookup itself). */
  lookup(ecosystem: string, name: string): OsvRecord[];
  /** Releases the open files. Lookups after close throw. */
  close(): void;
}

interface EcosystemFiles {
  recordsFd: number;
  indexFd: number;
  index?: IndexFile;
  cache: Map<number, OsvRecord>;
  /** The last few inflated blocks (records of one package often sit together). */
  blocks: Map<number, Buffer>;
}

const BLOCK_CACHE = 8;
/** Inflated block size cap: blocks are ~64 KiB; anything far larger means a damaged file. */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

function readWhole(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buf, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

function isMeta(v: unknown): v is DbMeta {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<DbMeta>;
  return m.schemaVersion === DB_SCHEMA_VERSION && typeof m.ecosystems === 'object' && m.ecosystems !== null;
}

/** The live generation's name and metadata, or undefined when there is no (readable) database. */
export function readLiveGeneration(dir: string): { generation: string; meta: DbMeta } | undefined {
  let generation: string;
  try {
    generation = readFileSync(path.join(dir, CURRENT_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!GENERATION_NAME.test(generation)) return undefined;
  try {
    const meta: unknown = JSON.parse(readFileSync(path.join(dir, generation, META_FILE), 'utf8'));
    return isMeta(meta) ? { generation, meta } : undefined;
  } catch {
    return undefined;
  }
}

/** Opens the files of the live generation; undefined when there is none or it vanished meanwhile. */
function openLiveFiles(
  dir: string,
): { generation: string; meta: DbMeta; files: Map<string, EcosystemFiles> } | undefined {
  const live = readLiveGeneration(dir);
  if (!live) return undefined;
  const genDir = path.join(dir, live.generation);
  const files = new Map<string, EcosystemFiles>();
  try {
    for (const [eco, m] of Object.entries(live.meta.ecosystems)) {
      if (path.basename(m.recordsFile) !== m.recordsFile || path.basename(m.indexFile) !== m.indexFile)
        throw new Error('bad file name in meta.json');
      const f: EcosystemFiles = { recordsFd: -1, indexFd: -1, cache: new Map(), blocks: new Map() };
      files.set(eco, f);
      f.recordsFd = openSync(path.join(genDir, m.recordsFile), 'r');
      f.indexFd = openSync(path.join(genDir, m.indexFile), 'r');
    }
  } catch {
    closeAll(files);
    return undefined;
  }
  return { ...live, files };
}

/**
 * Opens the live generation of the database in `dir` (undefined when there is none). The files of
 * every ecosystem are opened at once, so an update that replaces the generation later does not pull
 * them away from this handle; each ecosystem's index is parsed on its first lookup and records are
 * read and parsed on demand.
 */
export function openDatabase(dir: string = defaultDbDir()): AdvisoryDatabase | undefined {
  let opened = openLiveFiles(dir);
  // An update may have switched generations between reading CURRENT and opening the files.
  for (let retry = 0; !opened && retry < 2 && readLiveGeneration(dir); retry++) opened = openLiveFiles(dir);
  if (!opened) return undefined;
  const { generation, meta, files } = opened;
  const genDir = path.join(dir, generation);
  let closed = false;

  const indexOf = (eco: string, f: EcosystemFiles): IndexFile => {
    if (f.index) return f.index;
    let parsed: unknown;
    try {
      parsed = JSON.parse(
        inflateRawSync(readWhole(f.indexFd), { maxOutputLength: 1024 * 1024 * 1024 }).toString('utf8'),
      );
    } catch (err) {
      throw new AdvisoryDbError(
        'DB_CORRUPT',
        `advisory index for ${eco} in ${genDir} is damaged; run "rampart db update"`,
        {
          cause: err,
        },
      );
    }
    const idx = parsed as Partial<IndexFile>;
    if (
      !Array.isArray(idx.blocks) ||
      !Array.isArray(idx.records) ||
      typeof idx.packages !== 'object' ||
      idx.packages === null
    )
      throw new AdvisoryDbError(
        'DB_CORRUPT',
        `advisory index for ${eco} in ${genDir} is damaged; run "rampart db update"`,
      );
    f.index = idx as IndexFile;
    return f.index;
  };

  const damaged = (eco: string, cause?: unknown): AdvisoryDbError =>
    new AdvisoryDbError(
      'DB_CORRUPT',
      `advisory records for ${eco} in ${genDir} are damaged; run "rampart db update"`,
      {
        cause,
      },
    );

  const blockAt = (eco: string, f: EcosystemFiles, idx: IndexFile, b: number): Buffer => {
    const hit = f.blocks.get(b);
    if (hit) return hit;
    const start = idx.blocks[b];
    const end = idx.blocks[b + 1];
    if (typeof start !== 'number' || typeof end !== 'number' || end < start) throw damaged(eco);
    const raw = Buffer.allocUnsafe(end - start);
    const got = readSync(f.recordsFd, raw, 0, raw.length, start);
    let block: Buffer;
    try {
      block = inflateRawSync(raw.subarray(0, got), { maxOutputLength: MAX_BLOCK_BYTES });
    } catch (err) {
      throw damaged(eco, err);
    }
    if (f.blocks.size >= BLOCK_CACHE) f.blocks.delete(f.blocks.keys().next().value as number);
    f.blocks.set(b, block);
    return block;
  };

  const recordAt = (eco: string, f: EcosystemFiles, idx: IndexFile, n: number): OsvRecord | undefined => {
    const cached = f.cache.get(n);
    if (cached) return cached;
    const b = idx.records[n * 3];
    const at = idx.records[n * 3 + 1];
    const len = idx.records[n * 3 + 2];
    if (b === undefined || at === undefined || len === undefined) return undefined;
    const block = blockAt(eco, f, idx, b);
    if (at + len > block.length) throw damaged(eco);
    try {
      const record = JSON.parse(block.toString('utf8', at, at + len)) as OsvRecord;
      f.cache.set(n, record);
      return record;
    } catch (err) {
      throw damaged(eco, err);
    }
  };

  return {
    dir,
    generation,
    meta,
    ecosystems: () => [...files.keys()],
    lookup(ecosystem: string, name: string): OsvRecord[] {
      if (closed) throw new Error('advisory database is closed');
      const eco = ecosystemBase(ecosystem);
      const f = files.get(eco);
      if (!f) return [];
      const idx = indexOf(eco, f);
      const key = normalisePackageName(eco, name);
      if (!Object.hasOwn(idx.packages, key)) return [];
      const numbers = idx.packages[key];
      if (!Array.isArray(numbers)) return [];
      const out: OsvRecord[] = [];
      for (const n of numbers) {
        const r = typeof n === 'number' ? recordAt(eco, f, idx, n) : undefined;
        if (r) out.push(r);
      }
      return out;
    },
    close(): void {
      if (closed) return;
      closed = true;
      closeAll(files);
    },
  };
}

function closeAll(files: Map<string, EcosystemFiles>): void {
  for (const f of files.values()) {
    for (const fd of [f.recordsFd, f.indexFd]) {
      if (fd < 0) continue;
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}

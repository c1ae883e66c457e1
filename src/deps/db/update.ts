import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { Ecosystem } from '../model.js';
import { normalisePackageName } from '../osv/ecosystem.js';
import type { OsvRecord } from '../osv/record.js';
import { loadSecdb, type SecdbImport, type SecdbLimits } from './alpine-secdb-source.js';
import { overlaySecdb } from './alpine-secdb.js';
import { AdvisoryDbError } from './errors.js';
import { acquireLock } from './lock.js';
import { defaultDbDir } from './paths.js';
import {
  DEFAULT_DOWNLOAD,
  DEFAULT_SOURCE,
  archiveLocation,
  fetchArchive,
  type DownloadOptions,
} from './source.js';
import {
  CURRENT_FILE,
  DB_SCHEMA_VERSION,
  GENERATION_NAME,
  GENERATION_PREFIX,
  META_FILE,
  BlockWriter,
  fsyncDir,
  indexFileName,
  recordsFileName,
  writeFileDurable,
  type DbMeta,
  type EcosystemMeta,
  type IndexFile,
  type SkipCounts,
} from './store.js';
import { packageNamesOf, trimRecord } from './trim.js';
import { DEFAULT_ZIP_LIMITS, ZipFormatError, readZipEntries, type ZipLimits } from './zip.js';

/** Every ecosystem `rampart db update` fetches by default (the OSV bucket's folder names). */
export const SUPPORTED_ECOSYSTEMS: readonly Ecosystem[] = [
  'npm',
  'PyPI',
  'Go',
  'crates.io',
  'RubyGems',
  'Packagist',
  'NuGet',
  'Maven',
  'Debian',
  'Ubuntu',
  'Alpine',
  'AlmaLinux',
  'Bitnami',
  'Hackage',
  'GHC',
];

export interface UpdateProgress {
  phase: 'download' | 'import' | 'warning' | 'switch' | 'done';
  ecosystem?: string;
  message?: string;
  /** download: bytes received so far / total when known; import: records so far. */
  received?: number;
  total?: number;
  records?: number;
}

export interface UpdateOptions {
  /** http(s) base URL or local folder laid out as `<Ecosystem>/all.zip`. Default: the public OSV bucket. */
  source?: string;
  /** Default: SUPPORTED_ECOSYSTEMS. */
  ecosystems?: readonly string[];
  /** Database folder. Default: `defaultDbDir()`. */
  dir?: string;
  onProgress?: (p: UpdateProgress) => void;
  download?: Partial<Omit<DownloadOptions, 'onBytes' | 'signal'>>;
  zipLimits?: Partial<ZipLimits>;
  /** Archives downloaded ahead of the one being imported. Default 2. */
  concurrency?: number;
  /**
   * Alpine secdb source (http(s) base URL or local folder laid out `<branch>/{main,community}.json`,
   * like https://secdb.alpinelinux.org/): its records join the `Alpine` ecosystem of the same
   * generation (merged with the OSV archive's records of the same id when both are imported). With
   * `ecosystems: []` the generation holds only them.
   */
  alpineSecdb?: string;
  secdbLimits?: Partial<SecdbLimits>;
}

export interface UpdateResult {
  dir: string;
  generation: string;
  meta: DbMeta;
  records: number;
  downloadedBytes: number;
  uncompressedBytes: number;
  indexBytes: number;
  seconds: number;
  recordsPerSecond: number;
  /** Archive (compressed) megabytes per second, over the whole update. */
  mbPerSecond: number;
}

const ECOSYSTEM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function newestDate(a: string | undefined, b: unknown): string | undefined {
  if (typeof b !== 'string') return a;
  const tb = Date.parse(b);
  if (!Number.isFinite(tb) || tb < Date.UTC(1990, 0, 1)) return a;
  return a === undefined || tb > Date.parse(a) ? b : a;
}

function readCurrent(dir: string): string | undefined {
  try {
    const name = readFileSync(path.join(dir, CURRENT_FILE), 'utf8').trim();
    return GENERATION_NAME.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Removes generation folders and temp files other than `keep` (leftovers of killed or replaced updates). */
function removeOtherGenerations(dir: string, keep: readonly (string | undefined)[]): void {
  for (const name of readdirSync(dir)) {
    const leftover = name.startsWith(GENERATION_PREFIX) || name.startsWith(`${CURRENT_FILE}.tmp`);
    if (!leftover || keep.includes(name)) continue;
    try {
      rmSync(path.join(dir, name), { recursive: true, force: true });
    } catch {
      // still open elsewhere (Windows): the next update retries
    }
  }
}

interface ImportedEcosystem {
  meta: EcosystemMeta;
  indexBytes: number;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Imports one ecosystem into the generation folder (records file + index file): the records of its
 * OSV archive (when there is one), then the secdb records (`secdb`, consumed: an id the archive also
 * has is written once, `overlaySecdb`).
 */
function importEcosystem(
  genDir: string,
  ecosystem: string,
  zip: Uint8Array | undefined,
  secdb: Map<string, OsvRecord> | undefined,
  limits: ZipLimits,
  progress: (records: number) => void,
): ImportedEcosystem {
  const skipped: SkipCounts = { malformed: 0, refused: 0, notJson: 0 };
  const recordsFile = recordsFileName(ecosystem);
  const indexFile = indexFileName(ecosystem);
  const writer = new BlockWriter(path.join(genDir, recordsFile));
  const packages = new Map<string, number[]>();
  let newestModified: string | undefined;
  let uncompressedBytes = 0;
  let secdbRecords = 0;
  const add = (record: OsvRecord): void => {
    const n = writer.push(JSON.stringify(record));
    for (const name of packageNamesOf(record)) {
      const key = normalisePackageName(ecosystem, name);
      const list = packages.get(key);
      if (!list) packages.set(key, [n]);
      else if (list[list.length - 1] !== n) list.push(n);
    }
    newestModified = newestDate(newestModified, record.modified);
    if ((n + 1) % 5000 === 0) progress(n + 1);
  };
  try {
    const entries = zip
      ? readZipEntries(zip, limits, (s) => {
          if (s.reason === 'refused') skipped.refused++;
          else skipped.notJson++;
        })
      : [];
    for (const entry of entries) {
      uncompressedBytes += entry.data.length;
      let raw: unknown;
      try {
        raw = JSON.parse(utf8.decode(entry.data));
      } catch {
        skipped.malformed++;
        continue;
      }
      const record = trimRecord(raw, ecosystem);
      if (!record) {
        skipped.malformed++;
        continue;
      }
      const own = secdb?.get(record.id);
      if (own) {
        secdb!.delete(record.id);
        const merged = trimRecord(overlaySecdb(record, own), ecosystem);
        if (merged) {
          secdbRecords++;
          add(merged);
          continue;
        }
      }
      add(record);
    }
    for (const raw of secdb?.values() ?? []) {
      const record = trimRecord(raw, ecosystem);
      if (!record) continue;
      secdbRecords++;
      add(record);
    }
    secdb?.clear();
    writer.finish();
  } catch (err) {
    writer.abandon();
    throw err;
  }
  const index: IndexFile = {
    blocks: writer.blocks,
    records: writer.records,
    packages: Object.fromEntries(packages),
  };
  const indexData = deflateRawSync(Buffer.from(JSON.stringify(index), 'utf8'), { level: 6 });
  writeFileDurable(path.join(genDir, indexFile), indexData);
  const records = writer.records.length / 3;
  progress(records);
  const meta: EcosystemMeta = {
    records,
    packages: packages.size,
    skipped,
    archiveBytes: zip?.length ?? 0,
    uncompressedBytes,
    recordsFile,
    indexFile,
  };
  if (secdb) meta.secdbRecords = secdbRecords;
  if (newestModified !== undefined) meta.newestModified = newestModified;
  return { meta, indexBytes: writer.size + indexData.length };
}

/**
 * Downloads `<source>/<Ecosystem>/all.zip` for each ecosystem and installs them as a new generation
 * of the database in `dir`: written and fsynced in a fresh folder, then made live by renaming the
 * `CURRENT` pointer; the previous generation answers until that moment and is removed afterwards.
 * A 404 (or missing local file) for one ecosystem is a warning; a network failure, a corrupt or
 * oversized archive fails the whole update and leaves the previous generation in place.
 * A lock file keeps two updates of the same folder apart (the second fails with `DB_LOCKED`).
 */
export async function updateDatabase(options: UpdateOptions = {}): Promise<UpdateResult> {
  const started = performance.now();
  const source = options.source ?? DEFAULT_SOURCE;
  const dir = path.resolve(options.dir ?? defaultDbDir());
  const ecosystems = [...new Set(options.ecosystems ?? SUPPORTED_ECOSYSTEMS)];
  for (const e of ecosystems)
    if (!ECOSYSTEM_NAME.test(e)) throw new AdvisoryDbError('DB_USAGE', `invalid ecosystem name "${e}"`);
  if (ecosystems.length === 0 && !options.alpineSecdb)
    throw new AdvisoryDbError('DB_USAGE', 'no ecosystem to update');
  const limits: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...options.zipLimits };
  const report = options.onProgress ?? (() => {});

  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new AdvisoryDbError('DB_WRITE_FAILED', `cannot create ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let release: () => void;
  try {
    release = acquireLock(dir);
  } catch (err) {
    if (err instanceof AdvisoryDbError) throw err;
    throw new AdvisoryDbError(
      'DB_WRITE_FAILED',
      `cannot take the update lock in ${dir}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const cancel = new AbortController();
  let genDir: string | undefined;
  let switched = false;
  try {
    const previous = readCurrent(dir);
    removeOtherGenerations(dir, [previous]);
    const generation = `${GENERATION_PREFIX}${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}`;
    genDir = path.join(dir, generation);
    mkdirSync(genDir);

    const downloads = new Map<string, Promise<Uint8Array | undefined>>();
    const start = (i: number): void => {
      const eco = ecosystems[i];
      if (eco === undefined || downloads.has(eco)) return;
      const p = fetchArchive(source, eco, {
        ...DEFAULT_DOWNLOAD,
        ...options.download,
        signal: cancel.signal,
        onBytes: (received, total) =>
          report(
            total === undefined
              ? { phase: 'download', ecosystem: eco, received }
              : { phase: 'download', ecosystem: eco, received, total },
          ),
      });
      p.catch(() => {}); // awaited in order below; this only marks early failures as handled
      downloads.set(eco, p);
    };
    const ahead = Math.max(1, options.concurrency ?? 2);

    const meta: DbMeta = {
      schemaVersion: DB_SCHEMA_VERSION,
      // Only the secdb imported: that is the source.
      source: ecosystems.length === 0 && options.alpineSecdb ? options.alpineSecdb : source,
      updatedAt: '',
      ecosystems: {},
      missing: [],
      warnings: [],
    };
    let downloadedBytes = 0;
    let secdb: SecdbImport | undefined;
    if (options.alpineSecdb) {
      const where = options.alpineSecdb;
      secdb = await loadSecdb(where, {
        download: { ...DEFAULT_DOWNLOAD, ...options.download, signal: cancel.signal },
        ...(options.secdbLimits ? { limits: options.secdbLimits } : {}),
        onFile: (done, total) =>
          report({ phase: 'download', ecosystem: 'Alpine secdb', received: done, total }),
      });
      meta.alpineSecdb = where;
      downloadedBytes += secdb.bytes;
      const notes = [
        secdb.missing.length
          ? `${secdb.missing.length} branch file(s) absent (${secdb.missing.slice(0, 4).join(', ')}${secdb.missing.length > 4 ? '…' : ''})`
          : '',
        secdb.invalidVersions
          ? `${secdb.invalidVersions} fix(es) with a version that is not an apk version skipped`
          : '',
        secdb.ignoredIds ? `${secdb.ignoredIds} id(s) without a CVE or GHSA id ignored` : '',
      ].filter(Boolean);
      if (notes.length) {
        const msg = `Alpine secdb ${where}: ${notes.join('; ')}`;
        meta.warnings.push(msg);
        report({ phase: 'warning', ecosystem: 'Alpine', message: msg });
      }
    }
    let uncompressedBytes = 0;
    let indexBytes = 0;
    for (let i = 0; i < ecosystems.length; i++) {
      for (let j = i; j < i + ahead; j++) start(j);
      const eco = ecosystems[i]!;
      const zip = await downloads.get(eco)!;
      downloads.delete(eco);
      if (zip === undefined && !(eco === 'Alpine' && secdb)) {
        const msg = `no advisories for ${eco} at ${archiveLocation(source, eco)} (not found); skipped`;
        meta.missing.push(eco);
        meta.warnings.push(msg);
        report({ phase: 'warning', ecosystem: eco, message: msg });
        continue;
      }
      downloadedBytes += zip?.length ?? 0;
      let imported: ImportedEcosystem;
      try {
        imported = importEcosystem(
          genDir,
          eco,
          zip,
          eco === 'Alpine' ? secdb?.records : undefined,
          limits,
          (records) => report({ phase: 'import', ecosystem: eco, records }),
        );
      } catch (err) {
        if (err instanceof ZipFormatError)
          throw new AdvisoryDbError(
            'DB_ARCHIVE_INVALID',
            `${eco} archive from ${archiveLocation(source, eco)}: ${err.message}`,
            {
              cause: err,
            },
          );
        throw err;
      }
      meta.ecosystems[eco] = imported.meta;
      uncompressedBytes += imported.meta.uncompressedBytes;
      indexBytes += imported.indexBytes;
      const s = imported.meta.skipped;
      if (s.malformed + s.refused + s.notJson > 0) {
        const msg = `${eco}: skipped ${s.malformed} malformed record(s), ${s.refused} refused and ${s.notJson} non-JSON archive member(s)`;
        meta.warnings.push(msg);
        report({ phase: 'warning', ecosystem: eco, message: msg });
      }
    }
    if (secdb && !meta.ecosystems.Alpine) {
      // Alpine's OSV archive was not asked for: the secdb records make up the ecosystem alone.
      const imported = importEcosystem(genDir, 'Alpine', undefined, secdb.records, limits, (records) =>
        report({ phase: 'import', ecosystem: 'Alpine', records }),
      );
      meta.ecosystems.Alpine = imported.meta;
      indexBytes += imported.indexBytes;
    }
    if (Object.keys(meta.ecosystems).length === 0)
      throw new AdvisoryDbError(
        'DB_SOURCE_EMPTY',
        `no advisory archive found at ${source} for ${ecosystems.join(', ')}`,
      );

    meta.updatedAt = new Date().toISOString();
    writeFileDurable(path.join(genDir, META_FILE), JSON.stringify(meta, null, 2) + '\n');
    fsyncDir(genDir);

    report({ phase: 'switch', message: generation });
    const tmp = path.join(dir, `${CURRENT_FILE}.tmp-${process.pid}`);
    writeFileDurable(tmp, generation + '\n');
    renameSync(tmp, path.join(dir, CURRENT_FILE));
    fsyncDir(dir);
    switched = true;
    removeOtherGenerations(dir, [generation]);

    const seconds = (performance.now() - started) / 1000;
    const records = Object.values(meta.ecosystems).reduce((n, e) => n + e.records, 0);
    const result: UpdateResult = {
      dir,
      generation,
      meta,
      records,
      downloadedBytes,
      uncompressedBytes,
      indexBytes,
      seconds,
      recordsPerSecond: seconds > 0 ? records / seconds : records,
      mbPerSecond: seconds > 0 ? downloadedBytes / 1e6 / seconds : 0,
    };
    report({ phase: 'done', records });
    return result;
  } catch (err) {
    cancel.abort();
    if (err instanceof AdvisoryDbError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
      throw new AdvisoryDbError(
        'DB_WRITE_FAILED',
        `cannot write the advisory database in ${dir}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    throw err;
  } finally {
    if (genDir && !switched) {
      try {
        rmSync(genDir, { recursive: true, force: true });
      } catch {
        // removed by the next update
      }
    }
    release();
  }
}

/** One line for the CLI: records, time, rates and sizes. */
export function summariseUpdate(r: UpdateResult): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const ecos = Object.entries(r.meta.ecosystems)
    .map(([e, m]) => `${e} ${m.records}`)
    .join(', ');
  return (
    `imported ${r.records} advisories (${ecos}) in ${r.seconds.toFixed(1)} s: ` +
    `${Math.round(r.recordsPerSecond)} records/s, ${r.mbPerSecond.toFixed(1)} MB/s; ` +
    `${mb(r.downloadedBytes)} MB of archives (${mb(r.uncompressedBytes)} MB uncompressed) → ${mb(r.indexBytes)} MB index` +
    (r.meta.alpineSecdb ? `; Alpine secdb: ${r.meta.ecosystems.Alpine?.secdbRecords ?? 0} records` : '')
  );
}

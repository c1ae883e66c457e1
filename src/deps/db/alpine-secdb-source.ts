/**
 * Fetches Alpine secdb files laid out like https://secdb.alpinelinux.org/ — `<base>/<branch>/main.json`
 * and `<base>/<branch>/community.json` — from an http(s) base URL or a local folder, and converts them
 * (`convertSecdb`) into one map of OSV records. Branches are the `v<major>.<minor>` folders (the
 * listing page's links for a URL); `edge` is left out, as OSV does (an edge image's os-release names the
 * next release, `3.21.0_alpha…`, whose branch folder does not exist yet).
 */
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OsvRecord } from '../osv/record.js';
import { SecdbFormatError, convertSecdb, mergeSecdbRecords } from './alpine-secdb.js';
import { AdvisoryDbError } from './errors.js';
import { DEFAULT_DOWNLOAD, fetchLocation, isHttpSource, type DownloadOptions } from './source.js';

export const SECDB_REPOSITORIES = ['main', 'community'] as const;

export interface SecdbLimits {
  /** Largest secdb JSON file accepted (today's largest is ~170 kB). */
  maxFileBytes: number;
  /** Largest branch listing page (URL sources). */
  maxIndexBytes: number;
  /** Most branches read from one source. */
  maxBranches: number;
}

export const DEFAULT_SECDB_LIMITS: SecdbLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxIndexBytes: 4 * 1024 * 1024,
  maxBranches: 200,
};

export interface SecdbImport {
  records: Map<string, OsvRecord>;
  branches: string[];
  files: number;
  bytes: number;
  entries: number;
  invalidVersions: number;
  ignoredIds: number;
  /** Branch files the source does not have (404 / no such file). */
  missing: string[];
}

const BRANCH = /^v\d+\.\d+$/;

function compareBranches(a: string, b: string): number {
  const [am, an] = a.slice(1).split('.').map(Number) as [number, number];
  const [bm, bn] = b.slice(1).split('.').map(Number) as [number, number];
  return am - bm || an - bn;
}

function folderOf(source: string): string {
  return source.startsWith('file:') ? fileURLToPath(source) : source;
}

/** Where one branch file lives at a source. */
export function secdbLocation(source: string, branch: string, repo: string): string {
  if (isHttpSource(source)) return `${source.replace(/\/+$/, '')}/${branch}/${repo}.json`;
  return path.join(folderOf(source), branch, `${repo}.json`);
}

/** Branch names published at a source: sub-folders of a local folder, or the links of the URL's listing page. */
async function listBranches(
  source: string,
  download: DownloadOptions,
  limits: SecdbLimits,
): Promise<string[]> {
  let names: string[];
  if (isHttpSource(source)) {
    const index = `${source.replace(/\/+$/, '')}/`;
    const page = await fetchLocation(index, { ...download, maxBytes: limits.maxIndexBytes });
    if (page === undefined)
      throw new AdvisoryDbError('DB_SOURCE_EMPTY', `no Alpine secdb listing at ${index} (not found)`);
    const html = new TextDecoder('utf-8').decode(page);
    names = [...html.matchAll(/href="(?:\.\/)?(v\d+\.\d+)\/?"/g)].map((m) => m[1]!);
  } else {
    const folder = folderOf(source);
    try {
      names = (await readdir(folder, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch (err) {
      throw new AdvisoryDbError(
        'DB_DOWNLOAD_FAILED',
        `cannot read the Alpine secdb folder ${folder}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  const branches = [...new Set(names.filter((n) => BRANCH.test(n)))].sort(compareBranches);
  if (branches.length > limits.maxBranches)
    throw new AdvisoryDbError(
      'DB_ARCHIVE_INVALID',
      `Alpine secdb at ${source} lists ${branches.length} branches, over the cap of ${limits.maxBranches}`,
    );
  return branches;
}

/**
 * Reads every `<branch>/{main,community}.json` at `source` into OSV records. A missing file is noted
 * (`missing`); an oversized, unreadable or malformed one fails with an AdvisoryDbError naming it.
 */
export async function loadSecdb(
  source: string,
  opts: {
    download?: DownloadOptions;
    limits?: Partial<SecdbLimits>;
    onFile?: (done: number, total: number) => void;
  } = {},
): Promise<SecdbImport> {
  const limits: SecdbLimits = { ...DEFAULT_SECDB_LIMITS, ...opts.limits };
  const download: DownloadOptions = { ...(opts.download ?? DEFAULT_DOWNLOAD), maxBytes: limits.maxFileBytes };
  const branches = await listBranches(source, download, limits);
  if (branches.length === 0)
    throw new AdvisoryDbError('DB_SOURCE_EMPTY', `no Alpine secdb branch folders (v3.19/…) at ${source}`);
  const out: SecdbImport = {
    records: new Map(),
    branches,
    files: 0,
    bytes: 0,
    entries: 0,
    invalidVersions: 0,
    ignoredIds: 0,
    missing: [],
  };
  const total = branches.length * SECDB_REPOSITORIES.length;
  let done = 0;
  for (const branch of branches) {
    for (const repo of SECDB_REPOSITORIES) {
      const where = secdbLocation(source, branch, repo);
      const data = await fetchLocation(where, download);
      opts.onFile?.(++done, total);
      if (data === undefined) {
        out.missing.push(`${branch}/${repo}.json`);
        continue;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
      } catch (err) {
        throw new AdvisoryDbError(
          'DB_ARCHIVE_INVALID',
          `Alpine secdb file ${where} is not valid JSON: ${(err as Error).message}`,
          { cause: err },
        );
      }
      let converted;
      try {
        converted = convertSecdb(doc);
      } catch (err) {
        if (!(err instanceof SecdbFormatError)) throw err;
        throw new AdvisoryDbError('DB_ARCHIVE_INVALID', `Alpine secdb file ${where}: ${err.message}`, {
          cause: err,
        });
      }
      if (converted.branch !== branch)
        throw new AdvisoryDbError(
          'DB_ARCHIVE_INVALID',
          `Alpine secdb file ${where} describes ${converted.branch}, not ${branch}`,
        );
      mergeSecdbRecords(out.records, converted.records);
      out.files++;
      out.bytes += data.length;
      out.entries += converted.entries;
      out.invalidVersions += converted.invalidVersions;
      out.ignoredIds += converted.ignoredIds;
    }
  }
  if (out.files === 0)
    throw new AdvisoryDbError(
      'DB_SOURCE_EMPTY',
      `no Alpine secdb file (main.json, community.json) under ${source} for ${branches.join(', ')}`,
    );
  return out;
}

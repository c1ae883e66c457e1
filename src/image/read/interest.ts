import type { ContentOptions, EntryInfo } from './layer.js';

const EXACT = new Set([
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/debian_version',
  '/etc/alpine-release',
  '/etc/lsb-release',
  '/etc/redhat-release',
  '/var/lib/dpkg/status',
  '/lib/apk/db/installed',
  '/var/lib/rpm/rpmdb.sqlite',
  '/usr/lib/sysimage/rpm/rpmdb.sqlite',
]);

/** Package databases and installed-package metadata the inventory reads. */
export function isPackageMetadata(path: string): boolean {
  if (EXACT.has(path)) return true;
  if (path.startsWith('/var/lib/dpkg/status.d/')) return true;
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'package.json') return path.includes('/node_modules/') || !path.startsWith('/usr/share/');
  if (base === 'METADATA') return path.endsWith('.dist-info/METADATA');
  if (base === 'PKG-INFO') return path.endsWith('.egg-info/PKG-INFO');
  return base === 'pom.properties' || base === 'package-lock.json';
}

const GO_BUILDINFO = Buffer.from('\xff Go buildinf:', 'latin1');
const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export function isGoBinary(data: Buffer): boolean {
  return data.subarray(0, 4).equals(ELF) && data.includes(GO_BUILDINFO);
}

export interface InterestOptions {
  /** Executables up to this size are read and kept when they carry Go build info (default 64 MiB; 0 = off). */
  goMaxBytes?: number;
  /** JAR/WAR/EAR archives up to this size are kept for pom.properties (default 32 MiB; 0 = off). */
  jarMaxBytes?: number;
  /** Every file up to this size goes to `onFile` (secret scanning) without being kept (default 0 = off). */
  secretMaxBytes?: number;
  onFile?: ContentOptions['onFile'];
}

/** The content selector for image inventory: package metadata, Go binaries, JARs, plus optional secrets. */
export function interestingContent(o: InterestOptions = {}): ContentOptions {
  const goMax = o.goMaxBytes ?? 64 * 1024 * 1024;
  const jarMax = o.jarMaxBytes ?? 32 * 1024 * 1024;
  const secretMax = o.secretMaxBytes ?? 0;
  const isJar = (p: string): boolean => /\.(jar|war|ear)$/.test(p);
  const isExec = (e: EntryInfo): boolean => (e.mode & 0o111) !== 0 && e.size >= 4;
  return {
    want: (e) =>
      isPackageMetadata(e.path) ||
      (isJar(e.path) && e.size <= jarMax) ||
      (isExec(e) && e.size <= goMax) ||
      e.size <= secretMax,
    keep: (e, data) =>
      isPackageMetadata(e.path) ||
      (isJar(e.path) && e.size <= jarMax) ||
      (isExec(e) && e.size <= goMax && isGoBinary(data)),
    ...(o.onFile !== undefined ? { onFile: o.onFile } : {}),
  };
}

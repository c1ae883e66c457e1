/**
 * Alpine packages from apk's database `/lib/apk/db/installed` (https://wiki.alpinelinux.org/wiki/Apk_spec):
 * one record per package, records separated by blank lines, one `X:value` line per field —
 * `P` name, `V` version, `A` arch, `o` origin (the source package, which Alpine's secdb names),
 * `L` licence.
 */
import { normaliseLicense } from '../../deps/license.js';
import { FileIndex, MiB, text } from './files.js';
import { osPurl } from './os-purl.js';
import type { AnalyzeProblem, AnalyzerOutput, ImageComponent, OsInfo } from './types.js';

export const APK_INSTALLED = 'lib/apk/db/installed';
const MAX_FILE = 128 * MiB;
const MAX_PACKAGES = 100_000;

interface ApkRecord {
  line: number;
  fields: Map<string, string>;
}

function records(input: string): ApkRecord[] {
  const out: ApkRecord[] = [];
  let current: ApkRecord | undefined;
  const lines = input.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') {
      current = undefined;
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    if (!current) {
      if (out.length >= MAX_PACKAGES) break;
      current = { line: i + 1, fields: new Map() };
      out.push(current);
    }
    const key = line[0] ?? '';
    // Only the first occurrence counts for the one-per-package fields we read (F/R/Z repeat).
    if (!current.fields.has(key)) current.fields.set(key, line.slice(2));
  }
  return out;
}

export function parseApkInstalled(path: string, input: string, os: OsInfo | undefined): AnalyzerOutput {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  for (const r of records(input)) {
    const name = r.fields.get('P');
    const version = r.fields.get('V');
    if (!name || !version) {
      problems.push({ path, message: `line ${r.line}: record without P: or V:` });
      continue;
    }
    const arch = r.fields.get('A');
    const origin = r.fields.get('o') || name;
    const purl = osPurl('apk', 'alpine', name, version, os, { arch });
    const c: ImageComponent = {
      ecosystem: 'Alpine',
      name,
      version,
      purl,
      id: purl,
      location: { path, line: r.line },
      packager: 'apk',
      source: { name: origin, version },
      advisory: { ecosystem: os?.osvEcosystem ?? 'Alpine', name: origin, version },
    };
    if (arch) c.arch = arch;
    const license = r.fields.get('L');
    const spdx = license ? normaliseLicense(license) : undefined;
    if (spdx) c.licenses = [spdx];
    components.push(c);
  }
  return { components, problems };
}

export function analyzeApk(files: FileIndex, os: OsInfo | undefined): AnalyzerOutput {
  if (!files.has(APK_INSTALLED)) return { components: [], problems: [] };
  const data = files.read(APK_INSTALLED, MAX_FILE);
  if (!data)
    return {
      components: [],
      problems: [{ path: APK_INSTALLED, message: 'unreadable or larger than 128 MiB' }],
    };
  return parseApkInstalled(APK_INSTALLED, text(data), os);
}

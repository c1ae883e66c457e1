/**
 * Python distributions installed in an image, from their core metadata
 * (https://packaging.python.org/specifications/core-metadata/): `*.dist-info/METADATA`,
 * `*.egg-info/PKG-INFO` and single-file `*.egg-info`. Name, Version, licence from
 * `License-Expression`, else the `License ::` classifiers, else `License`.
 */
import { normaliseLicense } from '../../deps/license.js';
import { purlOf } from '../../deps/purl.js';
import { FileIndex, MiB, text } from './files.js';
import { dedupeIds } from './node.js';
import type { AnalyzeProblem, AnalyzerOutput, ImageComponent } from './types.js';

const METADATA = /(?:^|\/)[^/]+\.(?:dist-info\/METADATA|egg-info\/PKG-INFO|egg-info)$/;
const MAX_FILE = 4 * MiB;
const MAX_PACKAGES = 100_000;

/** Header fields of an RFC 822 style metadata file (up to the first blank line; continuation lines joined). */
export function parseMetadataHeaders(input: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of input.split(/\r?\n/)) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const list = out.get(key) ?? [];
    list.push(line.slice(colon + 1).trim());
    out.set(key, list);
    last = list;
  }
  return out;
}

const CLASSIFIER_SPDX: Record<string, string> = {
  'MIT License': 'MIT',
  'Apache Software License': 'Apache-2.0',
  'BSD License': 'BSD-3-Clause',
  'Python Software Foundation License': 'PSF-2.0',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'ISC License (ISCL)': 'ISC',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'The Unlicense (Unlicense)': 'Unlicense',
};

export function metadataLicenses(h: Map<string, string[]>): string[] {
  const out: string[] = [];
  const add = (raw: string | undefined): void => {
    const spdx = raw ? normaliseLicense(raw) : undefined;
    if (spdx && !out.includes(spdx)) out.push(spdx);
  };
  const expr = h.get('license-expression')?.[0];
  if (expr) {
    add(expr);
    return out;
  }
  for (const c of h.get('classifier') ?? []) {
    const m = /^License\s*::\s*(?:OSI Approved\s*::\s*)?(.+)$/.exec(c);
    if (m?.[1] && m[1] !== 'OSI Approved') add(CLASSIFIER_SPDX[m[1].trim()] ?? m[1].trim());
  }
  if (out.length) return out;
  // `License:` is free text, often the whole licence body: keep a short first line only.
  const lic = h.get('license')?.[0]?.split('\n')[0]?.trim();
  if (lic && lic.length <= 100) add(lic);
  return out;
}

export function parsePythonMetadata(path: string, input: string): ImageComponent | AnalyzeProblem {
  const h = parseMetadataHeaders(input);
  const name = h.get('name')?.[0];
  const version = h.get('version')?.[0];
  if (!name || !version) return { path, message: 'metadata without Name or Version' };
  const purl = purlOf('PyPI', name, version);
  const c: ImageComponent = {
    ecosystem: 'PyPI',
    name,
    version,
    purl,
    id: purl,
    location: { path },
    packager: 'python',
  };
  const licenses = metadataLicenses(h);
  if (licenses.length) c.licenses = licenses;
  return c;
}

export function analyzePython(files: FileIndex): AnalyzerOutput {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  for (const path of files.paths) {
    if (!METADATA.test(path)) continue;
    if (components.length >= MAX_PACKAGES) {
      problems.push({ path, message: `more than ${MAX_PACKAGES} Python packages: the rest is not listed` });
      break;
    }
    const data = files.read(path, MAX_FILE);
    if (!data) {
      problems.push({ path, message: 'unreadable or larger than 4 MiB' });
      continue;
    }
    const out = parsePythonMetadata(path, text(data));
    if ('packager' in out) components.push(out);
    else problems.push(out);
  }
  dedupeIds(components);
  return { components, problems };
}

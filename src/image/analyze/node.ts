/**
 * npm packages installed in an image: every `node_modules/<name>/package.json` and
 * `node_modules/@scope/<name>/package.json` (nested `node_modules` included), plus the application's
 * own `package.json` beside a `node_modules` folder or a `package-lock.json` (reported with `own`).
 */
import { normaliseLicense } from '../../deps/license.js';
import { purlOf } from '../../deps/purl.js';
import { FileIndex, MiB, dirName, text } from './files.js';
import type { AnalyzeProblem, AnalyzerOutput, ImageComponent } from './types.js';

const INSTALLED = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/;
const MAX_FILE = 4 * MiB;
const MAX_PACKAGES = 200_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `license: "MIT"`, `license: {type: "MIT"}`, or the deprecated `licenses: [{type}]`. */
export function packageJsonLicenses(manifest: Record<string, unknown>): string[] {
  const raw: string[] = [];
  const take = (v: unknown): void => {
    if (typeof v === 'string') raw.push(v);
    else if (isObject(v) && typeof v.type === 'string') raw.push(v.type);
  };
  take(manifest.license);
  if (Array.isArray(manifest.licenses)) manifest.licenses.forEach(take);
  const out: string[] = [];
  for (const r of raw) {
    const spdx = normaliseLicense(r);
    if (spdx && !out.includes(spdx)) out.push(spdx);
  }
  return out;
}

/** The component described by one package.json text; undefined when it has no name/version. */
export function parsePackageJson(
  path: string,
  input: string,
  own: boolean,
): ImageComponent | AnalyzeProblem | undefined {
  let manifest: unknown;
  try {
    manifest = JSON.parse(input);
  } catch (e) {
    return { path, message: `invalid JSON: ${(e as Error).message}` };
  }
  if (!isObject(manifest)) return { path, message: 'package.json is not an object' };
  const { name, version } = manifest;
  if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) return undefined;
  const purl = purlOf('npm', name, version);
  const c: ImageComponent = {
    ecosystem: 'npm',
    name,
    version,
    purl,
    id: purl,
    location: { path },
    packager: 'node',
  };
  const licenses = packageJsonLicenses(manifest);
  if (licenses.length) c.licenses = licenses;
  if (own) c.own = true;
  return c;
}

export function analyzeNode(files: FileIndex): AnalyzerOutput {
  const components: ImageComponent[] = [];
  const problems: AnalyzeProblem[] = [];
  const appDirs = new Set<string>();
  for (const p of files.paths) {
    const i = p.indexOf('/node_modules/');
    if (p.startsWith('node_modules/')) appDirs.add('');
    else if (i > 0) appDirs.add(p.slice(0, i));
    if (p.endsWith('/package-lock.json') || p === 'package-lock.json') appDirs.add(dirName(p));
  }
  for (const path of files.paths) {
    if (!path.endsWith('package.json')) continue;
    const installed = INSTALLED.test(path);
    const own =
      !installed &&
      !path.includes('node_modules/') &&
      /(?:^|\/)package\.json$/.test(path) &&
      appDirs.has(dirName(path));
    if (!installed && !own) continue;
    if (components.length >= MAX_PACKAGES) {
      problems.push({ path, message: `more than ${MAX_PACKAGES} npm packages: the rest is not listed` });
      break;
    }
    const data = files.read(path, MAX_FILE);
    if (!data) {
      problems.push({ path, message: 'unreadable or larger than 4 MiB' });
      continue;
    }
    const out = parsePackageJson(path, text(data), own);
    if (!out) continue;
    if ('packager' in out) components.push(out);
    else problems.push(out);
  }
  dedupeIds(components);
  return { components, problems };
}

/** Makes `id` unique when the same purl is installed at several places (`purl#path`). */
export function dedupeIds(components: ImageComponent[]): void {
  const count = new Map<string, number>();
  for (const c of components) count.set(c.id, (count.get(c.id) ?? 0) + 1);
  for (const c of components) if ((count.get(c.id) ?? 0) > 1) c.id = `${c.purl}#${c.location.path}`;
}

import type { ParseInput } from '../../model.js';
import { isObject, parseJson, stringEntries } from '../common/json-lines.js';

/** The dependency lists a project declares (package.json, a lockfile's root entry, a bun workspace). */
export interface DeclaredDependencies {
  dependencies: [string, string][];
  devDependencies: [string, string][];
  optionalDependencies: [string, string][];
  peerDependencies: [string, string][];
}

export function declaredDependencies(manifest: unknown): DeclaredDependencies {
  const m = isObject(manifest) ? manifest : {};
  return {
    dependencies: stringEntries(m.dependencies),
    devDependencies: stringEntries(m.devDependencies),
    optionalDependencies: stringEntries(m.optionalDependencies),
    peerDependencies: stringEntries(m.peerDependencies),
  };
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Joins a path relative to the lockfile's folder onto the lockfile path, resolving `.` and `..`;
 * undefined when the result would leave the scan root.
 */
export function besideLockfile(lockfilePath: string, relative: string): string | undefined {
  const parts = lockfilePath.split('/').slice(0, -1);
  for (const seg of relative.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else {
      parts.push(seg);
    }
  }
  return parts.join('/');
}

/** The package.json of the project next to the lockfile (or of the workspace folder `dir` relative to it). */
export function readPackageJson(input: ParseInput, dir = '.'): DeclaredDependencies | undefined {
  const folder = besideLockfile(input.path, dir);
  if (folder === undefined) return undefined;
  const text = input.file(folder === '' ? 'package.json' : `${folder}/package.json`);
  if (text === undefined) return undefined;
  const parsed = parseJson(text.replace(/^\uFEFF/, ''));
  if (!parsed.ok || !isObject(parsed.json.value)) return undefined;
  return declaredDependencies(parsed.json.value);
}

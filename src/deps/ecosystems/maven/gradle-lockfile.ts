import type {
  Component,
  DependencyScope,
  LockfileParser,
  ParseInput,
  ParseProblem,
  ParseResult,
} from '../../model.js';
import { purlOf } from '../../purl.js';

/**
 * Gradle dependency locking (https://docs.gradle.org/current/userguide/dependency_locking.html).
 *
 * - `gradle.lockfile` (Gradle ≥ 6): one line per module, `group:artifact:version=conf1,conf2`, and a
 *   final `empty=conf…` line listing configurations that resolved nothing (ignored). Also
 *   `buildscript-gradle.lockfile` and `settings-gradle.lockfile` (build classpath: scope `build`).
 * - Legacy `gradle/dependency-locks/<configuration>.lockfile` (Gradle 4.8–6): `group:artifact:version`
 *   lines, the configuration being the file's name.
 *
 * The lockfile lists the resolved graph without telling which modules are declared directly, so
 * `direct` stays undefined. Scope: `test` when every configuration is a test one
 * (testCompileClasspath, integrationTestRuntimeClasspath…), else `prod`.
 */

const BUILD_LOCKFILES = new Set(['buildscript-gradle.lockfile', 'settings-gradle.lockfile']);

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function isLegacyLockfile(path: string): boolean {
  return /(^|\/)gradle\/dependency-locks\/[^/]+\.lockfile$/.test(path);
}

/** A test configuration: `test…` or a `…Test` source set (`integrationTestRuntimeClasspath`). */
export function isTestConfiguration(name: string): boolean {
  return /^test/.test(name) || /Test(?![a-z])/.test(name);
}

export function parseGradleLockfile(input: ParseInput): ParseResult {
  const base = baseName(input.path);
  const legacyConfiguration = isLegacyLockfile(input.path) ? base.replace(/\.lockfile$/, '') : undefined;
  const buildOnly = BUILD_LOCKFILES.has(base);
  const components: Component[] = [];
  const errors: ParseProblem[] = [];
  const ids = new Set<string>();
  const lines = input.text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const coordinates = eq < 0 ? line : line.slice(0, eq).trim();
    if (coordinates === 'empty') return;
    const configurations =
      eq < 0
        ? legacyConfiguration
          ? [legacyConfiguration]
          : []
        : line
            .slice(eq + 1)
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean);
    const parts = coordinates.split(':');
    const [group, artifact, version] = parts;
    if (parts.length !== 3 || !group || !artifact || !version || /\s/.test(coordinates)) {
      errors.push({
        path: input.path,
        line: index + 1,
        message: `not a lock entry: expected group:artifact:version=configurations, got "${line.slice(0, 120)}"`,
      });
      return;
    }
    const name = `${group}:${artifact}`;
    const purl = purlOf('Maven', name, version);
    let scope: DependencyScope = 'prod';
    if (buildOnly) scope = 'build';
    else if (configurations.length > 0 && configurations.every(isTestConfiguration)) scope = 'test';
    const id = ids.has(purl) ? `${purl} (${input.path}:${index + 1})` : purl;
    ids.add(id);
    components.push({
      ecosystem: 'Maven',
      name,
      version,
      purl,
      scope,
      location: { path: input.path, line: index + 1 },
      id,
    });
  });
  return { components, ...(errors.length > 0 ? { errors } : {}) };
}

export const gradleLockfileParser: LockfileParser = {
  id: 'gradle-lockfile',
  ecosystem: 'Maven',
  format: 'Gradle lockfile (gradle.lockfile, gradle/dependency-locks/*.lockfile)',
  matches: (path) => {
    const base = baseName(path);
    return base === 'gradle.lockfile' || BUILD_LOCKFILES.has(base) || isLegacyLockfile(path);
  },
  parse: parseGradleLockfile,
};

import type { VersionScheme } from './scheme.js';
import { npmVersions } from './npm.js';
import { pypiVersions } from './pypi.js';
import { goVersions } from './go.js';
import { cargoVersions } from './cargo.js';
import { rubygemsVersions } from './rubygems.js';
import { composerVersions } from './composer.js';
import { nugetVersions } from './nuget.js';
import { mavenVersions } from './maven.js';
import { dpkgVersions } from './dpkg.js';
import { apkVersions } from './apk.js';
import { rpmVersions } from './rpm.js';
import { hackageVersions } from './hackage.js';
import { bitnamiVersions } from './bitnami.js';

export type { VersionScheme } from './scheme.js';

/**
 * The explicit registry: OSV ecosystem name (the part before any `:`) → its version ordering.
 * A contract test checks every entry against the ecosystem's published test vectors.
 */
const schemes = new Map<string, VersionScheme>([
  ['npm', npmVersions],
  ['PyPI', pypiVersions],
  ['Go', goVersions],
  ['crates.io', cargoVersions],
  ['RubyGems', rubygemsVersions],
  ['Packagist', composerVersions],
  ['NuGet', nugetVersions],
  ['Maven', mavenVersions],
  ['Debian', dpkgVersions],
  ['Ubuntu', dpkgVersions],
  ['Alpine', apkVersions],
  ['AlmaLinux', rpmVersions],
  ['Rocky Linux', rpmVersions],
  ['Red Hat', rpmVersions],
  ['Bitnami', bitnamiVersions],
  ['Hackage', hackageVersions],
  ['GHC', hackageVersions],
]);

/** The ordering for an OSV ecosystem string such as `npm`, `PyPI`, `Debian:12`, `Alpine:v3.20`. */
export function schemeFor(ecosystem: string): VersionScheme | undefined {
  const base = ecosystem.split(':')[0] ?? ecosystem;
  return schemes.get(base);
}

export function supportedVersionEcosystems(): string[] {
  return [...schemes.keys()];
}

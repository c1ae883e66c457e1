import { PackageURL } from 'packageurl-js';
import type { IngestedPackage } from './types.js';

/** purl type → the ecosystem name Rampart uses elsewhere (OSV names); other types are kept as they are. */
const ECOSYSTEM_OF_TYPE: Record<string, string> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
  maven: 'Maven',
  deb: 'Debian',
  apk: 'Alpine',
  bitnami: 'Bitnami',
  hackage: 'Hackage',
};

/** Types whose namespace is part of the package's name, and the separator the ecosystem writes. */
const NAMESPACE_SEPARATOR: Record<string, string> = {
  npm: '/',
  golang: '/',
  composer: '/',
  maven: ':',
};

/** A parsed Package URL as name/ecosystem/version, or undefined when the string is not a valid purl. */
export function packageFromPurl(purl: string): IngestedPackage | undefined {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
  const sep = NAMESPACE_SEPARATOR[p.type];
  const name = sep && p.namespace ? `${p.namespace}${sep}${p.name}` : p.name;
  return {
    ecosystem: ecosystemOf(p),
    name,
    ...(p.version ? { version: p.version } : {}),
    purl,
  };
}

function ecosystemOf(p: PackageURL): string {
  const distro = `${p.qualifiers?.distro ?? ''}`.toLowerCase();
  const namespace = (p.namespace ?? '').toLowerCase();
  if (p.type === 'deb' && (namespace === 'ubuntu' || distro.startsWith('ubuntu'))) return 'Ubuntu';
  if (p.type === 'rpm' && (namespace === 'almalinux' || distro.startsWith('almalinux'))) return 'AlmaLinux';
  return ECOSYSTEM_OF_TYPE[p.type] ?? p.type;
}

import { PackageURL } from 'packageurl-js';
import type { Ecosystem } from './model.js';

/** purl type per ecosystem (https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst). */
const PURL_TYPE: Record<Ecosystem, string> = {
  npm: 'npm',
  PyPI: 'pypi',
  Go: 'golang',
  'crates.io': 'cargo',
  RubyGems: 'gem',
  Packagist: 'composer',
  NuGet: 'nuget',
  Maven: 'maven',
  Debian: 'deb',
  Ubuntu: 'deb',
  Alpine: 'apk',
  AlmaLinux: 'rpm',
  Bitnami: 'bitnami',
  Hackage: 'hackage',
  GHC: 'generic',
};

/** Splits an ecosystem name into purl namespace + name (`@scope/x`, `group:artifact`, `vendor/pkg`, Go paths). */
function split(ecosystem: Ecosystem, name: string): [string | undefined, string] {
  switch (ecosystem) {
    case 'npm':
      if (name.startsWith('@') && name.includes('/')) {
        const i = name.indexOf('/');
        return [name.slice(0, i), name.slice(i + 1)];
      }
      return [undefined, name];
    case 'Maven': {
      const i = name.indexOf(':');
      return i < 0 ? [undefined, name] : [name.slice(0, i), name.slice(i + 1)];
    }
    case 'Go':
    case 'Packagist': {
      const i = name.lastIndexOf('/');
      return i < 0 ? [undefined, name] : [name.slice(0, i), name.slice(i + 1)];
    }
    case 'PyPI':
      // PEP 503 normalisation, as the purl spec asks for pypi.
      return [undefined, name.toLowerCase().replace(/[-_.]+/g, '-')];
    default:
      return [undefined, name];
  }
}

/** The Package URL of a component, e.g. `pkg:npm/%40types/node@20.1.0`, `pkg:maven/org.x/y@1.0`. */
export function purlOf(
  ecosystem: Ecosystem,
  name: string,
  version: string,
  qualifiers?: Record<string, string>,
): string {
  const [namespace, short] = split(ecosystem, name);
  return new PackageURL(
    PURL_TYPE[ecosystem],
    namespace,
    short,
    version || undefined,
    qualifiers,
    undefined,
  ).toString();
}

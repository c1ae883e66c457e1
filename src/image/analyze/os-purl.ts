/** Package URLs of OS packages: `pkg:deb/debian/…`, `pkg:apk/alpine/…`, `pkg:rpm/almalinux/…` with arch/distro qualifiers. */
import { PackageURL } from 'packageurl-js';
import type { OsInfo } from './types.js';

export function osPurl(
  type: 'deb' | 'apk' | 'rpm',
  namespace: string,
  name: string,
  version: string,
  os: OsInfo | undefined,
  extra: Record<string, string | undefined>,
): string {
  const qualifiers: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) if (v) qualifiers[k] = v;
  if (os?.versionId) qualifiers.distro = `${os.id}-${os.versionId}`;
  return new PackageURL(
    type,
    namespace,
    name,
    version || undefined,
    Object.keys(qualifiers).length ? qualifiers : undefined,
    undefined,
  ).toString();
}

/** User settings of the misconfiguration scanner (the `misconfig` section of rampart.yaml). */
export interface MisconfigOptions {
  /**
   * Registries (or registry/path prefixes) images may come from, e.g. `myacr.azurecr.io`,
   * `ghcr.io/my-org/`. Empty: the trusted-registry checks are off.
   */
  trustedRegistries: readonly string[];
  /** Service `externalIPs` that are allowed: exact IPv4 addresses or IPv4 CIDRs. */
  allowedExternalIPs: readonly string[];
}

export const DEFAULT_OPTIONS: MisconfigOptions = { trustedRegistries: [], allowedExternalIPs: [] };

/** Normalises an image reference to `registry/path` (Docker Hub images get `docker.io/`, `library/`). */
export function imageLocation(image: string): string {
  const name = image.split('@')[0]!.replace(/:[^/:]*$/, '');
  const first = name.split('/')[0]!;
  const hasRegistry =
    name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return name;
  return `docker.io/${name.includes('/') ? name : `library/${name}`}`;
}

/** Is the image from one of the trusted registries (prefix match on registry/path boundaries)? */
export function isTrustedImage(image: string, trusted: readonly string[]): boolean {
  const loc = imageLocation(image).toLowerCase();
  return trusted.some((t) => {
    const p = t.toLowerCase().replace(/\/+$/, '');
    return loc === p || loc.startsWith(`${p}/`);
  });
}

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((x) => x > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function ipAllowed(ip: string, allow: readonly string[]): boolean {
  const v = ipv4(ip);
  return allow.some((a) => {
    const [net, bits] = a.split('/');
    if (bits === undefined) return a.trim() === ip.trim();
    const n = ipv4(net ?? '');
    const b = Number(bits);
    if (v === undefined || n === undefined || !(b >= 0 && b <= 32)) return false;
    const mask = b === 0 ? 0 : (~0 << (32 - b)) >>> 0;
    return (v & mask) === (n & mask);
  });
}

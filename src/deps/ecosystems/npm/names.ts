/**
 * `name@rest` strings as package managers write them (yarn patterns and resolutions, bun idents,
 * pnpm keys): the name may start with `@` (scope), so the separator is the first `@` after it.
 * `@s/a@^1.0.0` → [`@s/a`, `^1.0.0`]; `a` → [`a`, ``].
 */
export function splitNameAt(spec: string): [string, string] {
  const at = spec.indexOf('@', 1);
  return at < 0 ? [spec, ''] : [spec.slice(0, at), spec.slice(at + 1)];
}

/** Protocols that point at the project's own code (workspaces, local folders), not a third-party package. */
const LOCAL_PROTOCOL = /^(?:workspace|link|portal|file|exec|root):/;

export function isLocalReference(ref: string): boolean {
  return LOCAL_PROTOCOL.test(ref);
}

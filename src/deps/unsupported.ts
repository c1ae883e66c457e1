/**
 * Lockfiles of ecosystems Rampart does not read yet. They are listed as skipped ("unsupported
 * format") so nobody believes they were checked.
 */
const UNSUPPORTED: Record<string, string> = {
  'Podfile.lock': 'CocoaPods',
  'pubspec.lock': 'Dart/Flutter pub',
  'mix.lock': 'Elixir mix',
  'packages.config': 'NuGet packages.config (use PackageReference + packages.lock.json)',
  'Package.resolved': 'Swift Package Manager',
  'deno.lock': 'Deno',
  'conan.lock': 'Conan',
  'renv.lock': 'R renv',
  'stack.yaml.lock': 'Haskell Stack',
  'cabal.project.freeze': 'Haskell Cabal',
  'Manifest.toml': 'Julia Pkg',
  'bun.lockb': 'Bun binary lockfile (run `bun install --save-text-lockfile` to get bun.lock)',
};

/** The format name when `path` is a lockfile of an unsupported ecosystem. */
export function unsupportedLockfile(path: string): string | undefined {
  return UNSUPPORTED[path.slice(path.lastIndexOf('/') + 1)];
}

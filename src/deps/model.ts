/**
 * The dependency inventory model shared by every ecosystem parser, the advisory matcher, the SBOM
 * writers and the image scanner. Parsers are pure functions over file text: any sibling file they
 * need (package.json next to a lockfile, go.sum, parent poms, `-r` includes) is handed to them
 * through `ParseInput.file`, never read from disk by the parser itself.
 */

/** OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field), exactly as spelled there. */
export type Ecosystem =
  | 'npm'
  | 'PyPI'
  | 'Go'
  | 'crates.io'
  | 'RubyGems'
  | 'Packagist'
  | 'NuGet'
  | 'Maven'
  | 'Debian'
  | 'Ubuntu'
  | 'Alpine'
  | 'AlmaLinux'
  | 'Bitnami'
  | 'Hackage'
  | 'GHC';

export type DependencyScope = 'prod' | 'dev' | 'optional' | 'peer' | 'test' | 'provided' | 'build';

export interface ComponentLocation {
  /** Path relative to the scan root, forward slashes. */
  path: string;
  /** 1-based line of the entry that declares this component, when the format lets us find it. */
  line?: number;
}

export interface Component {
  ecosystem: Ecosystem;
  /** Canonical name in the ecosystem's own spelling: `@types/node`, `github.com/x/y`, `group:artifact`. */
  name: string;
  version: string;
  /** Package URL (https://github.com/package-url/purl-spec), built with `purlOf`. */
  purl: string;
  /** true: declared by the project itself; false: pulled in by another package; undefined: the format does not say. */
  direct?: boolean;
  /** Scope where the format says (dev dependencies, optional, peer…). undefined: unknown, treated as prod. */
  scope?: DependencyScope;
  /** SPDX expressions (normalised with `normaliseLicense`), where the lockfile or metadata says. */
  licenses?: string[];
  location: ComponentLocation;
  /**
   * Identity of this component inside one inventory (used for the dependency graph and as the SBOM
   * bom-ref). Default: the purl. Parsers make it unique when one file holds the same purl twice.
   */
  id: string;
  /**
   * The project's own package (a workspace member, the pom's own artifact, a Cargo workspace crate):
   * listed in SBOMs as part of the inventory, never matched against advisories (its name may collide
   * with a published package; its version is often a placeholder such as `0.0.0-use.local`).
   */
  own?: boolean;
  /** ids of the components this one depends on, where the format records the graph. */
  dependsOn?: string[];
}

/** A problem with the input file itself: malformed syntax, an unsupported version of the format. */
export interface ParseProblem {
  path: string;
  line?: number;
  message: string;
}

/** Something declared but not resolvable from the files at hand (e.g. a pom property defined in a remote parent). */
export interface Unresolved {
  path: string;
  line?: number;
  name: string;
  reason: string;
}

export interface ParseResult {
  components: Component[];
  /** Present when the file could not be (fully) parsed; the scan reports them and carries on. */
  errors?: ParseProblem[];
  unresolved?: Unresolved[];
}

export interface ParseInput {
  /** Path of the file, relative to the scan root, forward slashes. */
  path: string;
  /** File text (UTF-8, BOM already removed). */
  text: string;
  /**
   * Text of another file of the same scan, by path relative to the scan root (forward slashes,
   * already normalised: no `..` escaping the root). undefined when absent or unreadable.
   */
  file(path: string): string | undefined;
}

/**
 * One lockfile or manifest format. Renovate-style: every ecosystem sits behind this interface and is
 * listed in `ecosystems/registry.ts`; a contract test loops over the registry.
 */
export interface LockfileParser {
  /** Stable id, e.g. `npm-package-lock`, `yarn-lock`, `pnpm-lock`. */
  readonly id: string;
  readonly ecosystem: Ecosystem;
  /** Human name of the format for `--help`, docs and "skipped" lists. */
  readonly format: string;
  /** Cheap check on the path (usually the base name): can this parser read this file? */
  matches(path: string): boolean;
  /**
   * Names of sibling files (base names or globs relative to the lockfile's folder) this parser may
   * ask for through `ParseInput.file`, so the scanner keeps them: e.g. `package.json`, `go.sum`.
   */
  readonly companions?: readonly string[];
  /** Pure: never throws on malformed input (returns `errors` instead), never touches the disk. */
  parse(input: ParseInput): ParseResult;
}

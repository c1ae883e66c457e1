import { Command, Option } from 'commander';

export interface SbomFlags {
  format: 'cyclonedx' | 'spdx';
  output?: string;
  gitignore?: boolean;
  skipPaths?: string[];
  maxFileSize?: string;
  config?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `rampart sbom PATH`: the dependency inventory as CycloneDX 1.6 or SPDX 2.3 JSON. */
export function registerSbomCommand(program: Command): void {
  program
    .command('sbom')
    .summary('write a CycloneDX or SPDX SBOM of the dependencies under a path')
    .description(
      'Read every lockfile and manifest under PATH (npm, yarn, pnpm, bun, pip, Poetry, Pipenv, uv, Go, Cargo, ' +
        'Bundler, Composer, NuGet, Maven, Gradle) and write the components, their licences and the dependency ' +
        'graph as CycloneDX 1.6 JSON (default) or SPDX 2.3 JSON. No advisory database is needed.',
    )
    .argument('[path]', 'directory or lockfile', '.')
    .addOption(
      new Option('-f, --format <format>', 'SBOM format').choices(['cyclonedx', 'spdx']).default('cyclonedx'),
    )
    .option('-o, --output <file>', 'write the SBOM to a file instead of stdout (written atomically)')
    .option('--skip-paths <pattern>', 'gitignore-style pattern of paths to skip (repeatable)', collect)
    .option('--no-gitignore', 'do not honour .gitignore files (.rampartignore still applies)')
    .option('--max-file-size <size>', 'skip lockfiles larger than this, e.g. 50MB')
    .option('--config <file>', 'configuration file (default: rampart.yaml in the current directory)')
    .action(async (target: string, flags: SbomFlags) => {
      const { executeSbom } = await import('../sbom-action.js');
      await executeSbom(target, flags);
    });
}

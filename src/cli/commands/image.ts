import { Command, Option } from 'commander';

export interface ImageFlags {
  format: 'table' | 'json' | 'sarif' | 'junit' | 'cyclonedx' | 'spdx';
  output?: string;
  scanners: string;
  tag?: string;
  dbDir?: string;
  severity?: string;
  exitCode?: string;
  insecure?: boolean;
}

/** `rampart image PATH`: inventory, vulnerabilities, secrets and config checks of a container image. */
export function registerImageCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('image')
    .summary('scan a container image (docker-archive, OCI layout or registry reference)')
    .description(
      'Read a docker-archive tarball (`docker save`), an OCI image layout folder, or an image from a registry (Distribution API v2; credentials from ~/.docker/config.json), list its OS packages (dpkg, apk, rpm) ' +
        'and language packages (node_modules, Python dist-info, JARs, Go binaries, lockfiles), match them against the ' +
        'advisory database (`rampart db update`), scan every layer and the config (ENV, history) for secrets with the ' +
        'layer they are in, and check the config (root user, no HEALTHCHECK). `--format cyclonedx|spdx` writes the SBOM.',
    )
    .argument(
      '<image>',
      'docker-archive file, OCI layout folder, or registry reference (host/repo:tag or @sha256:…)',
    )
    .addOption(
      new Option('-f, --format <format>', 'report or SBOM format')
        .choices(['table', 'json', 'sarif', 'junit', 'cyclonedx', 'spdx'])
        .default('table'),
    )
    .option('-o, --output <file>', 'write to a file instead of stdout (written atomically)')
    .option('--scanners <list>', 'what to check: vuln, secret, config', 'vuln,secret,config')
    .option('--tag <tag>', 'which image of a multi-image archive or layout (RepoTag or ref.name)')
    .option('--db-dir <dir>', 'advisory database folder (default: the user cache folder)')
    .option('-s, --severity <list>', 'severities to report, e.g. HIGH,CRITICAL (default: all)')
    .option('--exit-code <code>', 'exit code when findings remain (default 0)')
    .option('--insecure', 'allow plain http to a registry other than localhost')
    .action(async (image: string, flags: ImageFlags) => {
      const { executeImage } = await import('../image-action.js');
      setExitCode(await executeImage(image, flags));
    });
}

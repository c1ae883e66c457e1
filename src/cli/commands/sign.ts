import { Command, Option } from 'commander';

export interface KeyPairFlags {
  outputPrefix: string;
  passwordEnv?: string;
}

export interface SignFlags {
  key?: string;
  passwordEnv?: string;
  insecure?: boolean;
}

export interface AttestFlags extends SignFlags {
  type: 'sbom' | 'scan';
  dbDir?: string;
  replace?: boolean;
}

export interface VerifyFlags {
  key: string;
  requireAttestation?: string[];
  maxScanAgeDays?: string;
  critical: boolean;
  insecure?: boolean;
  format: 'text' | 'json';
}

const KEY_HELP =
  'private key file: encrypted PKCS#8 PEM (`rampart generate-key-pair`) or a cosign key; default: the PEM in RAMPART_SIGNING_KEY';
const PASSWORD_HELP = 'environment variable holding the key passphrase (default RAMPART_SIGNING_PASSWORD)';

/**
 * `rampart generate-key-pair | sign | attest | verify`: cosign-compatible key-based signatures
 * (`sha256-<hex>.sig`) and in-toto attestations (`sha256-<hex>.att`) stored in the image's registry.
 */
export function registerSignCommands(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('generate-key-pair')
    .summary('create an ECDSA P-256 signing key pair')
    .description(
      'Write <prefix>.key (encrypted PKCS#8 PEM, also accepted by `cosign import-key-pair`) and <prefix>.pub. ' +
        'The passphrase comes from RAMPART_SIGNING_PASSWORD or the variable named by --password-env. Existing files are not overwritten.',
    )
    .option('--output-prefix <prefix>', 'path prefix of the two files', 'rampart')
    .option('--password-env <name>', PASSWORD_HELP)
    .action(async (flags: KeyPairFlags) => {
      const { executeGenerateKeyPair } = await import('../sign-action.js');
      setExitCode(await executeGenerateKeyPair(flags));
    });

  program
    .command('sign')
    .summary('sign an image in a registry (cosign signature)')
    .description(
      'Resolve the reference to its manifest digest, sign a simple-signing payload for that digest and push it ' +
        'to the same repository under the tag sha256-<hex>.sig (added to the signatures already there).',
    )
    .argument('<image>', 'registry reference (host/repo:tag or @sha256:…)')
    .option('--key <file>', KEY_HELP)
    .option('--password-env <name>', PASSWORD_HELP)
    .option('--insecure', 'allow plain http to a registry other than localhost')
    .action(async (image: string, flags: SignFlags) => {
      const { executeSign } = await import('../sign-action.js');
      setExitCode(await executeSign(image, flags));
    });

  program
    .command('attest')
    .summary('attach a signed SBOM or scan-result attestation to an image')
    .description(
      'Pull and scan the image, then push an in-toto statement in a DSSE envelope under sha256-<hex>.att: ' +
        '`--type sbom` (CycloneDX predicate of the inventory) or `--type scan` (finding counts by severity, ' +
        'advisory database date, scanner version; needs the advisory database).',
    )
    .argument('<image>', 'registry reference (host/repo:tag or @sha256:…)')
    .addOption(new Option('--type <type>', 'predicate').choices(['sbom', 'scan']).makeOptionMandatory())
    .option('--key <file>', KEY_HELP)
    .option('--password-env <name>', PASSWORD_HELP)
    .option('--db-dir <dir>', 'advisory database folder for --type scan (default: the user cache folder)')
    .option('--replace', 'drop earlier attestations of the same type instead of keeping them')
    .option('--insecure', 'allow plain http to a registry other than localhost')
    .action(async (image: string, flags: AttestFlags) => {
      const { executeAttest } = await import('../sign-action.js');
      setExitCode(await executeAttest(image, flags));
    });

  program
    .command('verify')
    .summary("verify an image's signature and attestations")
    .description(
      'Check that the image digest the reference resolves to is signed by the given public key, and optionally ' +
        'that it carries valid attestations. Exit 0 when verified, 1 when not (with the reasons), 2 on errors.',
    )
    .argument('<image>', 'registry reference (host/repo:tag or @sha256:…)')
    .requiredOption('--key <file>', 'public key PEM file (e.g. rampart.pub or cosign.pub)')
    .addOption(
      new Option(
        '--require-attestation <type...>',
        'attestation types that must be present and valid',
      ).choices(['sbom', 'scan']),
    )
    .option('--max-scan-age-days <n>', 'the newest scan attestation must be at most N days old')
    .option('--no-critical', 'the newest scan attestation must report no critical finding')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--insecure', 'allow plain http to a registry other than localhost')
    .action(async (image: string, flags: VerifyFlags) => {
      const { executeVerify } = await import('../sign-action.js');
      setExitCode(await executeVerify(image, flags));
    });
}

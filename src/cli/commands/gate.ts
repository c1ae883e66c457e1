import { Command } from 'commander';

export interface GateFlags {
  env: string;
  artifact: string;
  project: string;
  branch?: string;
  server?: string;
  timeout: string;
  poll: string;
  tokenEnv: string;
  oidcAudience?: string;
  json?: boolean;
}

/** `rampart gate`: a CD pipeline's deployment gate, answered by the control plane. */
export function registerGateCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('gate')
    .summary(
      'ask the control plane whether an artifact may be deployed to an environment (waits for approvals)',
    )
    .description(
      'Requests a deployment of --artifact to --env: the server evaluates the environment’s gates (signature, SBOM, ' +
        'old critical/high findings, scan freshness, DAST) and, when they pass, waits for the required approvals. ' +
        'Progress goes to standard error. Exit codes: 0 approved (deploy), 1 rejected, a gate failed or the wait ' +
        'timed out, 2 Rampart itself failed (bad flag, unreachable server, refused credential).',
    )
    .requiredOption('--env <name>', 'environment (dev, staging, production…)')
    .requiredOption('--artifact <ref@digest>', 'the artifact: <name>@sha256:<64 hex digits>')
    .requiredOption('--project <id>', 'project id')
    .option(
      '--branch <name>',
      'branch whose findings and scans count (default: the CI branch, else the server’s choice: main, master, latest)',
    )
    .option('--server <url>', 'control-plane URL (default: $RAMPART_SERVER)')
    .option('--timeout <duration>', 'how long to wait for approvals (e.g. 30m, 2h)', '30m')
    .option('--poll <duration>', 'how often to ask (e.g. 2s)', '2s')
    .option('--token-env <name>', 'environment variable holding an API token', 'RAMPART_TOKEN')
    .option(
      '--oidc-audience <aud>',
      'authenticate with the CI platform’s OIDC token for this audience instead',
    )
    .option('--json', 'print the final deployment as JSON on standard output')
    .action(async (flags: GateFlags) => {
      const { executeGate } = await import('../gate-action.js');
      setExitCode(await executeGate(flags));
    });
}

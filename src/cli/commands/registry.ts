import { Command } from 'commander';

export interface ListenFlags {
  port: string;
  host: string;
  out: string;
  tokenEnv?: string;
  insecure?: boolean;
  scanners: string;
  dbDir?: string;
}

export interface DriftFlags {
  base?: string;
  report?: string;
  insecure?: boolean;
}

/** `rampart registry listen | drift`: scan on push (registry webhooks) and base-image drift. */
export function registerRegistryCommand(program: Command, setExitCode: (code: number) => void): void {
  const registry = program
    .command('registry')
    .summary('registry integration: scan on push, base-image drift');
  registry
    .command('listen')
    .summary('receive registry push notifications and scan each pushed image')
    .description(
      'HTTP server for CNCF Distribution notifications (POST /events, application/vnd.docker.distribution.events.v1+json). ' +
        'Each pushed manifest is pulled by digest, scanned (one at a time, each digest once) and its JSON report written ' +
        'atomically to <out>/<repo with / → _>@<digest hex>.json. GET /healthz reports the queue.',
    )
    .option('--port <port>', 'port to listen on', '8085')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--out <dir>', 'folder for the reports', 'rampart-registry-reports')
    .option('--token-env <name>', 'require "Authorization: Bearer <token>" with the token from this env var')
    .option('--scanners <list>', 'what to check: vuln, secret, config', 'vuln,secret,config')
    .option('--db-dir <dir>', 'advisory database folder (default: the user cache folder)')
    .option('--insecure', 'allow plain http to a registry other than localhost')
    .action(async (flags: ListenFlags) => {
      const { executeListen } = await import('../registry-action.js');
      setExitCode(await executeListen(flags));
    });
  registry
    .command('drift')
    .summary('report when an image’s base tag now points to a newer digest')
    .description(
      'Compares the base digest recorded for IMAGE (OCI annotations org.opencontainers.image.base.name/.base.digest, ' +
        'or the image.base of a `registry listen` report) with what the base tag resolves to now. ' +
        'Exit 1 when the base moved (rebuild), 0 when up to date.',
    )
    .argument('<image>', 'registry reference of the image')
    .option('--base <ref>', 'base image reference (default: the image’s base.name annotation)')
    .option('--report <file>', 'a `registry listen` report holding the recorded base digest')
    .option('--insecure', 'allow plain http to a registry other than localhost')
    .action(async (image: string, flags: DriftFlags) => {
      const { executeDrift } = await import('../registry-action.js');
      setExitCode(await executeDrift(image, flags));
    });
}

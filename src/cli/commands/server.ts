import { Command } from 'commander';

export interface ServerFlags {
  host: string;
  port: string;
  dataDir?: string;
  publicUrl?: string;
  workers: boolean;
  log: string;
}

export interface UploadFlags {
  server?: string;
  project: string;
  branch: string;
  commit?: string;
  pipelineRun?: string;
  tool?: string;
  partial?: boolean;
  tokenEnv: string;
  oidcAudience?: string;
  retries: string;
}

export interface AuditFlags {
  dataDir?: string;
  out?: string;
}

/** `rampart server | worker | upload | audit`: the control plane and its clients. */
export function registerServerCommands(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('server')
    .summary('run the control plane (API, findings store, audit trail)')
    .description(
      'Starts the control-plane HTTP server. Without DATABASE_URL it runs an embedded PostgreSQL-compatible ' +
        'database (PGlite) in --data-dir and runs background jobs in-process; with DATABASE_URL=postgres://… ' +
        'it uses that server, and `rampart worker` processes take the background jobs. Migrations run on start. ' +
        'RAMPART_SECRET_KEY (32 bytes, base64) is the key for sealed secrets and the audit chain (embedded mode ' +
        'creates <data-dir>/secret.key). RAMPART_ADMIN_EMAIL + RAMPART_ADMIN_PASSWORD create the first admin ' +
        'when no user exists. OIDC sign-on: RAMPART_OIDC_ISSUER, RAMPART_OIDC_CLIENT_ID, RAMPART_OIDC_CLIENT_SECRET.',
    )
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--data-dir <dir>', 'embedded database folder (default: the user data folder)')
    .option('--public-url <url>', 'URL users reach the server at (default: http://<host>:<port>)')
    .option('--no-workers', 'do not run background jobs in this process')
    .option('--log <level>', 'log level: fatal, error, warn, info, debug', 'info')
    .action(async (flags: ServerFlags) => {
      const { executeServer } = await import('../server-action.js');
      setExitCode(await executeServer(flags));
    });

  program
    .command('worker')
    .summary('run background jobs (SBOM re-matching, notifications) against DATABASE_URL')
    .option('--log <level>', 'log level', 'info')
    .action(async (flags: { log: string }) => {
      const { executeWorker } = await import('../server-action.js');
      setExitCode(await executeWorker(flags));
    });

  program
    .command('upload')
    .summary('send a report (Rampart JSON, SARIF, CycloneDX) to the control plane')
    .argument('<file>', 'report file (- for standard input)')
    .requiredOption('--project <id>', 'project id')
    .requiredOption('--branch <name>', 'branch the scan ran on')
    .option('--server <url>', 'control-plane URL (default: $RAMPART_SERVER)')
    .option('--commit <sha>', 'commit the scan ran on')
    .option('--pipeline-run <id>', 'CI run id')
    .option('--tool <name>', 'override the tool name from the report')
    .option('--partial', 'the scan covered only part of the code: never mark absent findings fixed')
    .option('--token-env <name>', 'environment variable holding an API token', 'RAMPART_TOKEN')
    .option(
      '--oidc-audience <aud>',
      'authenticate with the CI platform’s OIDC token for this audience instead',
    )
    .option('--retries <n>', 'retries on network errors and 5xx', '5')
    .action(async (file: string, flags: UploadFlags) => {
      const { executeUpload } = await import('../server-action.js');
      setExitCode(await executeUpload(file, flags));
    });

  const auditCmd = program.command('audit').summary('the control plane’s audit trail: verify, export');
  auditCmd
    .command('verify')
    .summary('check the audit hash chain: any edited, deleted or reordered entry fails')
    .option('--data-dir <dir>', 'embedded database folder (default: DATABASE_URL or the user data folder)')
    .action(async (flags: AuditFlags) => {
      const { executeAuditVerify } = await import('../server-action.js');
      setExitCode(await executeAuditVerify(flags));
    });
  auditCmd
    .command('export')
    .summary('write the audit trail as JSON lines (for a SIEM)')
    .option('--data-dir <dir>', 'embedded database folder (default: DATABASE_URL or the user data folder)')
    .option('--out <file>', 'output file (default: standard output)')
    .action(async (flags: AuditFlags) => {
      const { executeAuditExport } = await import('../server-action.js');
      setExitCode(await executeAuditExport(flags));
    });
}

import { Command, Option } from 'commander';

export interface AdmissionServeFlags {
  policies?: string;
  builtin?: string[];
  builtinAction?: 'Audit' | 'Enforce';
  port: string;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  generateCerts?: string;
  service?: string;
  namespace?: string;
  webhookUrl?: string;
  failurePolicy: 'Ignore' | 'Fail';
  timeout: string;
  webhookTimeout: string;
  logLevel: string;
  shutdownDelay: string;
  workers: string;
}

export interface AdmissionCertsFlags {
  dir: string;
  service: string;
  namespace: string;
  webhookUrl?: string;
  failurePolicy: 'Ignore' | 'Fail';
  webhookTimeout: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `rampart admission serve|certs`: the validating admission webhook. */
export function registerAdmissionCommand(program: Command): void {
  const admission = program
    .command('admission')
    .summary('run the Kubernetes validating admission webhook')
    .description(
      'The admission webhook evaluates Kyverno policies (ClusterPolicy/Policy validate rules, ValidatingPolicy, ' +
        'ValidatingAdmissionPolicy) on AdmissionReview v1 requests from the Kubernetes API server: failing Enforce ' +
        'rules deny with their messages, failing Audit rules admit with warnings. Manifests to run it in a cluster ' +
        'are in deploy/admission/.',
    );

  admission
    .command('serve')
    .summary('serve POST /validate over HTTPS')
    .description(
      'Serve the webhook on --port over HTTPS with /validate, /healthz, /readyz and /metrics (Prometheus). ' +
        'Policies come from --policies (every *.yaml|*.yml directly in the folder, multi-document; the folder is ' +
        'watched and reloaded on change without dropping requests) and/or --builtin packs. A policy that fails to ' +
        'load is logged with its policy and rule names and the others stay active. TLS comes from --tls-cert/--tls-key, ' +
        'or --generate-certs creates (or reuses) a CA and a server certificate for the Service DNS names and prints ' +
        'the ValidatingWebhookConfiguration with caBundle filled in (on stderr; also written to the folder). ' +
        'Decision logs are JSON lines on stdout. SIGTERM/SIGINT: readiness drops, requests in flight finish, exit 0.',
    )
    .option('--policies <dir>', 'folder of Kyverno policy YAML files (watched for changes)')
    .option(
      '--builtin <packs>',
      'built-in packs, comma-separated: baseline, restricted (includes baseline), best-practices, ' +
        'trusted-registries, external-ips, require-signed-images (edit its key first), ' +
        'all (every pack but require-signed-images) (repeatable)',
      collect,
    )
    .addOption(
      new Option(
        '--builtin-action <action>',
        'failure action for the built-in packs (they ship as Audit)',
      ).choices(['Audit', 'Enforce']),
    )
    .option('--port <port>', 'HTTPS port', '8443')
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--tls-cert <file>', 'PEM certificate chain (with --tls-key; reloaded when the file changes)')
    .option('--tls-key <file>', 'PEM private key')
    .option('--generate-certs <dir>', 'create or reuse ca.crt, ca.key, tls.crt, tls.key in this folder')
    .option('--service <name>', 'Service name for the generated certificate and webhook configuration')
    .option('--namespace <ns>', 'Service namespace (also excluded from the webhook, like kube-system)')
    .option('--webhook-url <url>', 'print the webhook configuration with this URL instead of the Service')
    .addOption(
      new Option(
        '--failure-policy <policy>',
        'when evaluation fails or overruns --timeout: admit with a warning, or deny',
      )
        .choices(['Ignore', 'Fail'])
        .default('Ignore'),
    )
    .option('--timeout <duration>', 'per-request evaluation budget, e.g. 2s or 500ms', '2s')
    .option('--webhook-timeout <seconds>', 'timeoutSeconds of the printed webhook configuration (1-30)', '10')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .option(
      '--shutdown-delay <duration>',
      'on SIGTERM, keep serving (not ready) this long before closing',
      '2s',
    )
    .option(
      '--workers <n>',
      'evaluate in N worker threads (preemptive --timeout: an overrunning evaluation is cut and its worker ' +
        'replaced); 0 evaluates in the main thread',
      '0',
    )
    .addHelpText(
      'after',
      `
Examples:
  rampart admission serve --builtin restricted,best-practices --policies ./policies \\
      --generate-certs ./certs --service rampart-admission --namespace rampart-system
  rampart admission serve --policies /etc/rampart/policies --builtin restricted \\
      --tls-cert /etc/rampart/tls/tls.crt --tls-key /etc/rampart/tls/tls.key --failure-policy Fail`,
    )
    .action(async (flags: AdmissionServeFlags) => {
      const { executeAdmissionServe } = await import('../admission-action.js');
      await executeAdmissionServe(flags);
    });

  admission
    .command('certs')
    .summary('create a CA and server certificate and print the webhook configuration')
    .description(
      'Create (or reuse while valid for 30 more days) ca.crt, ca.key, tls.crt and tls.key in --dir for the Service ' +
        'DNS names <service>, <service>.<ns>, <service>.<ns>.svc, <service>.<ns>.svc.cluster.local plus localhost, ' +
        '127.0.0.1 and ::1, then print the ValidatingWebhookConfiguration (caBundle filled in) on stdout.',
    )
    .requiredOption('--dir <dir>', 'folder for the certificate files')
    .requiredOption('--service <name>', 'Service name')
    .requiredOption('--namespace <ns>', 'Service namespace')
    .option('--webhook-url <url>', 'use this URL in the webhook configuration instead of the Service')
    .addOption(
      new Option('--failure-policy <policy>', 'failurePolicy of the webhook configuration')
        .choices(['Ignore', 'Fail'])
        .default('Ignore'),
    )
    .option('--webhook-timeout <seconds>', 'timeoutSeconds of the webhook configuration (1-30)', '10')
    .action(async (flags: AdmissionCertsFlags) => {
      const { executeAdmissionCerts } = await import('../admission-action.js');
      await executeAdmissionCerts(flags);
    });
}

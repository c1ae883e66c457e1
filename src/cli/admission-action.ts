import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureCertificates, type CertificateBundle } from '../admission/certs.js';
import { parseDurationMs } from '../admission/duration.js';
import { EngineUnavailableError } from '../admission/engine-evaluator.js';
import { startAdmissionService } from '../admission/service.js';
import { webhookConfigurationYaml } from '../admission/webhook-config.js';
import { RampartError, errorMessage } from '../core/errors.js';
import type { AdmissionCertsFlags, AdmissionServeFlags } from './commands/admission.js';

function usage(message: string): never {
  throw new RampartError('USAGE', message);
}

function duration(flag: string, value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) usage(`${flag}: "${value}" is not a duration (use e.g. 2s or 500ms)`);
  return ms;
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) usage(`${flag} must be an integer from ${min} to ${max}`);
  return n;
}

const WEBHOOK_CONFIG_FILE = 'validating-webhook-configuration.yaml';

function configYaml(
  bundle: CertificateBundle,
  flags: {
    service?: string;
    namespace?: string;
    webhookUrl?: string;
    failurePolicy: 'Ignore' | 'Fail';
    webhookTimeout: string;
  },
): string {
  return webhookConfigurationYaml({
    caPem: bundle.caCert,
    ...(flags.webhookUrl
      ? { url: flags.webhookUrl }
      : { service: flags.service!, namespace: flags.namespace! }),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    failurePolicy: flags.failurePolicy,
    timeoutSeconds: integer('--webhook-timeout', flags.webhookTimeout, 1, 30),
  });
}

async function certificates(dir: string, service: string, namespace: string) {
  try {
    return await ensureCertificates(dir, { service, namespace });
  } catch (err) {
    throw new RampartError('OUTPUT_FAILED', `cannot create certificates in ${dir}: ${errorMessage(err)}`);
  }
}

/** `rampart admission certs`: certificates + webhook configuration on stdout. */
export async function executeAdmissionCerts(
  flags: AdmissionCertsFlags,
  out: { write(s: string): unknown } = process.stdout,
  err: { write(s: string): unknown } = process.stderr,
): Promise<void> {
  const { bundle, generated, reason } = await certificates(flags.dir, flags.service, flags.namespace);
  const yaml = configYaml(bundle, flags);
  await writeFile(path.join(flags.dir, WEBHOOK_CONFIG_FILE), yaml);
  err.write(
    generated
      ? `rampart: wrote a new CA and server certificate to ${flags.dir} (${reason ?? 'none before'})\n`
      : `rampart: reusing the certificates in ${flags.dir}\n`,
  );
  out.write(yaml);
}

/** `rampart admission serve`: runs until SIGTERM/SIGINT. */
export async function executeAdmissionServe(flags: AdmissionServeFlags): Promise<void> {
  const builtin = flags.builtin ?? [];
  if (!flags.policies && builtin.length === 0) usage('give --policies DIR and/or --builtin PACKS');
  if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) usage('--tls-cert and --tls-key go together');
  if (flags.tlsCert && flags.generateCerts) usage('use either --tls-cert/--tls-key or --generate-certs');
  if (!flags.tlsCert && !flags.generateCerts)
    usage('TLS is required: give --tls-cert/--tls-key or --generate-certs DIR --service NAME --namespace NS');
  if (flags.generateCerts && (!flags.service || !flags.namespace))
    usage('--generate-certs needs --service and --namespace');
  const port = integer('--port', flags.port, 0, 65535);
  const timeoutMs = duration('--timeout', flags.timeout);
  const shutdownDelayMs = duration('--shutdown-delay', flags.shutdownDelay);
  const workers = integer('--workers', flags.workers, 0, 64);

  let tls: { cert: string; key: string } | undefined;
  if (flags.generateCerts) {
    const { bundle, generated } = await certificates(flags.generateCerts, flags.service!, flags.namespace!);
    const yaml = configYaml(bundle, flags);
    const file = path.join(flags.generateCerts, WEBHOOK_CONFIG_FILE);
    await writeFile(file, yaml);
    process.stderr.write(
      `rampart: ${generated ? 'generated' : 'reusing'} certificates in ${flags.generateCerts}; ` +
        `apply this ValidatingWebhookConfiguration (also in ${file}):\n${yaml}`,
    );
    tls = { cert: bundle.cert, key: bundle.key };
  }

  let service;
  try {
    service = await startAdmissionService({
      ...(flags.policies ? { policiesDir: flags.policies } : {}),
      builtin,
      ...(flags.builtinAction ? { builtinAction: flags.builtinAction } : {}),
      port,
      host: flags.host,
      ...(tls ? { tls } : { tlsFiles: { certFile: flags.tlsCert!, keyFile: flags.tlsKey! } }),
      failurePolicy: flags.failurePolicy,
      timeoutMs,
      workers,
      log: { level: flags.logLevel },
    });
  } catch (err) {
    if (err instanceof EngineUnavailableError) throw new RampartError('INTERNAL', err.message);
    throw new RampartError('CONFIG_INVALID', errorMessage(err), { cause: err });
  }

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      service.server.app.log.info({ signal, delayMs: shutdownDelayMs }, 'shutting down');
      // Readiness drops now (so endpoints are removed) while requests keep being answered for the delay.
      service.server.beginShutdown();
      setTimeout(() => {
        void service.close().finally(resolve);
      }, shutdownDelayMs);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

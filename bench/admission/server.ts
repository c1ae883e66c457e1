/**
 * Child process of bench/admission/run.ts: the real webhook (engine facade, built-in packs, HTTPS on
 * loopback with a generated CA). Prints one JSON line `{"ready":true,…}` on stdout once listening;
 * decision logs go to the file given with --log-file. Stops on SIGTERM.
 *   node --import tsx bench/admission/server.ts --log-file F [--packs restricted,best-practices]
 *        [--action Enforce|Audit] [--engine-module URL-or-path] [--workers N]
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateCertificates } from '../../src/admission/certs.js';
import { startAdmissionService } from '../../src/admission/service.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const logFile = flag('--log-file') ?? '/dev/null';
  const packs = (flag('--packs') ?? 'restricted,best-practices').split(',');
  const action = flag('--action') === 'Audit' ? 'Audit' : 'Enforce';
  const engine = flag('--engine-module');
  const workers = Number(flag('--workers') ?? '0');
  const certs = await generateCertificates({ service: 'rampart-admission', namespace: 'rampart-system' });
  const service = await startAdmissionService({
    builtin: packs,
    builtinAction: action,
    port: 0,
    host: '127.0.0.1',
    tls: { cert: certs.cert, key: certs.key },
    log: { level: 'info', stream: createWriteStream(logFile) },
    ...(engine ? { engineModule: pathToFileURL(path.resolve(engine)) } : {}),
    workers,
  });
  const e = service.server.currentEvaluator();
  process.stdout.write(
    `${JSON.stringify({ ready: true, port: service.port, ca: certs.caCert, policies: e?.policyCount, rules: e?.ruleCount, loadErrors: e?.errors })}\n`,
  );
  process.once('SIGTERM', () => {
    void service.close().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stdout.write(
    `${JSON.stringify({ ready: false, error: err instanceof Error ? err.message : String(err) })}\n`,
  );
  process.exit(2);
});

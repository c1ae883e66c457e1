import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { parse } from 'yaml';
import { registerAdmissionCommand } from '../cli/commands/admission.js';
import { executeAdmissionCerts, executeAdmissionServe } from '../cli/admission-action.js';
import type { AdmissionServeFlags } from '../cli/commands/admission.js';
import { RampartError } from '../core/errors.js';
import { createClient, podReview } from './__fixtures__/client.js';
import { ensureCertificates } from './certs.js';
import { startAdmissionService } from './service.js';

const FAKE_ENGINE = new URL('./__fixtures__/fake-engine.js', import.meta.url);

describe('startAdmissionService (HTTPS, built-in packs + policy folder, stand-in engine)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-service-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the packs and the folder, serves HTTPS, reloads TLS files, and closes', async () => {
    const certDir = path.join(dir, 'certs');
    const { bundle } = await ensureCertificates(certDir, {
      service: 'rampart-admission',
      namespace: 'rampart-system',
    });
    const policies = path.join(dir, 'policies');
    mkdirSync(policies);
    writeFileSync(
      path.join(policies, 'team.yaml'),
      'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: team}\nspec:\n  validationFailureAction: Enforce\n  rules:\n    - name: no-bad\n      fake: {failIfPresent: metadata.labels.bad, message: bad label}\n',
    );
    const logs: string[] = [];
    const service = await startAdmissionService({
      policiesDir: policies,
      builtin: ['restricted', 'best-practices'],
      port: 0,
      host: '127.0.0.1',
      tlsFiles: { certFile: path.join(certDir, 'tls.crt'), keyFile: path.join(certDir, 'tls.key') },
      engineModule: FAKE_ENGINE,
      log: { stream: { write: (l: string) => logs.push(l) } },
    });
    const client = createClient(`https://localhost:${service.port}`, { ca: bundle.caCert });
    try {
      assert.equal(service.server.currentEvaluator()?.policyCount, 27, '26 built-in + 1 from the folder');
      assert.equal(service.server.currentEvaluator()?.ruleCount, 35);
      const ready = await client.get('/readyz');
      assert.equal(ready.status, 200);
      const denied = JSON.parse(
        (await client.post('/validate', JSON.stringify(podReview({ labels: { bad: 'x' } })))).body,
      );
      assert.equal(denied.response.allowed, false);
      assert.match(denied.response.status.message, /^team:\n {2}no-bad: bad label$/m);
      assert.ok(logs.some((l) => l.includes('"policies loaded"') && l.includes('"policies":27')));
    } finally {
      client.close();
      await service.close();
    }
  });

  it('refuses to start without policies, and with an unknown pack', async () => {
    await assert.rejects(startAdmissionService({ engineModule: FAKE_ENGINE, log: false }), /no policies/);
    await assert.rejects(
      startAdmissionService({ builtin: ['strict'], engineModule: FAKE_ENGINE, log: false }),
      /unknown built-in pack "strict"/,
    );
  });
});

describe('rampart admission (CLI)', () => {
  const program = () => {
    const p = new Command()
      .exitOverride()
      .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    registerAdmissionCommand(p);
    return p;
  };

  it('documents every flag of serve in --help', () => {
    const serve = program()
      .commands.find((c) => c.name() === 'admission')!
      .commands.find((c) => c.name() === 'serve')!;
    const help = serve.helpInformation();
    for (const f of [
      '--policies',
      '--builtin',
      '--port',
      '--tls-cert',
      '--tls-key',
      '--generate-certs',
      '--service',
      '--namespace',
      '--failure-policy',
      '--timeout',
      '--workers',
    ])
      assert.ok(help.includes(f), f);
  });

  const flags = (extra: Partial<AdmissionServeFlags>): AdmissionServeFlags => ({
    port: '8443',
    host: '127.0.0.1',
    failurePolicy: 'Ignore',
    timeout: '2s',
    webhookTimeout: '10',
    logLevel: 'silent',
    shutdownDelay: '0s',
    workers: '0',
    ...extra,
  });

  it('rejects incomplete or contradictory flags with a usage error', async () => {
    const cases: [Partial<AdmissionServeFlags>, RegExp][] = [
      [{}, /--policies DIR and\/or --builtin/],
      [{ builtin: ['restricted'] }, /TLS is required/],
      [{ builtin: ['restricted'], tlsCert: 'a.crt' }, /go together/],
      [{ builtin: ['restricted'], generateCerts: '/tmp/x' }, /needs --service and --namespace/],
      [
        { builtin: ['restricted'], tlsCert: 'a', tlsKey: 'b', timeout: '2' },
        /--timeout: "2" is not a duration/,
      ],
      [{ builtin: ['restricted'], tlsCert: 'a', tlsKey: 'b', port: '99999' }, /--port must be an integer/],
    ];
    for (const [extra, message] of cases)
      await assert.rejects(
        executeAdmissionServe(flags(extra)),
        (err: unknown) => err instanceof RampartError && err.code === 'USAGE' && message.test(err.message),
      );
  });

  it('`admission certs` writes the certificates and prints the webhook configuration', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-cli-certs-'));
    const out: string[] = [];
    const sink = { write: (s: string) => out.push(s) };
    await executeAdmissionCerts(
      { dir, service: 'hook', namespace: 'sec', failurePolicy: 'Fail', webhookTimeout: '5' },
      sink,
      { write: () => 0 },
    );
    try {
      const doc = parse(out.join(''));
      const hook = doc.webhooks[0];
      assert.equal(hook.clientConfig.service.name, 'hook');
      assert.equal(hook.failurePolicy, 'Fail');
      assert.equal(hook.timeoutSeconds, 5);
      assert.equal(
        Buffer.from(hook.clientConfig.caBundle, 'base64').toString('utf8'),
        readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
      );
      assert.deepEqual(hook.namespaceSelector.matchExpressions[0].values, ['kube-system', 'sec']);
      assert.equal(
        readFileSync(path.join(dir, 'validating-webhook-configuration.yaml'), 'utf8'),
        out.join(''),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

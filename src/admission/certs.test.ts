import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { podReview } from './__fixtures__/client.js';
import { bundleProblem, ensureCertificates, generateCertificates, type CertificateBundle } from './certs.js';
import { createAdmissionServer } from './server.js';
import { buildWebhookConfiguration, webhookConfigurationYaml } from './webhook-config.js';

const REQ = { service: 'rampart-admission', namespace: 'rampart-system' };

function post(
  port: number,
  ca: string | undefined,
  servername: string,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/validate',
        servername,
        headers: { 'content-type': 'application/json' },
        ...(ca ? { ca } : {}),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('generated certificates', () => {
  let bundle: CertificateBundle;
  before(async () => {
    bundle = await generateCertificates(REQ);
  });

  it('the CA signs the server certificate', () => {
    const ca = new X509Certificate(bundle.caCert);
    const server = new X509Certificate(bundle.cert);
    assert.equal(ca.ca, true);
    assert.equal(server.ca, false);
    assert.equal(server.checkIssued(ca), true);
    assert.equal(server.verify(ca.publicKey), true);
    assert.equal(ca.verify(ca.publicKey), true, 'self-signed CA');
    assert.equal(server.checkPrivateKey(createPrivateKey(bundle.key)), true);
    assert.equal(ca.checkPrivateKey(createPrivateKey(bundle.caKey)), true);
  });

  it('names the Service DNS names, localhost and loopback addresses as SANs', () => {
    const server = new X509Certificate(bundle.cert);
    const sans = (server.subjectAltName ?? '').split(', ');
    for (const dns of [
      'rampart-admission',
      'rampart-admission.rampart-system',
      'rampart-admission.rampart-system.svc',
      'rampart-admission.rampart-system.svc.cluster.local',
      'localhost',
    ])
      assert.ok(sans.includes(`DNS:${dns}`), `${dns} in ${server.subjectAltName}`);
    assert.ok(sans.includes('IP Address:127.0.0.1'));
    assert.equal(
      server.checkHost('rampart-admission.rampart-system.svc'),
      'rampart-admission.rampart-system.svc',
    );
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkHost('evil.example.com'), undefined);
    assert.match(
      server.keyUsage?.join(',') ?? '',
      /1\.3\.6\.1\.5\.5\.7\.3\.1/,
      'serverAuth extended key usage',
    );
  });

  it('rejects invalid Service names before generating anything', async () => {
    await assert.rejects(
      generateCertificates({ service: 'Bad_Name', namespace: 'x' }),
      /not a valid DNS label/,
    );
  });

  it('serves HTTPS that verifies with the CA (and only with it)', async () => {
    const server = createAdmissionServer({
      tls: { cert: bundle.cert, key: bundle.key },
      log: false,
      evaluator: { errors: [], policyCount: 0, evaluate: () => [] },
    });
    const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const body = JSON.stringify(podReview({ uid: 'tls-1' }));
      const ok = await post(port, bundle.caCert, 'rampart-admission.rampart-system.svc', body);
      assert.equal(ok.status, 200);
      assert.equal(JSON.parse(ok.body).response.uid, 'tls-1');
      await assert.rejects(
        post(port, undefined, 'rampart-admission.rampart-system.svc', body),
        /self[- ]signed|unable to verify|local issuer/i,
      );
      await assert.rejects(
        post(port, bundle.caCert, 'other.rampart-system.svc', body),
        /altnames|does not match|Hostname/i,
      );
    } finally {
      await server.close();
    }
  });

  it('rotates the serving certificate without a restart', async () => {
    const other = await generateCertificates(REQ);
    const server = createAdmissionServer({
      tls: { cert: bundle.cert, key: bundle.key },
      log: false,
      evaluator: { errors: [], policyCount: 0, evaluate: () => [] },
    });
    const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const body = JSON.stringify(podReview());
      server.updateTls({ cert: other.cert, key: other.key });
      assert.equal((await post(port, other.caCert, 'localhost', body)).status, 200);
      await assert.rejects(post(port, bundle.caCert, 'localhost', body));
    } finally {
      await server.close();
    }
  });
});

describe('ensureCertificates', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rampart-certs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the files once and reuses them while they fit', async () => {
    const first = await ensureCertificates(dir, REQ);
    assert.equal(first.generated, true);
    assert.equal(statSync(path.join(dir, 'tls.key')).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(dir, 'ca.key')).mode & 0o777, 0o600);
    const second = await ensureCertificates(dir, REQ);
    assert.equal(second.generated, false);
    assert.equal(second.bundle.caCert, first.bundle.caCert);
    const renamed = await ensureCertificates(dir, { service: 'other', namespace: 'rampart-system' });
    assert.equal(renamed.generated, true);
    assert.match(renamed.reason ?? '', /SAN other missing/);
  });

  it('regenerates a bundle whose key does not match', async () => {
    const a = await generateCertificates(REQ);
    const b = await generateCertificates(REQ);
    assert.match(bundleProblem({ ...a, key: b.key }, REQ) ?? '', /key does not match/);
    assert.match(bundleProblem({ ...a, caCert: b.caCert }, REQ) ?? '', /not signed by the CA/);
    writeFileSync(path.join(dir, 'tls.key'), b.key);
    const r = await ensureCertificates(dir, { service: 'other', namespace: 'rampart-system' });
    assert.equal(r.generated, true);
    assert.notEqual(readFileSync(path.join(dir, 'tls.key'), 'utf8'), b.key);
  });

  it('regenerates a certificate that expires within 30 days', async () => {
    const a = await generateCertificates(REQ);
    assert.equal(bundleProblem(a, REQ), undefined);
    assert.match(bundleProblem(a, REQ, Date.now() + 340 * 24 * 3600 * 1000) ?? '', /expires within 30 days/);
  });
});

describe('ValidatingWebhookConfiguration', () => {
  it('points at the Service with the CA bundle, excludes kube-system and its own namespace', () => {
    const caPem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const doc = parse(webhookConfigurationYaml({ caPem, ...REQ, timeoutSeconds: 5, failurePolicy: 'Fail' }));
    assert.equal(doc.apiVersion, 'admissionregistration.k8s.io/v1');
    assert.equal(doc.kind, 'ValidatingWebhookConfiguration');
    const hook = doc.webhooks[0];
    assert.deepEqual(hook.admissionReviewVersions, ['v1']);
    assert.equal(hook.sideEffects, 'None');
    assert.equal(hook.timeoutSeconds, 5);
    assert.equal(hook.failurePolicy, 'Fail');
    assert.deepEqual(hook.clientConfig.service, {
      name: 'rampart-admission',
      namespace: 'rampart-system',
      path: '/validate',
      port: 443,
    });
    assert.equal(Buffer.from(hook.clientConfig.caBundle, 'base64').toString('utf8'), caPem);
    assert.deepEqual(hook.namespaceSelector.matchExpressions, [
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'rampart-system'] },
    ]);
    assert.ok(hook.rules.some((r: { resources: string[] }) => r.resources.includes('pods')));
  });

  it('uses a URL instead of a Service when asked, and clamps timeoutSeconds to 1-30', () => {
    const doc = buildWebhookConfiguration({
      caPem: 'x',
      url: 'https://10.0.0.5:8443/validate',
      timeoutSeconds: 99,
    }) as {
      webhooks: {
        clientConfig: Record<string, unknown>;
        timeoutSeconds: number;
        namespaceSelector: unknown;
      }[];
    };
    const hook = doc.webhooks[0]!;
    assert.equal(hook.clientConfig.url, 'https://10.0.0.5:8443/validate');
    assert.equal(hook.clientConfig.service, undefined);
    assert.equal(hook.timeoutSeconds, 30);
  });
});
